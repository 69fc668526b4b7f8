# The commands everyone runs. `make test` is the one CI runs (through .ci/run).
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.PHONY: venv develop test test-slow test-rust test-python lint format demo ci catalogue clean bench bench-quick docs

$(BIN)/maturin:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "maturin>=1.5,<2"

venv: $(BIN)/maturin

# A debug build of the extension, installed editable with the test and lint tools (and
# the site's builder: tests/test_docs.py builds the site).
develop: venv
	$(BIN)/maturin develop --quiet --extras test,dev,docs

test-rust:
	cargo test --quiet --workspace

test-python: develop
	$(BIN)/python -m pytest -q

test: test-rust test-python

# The load and long memory tests (pytest marker `slow`), left out of `make test` (about six
# minutes in a debug build); CI runs them.
test-slow: develop
	$(BIN)/python -m pytest -q -m slow

lint: develop
	cargo fmt --check
	cargo clippy --quiet --workspace --all-targets -- -D warnings
	cargo clippy --quiet --workspace --all-targets --all-features -- -D warnings
	$(BIN)/ruff check python tests scripts examples docs benches
	$(BIN)/ruff format --check python tests scripts examples docs benches
	$(BIN)/python -m mypy
	$(BIN)/basedpyright
	$(BIN)/python -m mypy.stubtest runai_admin._core

format: develop
	cargo fmt
	$(BIN)/ruff format python tests scripts examples docs benches

# Regenerate the operation catalogue from the official OpenAPI document and the project's
# names table (scripts/operations.tsv), then the Python face from the catalogue (namespaces,
# methods and the TypedDicts they name). A document other than the pinned one is refused:
# `make catalogue SPEC=path/to/openapi.json ACCEPT_SPEC=1` moves the pin on purpose.
SPEC ?= ../shared/runai-api/openapi.json
catalogue:
	$(PYTHON) scripts/gen_catalogue.py --spec $(SPEC) $(if $(ACCEPT_SPEC),--accept-spec)
	$(PYTHON) scripts/gen_python.py

# The benchmark (benches/README.md): every client against one fake control plane process.
# `bench` measures release builds (the wheel in its own venv with the `bench` extra, and the
# pure-Rust limit); BENCH_ARGS passes options on (`--rounds 3`, `--also before=PYTHON`).
# It writes every figure to benches/results.json and draws them into benches/results.png
# (the chart BENCHMARKS.md shows; `python benches/chart.py` redraws it from the JSON).
# `bench-quick` runs every installed client for a few seconds on the debug build, so that
# the suite keeps working: it fails on errors, never on speed. Its report and chart go to
# target/ (a second or two to draw), so the chart is drawn on every run too.
BENCH_VENV ?= .venv-bench
bench:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip "maturin>=1.5,<2"
	rm -rf target/bench-wheel
	$(BENCH_VENV)/bin/maturin build --release --quiet --out target/bench-wheel
	$(BENCH_VENV)/bin/pip install --quiet --force-reinstall --no-deps target/bench-wheel/*.whl
	$(BENCH_VENV)/bin/pip install --quiet "$$(ls target/bench-wheel/*.whl)[bench]"
	cargo build --release --quiet -p runai-admin-bench
	$(BENCH_VENV)/bin/python benches/run.py --limit-binary target/release/runai-admin-bench-limit \
		--json benches/results.json --chart benches/results.png $(BENCH_ARGS)

bench-quick: develop
	cargo build --quiet -p runai-admin-bench
	$(BIN)/python benches/run.py --quick --limit-binary target/debug/runai-admin-bench-limit \
		--json target/bench-quick.json --chart target/bench-quick.png

# The reference site (docs/build.py: pdoc), written to site/; open site/index.html.
# It fails on a pdoc warning, a reference that names nothing or a broken link.
docs: develop
	$(BIN)/python docs/build.py --output site

demo:
	$(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet . && $(BIN)/runai-admin demo

ci: lint test

clean:
	rm -rf $(VENV) target site

# The commands everyone runs. `make test` is the one CI runs (through .ci/run).
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.PHONY: venv develop test test-slow test-rust test-python lint format demo ci catalogue clean

$(BIN)/maturin:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "maturin>=1.5,<2"

venv: $(BIN)/maturin

# A debug build of the extension, installed editable with the test and lint tools.
develop: venv
	$(BIN)/maturin develop --quiet --extras test,dev

test-rust:
	cargo test --quiet --workspace

test-python: develop
	$(BIN)/python -m pytest -q

test: test-rust test-python

# The load tests (pytest marker `slow`), left out of `make test`.
test-slow: develop
	$(BIN)/python -m pytest -q -m slow

lint: develop
	cargo fmt --check
	cargo clippy --quiet --workspace --all-targets -- -D warnings
	cargo clippy --quiet --workspace --all-targets --all-features -- -D warnings
	$(BIN)/ruff check python tests scripts examples
	$(BIN)/ruff format --check python tests scripts examples
	$(BIN)/python -m mypy
	$(BIN)/basedpyright
	$(BIN)/python -m mypy.stubtest runai_admin._core

format: develop
	cargo fmt
	$(BIN)/ruff format python tests scripts examples

# Regenerate the operation catalogue from the official OpenAPI document and the project's
# names table (scripts/operations.tsv), then the Python face from the catalogue (namespaces,
# methods and the TypedDicts they name). A document other than the pinned one is refused:
# `make catalogue SPEC=path/to/openapi.json ACCEPT_SPEC=1` moves the pin on purpose.
SPEC ?= ../shared/runai-api/openapi.json
catalogue:
	$(PYTHON) scripts/gen_catalogue.py --spec $(SPEC) $(if $(ACCEPT_SPEC),--accept-spec)
	$(PYTHON) scripts/gen_python.py

demo:
	$(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet . && $(BIN)/runai-admin demo

ci: lint test

clean:
	rm -rf $(VENV) target

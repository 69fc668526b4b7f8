"""The benchmark: every client against ONE fake control plane process, side by side.

    python benches/run.py            # the full run (`make bench`)
    python benches/run.py --quick    # a few seconds: checks that every client still works

It starts `runai-admin fake-server` as a separate process, adds projects until the list has
``--list-size`` of them, then runs each client in a process of its own (benches/clients.py;
the pure-Rust limit is crates/bench), round after round in turn, so that a busy moment of
the machine falls on all of them alike. Figures are medians over the rounds; ratios are
taken within this one run. It fails only when a client fails, never on speed.

Scenarios: ``projects.get`` of one project (sync clients one at a time, async clients
``--in-flight`` at a time), and listing every project (``--list-size``; the hand-written
clients walk pages of 500, runai_admin its own default). CPU is user + system seconds
from the OS accounting (``getrusage`` in the client's process, the child's rusage for the
Rust binary); peak RSS is the client process's. A table of the fake's own cost follows,
from the limit's rows: GETs served per second, the fake process's CPU per GET, and its CPU
per whole list against plain serde writing the same pages.

Two more tables follow: start-up (benches/startup.py: ``import`` against a bare
interpreter, wall and ``-X importtime`` medians and peak RSS, runapy beside it) and token
refresh under load (benches/tokens.py: ``--token-calls`` concurrent calls across a token
expiry, and the token requests each client makes for them), then decoding one page of
500 projects (benches/decode.py: the core's decoder, orjson and json on the same bytes).
``--only startup``, ``--only tokens`` or ``--only decode`` runs just one of them; ``--only
org`` the time to plan and apply a large organisation (benches/org.py).

``--json FILE`` writes every figure as JSON; ``--chart FILE.png`` draws them as bars
(benches/chart.py, which also redraws a saved ``--json`` file; it needs matplotlib).

``--also LABEL=PYTHON`` adds the runai_admin rows again under another interpreter (for
example a venv holding the build before a change), for a before/after in one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import chart  # benches/chart.py, startup.py, tokens.py: this script's folder is on the path
import startup
import tokens

ROOT = Path(__file__).resolve().parent.parent
CLIENTS_SCRIPT = Path(__file__).resolve().parent / "clients.py"
LIMIT = chart.LIMIT

#: Python clients: (name in clients.py, mode, module it needs).
PYTHON_CLIENTS = [
    ("runai_admin.Client", "sync", "runai_admin"),
    ("runai_admin.AsyncClient", "async", "runai_admin"),
    ("runai_admin.AsyncClient+uvloop", "async", "uvloop"),
    ("requests", "sync", "requests"),
    ("runapy", "sync", "runai"),
    ("runapy.AsyncApiClient", "async", "runai"),
    ("pyreqwest+orjson", "sync", "pyreqwest"),
    ("pyreqwest+orjson async", "async", "pyreqwest"),
]


@dataclass
class Row:
    label: str
    mode: str  # "sync" (one at a time) or "async" (--in-flight at a time)
    argv: list[str]
    rust: bool = False
    runs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Fake:
    process: subprocess.Popen[str]
    env: dict[str, str]
    cluster_id: str


def start_fake(python: str) -> Fake:
    process = subprocess.Popen(
        [python, "-m", "runai_admin", "fake-server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    env: dict[str, str] = {}
    cluster_id = ""
    assert process.stdout is not None
    for line in process.stdout:
        line = line.strip()
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            env[name] = value
        elif line.startswith("# cluster:"):
            cluster_id = line.split()[2].rstrip(";")
            break
    if not cluster_id or "RUNAI_BASE_URL" not in env:
        process.kill()
        raise SystemExit("the fake control plane did not start")
    return Fake(process, env, cluster_id)


def seed(fake: Fake, size: int) -> tuple[str, int]:
    """Projects until the list holds ``size``; one project's id and the list's length."""
    os.environ.update(fake.env)
    from runai_admin import Client

    with Client() as client:
        have = client.projects.count()["count"]

        def create(i: int) -> None:
            client.projects.create(
                name=f"bench-{i}",
                cluster_id=fake.cluster_id,
                resources=[{"gpu": {"deserved": 0}}],
            )

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(create, range(have, size)))
        projects = client.projects.list(max_items=1).to_list()
        total = client.projects.count()["count"]
    return str(projects[0]["id"]), int(total)


def importable(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def limit_binary(explicit: Optional[str]) -> Optional[Path]:
    if explicit:
        return Path(explicit)
    for profile in ("release", "debug"):
        candidate = ROOT / "target" / profile / "runai-admin-bench-limit"
        if candidate.exists():
            return candidate
    return None


def run_python(row: Row, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(row.argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{row.label} failed:\n{done.stderr.strip()}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_rust(argv: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float, int]:
    """The limit binary's report, its CPU seconds and peak RSS (KiB) from its rusage."""
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {err.decode().strip()}")
    report = dict(json.loads(out.decode().strip().splitlines()[-1]))
    # The binary reads its own peak (ru_maxrss would count this parent's at the fork).
    return report, usage.ru_utime + usage.ru_stime, int(report.get("peak_rss_kb", usage.ru_maxrss))


def process_cpu(pid: int) -> Optional[float]:
    """A process's user + system CPU seconds so far, where /proc tells (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are the 14th and 15th fields, the 12th and 13th after the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_limit(
    row: Row, env: dict[str, str], a: argparse.Namespace, project: str, fake: Fake
) -> dict:
    """The limit's report. The fake serves no one else meanwhile, so its CPU over each step
    is what that step cost it: the figures of the fake's own table."""
    binary = row.argv[0]
    in_flight = "1" if row.mode == "sync" else str(a.in_flight)

    def fake_cpu_over(argv: list[str]) -> tuple[dict[str, Any], float, int, Optional[float]]:
        before = process_cpu(fake.process.pid)
        report, cpu, rss = run_rust(argv, env)
        after = process_cpu(fake.process.pid)
        spent = None if before is None or after is None else after - before
        return report, cpu, rss, spent

    get, get_cpu, rss, fake_get = fake_cpu_over([binary, "get", project, in_flight, str(a.calls)])
    # Its CPU is the whole process's: the sign-in and warm-up calls are counted in.
    calls = a.calls + min(50, a.calls)
    report: dict[str, Any] = {
        "get": {
            "calls": a.calls,
            "seconds": get["seconds"],
            "cpu_per_call": get_cpu / calls,
            "fake_cpu_per_call": None if fake_get is None else fake_get / calls,
        },
        "maxrss_kb": rss,
    }
    if row.mode == "sync":
        lists, list_cpu, rss2, fake_list = fake_cpu_over([binary, "list", "500", str(a.lists)])
        plain, _, _ = run_rust([binary, "serialise", "500"], env)
        report["list"] = {
            "lists": a.lists,
            "seconds": lists["seconds"],
            "cpu_per_list": list_cpu / (a.lists + 1),
            "fake_cpu_per_list": None if fake_list is None else fake_list / (a.lists + 1),
            "serialise_seconds": plain["serialise_seconds"],
        }
        report["maxrss_kb"] = max(rss, rss2)
    return report


def median(values: list[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def summarise(row: Row) -> dict[str, Any]:
    gets = [r["get"] for r in row.runs]
    lists = [r["list"] for r in row.runs if "list" in r]
    rate = median([g["calls"] / g["seconds"] for g in gets])
    cpu = median(
        [g["cpu_per_call"] if "cpu_per_call" in g else g["cpu"] / g["calls"] for g in gets]
    )
    list_ms = median([1000 * x["seconds"] / x["lists"] for x in lists])
    list_cpu = median(
        [x["cpu_per_list"] if "cpu_per_list" in x else x["cpu"] / x["lists"] for x in lists]
    )
    summary = {
        "label": row.label,
        "mode": row.mode,
        "get_per_s": rate,
        "cpu_s_per_1000": None if cpu is None else cpu * 1000,
        "list_ms": list_ms,
        "list_cpu_ms": None if list_cpu is None else list_cpu * 1000,
        "peak_rss_mb": median([r["maxrss_kb"] / 1024 for r in row.runs]),
        "rounds": len(row.runs),
    }
    if row.rust:
        # The fake's own cost, measured over the limit's calls (the fastest client).
        def ms(values: list[Optional[float]], scale: float) -> Optional[float]:
            known = [v * scale for v in values if v is not None]
            return median(known)

        summary["fake_us_per_get"] = ms([g.get("fake_cpu_per_call") for g in gets], 1e6)
        summary["fake_list_cpu_ms"] = ms([x.get("fake_cpu_per_list") for x in lists], 1e3)
        summary["serde_list_ms"] = ms([x.get("serialise_seconds") for x in lists], 1e3)
    return summary


def fmt(value: Optional[float], spec: str) -> str:
    return "—" if value is None else format(value, spec)


def fake_table(summaries: list[dict[str, Any]], in_flight: int, list_size: int) -> str:
    """The fake control plane's own cost, from the limit's rows: what it served and the CPU
    it spent per GET, and per whole list against plain serde writing the same pages."""
    lines = [
        f"| fake control plane, served to {LIMIT} | GETs/s | fake CPU µs / GET "
        f"| list of {list_size:,}: fake CPU ms | plain serde ms | ratio |",
        f"|{'---|' * 6}",
    ]
    for s in summaries:
        if s["label"] != LIMIT:
            continue
        mode = "1 at a time" if s["mode"] == "sync" else f"{in_flight} in flight"
        fake_ms, serde_ms = s.get("fake_list_cpu_ms"), s.get("serde_list_ms")
        ratio = fake_ms / serde_ms if fake_ms is not None and serde_ms else None
        lines.append(
            f"| {mode} | {fmt(s['get_per_s'], ',.0f')} | {fmt(s.get('fake_us_per_get'), '.1f')} "
            f"| {fmt(fake_ms, '.1f')} | {fmt(serde_ms, '.1f')} | {fmt(ratio, '.2f')} |"
        )
    return "\n".join(lines)


def table(summaries: list[dict[str, Any]], in_flight: int) -> str:
    limit = {s["mode"]: s["get_per_s"] for s in summaries if s["label"] == LIMIT}
    base = next((s["get_per_s"] for s in summaries if s["label"] == "requests"), None)
    head = (
        f"| client | mode | get calls/s | share of limit | x requests | CPU s / 1,000 gets "
        f"| list all ms | list CPU ms | peak RSS MB |\n|{'---|' * 9}"
    )
    lines = [head]
    for s in summaries:
        mode = "1 at a time" if s["mode"] == "sync" else f"{in_flight} in flight"
        to_limit = limit.get(s["mode"])
        rate = s["get_per_s"]
        lines.append(
            f"| {s['label']} | {mode} | {fmt(rate, ',.0f')} "
            f"| {fmt(rate / to_limit if to_limit else None, '.2f')} "
            f"| {fmt(rate / base if base else None, '.2f')} "
            f"| {fmt(s['cpu_s_per_1000'], '.3f')} | {fmt(s['list_ms'], ',.1f')} "
            f"| {fmt(s['list_cpu_ms'], ',.1f')} | {fmt(s['peak_rss_mb'], '.1f')} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a few seconds: smoke test")
    parser.add_argument("--rounds", type=int, help="rounds per client (default 5; quick 1)")
    parser.add_argument("--calls", type=int, help="timed gets per round (default 20000)")
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--list-size", type=int, help="projects to list (default 10000)")
    parser.add_argument("--lists", type=int, help="timed whole lists per round (default 5)")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the clients")
    parser.add_argument("--also", action="append", default=[], metavar="LABEL=PYTHON")
    parser.add_argument("--limit-binary", help="default: target/release, else target/debug")
    parser.add_argument("--only", action="append", default=[], help="run only these clients")
    parser.add_argument("--json", type=Path, help="also write every figure here (JSON)")
    parser.add_argument("--chart", type=Path, help="also draw the figures here (PNG)")
    parser.add_argument("--startup-runs", type=int, help="imports timed (default 20; quick 3)")
    parser.add_argument("--token-calls", type=int, help="calls across an expiry (default 1000)")
    a = parser.parse_args()
    a.rounds = a.rounds or (1 if a.quick else 5)
    a.calls = a.calls or (100 if a.quick else 20000)
    a.list_size = a.list_size or (60 if a.quick else 10000)
    a.lists = a.lists or (1 if a.quick else 5)
    a.startup_runs = a.startup_runs or (3 if a.quick else 20)
    a.token_calls = a.token_calls or (50 if a.quick else 1000)
    if a.chart and importlib.util.find_spec("matplotlib") is None:
        # Said now rather than after the run.
        parser.error("--chart needs matplotlib (the bench extra)")

    rows: list[Row] = []
    skipped: list[str] = []
    binary = limit_binary(a.limit_binary)
    if binary is None:
        skipped.append(f"{LIMIT}: build it with `cargo build --release -p runai-admin-bench`")
    else:
        rows.append(Row(LIMIT, "sync", [str(binary)], rust=True))
        rows.append(Row(LIMIT, "async", [str(binary)], rust=True))
    interpreters = [("", a.python)]
    for extra in a.also:
        label, _, python = extra.partition("=")
        interpreters.append((f" [{label}]", python))
    checked: dict[tuple[str, str], bool] = {}
    for name, mode, module in PYTHON_CLIENTS:
        for suffix, python in interpreters:
            # Another build: runai_admin's own rows (uvloop's only in the main build).
            if suffix and (not name.startswith("runai_admin") or "uvloop" in name):
                continue
            if a.only and name not in a.only:
                continue
            key = (python, module)
            if key not in checked:
                checked[key] = importable(python, module)
            if not checked[key]:
                skipped.append(f"{name}{suffix}: {module} is not installed")
                continue
            argv = [python, str(CLIENTS_SCRIPT), name]
            rows.append(Row(name + suffix, mode, argv))

    # A stop (SIGTERM) goes through the cleanup below, so the fake does not outlive it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    fake = start_fake(a.python)
    failures: list[str] = []
    expect = 0
    try:
        project, expect = seed(fake, a.list_size)
        env = {**os.environ, **fake.env}
        shared = ["--project", project, "--calls", str(a.calls), "--in-flight", str(a.in_flight)]
        shared += ["--lists", str(a.lists), "--expect", str(expect)]
        print(
            f"{len(rows)} clients x {a.rounds} rounds: {a.calls} gets each, "
            f"{a.lists} lists of {expect} projects",
            file=sys.stderr,
        )
        for round_no in range(a.rounds):
            # Each round starts one client further on, so no client always runs first.
            order = rows[round_no % len(rows) :] + rows[: round_no % len(rows)]
            for row in order:
                started = time.perf_counter()
                try:
                    if row.rust:
                        report = run_limit(row, env, a, project, fake)
                    else:
                        report = run_python(Row(row.label, row.mode, row.argv + shared), env)
                except RuntimeError as failure:
                    failures.append(str(failure))
                    continue
                row.runs.append(report)
                print(
                    f"  round {round_no + 1}: {row.label} ({row.mode}) "
                    f"{time.perf_counter() - started:.1f} s",
                    file=sys.stderr,
                )
    finally:
        fake.process.terminate()
        fake.process.wait(timeout=10)

    summaries = [summarise(row) for row in rows if row.runs]
    print(table(summaries, a.in_flight))
    if any(s["label"] == LIMIT for s in summaries):
        print()
        print(fake_table(summaries, a.in_flight, expect))
    startups: list[dict[str, Any]] = []
    if not a.only or "startup" in a.only:
        print(file=sys.stderr)
        print(f"start-up: {a.startup_runs} runs of each import", file=sys.stderr)
        startups = startup.measure(a.python, a.startup_runs)
        print()
        print(startup.table(startups))
    refreshes: list[dict[str, Any]] = []
    if not a.only or "tokens" in a.only:
        print(f"token refresh: {a.token_calls} calls across an expiry", file=sys.stderr)
        only = [n for n in a.only if n in {c[0] for c in tokens.CLIENTS}]
        refreshes = tokens.measure(a.python, a.token_calls, 4.0, only)
        print()
        print(tokens.table(refreshes))
        failures += [
            f"token refresh: {r['client']}: {r['failed']}" for r in refreshes if "failed" in r
        ]
    side_benches = {
        "decode": ["--items", "50", "--repeat", "20"] if a.quick else [],
        "org": ["--departments", "1", "--projects", "3", "--users", "10"] if a.quick else [],
    }
    side_rows: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, options in side_benches.items():
            if a.only and name not in a.only:
                continue
            print(f"{name}: benches/{name}.py {' '.join(options)}", file=sys.stderr)
            script = str(Path(__file__).resolve().parent / f"{name}.py")
            rows_file = Path(scratch) / f"{name}.json"
            argv = [a.python, script, *options, "--json", str(rows_file)]
            ran = subprocess.run(argv, capture_output=True, text=True)
            if ran.returncode != 0:
                failures.append(f"{name}: {(ran.stderr or ran.stdout).strip()}")
            else:
                print()
                print(ran.stdout.strip())
                side_rows[name] = json.loads(rows_file.read_text(encoding="utf-8"))
    for note in skipped:
        print(f"skipped: {note}")
    report = {
        "settings": {
            "rounds": a.rounds,
            "calls": a.calls,
            "in_flight": a.in_flight,
            "list_size": expect,
            "lists": a.lists,
        },
        "summaries": summaries,
        "startup": startups,
        "token_refresh": refreshes,
        "decode": side_rows.get("decode", []),
        "org": side_rows.get("org", []),
        "skipped": skipped,
    }
    if a.json:
        a.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if a.chart:
        try:
            chart.draw(report, a.chart)
            print(f"chart: {a.chart}", file=sys.stderr)
        except ValueError as nothing:  # `--only` named nothing that ran
            failures.append(f"chart: {nothing}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

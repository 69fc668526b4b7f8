"""benches/chart.py draws the benchmark's figures from the report `run.py --json` writes:
the drawing works on a small report, and the report's parts become the panels they name."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CHART = Path(__file__).resolve().parent.parent / "benches" / "chart.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chart() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_chart", CHART)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while made
    spec.loader.exec_module(module)
    return module


def _summary(label: str, mode: str, rate: float, list_ms: Any = 400.0) -> dict[str, Any]:
    return {
        "label": label,
        "mode": mode,
        "get_per_s": rate,
        "cpu_s_per_1000": 1000 / rate * 0.1,
        "list_ms": list_ms,
        "list_cpu_ms": None if list_ms is None else list_ms / 10,
        "peak_rss_mb": 40.0,
        "rounds": 1,
    }


REPORT: dict[str, Any] = {
    "settings": {"rounds": 1, "calls": 100, "in_flight": 8, "list_size": 60, "lists": 1},
    "summaries": [
        _summary("pure-Rust reqwest (limit)", "sync", 1500.0),
        _summary("pure-Rust reqwest (limit)", "async", 2000.0, list_ms=None),
        _summary("runai_admin.Client", "sync", 1400.0),
        _summary("runai_admin.AsyncClient", "async", 1600.0),
        _summary("requests", "sync", 500.0),
    ],
    "startup": [
        {"label": "python -c pass", "wall_ms": 20.0, "peak_rss_mb": 9.0},
        {"label": "runai_admin", "wall_ms": 60.0, "peak_rss_mb": 20.0},
    ],
    "token_refresh": [
        {"client": "runai_admin.Client", "calls": 50, "mode": "threads", "token_requests": 1}
    ],
    "decode": [{"decoder": "runai_admin", "items": 50, "ms": 0.2, "x_orjson": 1.1}],
    "org": [{"step": "apply, Client", "changes": 12, "ms": 80.0}],
    "skipped": [],
}


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 20_000  # six panels of bars and text, not an empty canvas


def test_panels_follow_the_report() -> None:
    chart = _chart()
    panels = chart.panels(REPORT)
    assert [p.title.split(" (")[0] for p in panels] == [
        "projects.get calls/s",
        "CPU seconds per 1,000 gets",
        "list every project, ms",
        "peak RSS, MB",
        "start-up: interpreter + import, ms",
    ]
    rates = panels[0]
    # Sync clients, then async ones, each under its heading; the limit marked in each.
    assert [b.label for b in rates.bars] == [
        "1 at a time",
        "pure-Rust reqwest (limit)",
        "runai_admin.Client",
        "requests",
        "8 in flight",
        "pure-Rust reqwest (limit)",
        "runai_admin.AsyncClient",
    ]
    assert [(x, first, last) for x, first, last in rates.marks] == [(1500.0, 1, 3), (2000.0, 5, 6)]
    assert rates.bars[2].text == "1,400  (93% of limit)"
    assert [b.ours for b in rates.bars[1:4]] == [False, True, False]
    # The async limit has no list figure: no bar, rather than a bar of nothing.
    assert "pure-Rust reqwest (limit)" not in [b.label for b in panels[2].bars[4:]]
    side = chart.side_table(REPORT)
    assert any("runai_admin.Client" in line and line.endswith(" 1") for line in side)
    assert any("apply, Client" in line for line in side)


def test_chart_is_drawn_from_a_saved_report(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(REPORT), encoding="utf-8")
    drawn = tmp_path / "results.png"
    # The standalone entry, as a reader would redraw a saved run.
    subprocess.run([sys.executable, str(CHART), str(saved), str(drawn)], check=True)
    _assert_png(drawn)
    # A report of an older run (no settings or side benches) still draws.
    older = {"summaries": REPORT["summaries"], "startup": [], "token_refresh": []}
    _chart().draw(older, tmp_path / "older.png")
    _assert_png(tmp_path / "older.png")


def test_a_report_without_figures_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no figures"):
        _chart().draw({"summaries": []}, tmp_path / "empty.png")

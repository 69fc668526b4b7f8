"""The benchmark's figures as one PNG of horizontal bars, drawn from the report that
``run.py --json`` writes (``run.py --chart`` draws it at the end of a run with this module).

    python benches/chart.py benches/results.json benches/results.png

Panels: ``projects.get`` calls/s (sync clients one at a time, async clients N in flight,
each group with its pure-Rust limit marked), CPU seconds per 1,000 gets, the time to list
every project, each client's peak RSS, start-up, and a text table of the side benches
(token requests across an expiry, decoding one page, organisation sync) where the report
holds them. runai_admin's rows have a colour of their own. Needs matplotlib (the ``bench``
extra), imported only when a chart is drawn.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

LIMIT = "pure-Rust reqwest (limit)"
OURS = "#2b6cb0"
OTHERS = "#a0aec0"
#: Height of one bar's row, inches.
ROW_INCHES = 0.24


@dataclass
class Bar:
    """One row of a panel: a bar, or (``value`` None) a group's heading."""

    label: str
    value: Optional[float] = None
    text: str = ""

    @property
    def ours(self) -> bool:
        return self.label.startswith("runai_admin")


@dataclass
class Panel:
    title: str
    bars: list[Bar]
    #: Vertical marks: (x, first row, last row) of the panel's bars.
    marks: list[tuple[float, int, int]]


def _mode(mode: str, in_flight: int) -> str:
    return "1 at a time" if mode == "sync" else f"{in_flight} in flight"


def _grouped(
    summaries: list[dict[str, Any]],
    in_flight: int,
    title: str,
    key: str,
    text: Callable[[dict[str, Any]], str],
    mark_limit: bool = False,
) -> Panel:
    """One bar per summary holding ``key``, sync clients then async ones under a heading."""
    bars: list[Bar] = []
    marks: list[tuple[float, int, int]] = []
    for mode in ("sync", "async"):
        rows = [s for s in summaries if s["mode"] == mode and s.get(key) is not None]
        if not rows:
            continue
        bars.append(Bar(_mode(mode, in_flight)))
        first = len(bars)
        bars += [Bar(s["label"], float(s[key]), text(s)) for s in rows]
        limit = next((s[key] for s in rows if s["label"] == LIMIT), None)
        if mark_limit and limit is not None:
            marks.append((float(limit), first, len(bars) - 1))
    return Panel(title, bars, marks)


def panels(report: dict[str, Any]) -> list[Panel]:
    """The panels a report has the figures for, in the order they are drawn."""
    summaries: list[dict[str, Any]] = report.get("summaries", [])
    in_flight = int(report.get("settings", {}).get("in_flight", 64))
    limit = {s["mode"]: s["get_per_s"] for s in summaries if s["label"] == LIMIT}

    def rate(s: dict[str, Any]) -> str:
        to_limit = limit.get(s["mode"])
        share = f"  ({s['get_per_s'] / to_limit:.0%} of limit)" if to_limit else ""
        return f"{s['get_per_s']:,.0f}{share}"

    def list_text(s: dict[str, Any]) -> str:
        cpu = s.get("list_cpu_ms")
        return f"{s['list_ms']:,.0f}" + ("" if cpu is None else f"  (CPU {cpu:,.0f})")

    found = [
        _grouped(
            summaries,
            in_flight,
            "projects.get calls/s (dashed: the pure-Rust limit)",
            "get_per_s",
            rate,
            mark_limit=True,
        ),
        _grouped(
            summaries,
            in_flight,
            "CPU seconds per 1,000 gets (lower is better)",
            "cpu_s_per_1000",
            lambda s: f"{s['cpu_s_per_1000']:.3f}",
        ),
        _grouped(
            summaries, in_flight, "list every project, ms (lower is better)", "list_ms", list_text
        ),
        _grouped(
            summaries, in_flight, "peak RSS, MB", "peak_rss_mb", lambda s: f"{s['peak_rss_mb']:.1f}"
        ),
    ]
    startup = report.get("startup") or []
    if startup:
        found.append(
            Panel(
                "start-up: interpreter + import, ms (median)",
                [
                    Bar(
                        r["label"], r["wall_ms"], f"{r['wall_ms']:.0f}  ({r['peak_rss_mb']:.0f} MB)"
                    )
                    for r in startup
                ],
                [],
            )
        )
    return [p for p in found if p.bars]


def side_table(report: dict[str, Any]) -> list[str]:
    """The side benches' figures as lines of text (none when the report has none)."""
    lines: list[str] = []
    refreshes = report.get("token_refresh") or []
    if refreshes:
        lines.append("token requests for concurrent calls across an expiry")
        for r in refreshes:
            got = "FAILED" if "failed" in r else "fails" if "error" in r else r["token_requests"]
            lines.append(f"  {r['client']:<32} {r['calls']:>6,} {r.get('mode', ''):<8} {got}")
    decode = report.get("decode") or []
    if decode:
        lines.append(f"decode one page of {decode[0]['items']} projects, ms (median)")
        for r in decode:
            against = "" if r["x_orjson"] is None else f"  x{r['x_orjson']:.2f} orjson"
            lines.append(f"  {r['decoder']:<32} {r['ms']:>8.3f}{against}")
    org = report.get("org") or []
    if org:
        lines.append("organisation sync, ms")
        for r in org:
            lines.append(f"  {r['step']:<40} {r['ms']:>8,.0f}  ({r['changes']:,} changes)")
    return lines


def draw(report: dict[str, Any], output: Path) -> None:
    """Write the report's chart to ``output`` (PNG)."""
    drawn = panels(report)
    text = side_table(report)
    if not drawn and not text:
        raise ValueError("the report holds no figures to draw")
    # matplotlib only here: the benchmark imports this module whether or not it draws.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cells: list[Optional[Panel]] = [*drawn, None] if text else list(drawn)
    columns = 2
    grid_rows = math.ceil(len(cells) / columns)
    pairs = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    # Each grid row as tall as its longest panel (a line of text counts as 0.6 of a bar).
    heights = [max(len(p.bars) if p else 0.6 * len(text) for p in pair) + 3 for pair in pairs]
    figure = Figure(figsize=(16, sum(heights) * ROW_INCHES + 0.8), layout="constrained")
    FigureCanvasAgg(figure)  # Agg: files only, no display opened
    grid = figure.add_gridspec(grid_rows, columns, height_ratios=heights)
    settings = report.get("settings", {})
    subtitle = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in settings.items())
    figure.suptitle(
        f"runai_admin benchmark{': ' + subtitle if subtitle else ''} (medians; "
        f"runai_admin in blue)",
        fontsize="large",
    )
    for index, cell in enumerate(cells):
        axes = figure.add_subplot(grid[index // columns, index % columns])
        if cell is None:
            axes.axis("off")
            axes.text(
                0,
                1,
                "\n".join(text),
                va="top",
                family="monospace",
                fontsize="small",
                transform=axes.transAxes,
            )
            continue
        ys = list(range(len(cell.bars)))
        values = [b.value or 0.0 for b in cell.bars]
        colours = [OURS if b.ours else OTHERS for b in cell.bars]
        axes.barh(ys, values, color=colours, height=0.7)
        widest = max(values)
        for y, bar in zip(ys, cell.bars):
            if bar.value is not None:
                # On a white ground: the limit's dashed line may run through it.
                axes.text(
                    bar.value + widest * 0.01,
                    y,
                    bar.text,
                    va="center",
                    fontsize="small",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
                )
        for x, first, last in cell.marks:
            axes.vlines(x, first - 0.45, last + 0.45, colors="black", linestyles="dashed")
        axes.set_yticks(ys, labels=[b.label for b in cell.bars], fontsize="small")
        for label, bar in zip(axes.get_yticklabels(), cell.bars):
            if bar.value is None:
                label.set_fontweight("bold")
        # The first row at the top, as in the table; bars as thick in every panel, however
        # tall its grid row.
        axes.set_ylim(heights[index // columns] - 3.5, -0.5)
        axes.set_xlim(0, widest * 1.35)  # room for the figures at the bars' ends
        axes.set_title(cell.title, fontsize="medium", loc="left")
        axes.tick_params(axis="x", labelsize="small")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.savefig(output, format="png", dpi=100)


def main() -> int:
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} RESULTS.json OUT.png", file=sys.stderr)
        return 2
    draw(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), Path(sys.argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""examples/quickstart.ipynb runs top to bottom in a real Jupyter kernel on the embedded
fake control plane (no network, no credentials), shows a project list as an HTML table and
draws a plot; the committed notebook carries no outputs."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "quickstart.ipynb"
# nbclient drives the kernel; ipykernel is the kernel. Both come with the test extra.
NOTEBOOK_TOOLS = ("nbclient", "ipykernel")


def require_notebook_tools() -> None:
    """Skip when nbclient or ipykernel is not installed, unless under CI (which installs
    the test extra): there a missing one is a failure, never a silent skip."""
    missing = [name for name in NOTEBOOK_TOOLS if importlib.util.find_spec(name) is None]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{', '.join(missing)} not installed, though the test extra carries them")
    pytest.skip(f"{', '.join(missing)} not installed (pip install '.[test]')")


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_the_committed_notebook_has_no_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in code_cells(notebook):
        assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"]


def test_the_skip_is_taken_only_when_a_tool_is_truly_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    require_notebook_tools_ok = True
    try:
        require_notebook_tools()
    except pytest.skip.Exception:
        require_notebook_tools_ok = False
    installed = all(importlib.util.find_spec(name) for name in NOTEBOOK_TOOLS)
    assert require_notebook_tools_ok == installed
    real_find_spec = importlib.util.find_spec

    def without_ipykernel(name: str, *args: Any) -> Any:
        return None if name == "ipykernel" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_ipykernel)
    with pytest.raises(pytest.skip.Exception, match="ipykernel not installed"):
        require_notebook_tools()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="ipykernel not installed"):
        require_notebook_tools()


def test_the_quickstart_notebook_runs_top_to_bottom() -> None:
    require_notebook_tools()
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    outputs = [out for cell in code_cells(notebook) for out in cell["outputs"]]
    assert not [out for out in outputs if out["output_type"] == "error"]
    shown = {cell["source"]: cell["outputs"] for cell in code_cells(notebook)}
    projects = shown["client.projects.list()"]
    html = [out["data"]["text/html"] for out in projects if "text/html" in out.get("data", {})]
    assert html and "<table" in html[0] and "vision" in html[0]
    assert any("image/png" in out.get("data", {}) for out in outputs), "no plot was drawn"
    text = "".join("".join(out["data"].get("text/plain", "")) for out in outputs if "data" in out)
    assert "'vision'" in text and "'ranking'" in text  # the awaited async listing
    assert "parent.name" in "".join(
        "".join(out["data"].get("text/html", "")) for out in outputs if "data" in out
    )

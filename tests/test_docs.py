"""The reference site (docs/build.py, `make docs`) builds without a problem, and holds what
a reader looks for: the clients with their namespaces, a namespace method with its
docstring, the errors, and the guide. Its checks catch what they are there for."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "docs" / "build.py"

pytest.importorskip(
    "pdoc", reason="the site's builder is the `docs` extra (make develop installs it)"
)


def load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_build", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, str(BUILD), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return output


def text_of(page: Path, anchor: str) -> str:
    """The words of one documented object's section, markup removed."""
    html = page.read_text(encoding="utf-8")
    start = html.index(f'id="{anchor}"')
    end = html.find("</section>", start)
    return " ".join(re.sub(r"<[^>]+>", " ", html[start:end]).split())


def test_the_clients_list_their_namespaces_and_settings(site: Path) -> None:
    root = site / "runai_admin.html"
    for client in ("Client", "AsyncClient"):
        words = text_of(root, client)
        assert "RUNAI_BASE_URL" in words and "allow_insecure_http" in words  # constructor
        assert f'id="{client}.close"' in root.read_text(encoding="utf-8")
    page = root.read_text(encoding="utf-8")
    assert 'href="runai_admin/_namespaces.html#ProjectsNamespace"' in page
    assert 'href="runai_admin/_namespaces.html#AsyncProjectsNamespace"' in page


def test_a_namespace_method_shows_its_signature_and_docstring(site: Path) -> None:
    words = text_of(site / "runai_admin" / "_namespaces.html", "ProjectsNamespace.create")
    assert words.startswith('id="ProjectsNamespace.create"')
    # The signature's tokens are marked up one by one: compared without spaces.
    assert "cluster_id:Optional[str]=None" in words.replace(" ", "")
    assert "POST /api/v1/org-unit/projects" in words
    assert "Raises:" in words and "ConflictError" in words


def test_the_public_modules_have_pages(site: Path) -> None:
    errors = site / "runai_admin" / "errors.html"
    assert "Base of every error" in text_of(errors, "RunaiError")
    assert "404" in text_of(errors, "NotFoundError")
    for module in ("auth", "pagination", "testing", "pytest_plugin", "types", "frames"):
        assert (site / "runai_admin" / f"{module}.html").is_file(), module
    assert "fake_control_plane" in (site / "runai_admin" / "pytest_plugin.html").read_text()
    # What comes from outside the package is left out: Exception's methods, and dict's on
    # the result types (whose keys are listed).
    assert "with_traceback" not in errors.read_text()
    types = site / "runai_admin" / "types.html"
    assert 'id="Project.clusterId"' in types.read_text() and "setdefault" not in types.read_text()


def test_the_landing_page_is_the_readme_with_the_reference_beside_it(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1" in index and "runai_admin" in index
    assert 'href="runai_admin/_namespaces.html"' in index
    assert 'href="benchmarks.html"' in index
    # Module pages link back to the guide, a level up from the submodules.
    assert 'href="../index.html"' in (site / "runai_admin" / "errors.html").read_text()


@pytest.mark.parametrize("named", ["absolute", "relative"])
def test_the_link_check_finds_missing_pages_and_anchors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    build = load_build()
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text(
        '<p id="here"><a href="b.html">b</a> <a href="a.html#here">ok</a> '
        '<a href="a.html#gone">x</a> <a href="https://example.com/">out</a>'
        '<img src="gone.png"></p>'
        '<script>const u = `<a href="${url}">`;</script>'
    )
    if named == "relative":  # as `make docs` names it
        monkeypatch.chdir(tmp_path)
        site = Path("site")
    assert build.broken_links(site) == [
        "a.html: link to missing b.html",
        "a.html: link to missing anchor a.html#gone",
        "a.html: link to missing gone.png",
    ]


def test_the_benchmarks_page_shows_its_chart(site: Path) -> None:
    page = (site / "benchmarks.html").read_text(encoding="utf-8")
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert images, "BENCHMARKS.md shows no chart"
    for src in images:
        copied = site / src
        assert copied.read_bytes() == (ROOT / src).read_bytes()


def test_the_reference_check_finds_names_that_name_nothing() -> None:
    import pdoc.doc

    build = load_build()
    module = ModuleType("runai_admin_docs_probe")
    module.__doc__ = "See :class:`runai_admin.Client`, :func:`no_such_thing` and :mod:`json`."
    sys.modules[module.__name__] = module
    try:
        found = build.unresolved_roles({module.__name__: pdoc.doc.Module(module)})
    finally:
        del sys.modules[module.__name__]
    assert found == ["runai_admin_docs_probe: 'no_such_thing' names nothing"]

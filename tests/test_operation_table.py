"""The operation → test table: every exposed operation names the tests that call it.

Each area keeps its rows in `tests/operation_tests/<area>.tsv`, one a line,
`operationId<TAB>tests/test_file.py::test_name` (a parametrised id in brackets may follow
the name; `#` starts a comment). The rows are held to the catalogue and to the official
operation list (`admin-operations.tsv` of the reference folder): every exposed operation
has a row, every row names an operation of the catalogue, exposed, and a test that exists
and whose source names the operation's method, so that a row cannot quietly point at an
unrelated test; and one of each operation's tests runs on both clients (`api` fixture).
The operations of the official list not exposed yet are checked against an explicit list
of their tags, which shrinks as areas are exposed.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .spec import ROOT, catalogue, reference_file

TABLES = ROOT / "tests" / "operation_tests"

ROW_TEST = re.compile(r"^(tests/[\w/]+\.py)::(\w+)(?:::(\w+))?(\[[^\]]+\])?$")


@dataclass(frozen=True)
class Row:
    table: str
    line: int
    operation: str
    test: str

    @property
    def where(self) -> str:
        return f"{self.table}:{self.line}"


@lru_cache(maxsize=1)
def rows() -> tuple[Row, ...]:
    found: list[Row] = []
    for table in sorted(TABLES.glob("*.tsv")):
        for number, raw in enumerate(table.read_text(encoding="utf-8").splitlines(), 1):
            text = raw.split("#", 1)[0].rstrip()
            if not text.strip():
                continue
            fields = text.split("\t")
            assert len(fields) == 2 and all(f.strip() == f and f for f in fields), (
                f"{table.name}:{number}: want operationId<TAB>tests/file.py::test, got {raw!r}"
            )
            found.append(Row(table.name, number, fields[0], fields[1]))
    return tuple(found)


def operations() -> dict[str, dict]:
    return {op["id"]: op for op in catalogue()["operations"]}


def exposed() -> set[str]:
    return {op_id for op_id, op in operations().items() if op["exposed"]}


def named_test(reference: str) -> Any:
    """The test function a row names (a parametrised id is allowed: the function is the
    one that receives the parameters), or an AssertionError saying what is missing."""
    match = ROW_TEST.match(reference)
    assert match, f"{reference!r} is not tests/file.py::test_name"
    path, first, second, _params = match.groups()
    assert (ROOT / path).is_file(), f"{reference}: no file {path}"
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    owner: Any = module
    name = first
    if second is not None:
        owner = getattr(module, first, None)
        assert inspect.isclass(owner), f"{reference}: no class {first} in {path}"
        name = second
    function = getattr(owner, name, None)
    assert callable(function) and name.startswith("test"), f"{reference}: no test {name}"
    return function


def parameters(function: Any) -> str:
    """The values a test is parametrised with, as text: a test that calls each of several
    methods by name takes their names as parameters."""
    marks = getattr(function, "pytestmark", [])
    return repr([mark.args for mark in marks if mark.name == "parametrize"])


def mentions(source: str, op: dict) -> bool:
    """Whether a test's source (or its parameters) names the operation's method and its
    namespace."""
    namespace = op["namespace"].rsplit(".", 1)[-1]
    return all(re.search(rf"\b{re.escape(word)}\b", source) for word in (namespace, op["name"]))


def test_the_tables_are_read():
    assert {t.name for t in TABLES.glob("*.tsv")} >= {"access_control.tsv", "organizations.tsv"}
    assert len(rows()) >= len(exposed())


def test_every_row_names_an_exposed_operation_of_the_catalogue():
    ops = operations()
    unknown = [f"{r.where}: {r.operation}" for r in rows() if r.operation not in ops]
    assert not unknown, "rows naming no operation of the catalogue:\n" + "\n".join(unknown)
    hidden = [f"{r.where}: {r.operation}" for r in rows() if not ops[r.operation]["exposed"]]
    assert not hidden, "rows naming operations no namespace exposes:\n" + "\n".join(hidden)


def test_no_row_is_written_twice():
    seen: dict[tuple[str, str], str] = {}
    twice = []
    for row in rows():
        key = (row.operation, row.test)
        if key in seen:
            twice.append(f"{row.where} repeats {seen[key]}")
        seen.setdefault(key, row.where)
    assert not twice, "\n".join(twice)


def test_every_exposed_operation_has_a_test():
    covered = {r.operation for r in rows()}
    missing = sorted(exposed() - covered)
    assert not missing, "exposed operations without a row in tests/operation_tests:\n" + (
        "\n".join(missing)
    )


def test_every_row_names_a_test_that_exists_and_calls_the_operation():
    ops = operations()
    wrong = []
    for row in rows():
        op = ops.get(row.operation)
        if op is None:
            continue  # reported by the test above
        try:
            function = named_test(row.test)
        except AssertionError as err:
            wrong.append(f"{row.where}: {err}")
            continue
        if not mentions(inspect.getsource(function) + parameters(function), op):
            wrong.append(
                f"{row.where}: {row.test} never names {op['namespace']}.{op['name']} "
                f"({row.operation})"
            )
    assert not wrong, "\n".join(wrong)


def test_every_exposed_operation_is_tested_on_both_clients():
    """At least one of an operation's tests takes the `api` fixture, which runs it on the
    sync and the async client (tests/conftest.py)."""
    on_both: set[str] = set()
    for row in rows():
        try:
            function = named_test(row.test)
        except AssertionError:
            continue  # reported above
        if "api" in inspect.signature(function).parameters:
            on_both.add(row.operation)
    missing = sorted(exposed() - on_both)
    assert not missing, "operations no test runs on both clients:\n" + "\n".join(missing)


def reference_operations() -> list[dict[str, str]]:
    with open(reference_file("admin-operations.tsv"), newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_the_table_covers_the_official_operations_exposed():
    reference = reference_operations()
    ops = operations()
    assert {r["operationId"] for r in reference} <= set(ops)
    covered = {r.operation for r in rows()}
    missing = sorted(
        r["operationId"]
        for r in reference
        if ops[r["operationId"]]["exposed"] and r["operationId"] not in covered
    )
    assert not missing, "official operations exposed without a test row:\n" + "\n".join(missing)
    # A row names either an official operation or one of the seed era's the catalogue adds.
    official = {r["operationId"] for r in reference}
    extra = {r.operation for r in rows()} - official
    assert all(ops[op_id]["tag"] == "Legacy" for op_id in extra), sorted(extra)


def test_every_official_operation_is_exposed():
    """The whole Administrator API: each operation of the official list has a method on
    both clients (and, by the checks above, a row naming the tests that call it)."""
    ops = operations()
    missing = [
        r["operationId"] for r in reference_operations() if not ops[r["operationId"]]["exposed"]
    ]
    assert missing == []
    assert len(reference_operations()) == 161


def test_the_checks_catch_a_wrong_row():
    """The guards above are not vacuous: a row naming an unrelated test, a test that does
    not exist, or a malformed reference is caught."""
    op = operations()["delete_access_rule"]
    unrelated = named_test("tests/test_operation_table.py::test_the_tables_are_read")
    assert not mentions(inspect.getsource(unrelated), op)
    for reference in (
        "tests/test_access_control.py::test_no_such_test",
        "tests/no_such_file.py::test_x",
        "test_access_control.py::test_access_rules_lifecycle",
    ):
        try:
            named_test(reference)
        except AssertionError:
            continue
        raise AssertionError(f"{reference} was accepted")
    lifecycle = named_test(
        "tests/test_access_control.py::test_a_rule_needs_a_subject_role_and_scope_that_exist"
        "[change0-NotFoundError-body.subjectId]"
    )
    assert mentions(inspect.getsource(lifecycle), operations()["create_access_rule"])

"""The TypedDicts of runai_admin.types, and the generator that writes them from the schemas.

Each generator test gives a few schemas and shows the class statements they become.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "gen_types.py"
CATALOGUE = ROOT / "crates" / "core" / "src" / "api" / "catalogue.json"
TYPES = ROOT / "python" / "runai_admin" / "types.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_types", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_types"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen_types = load_generator()


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def classes(schemas: dict[str, Any], *roots: str) -> str:
    """The class statements of the module generated for the given component schemas."""
    builder = gen_types.TypeBuilder(schemas)
    for name in roots:
        builder.annotation(ref(name), name_hint=name)
    source = builder.render()
    return source.split("\n\n\n", 1)[1]


def expected(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def run_module(source: str) -> dict[str, Any]:
    """Executes generated source as Python does on import."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<types>", "exec", dont_inherit=True), namespace)
    return namespace


def catalogue() -> dict[str, Any]:
    return json.loads(CATALOGUE.read_text())


# The mapping, schema by schema ---------------------------------------------------------


def test_required_keys_are_plain_and_the_others_not_required():
    schemas = {
        "Cluster": {
            "type": "object",
            "required": ["uuid", "name"],
            "properties": {
                "uuid": {"type": "string", "format": "uuid"},
                "name": {"type": "string"},
                "tenantId": {"type": "integer"},
                "createdAt": {"type": "string", "format": "date-time"},
                "ratio": {"type": "number"},
                "ready": {"type": "boolean"},
            },
        }
    }
    assert classes(schemas, "Cluster") == expected(
        """
        class Cluster(TypedDict):
            uuid: str
            name: str
            tenantId: NotRequired[int]
            createdAt: NotRequired[str]
            ratio: NotRequired[float]
            ready: NotRequired[bool]
        """
    )


def test_enums_become_literals_and_nullable_adds_none():
    schemas = {
        "Status": {
            "type": "object",
            "required": ["phase"],
            "properties": {
                "phase": {"type": "string", "enum": ["Ready", "NotReady"]},
                "platform": {"type": "string", "enum": ["gke", "eks"], "nullable": True},
                "message": {"type": "string", "nullable": True},
                "level": {"type": "integer", "enum": [1, 2]},
            },
        }
    }
    assert classes(schemas, "Status") == expected(
        """
        class Status(TypedDict):
            phase: Literal["Ready", "NotReady"]
            platform: NotRequired[Literal["gke", "eks", None]]
            message: NotRequired[Optional[str]]
            level: NotRequired[Literal[1, 2]]
        """
    )


def test_arrays_maps_free_form_objects_and_untyped_values():
    schemas = {
        "Node": {
            "type": "object",
            "properties": {
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "taints": {"type": "array", "items": ref("Taint")},
                "extra": {"type": "object", "additionalProperties": True},
                "anything": {"description": "no type at all"},
                "units": ref("Units"),
            },
        },
        "Taint": {"type": "object", "properties": {"key": {"type": "string"}}},
        "Units": {"type": "string", "enum": ["MB", "GB"]},
    }
    # Schemas of scalars and enums are written in place; objects are TypedDicts.
    assert classes(schemas, "Node") == expected(
        """
        class Taint(TypedDict):
            key: NotRequired[str]


        class Node(TypedDict):
            labels: NotRequired[dict[str, str]]
            taints: NotRequired[list[Taint]]
            extra: NotRequired[dict[str, Any]]
            anything: NotRequired[Any]
            units: NotRequired[Literal["MB", "GB"]]
        """
    )


def test_all_of_merges_into_one_typeddict_named_after_the_schema():
    schemas = {
        "CommonFields": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
        },
        "Project": {
            "allOf": [
                ref("CommonFields"),
                {
                    "type": "object",
                    "required": ["id", "description"],
                    "properties": {"id": {"type": "string"}},
                },
            ]
        },
    }
    assert classes(schemas, "Project") == expected(
        """
        class Project(TypedDict):
            name: str
            description: str
            id: str
        """
    )


def test_one_of_is_a_union_and_inline_branches_are_named_from_the_hint():
    schemas = {
        "Subject": {
            "type": "object",
            "required": ["who"],
            "properties": {
                "who": {
                    "oneOf": [
                        ref("User"),
                        {"type": "object", "properties": {"group": {"type": "string"}}},
                    ],
                    "nullable": True,
                }
            },
        },
        "User": {"type": "object", "properties": {"email": {"type": "string"}}},
    }
    assert classes(schemas, "Subject") == expected(
        """
        class SubjectWhoVariant2(TypedDict):
            group: NotRequired[str]


        class User(TypedDict):
            email: NotRequired[str]


        class Subject(TypedDict):
            who: Union[User, SubjectWhoVariant2, None]
        """
    )


def test_recursive_schemas_quote_the_names_not_yet_defined():
    schemas = {
        "Department": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "children": {"type": "array", "items": ref("Department")},
                "owner": ref("Owner"),
            },
        },
        "Owner": {
            "type": "object",
            "properties": {"departments": {"type": "array", "items": ref("Department")}},
        },
    }
    source = classes(schemas, "Department")
    assert source == expected(
        """
        class Owner(TypedDict):
            departments: NotRequired[list["Department"]]


        class Department(TypedDict):
            id: str
            children: NotRequired[list["Department"]]
            owner: NotRequired[Owner]
        """
    )
    builder = gen_types.TypeBuilder(schemas)
    assert builder.annotation(ref("Department"), name_hint="x") == "Department"
    module = run_module(builder.render())
    assert module["Department"].__required_keys__ == {"id"}


def test_keys_that_are_not_identifiers_use_the_functional_form():
    schemas = {
        "Headers": {
            "type": "object",
            "required": ["content-type"],
            "properties": {
                "content-type": {"type": "string"},
                "from": {"type": "string"},
                "size": {"type": "integer"},
            },
        }
    }
    source = classes(schemas, "Headers")
    assert source == expected(
        """
        Headers = TypedDict(
            "Headers",
            {
                "content-type": str,
                "from": NotRequired[str],
                "size": NotRequired[int],
            },
        )
        """
    )
    builder = gen_types.TypeBuilder(schemas)
    builder.annotation(ref("Headers"), name_hint="Headers")
    headers = run_module(builder.render())["Headers"]
    assert headers.__required_keys__ == {"content-type"}
    assert headers.__optional_keys__ == {"from", "size"}


def test_schema_names_become_pascal_case_identifiers_without_clashes():
    empty_object = {"type": "object", "properties": {"id": {"type": "string"}}}
    schemas = {name: empty_object for name in ("Project", "Project2", "project", "node-pool")}
    builder = gen_types.TypeBuilder(schemas)
    names = [builder.annotation(ref(n), name_hint=n) for n in schemas]
    # Valid names stay; the others are PascalCased and take the first free number.
    assert names == ["Project", "Project2", "Project3", "NodePool"]
    assert builder.names() == ["NodePool", "Project", "Project2", "Project3"]


def test_inline_objects_are_named_from_the_hint_and_reused_when_met_again():
    inline = {"type": "object", "properties": {"count": {"type": "integer"}}}
    builder = gen_types.TypeBuilder({})
    assert builder.annotation(inline, name_hint="users count result") == "UsersCountResult"
    # The same shape again (a body field, say) keeps its name: the module already has it.
    assert builder.annotation(dict(inline), name_hint="other") == "UsersCountResult"
    nullable = {**inline, "nullable": True}
    assert builder.annotation(nullable, name_hint="other") == "Optional[UsersCountResult]"
    other = {"type": "object", "properties": {"total": {"type": "integer"}}}
    assert builder.annotation(other, name_hint="UsersCountResult") == "UsersCountResult2"
    array = {"type": "array", "items": {"type": "object", "properties": {"a": {}}}}
    assert builder.annotation(array, name_hint="ClustersList") == "list[ClustersListItem]"


def test_annotation_accepts_any_schema_node():
    builder = gen_types.TypeBuilder({"Id": {"type": "integer"}})
    cases = [
        ({"type": "string"}, "str"),
        ({"type": "array", "items": "string"}, "list[str]"),  # a catalogue parameter
        ({"type": "array"}, "list[Any]"),
        (ref("Id"), "int"),
        ({"allOf": [ref("Id")], "nullable": True}, "Optional[int]"),
        (ref("Missing"), "Any"),
        ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, "Union[str, int]"),
        ({"type": "object"}, "dict[str, Any]"),
        ({}, "Any"),
    ]
    assert [builder.annotation(schema, name_hint="P") for schema, _ in cases] == [
        annotation for _, annotation in cases
    ]
    assert builder.names() == []


def test_long_annotations_are_wrapped_as_ruff_formats_them():
    phases = ["Creating", "Updating", "Deleting", "Deleted", "Initializing", "Ready"]
    phases += ["NotReady", "Unknown"]
    schemas = {
        "Status": {
            "type": "object",
            "properties": {"phase": {"type": "string", "enum": phases, "nullable": True}},
        }
    }
    assert classes(schemas, "Status") == expected(
        """
        class Status(TypedDict):
            phase: NotRequired[
                Literal[
                    "Creating",
                    "Updating",
                    "Deleting",
                    "Deleted",
                    "Initializing",
                    "Ready",
                    "NotReady",
                    "Unknown",
                    None,
                ]
            ]
        """
    )


# The checked-in module --------------------------------------------------------------


def test_checked_in_types_module_is_fresh():
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_types_module_covers_every_exposed_body_and_result():
    cat = catalogue()
    builder = gen_types.TypeBuilder(cat["schemas"])
    for op in gen_types.naming_order(cat["operations"]):
        if op["exposed"]:
            for annotation in (
                gen_types.body_annotation(builder, op),
                gen_types.result_annotation(builder, op),
            ):
                assert annotation is None or annotation != "Any", op["id"]
    assert builder.render() == TYPES.read_text()
    # Examples: what `projects.get` and `projects.list` return.
    project = next(o for o in cat["operations"] if o["id"] == "get_project")
    assert gen_types.result_annotation(builder, project) == "Project"
    projects = next(o for o in cat["operations"] if o["id"] == "get_projects")
    assert gen_types.result_annotation(builder, projects) == "ProjectsListResult"


def merged_keys(schemas: dict[str, Any], node: dict[str, Any]) -> tuple[set[str], set[str]]:
    """All keys and the required keys of a schema, through allOf and references."""
    if "$ref" in node:
        return merged_keys(schemas, schemas[node["$ref"].rsplit("/", 1)[1]])
    keys, required = set(node.get("properties", {})), set(node.get("required", []))
    for part in node.get("allOf", []):
        more, more_required = merged_keys(schemas, part)
        keys |= more
        required |= more_required
    return keys | required, required


def test_project_has_the_keys_the_schema_says():
    from runai_admin.types import Project

    keys, required = merged_keys(catalogue()["schemas"], ref("Project"))
    assert Project.__required_keys__ == required
    assert Project.__optional_keys__ == keys - required
    assert {"id", "name", "clusterId", "createdAt"} <= Project.__required_keys__
    assert "requestedNamespace" in Project.__optional_keys__


def test_the_package_does_not_import_the_types_at_run_time():
    code = "import sys, runai_admin; print('runai_admin.types' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_types_module_evaluates_on_python_3_9():
    """Class bodies are evaluated at import (no `from __future__ import annotations`,
    which would hide NotRequired from `__required_keys__`), so no `X | Y` anywhere."""
    tree = ast.parse(TYPES.read_text())
    assert not any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body)
    assert not any(isinstance(n, ast.BinOp) for n in ast.walk(tree))
    imports = {
        (n.module, a.name) for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names
    }
    assert ("typing_extensions", "TypedDict") in imports
    assert ("typing_extensions", "NotRequired") in imports


def test_every_schema_of_the_catalogue_can_be_typed():
    builder = gen_types.build(catalogue(), every_schema=True)
    module = run_module(builder.render())
    assert set(builder.names()) <= set(module)
    for name in builder.names():
        td = module[name]
        assert td.__required_keys__ | td.__optional_keys__ == set(td.__annotations__)


def tool(name: str) -> list[str]:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed")
    return [sys.executable, "-m", name]


def test_generated_modules_are_ruff_clean(tmp_path: Path):
    every = tmp_path / "every_schema.py"
    every.write_text(gen_types.build(catalogue(), every_schema=True).render())
    files = [str(TYPES), str(every)]
    config = ["--config", str(ROOT / "pyproject.toml")]
    for command in (["format", "--check"], ["check"]):
        result = subprocess.run(
            [*tool("ruff"), *command, *config, *files], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


MYPY_FILES = ["admin_types.py", "every_schema.py", "usage.py"]


def test_types_check_under_mypy_strict(tmp_path: Path):
    (tmp_path / "admin_types.py").write_text(TYPES.read_text())
    (tmp_path / "every_schema.py").write_text(
        gen_types.build(catalogue(), every_schema=True).render()
    )
    (tmp_path / "usage.py").write_text(
        textwrap.dedent(
            """
            from admin_types import Project, ProjectCreationRequest

            def describe(p: Project) -> str:
                namespace = p.get("requestedNamespace") or "-"
                return p["name"] + p["clusterId"] + namespace

            def typo(p: Project) -> object:
                return p["clusterID"]

            body: ProjectCreationRequest = {"name": "team-a", "clusterId": "c1"}
            """
        )
    )
    result = subprocess.run(
        [*tool("mypy"), "--strict", "--no-incremental", *MYPY_FILES],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout
    assert errors[0].startswith("usage.py:9:") and '"clusterID"' in errors[0]
    assert errors[1].startswith("usage.py:11:") and '"resources"' in errors[1]

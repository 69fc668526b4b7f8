"""Generate the operation catalogue from the control plane's OpenAPI document.

The catalogue (crates/core/src/api/catalogue.json) is the one source of truth for operations: the
Rust core binds and sends calls from it, the Python face builds its methods from it, and
the fake control plane routes and validates requests with it. It is generated, checked
in, and a test fails when it is stale.

    python scripts/gen_catalogue.py [--spec-dir DIR] [--check]

DIR defaults to ../shared/runai-api beside the checkout.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "core" / "src" / "api" / "catalogue.json"

# The namespaces the Python clients expose so far; the rest of the catalogue is carried
# (and checked against the operation list) so that exposing a namespace is one line here.
EXPOSED_TAGS = {"Clusters", "Departments", "Projects", "Users"}

# operationId -> (namespace, method name, replacement for deprecated operations).
# Method names follow the verb rules of DESIGN.md: list/get/create/update/patch/delete/count,
# then the operation's own words. Deprecated /v1/k8s operations carry a `legacy_` prefix
# and name the method that replaces them.
NAMES: dict[str, tuple[str, str, str | None]] = {
    # Clusters
    "get_clusters": ("clusters", "list", None),
    "get_cluster_by_uuid": ("clusters", "get", None),
    "create_cluster": ("clusters", "create", None),
    "updateCluster": ("clusters", "update", None),
    "delete_cluster": ("clusters", "delete", None),
    "get_cluster_install_info_by_uuid": ("clusters", "install_info", None),
    "get_cluster_metrics": ("clusters", "metrics", None),
    "getClusterMetrics": ("clusters", "legacy_metrics", "clusters.metrics"),
    "getInstallFile": ("clusters", "install_file", None),
    # Departments
    "get_departments": ("departments", "list", None),
    "count_departments": ("departments", "count", None),
    "get_departments_telemetry": ("departments", "telemetry", None),
    "get_department": ("departments", "get", None),
    "get_department_metrics": ("departments", "metrics", None),
    "create_department": ("departments", "create", None),
    "update_department": ("departments", "update", None),
    "delete_department": ("departments", "delete", None),
    "update_department_resources": ("departments", "update_resources", None),
    "patch_department_resources": ("departments", "patch_resources", None),
    "getDepartments": ("departments", "legacy_list", "departments.list"),
    "getDepartmentsMetrics": ("departments", "legacy_list_metrics", "departments.metrics"),
    "getDepartmentMetrics": ("departments", "legacy_metrics", "departments.metrics"),
    "updateDepartmentAdmins": (
        "departments",
        "legacy_update_access_control",
        "access_rules.create",
    ),
    # Projects
    "get_projects": ("projects", "list", None),
    "count_projects": ("projects", "count", None),
    "get_projects_telemetry": ("projects", "telemetry", None),
    "get_project": ("projects", "get", None),
    "get_project_metrics": ("projects", "metrics", None),
    "create_project": ("projects", "create", None),
    "update_project": ("projects", "update", None),
    "delete_project": ("projects", "delete", None),
    "update_project_resources": ("projects", "update_resources", None),
    "patch_project_resources": ("projects", "patch_resources", None),
    "getProjects": ("projects", "legacy_list", "projects.list"),
    "getProject": ("projects", "legacy_get", "projects.get"),
    "createProject": ("projects", "legacy_create", "projects.create"),
    "updateProject": ("projects", "legacy_update", "projects.update"),
    "deleteProject": ("projects", "legacy_delete", "projects.delete"),
    "getProjectsMetrics": ("projects", "legacy_list_metrics", "projects.metrics"),
    "getProjectMetrics": ("projects", "legacy_metrics", "projects.metrics"),
    # Users
    "get_users": ("users", "list", None),
    "count_users": ("users", "count", None),
    "get_user_by_id": ("users", "get", None),
    "create_user": ("users", "create", None),
    "delete_user_by_id": ("users", "delete", None),
    "logout_user": ("users", "logout", None),
    "reset_user_password": ("users", "reset_password", None),
    "change_user_password": ("users", "change_password", None),
}

# The seed-era /v1/k8s surface (legacy-v1-k8s.md). It is not in the OpenAPI document, so
# its entries are written here; schemas are given inline in the same shape.
LEGACY_CLUSTER = {
    "type": "object",
    "required": ["name", "clusterUuid"],
    "properties": {
        "name": {"type": "string"},
        "clusterUuid": {"type": "string", "format": "uuid"},
        "tenantId": {"type": "integer"},
        "createdAt": {"type": "string"},
        "description": {"type": "string"},
    },
}
LEGACY_OPERATIONS = [
    {
        "id": "legacy_get_clusters",
        "tag": "Legacy",
        "namespace": "legacy.clusters",
        "name": "list",
        "method": "GET",
        "path": "/v1/k8s/clusters",
        "success": 200,
        "result": {"type": "array", "items": LEGACY_CLUSTER},
    },
]

PAGE_PARAMS = {"offset", "limit"}
IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD", "OPTIONS"}


def snake(name: str) -> str:
    """Wire name to Python keyword: clusterId -> cluster_id, department-id -> department_id."""
    name = name.replace("-", "_")
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return name.lower()


class Spec:
    def __init__(self, doc: dict):
        self.doc = doc
        self.schemas = doc["components"]["schemas"]

    def deref(self, node: dict) -> dict:
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            parts = node["$ref"].lstrip("#/").split("/")
            target = self.doc
            for part in parts:
                target = target[part]
            node = target
            seen += 1
            if seen > 50:
                raise ValueError("reference cycle")
        return node

    def ref_name(self, node: dict | None) -> str | None:
        if isinstance(node, dict) and node.get("$ref", "").startswith("#/components/schemas/"):
            return node["$ref"].rsplit("/", 1)[1]
        return None

    def flatten(self, node: dict, depth: int = 0) -> dict:
        """Merge allOf branches (one level of object shape) for top-level field listing."""
        node = self.deref(node)
        if depth > 20:
            return node
        if "allOf" in node:
            merged: dict = {"type": "object", "properties": {}, "required": []}
            for part in node["allOf"]:
                flat = self.flatten(part, depth + 1)
                merged["properties"].update(flat.get("properties", {}))
                merged["required"] += flat.get("required", [])
                if flat.get("type") not in (None, "object"):
                    merged["type"] = flat["type"]
            merged["properties"].update(node.get("properties", {}))
            merged["required"] += node.get("required", [])
            return merged
        return node

    def simple_type(self, node: dict) -> dict:
        """The shape a Python argument is checked against: JSON type, nullability, enum."""
        flat = self.flatten(node)
        out: dict = {}
        typ = flat.get("type")
        if typ is None:
            if "properties" in flat:
                typ = "object"
            elif "items" in flat:
                typ = "array"
            elif "enum" in flat:
                typ = "string"
        if typ:
            out["type"] = typ
        if flat.get("nullable") or (isinstance(node, dict) and node.get("nullable")):
            out["nullable"] = True
        if "enum" in flat:
            out["enum"] = flat["enum"]
        if typ == "array":
            items = self.flatten(flat.get("items", {}))
            if items.get("type") in ("string", "integer", "number", "boolean"):
                out["items"] = items["type"]
        return out


def parameter_entries(spec: Spec, params: list, where: str) -> list:
    out = []
    for raw in params:
        p = spec.deref(raw)
        if p["in"] != where:
            continue
        entry = {"name": p["name"], "py": snake(p["name"]), "required": bool(p.get("required"))}
        entry.update(spec.simple_type(p.get("schema", {})))
        if entry.get("type") == "array":
            # Form style; `explode: false` sends `a,b` in one parameter instead of repeating it.
            entry["explode"] = p.get("explode", True)
        grammar = filter_grammar(spec, p.get("schema", {}))
        if grammar:
            entry["filter"] = grammar
        if p.get("deprecated"):
            entry["deprecated"] = True
        out.append(entry)
    return out


FILTER_PATTERN = re.compile(r"^\^\(([\w|]+)\)\(([^)]*)\)")


def filter_grammar(spec: Spec, schema: dict) -> dict | None:
    """`filterBy` items are `<field><operator><value>`; the spec spells the allowed fields
    and operators as a pattern such as `^(name|clusterId)(==|!=|=@).+$`."""
    items = spec.flatten(spec.flatten(schema).get("items", {}))
    match = FILTER_PATTERN.match(items.get("pattern", ""))
    if not match:
        return None
    operators = [op.replace("\\", "") for op in match.group(2).split("|")]
    return {"fields": match.group(1).split("|"), "operators": operators}


def body_entry(spec: Spec, op: dict) -> dict | None:
    rb = op.get("requestBody")
    if not rb:
        return None
    rb = spec.deref(rb)
    content = rb.get("content", {})
    kind, media = next(iter(content.items()))
    schema = media.get("schema", {})
    entry: dict = {
        "media": kind,
        "required": bool(rb.get("required")),
        "schema": spec.ref_name(schema),
    }
    flat = spec.flatten(schema)
    if entry["schema"] is None:
        entry["inline"] = schema
    if flat.get("type") == "array" or "items" in flat:
        entry["type"] = "array"
        return entry
    entry["type"] = "object"
    required = set(flat.get("required", []))
    entry["fields"] = [
        {"name": name, "py": snake(name), "required": name in required, **spec.simple_type(sub)}
        for name, sub in flat.get("properties", {}).items()
    ]
    return entry


def result_entry(spec: Spec, op: dict) -> tuple[int, dict | None]:
    responses = op.get("responses", {})
    status = min(int(code) for code in responses if code.isdigit() and code.startswith("2"))
    resp = spec.deref(responses[str(status)])
    content = resp.get("content") or {}
    media = content.get("application/json")
    if media is None or "schema" not in media:
        if content:
            return status, {"type": "text", "media": next(iter(content))}
        return status, None
    schema = media["schema"]
    name = spec.ref_name(schema)
    result: dict = {"type": spec.simple_type(schema).get("type", "object")}
    if name:
        result["schema"] = name
    else:
        result["inline"] = schema
    return status, result


def pagination(spec: Spec, query: list, result: dict | None) -> dict | None:
    """List operations take offset and limit; `items` is the key path to the page's array
    (empty when the body itself is the array)."""
    names = {q["name"] for q in query}
    if result is None or not names >= PAGE_PARAMS:
        return None
    schema = result.get("inline") or {"$ref": f"#/components/schemas/{result.get('schema')}"}
    path = items_path(spec, schema, depth=0)
    if path is None:
        raise ValueError(f"cannot find the items array in {schema}")
    return {"items": path}


def items_path(spec: Spec, schema: dict, depth: int) -> list | None:
    if spec.simple_type(schema).get("type") == "array":
        return []
    if depth > 2:
        return None
    props = spec.flatten(schema).get("properties", {})
    arrays = [k for k, v in props.items() if spec.simple_type(v).get("type") == "array"]
    if len(arrays) == 1:
        return arrays
    objects = [k for k, v in props.items() if spec.simple_type(v).get("type") == "object"]
    if not arrays and len(objects) == 1:
        inner = items_path(spec, props[objects[0]], depth + 1)
        return None if inner is None else [objects[0], *inner]
    return None


def provisional_names(tag: str, op_id: str) -> tuple[str, str]:
    return snake(tag).replace(" ", "_"), snake(op_id)


def build(spec_dir: Path) -> dict:
    doc = json.loads((spec_dir / "openapi.json").read_text())
    spec = Spec(doc)
    with open(spec_dir / "admin-operations.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    operations = []
    for row in rows:
        op = doc["paths"][row["path"]][row["method"].lower()]
        op_id = op["operationId"]
        params = op.get("parameters", []) + doc["paths"][row["path"]].get("parameters", [])
        named = NAMES.get(op_id)
        namespace, name = (named[0], named[1]) if named else provisional_names(row["tag"], op_id)
        query = parameter_entries(spec, params, "query")
        status, result = result_entry(spec, op)
        entry = {
            "id": op_id,
            "tag": row["tag"],
            "group": row["group"],
            "namespace": namespace,
            "name": name,
            "exposed": row["tag"] in EXPOSED_TAGS,
            "method": row["method"],
            "path": row["path"],
            "path_params": path_parameters(spec, row["path"], params),
            "query": query,
            "body": body_entry(spec, op),
            "success": status,
            "result": result,
            "pagination": pagination(spec, query, result),
            "idempotent": row["method"] in IDEMPOTENT,
            "deprecated": bool(op.get("deprecated")),
        }
        avoid_keyword_clashes(entry)
        if entry["deprecated"]:
            entry["replacement"] = named[2] if named else None
        operations.append(entry)
    for legacy in LEGACY_OPERATIONS:
        operations.append(
            {
                "group": "Seed era",
                "exposed": True,
                "path_params": [],
                "query": [],
                "body": None,
                "pagination": None,
                "idempotent": legacy["method"] in IDEMPOTENT,
                "deprecated": False,
                **legacy,
            }
        )
    check_unique(operations)
    return {
        "source": {"title": doc["info"]["title"], "version": doc["info"]["version"]},
        "operations": operations,
        "schemas": reachable_schemas(spec, operations),
    }


def path_parameters(spec: Spec, path: str, params: list) -> list:
    """Path parameters in the order the path names them: that is their positional order."""
    declared = {p["name"]: p for p in (spec.deref(x) for x in params) if p["in"] == "path"}
    names = re.findall(r"\{([^}]+)\}", path)
    missing = [n for n in names if n not in declared]
    if missing:
        raise ValueError(f"{path}: undeclared path parameters {missing}")
    return [{"name": n, "py": snake(n), **declared[n].get("schema", {})} for n in names]


def avoid_keyword_clashes(entry: dict) -> None:
    """A body field named like a path parameter (`department-id` in the path and
    `departmentId` in the body) keeps a distinct keyword: `department_id_in_body`."""
    taken = {p["py"] for p in entry["path_params"]}
    for field in (entry["body"] or {}).get("fields", []):
        if field["py"] in taken:
            field["py"] += "_in_body"
    for param in entry["query"]:
        if param["py"] in taken:
            param["py"] += "_in_query"


def check_unique(operations: list) -> None:
    seen: dict[tuple[str, str], str] = {}
    for op in operations:
        key = (op["namespace"], op["name"])
        if key in seen:
            raise ValueError(f"{op['id']} and {seen[key]} both map to {key}")
        seen[key] = op["id"]


def reachable_schemas(spec: Spec, operations: list) -> dict:
    """Component schemas that request bodies and results reach, for validation in the fake."""
    wanted: dict = {}
    stack = []
    for op in operations:
        for part in (op.get("body"), op.get("result")):
            if part and part.get("schema"):
                stack.append(part["schema"])
            if part and part.get("inline"):
                stack.extend(refs_in(part["inline"]))
    while stack:
        name = stack.pop()
        if name in wanted or name not in spec.schemas:
            continue
        wanted[name] = spec.schemas[name]
        stack.extend(refs_in(wanted[name]))
    return dict(sorted(wanted.items()))


def refs_in(node) -> list:
    found = []
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            found.append(ref.rsplit("/", 1)[1])
        for value in node.values():
            found.extend(refs_in(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(refs_in(value))
    return found


def render(catalogue: dict) -> str:
    return json.dumps(catalogue, indent=1, sort_keys=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec-dir", type=Path, default=ROOT.parent / "shared" / "runai-api")
    parser.add_argument("--check", action="store_true", help="fail if the checked-in file is stale")
    args = parser.parse_args()
    text = render(build(args.spec_dir))
    if args.check:
        if OUT.read_text() != text:
            print(
                f"{OUT.relative_to(ROOT)} is stale: run scripts/gen_catalogue.py", file=sys.stderr
            )
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

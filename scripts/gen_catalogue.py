"""Generate the operation catalogue from the control plane's OpenAPI document.

The catalogue (crates/core/src/api/catalogue.json) is the one source of truth for operations: the
Rust core binds and sends calls from it, the Python face builds its methods from it, and
the fake control plane routes and validates requests with it. It is generated, checked
in, and a test fails when it is stale.

    python scripts/gen_catalogue.py [--spec PATH] [--check] [--accept-spec] [--out FILE]

Inputs:
- the official OpenAPI document (PATH). Download it from your tenant's API reference
  (https://<company>.run.ai/api/docs offers the JSON document), or take it from the
  repository of the official Python SDK, runapy (github.com/runai-professional-services/runapy,
  `.generator/swagger.json` at the tag of the release you target). Without --spec the
  generator looks beside the checkout, at ../shared/runai-api/openapi.json;
- scripts/operations.tsv, the project's own table: every operation in scope with its
  method, path, namespace, method name and, for deprecated ones, the method replacing it.

The document's sha256 is pinned in the catalogue (`source.sha256`). A different document is
refused unless `--accept-spec` says that the pin moves on purpose; the same document and
table always give the same bytes. `--check` fails when the checked-in file is stale.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "core" / "src" / "api" / "catalogue.json"
TABLE = ROOT / "scripts" / "operations.tsv"
DEFAULT_SPEC = ROOT.parent / "shared" / "runai-api" / "openapi.json"

# The tags whose operations the Python clients expose so far; the rest of the catalogue is
# carried whole, so that exposing a tag is one line here. `Legacy` is the seed-era surface
# written below, not a tag of the document.
EXPOSED_TAGS = [
    "Applications",
    "User Applications",
    "Clusters",
    "Departments",
    "Projects",
    "Users",
    "Legacy",
    "Access rules",
    "Roles",
    "Permissions",
    "Me",
    "AuditLogs",
    "Service Accounts",
    "Access Keys",
    "Settings",
    "Org unit",
    "Idps",
    "Tokens",
    "Reports",
    "Network Topologies",
    "Tenant",
    "NodePools",
    "Nodes",
    "Administrator Command Line Interface",
    "Researcher Command Line Interface",
    "Researcher Command Line Interface Deprecated",
    "Logo",
]

# The seed-era /v1/k8s surface that older installations speak. It is not in the OpenAPI
# document, so its entries are written here; schemas are given inline in the same shape.
# Ids are integers (users' are strings); lists answer plain arrays; a PUT sends every
# editable field and what it leaves out is removed.
UUID = {"type": "string", "format": "uuid"}
INTEGER = {"type": "integer"}
STRING = {"type": "string"}
STAMP = {"type": "string", "readOnly": True}


def seed_object(required: list[str], **properties: dict) -> dict:
    return {"type": "object", "required": required, "properties": properties}


LEGACY_CLUSTER = seed_object(
    ["name", "clusterUuid"],
    name=STRING,
    clusterUuid=UUID,
    tenantId=INTEGER,
    createdAt=STAMP,
    description=STRING,
)
LEGACY_CLUSTER_REQUEST = seed_object(["name"], name=STRING, description=STRING)
AFFINITY = {
    "type": "object",
    "properties": {
        "affinityType": {"type": "string", "enum": ["only_selected", "no_limit"]},
        "selectedTypes": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": INTEGER}},
        },
    },
}
PROJECT_FIELDS = {
    "name": STRING,
    "clusterUuid": UUID,
    "departmentId": INTEGER,
    "deservedGpus": {"type": "number"},
    "maxAllowedGpus": {"type": "number"},
    "interactiveJobTimeLimitSecs": INTEGER,
    "permissions": {
        "type": "object",
        "properties": {"users": {"type": "array", "items": STRING}},
    },
    "nodeAffinity": {"type": "object", "properties": {"train": AFFINITY, "interactive": AFFINITY}},
}
PROJECT_REQUIRED = ["name", "clusterUuid", "departmentId", "deservedGpus"]
# An answered project always carries its id, though a written one need not.
LEGACY_PROJECT = seed_object(
    ["id", *PROJECT_REQUIRED], id=INTEGER, tenantId=INTEGER, createdAt=STAMP, **PROJECT_FIELDS
)
LEGACY_PROJECT_REQUEST = seed_object(PROJECT_REQUIRED, **PROJECT_FIELDS)
DEPARTMENT_FIELDS = {
    "name": STRING,
    "clusterUuid": UUID,
    "deservedGpus": {"type": "number"},
    "maxAllowedGpus": {"type": "number"},
}
DEPARTMENT_REQUIRED = ["name", "clusterUuid", "deservedGpus"]
LEGACY_DEPARTMENT = seed_object(
    ["id", *DEPARTMENT_REQUIRED],
    id=INTEGER,
    tenantId=INTEGER,
    createdAt=STAMP,
    projectsDeservedGpus=STRING,
    **DEPARTMENT_FIELDS,
)
LEGACY_DEPARTMENT_REQUEST = seed_object(DEPARTMENT_REQUIRED, **DEPARTMENT_FIELDS)
SEED_ROLES = {
    "type": "array",
    "items": {"type": "string", "enum": ["admin", "editor", "researcher", "viewer"]},
}
USER_FIELDS = {
    "roles": SEED_ROLES,
    "permittedClusters": {"type": "array", "items": STRING},
    "permitAllClusters": {"type": "boolean"},
    "needToChangePassword": {"type": "boolean"},
}
LEGACY_USER = seed_object(
    ["userId", "email", "roles", "permittedClusters", "permitAllClusters"],
    userId=STRING,
    lastLogin={"type": "string", "nullable": True, "readOnly": True},
    createdAt=STAMP,
    email=STRING,
    **USER_FIELDS,
)
USER_PASSWORD = {"type": "string", "format": "password", "writeOnly": True}
# A new user needs a password; a replacing PUT may leave it out and keeps the one set.
LEGACY_USER_CREATE = seed_object(
    ["email", "password", "roles", "permittedClusters", "permitAllClusters"],
    email=STRING,
    password=USER_PASSWORD,
    **USER_FIELDS,
)
LEGACY_USER_UPDATE = seed_object(
    ["email", "roles", "permittedClusters", "permitAllClusters"],
    email=STRING,
    password=USER_PASSWORD,
    **USER_FIELDS,
)
LEGACY_NODE_TYPE = seed_object(
    ["id", "name", "clusterUuid"],
    id=INTEGER,
    name=STRING,
    tenantId=INTEGER,
    clusterUuid=UUID,
    createdAt=STAMP,
)
LEGACY_NODE_TYPE_REQUEST = seed_object(["name", "clusterUuid"], name=STRING, clusterUuid=UUID)
TEXT = {"type": "text", "media": "text/plain"}


def seed_list(items: dict) -> dict:
    return {"type": "array", "inline": {"type": "array", "items": items}}


def seed_one(schema: dict) -> dict:
    return {"type": "object", "inline": schema}


def seed_crud(
    namespace: str,
    noun: str,
    base: str,
    key: str,
    obj: dict,
    create: dict,
    update: dict,
    list_path: str,
    deleted: dict,
) -> list[dict]:
    """List (an array), create, get, replace and delete of one seed-era object kind."""
    item = f"{base}/{{{key}}}"
    id_type = STRING if key == "userId" else INTEGER
    common = {"tag": "Legacy", "group": "Seed era", "namespace": namespace}
    label = noun.replace("_", " ")
    return [
        {
            **common,
            "id": f"legacy_get_{noun}s",
            "name": "list",
            "method": "GET",
            "path": list_path,
            "summary": f"List the {label}s (seed era).",
            "result": seed_list(obj),
        },
        {
            **common,
            "id": f"legacy_create_{noun}",
            "name": "create",
            "method": "POST",
            "path": base,
            "summary": f"Create a {label} (seed era).",
            "body": create,
            "result": seed_one(obj),
        },
        {
            **common,
            "id": f"legacy_get_{noun}",
            "name": "get",
            "method": "GET",
            "path": item,
            "summary": f"Get a {label} by id (seed era).",
            "path_types": {key: id_type},
            "result": seed_one(obj),
        },
        {
            **common,
            "id": f"legacy_update_{noun}",
            "name": "update",
            "method": "PUT",
            "path": item,
            "path_types": {key: id_type},
            "summary": f"Replace a {label}: fields left out are removed (seed era).",
            "body": update,
            "result": seed_one(obj),
        },
        {
            **common,
            "id": f"legacy_delete_{noun}",
            "name": "delete",
            "method": "DELETE",
            "path": item,
            "path_types": {key: id_type},
            "summary": f"Delete a {label} (seed era).",
            "result": deleted,
        },
    ]


CLUSTER_PATH = "/v1/k8s/clusters/{cluster_uuid}"
LEGACY_OPERATIONS = [
    {
        "id": "legacy_get_clusters",
        "tag": "Legacy",
        "group": "Seed era",
        "namespace": "legacy.clusters",
        "name": "list",
        "summary": "List the clusters in the seed-era shape.",
        "method": "GET",
        "path": "/v1/k8s/clusters",
        "result": seed_list(LEGACY_CLUSTER),
    },
    {
        "id": "legacy_create_cluster",
        "tag": "Legacy",
        "group": "Seed era",
        "namespace": "legacy.clusters",
        "name": "create",
        "summary": "Create a cluster (seed era).",
        "method": "POST",
        "path": "/v1/k8s/clusters",
        "body": LEGACY_CLUSTER_REQUEST,
        "result": seed_one(LEGACY_CLUSTER),
    },
    {
        "id": "legacy_get_cluster",
        "tag": "Legacy",
        "group": "Seed era",
        "namespace": "legacy.clusters",
        "name": "get",
        "summary": "Get a cluster by its uuid (seed era).",
        "method": "GET",
        "path": CLUSTER_PATH,
        "path_types": {"cluster_uuid": UUID},
        "result": seed_one(LEGACY_CLUSTER),
    },
    {
        "id": "legacy_delete_cluster",
        "tag": "Legacy",
        "group": "Seed era",
        "namespace": "legacy.clusters",
        "name": "delete",
        "summary": "Delete a cluster and everything in it (seed era).",
        "method": "DELETE",
        "path": CLUSTER_PATH,
        "path_types": {"cluster_uuid": UUID},
        "result": TEXT,
    },
    {
        # The same path as the document's getInstallFile: one route answers both.
        "id": "legacy_get_install_file",
        "tag": "Legacy",
        "group": "Seed era",
        "namespace": "legacy.clusters",
        "name": "install_file",
        "summary": "The cluster's installation values file (seed era).",
        "method": "GET",
        "path": CLUSTER_PATH + "/installfile",
        "path_types": {"cluster_uuid": UUID},
        "query": {"cloud": {"type": "string", "enum": ["gke", "aws", "aks", "op", "airgapped"]}},
        "result": {"type": "string", "inline": {"type": "string"}},
    },
    # Their lists share the deprecated document operations' paths (getProjects,
    # getDepartments): one route answers both.
    *seed_crud(
        "legacy.projects",
        "project",
        "/v1/k8s/projects",
        "projectId",
        LEGACY_PROJECT,
        LEGACY_PROJECT_REQUEST,
        LEGACY_PROJECT_REQUEST,
        CLUSTER_PATH + "/projects",
        seed_one(LEGACY_PROJECT),
    ),
    *seed_crud(
        "legacy.departments",
        "department",
        "/v1/k8s/departments",
        "departmentId",
        LEGACY_DEPARTMENT,
        LEGACY_DEPARTMENT_REQUEST,
        LEGACY_DEPARTMENT_REQUEST,
        CLUSTER_PATH + "/departments",
        TEXT,
    ),
    *seed_crud(
        "legacy.users",
        "user",
        "/v1/k8s/users",
        "userId",
        LEGACY_USER,
        LEGACY_USER_CREATE,
        LEGACY_USER_UPDATE,
        "/v1/k8s/users",
        TEXT,
    ),
    *seed_crud(
        "legacy.node_types",
        "node_type",
        "/v1/k8s/nodetypes",
        "nodeTypeId",
        LEGACY_NODE_TYPE,
        LEGACY_NODE_TYPE_REQUEST,
        LEGACY_NODE_TYPE_REQUEST,
        CLUSTER_PATH + "/nodeTypes",
        TEXT,
    ),
]
for _op in LEGACY_OPERATIONS:
    if "{cluster_uuid}" in _op["path"]:
        _op.setdefault("path_types", {})["cluster_uuid"] = UUID

# The tags whose operations obtain tokens: they are sent without one, and their 401 says
# that the credentials they carry are refused (not that a bearer token expired).
SIGN_IN_TAGS = {"Tokens"}

IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD", "OPTIONS"}
SCALARS = ("string", "integer", "number", "boolean")
SCHEMA_PREFIX = "#/components/schemas/"

# Schema keywords that describe structure or constrain values; everything else (prose,
# examples, vendor extensions) is left out of the catalogue.
STRUCTURAL = frozenset(
    """
    $ref type format enum pattern nullable default readOnly writeOnly deprecated
    minimum maximum exclusiveMinimum exclusiveMaximum multipleOf minLength maxLength
    minItems maxItems uniqueItems minProperties maxProperties required
    allOf oneOf anyOf not items properties additionalProperties discriminator
    """.split()  # noqa: SIM905 (one word per keyword reads better than 31 quoted lines)
)
# Facets copied onto parameters and body fields, for checks and annotations.
FACETS = ("minimum", "maximum", "pattern", "format", "default")


def snake(name: str) -> str:
    """Wire name to Python keyword: clusterId -> cluster_id, department-id -> department_id."""
    name = name.replace("-", "_")
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return name.lower()


def structural(node):
    """A schema with only its structural keywords, `$ref`s kept as they are."""
    if isinstance(node, list):
        return [structural(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key not in STRUCTURAL:
            continue
        if key == "properties":
            out[key] = {name: structural(sub) for name, sub in value.items()}
        elif key in ("items", "not", "additionalProperties", "allOf", "oneOf", "anyOf"):
            out[key] = structural(value)
        elif key == "discriminator":
            out[key] = {k: v for k, v in value.items() if k in ("propertyName", "mapping")}
        else:
            out[key] = value
    return out


class Spec:
    def __init__(self, doc: dict):
        self.doc = doc
        self.schemas = doc["components"]["schemas"]

    def deref(self, node: dict) -> dict:
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
            seen += 1
            if seen > 50:
                raise ValueError("reference cycle")
        return node

    @staticmethod
    def ref_name(node: dict | None) -> str | None:
        if isinstance(node, dict) and node.get("$ref", "").startswith(SCHEMA_PREFIX):
            return node["$ref"][len(SCHEMA_PREFIX) :]
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
                for key in ("enum", "items", "nullable", *FACETS):
                    if key in flat and key not in merged:
                        merged[key] = flat[key]
            merged["properties"].update(node.get("properties", {}))
            merged["required"] += node.get("required", [])
            for key in ("nullable", *FACETS):
                if key in node:
                    merged[key] = node[key]
            return merged
        return node

    def wire_type(self, node: dict, depth: int = 0) -> str:
        flat = self.flatten(node)
        typ = flat.get("type")
        if typ:
            return typ
        if "properties" in flat or "additionalProperties" in flat:
            return "object"
        if "items" in flat:
            return "array"
        if "enum" in flat:
            return "string"
        alternatives = flat.get("oneOf") or flat.get("anyOf")
        if alternatives and depth < 10:
            kinds = {self.wire_type(a, depth + 1) for a in alternatives}
            if len(kinds) == 1:
                return kinds.pop()
        return "any"

    def simple_type(self, node: dict) -> dict:
        """The shape a Python argument is checked against: wire type, items, enum, nullability."""
        flat = self.flatten(node)
        out: dict = {"type": self.wire_type(node)}
        if out["type"] == "array":
            items = self.flatten(flat.get("items", {}))
            if items.get("type") in SCALARS:
                out["items"] = items["type"]
        if "enum" in flat:
            out["enum"] = flat["enum"]
        if flat.get("nullable") or (isinstance(node, dict) and node.get("nullable")):
            out["nullable"] = True
        for key in FACETS:
            value = node.get(key, flat.get(key)) if isinstance(node, dict) else None
            if value is not None:
                out[key] = value
        return out


def value_entry(spec: Spec, name: str, schema: dict, required: bool) -> dict:
    """A path or query parameter, or a top-level body field."""
    return {
        "name": name,
        "py": snake(name),
        "required": required,
        **spec.simple_type(schema),
        "schema": structural(schema),
    }


def parameter_entries(spec: Spec, params: list, where: str) -> list:
    out = []
    for raw in params:
        p = spec.deref(raw)
        if p["in"] != where:
            continue
        schema = p.get("schema", {})
        entry = value_entry(spec, p["name"], schema, bool(p.get("required")))
        if entry["type"] == "array":
            # Form style; `explode: false` sends `a,b` in one parameter instead of repeating it.
            entry["explode"] = p.get("explode", True)
        grammar = filter_grammar(spec, schema)
        if grammar:
            entry["filter"] = grammar
        if p.get("deprecated"):
            entry["deprecated"] = True
        entry["schema"] = entry.pop("schema")
        out.append(entry)
    return out


def path_parameters(spec: Spec, path: str, params: list) -> list:
    """Path parameters in the order the path names them: that is their positional order."""
    declared = {p["name"]: p for p in (spec.deref(x) for x in params) if p["in"] == "path"}
    names = re.findall(r"\{([^}]+)\}", path)
    missing = [n for n in names if n not in declared]
    if missing:
        raise ValueError(f"{path}: undeclared path parameters {missing}")
    return [value_entry(spec, n, declared[n].get("schema", {}), True) for n in names]


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
    kind, media = next(iter(rb.get("content", {}).items()))
    schema = media.get("schema", {})
    entry: dict = {
        "media": kind,
        "required": bool(rb.get("required")),
        "schema": spec.ref_name(schema),
    }
    if entry["schema"] is None:
        entry["inline"] = structural(schema)
    if spec.wire_type(schema) == "array":
        entry["type"] = "array"
        return entry
    entry["type"] = "object"
    flat = spec.flatten(schema)
    required = set(flat.get("required", []))
    entry["fields"] = [
        value_entry(spec, name, sub, name in required)
        for name, sub in flat.get("properties", {}).items()
    ]
    return entry


# Results the spec shows by example only, whose schema another operation names: one
# identity provider is an item of the providers' list.
RESULT_SCHEMAS = {"get_idp": "Idp1"}


def media_kind(content_types: list[str]) -> str:
    """How a client hands a success body over: `json` when JSON is offered (an operation
    that also offers CSV, such as the metrics, stays JSON), `text` for text/* (CSV, plain,
    HTML, YAML: returned as `str`), `binary` for anything else (an archive, a program,
    `application/octet-stream`: returned as `bytes`)."""
    if "application/json" in content_types:
        return "json"
    if any(kind.startswith("text/") for kind in content_types):
        return "text"
    return "binary"


def result_entry(spec: Spec, op: dict) -> tuple[int, dict | None]:
    responses = op.get("responses", {})
    status = min(int(code) for code in responses if code.isdigit() and code.startswith("2"))
    resp = spec.deref(responses[str(status)])
    content = resp.get("content") or {}
    media = content.get("application/json")
    if media is None:
        if content:
            # A file: its body is one string of text or bytes, written to a path on demand.
            kind = media_kind(list(content))
            return status, {"type": "string", "kind": kind, "media": next(iter(content))}
        return status, None
    # JSON the spec leaves unshaped (examples only) may be anything.
    schema = media.get("schema", {})
    if not schema and op.get("operationId") in RESULT_SCHEMAS:
        schema = {"$ref": SCHEMA_PREFIX + RESULT_SCHEMAS[op["operationId"]]}
    name = spec.ref_name(schema)
    result: dict = {"type": spec.wire_type(schema)}
    if name:
        result["schema"] = name
    else:
        result["inline"] = structural(schema)
    result["media"] = "application/json"
    result["kind"] = "json"
    if any(no_content(spec, op, code) for code in responses if code != str(status)):
        # Another success answers with no body (a forced delete's 204): the call may
        # return nothing.
        result["optional"] = True
    return status, result


def no_content(spec: Spec, op: dict, code: str) -> bool:
    """Whether `code` is a success the operation answers without a body."""
    if not (code.isdigit() and code.startswith("2")):
        return False
    return not spec.deref(op["responses"][code]).get("content")


def error_statuses(op: dict) -> list[int]:
    codes = op.get("responses", {})
    return sorted(int(code) for code in codes if code.isdigit() and not code.startswith("2"))


def result_schema(result: dict | None) -> dict | None:
    if not result or result["kind"] != "json":
        return None
    if result.get("schema"):
        return {"$ref": SCHEMA_PREFIX + result["schema"]}
    return result["inline"]


def pagination(spec: Spec, query: list, result: dict | None) -> dict | None:
    """Pages are asked for with an offset and a page size (`limit`, or the one bounded
    integer beside `offset`, such as the audit log's `numberOfSamples`); `items` is the key
    path to the page's array (empty when the body itself is the array)."""
    by_name = {q["name"]: q for q in query}
    schema = result_schema(result)
    if "offset" not in by_name or schema is None:
        return None
    sizes = [by_name["limit"]] if "limit" in by_name else []
    if not sizes:
        sizes = [
            q for q in query if q["name"] != "offset" and q["type"] == "integer" and "maximum" in q
        ]
    if len(sizes) != 1:
        return None
    size = sizes[0]
    path = items_path(spec, schema, depth=0)
    if path is None:
        raise ValueError(f"cannot find the items array in {schema}")
    top = spec.flatten(schema).get("properties", {})
    following = top.get("next")
    return {
        "items": path,
        "offset": "offset",
        # The page size's bounds and default are the limit parameter's own (stated there).
        "limit": size["name"],
        "next": "next" if following and spec.wire_type(following) == "integer" else None,
    }


def items_path(spec: Spec, schema: dict, depth: int) -> list | None:
    if spec.wire_type(schema) == "array":
        return []
    if depth > 2:
        return None
    props = spec.flatten(schema).get("properties", {})
    arrays = [k for k, v in props.items() if spec.wire_type(v) == "array"]
    if len(arrays) == 1:
        return arrays
    objects = [k for k, v in props.items() if spec.wire_type(v) == "object"]
    if not arrays and len(objects) == 1:
        inner = items_path(spec, props[objects[0]], depth + 1)
        return None if inner is None else [objects[0], *inner]
    return None


def one_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return " ".join(lines[0].split()) if lines else ""


def read_table(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def tag_groups(doc: dict) -> dict[str, str]:
    return {tag: g["name"] for g in doc.get("x-tagGroups", []) for tag in g["tags"]}


def returns_list(method: str, paging: dict | None, result: dict | None) -> bool:
    """A list is something to read page by page, or at once: a paginated operation, or a
    GET whose answer is an array. A PUT or PATCH that echoes an array is not one (walking
    it again would send the change again)."""
    return paging is not None or (method == "GET" and (result or {}).get("type") == "array")


def build(doc: dict, sha256: str, table: list[dict]) -> dict:
    spec = Spec(doc)
    groups = tag_groups(doc)
    operations = []
    for row in table:
        path_item = doc["paths"].get(row["path"], {})
        op = path_item.get(row["method"].lower())
        if op is None or op.get("operationId") != row["operation_id"]:
            raise ValueError(f"{row['operation_id']}: not {row['method']} {row['path']} here")
        params = op.get("parameters", []) + path_item.get("parameters", [])
        tag = op["tags"][0]
        query = parameter_entries(spec, params, "query")
        status, result = result_entry(spec, op)
        paging = pagination(spec, query, result)
        entry = {
            "id": row["operation_id"],
            "tag": tag,
            "group": groups.get(tag, ""),
            "namespace": row["namespace"],
            "name": row["name"],
            "exposed": tag in EXPOSED_TAGS,
            "summary": one_line(op.get("summary")),
            "method": row["method"],
            "path": row["path"],
            "path_params": path_parameters(spec, row["path"], params),
            "query": query,
            "body": body_entry(spec, op),
            "success": status,
            "result": result,
            "returns_list": returns_list(row["method"], paging, result),
            "pagination": paging,
            "errors": error_statuses(op),
            "idempotent": row["method"] in IDEMPOTENT,
            "deprecated": bool(op.get("deprecated")),
            "signs_in": tag in SIGN_IN_TAGS,
        }
        avoid_keyword_clashes(entry)
        if entry["deprecated"]:
            entry["replacement"] = row["replacement"] or None
        elif row["replacement"]:
            raise ValueError(f"{entry['id']} is current but names a replacement")
        operations.append(entry)
    for legacy in LEGACY_OPERATIONS:
        operations.append(legacy_entry(spec, legacy))
    check_names(operations)
    return {
        "source": {
            "title": doc["info"]["title"],
            "version": doc["info"]["version"],
            "sha256": sha256,
        },
        "exposed_tags": EXPOSED_TAGS,
        "operations": operations,
        "schemas": reachable_schemas(spec, doc, table, operations),
    }


def legacy_entry(spec: Spec, legacy: dict) -> dict:
    """A seed-era operation in the catalogue's shape, from its compact description."""
    facts = {k: v for k, v in legacy.items() if k not in ("path_types", "query", "body")}
    path_types = legacy.get("path_types", {})
    names = re.findall(r"\{([^}]+)\}", legacy["path"])
    result = legacy["result"]
    if result["type"] == "text":
        result = {**result, "media": "text/plain", "kind": "text"}
    else:
        result = {**result, "media": "application/json", "kind": "json"}
    body = None
    if "body" in legacy:
        content = {"application/json": {"schema": legacy["body"]}}
        body = body_entry(spec, {"requestBody": {"required": True, "content": content}})
    entry = {
        **facts,
        "exposed": legacy["tag"] in EXPOSED_TAGS,
        "path_params": [value_entry(spec, n, path_types[n], True) for n in names],
        "query": [
            value_entry(spec, name, schema, False)
            for name, schema in legacy.get("query", {}).items()
        ],
        "body": body,
        "success": 200,
        "result": result,
        "returns_list": result["type"] == "array",
        "pagination": None,
        "errors": [400, 401, 403, 404] if names or body else [401, 403],
        "idempotent": legacy["method"] in IDEMPOTENT,
        "deprecated": False,
        "signs_in": False,
    }
    avoid_keyword_clashes(entry)
    return entry


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


def check_names(operations: list) -> None:
    """Names are unique per namespace, and every replacement names a method that exists."""
    seen: dict[tuple[str, str], str] = {}
    for op in operations:
        key = (op["namespace"], op["name"])
        if key in seen:
            raise ValueError(f"{op['id']} and {seen[key]} both map to {key}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", op["name"]):
            raise ValueError(f"{op['id']}: {op['name']!r} is not a method name")
        seen[key] = op["id"]
    for op in operations:
        replacement = op.get("replacement")
        if replacement and tuple(replacement.rsplit(".", 1)) not in seen:
            raise ValueError(f"{op['id']}: replacement {replacement} is no method")
        if op["deprecated"] and not replacement:
            raise ValueError(f"{op['id']} is deprecated and names no replacement")


def reachable_schemas(spec: Spec, doc: dict, table: list[dict], operations: list) -> dict:
    """Component schemas that any operation's parameters, body, result or documented error
    responses reach, in structural form, for validation in the tests and the fake."""
    stack: list[str] = []
    for op in operations:
        for part in (op.get("body"), op.get("result")):
            if part and part.get("schema"):
                stack.append(part["schema"])
            if part and part.get("inline"):
                stack.extend(refs_in(part["inline"]))
        for param in op["path_params"] + op["query"]:
            stack.extend(refs_in(param["schema"]))
    for row in table:
        op = doc["paths"][row["path"]][row["method"].lower()]
        for code, response in op.get("responses", {}).items():
            if not code.startswith("2"):
                stack.extend(refs_in(spec.deref(response)))
    wanted: dict = {}
    while stack:
        name = stack.pop()
        if name in wanted:
            continue
        if name not in spec.schemas:
            raise ValueError(f"dangling reference to schema {name}")
        wanted[name] = structural(spec.schemas[name])
        stack.extend(refs_in(wanted[name]))
    return dict(sorted(wanted.items()))


def refs_in(node) -> list:
    found = []
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            found.append(ref[len(SCHEMA_PREFIX) :])
        for value in node.values():
            found.extend(refs_in(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(refs_in(value))
    return found


def render(catalogue: dict) -> str:
    return json.dumps(catalogue, indent=1, ensure_ascii=False) + "\n"


def pinned_sha256(catalogue: Path) -> str | None:
    """The pin is the sha256 the catalogue records: one place, moved only on purpose."""
    try:
        return json.loads(catalogue.read_text())["source"]["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the OpenAPI document")
    parser.add_argument("--out", type=Path, default=OUT, help="the catalogue to write or check")
    parser.add_argument("--check", action="store_true", help="fail if the checked-in file is stale")
    parser.add_argument(
        "--accept-spec",
        action="store_true",
        help="pin the given document even if it differs from the pinned one",
    )
    args = parser.parse_args(argv)
    try:
        raw = args.spec.read_bytes()
    except OSError as err:
        print(f"cannot read the OpenAPI document: {err}", file=sys.stderr)
        return 2
    sha256 = hashlib.sha256(raw).hexdigest()
    out: Path = args.out
    pinned = pinned_sha256(out)
    if sha256 != pinned and not (args.accept_spec and not args.check):
        print(
            f"{args.spec} (sha256 {sha256}) is not the pinned document (sha256 {pinned});"
            " pass --accept-spec to move the pin on purpose",
            file=sys.stderr,
        )
        return 1
    text = render(build(json.loads(raw), sha256, read_table(TABLE)))
    if args.check:
        if out.read_text() != text:
            print(f"{shown(out)} is stale: run scripts/gen_catalogue.py", file=sys.stderr)
            return 1
        return 0
    out.write_text(text)
    print(f"wrote {shown(out)} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

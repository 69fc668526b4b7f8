"""Generate the typed Python face from the operation catalogue.

Writes python/runai_admin/_namespaces.py (one class per namespace and client kind, one
method per exposed operation, with its real signature and a docstring built from the
catalogue) and, through scripts/gen_types.py, python/runai_admin/types.py (the TypedDicts
of the request bodies and results those methods name).

    python scripts/gen_python.py [--check]

`--check` writes nothing and fails when a checked-in file is stale.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import keyword
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "crates" / "core" / "src" / "api" / "catalogue.json"
PACKAGE = ROOT / "python" / "runai_admin"
NAMESPACES = PACKAGE / "_namespaces.py"
TYPES = PACKAGE / "types.py"
REF_PREFIX = "#/components/schemas/"
INDENT = "    "
DOC_WIDTH = 96

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_types  # noqa: E402 (a sibling script, found through the line above)

# Keywords every method has, or the pager's: an operation parameter may not take them.
CALL_OPTIONS = ("timeout", "max_retries")
PAGER_OPTIONS = ("page_size", "max_items", "offset")
# Names the generated method bodies use.
RESERVED = {
    *("self", "body", "to", "warnings", "SyncPager", "AsyncPager", "NOT_GIVEN", "_kw"),
    "_encoded_file",
}
# What a download returns without and with ``to=``, by the result's media kind.
DOWNLOADS = {"text": "str", "binary": "bytes"}
DESTINATION = "Union[str, os.PathLike[str]]"
# Body fields that carry a file base64-encoded, as the spec describes them: the method
# takes the file's bytes or its path and encodes it (`_base._encoded_file`).
FILE_FIELDS = {("upload_tenant_logo", "logo")}
FILE_ARGUMENT = "Union[bytes, str, os.PathLike[str]]"
FILE_NOTE = " The file's bytes, or its path (str or os.PathLike); sent base64-encoded."
SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# Builtins that a namespace method shadows inside its class body (`list`), and the typing
# names that stand for them in signatures.
SHADOWED = {"list": "List", "dict": "Dict"}


def load_errors() -> Any:
    """`runai_admin.errors` itself, loaded by path (it needs nothing compiled): which class
    a status raises is decided there, and docstrings name the same classes."""
    spec = importlib.util.spec_from_file_location("_errors_for_docs", PACKAGE / "errors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ERRORS = load_errors()


def pascal(text: str) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    return "".join(w[0].upper() + w[1:] for w in words)


def error_class(status: int) -> str:
    return str(ERRORS.error_class(status).__name__)


# Types --------------------------------------------------------------------------------


def type_builder(catalogue: dict[str, Any]) -> Any:
    return gen_types.build(catalogue)


def ref(name: str) -> dict[str, Any]:
    return {"$ref": REF_PREFIX + name}


def resolve(schemas: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        node = schemas.get(node["$ref"][len(REF_PREFIX) :])
        seen += 1
    return node


def items_schema(schemas: dict[str, Any], result: Any, path: list[str]) -> Any:
    """The schema of a list result's items: the array under `path` in the result."""
    node = resolve(schemas, result)
    for key in path:
        props = node.get("properties") if isinstance(node, dict) else None
        node = resolve(schemas, props.get(key)) if isinstance(props, dict) else None
    return node.get("items") if isinstance(node, dict) else None


def fallback_annotation(param: dict[str, Any]) -> str:
    """An annotation from a parameter's flat facts (catalogues without `schema`)."""
    if param.get("enum"):
        return "Literal[" + ", ".join(json.dumps(v) for v in param["enum"]) + "]"
    kind = param.get("type")
    if kind in SCALARS:
        return SCALARS[kind]
    if kind == "array":
        item = param.get("items")
        return f"list[{SCALARS.get(item, 'Any') if isinstance(item, str) else 'Any'}]"
    if kind == "object":
        return "dict[str, Any]"
    return "Any"


def as_parameter(annotation: str) -> str:
    """A list argument may be any sequence (the core sends lists and tuples alike), which
    also lets a list of a narrower item type through."""
    if annotation.startswith("list[") and annotation.endswith("]"):
        return "Sequence[" + annotation[len("list[") :]
    return annotation


def strip_optional(annotation: str) -> str:
    """`Optional[X]` -> `X`: the generator adds None where the parameter takes it."""
    if annotation.startswith("Optional[") and annotation.endswith("]"):
        return annotation[len("Optional[") : -1]
    return annotation


def qualify_builtins(annotation: str) -> str:
    """`list[X]` -> `List[X]` outside string literals: a namespace's `list` method would
    otherwise stand for the type inside its class."""
    parts = re.split(r"(\"[^\"]*\"|'[^']*')", annotation)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(SHADOWED) + r")\b")
    return "".join(
        part if i % 2 else pattern.sub(lambda m: SHADOWED[m.group(1)], part)
        for i, part in enumerate(parts)
    )


def field_schema(schemas: dict[str, Any], node: Any, key: str, depth: int = 0) -> Any:
    """The schema of a body field: the property `key` of the body's object schema (through
    references and allOf branches)."""
    node = resolve(schemas, node)
    if not isinstance(node, dict) or depth > 16:
        return None
    props = node.get("properties")
    if isinstance(props, dict) and key in props:
        return props[key]
    for part in node.get("allOf") or []:
        found = field_schema(schemas, part, key, depth + 1)
        if found is not None:
            return found
    return None


# The model of a method ---------------------------------------------------------------------


@dataclass
class Keyword:
    py: str
    wire: str
    where: str  # "query" or "body"
    required: bool
    nullable: bool
    annotation: str
    note: str = ""
    file: bool = False  # a file sent base64-encoded (FILE_FIELDS)


@dataclass
class Method:
    op: dict[str, Any]
    namespace: str
    name: str
    path_params: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[Keyword] = field(default_factory=list)
    body: Optional[str] = None  # the raw body's annotation
    body_kind: str = ""  # "object" or "array"
    body_required: bool = False
    returns: str = "None"
    returns_list: bool = False
    paginated: bool = False
    items_path: tuple[str, ...] = ()
    download: str = ""  # "text" or "binary" for an operation that answers a file
    # A list's counting operation and the keywords it shares with the list: progress bars
    # take their total from it and previews their "of N".
    count: Optional[tuple[str, tuple[str, ...]]] = None

    @property
    def where(self) -> str:
        return f"{self.namespace}.{self.name}"

    @property
    def required_fields(self) -> list[Keyword]:
        return [k for k in self.keywords if k.required and k.where == "body"]

    @property
    def overloaded(self) -> bool:
        """Object bodies with required fields: one signature with the fields, one with a
        raw `body=` that may carry them instead."""
        return self.body_kind == "object" and bool(self.required_fields)

    @property
    def destinations(self) -> tuple[Optional[bool], ...]:
        """The signatures of the method: a download has one without ``to`` (the body in
        memory) and one with it (the file's path); `None` stands for the one signature of
        any other method."""
        return (False, True) if self.download else (None,)


def returns_list(op: dict[str, Any]) -> bool:
    if "returns_list" in op:
        return bool(op["returns_list"])
    result = op.get("result") or {}
    return op.get("pagination") is not None or (
        op["name"].endswith("list") and result.get("type") == "array"
    )


def build_method(op: dict[str, Any], builder: Any, schemas: dict[str, Any]) -> Method:
    hint = pascal(f"{op['namespace']} {op['name']}")
    method = Method(op=op, namespace=op["namespace"], name=op["name"])
    method.paginated = op.get("pagination") is not None
    method.returns_list = returns_list(op)
    for p in op["path_params"]:
        method.path_params.append((p["py"], "int" if p.get("type") == "integer" else "str"))

    def annotate(param: dict[str, Any]) -> str:
        if isinstance(param.get("schema"), dict):
            text = builder.annotation(param["schema"], name_hint=hint + pascal(param["name"]))
            if text != "Any":
                return strip_optional(text)
        return fallback_annotation(param)

    paging = op.get("pagination")
    # The pager sends these; a method that also took them would send them twice.
    paging_params = {paging["offset"], paging["limit"]} if paging else set()
    for q in op["query"]:
        if q["name"] in paging_params:
            continue
        annotation = annotate(q)
        if q.get("type") == "array" and annotation.startswith("list["):
            # One expression may be given alone (filter_by="name==x").
            inner = annotation[len("list[") : -1]
            annotation = f"Union[{inner}, Sequence[{inner}]]"
        query_keyword = Keyword(
            q["py"], q["name"], "query", bool(q.get("required")), False, annotation
        )
        grammar = q.get("filter")
        if isinstance(grammar, dict):
            query_keyword.note = (
                " Each expression is ``<field><operator><value>``; fields: "
                + ", ".join(grammar.get("fields", []))
                + "; operators: "
                + " ".join(grammar.get("operators", []))
                + "."
            )
        method.keywords.append(query_keyword)
    body = op.get("body")
    if body:
        method.body_kind = body["type"]
        method.body_required = bool(body.get("required"))
        schema = gen_types.part_schema(body)
        method.body = as_parameter(gen_types.body_annotation(builder, op) or "Any")
        for f in body.get("fields", []):
            if not isinstance(f.get("schema"), dict):
                found = field_schema(schemas, schema, f["name"])
                f = {**f, "schema": found} if isinstance(found, dict) else f
            file = (op["id"], f["name"]) in FILE_FIELDS
            method.keywords.append(
                Keyword(
                    f["py"],
                    f["name"],
                    "body",
                    bool(f.get("required")),
                    bool(f.get("nullable")),
                    FILE_ARGUMENT if file else as_parameter(annotate(f)),
                    note=FILE_NOTE if file else "",
                    file=file,
                )
            )
    result = op.get("result")
    result_schema = gen_types.part_schema(result) if result else None
    if result_schema is None and result and result.get("kind", "json") == "json":
        result_schema = {k: v for k, v in result.items() if k != "media"}
    if method.returns_list:
        pagination = op.get("pagination") or {}
        method.items_path = tuple(pagination.get("items") or ())
        items = items_schema(schemas, result_schema, list(method.items_path))
        method.returns = (
            builder.annotation(items, name_hint=hint + "Item") if items is not None else "Any"
        )
    elif not result:
        method.returns = "None"
    elif result.get("kind", "json") != "json":
        method.download = result["kind"]
        method.returns = DOWNLOADS[result["kind"]]
        if method.overloaded or method.returns_list:
            raise SystemExit(f"{op['id']}: a download with a required body or a list")
    else:
        method.returns = builder.annotation(result_schema or {}, name_hint=hint + "Result")
        if result.get("optional"):
            method.returns = f"Optional[{method.returns}]"
    taken = {name for name, _ in method.path_params}
    for k in method.keywords:
        clash = k.py in RESERVED or k.py in CALL_OPTIONS or keyword.iskeyword(k.py)
        if clash or k.py in taken or (method.returns_list and k.py in PAGER_OPTIONS):
            raise SystemExit(f"{op['id']}: parameter {k.py!r} clashes with a generated name")
        taken.add(k.py)
    return method


# Docstrings ------------------------------------------------------------------------------


def summary(op: dict[str, Any]) -> str:
    text = (op.get("summary") or "").strip()
    if not text:
        words = re.sub(r"([a-z])([A-Z])", r"\1 \2", op["id"]).replace("_", " ").lower()
        text = f"The {words} operation"
    text = " ".join(text.split())
    return text if text.endswith(".") else text + "."


def docstring(m: Method, *, asynchronous: bool) -> list[str]:
    op = m.op
    lines = [summary(op), "", f"``{op['method']} {op['path']}`` (operation ``{op['id']}``)."]
    if op.get("deprecated"):
        replacement = op.get("replacement")
        instead = f" use ``{replacement}()`` instead" if replacement else " it has no successor"
        lines += ["", f"Deprecated:{instead}; calls warn with DeprecationWarning."]
    lines += ["", "Args:"]
    for (name, annotation), p in zip(m.path_params, op["path_params"]):
        lines.append(f"    {name} ({annotation}, required): path parameter ``{p['name']}``.")
    for k in sorted(m.keywords, key=lambda k: not k.required):
        need = "required" if k.required else "optional"
        if k.required and m.overloaded and k.where == "body":
            need += " unless ``body=`` holds it"
        if k.nullable and not k.required:
            need += "; None sends null"
        place = "query parameter" if k.where == "query" else "body field"
        lines.append(f"    {k.py} ({k.annotation}, {need}): {place} ``{k.wire}``.{k.note}")
    if m.body is not None:
        need = "required" if m.body_required and m.body_kind == "array" else "optional"
        merged = "; keyword fields are merged over it" if m.body_kind == "object" else ""
        lines.append(f"    body ({m.body}, {need}): the raw request body, sent as is{merged}.")
    if m.returns_list and m.paginated:
        limit_name = op["pagination"]["limit"]
        maximum = next((q.get("maximum") for q in op["query"] if q["name"] == limit_name), None)
        bound = f"at most {maximum}" if maximum else "at most the operation's page-size maximum"
        lines += [
            f"    page_size (int, optional): items per request (the core's default; {bound}).",
            "    offset (int, optional): where the walk starts (0 by default).",
        ]
    if m.returns_list:
        lines.append("    max_items (int, optional): stop after this many items.")
    if m.download:
        lines += [
            "    to (str | os.PathLike, optional): a file to stream the body into instead of",
            "        returning it; created or replaced only once the download is complete.",
            "    timeout (float, optional): seconds to wait for the answer (retries",
            "        included), then for each next chunk of the body; the client's by default.",
        ]
    else:
        lines += [
            "    timeout (float, optional): seconds for this call, retries included; the",
            "        client's by default.",
        ]
    if m.download:
        lines += [
            "    max_retries (int, optional): retries for this call, made only before the",
            "        body starts; the client's by default.",
        ]
    else:
        lines.append(
            "    max_retries (int, optional): retries for this call; the client's by default."
        )
    lines += ["", "Returns:"]
    status = op.get("success")
    if m.returns_list:
        pager = "AsyncPager" if asynchronous else "SyncPager"
        where = " > ".join(f"``{k}``" for k in m.items_path) or "the body"
        how = "pages are fetched as it is walked" if m.paginated else "one request"
        lines.append(f"    {pager}[{m.returns}]: the items of {where} ({how}).")
    elif m.download:
        media = (op.get("result") or {}).get("media")
        how = "text" if m.download == "text" else "bytes"
        lines += [
            f"    {m.returns}: the HTTP {status} response body ({media}), as {how}; with",
            "        ``to``, the ``pathlib.Path`` of the file written instead (the body",
            "        goes to a temporary file beside it, renamed when complete: a failed or",
            "        interrupted download leaves no file behind).",
        ]
    elif m.returns == "None":
        lines.append(f"    None: HTTP {status} without a body.")
    else:
        lines.append(f"    {m.returns}: the HTTP {status} response body.")
        if (op.get("result") or {}).get("optional"):
            lines.append("    None when the control plane answers with no body (a 204).")
    lines += ["", "Raises:"]
    errors = op.get("errors")
    if errors is None:
        lines.append("    APIError: the control plane answered with an error status.")
    else:
        by_class: dict[str, list[int]] = {}
        for code in errors:
            by_class.setdefault(error_class(int(code)), []).append(int(code))
        for name, codes in by_class.items():
            lines.append(f"    {name}: HTTP {', '.join(map(str, codes))}.")
    lines += [
        "    APIConnectionError: the control plane could not be reached.",
        "    APITimeoutError: no answer within the timeout.",
        "    TypeError, ValueError: an argument is wrong (nothing is sent).",
    ]
    if m.download:
        lines.append("    OSError: the file given as ``to`` cannot be written.")
    return lines


def wrap_doc(lines: list[str], width: int) -> list[str]:
    """Long lines folded at spaces, continued one level deeper than they start."""
    out: list[str] = []
    for line in lines:
        lead = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(
            line,
            width=width,
            subsequent_indent=lead + INDENT,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
    return out


def quoted_doc(lines: list[str], indent: str) -> list[str]:
    lines = wrap_doc(lines, DOC_WIDTH - len(indent))
    text = [line.replace("\\", "\\\\").replace('"""', r"\"\"\"") for line in lines]
    out = [f'{indent}"""{text[0]}']
    out += [f"{indent}{line}" if line else "" for line in text[1:]]
    out.append(f'{indent}"""')
    return out


# Source ----------------------------------------------------------------------------------


def param_lines(
    m: Method,
    *,
    body_first: bool,
    stub: bool,
    asynchronous: bool,
    to_file: Optional[bool] = None,
) -> list[str]:
    """The parameters of one signature. `body_first`: the overload whose raw body carries
    the required fields; `stub`: an overload (defaults written `...`); `to_file`: for a
    download, the overload with ``to`` (True), without it (False), or the implementation
    that takes both (None)."""

    def default(value: str) -> str:
        return "..." if stub else value

    out = ["self,"]
    out += [f"{name}: {annotation}," for name, annotation in m.path_params]
    out.append("*,")
    keywords = sorted(m.keywords, key=lambda k: not k.required)
    with_body = m.overloaded and body_first
    for k in keywords:
        a = qualify_builtins(k.annotation)
        # The implementation behind overloads takes every body field as optional: the
        # core says which required one is missing from the fields and `body=` together.
        relaxed = k.where == "body" and m.overloaded and (with_body or not stub)
        if k.required and not relaxed:
            out.append(f"{k.py}: {'Optional[' + a + ']' if k.nullable else a},")
        elif k.nullable and k.where == "body":
            out.append(f"{k.py}: Union[{a}, NotGiven, None] = {default('NOT_GIVEN')},")
        else:
            out.append(f"{k.py}: Optional[{a}] = {default('None')},")
    if m.body is not None:
        a = qualify_builtins(m.body)
        if with_body or (m.body_kind == "array" and m.body_required):
            out.append(f"body: {a},")
        elif m.body_kind == "array":
            out.append(f"body: Union[{a}, NotGiven] = {default('NOT_GIVEN')},")
        else:
            out.append(f"body: Optional[{a}] = {default('None')},")
    if m.returns_list:
        names = PAGER_OPTIONS if m.paginated else ("max_items",)
        out += [f"{name}: Optional[int] = {default('None')}," for name in names]
    if m.download:
        if to_file is None:
            out.append(f"to: Optional[{DESTINATION}] = None,")
        elif to_file:
            out.append(f"to: {DESTINATION},")
        else:
            out.append("to: None = None,")
    out += [
        f"timeout: Optional[float] = {default('None')},",
        f"max_retries: Optional[int] = {default('None')},",
    ]
    return out


def return_annotation(m: Method, asynchronous: bool, to_file: Optional[bool] = None) -> str:
    returns = qualify_builtins(m.returns)
    if m.download:
        return {None: f"Union[{returns}, Path]", False: returns, True: "Path"}[to_file]
    if m.returns_list:
        return f"{'AsyncPager' if asynchronous else 'SyncPager'}[{returns}]"
    return returns


def method_source(m: Method, *, asynchronous: bool) -> list[str]:
    i1, i2, i3 = INDENT, INDENT * 2, INDENT * 3
    coroutine = asynchronous and not m.returns_list
    define = "async def" if coroutine else "def"
    returns = return_annotation(m, asynchronous)
    out: list[str] = []
    if m.overloaded:
        for body_first in (False, True):
            out += [f"{i1}@overload", f"{i1}{define} {m.name}("]
            params = param_lines(m, body_first=body_first, stub=True, asynchronous=asynchronous)
            out += [i2 + p for p in params]
            out += [f"{i1}) -> {returns}: ...", ""]
    if m.download:
        for to_file in (False, True):
            out += [f"{i1}@overload", f"{i1}{define} {m.name}("]
            params = param_lines(
                m, body_first=False, stub=True, asynchronous=asynchronous, to_file=to_file
            )
            out += [i2 + p for p in params]
            out += [f"{i1}) -> {return_annotation(m, asynchronous, to_file)}: ...", ""]
        returns = return_annotation(m, asynchronous)
    out.append(f"{i1}{define} {m.name}(")
    params = param_lines(m, body_first=False, stub=False, asynchronous=asynchronous)
    out += [i2 + p for p in params]
    out.append(f"{i1}) -> {returns}:")
    out += quoted_doc(docstring(m, asynchronous=asynchronous), i2)
    op = m.op
    if op.get("deprecated"):
        replacement = op.get("replacement")
        instead = f"; use {replacement}() instead" if replacement else ""
        message = f"{m.where}() calls a deprecated operation ({op['id']}){instead}"
        out += [
            f"{i2}warnings.warn(",
            f"{i3}{json.dumps(message)},",
            f"{i3}DeprecationWarning,",
            f"{i3}stacklevel=2,",
            f"{i2})",
        ]
    args = "(" + ", ".join(name for name, _ in m.path_params) + ")"
    if len(m.path_params) == 1:
        args = f"({m.path_params[0][0]},)"
    given = [k for k in m.keywords if not (k.nullable and k.where == "body")]
    pending = [k.py for k in m.keywords if k.nullable and k.where == "body"]
    entries = [
        f'"{k.py}": _encoded_file("{m.where}", "{k.py}", {k.py})' if k.file else f'"{k.py}": {k.py}'
        for k in given
    ]
    if m.body is not None:
        if m.body_kind == "array" and not m.body_required:
            pending.append("body")
        else:
            entries.append('"body": body')
    out.append(f"{i2}_kw: dict[str, Any] = {{" + ", ".join(entries) + "}")
    for name in pending:
        out += [f"{i2}if {name} is not NOT_GIVEN:", f"{i3}_kw[{json.dumps(name)}] = {name}"]
    if m.returns_list:
        pager = "AsyncPager" if asynchronous else "SyncPager"
        page_args = (
            ("page_size", "max_items", "offset") if m.paginated else ("None", "max_items", "None")
        )
        out += [
            f"{i2}return {pager}(",
            f"{i3}self._client,",
            f'{i3}"{op["id"]}",',
            f'{i3}"{m.where}",',
            f"{i3}{args},",
            f"{i3}_kw,",
            *(f"{i3}{a}," for a in page_args),
            f"{i3}timeout,",
            f"{i3}max_retries,",
        ]
        if m.count is not None:
            shared = ", ".join(f'"{name}"' for name in m.count[1])
            shared += "," if len(m.count[1]) == 1 else ""
            out.append(f'{i3}("{m.count[0]}", ({shared})),')
        out.append(f"{i2})")
    elif m.download:
        send = "await self._client._core_client().download"
        send = f"{send}_async" if coroutine else send.replace("await ", "")
        out += [
            f"{i2}return {send}(",
            f'{i3}"{op["id"]}", {args}, _kw, to, timeout=timeout, max_retries=max_retries',
            f"{i2})",
        ]
    else:
        send = "await self._client._core_client().call_async" if coroutine else None
        send = send or "self._client._core_client().call"
        out += [
            f"{i2}return {send}(",
            f'{i3}"{op["id"]}", {args}, _kw, timeout=timeout, max_retries=max_retries',
            f"{i2})",
        ]
    return out


def pair_counts(methods: list[Method]) -> None:
    """Give each list its count: ``list`` ↔ ``count``, ``list_in_cluster`` ↔
    ``count_in_cluster``, when both take the same path parameters."""
    by_name = {m.name: m for m in methods}
    for m in methods:
        if not (m.returns_list and m.name.startswith("list")):
            continue
        counter = by_name.get("count" + m.name[len("list") :])
        if counter is None or counter.returns_list or counter.path_params != m.path_params:
            continue
        listed = {k.py for k in m.keywords}
        shared = tuple(k.py for k in counter.keywords if k.py in listed)
        m.count = (counter.op["id"], shared)


def class_name(namespace: str, asynchronous: bool) -> str:
    return ("Async" if asynchronous else "") + pascal(namespace) + "Namespace"


def render(catalogue: dict[str, Any], builder: Any) -> str:
    schemas = catalogue["schemas"]
    grouped: dict[str, list[Method]] = {}
    for op in catalogue["operations"]:
        if op.get("exposed"):
            grouped.setdefault(op["namespace"], []).append(build_method(op, builder, schemas))
    for methods in grouped.values():
        methods.sort(key=lambda m: m.name)
        pair_counts(methods)
    typed = set(builder.names())
    body: list[str] = []
    used_types: set[str] = set()
    for asynchronous in (False, True):
        for namespace in sorted(grouped):
            methods = grouped[namespace]
            kind = "asyncio" if asynchronous else "blocking"
            body += ["", ""]
            body.append(f"class {class_name(namespace, asynchronous)}(Namespace):")
            body.append(f'{INDENT}"""``client.{namespace}`` of the {kind} client."""')
            body.append(f"{INDENT}__slots__ = ()")
            for m in methods:
                body.append("")
                body += method_source(m, asynchronous=asynchronous)
        # Namespaces of namespaces (`legacy.clusters`): a group holds its members.
        groups: dict[str, list[str]] = {}
        for namespace in sorted(grouped):
            *parents, leaf = namespace.split(".")
            for depth in range(len(parents)):
                parent = ".".join(parents[: depth + 1])
                child = ".".join(parents[: depth + 2]) if depth + 1 < len(parents) else namespace
                groups.setdefault(parent, [])
                if child not in groups[parent]:
                    groups[parent].append(child)
        for group in sorted(groups, key=lambda g: -g.count(".")):
            name = class_name(group, asynchronous)
            body += ["", ""]
            body.append(f"class {name}:")
            body.append(f'{INDENT}"""``client.{group}``: a group of namespaces."""')
            body.append("")
            for child in groups[group]:
                leaf = child.rsplit(".", 1)[-1]
                body.append(f"{INDENT}{leaf}: {class_name(child, asynchronous)}")
            body += ["", f"{INDENT}def __init__(self, client: BaseClient) -> None:"]
            for child in groups[group]:
                leaf = child.rsplit(".", 1)[-1]
                body.append(f"{INDENT * 2}self.{leaf} = {class_name(child, asynchronous)}(client)")
            body += ["", f"{INDENT}def __repr__(self) -> str:"]
            body.append(f'{INDENT * 2}return "<namespace {group}>"')
        top = sorted({ns.split(".")[0] for ns in grouped})
        mixin = "_AsyncClientNamespaces" if asynchronous else "_ClientNamespaces"
        body += ["", ""]
        body.append(f"class {mixin}(BaseClient):")
        kind = "AsyncClient" if asynchronous else "Client"
        body.append(f'{INDENT}"""The namespaces of ``{kind}``."""')
        body.append("")
        body += [f"{INDENT}{leaf}: {class_name(leaf, asynchronous)}" for leaf in top]
        body += ["", f"{INDENT}def _bind_namespaces(self) -> None:"]
        body += [
            f"{INDENT * 2}self.{leaf} = {class_name(leaf, asynchronous)}(self)" for leaf in top
        ]
    text = "\n".join(body)
    for name in re.findall(r"\b[A-Z]\w*\b", text):
        if name in typed:
            used_types.add(name)

    def uses(name: str) -> bool:
        return re.search(rf"(?<![\w.]){name}\b", text) is not None

    runtime = ", ".join(n for n in ("Any", "Optional", "Union", "overload") if uses(n))
    base_names = ", ".join(
        n
        for n in ("NOT_GIVEN", "BaseClient", "Namespace", "NotGiven", "_encoded_file")
        if n != "_encoded_file" or uses(n)
    )
    downloads = uses("Path")
    paths = "os.PathLike" in text
    checking = ", ".join(n for n in ("Dict", "List", "Literal") if uses(n))
    head = [
        '"""The namespaces of both clients, one method per exposed operation.',
        "",
        "Generated by scripts/gen_python.py from the operation catalogue; do not edit by hand.",
        "Regenerate with `make catalogue`.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import warnings",
        f"from typing import TYPE_CHECKING, {runtime}",
        "",
        f"from ._base import {base_names}",
        "from .pagination import AsyncPager, SyncPager",
        "",
        "if TYPE_CHECKING:",
    ]
    if paths:
        head.append(f"{INDENT}import os")
    if uses("Sequence"):
        head.append(f"{INDENT}from collections.abc import Sequence")
    if downloads:
        head.append(f"{INDENT}from pathlib import Path")
    if checking:
        head.append(f"{INDENT}from typing import {checking}")
    if used_types:
        head += ["", f"{INDENT}from .types import ("]
        head += [f"{INDENT * 2}{name}," for name in sorted(used_types, key=str.lower)]
        head.append(f"{INDENT})")
    head += [
        "",
        "__all__ = [",
        *sorted(
            f'{INDENT}"{class_name(ns, a)}",'
            for ns in {*grouped, *(g for ns in grouped for g in _parents(ns))}
            for a in (False, True)
        ),
        "]",
    ]
    return "\n".join(head) + "\n" + text + "\n"


def _parents(namespace: str) -> list[str]:
    parts = namespace.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def generate(catalogue: dict[str, Any]) -> dict[Path, str]:
    builder = type_builder(catalogue)
    out = {NAMESPACES: render(catalogue, builder)}
    types = builder.render()
    if types is not None:
        out[TYPES] = types
    return out


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if an output is stale")
    args = parser.parse_args(argv)
    catalogue = json.loads(CATALOGUE.read_text())
    stale = []
    for path, text in generate(catalogue).items():
        current = path.read_text() if path.is_file() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale: {', '.join(stale)}; run `make catalogue`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

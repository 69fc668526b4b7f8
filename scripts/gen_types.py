"""Generate python/runai_admin/types.py: one TypedDict per schema a result or a request body
of the exposed operations needs, from the operation catalogue's component schemas.

Results are plain dicts with the wire's camelCase keys; these TypedDicts describe them for
type checkers. Keys the schema requires are plain, the others `NotRequired`.

    python scripts/gen_types.py [--check] [--every-schema]

`--check` writes nothing and fails when the checked-in module is stale. `--every-schema`
also covers the operations not exposed yet and every schema of the catalogue (printed, not
written; the tests use it to prove that the whole catalogue can be typed).

The stub generator (scripts/gen_python.py) builds on this module: `build(catalogue)` gives
the TypeBuilder that types.py is rendered from, and `TypeBuilder.annotation()` gives the
annotation source of any schema node (parameters, body fields, results). Annotations name
TypedDicts without quotes; the rendered module quotes the forward references it needs.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "crates" / "core" / "src" / "api" / "catalogue.json"
OUTPUT = ROOT / "python" / "runai_admin" / "types.py"

LINE_LENGTH = 100
INDENT = "    "
REF_PREFIX = "#/components/schemas/"
SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# Names the generated module imports: no TypedDict may take them.
RESERVED = {"Any", "Literal", "NotRequired", "Optional", "TypedDict", "Union"}
# Schema keywords that change nothing for a type checker: two inline objects that differ
# only in these are one TypedDict.
NOT_TYPING = {
    "description",
    "example",
    "examples",
    "title",
    "default",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
}


# An annotation is a small tree, so that the rendered module can quote forward references
# and wrap long lines the way ruff format does.
@dataclass(frozen=True)
class Atom:
    """A name from typing or builtins, or a literal value (`str`, `Any`, `"Connected"`)."""

    text: str


@dataclass(frozen=True)
class Ref:
    """A TypedDict of the generated module."""

    name: str


@dataclass(frozen=True)
class Sub:
    """A subscription: `list[X]`, `Optional[X]`, `Literal["a", "b"]`, ..."""

    head: str
    args: tuple[Expr, ...]


Expr = Union[Atom, Ref, Sub]
Schema = dict[str, Any]  # a JSON schema node
ANY = Atom("Any")
NONE = Atom("None")


@dataclass
class Field:
    key: str
    expr: Expr
    required: bool


@dataclass
class TypedDictDef:
    name: str
    fields: list[Field]


def pascal(text: str) -> str:
    """`legacy.clusters list` -> `LegacyClustersList`, `nodepoolName` -> `NodepoolName`."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    name = "".join(w[0].upper() + w[1:] for w in words) or "Schema"
    return name if name[0].isalpha() else "T" + name


def is_identifier(key: str) -> bool:
    """A key usable as a TypedDict class attribute: an identifier, no keyword, and not
    `__private` (class bodies mangle those names)."""
    if not key.isidentifier() or keyword.iskeyword(key):
        return False
    return not (key.startswith("__") and not key.endswith("__"))


def is_class_name(name: str) -> bool:
    return is_identifier(name) and name[0].isupper() and name not in RESERVED


def canonical(node: Any) -> str:
    """The schema node without the keywords that do not change its type."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in NOT_TYPING}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(node), sort_keys=True)


def is_empty(node: Any) -> bool:
    """A node that says nothing about the value (`{}`, or only prose)."""
    return isinstance(node, dict) and not json.loads(canonical(node))


def py_literal(value: Any) -> str | None:
    """Python source of an enum value usable in `Literal[...]`, or None (floats, objects)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:
            text = '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
    return None


def optional(expr: Expr) -> Expr:
    """`expr` or None: `Optional[X]`, with None folded into Literal and Union."""
    if expr in (ANY, NONE):
        return expr
    if isinstance(expr, Sub):
        if expr.head == "Optional":
            return expr
        if expr.head in ("Literal", "Union"):
            return expr if NONE in expr.args else Sub(expr.head, (*expr.args, NONE))
    return Sub("Optional", (expr,))


def union(members: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for member in members:
        parts = member.args if isinstance(member, Sub) and member.head == "Union" else (member,)
        if isinstance(member, Sub) and member.head == "Optional":
            parts = (*member.args, NONE)
        for part in parts:
            if part not in flat:
                flat.append(part)
    if ANY in flat:
        return ANY
    if NONE in flat and len(flat) > 1:
        flat.remove(NONE)
        return optional(union(flat))
    return flat[0] if len(flat) == 1 else Sub("Union", tuple(flat))


class TypeBuilder:
    """Annotations for OpenAPI 3.0 schema nodes, and the TypedDicts they need.

    Component schemas that are objects (with properties, or an allOf of objects) become
    TypedDicts named after the schema; inline objects become TypedDicts named from the hint
    given with them, or from the property, item or branch they stand for. An inline object
    met again (same shape) keeps the name it was first given.
    """

    def __init__(self, schemas: dict[str, Schema]) -> None:
        self.schemas = schemas
        self._classes: dict[str, TypedDictDef] = {}
        self._taken: set[str] = set(RESERVED)
        self._component_names = self._name_components(schemas)
        self._taken.update(self._component_names.values())
        self._component_exprs: dict[str, Expr] = {}
        self._resolving: set[str] = set()
        self._inline: dict[str, str] = {}

    # The interface ---------------------------------------------------------------

    def annotation(self, schema: Schema, *, name_hint: str) -> str:
        """Python annotation source for a schema node; registers the TypedDicts it needs."""
        return flat_source(self.expr(schema, name_hint=name_hint), quote=frozenset())

    def names(self) -> list[str]:
        """Every TypedDict registered so far."""
        return sorted(self._classes)

    def render(self) -> str:
        """The source of python/runai_admin/types.py for what is registered."""
        return render_module(self._classes)

    # Naming ----------------------------------------------------------------------

    @staticmethod
    def _name_components(schemas: dict[str, Schema]) -> dict[str, str]:
        """Schema name -> class name. Names that are already PascalCase identifiers stay;
        the others are PascalCased, with the first free number appended on a clash."""
        names = {s: s for s in schemas if is_class_name(s)}
        taken = set(names.values()) | RESERVED
        for schema in sorted(s for s in schemas if s not in names):
            names[schema] = _free_name(pascal(schema), taken)
            taken.add(names[schema])
        return names

    def _inline_name(self, node: Schema, hint: str) -> tuple[str, bool]:
        """The class name of an inline object, and whether it is new. Its nullability is
        not part of its shape (it is `Optional[...]` around the name)."""
        key = canonical({k: v for k, v in node.items() if k != "nullable"})
        if key in self._inline:
            return self._inline[key], False
        name = _free_name(pascal(hint), self._taken)
        self._taken.add(name)
        self._inline[key] = name
        return name, True

    # Schema nodes -> annotations -------------------------------------------------

    def expr(self, schema: Any, *, name_hint: str) -> Expr:
        """The annotation tree of a schema node (see `annotation`)."""
        if not isinstance(schema, dict):
            return ANY
        node = dict(schema)
        if isinstance(node.get("items"), str):  # the catalogue's flattened parameters
            node["items"] = {"type": node["items"]}
        expr = self._expr(node, name_hint)
        if node.get("nullable") is True:
            expr = optional(expr)
        return expr

    def _expr(self, node: Schema, hint: str) -> Expr:
        if isinstance(node.get("$ref"), str):
            return self._ref(node["$ref"])
        if isinstance(node.get("allOf"), list):
            return self._all_of(node, hint, None)
        for key in ("oneOf", "anyOf"):
            if isinstance(node.get(key), list) and node[key]:
                return union(
                    [
                        self.expr(branch, name_hint=f"{hint}Variant{i}")
                        for i, branch in enumerate(node[key], 1)
                    ]
                )
        types = node.get("type")
        types = types if isinstance(types, list) else [types]
        if "enum" in node and isinstance(node["enum"], list) and node["enum"]:
            values = [py_literal(v) for v in node["enum"]]
            if all(v is not None for v in values):
                return Sub("Literal", tuple(Atom(v) for v in dict.fromkeys(values) if v))
        members: list[Expr] = []
        for typ in types:
            if typ in SCALARS:
                members.append(Atom(SCALARS[typ]))
            elif typ == "null":
                members.append(NONE)
            elif typ == "array" or (typ is None and "items" in node):
                item = self.expr(node.get("items"), name_hint=hint + "Item")
                members.append(Sub("list", (item,)))
            elif (
                typ == "object"
                or (typ is None and _properties(node))
                or "additionalProperties" in node
            ):
                members.append(self._object(node, hint))
            else:
                members.append(ANY)
        return union(members)

    def _object(self, node: Schema, hint: str) -> Expr:
        if _properties(node):
            name, new = self._inline_name(node, hint)
            if new:
                self._register(name, node)
            return Ref(name)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and not is_empty(extra):
            return Sub("dict", (Atom("str"), self.expr(extra, name_hint=hint + "Value")))
        return Sub("dict", (Atom("str"), ANY))

    def _ref(self, ref: str) -> Expr:
        name = ref[len(REF_PREFIX) :] if ref.startswith(REF_PREFIX) else None
        if name is None or name not in self.schemas:
            return ANY
        if name in self._component_exprs:
            return self._component_exprs[name]
        schema = self.schemas[name]
        class_name = self._component_names[name]
        if self._is_class(schema):
            expr: Expr = Ref(class_name)
            self._component_exprs[name] = optional(expr) if schema.get("nullable") else expr
            if isinstance(schema.get("allOf"), list):
                self._all_of(schema, class_name, class_name)
            else:
                self._register(class_name, schema)
            return self._component_exprs[name]
        if name in self._resolving:  # a schema that contains itself, not through an object
            return ANY
        self._resolving.add(name)
        expr = self.expr(schema, name_hint=class_name)
        self._resolving.discard(name)
        self._component_exprs[name] = expr
        return expr

    def _is_class(self, schema: Any) -> bool:
        """Whether a component schema becomes a TypedDict of its own name."""
        if not isinstance(schema, dict):
            return False
        if isinstance(schema.get("allOf"), list):
            return self._all_of_parts(schema) is not None
        if isinstance(schema.get("$ref"), str) or schema.get("oneOf") or schema.get("anyOf"):
            return False
        if schema.get("type") not in (None, "object"):
            return False
        return bool(_properties(schema))

    # allOf -----------------------------------------------------------------------

    def _all_of_parts(self, node: Schema) -> Schema | None:
        """The merged object of an allOf (properties and required of every branch, through
        references), or None when it is not an object, or only passes one branch on."""
        parts = [p for p in node["allOf"] if not is_empty(p)]
        if len(parts) == 1 and not _properties(node):
            return None
        merged: Schema = {"properties": {}, "required": []}
        found = self._merge_into(merged, node, set(), depth=0)
        return merged if found and merged["properties"] else None

    def _merge_into(self, merged: Schema, node: Any, seen: set[str], depth: int) -> bool:
        """Adds an object-like node's properties and required keys; False if not an object."""
        if not isinstance(node, dict) or depth > 32:
            return False
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref[len(REF_PREFIX) :] if ref.startswith(REF_PREFIX) else ""
            if name in seen or name not in self.schemas:
                return False
            return self._merge_into(merged, self.schemas[name], seen | {name}, depth + 1)
        found = False
        if isinstance(node.get("allOf"), list):
            for part in node["allOf"]:
                found = self._merge_into(merged, part, seen, depth + 1) or found
        if node.get("type") == "object" or _properties(node):
            found = True
        for key, sub in _properties(node).items():
            if key not in merged["properties"] or not is_empty(sub):
                merged["properties"][key] = sub
        for key in _required(node):
            if key not in merged["required"]:
                merged["required"].append(key)
        return found

    def _all_of(self, node: Schema, hint: str, class_name: str | None) -> Expr:
        merged = self._all_of_parts(node)
        if merged is None:
            # One branch passed on (`allOf: [$ref]` with prose), or no object at all: the
            # first branch that says a type.
            parts = [p for p in node["allOf"] if not is_empty(p)]
            typed = [p for p in parts if not _only_constraints(p)] or parts
            return self.expr(typed[0], name_hint=hint) if typed else ANY
        if class_name is not None:
            self._register(class_name, merged)
            return Ref(class_name)
        name, new = self._inline_name(node, hint)
        if new:
            self._register(name, merged)
        return Ref(name)

    # TypedDicts --------------------------------------------------------------------

    def _register(self, name: str, node: Schema) -> None:
        """Registers the TypedDict `name` for an object node (properties and required)."""
        definition = TypedDictDef(name, [])
        self._classes[name] = definition  # first, so that recursive schemas find it
        properties = _properties(node)
        required = _required(node)
        for key, sub in properties.items():
            expr = self.expr(sub, name_hint=name + pascal(key))
            definition.fields.append(Field(key, expr, key in required))
        for key in required:
            if key not in properties:
                definition.fields.append(Field(key, ANY, True))


def _properties(node: Schema) -> dict[str, Any]:
    props = node.get("properties")
    return props if isinstance(props, dict) else {}


def _required(node: Schema) -> list[str]:
    required = node.get("required")
    return [k for k in required if isinstance(k, str)] if isinstance(required, list) else []


def _only_constraints(node: Any) -> bool:
    """An allOf branch that only narrows (`{"minimum": 1}`) without saying a type."""
    if not isinstance(node, dict):
        return True
    typing_keys = {"$ref", "type", "properties", "items", "enum", "allOf", "oneOf", "anyOf"}
    return not (typing_keys & set(node))


def _free_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}{n}" in taken:
        n += 1
    return f"{name}{n}"


# Rendering -------------------------------------------------------------------------

HEADER = '''\
"""TypedDicts for the request bodies and results of the Run:ai Administrator API.

Generated by scripts/gen_types.py from the operation catalogue; do not edit by hand.
Regenerate with `python scripts/gen_types.py`.

Results are plain dicts with the wire's camelCase keys, and may carry keys that are not
listed here. Keys a schema requires are plain; the others are `NotRequired`. The package
never imports this module at run time; import it under `typing.TYPE_CHECKING`, or directly
(it needs typing_extensions).
"""
'''


def flat_source(expr: Expr, quote: frozenset[str]) -> str:
    """One-line source; references in `quote` (not yet defined) are quoted."""
    if isinstance(expr, Atom):
        return expr.text
    if isinstance(expr, Ref):
        return f'"{expr.name}"' if expr.name in quote else expr.name
    return f"{expr.head}[{', '.join(flat_source(a, quote) for a in expr.args)}]"


def wrapped(prefix: str, expr: Expr, suffix: str, depth: int, quote: frozenset[str]) -> list[str]:
    """Lines of `prefix expr suffix` at an indentation depth, split at brackets as ruff
    format does when the line is longer than LINE_LENGTH."""
    indent = INDENT * depth
    line = indent + prefix + flat_source(expr, quote) + suffix
    if len(line) <= LINE_LENGTH or not isinstance(expr, Sub):
        return [line]
    lines = [indent + prefix + expr.head + "["]
    inner = INDENT * (depth + 1)
    if len(expr.args) == 1:
        lines += wrapped("", expr.args[0], "", depth + 1, quote)
    else:
        joined = inner + ", ".join(flat_source(a, quote) for a in expr.args)
        if len(joined) <= LINE_LENGTH:
            lines.append(joined)
        else:
            for arg in expr.args:
                lines += wrapped("", arg, ",", depth + 1, quote)
    lines.append(indent + "]" + suffix)
    return lines


def field_expr(field: Field) -> Expr:
    return field.expr if field.required else Sub("NotRequired", (field.expr,))


def references(expr: Expr) -> list[str]:
    if isinstance(expr, Ref):
        return [expr.name]
    if isinstance(expr, Sub):
        return [name for arg in expr.args for name in references(arg)]
    return []


def heads(expr: Expr) -> set[str]:
    if isinstance(expr, Sub):
        return {expr.head}.union(*(heads(a) for a in expr.args))
    return {expr.text} if isinstance(expr, Atom) else set()


def class_order(classes: dict[str, TypedDictDef]) -> list[str]:
    """Dependencies first where the graph allows it (cycles are quoted), then by name."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        deps = {d for f in classes[name].fields for d in references(f.expr) if d in classes}
        for dep in sorted(deps):
            visit(dep)
        order.append(name)

    for name in sorted(classes):
        visit(name)
    return order


def render_class(definition: TypedDictDef, quote: frozenset[str]) -> list[str]:
    if all(is_identifier(f.key) for f in definition.fields):
        lines = [f"class {definition.name}(TypedDict):"]
        for f in definition.fields:
            lines += wrapped(f"{f.key}: ", field_expr(f), "", 1, quote)
        return lines
    # Keys that cannot be attribute names: the functional form.
    lines = [f"{definition.name} = TypedDict(", f'{INDENT}"{definition.name}",', INDENT + "{"]
    for f in definition.fields:
        key = py_literal(f.key)
        lines += wrapped(f"{key}: ", field_expr(f), ",", 2, quote)
    lines += [INDENT + "},", ")"]
    return lines


def render_module(classes: dict[str, TypedDictDef]) -> str:
    order = class_order(classes)
    used: set[str] = set()
    for definition in classes.values():
        for f in definition.fields:
            used |= heads(field_expr(f))
    typing_names = sorted(used & {"Any", "Literal", "Optional", "Union"})
    extensions = sorted({"TypedDict"} | (used & {"NotRequired"}))
    out = [HEADER, "\n"]
    if typing_names:
        out.append(f"from typing import {', '.join(typing_names)}\n\n")
    out.append(f"from typing_extensions import {', '.join(extensions)}\n")
    pending = frozenset(classes)
    for name in order:
        pending = pending - {name}
        # A class body is evaluated when the class is made: names made later are quoted,
        # and so is the class's own name.
        quote = pending | {name}
        out.append("\n\n" + "\n".join(render_class(classes[name], frozenset(quote))) + "\n")
    return "".join(out)


# The catalogue ------------------------------------------------------------------------


def operation_hint(op: Schema) -> str:
    """The name stem of an operation's inline types: `projects` `list` -> `ProjectsList`."""
    return pascal(f"{op['namespace']} {op['name']}")


def part_schema(part: Schema) -> Schema | None:
    """The structural schema of a catalogue body or result entry: a reference to a named
    schema, or the inline one."""
    if part.get("schema"):
        return {"$ref": REF_PREFIX + part["schema"]}
    inline = part.get("inline")
    return inline if isinstance(inline, dict) else None


def body_annotation(builder: TypeBuilder, op: Schema) -> str | None:
    """The annotation of an operation's request body, or None when it takes none."""
    body = op.get("body")
    if not body:
        return None
    return builder.annotation(part_schema(body) or {}, name_hint=operation_hint(op) + "Body")


def result_annotation(builder: TypeBuilder, op: Schema) -> str | None:
    """The annotation of an operation's JSON result, or None when it has none (no content,
    or text, bytes or files)."""
    result = op.get("result")
    if not result or result.get("kind", "json") != "json":
        return None
    return builder.annotation(part_schema(result) or {}, name_hint=operation_hint(op) + "Result")


def naming_order(operations: list[Schema]) -> list[Schema]:
    """The operations in the order they name shapes: current ones first, so that a
    deprecated former name sharing a shape (user_applications.regenerate_secret and
    access_keys') does not rename its class."""
    return sorted(operations, key=lambda op: bool(op.get("deprecated")))


def build(catalogue: Schema, *, every_schema: bool = False) -> TypeBuilder:
    """The builder holding the bodies and results of the exposed operations (with
    `every_schema`, of every operation, and every schema of the catalogue)."""
    builder = TypeBuilder(catalogue["schemas"])
    for op in naming_order(catalogue["operations"]):
        if op.get("exposed") or every_schema:
            body_annotation(builder, op)
            result_annotation(builder, op)
    if every_schema:
        for name in sorted(catalogue["schemas"]):
            builder.annotation({"$ref": REF_PREFIX + name}, name_hint=name)
    return builder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if types.py is stale")
    parser.add_argument(
        "--every-schema", action="store_true", help="print a module typing every schema"
    )
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    catalogue = json.loads(args.catalogue.read_text())
    source = build(catalogue, every_schema=args.every_schema).render()
    if args.every_schema:
        sys.stdout.write(source)
        return 0
    current = args.output.read_text() if args.output.is_file() else None
    if args.check:
        if current != source:
            print(f"{args.output.name} is stale: run python scripts/gen_types.py", file=sys.stderr)
            return 1
        return 0
    if current != source:
        args.output.write_text(source)
    return 0


if __name__ == "__main__":
    sys.exit(main())

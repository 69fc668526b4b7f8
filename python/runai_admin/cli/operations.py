"""``runai-admin <namespace> <verb>``: every exposed operation of the catalogue the core
embeds, as a command. Nothing here names an operation: namespaces, verbs, parameters,
their types and the help come from the catalogue at run time, so that a new operation is a
new command without a line written here.

Names are the Python face's in kebab-case: ``client.node_pools.list_in_cluster`` is
``runai-admin node-pools list-in-cluster``, and a nested namespace is a word per level:
``client.legacy.clusters.list`` is ``runai-admin legacy clusters list``. Path parameters
are positional (in the path's order) or flags; query parameters and the fields of an
object body are flags; a whole body is ``--body``.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

from .. import _core
from .output import FORMATS, emit

__all__ = ["Group", "add_namespaces", "kebab", "normalised", "tree"]

Formatter = argparse.RawDescriptionHelpFormatter
#: Choices shown in the usage line; more go to the help as CHOICE.
SHORT_CHOICES = 5
DESCRIPTION_WIDTH = 79
#: A namespace's line in the top-level help fits one line of an 80-column terminal.
SUMMARY_WIDTH = 54


def kebab(name: str) -> str:
    return name.replace("_", "-")


class Group:
    """A namespace (``projects``) or a group of namespaces (``legacy``): the groups under
    it and its operations, by their command words."""

    __slots__ = ("groups", "namespace", "operations")

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.groups: dict[str, Group] = {}
        self.operations: dict[str, dict[str, Any]] = {}

    def all_operations(self) -> list[dict[str, Any]]:
        found = list(self.operations.values())
        for group in self.groups.values():
            found += group.all_operations()
        return found


@lru_cache(maxsize=1)
def tree() -> Group:
    """The exposed operations, as command words, in the catalogue's order."""
    root = Group("")
    for op in json.loads(_core.catalogue_json())["operations"]:
        if not op["exposed"]:
            continue
        node = root
        parts = op["namespace"].split(".")
        for depth, part in enumerate(parts):
            node = node.groups.setdefault(kebab(part), Group(".".join(parts[: depth + 1])))
        node.operations[kebab(op["name"])] = op
    return root


def normalised(argv: list[str]) -> tuple[list[str], list[str]]:
    """``argv`` with its command words in kebab-case (``node_pools`` is taken for
    ``node-pools``), and those words: the namespaces and the verb given, which are the
    only parsers built in full."""
    out, words = list(argv), []
    group: Optional[Group] = tree()
    for i, token in enumerate(out):
        if token == "--" or group is None:
            break
        if token.startswith("-"):
            continue
        word = kebab(token)
        if word in group.groups or word in group.operations:
            out[i] = word
        words.append(out[i])
        group = group.groups.get(word)
    return out, words


# Help ------------------------------------------------------------------------------------


def _sentence(text: Optional[str]) -> str:
    return " ".join((text or "").split()).rstrip(".")


def group_summary(group: Group) -> str:
    """One line: what the namespace is about and its first verbs, or its namespaces."""
    ops = group.all_operations()
    about = sorted({op["tag"] for op in ops}, key=len)[0] if not group.groups else ops[0]["group"]
    names = list(group.groups) if group.groups else list(group.operations)
    count = f" ({len(names)})"
    room = SUMMARY_WIDTH - len(about) - len(count) - len(": , …")
    shown = ""
    for name in names:
        if shown and len(shown) + len(name) + 2 > room:
            shown += ", …"
            break
        shown += (", " if shown else "") + name
    return f"{about}: {shown}{count}"


def verb_summary(op: dict[str, Any]) -> str:
    text = _sentence(op.get("summary")) or op["id"]
    return f"{text} (deprecated)" if op.get("deprecated") else text


def _replacement(op: dict[str, Any]) -> Optional[str]:
    """The command a deprecated operation's successor is (``runai-admin projects list``)."""
    replacement = op.get("replacement")
    if not replacement:
        return None
    return "runai-admin " + " ".join(kebab(part) for part in str(replacement).split("."))


def _description(op: dict[str, Any], paginated: bool) -> str:
    lines = [
        (_sentence(op.get("summary")) or op["id"]) + ".",
        "",
        f"{op['method']} {op['path']}  (operation {op['id']})",
    ]
    if op.get("deprecated"):
        instead = _replacement(op)
        lines.append(f"Deprecated: use `{instead}` instead." if instead else "Deprecated.")
    if op.get("returns_list"):
        lines.append(
            "Prints every item"
            + (", fetching page after page," if paginated else "")
            + " unless --max-items says fewer."
        )
    body = op.get("body")
    if body:
        merged = "; the field flags are merged over it" if body["type"] == "object" else ""
        lines.append(
            "The request body: --body @FILE.json, --body - (standard input) or"
            f" --body 'JSON'{merged}."
        )
    return "\n".join(textwrap.fill(line, DESCRIPTION_WIDTH) if line else "" for line in lines)


def _help(text: str) -> str:
    return text.replace("%", "%%")  # argparse formats help with %


# Parameters ------------------------------------------------------------------------------


class Param(NamedTuple):
    """A parameter of an operation: its keyword in the Python face, where it goes, and the
    attribute the parsed arguments hold it in."""

    py: str
    where: str  # "path", "query" or "body"
    dest: str
    required: bool


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not JSON ({e})") from None


def body_value(text: str) -> Any:
    """``--body``: ``@path`` reads a file, ``-`` standard input, anything else is JSON."""
    if text == "-":
        source, where = sys.stdin.read(), "standard input"
    elif text.startswith("@"):
        path = Path(text[1:]).expanduser()
        try:
            source, where = path.read_text(encoding="utf-8"), str(path)
        except OSError as e:
            raise argparse.ArgumentTypeError(f"cannot read {path}: {e.strerror}") from None
    else:
        source, where = text, "the text given"
    try:
        return json.loads(source)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{where} is not JSON ({e})") from None


def _kind(param: dict[str, Any], file: bool = False) -> tuple[dict[str, Any], str]:
    """The ``add_argument`` settings of a parameter's wire type, and the type's name."""
    kind = param.get("type") or "any"
    enum = param.get("enum")
    schema: dict[str, Any] = param["schema"] if isinstance(param.get("schema"), dict) else {}
    if enum:
        listed = "one of: " + ", ".join(map(str, enum))
        if all(isinstance(v, str) for v in enum):
            # A long list of choices reads better in the help than in the usage line.
            short = len(enum) <= SHORT_CHOICES
            return {"choices": enum, **({} if short else {"metavar": "CHOICE"})}, listed
        return {"type": _json_value, "choices": enum, "metavar": "JSON"}, listed
    if kind == "integer":
        return {"type": int, "metavar": "INT"}, "integer"
    if kind == "number":
        return {"type": float, "metavar": "NUMBER"}, "number"
    if kind == "boolean":
        return {"action": argparse.BooleanOptionalAction}, "boolean"
    if kind == "string":
        return {"metavar": "PATH" if file else "TEXT"}, "a file's path" if file else "string"
    if kind == "array" and param.get("items") == "string":
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        choices = items.get("enum")
        settings: dict[str, Any] = {"action": "append", "metavar": "TEXT"}
        if choices:
            settings.update(choices=choices, metavar="CHOICE")
            return settings, "repeat the flag for each; one of: " + ", ".join(map(str, choices))
        return settings, "strings, repeat the flag for each"
    return {"type": _json_value, "metavar": "JSON"}, f"{kind} as JSON"


def _file_fields(op: dict[str, Any]) -> set[str]:
    """The body fields the Python face takes as a file (its bytes or its path) and sends
    base64-encoded, read from the generated method's annotations."""
    import re

    from .. import _namespaces

    words = [w for w in re.split(r"[^0-9A-Za-z]+", op["namespace"]) if w]
    namespace = getattr(_namespaces, "".join(w[0].upper() + w[1:] for w in words) + "Namespace")
    annotations = getattr(getattr(namespace, op["name"]), "__annotations__", {})
    return {name for name, a in annotations.items() if name != "to" and "PathLike" in str(a)}


def _param_help(param: dict[str, Any], where: str, type_name: str, note: str = "") -> str:
    parts = [f"{where} {param['name']}", type_name]
    if "default" in param:
        parts.append(f"default {json.dumps(param['default'])}")
    grammar = param.get("filter")
    if isinstance(grammar, dict):
        parts.append(
            "each FIELD OPERATOR VALUE; fields: "
            + ", ".join(grammar.get("fields", []))
            + "; operators: "
            + " ".join(grammar.get("operators", []))
        )
    return _help("; ".join(parts) + note)


def add_operation(parser: argparse.ArgumentParser, op: dict[str, Any]) -> None:
    """The arguments of one operation, and what runs it."""
    pagination = op.get("pagination")
    parser.description = _description(op, pagination is not None)
    params: list[Param] = []
    # The pager sends these itself (and --offset/--page-size set them).
    paging = {pagination["offset"], pagination["limit"]} if pagination else set()
    path_group = parser.add_argument_group("path parameters (positional, or as flags)")
    for p in op["path_params"]:
        settings, type_name = _kind(p)
        settings.pop("action", None)
        metavar = p["py"].upper()
        dest = f"path:{p['py']}"
        path_group.add_argument(
            dest + ":positional",
            nargs="?",
            help=_help(f"path parameter {p['name']}; {type_name}"),
            **{**settings, "metavar": metavar},
        )
        path_group.add_argument(
            f"--{kebab(p['py'])}", dest=dest, help=f"the same as {metavar}", **settings
        )
        params.append(Param(p["py"], "path", dest, True))
    query = [q for q in op["query"] if q["name"] not in paging]
    if query:
        group = parser.add_argument_group("query parameters")
        for q in query:
            settings, type_name = _kind(q)
            dest = f"query:{q['py']}"
            group.add_argument(
                f"--{kebab(q['py'])}",
                dest=dest,
                required=bool(q.get("required")),
                help=_param_help(q, "query parameter", type_name),
                **settings,
            )
            params.append(Param(q["py"], "query", dest, bool(q.get("required"))))
    body = op.get("body")
    if body:
        group = parser.add_argument_group("request body")
        array = body["type"] == "array"
        group.add_argument(
            "--body",
            type=body_value,
            required=array and bool(body.get("required")),
            default=argparse.SUPPRESS,
            metavar="@FILE|-|JSON",
            help=f"the whole body ({body['type']}): @FILE.json, - for standard input, or JSON",
        )
        files = _file_fields(op)
        for f in body.get("fields", []):
            file = f["py"] in files
            settings, type_name = _kind(f, file=file)
            required = bool(f.get("required"))
            dest = f"body:{f['py']}"
            note = "; required unless --body holds it" if required else ""
            if file:
                note += "; sent base64-encoded"
            group.add_argument(
                f"--{kebab(f['py'])}",
                dest=dest,
                help=_param_help(f, "body field", type_name, note),
                **settings,
            )
            params.append(Param(f["py"], "body", dest, required))
    options = parser.add_argument_group("output and call options")
    if op.get("returns_list"):
        if pagination is not None:
            limit: dict[str, Any] = next(
                (q for q in op["query"] if q["name"] == pagination["limit"]), {}
            )
            bound = f" (at most {limit['maximum']})" if limit.get("maximum") else ""
            options.add_argument(
                "--page-size", type=int, metavar="INT", help=f"items per request{bound}"
            )
            options.add_argument(
                "--offset", type=int, metavar="INT", help="where the walk starts (default 0)"
            )
        options.add_argument(
            "--max-items", type=int, metavar="INT", help="stop after this many items (default: all)"
        )
    result = op.get("result") or {}
    if result.get("kind", "json") != "json":
        options.add_argument(
            "--to",
            metavar="PATH",
            help="write the file there (complete or not at all) instead of to standard output",
        )
    common_options(options)
    parser.set_defaults(run=partial(run_operation, op, parser, params))


def common_options(group: Any) -> None:
    """Options of every operation's command."""
    group.add_argument(
        "-o",
        "--output",
        choices=FORMATS,
        help="how to print the result (default: table at a terminal, else json)",
    )
    group.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="for the call, retries included"
    )
    group.add_argument("--max-retries", type=int, metavar="INT", help="retries of the call")
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=argparse.SUPPRESS,
        help="send the credentials over plain http:// to another machine (a trusted network)",
    )


# The command tree ------------------------------------------------------------------------


def _parser(sub: Any, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=_help(summary),
        description=description,
        formatter_class=Formatter,
        allow_abbrev=False,
    )
    return parser


def add_namespaces(sub: Any, group: Group, words: Optional[list[str]], depth: int = 0) -> None:
    """A parser per namespace under ``group``, with its verbs; only those ``words`` name
    get their own parsers filled in (all of them when ``words`` is None)."""
    for name, child in group.groups.items():
        summary = group_summary(child)
        p = _parser(sub, name, summary, summary + ".")
        if words is None or words[:1] == [name]:
            inner = p.add_subparsers(
                title="namespaces" if child.groups else "verbs",
                metavar="NAMESPACE" if child.groups else "VERB",
                dest=f"word:{depth + 1}",
                required=True,
            )
            add_namespaces(inner, child, None if words is None else words[1:], depth + 1)
    for verb, op in group.operations.items():
        p = _parser(sub, verb, verb_summary(op), "")
        if words is None or words[:1] == [verb]:
            add_operation(p, op)


# Running ---------------------------------------------------------------------------------


def _path_values(
    parser: argparse.ArgumentParser, params: list[Param], values: dict[str, Any]
) -> list[Any]:
    found = []
    for param in params:
        if param.where != "path":
            continue
        flag, positional = values.get(param.dest), values.get(param.dest + ":positional")
        if flag is not None and positional is not None and flag != positional:
            parser.error(f"{param.py.upper()} and --{kebab(param.py)} differ; give one")
        value = flag if flag is not None else positional
        if value is None:
            parser.error(
                f"the following arguments are required: {param.py.upper()} (or --{kebab(param.py)})"
            )
        found.append(value)
    return found


def run_operation(
    op: dict[str, Any],
    parser: argparse.ArgumentParser,
    params: list[Param],
    args: argparse.Namespace,
) -> int:
    import warnings

    from .._client import Client
    from ..pagination import SyncPager

    values = vars(args)
    positional = _path_values(parser, params, values)
    kwargs: dict[str, Any] = {
        p.py: values[p.dest] for p in params if p.where != "path" and values[p.dest] is not None
    }
    if "body" in values:
        kwargs["body"] = values["body"]
    else:
        missing = [
            f"--{kebab(p.py)}"
            for p in params
            if p.where == "body" and p.required and p.py not in kwargs
        ]
        if missing:
            parser.error(
                f"the following arguments are required: {', '.join(missing)}"
                " (or give them in --body)"
            )
    for option in ("page_size", "offset", "max_items", "to", "timeout", "max_retries"):
        if values.get(option) is not None:
            kwargs[option] = values[option]
    if op.get("deprecated"):
        instead = _replacement(op)
        note = f"; use `{instead}` instead" if instead else ""
        print(f"runai-admin: this operation is deprecated{note}", file=sys.stderr)
    with Client(allow_insecure_http=values.get("allow_insecure_http", False)) as client:
        target: Any = client
        for part in op["namespace"].split("."):
            target = getattr(target, part)
        method: Callable[..., Any] = getattr(target, op["name"])
        with warnings.catch_warnings():
            # Said above, in the command's words rather than the method's.
            warnings.simplefilter("ignore", DeprecationWarning)
            result = method(*positional, **kwargs)
            if isinstance(result, SyncPager):
                result = result.to_list()
    emit(result, values.get("output"), op["namespace"])
    return 0

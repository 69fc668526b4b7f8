"""The ``runai-admin`` command.

runai-admin demo                      the quick start (embedded fake control plane
                                      unless RUNAI_BASE_URL and credentials are set)
runai-admin fake-server [--port N] [--tls]
                                      serve the fake control plane until Ctrl-C
runai-admin projects list [--filter-by name=@team] [-o json]
runai-admin projects get 42
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import uuid
from functools import lru_cache
from typing import Any, Optional

from . import __version__, _core
from ._client import Client
from .display import table
from .errors import RunaiError
from .pagination import SyncPager
from .testing import FakeControlPlane


def _emit(title: str, value: Any, output: str, kind: str = "") -> None:
    if isinstance(value, bytes):
        # A downloaded file (`--to PATH` writes it instead): its bytes as they are.
        sys.stdout.buffer.write(value)
        sys.stdout.buffer.flush()
        return
    if output == "json":
        print(json.dumps(value, indent=2, sort_keys=False, default=str))
        return
    if title:
        print(f"\n{title}")
    if isinstance(value, list):
        print(table(value, kind=kind))
    elif isinstance(value, dict):
        print(table([value], kind=kind))
    elif value is not None:
        print(value)


def _has_credentials() -> bool:
    env = os.environ
    return bool(env.get("RUNAI_BASE_URL")) and bool(
        env.get("RUNAI_TOKEN") or (env.get("RUNAI_CLIENT_ID") and env.get("RUNAI_CLIENT_SECRET"))
    )


def demo(output: str, keep: bool, allow_insecure_http: bool = False) -> int:
    """List clusters; create a department, a project with a 2-GPU quota and a user, and
    grant the user the L1 researcher role on the project."""
    plane: Optional[FakeControlPlane] = None
    if _has_credentials():
        client = Client(allow_insecure_http=allow_insecure_http)
        suffix = "-" + uuid.uuid4().hex[:6]
        print(f"Using the control plane at {client.base_url}", file=sys.stderr)
    else:
        plane = FakeControlPlane().start()
        client = plane.client()
        suffix = ""
        print(f"Using the embedded fake control plane at {plane.url}", file=sys.stderr)
    created: list[tuple[Any, Any]] = []
    try:
        with client:
            started = time.perf_counter()
            clusters = client.clusters.list().to_list()
            _emit("Clusters", clusters, output, "clusters")
            if not clusters:
                print("No cluster: nothing to create projects in.", file=sys.stderr)
                return 1
            cluster_id = clusters[0]["uuid"]
            department = client.departments.create(
                name=f"physics{suffix}",
                cluster_id=cluster_id,
                resources=[{"gpu": {"deserved": 8}}],
            )
            created.append((client.departments, department["id"]))
            project = client.projects.create(
                name=f"team-a{suffix}",
                cluster_id=cluster_id,
                parent_id=department["id"],
                resources=[{"gpu": {"deserved": 2}}],
            )
            created.append((client.projects, project["id"]))
            user = client.users.create(email=f"researcher{suffix}@example.com", reset_password=True)
            created.append((client.users, user["id"]))
            researcher = next(r for r in client.roles.list() if r["name"] == "L1 researcher")
            rule = client.access_rules.create(
                subject_id=user["username"],
                subject_type="user",
                role_id=researcher["id"],
                scope_id=project["id"],
                scope_type="project",
            )
            created.append((client.access_rules, rule["id"]))
            _emit("Departments", client.departments.list().to_list(), output, "departments")
            _emit("Projects", client.projects.list().to_list(), output, "projects")
            _emit("Users", client.users.list().to_list(), output, "users")
            rules = client.access_rules.list(subject_type="user", subject_ids=[user["username"]])
            _emit("The researcher's access rules", rules.to_list(), output, "access_rules")
            elapsed = time.perf_counter() - started
            print(f"\nDone in {elapsed * 1000:.0f} ms.", file=sys.stderr)
            if plane is None and not keep:
                for namespace, object_id in reversed(created):
                    namespace.delete(object_id)
                print("Removed what the demo created (--keep to leave it).", file=sys.stderr)
    finally:
        if plane is not None:
            plane.stop()
    return 0


def fake_server(
    port: int, token_lifetime: Optional[float], record_limit: Optional[int], tls: bool = False
) -> int:
    # Ctrl-C is how this command stops: started from a shell that ignores SIGINT (a
    # background job), it would otherwise inherit that and never stop.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with FakeControlPlane(
        port=port, token_lifetime=token_lifetime, record_limit=record_limit, tls=tls
    ) as plane:
        # Throwaway credentials of a local fake, printed so another shell can use them.
        print(f"export RUNAI_BASE_URL={plane.url}")
        print(f"export RUNAI_CLIENT_ID={plane.client_id}")
        print(f"export RUNAI_CLIENT_SECRET={plane.client_secret}")
        if tls:
            # The CA of the certificate made at start; a client in another shell trusts it
            # through this variable (or verify= the same path). Removed when it stops.
            print(f"export SSL_CERT_FILE={plane.ca_path}")
        print(f"# cluster: {plane.cluster_id}; Ctrl-C stops the server", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


@lru_cache(maxsize=1)
def _operations() -> dict[str, dict[str, dict[str, Any]]]:
    """namespace -> verb -> catalogue entry, for the exposed operations. The command reads
    the catalogue the core embeds (the library itself never parses it)."""
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for op in json.loads(_core.catalogue_json())["operations"]:
        if op["exposed"]:
            grouped.setdefault(op["namespace"], {})[op["name"]] = op
    return grouped


def _wire_types(op: dict[str, Any]) -> dict[str, str]:
    """keyword -> wire type of an operation's query parameters and body fields; a list of
    strings counts as a string (each flag is one item)."""
    params = list(op["query"]) + list((op.get("body") or {}).get("fields", []))
    types: dict[str, str] = {}
    for p in params:
        kind = p.get("type") or "any"
        if kind == "array" and p.get("items") == "string":
            kind = "string"
        types[p["py"]] = kind
    return types


def _parse_value(text: str, kind: str) -> Any:
    """A flag's text as its wire type: strings as typed, anything else as JSON if it is."""
    if kind == "string":
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _call_keywords(
    extra: list[str], types: Optional[dict[str, str]] = None
) -> tuple[list[Any], dict[str, Any]]:
    """`42 --filter-by a --filter-by b --name x` -> ([42], {"filter_by": [a, b], "name": "x"})."""
    types = types or {}
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    i = 0
    while i < len(extra):
        word = extra[i]
        if word.startswith("--"):
            key = word[2:].replace("-", "_")
            if "=" in key:
                key, raw = key.split("=", 1)
            else:
                if i + 1 >= len(extra):
                    raise SystemExit(f"runai-admin: {word} needs a value")
                i += 1
                raw = extra[i]
            value = _parse_value(raw, types.get(key, "any"))
            if key in kwargs:
                previous = kwargs[key]
                kwargs[key] = (
                    [*previous, value] if isinstance(previous, list) else [previous, value]
                )
            else:
                kwargs[key] = value
        else:
            args.append(word)
        i += 1
    return args, kwargs


def call_operation(
    namespace: str, verb: str, extra: list[str], output: str, allow_insecure_http: bool = False
) -> int:
    with Client(allow_insecure_http=allow_insecure_http) as client:
        target: Any = client
        for part in namespace.split("."):
            target = getattr(target, part)
        method = getattr(target, verb.replace("-", "_"), None)
        if method is None:
            raise SystemExit(f"runai-admin: {namespace} has no verb {verb!r}")
        op = _operations().get(namespace, {}).get(verb.replace("-", "_"))
        args, kwargs = _call_keywords(extra, _wire_types(op) if op else None)
        result = method(*args, **kwargs)
        if isinstance(result, SyncPager):
            result = result.to_list()
        _emit("", result, output, namespace)
    return 0


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"a count of 0 or more, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runai-admin", description="Drive the Run:ai Administrator REST API."
    )
    parser.add_argument("--version", action="version", version=f"runai-admin {__version__}")
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="send the credentials over plain http:// to another machine (a trusted network)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="the quick start, on the embedded fake control plane")
    p.add_argument("-o", "--output", choices=["table", "json"], default="table")
    p.add_argument("--keep", action="store_true", help="on a real tenant, keep what it creates")
    p = sub.add_parser("fake-server", help="serve the embedded fake control plane")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--token-lifetime", type=float, default=None, help="seconds (default: an hour)")
    p.add_argument(
        "--record-limit",
        type=_count,
        default=None,
        help="how many of the latest requests the fake keeps (default: 10000)",
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate made at start (its CA file is printed)",
    )
    for namespace, ops in sorted(_operations().items()):
        p = sub.add_parser(namespace, help=f"{namespace} operations")
        p.add_argument("verb", choices=sorted(ops))
        p.add_argument("-o", "--output", choices=["table", "json"], default="table")
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    try:
        if args.command == "demo":
            return demo(args.output, args.keep, args.allow_insecure_http)
        if args.command == "fake-server":
            return fake_server(args.port, args.token_lifetime, args.record_limit, args.tls)
        return call_operation(args.command, args.verb, extra, args.output, args.allow_insecure_http)
    except RunaiError as err:
        print(f"runai-admin: {err}", file=sys.stderr)
        return 1
    except (TypeError, ValueError) as err:
        print(f"runai-admin: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""``runai-admin demo`` and ``runai-admin fake-server``: the quick start and the embedded
fake control plane, from a shell."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import uuid
from typing import Any, Callable, Optional

from .._client import Client
from ..testing import FakeControlPlane
from .output import emit


def _emit(title: str, value: Any, output: str, kind: str) -> None:
    if output == "table":
        print(f"\n{title}")
    emit(value, output, kind)


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


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"a count of 0 or more, not {value}")
    return value


def demo_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("-o", "--output", choices=["table", "json"], default="table")
    parser.add_argument(
        "--keep", action="store_true", help="on a real tenant, keep what it creates"
    )
    return lambda args: demo(args.output, args.keep, args.allow_insecure_http)


def fake_server_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--token-lifetime", type=float, default=None, help="seconds (default: an hour)"
    )
    parser.add_argument(
        "--record-limit",
        type=_count,
        default=None,
        help="how many of the latest requests the fake keeps (default: 10000)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate made at start (its CA file is printed)",
    )
    return lambda args: fake_server(args.port, args.token_lifetime, args.record_limit, args.tls)

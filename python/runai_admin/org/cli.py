"""``runai-admin org plan|apply|export``: the organisation sync on the command line.

    runai-admin org plan org.yaml [-o table|json|markdown] [--exit-code]
    runai-admin org apply org.yaml [--yes] [--atomic] [--progress]
    runai-admin org export [-o org.yaml]

Credentials come from the usual settings (``RUNAI_BASE_URL`` with a token or client
credentials, or a ``runai login`` profile); ``--fake`` uses a fresh embedded fake control
plane instead, to try a file. ``plan --exit-code`` exits 0 in sync, 2 when the control
plane differs from the file (for a scheduled drift check) and 1 on an error, as
``terraform plan -detailed-exitcode`` does.

:func:`org_command` fills in the ``org`` command, which :mod:`runai_admin.cli` registers."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Callable, Optional, TextIO

from .._client import AsyncClient, Client
from ..errors import RunaiError
from .apply import ApplyResult
from .load import dump, load, load_csv
from .model import Organisation, SpecError
from .plan import Plan, PlanError

__all__ = ["org_command"]

EXIT_OK, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2


@contextlib.contextmanager
def _session(args: argparse.Namespace) -> Iterator[tuple[Client, Callable[[], AsyncClient]]]:
    """A blocking client, and a maker of asyncio clients of the same control plane."""
    if getattr(args, "fake", False):
        from ..testing import FakeControlPlane

        with FakeControlPlane() as plane, plane.client() as client:
            print(f"Using a fresh embedded fake control plane at {plane.url}", file=sys.stderr)
            yield client, plane.async_client
        return
    insecure = bool(getattr(args, "allow_insecure_http", False))
    with Client(allow_insecure_http=insecure) as client:
        yield client, lambda: AsyncClient(allow_insecure_http=insecure)


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[Client]:
    with _session(args) as (client, _):
        yield client


def _spec(args: argparse.Namespace) -> Organisation:
    org = load(args.file)
    if args.projects_csv or args.users_csv or args.access_rules_csv:
        org = load_csv(
            projects=args.projects_csv,
            users=args.users_csv,
            access_rules=args.access_rules_csv,
            into=org,
        )
    return org


def _plan(client: Client, args: argparse.Namespace) -> Plan:
    return client.org.plan(_spec(args), check_quota=not args.no_quota_check)


def plan_command(args: argparse.Namespace) -> int:
    with _client(args) as client:
        plan = _plan(client, args)
    print(plan.render(args.output))
    return EXIT_DRIFT if args.exit_code and not plan.empty else EXIT_OK


def _confirmed(plan: Plan, stdin: TextIO) -> bool:
    if not stdin.isatty():
        print("runai-admin: not a terminal: pass --yes to apply without asking", file=sys.stderr)
        return False
    answer = input("Apply these changes? Only 'yes' applies them: ")
    return answer.strip() == "yes"


async def _apply_async(
    make: Callable[[], AsyncClient], plan: Plan, args: argparse.Namespace
) -> ApplyResult:
    async with make() as client:
        return await client.org.apply(
            plan, atomic=args.atomic, progress=args.progress, concurrency=args.concurrency
        )


def apply_command(args: argparse.Namespace) -> int:
    with _session(args) as (client, make_async):
        plan = _plan(client, args)
        if plan.empty:
            print(plan.summary())
            return EXIT_OK
        if args.output == "table":
            print(plan.render("table"))
        if not args.yes and not _confirmed(plan, sys.stdin):
            print("Nothing applied.", file=sys.stderr)
            return EXIT_ERROR
        if args.concurrency > 1:
            result = asyncio.run(_apply_async(make_async, plan, args))
        else:
            result = client.org.apply(plan, atomic=args.atomic, progress=args.progress)
    print(result.render(args.output))
    if result.secrets:
        _keep_secrets(dict(result.secrets), args.secrets_file)
    return EXIT_OK if result.ok else EXIT_ERROR


def _keep_secrets(secrets: dict[str, str], path: Optional[str]) -> None:
    """The secrets the control plane showed once: into a file only its owner may read, or
    named (never shown) so that they can be regenerated."""
    if path is None:
        print(
            "runai-admin: secrets were issued for "
            + ", ".join(secrets)
            + " and not kept (use --secrets-file FILE); regenerate them to use them",
            file=sys.stderr,
        )
        return
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(secrets, file, indent=2)
    print(
        f"runai-admin: secrets issued for {len(secrets)} objects written to {path}", file=sys.stderr
    )


def export_command(args: argparse.Namespace) -> int:
    with _client(args) as client:
        text = dump(client.org.export())
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text)
        print(f"Wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"a count of 1 or more, not {value}")
    return value


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A handler whose expected failures (a wrong file, a plan that cannot be made, the
    control plane's refusal) print one message and exit 1 instead of a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (SpecError, PlanError, RunaiError, OSError) as error:
            print(f"runai-admin: {error}", file=sys.stderr)
            return EXIT_ERROR

    return run


def _inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the organisation file (YAML)")
    parser.add_argument("--projects-csv", help="more projects: one row per project")
    parser.add_argument("--users-csv", help="more users: one row per user (email)")
    parser.add_argument(
        "--access-rules-csv", help="more access rules: subjectType, subject, role, scope"
    )
    parser.add_argument(
        "--no-quota-check",
        action="store_true",
        help="do not refuse projects that together deserve more than their department",
    )
    _fake_flag(parser)


def _fake_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fake", action="store_true", help="use a fresh embedded fake control plane"
    )


def org_command(org: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """Fill in the ``org`` command's parser (``plan|apply|export``, each setting its
    ``handler``) and return what runs it: the registration ``runai_admin.cli`` expects."""
    commands = org.add_subparsers(dest="org_command", required=True)
    plan = commands.add_parser("plan", help="show what would change; change nothing")
    _inputs(plan)
    plan.add_argument("-o", "--output", choices=["table", "json", "markdown"], default="table")
    plan.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 2 when the control plane differs from the file (0 in sync, 1 on errors)",
    )
    plan.set_defaults(handler=_guarded(plan_command))
    apply = commands.add_parser("apply", help="make the control plane match the file")
    _inputs(apply)
    apply.add_argument("-o", "--output", choices=["table", "json", "markdown"], default="table")
    apply.add_argument("-y", "--yes", action="store_true", help="apply without asking")
    apply.add_argument(
        "--atomic",
        action="store_true",
        help="stop at the first failure and delete what this run created",
    )
    apply.add_argument("--progress", action="store_true", help="show a progress bar (tqdm)")
    apply.add_argument(
        "--concurrency",
        type=_positive,
        default=1,
        help="requests in flight at once (default 1; more uses the asyncio client)",
    )
    apply.add_argument(
        "--secrets-file",
        help="write the secrets the control plane shows once (new service accounts' client "
        "secrets, new local users' temporary passwords) to this file, readable by you only",
    )
    apply.set_defaults(handler=_guarded(apply_command))
    export = commands.add_parser("export", help="write the control plane's organisation")
    export.add_argument("-o", "--output", help="the file to write (default: standard output)")
    _fake_flag(export)
    export.set_defaults(handler=_guarded(export_command))
    return _run


def _run(args: argparse.Namespace) -> int:
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)

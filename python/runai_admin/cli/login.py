"""``runai-admin login`` and ``logout``: the sign-in every command (and ``Client()``) uses
when no ``RUNAI_*`` credentials are set. The secret is read without echo and stored only
in a file its owner alone may read (``runai_admin._profile``)."""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from typing import Callable

from .. import _core, _profile


def _secret(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    if args.client_secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"Client secret of {args.client_id}: ")
    else:
        parser.error("no terminal to ask for the secret on: pass it with --client-secret-stdin")
    if not secret:
        parser.error("the client secret is empty")
    return secret


def login(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .._client import Client

    args.base_url = args.base_url or os.environ.get(_core.BASE_URL_VARIABLE)
    args.client_id = args.client_id or os.environ.get("RUNAI_CLIENT_ID")
    if not args.base_url or not args.client_id:
        parser.error("--base-url and --client-id are required (or RUNAI_BASE_URL, RUNAI_CLIENT_ID)")
    secret = _secret(parser, args)
    with Client(
        base_url=args.base_url,
        client_id=args.client_id,
        client_secret=secret,
        allow_insecure_http=getattr(args, "allow_insecure_http", False),
    ) as client:
        base_url = client.base_url
        if args.check:
            # A token for these credentials, or the control plane's refusal (exit 1, and
            # nothing stored).
            client.tokens.grant(
                grant_type="client_credentials", client_id=args.client_id, client_secret=secret
            )
    path = _profile.store(base_url, args.client_id, secret)
    print(f"Signed in to {base_url} as {args.client_id}; stored in {path}", file=sys.stderr)
    return 0


def login_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.description = (
        "Store a control plane's URL and an application's (or service account's) client id"
        f" and secret in {_profile.location()}, which only you may read. Commands and"
        " Client() use it when no RUNAI_* credentials are set. The secret is asked for"
        " without echo, or read from standard input's first line."
    )
    parser.add_argument("--base-url", metavar="URL", help="default: RUNAI_BASE_URL")
    parser.add_argument("--client-id", metavar="ID", help="default: RUNAI_CLIENT_ID")
    parser.add_argument(
        "--client-secret-stdin",
        action="store_true",
        help="read the secret from standard input instead of asking for it",
    )
    parser.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ask the control plane for a token before storing",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=argparse.SUPPRESS,
        help="send the credentials over plain http:// to another machine (a trusted network)",
    )
    return partial(login, parser)


def logout(args: argparse.Namespace) -> int:
    removed = _profile.remove()
    if removed is None:
        print(f"Nothing stored at {_profile.location()}", file=sys.stderr)
    else:
        print(f"Removed {removed}", file=sys.stderr)
    return 0


def logout_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.description = f"Remove the sign-in `runai-admin login` stored in {_profile.location()}."
    return logout

"""The ``runai-admin`` command.

Every operation of the client is a command, ``runai-admin <namespace> <verb>``, made from
the operation catalogue at run time: the Python face's names in kebab-case, a nested
namespace a word per level.

    runai-admin --help                        the namespaces, one line each
    runai-admin projects --help               the verbs of a namespace
    runai-admin projects list --help          a verb's flags, their types, its HTTP call
    runai-admin projects list --filter-by name=@team -o json
    runai-admin projects get 42               path parameters: positional ...
    runai-admin projects get --project-id 42  ... or flags
    runai-admin departments create --name physics --cluster-id "$CLUSTER" \\
        --resources '[{"gpu": {"deserved": 8}}]'
    runai-admin projects update 42 --body @project.json   (or --body -, or --body '{...}')
    runai-admin legacy clusters list          the seed era's /v1/k8s API
    runai-admin cli binary linux amd64 --to runai

Query parameters and the fields of an object body are flags (``--cluster-id``), typed as
the catalogue says (integers, numbers, ``--flag/--no-flag`` booleans, choices; a list is
the flag repeated; objects and arrays as JSON). ``--body`` gives the whole body; the field
flags are merged over it. Lists print every item unless ``--max-items`` says fewer
(``--page-size`` and ``--offset`` where the operation pages). Downloads go to standard
output as they are, or to a file with ``--to PATH``.

``-o table|json|yaml|csv``: a table at a terminal, JSON otherwise; CSV has a column per
dotted path (``status.phase``). Exit status: 0 done, 1 the control plane refused or could
not be reached (its message on standard error), 2 wrong usage, 130 interrupted.

Credentials: ``RUNAI_BASE_URL`` with ``RUNAI_CLIENT_ID`` and ``RUNAI_CLIENT_SECRET`` (or
``RUNAI_TOKEN``); else the profile ``runai-admin login`` stored; else the session of
``runai login`` (the Run:ai CLI).

    runai-admin login --base-url https://acme.run.ai --client-id ID   (asks for the secret)
    printf '%s' "$SECRET" | runai-admin login --base-url ... --client-id ID --client-secret-stdin
    runai-admin logout
    eval "$(runai-admin completion bash)"     or: runai-admin completion zsh > ~/.zfunc/_runai-admin
    runai-admin demo                          the quick start on the embedded fake control plane
    runai-admin fake-server [--port N] [--tls]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any, Callable, NamedTuple, Optional

from .. import __version__
from ..errors import RunaiError
from .operations import add_namespaces, normalised, tree

__all__ = ["COMMANDS", "Command", "build_parser", "main"]


class Command(NamedTuple):
    """A hand-written command: its name, its one-line help, and ``"module:function"``
    where the function takes the command's parser, adds its arguments (and subcommands),
    and returns what runs it: a function of the parsed arguments giving the exit status.
    The module is imported only when the command is used or its help shown in full."""

    name: str
    help: str
    target: str


#: The hand-written commands, beside the generated ``<namespace> <verb>`` ones: the one
#: place where a command group is registered; no namespace of the catalogue may take a
#: name used here.
COMMANDS: tuple[Command, ...] = (
    Command(
        "demo",
        "the quick start, on the embedded fake control plane",
        "runai_admin.cli.demo:demo_command",
    ),
    Command(
        "fake-server",
        "serve the embedded fake control plane",
        "runai_admin.cli.demo:fake_server_command",
    ),
    Command(
        "login",
        "store a control plane's URL and an application's credentials for every command",
        "runai_admin.cli.login:login_command",
    ),
    Command("logout", "remove what login stored", "runai_admin.cli.login:logout_command"),
    Command(
        "org",
        "keep departments, projects, quotas, users and access rules as a file says",
        "runai_admin.org.cli:org_command",
    ),
    Command(
        "completion",
        "print a bash or zsh completion script",
        "runai_admin.cli.completion:completion_command",
    ),
)


def _configure(command: Command, parser: argparse.ArgumentParser) -> None:
    module, function = command.target.split(":")
    configure: Callable[[argparse.ArgumentParser], Callable[[argparse.Namespace], int]]
    configure = getattr(importlib.import_module(module), function)
    parser.set_defaults(run=configure(parser))


def build_parser(words: Optional[list[str]] = None) -> argparse.ArgumentParser:
    """The command's parser. ``words`` are the command words given (``["projects",
    "list"]``): only their parsers are filled in, so that start-up stays quick; None
    builds every parser (for completion scripts and tests)."""
    parser = argparse.ArgumentParser(
        prog="runai-admin",
        description="Drive the Run:ai Administrator REST API: every operation is"
        " `runai-admin <namespace> <verb>`; `runai-admin <namespace> --help` lists its verbs.",
        epilog="Credentials: RUNAI_BASE_URL with RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET (or"
        " RUNAI_TOKEN), else the profile `runai-admin login` stored, else the `runai login`"
        " session. Exit status: 0 done, 1 an error from the control plane (or none reached),"
        " 2 wrong usage, 130 interrupted.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"runai-admin {__version__}")
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="send the credentials over plain http:// to another machine (a trusted network)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    taken = set(tree().groups) & {command.name for command in COMMANDS}
    if taken:
        raise RuntimeError(f"namespaces of the catalogue take command names: {sorted(taken)}")
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help + ".")
        if words is None or words[:1] == [command.name]:
            _configure(command, p)
    add_namespaces(sub, tree(), words)
    return parser


def _exit_status(stop: SystemExit) -> int:
    code = stop.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main(argv: Optional[list[str]] = None) -> int:
    argv, words = normalised(sys.argv[1:] if argv is None else list(argv))
    try:
        parser = build_parser(words)
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], Any] = args.run
        return int(run(args))
    except SystemExit as stop:  # argparse: 0 after --help, 2 on wrong usage
        return _exit_status(stop)
    except RunaiError as err:
        print(f"runai-admin: {err}", file=sys.stderr)
        return 1
    except (TypeError, ValueError) as err:  # an argument the core refuses; nothing was sent
        print(f"runai-admin: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and Python's own flush of
        # standard output at exit must not fail on it either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:  # a file given to --to that cannot be written, a closed pipe
        print(f"runai-admin: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("runai-admin: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

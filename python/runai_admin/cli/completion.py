"""``runai-admin completion bash|zsh``: a completion script made from the command's own
parser (every command, namespace, verb, flag and choice), self-contained: completing runs
no Python.

    eval "$(runai-admin completion bash)"           # in ~/.bashrc
    runai-admin completion zsh > ~/.zfunc/_runai-admin   # a directory on $fpath
    source <(runai-admin completion zsh)            # or in ~/.zshrc, after compinit
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator
from typing import Callable, NamedTuple

SHELLS = ("bash", "zsh")


class Node(NamedTuple):
    """What may follow one command path (``"legacy clusters"``)."""

    path: str
    commands: list[tuple[str, str]]  # (name, one-line help)
    values: list[str]  # choices of positional arguments
    flags: list[str]
    valued: list[str]  # the flags that take a value
    choices: dict[str, list[str]]  # a flag's choices


def nodes(parser: argparse.ArgumentParser, path: str = "") -> Iterator[Node]:
    node = Node(path, [], [], [], [], {})
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                node.commands.append((name, helps.get(name, "")))
                yield from nodes(sub, f"{path} {name}".strip())
        elif not action.option_strings:
            node.values.extend(str(c) for c in action.choices or ())
        elif action.help != argparse.SUPPRESS:
            node.flags.extend(action.option_strings)
            if action.nargs != 0:
                node.valued.extend(action.option_strings)
                if action.choices:
                    for option in action.option_strings:
                        node.choices[option] = [str(c) for c in action.choices]
    yield node


def _lookups(
    tree: list[Node],
    commands: Callable[[Node], list[str]],
    answer: Callable[[list[str]], str],
    nothing: str,
) -> list[str]:
    """The script's tables, as shell functions of a command path: its commands, its
    positional choices, its flags, the flags that take a value, and (of a path and a flag)
    the flag's choices. ``answer`` words a list the shell's way; ``nothing`` is the empty
    answer."""
    tables: list[tuple[str, str, list[tuple[str, list[str]]]]] = [
        (name, '"$1"', [(n.path, pick(n)) for n in tree if pick(n)])
        for name, pick in (
            ("commands", commands),
            ("values", lambda n: n.values),
            ("flags", lambda n: n.flags),
            ("valued", lambda n: n.valued),
        )
    ]
    choices = [(f"{n.path}|{flag}", values) for n in tree for flag, values in n.choices.items()]
    tables.append(("choices", '"$1|$2"', choices))
    out: list[str] = []
    for name, subject, arms in tables:
        out += [f"_runai_admin_{name}() {{", f"    case {subject} in"]
        out += [f"        {shlex.quote(key)}) {answer(words)} ;;" for key, words in arms]
        out += [f"        *) {nothing} ;;", "    esac", "}"]
    return out


def bash(parser: argparse.ArgumentParser) -> str:
    tables = _lookups(
        list(nodes(parser)),
        lambda n: [name for name, _ in n.commands],
        lambda words: f"echo {shlex.quote(' '.join(words))}",
        ":",
    )
    out = [
        "# bash completion for runai-admin; made by `runai-admin completion bash`.",
        '# Load it with: eval "$(runai-admin completion bash)"',
        "",
        *tables,
        "_runai_admin() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local path="" word i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        word="${COMP_WORDS[i]}"',
        '        case " $(_runai_admin_commands "$path") " in',
        '            *" $word "*) path="${path:+$path }$word" ;;',
        "        esac",
        "    done",
        '    if [[ "$prev" == -* && " $(_runai_admin_valued "$path") " == *" $prev "* ]]; then',
        "        # A flag's value: its choices, else file names (complete -o default).",
        '        COMPREPLY=($(compgen -W "$(_runai_admin_choices "$path" "$prev")" -- "$cur"))',
        "        return 0",
        "    fi",
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$(_runai_admin_flags "$path")" -- "$cur"))',
        "    else",
        '        local next="$(_runai_admin_commands "$path") $(_runai_admin_values "$path")"',
        '        COMPREPLY=($(compgen -W "$next" -- "$cur"))',
        "    fi",
        "}",
        "complete -o default -F _runai_admin runai-admin",
        "",
    ]
    return "\n".join(out)


def zsh(parser: argparse.ArgumentParser) -> str:
    def described(n: Node) -> list[str]:
        # _describe reads `name:description`; a colon in the description is escaped.
        return [f"{name}:{text.replace(':', chr(92) + ':')}" for name, text in n.commands]

    tables = _lookups(
        list(nodes(parser)),
        described,
        lambda words: "reply=(" + " ".join(shlex.quote(w) for w in words) + ")",
        "reply=()",
    )
    out = [
        "#compdef runai-admin",
        "# zsh completion for runai-admin; made by `runai-admin completion zsh`.",
        "# Put it in a directory on $fpath as _runai-admin, or source it after compinit.",
        "",
        *tables,
        "_runai_admin() {",
        "    local path_='' word i",
        "    local -a reply commands",
        "    for (( i = 2; i < CURRENT; i++ )); do",
        "        word=${words[i]}",
        '        _runai_admin_commands "$path_"',
        "        if (( ${reply[(I)${(b)word}:*]} )); then",
        '            path_="${path_:+$path_ }$word"',
        "        fi",
        "    done",
        "    local prev=${words[CURRENT-1]} cur=${words[CURRENT]}",
        '    _runai_admin_valued "$path_"',
        "    if [[ $prev == -* ]] && (( ${reply[(Ie)$prev]} )); then",
        '        _runai_admin_choices "$path_" "$prev"',
        "        if (( $#reply )); then compadd -a reply; else _files; fi",
        "        return",
        "    fi",
        "    if [[ $cur == -* ]]; then",
        '        _runai_admin_flags "$path_"',
        "        compadd -a reply",
        "        return",
        "    fi",
        '    _runai_admin_commands "$path_"',
        '    commands=("${reply[@]}")',
        '    _runai_admin_values "$path_"',
        "    (( $#commands )) && _describe -t commands command commands",
        "    (( $#reply )) && compadd -a reply",
        "    return 0",
        "}",
        "",
        "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then",
        '    _runai_admin "$@"',
        "else",
        "    compdef _runai_admin runai-admin",
        "fi",
        "",
    ]
    return "\n".join(out)


def completion(args: argparse.Namespace) -> int:
    from . import build_parser

    parser = build_parser(None)
    print(bash(parser) if args.shell == "bash" else zsh(parser), end="")
    return 0


def completion_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.description = (
        'Print a completion script. bash: eval "$(runai-admin completion bash)" in ~/.bashrc.'
        " zsh: runai-admin completion zsh > DIR/_runai-admin for a DIR on $fpath, or"
        " source <(runai-admin completion zsh) after compinit."
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("shell", choices=SHELLS)
    return completion

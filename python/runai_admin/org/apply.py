"""Carrying out a plan: each step once its dependencies are done, on the blocking client one
after another, on the asyncio client several at a time. A failed step does not stop the
steps that do not depend on it (unless ``atomic``); its dependents are skipped, and the
result names them all with the control plane's error."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import RunaiError
from ..progress import Bar, bar
from .plan import Call, Change, Ids, Plan, Step

__all__ = ["ApplyResult", "Outcome", "run", "run_async"]

# What a step's call may raise that is the control plane's answer or the argument
# check's, reported against the object rather than raised.
STEP_ERRORS = (RunaiError, TypeError, ValueError, KeyError)
STATUSES = ("done", "failed", "skipped", "not run", "reverted")


@dataclass
class Outcome:
    """What became of one step: ``done``, ``failed`` (with ``error``), ``skipped`` (a step
    it depends on failed), ``not run`` (an atomic run stopped first) or ``reverted``."""

    change: Change
    step: str
    status: str
    error: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "action": self.change.action,
            "kind": self.change.kind,
            "name": self.change.name,
            "step": self.step,
            "status": self.status,
        }
        if self.error:
            out["error"] = self.error
        return out


class Secrets(dict[str, str]):
    """Secrets the control plane shows once (a new service account's client secret, a new
    local user's temporary password), by object name; never shown in a repr."""

    def __repr__(self) -> str:
        return f"<Secrets for {', '.join(self) or 'nothing'}>"


@dataclass
class ApplyResult:
    outcomes: list[Outcome]
    secrets: Secrets = field(default_factory=Secrets)

    @property
    def ok(self) -> bool:
        return all(o.status == "done" for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("skipped", "not run")]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for o in self.outcomes if o.status == s) for s in STATUSES}

    def summary(self) -> str:
        if not self.outcomes:
            return "No changes: the control plane already matches the organisation file."
        # A change is made when all its steps are done.
        made_by_change: dict[int, tuple[Change, bool]] = {}
        for outcome in self.outcomes:
            _, so_far = made_by_change.get(id(outcome.change), (outcome.change, True))
            made_by_change[id(outcome.change)] = (
                outcome.change,
                so_far and outcome.status == "done",
            )
        past = {
            "create": "created",
            "update": "updated",
            "replace": "replaced",
            "delete": "deleted",
        }
        done = dict.fromkeys(past, 0)
        for change, made in made_by_change.values():
            done[change.action] += made
        made_text = ", ".join(f"{n} {past[action]}" for action, n in done.items())
        head = "Apply complete" if self.ok else "Apply incomplete"
        counts = self.counts()
        tail = ""
        if not self.ok:
            tail = (
                f"; {counts['failed']} failed, {counts['skipped'] + counts['not run']} not made, "
                f"{counts['reverted']} reverted: fix the cause and apply again"
            )
        return f"{head}: {made_text}{tail}."

    def to_dict(self) -> dict[str, Any]:
        return {"outcomes": [o.to_dict() for o in self.outcomes], "summary": self.counts()}

    def render(self, output: str = "table") -> str:
        if output == "json":
            return json.dumps(self.to_dict(), indent=2)
        if output not in ("table", "markdown"):
            raise ValueError(f"output must be table, json or markdown, not {output!r}")
        rows = [
            (o.status, o.step, o.change.kind, o.change.name, o.error or "") for o in self.outcomes
        ]
        if output == "markdown":
            lines = ["| Status | Step | Kind | Object | Error |", "|---|---|---|---|---|"]
            lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
            return "\n".join([*lines, "", self.summary()]) + "\n"
        lines = []
        if rows:
            head = ("STATUS", "STEP", "KIND", "OBJECT", "ERROR")
            widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
            for row in [head, *rows]:
                cells = [row[i].ljust(widths[i]) for i in range(4)]
                lines.append("  ".join([*cells, row[4]]).rstrip())
        lines.append(self.summary())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class _Run:
    """The bookkeeping both executors share."""

    def __init__(self, plan: Plan, progress: bool) -> None:
        self.plan = plan
        self.ids: Ids = dict(plan.ids)
        self.status: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.made: list[Step] = []
        self.secrets = Secrets()
        self.bar: Optional[Bar] = bar(len(plan.steps), "org apply") if progress else None

    def blocked(self, step: Step) -> Optional[str]:
        """Why ``step`` cannot run: a step it depends on did not succeed."""
        for dep in step.after:
            status = self.status.get(dep)
            if status != "done":
                return (
                    f"depends on {dep}, which {'failed' if status == 'failed' else 'was not made'}"
                )
        return None

    def settle(self, step: Step, status: str, error: Optional[str] = None) -> None:
        self.status[step.key] = status
        if error is not None:
            self.errors[step.key] = error
        if self.bar is not None:
            self.bar.update(1)

    def succeed(self, step: Step, answer: Any) -> None:
        if step.record is not None:
            step.record(self.ids, answer)
        if step.undo is not None:
            self.made.append(step)
        if isinstance(answer, dict):
            secret = answer.get("clientSecret") or answer.get("tempPassword")
            if isinstance(secret, str):
                self.secrets[f"{step.change.kind} {step.change.name}"] = secret
        self.settle(step, "done")

    def to_revert(self) -> list[tuple[Step, Call]]:
        """What this run created, newest first, with the call that deletes it."""
        return [(s, s.undo) for s in reversed(self.made) if s.undo is not None]

    def reverted(self, step: Step, error: Optional[BaseException] = None) -> None:
        if error is None:
            self.status[step.key] = "reverted"
        else:
            self.errors[step.key] = f"could not revert: {_error_text(error)}"

    def result(self) -> ApplyResult:
        if self.bar is not None:
            self.bar.close()
        outcomes = [
            Outcome(s.change, s.label, self.status.get(s.key, "not run"), self.errors.get(s.key))
            for s in self.plan.steps
        ]
        return ApplyResult(outcomes, self.secrets)


def run(client: Any, plan: Plan, *, atomic: bool = False, progress: bool = False) -> ApplyResult:
    """Carry out ``plan`` with a blocking client."""
    state = _Run(plan, progress)
    stop = False
    for step in plan.steps:
        if stop:
            state.settle(step, "not run")
            continue
        reason = state.blocked(step)
        if reason is not None:
            state.settle(step, "skipped", reason)
            continue
        try:
            answer = step.call(client, state.ids)
        except STEP_ERRORS as error:
            state.settle(step, "failed", _error_text(error))
            stop = atomic
            continue
        state.succeed(step, answer)
    if stop:
        for step, undo in state.to_revert():
            try:
                undo(client, state.ids)
            except STEP_ERRORS as error:
                state.reverted(step, error)
            else:
                state.reverted(step)
    return state.result()


async def run_async(
    client: Any, plan: Plan, *, atomic: bool = False, progress: bool = False, concurrency: int = 8
) -> ApplyResult:
    """Carry out ``plan`` with an asyncio client, up to ``concurrency`` requests at once;
    each step starts as soon as the steps it depends on are done."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be 1 or more, not {concurrency}")
    state = _Run(plan, progress)
    gate = asyncio.Semaphore(concurrency)
    finished: dict[str, asyncio.Event] = {s.key: asyncio.Event() for s in plan.steps}
    stopped = asyncio.Event()

    async def one(step: Step) -> None:
        try:
            for dep in step.after:
                await finished[dep].wait()
            if stopped.is_set():
                state.settle(step, "not run")
                return
            reason = state.blocked(step)
            if reason is not None:
                state.settle(step, "skipped", reason)
                return
            async with gate:
                if stopped.is_set():
                    state.settle(step, "not run")
                    return
                try:
                    answer = await step.call(client, state.ids)
                except STEP_ERRORS as error:
                    state.settle(step, "failed", _error_text(error))
                    if atomic:
                        stopped.set()
                    return
            state.succeed(step, answer)
        finally:
            finished[step.key].set()

    await asyncio.gather(*(one(s) for s in plan.steps))
    if stopped.is_set():
        for step, undo in state.to_revert():
            try:
                await undo(client, state.ids)
            except STEP_ERRORS as error:
                state.reverted(step, error)
            else:
                state.reverted(step)
    return state.result()

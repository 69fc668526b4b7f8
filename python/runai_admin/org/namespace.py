"""``client.org``: plan, apply and export an organisation, on either client."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union

from . import apply as _apply
from . import plan as _plan
from . import state as _state
from .load import load
from .model import Organisation

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncOrgNamespace", "OrgNamespace", "Spec"]

# An organisation, a dict in the file's form, or the path of a file.
Spec = Union[Organisation, Mapping[str, Any], str, "os.PathLike[str]"]


def _organisation(spec: Spec) -> Organisation:
    return spec if isinstance(spec, Organisation) else load(spec)


def _refuse_stale(plan: _plan.Plan, state: _state.State) -> None:
    if plan.empty:
        return
    now = _plan.stale(plan, state)
    if now is not None:
        raise _plan.StalePlanError(now)


class OrgNamespace:
    """``client.org`` of the blocking client."""

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    def plan(self, spec: Spec, *, check_quota: bool = True) -> _plan.Plan:
        """What would make the control plane match ``spec``; nothing is changed. The file
        is checked before anything is read. ``check_quota`` refuses (``QuotaError``, with
        the numbers) a file whose projects deserve more than their department."""
        org = _organisation(spec)
        return _plan.compute(org, _state.read(self._client), check_quota=check_quota)

    def apply(
        self, plan: Union[_plan.Plan, Spec], *, atomic: bool = False, progress: bool = False
    ) -> _apply.ApplyResult:
        """Carry out a plan (or plan ``spec`` first) in dependency order. A failed step is
        reported with the control plane's error and its dependents are skipped; the rest goes
        on, unless ``atomic``: then it stops and deletes what this run created.

        A plan made earlier is checked first: if the control plane changed since, so that
        the same file now plans otherwise, ``StalePlanError`` is raised and nothing done."""
        if isinstance(plan, _plan.Plan):
            made = plan
            _refuse_stale(made, _state.read(self._client))
        else:
            made = self.plan(plan)
        return _apply.run(self._client, made, atomic=atomic, progress=progress)

    def export(self) -> Organisation:
        """The control plane's organisation now, as a file would state it (``org.dump``
        writes it): planning it reports no changes."""
        return _state.read(self._client).organisation()


class AsyncOrgNamespace:
    """``client.org`` of the asyncio client."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def plan(self, spec: Spec, *, check_quota: bool = True) -> _plan.Plan:
        """See :meth:`OrgNamespace.plan`; the lists are read concurrently."""
        org = _organisation(spec)
        state = await _state.read_async(self._client)
        return _plan.compute(org, state, check_quota=check_quota)

    async def apply(
        self,
        plan: Union[_plan.Plan, Spec],
        *,
        atomic: bool = False,
        progress: bool = False,
        concurrency: int = 8,
    ) -> _apply.ApplyResult:
        """See :meth:`OrgNamespace.apply`; independent steps run up to ``concurrency`` at a
        time."""
        if isinstance(plan, _plan.Plan):
            made = plan
            _refuse_stale(made, await _state.read_async(self._client))
        else:
            made = await self.plan(plan)
        return await _apply.run_async(
            self._client, made, atomic=atomic, progress=progress, concurrency=concurrency
        )

    async def export(self) -> Organisation:
        """See :meth:`OrgNamespace.export`."""
        return (await _state.read_async(self._client)).organisation()

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
        on, unless ``atomic``: then it stops and deletes what this run created."""
        made = plan if isinstance(plan, _plan.Plan) else self.plan(plan)
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
        made = plan if isinstance(plan, _plan.Plan) else await self.plan(plan)
        return await _apply.run_async(
            self._client, made, atomic=atomic, progress=progress, concurrency=concurrency
        )

    async def export(self) -> Organisation:
        """See :meth:`OrgNamespace.export`."""
        return (await _state.read_async(self._client)).organisation()

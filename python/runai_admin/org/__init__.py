"""Declarative organisation sync: keep node pools, departments and projects with their
quotas per node pool, users, service accounts and access rules in line with a file.

    import runai_admin as ra

    org = ra.org.load("org.yaml")          # refused with line and field when wrong
    with ra.Client() as client:
        plan = client.org.plan(org)        # nothing changes; print(plan) shows the diff
        result = client.org.apply(plan)    # dependency order; a result per object
        print(ra.org.dump(client.org.export()))

On ``AsyncClient`` the same calls are awaited, and ``apply(plan, concurrency=8)`` runs
independent steps at once. The command line is ``runai-admin org plan|apply|export``
(:mod:`runai_admin.org.cli`). The JSON Schema of the file is :func:`schema`
(``schema.json`` in this package, for editors).
"""

from ._schema import schema
from .apply import ApplyResult, Outcome
from .load import dump, load, load_csv, loads
from .model import (
    AccessRule,
    Cluster,
    Department,
    NodePool,
    Organisation,
    Project,
    Prune,
    ServiceAccount,
    SpecError,
    User,
    from_dict,
)
from .plan import Change, FieldChange, Plan, PlanError, QuotaError, StalePlanError
from .sample import sample_organisation

__all__ = [
    "AccessRule",
    "ApplyResult",
    "Change",
    "Cluster",
    "Department",
    "FieldChange",
    "NodePool",
    "Organisation",
    "Outcome",
    "Plan",
    "PlanError",
    "Project",
    "Prune",
    "QuotaError",
    "ServiceAccount",
    "SpecError",
    "StalePlanError",
    "User",
    "dump",
    "from_dict",
    "load",
    "load_csv",
    "loads",
    "sample_organisation",
    "schema",
]

"""A synthetic organisation of any size, for trying ``plan``/``apply`` at scale on the
fake control plane, and for the tests and the benchmark that do so."""

from __future__ import annotations

from typing import Any

__all__ = ["sample_organisation"]


def sample_organisation(
    departments: int = 3, projects: int = 10, users: int = 200
) -> dict[str, Any]:
    """``departments`` departments of ``projects`` projects each on the fake's node pools
    ``default`` (1 GPU a project) and ``h100`` (0.5), every department's quota exactly
    what its projects deserve; ``users`` users, each an L1 researcher on one project and a
    viewer of its department (two access rules a user). Departments, users and access
    rules are pruned: the file manages them fully. The default size is 3 departments,
    30 projects, 200 users and 400 access rules."""
    units = []
    for d in range(departments):
        units.append(
            {
                "name": f"dept-{d}",
                # Exactly what the projects deserve: any quota moved in the wrong order
                # breaks the department's budget.
                "quota": {"default": {"gpu": projects}, "h100": {"gpu": projects / 2}},
                "prune": True,
                "projects": [
                    {
                        "name": f"d{d}-p{p:02d}",
                        "quota": {"default": {"gpu": 1}, "h100": {"gpu": 0.5}},
                    }
                    for p in range(projects)
                ],
            }
        )
    people = [{"email": f"user{i:03d}@example.com"} for i in range(users)]
    rules = []
    for i, user in enumerate(people):
        d, p = i % departments, (i // departments) % projects
        rules.append(
            {"user": user["email"], "role": "L1 researcher", "scope": f"dept-{d}/d{d}-p{p:02d}"}
        )
        rules.append({"user": user["email"], "role": "Viewer", "scope": f"dept-{d}"})
    return {
        "clusters": [{"name": "cluster-1", "departments": units}],
        "users": people,
        "accessRules": rules,
        "prune": {"users": True, "accessRules": True},
    }

"""Quick start: the calls an administrator makes first.

Runs against the tenant named by RUNAI_BASE_URL / RUNAI_CLIENT_ID / RUNAI_CLIENT_SECRET,
or against the embedded fake control plane when they are not set.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

import runai_admin as ra
from runai_admin.testing import FakeControlPlane


def connect(stack: ExitStack) -> ra.Client:
    if os.environ.get("RUNAI_BASE_URL"):
        return stack.enter_context(ra.Client())
    plane = stack.enter_context(FakeControlPlane())
    return stack.enter_context(plane.client())


def main() -> None:
    with ExitStack() as stack:
        client = connect(stack)
        cluster = client.clusters.list().to_list()[0]
        print(f"cluster {cluster['name']} ({cluster['uuid']})")
        dept = client.departments.create(
            name="quickstart-dept", cluster_id=cluster["uuid"], resources=[{"gpu": {"deserved": 4}}]
        )
        project = client.projects.create(
            name="quickstart-project",
            cluster_id=cluster["uuid"],
            parent_id=dept["id"],
            resources=[{"gpu": {"deserved": 2}}],
        )
        print(f"project {project['name']} under {dept['name']}")
        for p in client.projects.list(filter_by=["name=@quickstart"]):
            print(" ", p["id"], p["name"], p["resources"][0]["gpu"].get("deserved"), "GPUs")
        client.projects.delete(project["id"])
        client.departments.delete(dept["id"])


if __name__ == "__main__":
    main()

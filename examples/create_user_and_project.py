"""Onboard a researcher: a user, a project with a 2-GPU quota, and an access rule that
makes the user an L1 researcher on that project; then the user's access rules.

Runs against the tenant named by RUNAI_BASE_URL / RUNAI_CLIENT_ID / RUNAI_CLIENT_SECRET
(and leaves what it creates there), or against the embedded fake control plane when they
are not set. With `--legacy` it does the same through the seed-era `/v1/k8s` API that
older self-hosted control planes speak (`client.legacy`): there the user's roles are
given with the user, and the project names the user in its permissions.
"""

from __future__ import annotations

import os
import sys
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
        cluster_id = client.clusters.list().to_list()[0]["uuid"]
        user = client.users.create(email="new-researcher@example.com")
        print(f"user {user['username']} (temporary password issued)")
        dept = client.departments.create(
            name="research", cluster_id=cluster_id, resources=[{"gpu": {"deserved": 4}}]
        )
        project = client.projects.create(
            name="new-researcher",
            cluster_id=cluster_id,
            parent_id=dept["id"],
            resources=[{"gpu": {"deserved": 2}}],
        )
        print(f"project {project['name']} with {project['totalResources'].get('gpuQuota')} GPUs")
        # Role ids differ between tenants: find the role by its name.
        role = next(r for r in client.roles.list() if r["name"] == "L1 researcher")
        client.access_rules.create(
            subject_id=user["username"],
            subject_type="user",
            role_id=role["id"],
            scope_id=project["id"],
            scope_type="project",
        )
        print(f"access rules of {user['username']}:")
        for rule in client.access_rules.list(subject_type="user", subject_ids=[user["username"]]):
            print(f"  {rule['roleName']} on {rule['scopeType']} {rule['scopeName']}")


def main_legacy() -> None:
    with ExitStack() as stack:
        client = connect(stack)
        cluster_uuid = client.legacy.clusters.list().to_list()[0]["clusterUuid"]
        user = client.legacy.users.create(
            email="new-researcher@example.com",
            password="Change-me-1st",
            roles=["researcher"],
            permitted_clusters=[cluster_uuid],
            permit_all_clusters=False,
            need_to_change_password=True,
        )
        print(f"user {user['email']} with roles {user['roles']} on {user['permittedClusters']}")
        dept = client.legacy.departments.create(
            name="research", cluster_uuid=cluster_uuid, deserved_gpus=4
        )
        project = client.legacy.projects.create(
            name="new-researcher",
            cluster_uuid=cluster_uuid,
            department_id=dept["id"],
            deserved_gpus=2,
            permissions={"users": [user["userId"]]},
        )
        print(f"project {project['name']} (id {project['id']}) with {project['deservedGpus']} GPUs")
        # The seed-era roles are access rules of today's API.
        print(f"access rules of {user['email']}:")
        for rule in client.access_rules.list(subject_type="user", subject_ids=[user["email"]]):
            print(f"  {rule['roleName']} on {rule['scopeType']} {rule['scopeName']}")


if __name__ == "__main__":
    if "--legacy" in sys.argv[1:]:
        main_legacy()
    else:
        main()

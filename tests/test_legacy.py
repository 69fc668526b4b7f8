"""The seed-era API (`client.legacy`) on both clients: clusters, projects, departments,
users and node types by integer id (users by string id), plain arrays as lists, PUT
replacing every editable field, one store shared with the current `/api/v1` surface, and
the seed era's two ways to sign in."""

from __future__ import annotations

from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, paths, resolve

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "administrator"


async def test_clusters_create_get_install_file_and_delete(api: Any, cp: FakeControlPlane) -> None:
    made = await resolve(api.legacy.clusters.create(name="edge", description="the edge site"))
    uuid = made["clusterUuid"]
    assert (made["name"], made["description"]) == ("edge", "the edge site")
    assert isinstance(made["tenantId"], int)
    assert await resolve(api.legacy.clusters.get(uuid)) == made
    listed = await collect(api.legacy.clusters.list())
    assert isinstance(listed, list) and {c["clusterUuid"] for c in listed} == {cp.cluster_id, uuid}
    # The same cluster in the current view.
    assert (await resolve(api.clusters.get(uuid)))["name"] == "edge"
    values = await resolve(api.legacy.clusters.install_file(uuid, cloud="gke"))
    assert isinstance(values, str) and uuid in values and "cloud" in values
    with pytest.raises(ValueError, match="cloud"):
        await resolve(api.legacy.clusters.install_file(uuid, cloud="mars"))
    answer = await resolve(api.legacy.clusters.delete(uuid))
    assert isinstance(answer, str) and uuid in answer
    with pytest.raises(ra.NotFoundError):
        await resolve(api.legacy.clusters.get(uuid))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.clusters.get(uuid))


async def seed_department(api: Any, cluster: str, name: str = "physics") -> dict:
    department: dict = await resolve(
        api.legacy.departments.create(name=name, cluster_uuid=cluster, deserved_gpus=8)
    )
    return department


async def test_projects_by_integer_id_in_both_views(api: Any, cp: FakeControlPlane) -> None:
    department = await seed_department(api, cp.cluster_id)
    project = await resolve(
        api.legacy.projects.create(
            name="team-a",
            cluster_uuid=cp.cluster_id,
            department_id=department["id"],
            deserved_gpus=2,
            max_allowed_gpus=4,
            permissions={"users": ["ada@example.com"]},
        )
    )
    assert isinstance(project["id"], int) and isinstance(project["departmentId"], int)
    assert (project["deservedGpus"], project["maxAllowedGpus"]) == (2, 4)
    assert (await resolve(api.legacy.projects.get(project["id"])))["name"] == "team-a"
    listed = await collect(api.legacy.projects.list(cp.cluster_id))
    assert "team-a" in [p["name"] for p in listed]
    # The current view holds the same project, under the same id as text.
    current = await resolve(api.projects.get(str(project["id"])))
    assert (current["name"], current["parentId"]) == ("team-a", str(department["id"]))
    # And the reverse: a project made today is a seed-era project.
    modern = await resolve(
        api.projects.create(
            name="team-b",
            cluster_id=cp.cluster_id,
            parent_id=str(department["id"]),
            resources=[{"gpu": {"deserved": 1}}],
        )
    )
    seen = await resolve(api.legacy.projects.get(int(modern["id"])))
    assert (seen["name"], seen["deservedGpus"]) == ("team-b", 1)
    gone = await resolve(api.legacy.projects.delete(project["id"]))
    assert gone["name"] == "team-a"
    with pytest.raises(ra.NotFoundError):
        await resolve(api.projects.get(str(project["id"])))


async def test_a_project_put_replaces_every_editable_field(api: Any, cp: FakeControlPlane) -> None:
    department = await seed_department(api, cp.cluster_id)
    other = await seed_department(api, cp.cluster_id, "chemistry")
    project = await resolve(
        api.legacy.projects.create(
            name="team-a",
            cluster_uuid=cp.cluster_id,
            department_id=department["id"],
            deserved_gpus=2,
            max_allowed_gpus=4,
            interactive_job_time_limit_secs=3600,
            permissions={"users": ["ada@example.com"]},
        )
    )
    replaced = await resolve(
        api.legacy.projects.update(
            project["id"],
            name="team-a2",
            cluster_uuid=cp.cluster_id,
            department_id=other["id"],
            deserved_gpus=3,
        )
    )
    assert (replaced["name"], replaced["departmentId"], replaced["deservedGpus"]) == (
        "team-a2",
        other["id"],
        3,
    )
    # What the PUT left out is gone: the limit, the time limit, the permissions.
    assert replaced["maxAllowedGpus"] == -1
    assert "interactiveJobTimeLimitSecs" not in replaced
    assert replaced["permissions"]["users"] == []
    current = await resolve(api.projects.get(str(project["id"])))
    assert (current["name"], current["parentId"]) == ("team-a2", str(other["id"]))
    with pytest.raises(TypeError, match="deserved_gpus"):
        await resolve(
            api.legacy.projects.update(
                project["id"], name="x", cluster_uuid=cp.cluster_id, department_id=other["id"]
            )
        )
    with pytest.raises(ra.BadRequestError, match="clusterUuid"):
        await resolve(
            api.legacy.projects.update(
                project["id"],
                name="x",
                cluster_uuid="00000000-0000-0000-0000-000000000000",
                department_id=other["id"],
                deserved_gpus=1,
            )
        )
    with pytest.raises(ra.NotFoundError):
        await resolve(api.legacy.projects.get(999999))


async def test_departments_by_integer_id_in_both_views(api: Any, cp: FakeControlPlane) -> None:
    department = await seed_department(api, cp.cluster_id)
    assert isinstance(department["id"], int) and department["deservedGpus"] == 8
    assert (await resolve(api.legacy.departments.get(department["id"])))["name"] == "physics"
    listed = await collect(api.legacy.departments.list(cp.cluster_id))
    assert {"default", "physics"} <= {d["name"] for d in listed}
    current = await resolve(api.departments.get(str(department["id"])))
    assert current["name"] == "physics"
    replaced = await resolve(
        api.legacy.departments.update(
            department["id"], name="physics-2", cluster_uuid=cp.cluster_id, deserved_gpus=6
        )
    )
    assert (replaced["name"], replaced["deservedGpus"], replaced["maxAllowedGpus"]) == (
        "physics-2",
        6,
        -1,
    )
    modern = await resolve(
        api.departments.create(
            name="biology", cluster_id=cp.cluster_id, resources=[{"gpu": {"deserved": 2}}]
        )
    )
    assert (await resolve(api.legacy.departments.get(int(modern["id"]))))["name"] == "biology"
    answer = await resolve(api.legacy.departments.delete(department["id"]))
    assert isinstance(answer, str)
    with pytest.raises(ra.NotFoundError):
        await resolve(api.departments.get(str(department["id"])))


async def test_users_with_roles_are_access_rules(api: Any, cp: FakeControlPlane) -> None:
    user = await resolve(
        api.legacy.users.create(
            email="ada@example.com",
            password="first-password-1",
            roles=["researcher", "viewer"],
            permitted_clusters=[cp.cluster_id],
            permit_all_clusters=False,
            need_to_change_password=True,
        )
    )
    assert isinstance(user["userId"], str) and "password" not in user
    assert (user["roles"], user["permittedClusters"], user["permitAllClusters"]) == (
        ["researcher", "viewer"],
        [cp.cluster_id],
        False,
    )
    assert user["needToChangePassword"] is True
    # The current view: the same user, with rules mapped from the seed-era roles.
    assert (await resolve(api.users.get(user["userId"])))["username"] == "ada@example.com"
    rules = await collect(
        api.access_rules.list(subject_type="user", subject_ids=["ada@example.com"])
    )
    assert {(r["roleName"], r["scopeType"], r["scopeId"]) for r in rules} == {
        ("L1 researcher", "cluster", cp.cluster_id),
        ("Viewer", "cluster", cp.cluster_id),
    }
    # PUT replaces: the roles and clusters sent, nothing else.
    replaced = await resolve(
        api.legacy.users.update(
            user["userId"],
            email="ada@example.com",
            roles=["editor"],
            permitted_clusters=[],
            permit_all_clusters=True,
        )
    )
    assert (replaced["roles"], replaced["permitAllClusters"], replaced["permittedClusters"]) == (
        ["editor"],
        True,
        [],
    )
    assert replaced["needToChangePassword"] is False
    rules = await collect(
        api.access_rules.list(subject_type="user", subject_ids=["ada@example.com"])
    )
    assert [(r["roleName"], r["scopeType"]) for r in rules] == [("Editor", "tenant")]
    # The reverse: a user made today, a rule granted today, seen by the seed era.
    made = await resolve(api.users.create(email="bob@example.com"))
    viewer = next(r for r in await collect(api.roles.list()) if r["name"] == "Viewer")
    await resolve(
        api.access_rules.create(
            subject_id="bob@example.com",
            subject_type="user",
            role_id=viewer["id"],
            scope_id=cp.cluster_id,
            scope_type="cluster",
        )
    )
    bob = await resolve(api.legacy.users.get(made["id"]))
    assert (bob["roles"], bob["permittedClusters"]) == (["viewer"], [cp.cluster_id])
    emails = {u["email"] for u in await collect(api.legacy.users.list())}
    assert {ADMIN_EMAIL, "ada@example.com", "bob@example.com"} <= emails
    with pytest.raises(ra.BadRequestError, match="email"):
        await resolve(
            api.legacy.users.update(
                user["userId"],
                email="other@example.com",
                roles=[],
                permitted_clusters=[],
                permit_all_clusters=False,
            )
        )
    with pytest.raises(ra.BadRequestError, match="permittedClusters"):
        await resolve(
            api.legacy.users.create(
                email="eve@example.com",
                password="pw-123456",
                roles=["viewer"],
                permitted_clusters=["00000000-0000-0000-0000-000000000000"],
                permit_all_clusters=False,
            )
        )
    # The seed era's role names are checked by the server, which names the field.
    with pytest.raises(ra.BadRequestError, match="roles"):
        await resolve(
            api.legacy.users.create(
                email="eve@example.com",
                password="pw-123456",
                roles=["overlord"],
                permitted_clusters=[],
                permit_all_clusters=True,
            )
        )
    assert isinstance(await resolve(api.legacy.users.delete(user["userId"])), str)
    with pytest.raises(ra.NotFoundError):
        await resolve(api.users.get(user["userId"]))
    rules = await collect(
        api.access_rules.list(subject_type="user", subject_ids=["ada@example.com"])
    )
    assert rules == []


async def test_project_permissions_are_researcher_rules(api: Any, cp: FakeControlPlane) -> None:
    ada = await resolve(api.users.create(email="ada@example.com"))
    await resolve(api.users.create(email="bob@example.com"))
    department = await seed_department(api, cp.cluster_id)
    project = await resolve(
        api.legacy.projects.create(
            name="team-a",
            cluster_uuid=cp.cluster_id,
            department_id=department["id"],
            deserved_gpus=2,
            permissions={"users": [ada["id"], "someone-unknown"]},
        )
    )
    # A user of the tenant becomes a researcher there; other names are kept as written.
    assert project["permissions"]["users"] == [ada["id"], "someone-unknown"]

    async def researchers() -> list[str]:
        rules = await collect(
            api.access_rules.list(scope_type="project", scope_id=str(project["id"]))
        )
        return sorted(r["subjectId"] for r in rules if r["roleName"] == "L1 researcher")

    assert await researchers() == ["ada@example.com"]
    # The reverse: a researcher rule granted today is a permitted user of the seed era.
    l1 = next(r for r in await collect(api.roles.list()) if r["name"] == "L1 researcher")
    await resolve(
        api.access_rules.create(
            subject_id="bob@example.com",
            subject_type="user",
            role_id=l1["id"],
            scope_id=str(project["id"]),
            scope_type="project",
        )
    )
    seen = await resolve(api.legacy.projects.get(project["id"]))
    assert set(seen["permissions"]["users"]) >= {ada["id"], "someone-unknown"}
    assert len(seen["permissions"]["users"]) == 3
    # A PUT's list replaces them.
    await resolve(
        api.legacy.projects.update(
            project["id"],
            name="team-a",
            cluster_uuid=cp.cluster_id,
            department_id=department["id"],
            deserved_gpus=2,
            permissions={"users": ["bob@example.com"]},
        )
    )
    assert await researchers() == ["bob@example.com"]


async def test_roles_without_clusters_grant_nothing_yet_stay(
    api: Any, cp: FakeControlPlane
) -> None:
    user = await resolve(
        api.legacy.users.create(
            email="ada@example.com",
            password="first-password-1",
            roles=["researcher"],
            permitted_clusters=[],
            permit_all_clusters=False,
        )
    )
    assert (user["roles"], user["permittedClusters"]) == (["researcher"], [])
    assert (
        await collect(api.access_rules.list(subject_type="user", subject_ids=["ada@example.com"]))
        == []
    )
    # Given a cluster, the role becomes an access rule there.
    granted = await resolve(
        api.legacy.users.update(
            user["userId"],
            email="ada@example.com",
            roles=["researcher"],
            permitted_clusters=[cp.cluster_id],
            permit_all_clusters=False,
        )
    )
    assert (granted["roles"], granted["permittedClusters"]) == (["researcher"], [cp.cluster_id])
    rules = await collect(
        api.access_rules.list(subject_type="user", subject_ids=["ada@example.com"])
    )
    assert [(r["roleName"], r["scopeId"]) for r in rules] == [("L1 researcher", cp.cluster_id)]


async def test_node_types_per_cluster(api: Any, cp: FakeControlPlane) -> None:
    a100 = await resolve(api.legacy.node_types.create(name="a100", cluster_uuid=cp.cluster_id))
    v100 = await resolve(api.legacy.node_types.create(name="v100", cluster_uuid=cp.cluster_id))
    assert isinstance(a100["id"], int) and v100["id"] == a100["id"] + 1
    assert a100["clusterUuid"] == cp.cluster_id
    listed = await collect(api.legacy.node_types.list(cp.cluster_id))
    assert [t["name"] for t in listed] == ["a100", "v100"]
    with pytest.raises(ra.ConflictError):
        await resolve(api.legacy.node_types.create(name="a100", cluster_uuid=cp.cluster_id))
    renamed = await resolve(
        api.legacy.node_types.update(a100["id"], name="a100-80g", cluster_uuid=cp.cluster_id)
    )
    assert renamed["name"] == "a100-80g"
    assert (await resolve(api.legacy.node_types.get(a100["id"])))["name"] == "a100-80g"
    assert isinstance(await resolve(api.legacy.node_types.delete(a100["id"])), str)
    with pytest.raises(ra.NotFoundError):
        await resolve(api.legacy.node_types.get(a100["id"]))
    # They go with their cluster.
    edge = await resolve(api.legacy.clusters.create(name="edge"))
    t4 = await resolve(api.legacy.node_types.create(name="t4", cluster_uuid=edge["clusterUuid"]))
    await resolve(api.legacy.clusters.delete(edge["clusterUuid"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.legacy.node_types.get(t4["id"]))


def test_a_seed_era_user_signs_in_with_email_and_password(cp: FakeControlPlane) -> None:
    with cp.client() as admin:
        admin.legacy.users.create(
            email="ada@example.com",
            password="ada-password-1",
            roles=["viewer"],
            permitted_clusters=[],
            permit_all_clusters=True,
        )
    auth = ra.auth.Password("ada@example.com", "ada-password-1", legacy=True)
    assert "ada-password-1" not in repr(auth)
    with ra.Client(base_url=cp.url, auth=auth) as ada:
        assert [c["clusterUuid"] for c in ada.legacy.clusters.list()] == [cp.cluster_id]
        # A viewer changes nothing.
        with pytest.raises(ra.PermissionDeniedError):
            ada.legacy.node_types.create(name="x", cluster_uuid=cp.cluster_id)
    assert paths(cp, "/v1/k8s/auth/login")[0]["status"] == 200
    assert b"ada-password-1" not in paths(cp, "/v1/k8s/auth/login")[0]["body"]
    wrong = ra.auth.Password("ada@example.com", "not-the-password-9", legacy=True)
    with (
        ra.Client(base_url=cp.url, auth=wrong) as client,
        pytest.raises(ra.AuthenticationError) as caught,
    ):
        client.legacy.clusters.list().to_list()
    for text in (str(caught.value), repr(caught.value), repr(caught.value.body)):
        assert "not-the-password-9" not in text


async def test_a_keycloak_realm_client_signs_in(cp: FakeControlPlane) -> None:
    auth = ra.auth.KeycloakRealm("runai", cp.client_id, cp.client_secret)
    assert cp.client_secret not in repr(auth)
    async with ra.AsyncClient(base_url=cp.url, auth=auth) as client:
        assert await client.legacy.users.list().to_list()
    assert len(paths(cp, "/auth/realms/runai/protocol/openid-connect/token")) == 1


async def test_bad_arguments_name_the_field_before_sending(api: Any, cp: FakeControlPlane) -> None:
    before = len(cp.requests)
    with pytest.raises(TypeError, match="cluster_uuid"):
        await resolve(api.legacy.node_types.create(name="a100"))
    with pytest.raises(TypeError, match="project_id"):
        await resolve(api.legacy.projects.get([1]))
    with pytest.raises(TypeError, match="deserved_gpus"):
        await resolve(
            api.legacy.departments.create(name="d", cluster_uuid=cp.cluster_id, deserved_gpus="8")
        )
    assert len(cp.requests) == before

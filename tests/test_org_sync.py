"""Organisation sync on the fake control plane: plan and apply a file, the changed file's
exact plan, idempotence, failures mid-apply and the recovery, atomic runs, the quota rule,
pruning, the export round trip, and all of it on the async client too."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.org import Plan, PlanError, QuotaError, SpecError
from runai_admin.testing import FakeControlPlane

from .conftest import resolve

EXAMPLE = Path(__file__).parent.parent / "examples" / "org.yaml"


def large_organisation() -> dict[str, Any]:
    """3 departments of 10 projects, 200 users, 400 access rules."""
    return ra.org.sample_organisation()


def changed_organisation(ids: dict[str, str]) -> dict[str, Any]:
    """The large organisation a week later: 0.5 GPU moved from d0-p01 to d0-p00, d1-p05
    renamed (by its id) to d1-vision, two users gone, one new."""
    org = copy.deepcopy(large_organisation())
    dept0 = org["clusters"][0]["departments"][0]["projects"]
    dept0[0]["quota"]["default"]["gpu"] = 1.5
    dept0[1]["quota"]["default"]["gpu"] = 0.5
    renamed = org["clusters"][0]["departments"][1]["projects"][5]
    renamed["name"], renamed["id"] = "d1-vision", ids["d1-p05"]
    for rule in org["accessRules"]:
        if rule["scope"] == "dept-1/d1-p05":
            rule["scope"] = "dept-1/d1-vision"
    gone = {"user198@example.com", "user199@example.com"}
    org["users"] = [u for u in org["users"] if u["email"] not in gone]
    org["accessRules"] = [r for r in org["accessRules"] if r["user"] not in gone]
    org["users"].append({"email": "newcomer@example.com"})
    org["accessRules"].append(
        {"user": "newcomer@example.com", "role": "L1 researcher", "scope": "dept-2/d2-p00"}
    )
    return org


def summary(plan: Plan) -> list[tuple[str, str, str, list[tuple[str, Any, Any]]]]:
    return [
        (c.action, c.kind, c.name, [(f.field, f.before, f.after) for f in c.fields])
        for c in plan.grouped()
    ]


@pytest.fixture
def quota_cp():
    with FakeControlPlane(projects_within_department_quota=True) as plane:
        yield plane


@pytest.fixture
def org_api(request, quota_cp):
    """A sync or async client of a fake that enforces the department quota rule."""
    c = quota_cp.client() if request.param == "sync" else quota_cp.async_client()
    yield c
    c.close()


both = pytest.mark.parametrize("org_api", ["sync", "async"], indirect=True)


@both
async def test_the_example_applies_to_a_fresh_control_plane_and_then_is_in_sync(org_api):
    plan = await resolve(org_api.org.plan(EXAMPLE))
    assert plan.counts() == {"create": 26, "update": 0, "replace": 0, "delete": 0}
    result = await resolve(org_api.org.apply(plan))
    assert result.ok, result.render()
    assert "Apply complete: 26 created" in result.summary()
    # The new service account's secret and the users' temporary passwords are kept for
    # the caller, never shown.
    assert "service-account ci-runner" in result.secrets
    assert result.secrets["service-account ci-runner"] not in repr(result.secrets)
    again = await resolve(org_api.org.plan(EXAMPLE))
    assert again.empty and "No changes" in str(again)
    nothing = await resolve(org_api.org.apply(again))
    assert nothing.outcomes == [] and "No changes" in nothing.summary()
    physics = [
        d for d in await resolve(org_api.departments.list().to_list()) if d["name"] == "physics"
    ]
    assert physics[0]["defaultNodePools"] == ["h100", "default"]
    rules = await resolve(org_api.access_rules.list().to_list())
    ci = [r for r in rules if r["subjectType"] == "service-account" and r["scopeName"] == "ci"]
    assert ci and ci[0]["roleName"] == "L1 researcher"
    accounts = await resolve(org_api.service_accounts.list().to_list())
    assert {a["name"]: a["enabled"] for a in accounts} == {
        "ci-runner": True,
        "nightly-reports": False,
    }


@both
async def test_a_large_organisation_then_a_changed_file_with_its_exact_plan(org_api, quota_cp):
    started = time.perf_counter()
    plan = await resolve(org_api.org.plan(large_organisation()))
    planned = time.perf_counter()
    assert plan.counts() == {"create": 633, "update": 0, "replace": 0, "delete": 0}
    result = await resolve(org_api.org.apply(plan))
    applied = time.perf_counter()
    assert result.ok, [o.error for o in result.failed][:3]
    print(f"\nlarge organisation: plan {planned - started:.2f}s, apply {applied - planned:.2f}s")
    assert (await resolve(org_api.org.plan(large_organisation()))).empty

    projects = await resolve(org_api.projects.list().to_list())
    ids = {p["name"]: p["id"] for p in projects}
    changed = changed_organisation(ids)
    plan = await resolve(org_api.org.plan(changed))
    # The users whose rules are on d1-p05: they get them again on the new project.
    on_renamed = [i for i in range(200) if i % 3 == 1 and (i // 3) % 10 == 5]
    expected = [
        ("create", "user", "newcomer@example.com", []),
        *[
            (
                "create",
                "access-rule",
                f"user:user{i:03d}@example.com → L1 researcher @ dept-1/d1-vision",
                [],
            )
            for i in on_renamed
        ],
        ("create", "access-rule", "user:newcomer@example.com → L1 researcher @ dept-2/d2-p00", []),
        ("update", "project", "cluster-1/dept-0/d0-p00", [("quota.default.gpu", 1, 1.5)]),
        ("update", "project", "cluster-1/dept-0/d0-p01", [("quota.default.gpu", 1, 0.5)]),
        (
            "replace",
            "project",
            "cluster-1/dept-1/d1-vision",
            [
                ("name", "d1-p05", "d1-vision"),
                ("quota.default.gpu", None, 1),
                ("quota.h100.gpu", None, 0.5),
            ],
        ),
        ("delete", "user", "user198@example.com", []),
        ("delete", "user", "user199@example.com", []),
        *[
            ("delete", "access-rule", f"user:user{i}@example.com → {role} @ {scope}", [])
            for i, role, scope in (
                (198, "L1 researcher", "dept-0/d0-p06"),
                (198, "Viewer", "dept-0"),
                (199, "L1 researcher", "dept-1/d1-p06"),
                (199, "Viewer", "dept-1"),
            )
        ],
    ]
    assert sorted(summary(plan), key=repr) == sorted(expected, key=repr)
    assert plan.grouped()[0].action == "create" and plan.grouped()[-1].action == "delete"
    replace = next(c for c in plan.changes if c.action == "replace")
    assert replace.id == ids["d1-p05"] and "cannot rename" in (replace.reason or "")

    # The fake refuses a project that takes its department over budget, so the quota can
    # only move if d0-p01 gives before d0-p00 takes.
    result = await resolve(org_api.org.apply(plan))
    assert result.ok, result.render()
    assert (await resolve(org_api.org.plan(changed))).empty
    names = {p["name"] for p in await resolve(org_api.projects.list().to_list())}
    assert "d1-vision" in names and "d1-p05" not in names
    emails = {u["username"] for u in await resolve(org_api.users.list().to_list())}
    assert "newcomer@example.com" in emails and "user199@example.com" not in emails
    assert "admin@example.com" in emails  # the system's own user is never pruned


@both
async def test_a_failure_mid_apply_spares_the_rest_and_a_second_apply_finishes(org_api, quota_cp):
    # The first project create is refused (409) and the first user's request is lost
    # with its connection (POST is not repeated: it may have arrived). Which project and
    # which user come first is up to the order the requests reach the fake (the async
    # client sends several at once).
    quota_cp.inject("/api/v1/org-unit/projects", method="POST", status=409, times=1)
    quota_cp.inject("/api/v1/users", method="POST", drop_connection=True, times=1)
    result = await resolve(org_api.org.apply(EXAMPLE))
    assert not result.ok
    failed = {o.change.kind: o.change.name for o in result.failed}
    assert sorted(failed) == ["project", "user"] and len(result.failed) == 2
    errors = " ".join(o.error or "" for o in result.failed)
    assert "409" in errors and "APIConnectionError" in errors
    # Skipped: exactly the access rules of the user that failed, or on the project that did.
    lost_scope = failed["project"].split("/", 1)[1]  # cluster-1/physics/x -> physics/x
    rules = [o.change.name for o in result.outcomes if o.change.kind == "access-rule"]
    dependents = {
        name
        for name in rules
        if name.startswith(f"user:{failed['user']} ") or name.endswith(f" @ {lost_scope}")
    }
    assert dependents and {o.change.name for o in result.skipped} == dependents
    assert all("depends on" in (o.error or "") for o in result.skipped)
    assert "Apply incomplete" in result.summary()
    done = [o for o in result.outcomes if o.status == "done"]
    assert len(done) == 27 - 2 - len(dependents)

    rest = await resolve(org_api.org.plan(EXAMPLE))
    assert {(c.action, c.kind, c.name) for c in rest.changes} >= {
        ("create", "project", failed["project"]),
        *(("create", "access-rule", name) for name in dependents),
    }
    assert (await resolve(org_api.org.apply(rest))).ok
    assert (await resolve(org_api.org.plan(EXAMPLE))).empty


@both
async def test_an_atomic_apply_stops_at_the_first_failure_and_removes_what_it_made(
    org_api, quota_cp
):
    before = await resolve(org_api.org.plan(EXAMPLE))
    quota_cp.inject("/api/v1/authorization/access-rules", method="POST", status=409, times=1)
    result = await resolve(org_api.org.apply(before, atomic=True))
    assert not result.ok and len(result.failed) == 1
    statuses = {o.status for o in result.outcomes}
    assert statuses <= {"reverted", "failed", "not run", "done"}
    # Whatever was made is gone again (a disabled account goes with its account).
    assert all(o.status != "done" or o.step == "disable" for o in result.outcomes)
    assert sum(o.status == "reverted" for o in result.outcomes) >= 10
    after = await resolve(org_api.org.plan(EXAMPLE))
    assert summary(after) == summary(before)


@both
async def test_a_department_over_its_quota_is_refused_at_plan_time_with_the_numbers(
    org_api, quota_cp
):
    org = {
        "clusters": [
            {
                "name": "cluster-1",
                "departments": [
                    {
                        "name": "physics",
                        "quota": {"default": {"gpu": 4}, "h100": {"gpu": 2}},
                        "projects": [
                            {"name": "a", "quota": {"default": {"gpu": 3}}},
                            {"name": "b", "quota": {"default": {"gpu": 2}, "h100": {"gpu": 1}}},
                        ],
                    }
                ],
            }
        ]
    }
    quota_cp.clear_requests()
    with pytest.raises(QuotaError) as refused:
        await resolve(org_api.org.plan(org))
    assert (
        "department cluster-1/physics, node pool default: its projects would deserve 5 GPUs "
        "(a 3, b 2), more than the department's 4"
    ) in str(refused.value)
    # Only reads (and the token) before the refusal.
    assert all(r["method"] == "GET" or r["path"].endswith("/token") for r in quota_cp.requests)
    # Without the check the plan is made, and the control plane refuses the project.
    plan = await resolve(org_api.org.plan(org, check_quota=False))
    result = await resolve(org_api.org.apply(plan))
    # The project the control plane sees second is refused (the async client sends both
    # at once, so either may be second).
    assert len(result.failed) == 1
    assert result.failed[0].change.name in {"cluster-1/physics/a", "cluster-1/physics/b"}
    assert "more than the department's 4" in (result.failed[0].error or "")


@both
async def test_a_bad_file_is_refused_with_line_and_field_before_any_request(
    org_api, quota_cp, tmp_path
):
    bad = tmp_path / "org.yaml"
    bad.write_text(
        "clusters:\n"
        "  - name: cluster-1\n"
        "    departments:\n"
        "      - name: physics\n"
        "        quota:\n"
        "          default: {gpu: four}\n"
        "users:\n"
        "  - mail: ada@example.com\n"
    )
    quota_cp.clear_requests()
    with pytest.raises(SpecError) as refused:
        await resolve(org_api.org.plan(bad))
    text = str(refused.value)
    assert f"{bad}:6: clusters[0].departments[0].quota.default.gpu: must be a number" in text
    assert f"{bad}:8: users[0].mail: unknown field" in text
    assert quota_cp.requests == []


@both
async def test_unknown_pools_roles_and_scopes_are_named_at_plan_time(org_api):
    org = {
        "clusters": [
            {"name": "cluster-1", "departments": [{"name": "x", "quota": {"a100": {"gpu": 1}}}]}
        ],
        "accessRules": [
            {"user": "admin@example.com", "role": "Overlord", "scope": "x"},
            {"user": "admin@example.com", "role": "Viewer", "scope": "nowhere/p"},
        ],
    }
    with pytest.raises(PlanError) as refused:
        await resolve(org_api.org.plan(org))
    text = str(refused.value)
    assert "no node pool 'a100' in cluster 'cluster-1' (it has default, h100)" in text
    assert "no role 'Overlord'" in text and "no project nowhere/p" in text


@both
async def test_pruning_deletes_unlisted_projects_and_departments_but_never_the_default(org_api):
    await resolve(org_api.org.apply(EXAMPLE))
    org = ra.org.load(EXAMPLE)
    org.clusters[0].prune = True
    org.clusters[0].departments = [d for d in org.clusters[0].departments if d.name != "platform"]
    physics = org.clusters[0].departments[0]
    physics.projects = [p for p in physics.projects if p.name != "materials"]
    org.access_rules = [r for r in org.access_rules if "platform" not in r.scope]
    plan = await resolve(org_api.org.plan(org))
    assert sorted((c.action, c.kind, c.name) for c in plan.changes) == [
        ("delete", "department", "cluster-1/platform"),
        ("delete", "project", "cluster-1/physics/materials"),
        ("delete", "project", "cluster-1/platform/ci"),
        ("delete", "project", "cluster-1/platform/inference"),
    ]
    assert (await resolve(org_api.org.apply(plan))).ok
    names = {d["name"] for d in await resolve(org_api.departments.list().to_list())}
    assert names == {"default", "physics", "biology"}
    assert (await resolve(org_api.org.plan(org))).empty


@both
async def test_export_round_trips(org_api, tmp_path):
    await resolve(org_api.org.apply(EXAMPLE))
    exported = await resolve(org_api.org.export())
    path = tmp_path / "exported.yaml"
    path.write_text(ra.org.dump(exported))
    assert (await resolve(org_api.org.plan(path))).empty
    again = ra.org.load(path)
    assert again == exported
    names = {d.name for d in again.clusters[0].departments}
    assert names == {"default", "physics", "biology", "platform"}


async def test_async_apply_runs_independent_steps_concurrently(quota_cp):
    async with quota_cp.async_client() as client:
        plan = await client.org.plan(EXAMPLE)
        with pytest.raises(ValueError, match="concurrency"):
            await client.org.apply(plan, concurrency=0)
        # The four users' creates wait on nothing: each answer is held half a second, and
        # together they take about that long, not two seconds.
        quota_cp.inject("/api/v1/users", method="POST", delay=0.5, times=4)
        started = time.perf_counter()
        result = await client.org.apply(plan, concurrency=4)
        assert result.ok
        assert time.perf_counter() - started < 1.5
        assert (await client.org.plan(EXAMPLE)).empty


def test_the_plan_renders_as_a_table_json_and_markdown(quota_cp):
    with quota_cp.client() as client:
        plan = client.org.plan(EXAMPLE)
        table = plan.render("table")
        assert table.splitlines()[0].split() == ["ACTION", "KIND", "OBJECT", "CHANGES"]
        assert "+ create  department" in table
        assert "Plan: 26 to create, 0 to update, 0 to replace, 0 to delete." in table
        as_json = plan.to_dict()
        assert as_json["summary"]["create"] == 26
        assert as_json["changes"][0] == {
            "action": "create",
            "kind": "department",
            "name": "cluster-1/physics",
            "fields": [
                {
                    "field": "description",
                    "before": None,
                    "after": "Particle and condensed-matter physics",
                },
                {"field": "quota.default.gpu", "before": None, "after": 8},
                {"field": "quota.default.gpuOverQuotaWeight", "before": None, "after": 2},
                {"field": "quota.h100.gpu", "before": None, "after": 8},
                {"field": "defaultNodePools", "before": None, "after": ["h100", "default"]},
            ],
        }
        markdown = plan.render("markdown")
        assert markdown.startswith("### Organisation plan") and "#### Create (26)" in markdown
        assert "| department | `cluster-1/physics` |" in markdown
        with pytest.raises(ValueError, match="table, json or markdown"):
            plan.render("yaml")
        client.org.apply(plan, progress=True)


@both
async def test_several_clusters_in_one_file(org_api):
    await resolve(org_api.clusters.create(name="gpu-east", version="2.21"))
    org = {
        "clusters": [
            {
                "name": "cluster-1",
                "departments": [{"name": "physics", "quota": {"h100": {"gpu": 2}}}],
            },
            {
                "name": "gpu-east",
                "departments": [
                    {
                        "name": "physics",
                        "quota": {"default": {"gpu": 4}},
                        "projects": [{"name": "east-lab", "quota": {"default": {"gpu": 4}}}],
                    }
                ],
            },
        ],
        "accessRules": [
            {"user": "admin@example.com", "role": "Viewer", "scope": "gpu-east:physics/east-lab"},
            {"user": "admin@example.com", "role": "Editor", "scope": "cluster-1:physics"},
            {"user": "admin@example.com", "role": "Viewer", "scope": "gpu-east:cluster"},
        ],
    }
    plan = await resolve(org_api.org.plan(org))
    assert [(c.action, c.kind, c.name) for c in plan.grouped()] == [
        ("create", "department", "cluster-1/physics"),
        ("create", "department", "gpu-east/physics"),
        ("create", "project", "gpu-east/physics/east-lab"),
        ("create", "access-rule", "user:admin@example.com → Viewer @ gpu-east:physics/east-lab"),
        ("create", "access-rule", "user:admin@example.com → Editor @ cluster-1:physics"),
        ("create", "access-rule", "user:admin@example.com → Viewer @ gpu-east:cluster"),
    ]
    assert (await resolve(org_api.org.apply(plan))).ok
    assert (await resolve(org_api.org.plan(org))).empty
    rules = await resolve(org_api.access_rules.list().to_list())
    east = next(r for r in rules if r["scopeType"] == "project")
    assert east["scopeName"] == "east-lab"
    exported = await resolve(org_api.org.export())
    assert {r.scope for r in exported.access_rules} >= {"gpu-east:physics/east-lab", "tenant"}
    assert (await resolve(org_api.org.plan(exported))).empty


def test_rules_for_subjects_nobody_has_are_warned_about(quota_cp):
    org = {
        "accessRules": [
            {"user": "ghost@example.com", "role": "Viewer", "scope": "tenant"},
            {"serviceAccount": "phantom", "role": "Viewer", "scope": "tenant"},
            {"user": "admin@example.com", "role": "Viewer", "scope": "tenant"},
        ]
    }
    with quota_cp.client() as client:
        plan = client.org.plan(org)
        assert plan.warnings == [
            "access rule user:ghost@example.com → Viewer @ tenant: user ghost@example.com is "
            "neither in the file nor on the control plane",
            "access rule service-account:phantom → Viewer @ tenant: service-account phantom is "
            "neither in the file nor on the control plane",
        ]
        assert str(plan).startswith("warning: access rule user:ghost@example.com")
        result = client.org.apply(plan)
        assert {o.change.name.split(" ")[0] for o in result.failed} == {
            "user:ghost@example.com",
            "service-account:phantom",
        }
        assert all("404" in (o.error or "") for o in result.failed)


@both
async def test_fields_the_file_leaves_out_are_left_as_they_are(org_api, quota_cp):
    dept = await resolve(
        org_api.departments.create(
            name="physics",
            cluster_id=quota_cp.cluster_id,
            resources=[
                {"nodePool": {"id": "1"}, "gpu": {"deserved": 3, "limit": 5}, "priority": "high"}
            ],
        )
    )
    org = {
        "clusters": [
            {"name": "cluster-1", "departments": [{"name": "physics", "description": "Physics"}]}
        ],
        # No cluster in the file: a scope names the tenant's only one.
        "accessRules": [{"user": "admin@example.com", "role": "Viewer", "scope": "physics"}],
    }
    plan = await resolve(org_api.org.plan(org))
    assert summary(plan) == [
        ("create", "access-rule", "user:admin@example.com → Viewer @ physics", []),
        ("update", "department", "cluster-1/physics", [("description", "", "Physics")]),
    ]
    assert (await resolve(org_api.org.apply(plan))).ok
    after = await resolve(org_api.departments.get(dept["id"]))
    assert after["description"] == "Physics"
    assert after["resources"][0]["gpu"] == {"deserved": 3, "limit": 5}
    rules_only = {"accessRules": org["accessRules"]}
    assert (await resolve(org_api.org.plan(rules_only))).empty


@both
async def test_a_project_moved_to_another_department_is_replaced(org_api):
    await resolve(org_api.org.apply(EXAMPLE))
    org = ra.org.load(EXAMPLE)
    physics, biology, _ = org.clusters[0].departments
    moved = physics.projects.pop(2)  # materials: physics → biology (within its budget)
    moved.quota = {"default": {"gpu": 0}}
    biology.projects.append(moved)
    plan = await resolve(org_api.org.plan(org))
    assert summary(plan) == [
        (
            "replace",
            "project",
            "cluster-1/biology/materials",
            [
                ("department", "physics", "biology"),
                ("schedulingRules.interactiveJobTimeLimitSeconds", None, 28800),
            ],
        )
    ]
    assert "cannot move a project" in (plan.changes[0].reason or "")
    assert (await resolve(org_api.org.apply(plan))).ok
    projects = await resolve(org_api.projects.list().to_list())
    parents = {p["name"]: p["parent"]["name"] for p in projects}
    assert parents["materials"] == "biology"
    assert (await resolve(org_api.org.plan(org))).empty


@both
async def test_a_department_cannot_be_renamed(org_api):
    await resolve(org_api.org.apply(EXAMPLE))
    departments = await resolve(org_api.departments.list().to_list())
    physics_id = next(d["id"] for d in departments if d["name"] == "physics")
    org = {
        "clusters": [{"name": "cluster-1", "departments": [{"name": "science", "id": physics_id}]}]
    }
    with pytest.raises(PlanError, match="cannot rename department 'physics'"):
        await resolve(org_api.org.plan(org))


def test_a_project_name_is_unique_in_its_cluster():
    with pytest.raises(
        SpecError, match=r"departments\[1\].projects\[0\].name: names a project listed twice"
    ):
        ra.org.from_dict(
            {
                "clusters": [
                    {
                        "name": "c",
                        "departments": [
                            {"name": "a", "projects": [{"name": "p"}]},
                            {"name": "b", "projects": [{"name": "p"}]},
                        ],
                    }
                ]
            }
        )


def test_projects_leave_a_pruned_department_before_it_goes(quota_cp):
    with quota_cp.client() as client:
        client.org.apply(EXAMPLE)
        org = ra.org.load(EXAMPLE)
        org.clusters[0].prune = True
        physics, biology, platform = org.clusters[0].departments
        physics.quota = {"default": {"gpu": 10}, "h100": {"gpu": 8}}
        ci = platform.projects[0]  # platform goes; ci moves to physics, inference goes
        physics.projects.append(ci)
        org.clusters[0].departments = [physics, biology]
        org.access_rules = [r for r in org.access_rules if not r.scope.startswith("platform")]
        plan = client.org.plan(org)
        assert sorted((c.action, c.kind, c.name) for c in plan.changes) == [
            ("delete", "department", "cluster-1/platform"),
            ("delete", "project", "cluster-1/platform/inference"),
            ("replace", "project", "cluster-1/physics/ci"),
            ("update", "department", "cluster-1/physics"),
        ]
        result = client.org.apply(plan)
        assert result.ok, result.render()
        assert client.org.plan(org).empty


@both
async def test_a_plan_made_before_someone_else_changed_the_control_plane_is_refused(org_api):
    plan = await resolve(org_api.org.plan(EXAMPLE))
    await resolve(org_api.users.create(email="ada@example.com"))  # made meanwhile, by hand
    with pytest.raises(ra.org.StalePlanError, match="changed since this plan was made") as refused:
        await resolve(org_api.org.apply(plan))
    assert "25 to create" in str(refused.value)
    assert not [
        u for u in await resolve(org_api.users.list().to_list()) if "grace" in u["username"]
    ]
    # Planned again, it applies.
    assert (await resolve(org_api.org.apply(await resolve(org_api.org.plan(EXAMPLE))))).ok


@both
async def test_node_pools_are_created_and_tuned_and_quotas_may_use_a_new_one(org_api):
    org = {
        "clusters": [
            {
                "name": "cluster-1",
                "nodePools": [
                    {"name": "h100", "placementStrategy": {"gpu": "spread"}},
                    {
                        "name": "a100",
                        "labelKey": "nvidia.com/gpu.product",
                        "labelValue": "NVIDIA-A100-SXM4-80GB",
                        "overProvisioningRatio": 2,
                    },
                ],
                "departments": [
                    {
                        "name": "vision",
                        "quota": {"a100": {"gpu": 4}},
                        "defaultNodePools": ["a100", "default"],
                        "projects": [{"name": "detection", "quota": {"a100": {"gpu": 2}}}],
                    }
                ],
            }
        ]
    }
    plan = await resolve(org_api.org.plan(org))
    assert summary(plan)[:2] == [
        (
            "create",
            "node-pool",
            "cluster-1/a100",
            [
                ("labelKey", None, "nvidia.com/gpu.product"),
                ("labelValue", None, "NVIDIA-A100-SXM4-80GB"),
                ("overProvisioningRatio", None, 2),
            ],
        ),
        (
            "create",
            "department",
            "cluster-1/vision",
            [("quota.a100.gpu", None, 4), ("defaultNodePools", None, ["a100", "default"])],
        ),
    ]
    assert (
        "update",
        "node-pool",
        "cluster-1/h100",
        [("placementStrategy.gpu", "binpack", "spread")],
    ) in summary(plan)
    result = await resolve(org_api.org.apply(plan))
    assert result.ok, result.render()
    assert (await resolve(org_api.org.plan(org))).empty
    pools = {p["name"]: p for p in await resolve(org_api.node_pools.list().to_list())}
    assert pools["h100"]["placementStrategy"] == {"cpu": "binpack", "gpu": "spread"}
    assert pools["a100"]["overProvisioningRatio"] == 2
    vision = next(
        d for d in await resolve(org_api.departments.list().to_list()) if d["name"] == "vision"
    )
    assert vision["resources"][0]["nodePool"] == {"id": pools["a100"]["id"], "name": "a100"}
    exported = await resolve(org_api.org.export())
    assert {p.name for p in exported.clusters[0].node_pools} == {"default", "h100", "a100"}
    assert (await resolve(org_api.org.plan(exported))).empty


def test_a_new_node_pool_needs_its_label_and_named_pools_must_exist(quota_cp):
    org = {
        "clusters": [
            {
                "name": "cluster-1",
                "nodePools": [{"name": "a100"}],
                "departments": [{"name": "x", "defaultNodePools": ["t4"]}],
            }
        ]
    }
    with quota_cp.client() as client, pytest.raises(PlanError) as refused:
        client.org.plan(org)
    assert "node pool cluster-1/a100: a new node pool needs labelKey and labelValue" in str(
        refused.value
    )
    assert "department cluster-1/x: no node pool 't4'" in str(refused.value)


def test_a_prune_never_takes_the_callers_own_access(quota_cp):
    with quota_cp.client() as admin:
        robot = admin.service_accounts.create(name="org-sync")
        admin.access_rules.create(
            subject_type="service-account",
            subject_id=robot["clientId"],
            role_id=1,  # System administrator, on the tenant
            scope_type="tenant",
            scope_id="1001",
        )
        admin.org.apply(EXAMPLE)
    org = ra.org.load(EXAMPLE)
    org.access_rules = []
    org.service_accounts = []
    org.prune = ra.org.Prune(users=False, service_accounts=True, access_rules=True)
    with ra.Client(
        base_url=quota_cp.url, client_id=robot["clientId"], client_secret=robot["clientSecret"]
    ) as client:
        plan = client.org.plan(org)
        deleted = {(c.kind, c.name) for c in plan.changes if c.action == "delete"}
        assert ("service-account", "ci-runner") in deleted
        assert ("service-account", "org-sync") not in deleted
        assert not any("org-sync" in name for kind, name in deleted if kind == "access-rule")
        assert sum(kind == "access-rule" for kind, _ in deleted) == 10
        assert plan.warnings == [
            "service account org-sync: kept, though the file does not list it: it is the caller",
            "access rule service-account:org-sync → System administrator @ tenant: kept, though "
            "the file does not list it: it grants the caller",
        ]
        assert client.org.apply(plan).ok
        assert client.org.plan(org).changes == []

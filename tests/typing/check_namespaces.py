"""What type checkers see of both clients: every namespace, its results and its pagers.

Not run: `tests/test_typing.py` (and `make lint`) check this file with mypy --strict and
basedpyright. Lines ending in `# type: ignore[...]` must be rejected: both checkers report
an ignore comment that silences nothing, so each of those lines proves a rejection.
"""

# pyright: strict

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional

from typing_extensions import assert_type

import runai_admin as ra
from runai_admin.pagination import AsyncPager, Items, Page, SyncPager
from runai_admin.types import (
    AccessKey1,
    AccessKeyPostResponse,
    AccessKeys,
    AccessKeysAdministration,
    AccessKeysRegenerateSecretResult,
    AccessRule,
    AccessRuleById,
    AccessRuleDeletionBatchResponse,
    AccessRulesBatchCreateResponse,
    Application,
    ApplicationPostResponse,
    ApplicationsRegenerateSecretResult,
    AppTokenResponse,
    AuditLog,
    ChecksumResponse,
    Command1,
    CountResponse,
    Department,
    DepartmentForList,
    DisplayedCluster,
    HttpResponse,
    Idp1,
    IdpPostResponse,
    LegacyClustersListResultItem,
    LegacyDepartmentsListResultItem,
    LegacyNodeTypesListResultItem,
    LegacyProjectsListResultItem,
    LegacyUsersListResultItem,
    LogoGetResult,
    Mappers,
    MeAccessRule,
    MetricsResponse,
    NetworkTopologiesListResult,
    NetworkTopology,
    Node,
    Nodepool,
    NodePool1,
    OAuth2TokenResponse,
    OidcCreationData,
    OrgUnitsPrioritiesResult,
    Permission,
    PermittedScopesActions,
    Project,
    Project2,
    RegenerateServiceAccountSecretResponse,
    Report,
    ReportsAvailabilityResult,
    Resources,
    RoleV1,
    ServiceAccount,
    ServiceAccountPostResponse,
    Setting,
    SettingsGetResponse,
    TelemetryResponse,
    TenantSettingCreationResponse,
    TokenResponse,
    User2,
    UserApp,
    UserAppAdministration,
    UserAppPostResponse,
    UserPostResponse,
    UsersCountResult,
)


def blocking(client: ra.Client, cluster_id: str) -> None:
    # clusters
    assert_type(client.clusters.list(), SyncPager[DisplayedCluster])
    assert_type(client.clusters.list(max_items=1).to_list(), Items[DisplayedCluster])
    assert_type(client.clusters.get(cluster_id), DisplayedCluster)
    assert_type(client.clusters.install_file(cluster_id), str)
    assert_type(client.clusters.update(cluster_id, name="c"), None)

    # departments
    dept = client.departments.create(
        name="physics", cluster_id=cluster_id, resources=[{"gpu": {"deserved": 8}}]
    )
    assert_type(dept, Department)
    assert_type(dept["id"], str)
    assert_type(client.departments.list(sort_order="asc"), SyncPager[DepartmentForList])
    assert_type(client.departments.count(filter_by="name==physics"), CountResponse)
    assert_type(client.departments.delete(dept["id"]), None)
    updated = client.departments.update_resources(dept["id"], body=[{"gpu": {"deserved": 2}}])
    assert_type(updated, list[Resources])

    # projects
    project = client.projects.create(
        name="team-a", cluster_id=cluster_id, parent_id=dept["id"], resources=[]
    )
    assert_type(project, Project)
    assert_type(project["name"], str)
    assert_type(project.get("requestedNamespace"), Optional[str])
    assert_type(client.projects.get(project["id"]), Project)
    assert_type(client.projects.get(project_id=project["id"]), Project)
    pager = client.projects.list(filter_by=["name=@team"], sort_by="name", page_size=50)
    assert_type(pager, SyncPager[Project])
    assert_type(pager.page(), Page[Project])
    for p in pager:
        assert_type(p, Project)
    assert_type(
        client.projects.metrics(project["id"], metric_type=["GPU_QUOTA"], start="s", end="e"),
        MetricsResponse,
    )
    assert_type(client.projects.legacy_get(cluster_id, "1"), Project2)
    assert_type(client.projects.delete(project["id"], timeout=5.0, max_retries=0), None)
    raw = client.projects.create(body={"name": "b", "clusterId": cluster_id, "resources": []})
    assert_type(raw, Project)

    # users
    assert_type(client.users.create(email="ada@example.com"), UserPostResponse)
    assert_type(client.users.list(max_items=3), SyncPager[User2])
    assert_type(client.users.count(), UsersCountResult)

    # legacy: a group of namespaces, integer ids (users' are text)
    assert_type(client.legacy.clusters.list(), SyncPager[LegacyClustersListResultItem])
    assert_type(client.legacy.clusters.delete(cluster_id), str)
    seed_project = client.legacy.projects.create(
        name="p", cluster_uuid=cluster_id, department_id=1, deserved_gpus=2
    )
    assert_type(seed_project, LegacyProjectsListResultItem)
    assert_type(client.legacy.projects.get(1), LegacyProjectsListResultItem)
    assert_type(client.legacy.projects.list(cluster_id), SyncPager[LegacyProjectsListResultItem])
    assert_type(
        client.legacy.departments.update(1, name="d", cluster_uuid=cluster_id, deserved_gpus=1),
        LegacyDepartmentsListResultItem,
    )
    seed_user = client.legacy.users.create(
        email="ada@example.com",
        password="pw",
        roles=["researcher"],
        permitted_clusters=[],
        permit_all_clusters=True,
    )
    assert_type(seed_user, LegacyUsersListResultItem)
    assert_type(seed_user["userId"], str)
    assert_type(client.legacy.users.delete(seed_user["userId"]), str)
    assert_type(client.legacy.node_types.list(cluster_id), SyncPager[LegacyNodeTypesListResultItem])
    boss: list[Literal["boss"]] = ["boss"]
    seed_users = client.legacy.users
    seed_users.update("u", email="a", roles=boss, permitted_clusters=[], permit_all_clusters=True)  # type: ignore[arg-type]
    client.legacy.projects.create(name="p", cluster_uuid=cluster_id, department_id=1)  # type: ignore[call-overload]

    # tokens
    granted = client.tokens.grant(grant_type="client_credentials", client_id="a", client_secret="s")
    assert_type(granted, TokenResponse)
    assert_type(
        client.tokens.grant_v2(grant_type="password", username="u", password="p"),
        OAuth2TokenResponse,
    )
    assert_type(client.tokens.legacy_app_token(id="a", name="n", secret="s"), AppTokenResponse)
    client.tokens.grant_v2(grant_type="magic")  # type: ignore[call-overload]

    # access control
    rule = client.access_rules.create(
        subject_id="ada@example.com",
        subject_type="user",
        role_id=5,
        scope_id=project["id"],
        scope_type="project",
    )
    assert_type(rule, AccessRule)
    assert_type(rule["id"], int)
    assert_type(client.access_rules.get(rule["id"]), AccessRuleById)
    assert_type(client.access_rules.list(subject_type="user"), SyncPager[AccessRule])
    assert_type(client.access_rules.count(search="ada"), UsersCountResult)
    assert_type(client.access_rules.delete(rule["id"]), None)
    assert_type(
        client.access_rules.batch_delete(ids=["1"], action="validate_delete"),
        AccessRuleDeletionBatchResponse,
    )
    assert_type(
        client.access_rules.batch_create(payload={"roleId": 8, "subjects": [], "scopes": []}),
        AccessRulesBatchCreateResponse,
    )
    assert_type(client.roles.list(), SyncPager[RoleV1])
    assert_type(client.roles.get(1), RoleV1)
    assert_type(client.permissions.list(), SyncPager[Permission])
    assert_type(
        client.permissions.permitted_scopes(resource_type="project", action="read"),
        PermittedScopesActions,
    )
    assert_type(client.me.list_access_rules(), SyncPager[MeAccessRule])
    assert_type(client.me.count_access_rules(), UsersCountResult)
    start, end = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
    logs = client.audit_logs.list(start=start, end=end, filter_by=["action==delete"], page_size=100)
    assert_type(logs, SyncPager[AuditLog])
    for entry in logs:
        assert_type(entry["result"], Literal["Succeeded", "Failed"])
    assert_type(client.audit_logs.download(start=start, end=end, file_type="JSON"), bytes)
    client.roles.get("1")  # type: ignore[arg-type]
    client.audit_logs.list(end=end)  # type: ignore[call-arg]
    client.audit_logs.download(start=start, end=end, file_type="XML")  # type: ignore[call-overload]

    # service accounts
    account = client.service_accounts.create(name="ci-pipeline")
    assert_type(account, ServiceAccountPostResponse)
    assert_type(account["clientSecret"], str)
    assert_type(client.service_accounts.get(account["id"]), ServiceAccount)
    assert_type(client.service_accounts.list(), SyncPager[ServiceAccount])
    assert_type(client.service_accounts.patch(account["id"], enabled=False), None)
    assert_type(
        client.service_accounts.regenerate_secret(account["id"]),
        RegenerateServiceAccountSecretResponse,
    )
    assert_type(client.service_accounts.delete(account["id"]), None)
    client.service_accounts.patch(account["id"], enabled="no")  # type: ignore[call-overload]
    client.service_accounts.get(account["id"])["clientSecret"]  # type: ignore[typeddict-item]

    # access keys
    key = client.access_keys.create(name="laptop")
    assert_type(key, AccessKeyPostResponse)
    assert_type(client.access_keys.get(key["id"]), AccessKey1)
    assert_type(client.access_keys.list(), AccessKeys)
    assert_type(client.access_keys.regenerate_secret(key["id"]), AccessKeysRegenerateSecretResult)
    assert_type(client.access_keys.delete(key["id"]), None)
    assert_type(
        client.access_keys.list_as_admin(created_by="ada@example.com"), AccessKeysAdministration
    )
    assert_type(client.access_keys.delete_as_admin(key["id"]), None)
    client.access_keys.list_as_admin(owner="ada")  # type: ignore[call-arg]

    # applications and user applications (deprecated: service accounts and access keys)
    app = client.applications.create(name="ci-old")
    assert_type(app, ApplicationPostResponse)
    assert_type(app["secret"], str)
    assert_type(client.applications.get(app["id"]), Application)
    assert_type(client.applications.list(), SyncPager[Application])
    assert_type(client.applications.patch(app["id"], enabled=False), None)
    assert_type(
        client.applications.regenerate_secret(app["id"]), ApplicationsRegenerateSecretResult
    )
    assert_type(client.applications.delete(app["id"]), None)
    client.applications.get(app["id"])["secret"]  # type: ignore[typeddict-item]
    user_app = client.user_applications.create(name="laptop-old")
    assert_type(user_app, UserAppPostResponse)
    assert_type(client.user_applications.get(user_app["id"]), UserApp)
    assert_type(client.user_applications.list(), SyncPager[UserApp])
    assert_type(
        client.user_applications.regenerate_secret(user_app["id"]),
        AccessKeysRegenerateSecretResult,
    )
    assert_type(client.user_applications.delete(user_app["id"]), None)
    assert_type(
        client.user_applications.list_as_admin(created_by="ada@example.com"),
        SyncPager[UserAppAdministration],
    )
    assert_type(client.user_applications.delete_as_admin(user_app["id"]), None)
    # security settings
    assert_type(client.settings.get_all(), SettingsGetResponse)
    assert_type(client.settings.get("browserSessionTimeout"), dict[str, Any])
    assert_type(client.settings.update("browserSessionTimeout", body={"idleTimeout": 30}), None)
    client.settings.update("logoutRedirectUri", body={"uri": 7})  # type: ignore[arg-type]

    # command-line tools: files as bytes or str, or written where `to` says
    assert_type(client.cli.binary("linux", "amd64"), bytes)
    assert_type(client.cli.binary("linux", "amd64", to="runai"), Path)
    assert_type(client.cli.binary("linux", "amd64", to=Path("runai"), timeout=60.0), Path)
    assert_type(client.cli.installer_linux(), str)
    assert_type(client.cli.installer_linux(to="install.sh"), Path)
    assert_type(client.cli.manual_document("runai.md"), str)
    assert_type(client.cli.installer_mac_commands(), Command1)
    assert_type(client.cli.admin_release("linux"), bytes)
    assert_type(client.cli.admin_release_by_version("v2.21.0", "darwin", to="adm.tar"), Path)
    assert_type(client.cli.admin_release_checksum("linux"), ChecksumResponse)
    assert_type(client.cli.legacy_binary("linux", "amd64"), bytes)
    assert_type(client.audit_logs.download(start=start, end=end, to="audit.csv"), Path)
    _text: str = client.cli.binary("linux", "amd64")  # type: ignore[assignment]
    client.cli.binary("linux", "amd64", to=42)  # type: ignore[call-overload]

    # logo
    assert_type(client.logo.get(), Optional[LogoGetResult])
    assert_type(client.logo.upload(logo=b"\x89PNG"), None)
    assert_type(client.logo.upload(logo=Path("logo.svg")), None)
    client.logo.upload(logo=42)  # type: ignore[call-overload]

    # org-unit priorities
    assert_type(client.org_units.priorities(), OrgUnitsPrioritiesResult)

    # identity providers
    oidc: OidcCreationData = {
        "clientId": "runai",
        "clientSecret": "s3cret",
        "discoverDocumentUrl": "https://idp.example.com",
    }
    assert_type(client.idps.create(type="oidc", oidc_data=oidc), IdpPostResponse)
    assert_type(client.idps.list(), SyncPager[Idp1])
    assert_type(client.idps.get("oidc"), Idp1)
    assert_type(client.idps.update("oidc", type="oidc", oidc_data=oidc), None)
    assert_type(client.idps.mappers("oidc"), Mappers)
    assert_type(client.idps.update_mappers("oidc", email="mail"), None)
    assert_type(client.idps.delete("oidc"), None)
    client.idps.create(type="ldap")  # type: ignore[call-overload]

    # reports
    assert_type(client.reports.availability(), ReportsAvailabilityResult)
    report = client.reports.create(
        name="gpu", start="2026-01-01T00:00:00Z", end="2026-02-01T00:00:00Z", group_by="Project"
    )
    assert_type(report, Report)
    assert_type(client.reports.list(sort_by="createdAt"), SyncPager[Report])
    assert_type(client.reports.count(filter_by="status==Ready"), CountResponse)
    assert_type(client.reports.get(report["id"]), Report)
    assert_type(client.reports.download(report["id"]), str)
    assert_type(client.reports.delete(report["id"]), None)
    client.reports.create(name="gpu", start="a", end="b", group_by="Team")  # type: ignore[call-overload]

    # network topologies
    topology = client.network_topologies.create(
        name="racks", cluster_id=cluster_id, levels=["kubernetes.io/hostname"]
    )
    assert_type(topology, NetworkTopology)
    assert_type(client.network_topologies.list(), NetworkTopologiesListResult)
    assert_type(client.network_topologies.count(), CountResponse)
    assert_type(client.network_topologies.get(topology["id"]), NetworkTopology)
    assert_type(client.network_topologies.delete(topology["id"]), None)
    client.network_topologies.create(name="racks", cluster_id=cluster_id)  # type: ignore[call-overload]

    # tenant settings
    assert_type(client.tenant_settings.list(), SyncPager[Setting])
    assert_type(client.tenant_settings.get("department.use"), bool)
    assert_type(
        client.tenant_settings.update(key="department.use", value=True),
        TenantSettingCreationResponse,
    )
    # node pools and nodes
    pool = client.node_pools.create(
        name="a100", cluster_id=cluster_id, label_key="gpu", label_value="a100"
    )
    assert_type(pool, Nodepool)
    assert_type(client.node_pools.list(sort_by="name"), SyncPager[Nodepool])
    assert_type(client.node_pools.count(), UsersCountResult)
    assert_type(client.node_pools.get(pool["id"]), Nodepool)
    assert_type(client.node_pools.update(pool["id"], over_provisioning_ratio=2), Nodepool)
    assert_type(client.node_pools.patch(pool["id"], label_value="h100"), Nodepool)
    assert_type(client.node_pools.delete(pool["id"]), Optional[HttpResponse])
    start, end = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
    assert_type(
        client.node_pools.metrics(
            cluster_id, "h100", metric_type="TOTAL_GPU", start=start, end=end
        ),
        MetricsResponse,
    )
    assert_type(client.node_pools.legacy_list(cluster_id), SyncPager[NodePool1])
    assert_type(client.node_pools.legacy_create(cluster_id, name="p"), None)
    assert_type(client.node_pools.legacy_update(cluster_id, 3, label_value="x"), None)
    assert_type(client.node_pools.legacy_update_labels(cluster_id, 3, label_key="k"), None)
    assert_type(client.node_pools.legacy_delete(cluster_id, 3), None)
    assert_type(client.nodes.list(sort_by="gpuType"), SyncPager[Node])
    assert_type(client.nodes.count(search="h100"), UsersCountResult)
    assert_type(client.nodes.list_in_cluster(cluster_id), SyncPager[Node])
    assert_type(client.nodes.count_in_cluster(cluster_id), UsersCountResult)
    assert_type(
        client.nodes.metrics("n", metric_type=["GPU_UTILIZATION"], start=start, end=end),
        MetricsResponse,
    )
    assert_type(client.nodes.telemetry(telemetry_type="TOTAL_GPUS"), TelemetryResponse)
    client.nodes.telemetry(telemetry_type="GPUS")  # type: ignore[arg-type]
    client.node_pools.legacy_delete(cluster_id, "3")  # type: ignore[arg-type]

    # organisation sync
    org_plan = client.org.plan("org.yaml", check_quota=False)
    assert_type(org_plan, ra.org.Plan)
    assert_type(client.org.apply(org_plan, atomic=True, progress=False), ra.org.ApplyResult)
    assert_type(client.org.export(), ra.org.Organisation)
    client.org.apply(org_plan, concurrency=4)  # type: ignore[call-arg]

    # What the checkers must refuse.
    client.projects.get(project["id"], colour="red")  # type: ignore[call-arg]
    client.projects.create(name="p", cluster_id=cluster_id, resources=[], colour="red")  # type: ignore[call-overload]
    client.projects.create(name="p", cluster_id=cluster_id)  # type: ignore[call-overload]
    client.projects.list(page_size="10")  # type: ignore[arg-type]
    client.projects.list(sort_order="up")  # type: ignore[arg-type]
    client.projects.list(limit=10)  # type: ignore[call-arg]
    client.clusters.list(page_size=10)  # type: ignore[call-arg]
    client.projects.get(project["id"], timeout="soon")  # type: ignore[arg-type]
    project["colour"]  # type: ignore[typeddict-item]
    dept["gpuQuota"]  # type: ignore[typeddict-item]
    print(client.namespaces)  # type: ignore[attr-defined]
    print(client.legacy.widgets)  # type: ignore[attr-defined]


async def asynchronous(client: ra.AsyncClient, cluster_id: str) -> None:
    # clusters
    assert_type(client.clusters.list(), AsyncPager[DisplayedCluster])
    assert_type(await client.clusters.list().to_list(), Items[DisplayedCluster])
    assert_type(await client.clusters.get(cluster_id), DisplayedCluster)

    # departments
    dept = await client.departments.create(name="d", cluster_id=cluster_id, resources=[])
    assert_type(dept, Department)
    assert_type(client.departments.list(), AsyncPager[DepartmentForList])
    assert_type(await client.departments.count(), CountResponse)

    # projects
    project = await client.projects.get("42")
    assert_type(project, Project)
    pager = client.projects.list(page_size=10)
    assert_type(pager, AsyncPager[Project])
    assert_type(await pager, Items[Project])
    assert_type(await pager.page(), Page[Project])
    async for p in pager:
        assert_type(p, Project)
    assert_type(await client.projects.delete("42"), None)

    # users
    assert_type(client.users.list(), AsyncPager[User2])
    assert_type(await client.users.get("7"), User2)

    # legacy
    assert_type(client.legacy.clusters.list(), AsyncPager[LegacyClustersListResultItem])
    assert_type(await client.legacy.projects.get(1), LegacyProjectsListResultItem)
    assert_type(await client.legacy.users.list(), Items[LegacyUsersListResultItem])
    assert_type(await client.legacy.node_types.delete(1), str)
    assert_type(await client.legacy.departments.get(1), LegacyDepartmentsListResultItem)

    # tokens
    assert_type(
        await client.tokens.grant(grant_type="refresh_token", refresh_token="r"), TokenResponse
    )
    assert_type(
        await client.tokens.grant_v2(
            grant_type="client_credentials", client_id="a", client_secret="s"
        ),
        OAuth2TokenResponse,
    )

    # access control
    rule = await client.access_rules.create(
        subject_id="ada@example.com",
        subject_type="user",
        role_id=5,
        scope_id="42",
        scope_type="project",
    )
    assert_type(rule, AccessRule)
    assert_type(await client.access_rules.get(rule["id"]), AccessRuleById)
    assert_type(client.access_rules.list(), AsyncPager[AccessRule])
    assert_type(await client.access_rules.count(), UsersCountResult)
    assert_type(await client.access_rules.delete(rule["id"]), None)
    assert_type(
        await client.access_rules.batch_delete(ids=["1"], action="delete"),
        AccessRuleDeletionBatchResponse,
    )
    assert_type(
        await client.access_rules.batch_create(payload={"roleId": 8, "subjects": [], "scopes": []}),
        AccessRulesBatchCreateResponse,
    )
    assert_type(client.roles.list(), AsyncPager[RoleV1])
    assert_type(await client.roles.get(1), RoleV1)
    assert_type(client.permissions.list(), AsyncPager[Permission])
    assert_type(
        await client.permissions.permitted_scopes(resource_type="project"),
        PermittedScopesActions,
    )
    assert_type(client.me.list_access_rules(), AsyncPager[MeAccessRule])
    assert_type(await client.me.count_access_rules(), UsersCountResult)
    start, end = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
    assert_type(client.audit_logs.list(start=start, end=end), AsyncPager[AuditLog])
    assert_type(await client.audit_logs.download(start=start, end=end), bytes)

    # service accounts
    account = await client.service_accounts.create(name="ci-pipeline")
    assert_type(account, ServiceAccountPostResponse)
    assert_type(await client.service_accounts.get(account["id"]), ServiceAccount)
    assert_type(client.service_accounts.list(), AsyncPager[ServiceAccount])
    assert_type(await client.service_accounts.patch(account["id"], enabled=True), None)
    assert_type(
        await client.service_accounts.regenerate_secret(account["id"]),
        RegenerateServiceAccountSecretResponse,
    )
    assert_type(await client.service_accounts.delete(account["id"]), None)

    # access keys
    key = await client.access_keys.create(name="laptop")
    assert_type(key, AccessKeyPostResponse)
    assert_type(await client.access_keys.get(key["id"]), AccessKey1)
    assert_type(await client.access_keys.list(), AccessKeys)
    assert_type(
        await client.access_keys.regenerate_secret(key["id"]), AccessKeysRegenerateSecretResult
    )
    assert_type(await client.access_keys.delete(key["id"]), None)
    assert_type(await client.access_keys.list_as_admin(), AccessKeysAdministration)
    assert_type(await client.access_keys.delete_as_admin(key["id"]), None)

    # applications and user applications (deprecated: service accounts and access keys)
    app = await client.applications.create(name="ci-old")
    assert_type(app, ApplicationPostResponse)
    assert_type(await client.applications.get(app["id"]), Application)
    assert_type(client.applications.list(), AsyncPager[Application])
    assert_type(await client.applications.patch(app["id"], enabled=True), None)
    assert_type(
        await client.applications.regenerate_secret(app["id"]), ApplicationsRegenerateSecretResult
    )
    assert_type(await client.applications.delete(app["id"]), None)
    user_app = await client.user_applications.create(name="laptop-old")
    assert_type(user_app, UserAppPostResponse)
    assert_type(await client.user_applications.get(user_app["id"]), UserApp)
    assert_type(client.user_applications.list(), AsyncPager[UserApp])
    assert_type(
        await client.user_applications.regenerate_secret(user_app["id"]),
        AccessKeysRegenerateSecretResult,
    )
    assert_type(await client.user_applications.delete(user_app["id"]), None)
    assert_type(client.user_applications.list_as_admin(), AsyncPager[UserAppAdministration])
    assert_type(await client.user_applications.delete_as_admin(user_app["id"]), None)
    # org-unit priorities
    assert_type(await client.org_units.priorities(), OrgUnitsPrioritiesResult)

    # identity providers
    assert_type(client.idps.list(), AsyncPager[Idp1])
    assert_type(await client.idps.mappers("oidc"), Mappers)
    assert_type(await client.idps.update_mappers("oidc", uid="uid"), None)
    assert_type(await client.idps.delete("oidc"), None)

    # reports
    assert_type(await client.reports.availability(), ReportsAvailabilityResult)
    areport = await client.reports.create(
        name="gpu", start="2026-01-01T00:00:00Z", end="2026-02-01T00:00:00Z"
    )
    assert_type(client.reports.list(), AsyncPager[Report])
    assert_type(await client.reports.download(areport["id"]), str)
    assert_type(await client.reports.delete(areport["id"]), None)

    # network topologies
    atopology = await client.network_topologies.create(
        name="racks", cluster_id="c", levels=["rack"]
    )
    assert_type(atopology, NetworkTopology)
    assert_type(await client.network_topologies.list(), NetworkTopologiesListResult)

    # tenant settings
    assert_type(client.tenant_settings.list(), AsyncPager[Setting])
    assert_type(await client.tenant_settings.get("department.use"), bool)
    # node pools and nodes
    assert_type(client.node_pools.list(), AsyncPager[Nodepool])
    assert_type(await client.node_pools.get("2"), Nodepool)
    assert_type(await client.node_pools.delete("2"), Optional[HttpResponse])
    assert_type(client.node_pools.legacy_list(cluster_id), AsyncPager[NodePool1])
    assert_type(client.nodes.list(), AsyncPager[Node])
    assert_type(await client.nodes.count(), UsersCountResult)
    assert_type(await client.nodes.telemetry(telemetry_type="FREE_GPUS"), TelemetryResponse)

    # security settings
    assert_type(await client.settings.get_all(), SettingsGetResponse)
    assert_type(await client.settings.get("autoRedirectSSO"), dict[str, Any])
    assert_type(await client.settings.update("autoRedirectSSO", body={"enabled": False}), None)

    # command-line tools and logo
    assert_type(await client.cli.binary("darwin", "arm64"), bytes)
    assert_type(await client.cli.binary("darwin", "arm64", to="runai"), Path)
    assert_type(await client.cli.installer_unix(), str)
    assert_type(await client.cli.installer_unix(to=Path("install.sh")), Path)
    assert_type(await client.cli.installer_windows_commands(), Command1)
    assert_type(
        await client.cli.admin_release_by_version_checksum("v2.21.0", "linux"), ChecksumResponse
    )
    assert_type(await client.cli.legacy_manual_document("runai.md"), str)
    assert_type(await client.logo.get(), Optional[LogoGetResult])
    assert_type(await client.logo.upload(logo="logo.png"), None)

    # organisation sync
    org_plan = await client.org.plan({"users": [{"email": "ada@example.com"}]})
    assert_type(org_plan, ra.org.Plan)
    assert_type(await client.org.apply(org_plan, concurrency=4), ra.org.ApplyResult)
    assert_type(await client.org.export(), ra.org.Organisation)

    # What the checkers must refuse.
    _unawaited: Project = client.projects.get("42")  # type: ignore[assignment]
    await client.projects.get("42", colour="red")  # type: ignore[call-arg]
    await client.users.create(email=7)  # type: ignore[call-overload]
    project["colour"]  # type: ignore[typeddict-item]
    for _ in client.projects.list():  # type: ignore[attr-defined]
        pass

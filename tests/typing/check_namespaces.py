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
from runai_admin.pagination import AsyncPager, Page, SyncPager
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
    AuditLog,
    ChecksumResponse,
    Command1,
    CountResponse,
    Department,
    DepartmentForList,
    DisplayedCluster,
    Idp1,
    IdpPostResponse,
    LegacyClustersListResultItem,
    LogoGetResult,
    Mappers,
    MeAccessRule,
    MetricsResponse,
    OidcCreationData,
    OrgUnitsPrioritiesResult,
    Permission,
    PermittedScopesActions,
    Project,
    Project2,
    RegenerateServiceAccountSecretResponse,
    Resources,
    RoleV1,
    ServiceAccount,
    ServiceAccountPostResponse,
    SettingsGetResponse,
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
    assert_type(client.clusters.list(max_items=1).to_list(), list[DisplayedCluster])
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

    # legacy: a group of namespaces
    assert_type(client.legacy.clusters.list(), SyncPager[LegacyClustersListResultItem])

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
    print(client.legacy.projects)  # type: ignore[attr-defined]


async def asynchronous(client: ra.AsyncClient, cluster_id: str) -> None:
    # clusters
    assert_type(client.clusters.list(), AsyncPager[DisplayedCluster])
    assert_type(await client.clusters.list().to_list(), list[DisplayedCluster])
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
    assert_type(await pager, list[Project])
    assert_type(await pager.page(), Page[Project])
    async for p in pager:
        assert_type(p, Project)
    assert_type(await client.projects.delete("42"), None)

    # users
    assert_type(client.users.list(), AsyncPager[User2])
    assert_type(await client.users.get("7"), User2)

    # legacy
    assert_type(client.legacy.clusters.list(), AsyncPager[LegacyClustersListResultItem])

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

    # What the checkers must refuse.
    _unawaited: Project = client.projects.get("42")  # type: ignore[assignment]
    await client.projects.get("42", colour="red")  # type: ignore[call-arg]
    await client.users.create(email=7)  # type: ignore[call-overload]
    project["colour"]  # type: ignore[typeddict-item]
    for _ in client.projects.list():  # type: ignore[attr-defined]
        pass

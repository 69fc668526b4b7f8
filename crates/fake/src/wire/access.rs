//! The `/api/v1/authorization` shapes: `AccessRule`, `AccessRuleById`, `MeAccessRule`,
//! `RoleV1` and `Permission`, and the rows access-rule listings filter and sort on.

use serde_json::{json, Map, Value};

use crate::listing::Row;
use crate::roles::{role, Role, RESOURCE_TYPES};
use crate::scopes::Scope;
use crate::seed::TENANT_ID;
use crate::store::{AccessRule, Store};

/// The scope a stored rule names (the store only keeps checked types).
pub(crate) fn scope_of(rule: &AccessRule) -> Scope {
    Scope::parse(&rule.scope_type, &rule.scope_id).unwrap_or(Scope::Tenant)
}

/// `AccessRuleCreationFields` with the role's and scope's names (`MeAccessRule`).
fn core_fields(store: &Store, rule: &AccessRule) -> Map<String, Value> {
    let scope = scope_of(rule);
    let mut map = Map::new();
    map.insert("id".into(), json!(rule.id));
    map.insert("tenantId".into(), json!(TENANT_ID));
    map.insert("subjectId".into(), json!(rule.subject_id));
    map.insert("subjectType".into(), json!(rule.subject_type));
    map.insert("roleId".into(), json!(rule.role_id));
    map.insert(
        "roleName".into(),
        json!(role(rule.role_id).map(|r| r.name).unwrap_or_default()),
    );
    map.insert("scopeId".into(), json!(rule.scope_id));
    map.insert("scopeType".into(), json!(rule.scope_type));
    map.insert("scopeName".into(), json!(scope.name(store)));
    if let Some(cluster) = scope.cluster_id(store) {
        map.insert("clusterId".into(), json!(cluster));
    }
    map
}

/// `MeAccessRule`: what callers see of their own rules.
pub(crate) fn me_access_rule(store: &Store, rule: &AccessRule) -> Value {
    Value::Object(core_fields(store, rule))
}

/// `AccessRule`, or `AccessRuleById` (with the scope's path) when `by_id`.
pub(crate) fn access_rule(store: &Store, rule: &AccessRule, by_id: bool) -> Value {
    let mut map = core_fields(store, rule);
    map.insert("createdAt".into(), json!(rule.created_at));
    map.insert("updatedAt".into(), json!(rule.updated_at));
    map.insert("deletedAt".into(), json!(rule.deleted_at));
    map.insert("createdBy".into(), json!(rule.created_by));
    // The fake applies a rule the moment it is stored.
    map.insert("status".into(), json!({"phase": phase(rule)}));
    if by_id {
        map.insert("scopePath".into(), json!(scope_of(rule).path(store)));
    }
    Value::Object(map)
}

fn phase(rule: &AccessRule) -> &'static str {
    if rule.deleted_at.is_some() {
        "Deleting"
    } else {
        "Ready"
    }
}

/// The fields `filterBy`, `sortBy` and `search` see: the spec's sort and filter names.
pub(crate) fn access_rule_row(store: &Store, rule: &AccessRule, item: Value) -> Row {
    let mut fields = core_fields(store, rule);
    fields.insert("createdAt".into(), json!(rule.created_at));
    fields.insert("updatedAt".into(), json!(rule.updated_at));
    fields.insert("deletedAt".into(), json!(rule.deleted_at));
    fields.insert("createdBy".into(), json!(rule.created_by));
    fields.insert("phase".into(), json!(phase(rule)));
    Row { fields, item }
}

/// A `Permission`: actions on one resource type, with its display name and group.
pub(crate) fn permission(resource: &str, actions: &[&str]) -> Value {
    let (display, group) = RESOURCE_TYPES
        .iter()
        .find(|(name, _, _)| *name == resource)
        .map_or((resource, "organization"), |(_, display, group)| {
            (*display, *group)
        });
    json!({
        "resourceType": resource,
        "displayName": display,
        "groupId": group,
        "actions": actions,
    })
}

/// `RoleV1`. Predefined roles were created with the tenant and never change.
pub(crate) fn role_v1(store: &Store, role: &Role) -> Value {
    let permissions: Vec<Value> = role
        .permissions()
        .iter()
        .map(|(resource, actions)| permission(resource, actions))
        .collect();
    json!({
        "id": role.id,
        "name": role.name,
        "description": role.description,
        "permissions": permissions,
        "createdAt": store.created_at,
        "updatedAt": store.created_at,
        "deletedAt": null,
        "createdBy": "system",
        "custom": false,
        "enabled": true,
        "effectiveEnabled": true,
        "kubernetesPermissions": {"predefinedRole": null},
    })
}

//! `/api/v1/authorization/access-rules`: create, get, delete, list and count access
//! rules, and delete or create several at once. Batches answer per item, as their
//! response schemas (`succeeded` and `failed` lists) say.

use serde_json::{json, Map, Value};

use crate::access::may_grant;
use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::guard::sees;
use crate::listing::Row;
use crate::lookup::user_by_email;
use crate::reply::Reply;
use crate::roles::role;
use crate::routes::paging;
use crate::scopes::Scope;
use crate::store::{AccessRule, Store};
use crate::wire::access::{access_rule, access_rule_row, scope_of};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_access_rules" => list(call, store),
        "count_access_rules" => paging::count(call, rows(call, store)),
        "get_access_rule" => get(call, store),
        "create_access_rule" => store.write().and_then(|store| create(call, store)),
        "delete_access_rule" => store.write().and_then(|store| delete(call, store)),
        "access_rules_batch" => store.write().and_then(|store| batch_delete(call, store)),
        "access_rules_batch_create" => store.write().and_then(|store| batch_create(call, store)),
        _ => return None,
    };
    Some(answer)
}

/// The rules the list's own query parameters keep (`filterBy` and `search` come after).
fn rows(call: &Call<'_>, store: &Store) -> Vec<Row> {
    let query = |name: &str| call.query_value(name).filter(|v| !v.is_empty());
    let with_deleted = query("includeDeleted") == Some("true");
    let subject_ids: Option<Vec<&str>> = query("subjectIds").map(|v| v.split(',').collect());
    let keeps = |rule: &&AccessRule| {
        let scope = scope_of(rule);
        (with_deleted || rule.deleted_at.is_none())
            && query("subjectType").is_none_or(|t| rule.subject_type == t)
            && query("subjectIdFilter").is_none_or(|s| rule.subject_id == s)
            && subject_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&rule.subject_id.as_str()))
            && query("scopeType").is_none_or(|t| rule.scope_type == t)
            && query("scopeId").is_none_or(|s| rule.scope_id == s)
            && query("roleId").is_none_or(|r| rule.role_id.to_string() == r)
            && query("clusterId").is_none_or(|c| scope.cluster_id(store).as_deref() == Some(c))
            && query("lastUpdated").is_none_or(|t| rule.updated_at.as_str() >= t)
    };
    store
        .access_rules
        .iter()
        .filter(keeps)
        .map(|rule| access_rule_row(store, rule, access_rule(store, rule, false)))
        .collect()
}

/// `{totalRecords, displayRecords, accessRules}`.
fn list(call: &Call<'_>, store: &Store) -> Answer {
    let (items, total) = paging::counted(call, rows(call, store))?;
    Ok(Reply::json(
        200,
        &json!({"totalRecords": total, "displayRecords": items.len(), "accessRules": items}),
    ))
}

fn rule_id(call: &Call<'_>) -> i64 {
    call.param("accessRuleId").parse().unwrap_or(-1)
}

fn no_rule(id: impl std::fmt::Display) -> ApiError {
    ApiError::not_found(format!("access rule {id} not found"))
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let id = rule_id(call);
    let rule = store.access_rule(id).ok_or_else(|| no_rule(id))?;
    Ok(Reply::json(200, &access_rule(store, rule, true)))
}

/// The rule, when the caller may remove it. Taking a rule away is as strong as giving
/// it: only one who may delete rules in its scope and could grant its role there may
/// remove it (a department administrator cannot remove a system administrator's rule on
/// one of its projects).
fn removable<'s>(call: &Call<'_>, store: &'s Store, id: &str) -> Result<&'s AccessRule, ApiError> {
    let rule = id
        .parse()
        .ok()
        .and_then(|n| store.access_rule(n))
        .ok_or_else(|| no_rule(id))?;
    let scope = scope_of(rule);
    let granted = role(rule.role_id).is_some_and(|r| may_grant(store, &call.subject, r, &scope));
    if !sees(call, &scope) || !granted {
        return Err(ApiError::new(
            403,
            format!("{} may not remove access rule {id}", call.actor()),
        ));
    }
    Ok(rule)
}

fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = removable(call, store, call.param("accessRuleId"))?.id;
    if !store.delete_access_rule(id) {
        return Err(no_rule(id));
    }
    Ok(Reply::empty(204))
}

/// The fields of one rule to create (`AccessRuleCreationFields`).
struct NewRule {
    subject_type: String,
    subject_id: String,
    role_id: i64,
    scope_type: String,
    scope_id: String,
    cluster_id: Option<String>,
}

impl NewRule {
    fn from(fields: &Map<String, Value>) -> NewRule {
        let text = |name: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        NewRule {
            subject_type: text("subjectType"),
            subject_id: text("subjectId"),
            role_id: fields.get("roleId").and_then(Value::as_i64).unwrap_or(-1),
            scope_type: text("scopeType"),
            scope_id: text("scopeId"),
            cluster_id: fields
                .get("clusterId")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("subjectType".into(), json!(self.subject_type));
        map.insert("subjectId".into(), json!(self.subject_id));
        map.insert("roleId".into(), json!(self.role_id));
        map.insert("scopeType".into(), json!(self.scope_type));
        map.insert("scopeId".into(), json!(self.scope_id));
        if let Some(cluster) = &self.cluster_id {
            map.insert("clusterId".into(), json!(cluster));
        }
        Value::Object(map)
    }

    /// Whether a rule names the same subject (applications under either type name).
    fn same_subject(&self, rule: &AccessRule) -> bool {
        let kind = |t: &str| if t == "app" { "service-account" } else { t }.to_string();
        kind(&rule.subject_type) == kind(&self.subject_type)
            && rule.subject_id.eq_ignore_ascii_case(&self.subject_id)
    }
}

/// Check a rule to create: its subject, role and scope exist, it is new, and the caller
/// may hand out that role there. Stores it and answers its `AccessRule`.
fn add(call: &Call<'_>, store: &mut Store, new: &NewRule) -> Result<Value, ApiError> {
    match new.subject_type.as_str() {
        "user" => {
            if user_by_email(store, &new.subject_id).is_none() {
                return Err(ApiError::not_found(format!(
                    "body.subjectId: no user {:?}",
                    new.subject_id
                )));
            }
        }
        // Groups live in the identity provider, which the control plane does not list;
        // it takes any group name.
        "group" if !new.subject_id.is_empty() => {}
        "group" => return Err(ApiError::bad_request("body.subjectId: must not be empty")),
        // A service account is named by its client id or its id; the built-in
        // application by its client id.
        _ if new.subject_id == call.shared.authority.client_id
            || store.service_account_named(&new.subject_id).is_some() => {}
        // 404, as for a user, role or scope not found: the status the operation lists for
        // a missing object.
        other => {
            return Err(ApiError::not_found(format!(
                "body.subjectId: no {other} {:?}",
                new.subject_id
            )))
        }
    }
    let role = role(new.role_id)
        .ok_or_else(|| ApiError::not_found(format!("body.roleId: no role {}", new.role_id)))?;
    let scope = Scope::parse(&new.scope_type, &new.scope_id)
        .filter(|scope| scope.exists(store, &new.scope_id))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "body.scopeId: no {} {:?}",
                new.scope_type, new.scope_id
            ))
        })?;
    if let (Some(given), Some(actual)) = (&new.cluster_id, scope.cluster_id(store)) {
        if *given != actual {
            return Err(ApiError::bad_request(format!(
                "body.clusterId: the {} is in cluster {actual}",
                new.scope_type
            )));
        }
    }
    if store.access_rules.iter().any(|rule| {
        rule.deleted_at.is_none()
            && new.same_subject(rule)
            && rule.role_id == new.role_id
            && scope_of(rule) == scope
    }) {
        return Err(ApiError::conflict(format!(
            "{} {:?} already has role {:?} in {} {}",
            new.subject_type, new.subject_id, role.name, new.scope_type, new.scope_id
        )));
    }
    if !sees(call, &scope) || !may_grant(store, &call.subject, role, &scope) {
        return Err(ApiError::new(
            403,
            format!(
                "{} may not grant role {:?} in {} {}",
                call.actor(),
                role.name,
                new.scope_type,
                new.scope_id
            ),
        )
        .with_details("a caller grants only permissions it holds itself in that scope"));
    }
    let id = store.add_access_rule(
        (&new.subject_type, &new.subject_id),
        new.role_id,
        (scope.kind(), &new.scope_id),
        call.actor(),
    );
    let rule = store.access_rule(id).ok_or_else(|| no_rule(id))?;
    Ok(access_rule(store, rule, false))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let fields = call.body.as_object().cloned().unwrap_or_default();
    let created = add(call, store, &NewRule::from(&fields))?;
    Ok(Reply::json(201, &created))
}

/// Every subject with the role in every scope, each item on its own.
fn batch_create(call: &Call<'_>, store: &mut Store) -> Answer {
    let payload = call.body.get("payload").cloned().unwrap_or(Value::Null);
    let list = |name: &str| {
        payload
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (mut succeeded, mut failed) = (Vec::new(), Vec::new());
    for subject in list("subjects") {
        for scope in list("scopes") {
            let mut fields = Map::new();
            for (from, names) in [
                (&payload, &["roleId", "clusterId"][..]),
                (&subject, &["subjectId", "subjectType"][..]),
                (&scope, &["scopeId", "scopeType"][..]),
            ] {
                for name in names {
                    if let Some(value) = from.get(*name) {
                        fields.insert((*name).to_string(), value.clone());
                    }
                }
            }
            let new = NewRule::from(&fields);
            match add(call, store, &new) {
                Ok(rule) => succeeded.push(rule),
                Err(err) => failed.push(json!({
                    "payload": new.to_json(),
                    "code": err.status,
                    "message": err.message,
                })),
            }
        }
    }
    Ok(Reply::json(
        200,
        &json!({"succeeded": succeeded, "failed": failed}),
    ))
}

/// Delete (or, with `validate_delete`, only check) each rule on its own. Rules are named
/// by their integer ids written as strings (the body check leaves these ids' uuid format
/// aside, see `validate`); an id naming no rule fails on its own, as one not found.
fn batch_delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let really = call.text("action").as_deref() == Some("delete");
    let ids: Vec<String> = call
        .body
        .get("ids")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let (mut succeeded, mut failed) = (Vec::new(), Vec::new());
    for id in ids {
        match removable(call, store, &id).map(|rule| rule.id) {
            Ok(number) => {
                if really {
                    store.delete_access_rule(number);
                }
                succeeded.push(id);
            }
            Err(err) => {
                failed.push(json!({"id": id, "code": err.status, "message": err.message}));
            }
        }
    }
    Ok(Reply::json(
        200,
        &json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "succeeded": succeeded,
            "failed": failed,
        }),
    ))
}

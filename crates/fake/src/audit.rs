//! The audit log's recording rule. Every catalogue call that changes state (any method
//! but GET, save the queries sent as POST) leaves one entry once its route has answered:
//! who made it (the token's subject), the action, the object (type, id and name when they
//! are known) and the outcome. The entry's shape says `Succeeded` or `Failed`, so refused
//! and failed changes are recorded too (those the query or body check refuses included,
//! with the status that check answered); a 501 is not, since it says only that the fake
//! cannot serve the call, not what the control plane would have done.
//!
//! What the object is called is read twice: from the store before the route runs (a
//! deleted object is gone afterwards) and from the answer or the body after it (a created
//! one exists only then, a renamed one has its new name).

use serde_json::Value;

use runai_admin_core::api::Operation;

use crate::access;
use crate::audit_log::AuditEntry;
use crate::context::{Answer, Call};
use crate::lookup::user_by_email;
use crate::store::{now, Store};

/// Path parameters that name the cluster a call acts in.
const CLUSTER_PARAMS: [&str; 3] = ["clusterId", "clusterUuid", "cluster_uuid"];

/// A change about to be attempted, with what the store says of its object beforehand.
#[derive(Debug)]
pub(crate) struct Attempt {
    action: &'static str,
    entity_type: String,
    entity_id: Option<String>,
    entity_name: Option<String>,
    cluster_id: Option<String>,
    cluster_name: Option<String>,
}

/// The log's action for the operation; `None` when it changes nothing.
pub(crate) fn action(op: &Operation) -> Option<&'static str> {
    let id = op.id.to_ascii_lowercase();
    // A few queries are POSTs (their bodies hold the question): their ids say so.
    if id.starts_with("get") || id.starts_with("count") {
        return None;
    }
    match op.method.to_ascii_uppercase().as_str() {
        "PUT" | "PATCH" => Some("update"),
        "DELETE" => Some("delete"),
        // The same table as the permission a POST needs.
        "POST" => Some(access::post_actions(op).1),
        _ => None,
    }
}

/// An id in an answer or a body: text, or a number (access rules).
fn id_in(value: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| match value.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

impl Attempt {
    /// `None` for a call that changes nothing: it leaves no entry.
    pub fn of(call: &Call<'_>, store: &Store) -> Option<Attempt> {
        let action = action(call.op)?;
        let mut attempt = Attempt {
            action,
            entity_type: access::entity_type(call.op).to_string(),
            entity_id: None,
            entity_name: None,
            cluster_id: CLUSTER_PARAMS
                .iter()
                .find_map(|name| call.params.iter().find(|(k, _)| k == name))
                .map(|(_, v)| v.clone()),
            cluster_name: None,
        };
        if call.op.path.starts_with("/api/v1/me/") {
            let name = call.actor().to_string();
            attempt.entity_id = user_by_email(store, &name).map(|u| u.id.clone());
            attempt.entity_name = Some(name);
        } else if action != "create" {
            // The object acted on is the path's last parameter; a create's comes into
            // being with the answer.
            attempt.entity_id = call.params.last().map(|(_, v)| v.clone());
        }
        if let Some(id) = attempt.entity_id.clone() {
            attempt.look_up(store, &id);
        }
        Some(attempt)
    }

    fn look_up(&mut self, store: &Store, id: &str) {
        let (name, cluster) = match self.entity_type.as_str() {
            "department" => store.department(id).map(|d| (&d.name, &d.cluster_id)),
            "project" => store.project(id).map(|p| (&p.name, &p.cluster_id)),
            "cluster" => store.cluster(id).map(|c| (&c.name, &c.uuid)),
            "node_pool" => store.node_pool(id).map(|p| (&p.name, &p.cluster_id)),
            "network_topology" => store
                .network_topologies
                .iter()
                .find(|t| t.id == id)
                .map(|t| (&t.name, &t.cluster_id)),
            "node_type" => store
                .seed_era
                .node_types
                .iter()
                .find(|t| t.id.to_string() == id)
                .map(|t| (&t.name, &t.cluster_id)),
            _ => None,
        }
        .unzip();
        // Objects that live in no cluster.
        let name = name.or(match self.entity_type.as_str() {
            "user" => store.user(id).map(|u| &u.username),
            "service_account" => store.service_account(id).map(|a| &a.name),
            "access_key" => store
                .access_keys
                .iter()
                .find(|k| k.id == id)
                .map(|k| &k.name),
            "report" => store.reports.iter().find(|r| r.id == id).map(|r| &r.name),
            _ => None,
        });
        if let Some(name) = name {
            self.entity_name = Some(name.clone());
        }
        if let Some(cluster) = cluster {
            self.cluster_id = Some(cluster.clone());
        }
        if let Some(cluster) = self.cluster_id.as_deref().and_then(|id| store.cluster(id)) {
            self.cluster_name = Some(cluster.name.clone());
        }
    }

    /// Append the entry for the route's answer.
    pub fn record(mut self, call: &Call<'_>, answer: &Answer, store: &mut Store) {
        let (status, reply) = match answer {
            Ok(reply) => (
                reply.status,
                serde_json::from_slice(reply.body.at_hand()).ok(),
            ),
            Err(err) => (err.status, None),
        };
        if status == 501 {
            return;
        }
        let reply: Value = reply.unwrap_or(Value::Null);
        let succeeded = (200..300).contains(&status);
        if self.entity_id.is_none() && succeeded {
            self.entity_id = id_in(&reply, &["id", "uuid", "clusterUuid"]);
        }
        // A setting changed through its body (`{"key", "value"}`) is named by its key.
        if self.entity_id.is_none() {
            self.entity_id = id_in(&call.body, &["key"]);
        }
        // The answer has the name as it now is; a failed create still names what it tried.
        let named = |v: &Value| id_in(v, &["name", "username"]);
        if let Some(name) = named(&reply).or_else(|| {
            self.entity_name
                .is_none()
                .then(|| named(&call.body).or_else(|| id_in(&call.body, &["email", "key"])))
                .flatten()
        }) {
            self.entity_name = Some(name);
        }
        let cluster_keys: &[&str] = if self.entity_type == "cluster" {
            &["uuid"]
        } else {
            &["clusterId", "clusterUuid"]
        };
        if let Some(cluster) =
            id_in(&reply, cluster_keys).or_else(|| id_in(&call.body, &["clusterId", "clusterUuid"]))
        {
            self.cluster_id = Some(cluster);
        }
        if let Some(cluster) = self.cluster_id.as_deref().and_then(|id| store.cluster(id)) {
            self.cluster_name = Some(cluster.name.clone());
        }
        let subject = &call.subject;
        let path = call
            .params
            .iter()
            .fold(call.op.path.clone(), |path, (k, v)| {
                path.replace(&format!("{{{k}}}"), v)
            });
        store.audit_log.push(AuditEntry {
            id: uuid::Uuid::new_v4().to_string(),
            timestamp: now(),
            subject: subject.actor().to_string(),
            subject_type: if subject.email.is_some() {
                "User"
            } else {
                "App"
            },
            action: self.action,
            http_method: call.op.method.to_ascii_uppercase(),
            url: format!("{}{path}", call.shared.url),
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            entity_name: self.entity_name,
            succeeded,
            http_status_code: status,
            cluster_id: self.cluster_id,
            cluster_name: self.cluster_name,
            request_id: uuid::Uuid::new_v4().to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runai_admin_core::api::Catalogue;

    fn of(id: &str) -> (Option<&'static str>, String) {
        let op = Catalogue::get()
            .operations
            .iter()
            .find(|op| op.id == id)
            .expect("in the catalogue");
        (action(op), access::entity_type(op).to_string())
    }

    #[test]
    fn every_change_has_an_action_and_reads_have_none() {
        let cases = [
            ("get_projects", None, "project"),
            ("getAuditLogs", None, "tenant"),
            ("get_permitted_scopes", None, "tenant"),
            ("count_users", None, "user"),
            ("create_project", Some("create"), "project"),
            ("update_department", Some("update"), "department"),
            ("patch_project_resources", Some("update"), "project"),
            ("delete_cluster", Some("delete"), "cluster"),
            ("access_rules_batch", Some("delete"), "access_rule"),
            ("access_rules_batch_create", Some("create"), "access_rule"),
            ("reset_user_password", Some("reset-password"), "user"),
            ("change_user_password", Some("reset-password"), "user"),
            ("logout_user", Some("sign-out"), "user"),
            (
                "regenerate_service_account_secret",
                Some("update"),
                "service_account",
            ),
            ("createProject", Some("create"), "project"),
            ("create_access_key1", Some("create"), "access_key"),
            ("regenerate_access_key_secret", Some("update"), "access_key"),
            ("delete_access_key_by_id", Some("delete"), "access_key"),
            ("create_user_application", Some("create"), "access_key"),
            ("create_report", Some("create"), "report"),
            ("delete_report_by_id", Some("delete"), "report"),
            (
                "create_network_topology",
                Some("create"),
                "network_topology",
            ),
            ("patch_nodepool", Some("update"), "node_pool"),
            ("createNodePool", Some("create"), "node_pool"),
            ("updateNodePoolLabels", Some("update"), "node_pool"),
            ("updateTenantSetting", Some("update"), "tenant_setting"),
            (
                "update_security_setting_by_key",
                Some("update"),
                "security_setting",
            ),
            ("upload_tenant_logo", Some("create"), "logo"),
            ("legacy_create_node_type", Some("create"), "node_type"),
            ("legacy_delete_cluster", Some("delete"), "cluster"),
            ("legacy_update_user", Some("update"), "user"),
            ("updateDepartmentAdmins", Some("update"), "department"),
            ("create_idp", Some("create"), "idp"),
        ];
        for (id, want_action, want_type) in cases {
            assert_eq!(of(id), (want_action, want_type.to_string()), "{id}");
        }
    }

    #[test]
    fn every_change_names_the_kind_of_object_it_changes() {
        let vague: Vec<&str> = Catalogue::get()
            .operations
            .iter()
            // Token requests are answered before any call is made, and leave no entry.
            .filter(|op| !op.path.contains("token"))
            .filter(|op| action(op).is_some() && access::entity_type(op) == "tenant")
            .map(|op| op.id.as_str())
            .collect();
        assert_eq!(vague, Vec::<&str>::new());
    }

    #[test]
    fn the_actions_are_the_schemas_own() {
        let schema = Catalogue::get().schema("AuditLog").expect("schema");
        let allowed = &schema["properties"]["action"]["enum"];
        for op in &Catalogue::get().operations {
            if let Some(action) = action(op) {
                assert!(
                    allowed
                        .as_array()
                        .is_some_and(|a| a.iter().any(|v| v == action)),
                    "{}: {action}",
                    op.id
                );
            }
        }
    }
}

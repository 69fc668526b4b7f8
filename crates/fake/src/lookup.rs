//! Finding what a request names in the store, with the control plane's answers when it
//! cannot: 404 for an object that does not exist, 409 for a name already taken.

use crate::error::ApiError;
use crate::store::{Cluster, OrgUnit, Store, Units, User};

pub(crate) fn no_cluster(uuid: &str) -> ApiError {
    ApiError::not_found(format!("cluster {uuid} not found"))
}

pub(crate) fn no_user(id: &str) -> ApiError {
    ApiError::not_found(format!("user {id} not found"))
}

pub(crate) fn existing_cluster<'s>(store: &'s Store, uuid: &str) -> Result<&'s Cluster, ApiError> {
    store.cluster(uuid).ok_or_else(|| no_cluster(uuid))
}

pub(crate) fn existing_department<'s>(store: &'s Store, id: &str) -> Result<&'s OrgUnit, ApiError> {
    store
        .department(id)
        .ok_or_else(|| ApiError::not_found(format!("department {id} not found")))
}

pub(crate) fn existing_project<'s>(store: &'s Store, id: &str) -> Result<&'s OrgUnit, ApiError> {
    store
        .project(id)
        .ok_or_else(|| ApiError::not_found(format!("project {id} not found")))
}

/// The user signed in with this e-mail (their username), in any letter case: the one way
/// the fake finds a user named by an access rule, a token's subject or a caller.
pub(crate) fn user_by_email<'s>(store: &'s Store, email: &str) -> Option<&'s User> {
    store
        .users
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(email))
}

pub(crate) fn existing_user<'s>(store: &'s Store, id: &str) -> Result<&'s User, ApiError> {
    store.user(id).ok_or_else(|| no_user(id))
}

/// A project of the given cluster: the seed-era paths name both.
pub(crate) fn project_in<'s>(
    store: &'s Store,
    cluster_id: &str,
    id: &str,
) -> Result<&'s OrgUnit, ApiError> {
    store
        .project(id)
        .filter(|p| p.cluster_id == cluster_id)
        .ok_or_else(|| {
            ApiError::not_found(format!("project {id} not found in cluster {cluster_id}"))
        })
}

/// A department of the given cluster: the seed-era paths name both.
pub(crate) fn department_in<'s>(
    store: &'s Store,
    cluster_id: &str,
    id: &str,
) -> Result<&'s OrgUnit, ApiError> {
    existing_department(store, id)
        .ok()
        .filter(|d| d.cluster_id == cluster_id)
        .ok_or_else(|| {
            ApiError::not_found(format!("department {id} not found in cluster {cluster_id}"))
        })
}

/// Cluster names are unique in the tenant; `except` is the cluster being renamed.
pub(crate) fn free_cluster_name(
    store: &Store,
    name: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    if store
        .clusters
        .iter()
        .any(|c| c.name == name && Some(c.uuid.as_str()) != except)
    {
        return Err(ApiError::conflict(format!(
            "a cluster named {name:?} already exists"
        )));
    }
    Ok(())
}

/// Department names are unique per cluster, and so are project names; `noun` names the
/// kind of `units` in the message.
pub(crate) fn free_unit_name(
    units: &Units,
    noun: &str,
    cluster_id: &str,
    name: &str,
) -> Result<(), ApiError> {
    if units.named(cluster_id, name).is_some() {
        return Err(ApiError::conflict(format!(
            "a {noun} named {name:?} already exists in cluster {cluster_id}"
        )));
    }
    Ok(())
}

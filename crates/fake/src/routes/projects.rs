//! `/api/v1/org-unit/projects`: list, count, get, create, update and delete projects,
//! and their resources.

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::lookup::{existing_cluster, existing_department, existing_project};
use crate::reply::Reply;
use crate::routes::org_units::{self, Kind};
use crate::routes::paging;
use crate::store::{OrgUnit, Store};
use crate::wire::org_units as wire;
use crate::wire::usage::Usage;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_projects" => {
            let usage = store.usage();
            paging::paged_window(call, &store.projects, row(&usage), item(&usage))
        }
        "count_projects" => {
            let usage = store.usage();
            paging::count_window(call, &store.projects, row(&usage))
        }
        "get_project" => get(call, &store.usage()),
        "create_project" => store.write().and_then(|store| create(call, store)),
        "update_project" => store
            .write()
            .and_then(|store| org_units::update(call, store, Kind::Project)),
        "delete_project" => store.write().and_then(|store| delete(call, store)),
        "update_project_resources" | "patch_project_resources" => store
            .write()
            .and_then(|store| org_units::resources(call, store, Kind::Project)),
        _ => return None,
    };
    Some(answer)
}

/// A project's row with its status now, from one usage model for the whole listing.
fn row<'u, 's>(usage: &'u Usage<'s>) -> impl Fn(&OrgUnit) -> Row + use<'u, 's> {
    let status_of = usage.status_now();
    move |p| wire::project_row(usage.store, p, &status_of)
}

/// What `row` lists, alone.
fn item<'u, 's>(usage: &'u Usage<'s>) -> impl Fn(&'s OrgUnit) -> wire::Project<'s> + use<'u, 's> {
    let status_of = usage.status_now();
    move |p| wire::project(usage.store, p, status_of(p))
}

fn get(call: &Call<'_>, usage: &Usage<'_>) -> Answer {
    let unit = existing_project(usage.store, call.param("projectId"))?;
    Ok(Kind::Project.reply(200, usage, unit))
}

/// A project goes into the department it names, else its cluster's default department.
fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster_id = call.text("clusterId").unwrap_or_default();
    existing_cluster(store, &cluster_id)?;
    let parent = match call.text("parentId") {
        Some(id) => existing_department(store, &id)?,
        None => store.default_department(&cluster_id).ok_or_else(|| {
            ApiError::not_found(format!(
                "cluster {cluster_id} has no department to hold the project"
            ))
        })?,
    };
    if parent.cluster_id != cluster_id {
        return Err(ApiError::bad_request(format!(
            "body.parentId: department {} belongs to another cluster",
            parent.id
        )));
    }
    let parent_id = parent.id.clone();
    org_units::create(call, store, Kind::Project, Some(parent_id))
}

fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("projectId");
    existing_project(store, id)?;
    store.projects.retain(|p| p.id != id);
    Ok(Reply::empty(202))
}

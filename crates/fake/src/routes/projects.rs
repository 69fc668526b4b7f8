//! `/api/v1/org-unit/projects`: list, count, get, create, update and delete projects,
//! and their resources.

use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::lookup::{existing_cluster, existing_department, existing_project};
use crate::reply::Reply;
use crate::routes::org_units::{self, Kind};
use crate::routes::paging;
use crate::store::Store;
use crate::wire::org_units as wire;
use crate::wire::usage::Usage;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_projects" => paging::paged(call, rows(store)),
        "count_projects" => paging::count(call, rows(store)),
        "get_project" => get(call, store),
        "create_project" => create(call, store),
        "update_project" => org_units::update(call, store, Kind::Project),
        "delete_project" => delete(call, store),
        "update_project_resources" | "patch_project_resources" => {
            org_units::resources(call, store, Kind::Project)
        }
        _ => return None,
    };
    Some(answer)
}

/// Every project with its status now, from one usage model for the whole listing.
fn rows(store: &Store) -> Vec<Row> {
    let usage = Usage::new(store);
    let status_of = usage.status_now();
    store
        .projects
        .iter()
        .map(|p| wire::project_row(store, p, &status_of))
        .collect()
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let unit = existing_project(store, call.param("projectId"))?;
    Ok(Reply::json(200, &Kind::Project.render(store, unit)))
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

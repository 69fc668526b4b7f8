//! `/api/v1/org-unit/departments`: list, count, get, create, update and delete
//! departments, and their resources.

use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::lookup::{existing_cluster, existing_department};
use crate::reply::Reply;
use crate::routes::org_units::{self, Kind};
use crate::routes::paging;
use crate::store::Store;
use crate::wire::org_units as wire;
use crate::wire::usage::Usage;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_departments" => paging::paged(call, rows(store)),
        "count_departments" => paging::count(call, rows(store)),
        "get_department" => get(call, store),
        "create_department" => create(call, store),
        "update_department" => org_units::update(call, store, Kind::Department),
        "delete_department" => delete(call, store),
        "update_department_resources" | "patch_department_resources" => {
            org_units::resources(call, store, Kind::Department)
        }
        _ => return None,
    };
    Some(answer)
}

/// Every department with its status now, from one usage model for the whole listing.
fn rows(store: &Store) -> Vec<Row> {
    let usage = Usage::new(store);
    let status_of = usage.status_now();
    store
        .departments
        .iter()
        .map(|d| wire::department_row(store, d, &status_of))
        .collect()
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let unit = existing_department(store, call.param("departmentId"))?;
    Ok(Reply::json(200, &Kind::Department.render(store, unit)))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster_id = call.text("clusterId").unwrap_or_default();
    existing_cluster(store, &cluster_id)?;
    org_units::create(call, store, Kind::Department, None)
}

pub(crate) fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("departmentId");
    let unit = existing_department(store, id)?;
    // Refuse rather than cascade: deleting a department must not silently take projects.
    if store.projects_of(id).next().is_some() {
        return Err(ApiError::conflict(format!(
            "department {:?} still has projects; delete them first",
            unit.name
        )));
    }
    store.departments.retain(|d| d.id != id);
    Ok(Reply::empty(204))
}

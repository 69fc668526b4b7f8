//! `/api/v1/org-unit/departments`: list, count, get, create, update and delete
//! departments, and their resources.

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::lookup::{existing_cluster, existing_department};
use crate::reply::Reply;
use crate::routes::org_units::{self, Kind};
use crate::routes::paging;
use crate::store::{OrgUnit, Store};
use crate::wire::org_units as wire;
use crate::wire::usage::Usage;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_departments" => {
            let usage = store.usage();
            paging::paged_window(call, &store.departments, row(&usage), item(&usage))
        }
        "count_departments" => {
            let usage = store.usage();
            paging::count_window(call, &store.departments, row(&usage))
        }
        "get_department" => get(call, &store.usage()),
        "create_department" => store.write().and_then(|store| create(call, store)),
        "update_department" => store
            .write()
            .and_then(|store| org_units::update(call, store, Kind::Department)),
        "delete_department" => store.write().and_then(|store| delete(call, store)),
        "update_department_resources" | "patch_department_resources" => store
            .write()
            .and_then(|store| org_units::resources(call, store, Kind::Department)),
        _ => return None,
    };
    Some(answer)
}

/// A department's row with its status now, from one usage model for the whole listing.
fn row<'u, 's>(usage: &'u Usage<'s>) -> impl Fn(&OrgUnit) -> Row + use<'u, 's> {
    let status_of = usage.status_now();
    move |d| wire::department_row(usage.store, d, &status_of)
}

/// What `row` lists, alone.
fn item<'u, 's>(
    usage: &'u Usage<'s>,
) -> impl Fn(&'s OrgUnit) -> wire::Department<'s> + use<'u, 's> {
    let status_of = usage.status_now();
    move |p| wire::department(usage.store, p, true, status_of(p))
}

fn get(call: &Call<'_>, usage: &Usage<'_>) -> Answer {
    let unit = existing_department(usage.store, call.param("departmentId"))?;
    Ok(Kind::Department.reply(200, usage, unit))
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

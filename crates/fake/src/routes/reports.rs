//! `/api/v1/org-unit/reports`: report requests, listed (filtered, sorted and paged),
//! counted, read, created, deleted and downloaded, and whether reports are available.
//!
//! The fake's report worker keeps a clock of its own, counted in requests rather than in
//! seconds, so that a report's progress is the same on every run: each call to this area
//! (availability aside) first moves every unfinished report one step, Pending to
//! Processing, then Processing to Ready (its file made) or Failed (a filter naming nothing
//! in the tenant), and only then answers. A report is created Pending, so the second call
//! after its creation finds it Ready; until then its file is a 404. Reports are available
//! while a connected cluster reports in metrics.

use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::reply::Reply;
use crate::routes::paging;
use crate::store::{now, Report, ReportStatus, Store};
use crate::wire::reports::{file, filter_of, report, row, FILTER_FIELDS};

const QUEUED: &str = "Report in queue";
const PROCESSING: &str = "Report is being generated";
const READY: &str = "Report is ready to download";

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    if call.op.id == "are_reports_available" {
        let available = store.clusters.iter().any(|c| c.connected);
        return Some(Ok(Reply::json(200, &json!({"isAvailable": available}))));
    }
    // The worker's clock moves on reads too: the router gives this area the store to
    // change whatever the method.
    let store = match store.write() {
        Ok(store) => advance(store),
        Err(err) => return Some(Err(err)),
    };
    let answer = match call.op.id.as_str() {
        "list_reports" => paging::paged(call, rows(store)),
        "count_reports" => paging::count(call, rows(store)),
        "get_report_by_id" => find(store, call).map(|r| Reply::json(200, &report(r))),
        "create_report" => create(call, store),
        "delete_report_by_id" => delete(call, store),
        "download_report_by_id" => download(call, store),
        _ => return None,
    };
    Some(answer)
}

fn rows(store: &Store) -> Vec<Row> {
    store.reports.iter().map(row).collect()
}

/// One step of the report worker for every unfinished report.
fn advance(store: &mut Store) -> &mut Store {
    let outcomes: Vec<Option<Result<String, String>>> = store
        .reports
        .iter()
        .map(|r| (r.status == ReportStatus::Processing).then(|| file(store, r)))
        .collect();
    let stamp = now();
    for (r, outcome) in store.reports.iter_mut().zip(outcomes) {
        let (status, message) = match (r.status, outcome) {
            (ReportStatus::Pending, _) => (ReportStatus::Processing, PROCESSING.to_string()),
            (ReportStatus::Processing, Some(Ok(csv))) => {
                r.file = Some(csv);
                (ReportStatus::Ready, READY.to_string())
            }
            (ReportStatus::Processing, Some(Err(why))) => (ReportStatus::Failed, why),
            _ => continue,
        };
        r.status = status;
        r.status_message = message;
        r.status_updated_at = stamp.clone();
    }
    store
}

fn find<'s>(store: &'s Store, call: &Call<'_>) -> Result<&'s Report, ApiError> {
    let id = call.param("reportId");
    store
        .reports
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found(format!("report {id} not found")))
}

/// The body's date-time field, read; the body check has seen that it is one.
fn moment(call: &Call<'_>, field: &str) -> Result<OffsetDateTime, ApiError> {
    let text = call.text(field).unwrap_or_default();
    OffsetDateTime::parse(&text, &Rfc3339)
        .map_err(|e| ApiError::bad_request(format!("body.{field}: {text:?}: {e}")))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let name = call.required_name()?;
    let (start, end) = (moment(call, "start")?, moment(call, "end")?);
    if end <= start {
        return Err(ApiError::bad_request(format!(
            "body.end: the report's window must end after it starts ({})",
            call.text("start").unwrap_or_default()
        )));
    }
    let filter_by = call.texts("filterBy");
    if let Some((i, bad)) = filter_by
        .iter()
        .enumerate()
        .find(|(_, e)| filter_of(e).is_none())
    {
        return Err(ApiError::bad_request(format!(
            "body.filterBy[{i}]: {bad:?} is not <field>==<value> with a field of {}",
            FILTER_FIELDS.join(", ")
        )));
    }
    let created = now();
    let made = Report {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        description: call.text("description"),
        start: call.text("start").unwrap_or_default(),
        end: call.text("end").unwrap_or_default(),
        group_by: call.text("groupBy"),
        filter_by,
        created_at: created.clone(),
        created_by: call.actor().to_string(),
        status: ReportStatus::Pending,
        status_updated_at: created,
        status_message: QUEUED.to_string(),
        file: None,
    };
    let answer = report(&made);
    store.reports.push(made);
    Ok(Reply::json(202, &answer))
}

fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = find(store, call)?.id.clone();
    store.reports.retain(|r| r.id != id);
    Ok(Reply::empty(204))
}

/// The report's CSV once it is Ready. Before that, or when it failed, the file does not
/// exist: a 404 (which the spec lists) that says where the report stands.
fn download(call: &Call<'_>, store: &Store) -> Answer {
    let r = find(store, call)?;
    match (&r.file, r.status) {
        (Some(csv), ReportStatus::Ready) => Ok(Reply {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/csv".into()),
                (
                    "content-disposition".into(),
                    format!("attachment; filename=\"report-{}.csv\"", r.id),
                ),
            ],
            body: csv.clone().into_bytes().into(),
        }),
        _ => Err(ApiError::not_found(format!(
            "report {} has no file: it is {} ({})",
            r.id,
            r.status.as_str(),
            r.status_message
        ))),
    }
}

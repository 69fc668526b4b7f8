//! The limit of the benchmark (`benches/run.py`): the calls the Python clients make,
//! sent by plain reqwest on a current-thread tokio runtime (the fastest way measured
//! here), so each client's rate can be given as a share of what the machine allows.
//!
//! ```text
//! runai-admin-bench-limit get PROJECT_ID IN_FLIGHT CALLS
//! runai-admin-bench-limit list PAGE_SIZE LISTS
//! runai-admin-bench-limit serialise PAGE_SIZE
//! runai-admin-bench-limit seed PROJECTS IN_FLIGHT
//! ```
//!
//! `seed` creates projects in the first cluster until there are `PROJECTS` (its report's
//! `calls` are the creates, `project` the first project's id).
//!
//! The fake's address and credentials come from `RUNAI_BASE_URL`, `RUNAI_CLIENT_ID` and
//! `RUNAI_CLIENT_SECRET` (what `runai-admin fake-server` prints). One JSON line is printed:
//! `{"calls": N, "seconds": S, "items": I, "peak_rss_kb": K}`; the CPU and memory are read
//! by the caller from this process's resource usage. `serialise` fetches the list once
//! and reports `serialise_seconds` instead: what plain serde takes to write those pages
//! (a process of its own, so that the list's CPU and memory are not its).
//!
//! Every answer is decoded into a `serde_json::Value`, as every Python client decodes its own.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

type Failure = Box<dyn std::error::Error + Send + Sync>;

const WARM_UP_CALLS: u64 = 50;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(mut report) => {
            if let (Some(fields), Some(peak)) = (report.as_object_mut(), peak_rss_kb()) {
                fields.insert("peak_rss_kb".into(), peak.into());
            }
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("runai-admin-bench-limit: {e}");
            ExitCode::FAILURE
        }
    }
}

/// This process's peak RSS in KiB (Linux's `VmHWM`), where the system tells it.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn number(args: &[String], at: usize, name: &str) -> Result<u64, Failure> {
    let text = args.get(at).ok_or_else(|| format!("missing {name}"))?;
    Ok(text
        .parse()
        .map_err(|_| format!("{name} must be a number, not {text:?}"))?)
}

fn setting(name: &str) -> Result<String, Failure> {
    Ok(std::env::var(name).map_err(|_| format!("{name} is not set"))?)
}

async fn run(args: &[String]) -> Result<Value, Failure> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let base = setting("RUNAI_BASE_URL")?;
    let http = reqwest::Client::builder().tcp_nodelay(true).build()?;
    let token = sign_in(&http, &base).await?;
    let bench = Bench {
        http,
        base,
        bearer: format!("Bearer {token}"),
    };
    match args.first().map(String::as_str) {
        Some("get") => {
            let id = args.get(1).ok_or("missing PROJECT_ID")?;
            let in_flight = number(args, 2, "IN_FLIGHT")?.max(1);
            let calls = number(args, 3, "CALLS")?;
            let url = format!("{}/api/v1/org-unit/projects/{id}", bench.base);
            let bench = Arc::new(bench);
            fan_out(&bench, &url, in_flight, WARM_UP_CALLS.min(calls)).await?;
            let started = Instant::now();
            fan_out(&bench, &url, in_flight, calls).await?;
            let seconds = started.elapsed().as_secs_f64();
            Ok(json!({"calls": calls, "seconds": seconds, "items": calls}))
        }
        Some("list") => {
            let page_size = number(args, 1, "PAGE_SIZE")?.max(1);
            let lists = number(args, 2, "LISTS")?;
            bench.list_all(page_size, None).await?;
            let started = Instant::now();
            let mut items = 0;
            let mut calls = 0;
            for _ in 0..lists {
                let (n, pages) = bench.list_all(page_size, None).await?;
                items += n;
                calls += pages;
            }
            let seconds = started.elapsed().as_secs_f64();
            Ok(json!({"calls": calls, "seconds": seconds, "items": items, "lists": lists}))
        }
        Some("serialise") => {
            let page_size = number(args, 1, "PAGE_SIZE")?.max(1);
            let mut pages = Vec::new();
            let (items, calls) = bench.list_all(page_size, Some(&mut pages)).await?;
            Ok(json!({
                "calls": calls,
                "items": items,
                "serialise_seconds": plain_serialisation(&pages)?,
            }))
        }
        Some("seed") => {
            let wanted = number(args, 1, "PROJECTS")?;
            let in_flight = number(args, 2, "IN_FLIGHT")?.max(1);
            let bench = Arc::new(bench);
            let started = Instant::now();
            let created = bench.seed(wanted, in_flight).await?;
            let seconds = started.elapsed().as_secs_f64();
            let first = bench
                .get(&format!("{}/api/v1/org-unit/projects?limit=1", bench.base))
                .await?;
            let project = first
                .pointer("/projects/0/id")
                .cloned()
                .unwrap_or(Value::Null);
            Ok(json!({"calls": created, "seconds": seconds, "items": created, "project": project}))
        }
        _ => Err(
            "usage: runai-admin-bench-limit get PROJECT_ID IN_FLIGHT CALLS | list PAGE_SIZE LISTS | serialise PAGE_SIZE | seed PROJECTS IN_FLIGHT"
                .into(),
        ),
    }
}

async fn sign_in(http: &reqwest::Client, base: &str) -> Result<String, Failure> {
    let body = json!({
        "grantType": "client_credentials",
        "clientId": setting("RUNAI_CLIENT_ID")?,
        "clientSecret": setting("RUNAI_CLIENT_SECRET")?,
    });
    let answer = http
        .post(format!("{base}/api/v1/token"))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body)?)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let answer: Value = serde_json::from_slice(&answer)?;
    let token = answer
        .get("accessToken")
        .and_then(Value::as_str)
        .ok_or("the token answer has no accessToken")?;
    Ok(token.to_string())
}

struct Bench {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

impl Bench {
    /// One GET, its body decoded into a JSON value (as every client of the table does).
    async fn get(&self, url: &str) -> Result<Value, Failure> {
        let response = self
            .http
            .get(url)
            .header("authorization", &self.bearer)
            .send()
            .await?
            .error_for_status()?;
        Ok(serde_json::from_slice(&response.bytes().await?)?)
    }

    /// Projects `bench-N` in the first cluster until there are `wanted`, `in_flight` creates
    /// at a time; how many were created.
    async fn seed(self: &Arc<Self>, wanted: u64, in_flight: u64) -> Result<u64, Failure> {
        let count = self
            .get(&format!("{}/api/v1/org-unit/projects/count", self.base))
            .await?;
        let have = count.get("count").and_then(Value::as_u64).unwrap_or(0);
        let clusters = self.get(&format!("{}/api/v1/clusters", self.base)).await?;
        let cluster = clusters
            .pointer("/0/uuid")
            .and_then(Value::as_str)
            .ok_or("the fake lists no cluster")?
            .to_string();
        let next = Arc::new(AtomicU64::new(have));
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..in_flight.min(wanted.saturating_sub(have)) {
            let bench = Arc::clone(self);
            let next = Arc::clone(&next);
            let cluster = cluster.clone();
            workers.spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= wanted {
                        return Ok::<(), Failure>(());
                    }
                    let body = json!({
                        "name": format!("bench-{i}"),
                        "clusterId": cluster,
                        "resources": [{"gpu": {"deserved": 0}}],
                    });
                    bench
                        .http
                        .post(format!("{}/api/v1/org-unit/projects", bench.base))
                        .header("authorization", &bench.bearer)
                        .header("content-type", "application/json")
                        .body(serde_json::to_vec(&body)?)
                        .send()
                        .await?
                        .error_for_status()?;
                }
            });
        }
        while let Some(done) = workers.join_next().await {
            done??;
        }
        Ok(wanted.saturating_sub(have))
    }

    /// Every project, page after page, each page decoded; `(items, pages)`. The pages are
    /// kept in `kept` when given.
    async fn list_all(
        &self,
        page_size: u64,
        mut kept: Option<&mut Vec<Value>>,
    ) -> Result<(u64, u64), Failure> {
        let mut offset = 0;
        let mut pages = 0;
        loop {
            let url = format!(
                "{}/api/v1/org-unit/projects?offset={offset}&limit={page_size}",
                self.base
            );
            let page = self.get(&url).await?;
            pages += 1;
            let got = page
                .get("projects")
                .and_then(Value::as_array)
                .map_or(0, |items| items.len() as u64);
            offset += got;
            if let Some(kept) = kept.as_deref_mut() {
                kept.push(page);
            }
            if got < page_size {
                return Ok((offset, pages));
            }
        }
    }
}

/// What writing one whole list costs plain serde: the seconds to serialise its pages (as
/// decoded, so the same items and keys the fake sent), the best of a few tries. The fake's
/// CPU per list is judged against it.
fn plain_serialisation(pages: &[Value]) -> Result<f64, Failure> {
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let started = Instant::now();
        for page in pages {
            std::hint::black_box(serde_json::to_vec(page)?);
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// `calls` GETs with `in_flight` of them at a time, on this one thread.
async fn fan_out(bench: &Arc<Bench>, url: &str, in_flight: u64, calls: u64) -> Result<(), Failure> {
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight.min(calls) {
        let bench = Arc::clone(bench);
        let next = Arc::clone(&next);
        let url = url.to_string();
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < calls {
                bench.get(&url).await?;
            }
            Ok::<(), Failure>(())
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    Ok(())
}

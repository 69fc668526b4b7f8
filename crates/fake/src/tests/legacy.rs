//! The seed-era `/v1/k8s` operations: answers conform to the spec, state is shared with
//! the `/api/v1` operations, unknown objects are 404.

use reqwest::Method;
use serde_json::{json, Value};

use super::{assert_conforms, harness, Harness};

fn each_conforms(schema: &str, list: &Value) {
    for item in list.as_array().expect("array") {
        assert_conforms(schema, item);
    }
}

async fn new_department(h: &Harness, cluster: &str, name: &str) -> String {
    let (status, dept) = h
        .post(
            "/api/v1/org-unit/departments",
            json!({"name": name, "clusterId": cluster, "resources": [{"gpu": {"deserved": 8}}]}),
        )
        .await;
    assert_eq!(status, 201, "{dept}");
    dept["id"].as_str().expect("id").to_string()
}

async fn other_cluster(h: &Harness) -> String {
    let (status, created) = h.post("/api/v1/clusters", json!({"name": "edge"})).await;
    assert_eq!(status, 201);
    created["uuid"].as_str().expect("uuid").to_string()
}

fn assert_404(status: u16, err: &Value) {
    assert_eq!(status, 404, "{err}");
    assert_eq!(err["code"], 404, "{err}");
    assert!(err["message"].is_string(), "{err}");
}

#[tokio::test]
async fn seed_era_create_maps_onto_the_stored_project() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let base = format!("/v1/k8s/clusters/{cluster}/projects");
    let (status, created) = h
        .post(
            &base,
            json!({
                "name": "seed-a",
                "departmentId": 1,
                "deservedGpus": 2,
                "maxAllowedGpus": 4,
                "gpuOverQuotaWeight": 2,
                "namespace": "seed-ns",
                "interactiveJobTimeLimitSecs": 3600,
                "trainingJobMaxIdleDurationSecs": 600,
                "defaultNodePools": ["default"],
                "nodeAffinity": {"train": {"affinityType": "only_selected", "selectedTypes": [{"id": 1, "name": "a100"}]}},
                "permissions": {"users": ["researcher@example.com"]},
            }),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_conforms("Project2", &created);
    assert!(created["id"].is_i64(), "{created}");
    assert_eq!(created["name"], "seed-a");
    assert_eq!(created["clusterUuid"], cluster.as_str());
    assert_eq!(created["departmentId"], 1);
    assert_eq!(created["departmentName"], "default");
    assert_eq!(created["namespace"], "seed-ns");
    assert_eq!(created["deservedGpus"], 2.0);
    assert_eq!(created["maxAllowedGpus"], 4.0);
    assert_eq!(created["gpuOverQuotaWeight"], 2.0);
    assert_eq!(created["interactiveJobTimeLimitSecs"], 3600);
    assert_eq!(created["trainingJobMaxIdleDurationSecs"], 600);
    assert_eq!(created["trainNodeAffinity"], "a100");
    assert_eq!(
        created["nodeAffinity"]["train"]["affinityType"],
        "only_selected"
    );
    assert_eq!(
        created["nodeAffinity"]["interactive"]["affinityType"],
        "no_limit"
    );
    assert_eq!(
        created["permissions"]["users"],
        json!(["researcher@example.com"])
    );
    assert_eq!(
        created["nodePoolsResources"][0]["nodePool"]["name"],
        "default"
    );
    assert_eq!(created["nodePoolsResources"][0]["gpu"]["deserved"], 2.0);
    let id = created["id"].to_string();

    // The same project through the modern endpoints.
    let (status, modern) = h.get(&format!("/api/v1/org-unit/projects/{id}")).await;
    assert_eq!(status, 200);
    assert_conforms("Project", &modern);
    assert_eq!(modern["parentId"], "1");
    assert_eq!(modern["totalResources"]["gpuQuota"], 2.0);
    assert_eq!(modern["resources"][0]["gpu"]["limit"], 4.0);
    assert_eq!(modern["resources"][0]["gpu"]["overQuotaWeight"], 2.0);
    assert_eq!(modern["requestedNamespace"], "seed-ns");
    assert_eq!(modern["status"]["namespace"], "seed-ns");
    assert_eq!(
        modern["schedulingRules"],
        json!({"interactiveJobTimeLimitSeconds": 3600, "trainingJobMaxIdleDurationSeconds": 600})
    );
    assert_eq!(modern["defaultNodePools"], json!(["default"]));
    assert_eq!(modern["nodeTypes"]["training"], json!(["a100"]));
    let (_, listed) = h
        .get("/api/v1/org-unit/projects?filterBy=name==seed-a")
        .await;
    assert_eq!(listed["projects"].as_array().map(Vec::len), Some(1));

    // And through the seed-era reads.
    let (status, got) = h.get(&format!("{base}/{id}")).await;
    assert_eq!(status, 200);
    assert_conforms("Project2", &got);
    assert_eq!(got, created);
    let (status, got) = h.get(&format!("{base}/{id}?excludePermissions=true")).await;
    assert_eq!(status, 200);
    assert!(got.get("permissions").is_none(), "{got}");
    let (status, list) = h.get(&base).await;
    assert_eq!(status, 200);
    each_conforms("Project2", &list);
    assert_eq!(list[0]["name"], "seed-a");

    // Per node pool, memory in MiB (or MB when asked), in another department.
    let dept = new_department(&h, &cluster, "physics").await;
    let (status, pooled) = h
        .post(
            &base,
            json!({"name": "seed-b", "departmentId": dept.parse::<i64>().unwrap(),
                   "nodePoolsResources": [{"nodePool": {"id": 1}, "gpu": {"deserved": 1}, "memory": {"deserved": 1024}}]}),
        )
        .await;
    assert_eq!(status, 200, "{pooled}");
    assert_conforms("Project2", &pooled);
    assert_eq!(pooled["departmentName"], "physics");
    assert_eq!(
        pooled["nodePoolsResources"][0]["memory"]["deserved"],
        1024.0
    );
    assert_eq!(pooled["resources"]["memory"]["deserved"], 1024.0);
    let (_, in_mb) = h.get(&format!("{base}?memoryUnitMb=true")).await;
    assert_eq!(
        in_mb[1]["nodePoolsResources"][0]["memory"]["deserved"],
        1073.742
    );
    let (_, modern) = h
        .get(&format!("/api/v1/org-unit/projects/{}", pooled["id"]))
        .await;
    assert_conforms("Project", &modern);
    assert_eq!(modern["parentId"], dept.as_str());
    assert_eq!(modern["resources"][0]["memory"]["units"], "Mib");

    // Refusals.
    let (status, err) = h
        .post(&base, json!({"name": "seed-a", "departmentId": 1}))
        .await;
    assert_eq!(status, 409, "{err}");
    let (status, err) = h
        .post(&base, json!({"name": "seed-c", "departmentId": 999}))
        .await;
    assert_404(status, &err);
    let (status, err) = h
        .post(&base, json!({"name": "seed-c", "departmentId": 1, "nodePoolsResources": [{"nodePool": {"id": 99}}]}))
        .await;
    assert_eq!(status, 400, "{err}");
    assert!(err["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("body.nodePoolsResources[0].nodePool.id")));
    assert_eq!(h.post(&base, json!({"name": "seed-c"})).await.0, 400);
    let (status, err) = h
        .post(
            "/v1/k8s/clusters/00000000-0000-0000-0000-000000000000/projects",
            json!({"name": "seed-c", "departmentId": 1}),
        )
        .await;
    assert_404(status, &err);
    let edge = other_cluster(&h).await;
    let (status, err) = h
        .post(
            &format!("/v1/k8s/clusters/{edge}/projects"),
            json!({"name": "seed-c", "departmentId": 1}),
        )
        .await;
    assert_404(status, &err);
    let (status, err) = h
        .get(&format!("/v1/k8s/clusters/{edge}/projects/{id}"))
        .await;
    assert_404(status, &err);
    assert_eq!(
        h.get("/api/v1/org-unit/projects/count").await.1,
        json!({"count": 2})
    );
}

#[tokio::test]
async fn seed_era_update_and_delete() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let base = format!("/v1/k8s/clusters/{cluster}/projects");
    let (status, created) = h
        .post(
            &base,
            json!({"name": "seed-a", "departmentId": 1, "deservedGpus": 2, "maxAllowedGpus": 4,
                   "interactiveJobTimeLimitSecs": 3600, "permissions": {"users": ["u1"]}}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].to_string();
    let modern_path = format!("/api/v1/org-unit/projects/{id}");

    // A modern PUT keeps what only the seed era can say (permissions).
    let (status, _) = h
        .put(
            &modern_path,
            json!({"description": "ml", "resources": [{"gpu": {"deserved": 2}}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        h.get(&format!("{base}/{id}")).await.1["permissions"]["users"],
        json!(["u1"])
    );

    // The seed-era PUT replaces the editable fields; what it omits is removed, the modern
    // description stays.
    let (status, updated) = h
        .put(
            &format!("{base}/{id}"),
            json!({"deservedGpus": 3, "trainingJobTimeLimitSecs": 120}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_conforms("Project2", &updated);
    assert_eq!(updated["deservedGpus"], 3.0);
    assert_eq!(updated["maxAllowedGpus"], -1.0);
    assert_eq!(updated["trainingJobTimeLimitSecs"], 120);
    assert!(updated.get("interactiveJobTimeLimitSecs").is_none());
    assert_eq!(updated["permissions"]["users"], json!([]));
    let (_, modern) = h.get(&modern_path).await;
    assert_conforms("Project", &modern);
    assert_eq!(modern["totalResources"]["gpuQuota"], 3.0);
    assert_eq!(modern["resources"][0]["gpu"]["limit"], Value::Null);
    assert_eq!(
        modern["schedulingRules"],
        json!({"trainingJobTimeLimitSeconds": 120})
    );
    assert_eq!(modern["description"], "ml");
    assert_eq!(modern["name"], "seed-a");

    // With excludePermissions the body's permissions are ignored and stored ones stay.
    h.put(
        &format!("{base}/{id}"),
        json!({"deservedGpus": 3, "permissions": {"users": ["u2"]}}),
    )
    .await;
    let (status, quiet) = h
        .put(
            &format!("{base}/{id}?excludePermissions=true"),
            json!({"deservedGpus": 1, "permissions": {"users": ["u3"]}}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(quiet.get("permissions").is_none());
    assert_eq!(quiet["deservedGpus"], 1.0);
    assert_eq!(
        h.get(&format!("{base}/{id}")).await.1["permissions"]["users"],
        json!(["u2"])
    );

    let (status, err) = h
        .put(&format!("{base}/999"), json!({"deservedGpus": 1}))
        .await;
    assert_404(status, &err);
    let edge = other_cluster(&h).await;
    let (status, err) = h
        .put(
            &format!("/v1/k8s/clusters/{edge}/projects/{id}"),
            json!({"deservedGpus": 1}),
        )
        .await;
    assert_404(status, &err);

    let (status, err) = h
        .delete(&format!("/v1/k8s/clusters/{edge}/projects/{id}"))
        .await;
    assert_404(status, &err);
    let (status, deleted) = h.delete(&format!("{base}/{id}")).await;
    assert_eq!(status, 200, "{deleted}");
    assert_conforms("Project2", &deleted);
    assert_eq!(deleted["name"], "seed-a");
    assert_eq!(deleted["deservedGpus"], 1.0);
    assert_eq!(h.get(&modern_path).await.0, 404);
    assert_eq!(h.get(&base).await.1, json!([]));
    let (status, err) = h.delete(&format!("{base}/{id}")).await;
    assert_404(status, &err);
}

#[tokio::test]
async fn seed_era_departments_and_admins() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    h.create_project("team-a", 2.0).await;
    let path = format!("/v1/k8s/clusters/{cluster}/departments/1/access-control");
    let (status, body) = h
        .put(
            &path,
            json!({"departmentId": 1, "departmentAdmins": ["admin@example.com"]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_conforms("DepartmentAccessControl", &body);
    assert_eq!(
        body,
        json!({"departmentId": 1, "departmentAdmins": ["admin@example.com"]})
    );

    let list_path = format!("/v1/k8s/clusters/{cluster}/departments");
    let (status, list) = h.get(&list_path).await;
    assert_eq!(status, 200);
    each_conforms("Department2", &list);
    let default = &list[0];
    assert_eq!(default["id"], 1);
    assert_eq!(default["name"], "default");
    assert_eq!(default["departmentAdmins"], json!(["admin@example.com"]));
    assert_eq!(default["projects"][0]["name"], "team-a");
    assert_eq!(default["projectsDeservedGpus"], "2");
    assert_eq!(default["nodePoolsResources"][0]["nodePool"]["id"], 1);
    let physics = new_department(&h, &cluster, "physics").await;
    let (_, list) = h.get(&list_path).await;
    let physics = list
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|d| d["id"].as_i64() == physics.parse::<i64>().ok())
        })
        .expect("new department listed");
    assert_eq!(physics["projectsDeservedGpus"], "0");
    assert_eq!(physics["deservedGpus"], 8.0);
    assert_eq!(physics["projects"], json!([]));
    let (_, quiet) = h.get(&format!("{list_path}?excludePermissions=true")).await;
    assert!(quiet[0].get("departmentAdmins").is_none());
    assert!(quiet[0]["projects"][0].get("permissions").is_none());

    // The admins live on the department: a modern PUT keeps them, a new PUT replaces them.
    let (status, _) = h
        .put(
            "/api/v1/org-unit/departments/1",
            json!({"description": "x", "resources": [{"gpu": {"deserved": 4}}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = h.get(&list_path).await;
    assert_eq!(list[0]["departmentAdmins"], json!(["admin@example.com"]));
    assert_eq!(list[0]["deservedGpus"], 4.0);
    assert_eq!(h.put(&path, json!({"departmentAdmins": []})).await.0, 201);
    assert_eq!(h.get(&list_path).await.1[0]["departmentAdmins"], json!([]));

    assert_eq!(
        h.put(&path, json!({"departmentId": 7, "departmentAdmins": []}))
            .await
            .0,
        400
    );
    let (status, err) = h
        .put(
            &format!("/v1/k8s/clusters/{cluster}/departments/999/access-control"),
            json!({"departmentAdmins": []}),
        )
        .await;
    assert_404(status, &err);
    let edge = other_cluster(&h).await;
    let (status, err) = h
        .put(
            &format!("/v1/k8s/clusters/{edge}/departments/1/access-control"),
            json!({"departmentAdmins": []}),
        )
        .await;
    assert_404(status, &err);
    let (status, err) = h
        .get("/v1/k8s/clusters/00000000-0000-0000-0000-000000000000/departments")
        .await;
    assert_404(status, &err);
}

#[tokio::test]
async fn seed_era_metrics() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let project = h.create_project("team-a", 2.0).await;
    let project_id = project["id"].as_str().expect("id").to_string();
    let base = format!("/v1/k8s/clusters/{cluster}");

    let (status, metrics) = h.get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200, "{metrics}");
    assert_conforms("cluster", &metrics);
    assert_eq!(metrics["metadata"]["clusterName"], "cluster-1");
    assert_eq!(
        metrics["current"]["resources"][0]["nodepoolName"],
        "default"
    );
    assert_eq!(metrics["current"]["resources"][0]["gpu"]["quota"], 2.0);
    // The usage model's allocation now: whole GPUs, within the default pool's eight.
    let allocated = metrics["current"]["resources"][0]["gpu"]["allocated"]
        .as_f64()
        .expect("a number");
    assert!((0.0..=8.0).contains(&allocated) && allocated.fract() == 0.0);
    let per_project = &metrics["current"]["projectResources"][0];
    assert_eq!(
        (
            per_project["projectName"].as_str(),
            per_project["departmentName"].as_str()
        ),
        (Some("team-a"), Some("default"))
    );
    assert!(metrics.get("timeRange").is_none());
    assert!(!has_negative_zero(&metrics), "{metrics}");

    let window = "start=2024-01-01T00:00:00Z&end=2024-01-01T01:00:00Z&numberOfSamples=3";
    let (status, ranged) = h.get(&format!("{base}/metrics?{window}")).await;
    assert_eq!(status, 200);
    assert_conforms("cluster", &ranged);
    let samples = ranged["timeRange"]["resources"]
        .as_array()
        .expect("samples");
    assert_eq!(samples.len(), 3);
    assert_eq!(samples[1]["timestamp"], "2024-01-01T00:30:00.000Z");
    assert_eq!(samples[1]["gpu"]["quota"], 2.0);

    let (status, by_pool) = h.get(&format!("{base}/metrics?nodepoolName=default")).await;
    assert_eq!(status, 200);
    // The seeded cluster has an h100 pool too: one pool's answer is its share.
    assert_eq!(
        by_pool["current"]["resources"],
        json!([metrics["current"]["resources"][0]])
    );
    let (status, err) = h.get(&format!("{base}/metrics?nodepoolName=nope")).await;
    assert_404(status, &err);
    assert_eq!(
        h.get(&format!("{base}/metrics?start=yesterday&end=today"))
            .await
            .0,
        400
    );

    let (status, departments) = h.get(&format!("{base}/departments/metrics?{window}")).await;
    assert_eq!(status, 200, "{departments}");
    assert_conforms("departments", &departments);
    assert_eq!(departments["data"][0]["metadata"]["departmentId"], 1);
    assert_eq!(
        departments["data"][0]["current"]["projectResources"][0]["projectName"],
        "team-a"
    );
    let (status, department) = h.get(&format!("{base}/departments/1/metrics")).await;
    assert_eq!(status, 200);
    assert_conforms("department", &department);
    assert_eq!(department["metadata"]["departmentName"], "default");

    let (status, projects) = h.get(&format!("{base}/projects/metrics")).await;
    assert_eq!(status, 200, "{projects}");
    assert_conforms("projects", &projects);
    assert_eq!(projects["data"].as_array().map(Vec::len), Some(1));
    let (status, one) = h
        .get(&format!("{base}/projects/{project_id}/metrics?{window}"))
        .await;
    assert_eq!(status, 200);
    assert_conforms("project", &one);
    assert_eq!(
        one["metadata"]["projectId"],
        project_id.parse::<i64>().unwrap()
    );
    assert_eq!(one["metadata"]["departmentId"], 1);
    assert_eq!(one["current"]["resources"][0]["gpu"]["quota"], 2.0);
    assert_eq!(
        one["timeRange"]["resources"].as_array().map(Vec::len),
        Some(3)
    );

    // Quota changes show at once.
    h.put(
        &format!("/api/v1/org-unit/projects/{project_id}/resources"),
        json!([{"gpu": {"deserved": 5}}]),
    )
    .await;
    let (_, after) = h
        .get(&format!("{base}/projects/{project_id}/metrics"))
        .await;
    assert_eq!(after["current"]["resources"][0]["gpu"]["quota"], 5.0);

    let unknown = "/v1/k8s/clusters/00000000-0000-0000-0000-000000000000";
    for path in [
        format!("{unknown}/metrics"),
        format!("{unknown}/departments/metrics"),
        format!("{unknown}/departments/1/metrics"),
        format!("{unknown}/projects/metrics"),
        format!("{unknown}/projects/{project_id}/metrics"),
        format!("{base}/departments/999/metrics"),
        format!("{base}/projects/999/metrics"),
    ] {
        let (status, err) = h.get(&path).await;
        assert_404(status, &err);
    }
    let edge = other_cluster(&h).await;
    let (status, err) = h
        .get(&format!(
            "/v1/k8s/clusters/{edge}/projects/{project_id}/metrics"
        ))
        .await;
    assert_404(status, &err);
    let (status, empty) = h
        .get(&format!("/v1/k8s/clusters/{edge}/projects/metrics"))
        .await;
    assert_eq!((status, empty), (200, json!({"data": []})));
}

/// The answer's content type, and its body as JSON.
async fn get_raw(h: &Harness, path: &str) -> (u16, String, Value) {
    let response = h
        .http
        .get(format!("{}{path}", h.server.url()))
        .bearer_auth(&h.token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).expect("a JSON body");
    (status, content_type, body)
}

/// The spec answers the file as a JSON string, in either format.
#[tokio::test]
async fn install_file_as_yaml_or_json() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let path = format!("/v1/k8s/clusters/{cluster}/installfile");
    let (status, content_type, text) =
        get_raw(&h, &format!("{path}?cloud=gke&clusterip=10.0.0.1,10.0.0.2")).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    let text = text.as_str().expect("a JSON string");
    assert!(text.contains(&format!("uid: \"{cluster}\"")), "{text}");
    assert!(text.contains("cloud: \"gke\""), "{text}");
    assert!(
        text.contains("clusterIPs: [\"10.0.0.1\",\"10.0.0.2\"]"),
        "{text}"
    );
    let (status, content_type, text) = get_raw(&h, &format!("{path}?format=json")).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    let values: Value =
        serde_json::from_str(text.as_str().expect("a JSON string")).expect("the file is JSON");
    assert_eq!(values["cluster"]["uid"], cluster.as_str());
    assert_eq!(values["controlPlane"]["url"], h.server.url().as_str());
    assert_eq!(h.get(&format!("{path}?format=xml")).await.0, 400);
    let (status, err) = h
        .send(
            Method::GET,
            "/v1/k8s/clusters/00000000-0000-0000-0000-000000000000/installfile",
            None,
        )
        .await;
    assert_404(status, &err);
}

/// Sums over nothing must come out as 0, not -0 (ids and timestamps may well contain "-0",
/// so the numbers themselves are checked).
fn has_negative_zero(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()),
        // Seed-era fields carry some numbers as text (`projectsDeservedGpus`).
        Value::String(s) => s == "-0" || s == "-0.0",
        Value::Array(items) => items.iter().any(has_negative_zero),
        Value::Object(map) => map.values().any(has_negative_zero),
        _ => false,
    }
}

// ---------------------------------------------------------------- the seed era's own

/// An answer of a seed-era operation against the result schema the catalogue writes for it.
fn conforms_to_result(op_id: &str, value: &Value) {
    let catalogue = runai_admin_core::api::Catalogue::get();
    let op = catalogue.operation(op_id).expect("in the catalogue");
    let schema = op
        .result
        .as_ref()
        .and_then(|r| r.inline.as_ref())
        .expect("an inline result");
    if let Err(err) = crate::validate::validate_shape(catalogue, schema, value) {
        panic!("{op_id}: {err}\n{value:#}");
    }
}

#[tokio::test]
async fn seed_era_users_hold_their_roles_as_access_rules() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let (status, user) = h
        .post(
            "/v1/k8s/users",
            json!({
                "email": "ada@example.com",
                "password": "ada-password",
                "roles": ["viewer", "researcher"],
                "permittedClusters": [cluster],
                "permitAllClusters": false,
                "needToChangePassword": true,
            }),
        )
        .await;
    assert_eq!(status, 200, "{user}");
    conforms_to_result("legacy_create_user", &user);
    assert_eq!(user["roles"], json!(["researcher", "viewer"]));
    assert!(user.get("password").is_none(), "{user}");
    let id = user["userId"].as_str().expect("id").to_string();
    let (_, rules) = h
        .get("/api/v1/authorization/access-rules?subjectType=user&subjectIds=ada@example.com")
        .await;
    let mut held: Vec<(&str, &str)> = rules["accessRules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| Some((r["roleName"].as_str()?, r["scopeType"].as_str()?)))
        .collect();
    held.sort_unstable();
    assert_eq!(held, [("L1 researcher", "cluster"), ("Viewer", "cluster")]);
    // A replacing PUT: what it leaves out goes.
    let (status, replaced) = h
        .put(
            &format!("/v1/k8s/users/{id}"),
            json!({"email": "ada@example.com", "roles": [], "permittedClusters": [], "permitAllClusters": false}),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    conforms_to_result("legacy_update_user", &replaced);
    assert_eq!(replaced["roles"], json!([]));
    assert_eq!(replaced["needToChangePassword"], false);
    let (status, listed) = h.get("/v1/k8s/users").await;
    assert_eq!(status, 200);
    conforms_to_result("legacy_get_users", &listed);
    let (status, text) = h.delete(&format!("/v1/k8s/users/{id}")).await;
    assert_eq!(status, 200);
    assert!(text.as_str().is_some_and(|t| t.contains(&id)), "{text}");
    let (status, err) = h.get(&format!("/v1/k8s/users/{id}")).await;
    assert_404(status, &err);
}

#[tokio::test]
async fn seed_era_clusters_departments_projects_and_node_types_answer_their_shapes() {
    let h = harness().await;
    let (status, cluster) = h
        .post(
            "/v1/k8s/clusters",
            json!({"name": "edge", "description": "far"}),
        )
        .await;
    assert_eq!(status, 200, "{cluster}");
    conforms_to_result("legacy_create_cluster", &cluster);
    let uuid = cluster["clusterUuid"].as_str().expect("uuid").to_string();
    let (status, dept) = h
        .post(
            "/v1/k8s/departments",
            json!({"name": "physics", "clusterUuid": uuid, "deservedGpus": 4}),
        )
        .await;
    assert_eq!(status, 200, "{dept}");
    conforms_to_result("legacy_create_department", &dept);
    let (status, project) = h
        .post(
            "/v1/k8s/projects",
            json!({"name": "p", "clusterUuid": uuid, "departmentId": dept["id"], "deservedGpus": 1}),
        )
        .await;
    assert_eq!(status, 200, "{project}");
    conforms_to_result("legacy_create_project", &project);
    let (status, listed) = h.get(&format!("/v1/k8s/clusters/{uuid}/projects")).await;
    assert_eq!(status, 200);
    conforms_to_result("legacy_get_projects", &listed);
    let (status, node_type) = h
        .post(
            "/v1/k8s/nodetypes",
            json!({"name": "a100", "clusterUuid": uuid}),
        )
        .await;
    assert_eq!(status, 200, "{node_type}");
    conforms_to_result("legacy_create_node_type", &node_type);
    assert_eq!(node_type["id"], 1);
    let (status, types) = h.get(&format!("/v1/k8s/clusters/{uuid}/nodeTypes")).await;
    assert_eq!(status, 200);
    conforms_to_result("legacy_get_node_types", &types);
    // Seed-era ids are integers: anything else names nothing.
    let (status, err) = h.get("/v1/k8s/nodetypes/a100").await;
    assert!(matches!(status, 400 | 404), "{status} {err}");
    // A department with projects stays, as in the current API.
    let (status, _) = h
        .delete(&format!("/v1/k8s/departments/{}", dept["id"]))
        .await;
    assert_eq!(status, 409);
    let (status, gone) = h.delete(&format!("/v1/k8s/clusters/{uuid}")).await;
    assert_eq!(status, 200, "{gone}");
    let (status, err) = h.get("/v1/k8s/nodetypes/1").await;
    assert_404(status, &err);
    let (status, err) = h.get(&format!("/v1/k8s/projects/{}", project["id"])).await;
    assert_404(status, &err);
}

#[tokio::test]
async fn seed_era_sign_ins_are_audited_without_their_secrets() {
    let h = harness().await;
    let url = format!("{}/v1/k8s/auth/login", h.server.url());
    for password in [crate::seed::ADMIN_PASSWORD, "wrong-password-42"] {
        let status = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .body(json!({"email": crate::seed::ADMIN_EMAIL, "password": password}).to_string())
            .send()
            .await
            .expect("send")
            .status()
            .as_u16();
        assert!(matches!(status, 200 | 401), "{status}");
    }
    let end = crate::store::now();
    let (status, log) = h
        .get(&format!(
            "/api/v1/audit/log?start=2000-01-01T00:00:00Z&end={end}&filterBy=action==sign-in"
        ))
        .await;
    assert_eq!(status, 200, "{log}");
    let entries = log["audit_logs"].as_array().expect("entries");
    let logins: Vec<(&str, &str, &str)> = entries
        .iter()
        .filter(|e| {
            e["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/v1/k8s/auth/login"))
        })
        .filter_map(|e| {
            Some((
                e["subject"].as_str()?,
                e["subject_type"].as_str()?,
                e["result"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(
        logins,
        [
            (crate::seed::ADMIN_EMAIL, "User", "Succeeded"),
            (crate::seed::ADMIN_EMAIL, "User", "Failed"),
        ]
    );
    assert!(!log.to_string().contains("wrong-password-42"));
}

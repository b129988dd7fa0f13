//! The simulator over HTTP, through the real API client where it can be used.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::api::ApiClient;
use crate::api::transfer::{UploadOptions, UploadSource};
use crate::api::types::{
    CancelRequest, CreateUploadRequest, EstimateRequest, InputRef, ListJobsQuery, LogsQuery,
    SubmitRequest,
};
use crate::config::ApiConfig;
use crate::secret::Secret;
use crate::tools::jobs::{EstimateJobArgs, SubmitJobArgs};

/// Fast enough that a job completes in 18 ms of real time.
const FAST: f64 = 1000.0;

fn client(sandbox: &Sandbox) -> ApiClient {
    let config = ApiConfig {
        base: sandbox.base_url().to_string(),
        timeout: Duration::from_secs(10),
        proxy: None,
        direct: true,
    };
    ApiClient::new(&config, Secret::new(sandbox.api_key())).unwrap()
}

fn raw() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "jg-sandbox-{tag}-{}-{}",
        std::process::id(),
        state::now_ms()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// An in-memory sandbox on a clock that moves only when the test says so.
async fn sandbox(scale: f64) -> (Sandbox, Arc<ManualClock>) {
    let clock = ManualClock::new();
    let sb = start(SandboxOptions {
        dir: None,
        time_scale: scale,
        clock: clock.clone(),
    })
    .await
    .unwrap();
    (sb, clock)
}

/// Starts a sandbox again on `options` (its state directory `dir`), counts the jobs it loaded,
/// stops it and removes the directory.
async fn jobs_after_restart(options: SandboxOptions, dir: &std::path::Path) -> usize {
    let again = start(options).await.unwrap();
    let jobs = again.app.lock().jobs.len();
    again.stop().await;
    std::fs::remove_dir_all(dir).unwrap();
    jobs
}

/// A submit body as submit_job builds it from these arguments (plus one expected artifact).
fn submit_request(name: &str, command: &[&str]) -> SubmitRequest {
    submit_from(json!({
        "name": name, "workload_type": "batch", "image": "python:3.11-slim",
        "command": command, "expected_artifacts": ["/workspace/artifacts/out.txt"],
    }))
}

fn submit_from(args: Value) -> SubmitRequest {
    SubmitJobArgs::parse(args.as_object().unwrap())
        .unwrap()
        .into_request()
}

fn estimate_from(args: Value) -> EstimateRequest {
    EstimateJobArgs::parse(args.as_object().unwrap())
        .unwrap()
        .into_request()
}

/// A JSON request with the API key.
async fn call(
    sb: &Sandbox,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = raw().request(method, url).bearer_auth(sb.api_key());
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&body).unwrap());
    }
    read(request.send().await.unwrap()).await
}

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Moves the clock on until the job is over (no real time passes).
async fn wait_terminal(clock: &ManualClock, api: &ApiClient, job_id: &str) -> Value {
    for _ in 0..200 {
        let job = api.get_job(job_id).await.unwrap();
        if ["completed", "failed", "cancelled"].contains(&job["status"].as_str().unwrap_or("")) {
            return job;
        }
        clock.advance(Duration::from_millis(10));
    }
    panic!("job {job_id} did not finish");
}

#[tokio::test]
async fn a_running_simulator_is_known_to_this_process_until_it_stops() {
    let (sb, _clock) = sandbox(FAST).await;
    let base = sb.base_url().to_string();
    assert!(runs_here(&base));
    assert!(runs_here(&format!("{base}/")));
    assert!(!runs_here("http://127.0.0.1:1"));
    sb.stop().await;
    assert!(!runs_here(&base));
}

#[tokio::test]
async fn auth_envelopes_and_unknown_routes() {
    let (sb, _clock) = sandbox(FAST).await;
    let url = format!("{}/v1/mcp/jobs", sb.base_url());
    for auth in [None, Some("Bearer nope"), Some("Basic jg_sandbox_key")] {
        let mut request = raw().get(&url);
        if let Some(a) = auth {
            request = request.header("Authorization", a);
        }
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_eq!(status, 401);
        assert_eq!(body["ok"], false);
        assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    }
    let (status, body) = call(&sb, reqwest::Method::GET, url.clone(), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["data"]["jobs"], json!([]));

    let (status, body) = read(
        raw()
            .get(format!("{}/v2/nothing", sb.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    let (status, body) = call(&sb, reqwest::Method::DELETE, url, None).await;
    assert_eq!(status, 405);
    assert_eq!(body["ok"], false);

    for text in ["{not json", "[1]", ""] {
        let response = raw()
            .post(format!("{}/v1/mcp/jobs/estimate", sb.base_url()))
            .bearer_auth(sb.api_key())
            .header("Content-Type", "application/json")
            .body(text)
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, 400, "{text}");
        assert_eq!(body["error"]["code"], "INVALID_REQUEST");
    }
    let (status, _) = call(
        &sb,
        reqwest::Method::GET,
        format!("{}/v1/mcp/jobs?limit=abc", sb.base_url()),
        None,
    )
    .await;
    assert_eq!(status, 400);
    sb.stop().await;
}

#[tokio::test]
async fn estimate_and_submit_validation() {
    let (sb, _clock) = sandbox(FAST).await;
    let api = client(&sb);
    let e = api
        .estimate_job(&estimate_from(
            json!({"workload_type": "inference", "model_size": 30}),
        ))
        .await
        .unwrap();
    assert_eq!(e["likely_gpu_type"], "A100-40GB");
    assert_eq!(e["can_submit"], true);
    assert!(e["estimated_cost_usd"]["min"].as_f64().unwrap() > 0.0);
    let e = api
        .estimate_job(&estimate_from(
            json!({"workload_type": "training", "model_size": 500}),
        ))
        .await
        .unwrap();
    assert_eq!(e["available"], false);
    assert_eq!(e["can_submit"], false);

    let post = |path: &str, body: Value| {
        call(
            &sb,
            reqwest::Method::POST,
            format!("{}{path}", sb.base_url()),
            Some(body),
        )
    };
    let (status, body) = post("/v1/mcp/jobs/estimate", json!({"workload_type": "gaming"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "INVALID_REQUEST");
    let (status, body) = post(
        "/v1/mcp/jobs",
        json!({"name": "x", "workload_type": "batch"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Sandbox (simulated): name, image, and workload_type are required"
    );

    let mut request = submit_request("files", &["true"]);
    request.input_files = Some(vec![InputRef {
        input_id: "inp_missing".into(),
    }]);
    let err = api.submit_job(&request, None).await.unwrap_err();
    assert_eq!(err.code, "JOB_INPUT_NOT_FOUND");
    assert_eq!(err.status, Some(404));

    // A slot whose bytes never arrived is not ready.
    let slot = api
        .create_upload(
            &CreateUploadRequest {
                filename: "data.csv".into(),
                content_type: None,
                kind: None,
            },
            None,
        )
        .await
        .unwrap()
        .data;
    let id = slot["upload"]["input_id"].as_str().unwrap().to_string();
    request.input_files = Some(vec![InputRef { input_id: id }]);
    let err = api.submit_job(&request, None).await.unwrap_err();
    assert_eq!(err.code, "JOB_INPUT_NOT_READY");
    assert_eq!(err.status, Some(409));
    sb.stop().await;
}

#[tokio::test]
async fn a_job_runs_to_completion_with_logs_events_and_artifacts() {
    let (sb, clock) = sandbox(FAST).await;
    let api = client(&sb);
    let script = api
        .upload_file(
            UploadSource::Bytes(b"print('hi')\n".to_vec()),
            UploadOptions {
                filename: Some("run.py".into()),
                content_type: None,
                kind: Some("script".into()),
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(script["ready"], true);
    assert_eq!(script["size_bytes"], 12);
    assert_eq!(script["mount_path"], "/workspace/scripts/run.py");
    let inputs = api.list_inputs().await.unwrap();
    assert_eq!(inputs["inputs"][0]["status"], "uploaded");

    let mut request = submit_request("run", &["python", "/workspace/scripts/run.py"]);
    request.script_files = Some(vec![InputRef {
        input_id: script["input_id"].as_str().unwrap().into(),
    }]);
    let submitted = api.submit_job(&request, None).await.unwrap().data;
    let job_id = submitted["job_id"].as_str().unwrap().to_string();
    assert!(job_id.starts_with("job_"));
    assert_eq!(submitted["status"], "queued");

    let job = wait_terminal(&clock, &api, &job_id).await;
    assert_eq!(job["status"], "completed");
    assert_eq!(job["artifacts_ready"], true);
    assert_eq!(
        job["script_files"][0]["mount_path"],
        "/workspace/scripts/run.py"
    );

    let events = api.job_events(&job_id).await.unwrap();
    assert_eq!(
        events["items"].as_array().unwrap().last().unwrap()["type"],
        "job.completed"
    );

    let logs = api
        .job_logs(
            &job_id,
            &LogsQuery {
                limit: 1000,
                cursor: None,
            },
        )
        .await
        .unwrap();
    let messages: Vec<&str> = logs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"$ python /workspace/scripts/run.py"),
        "{messages:?}"
    );
    assert_eq!(logs["has_more"], false);
    assert_eq!(logs["next_cursor"], Value::Null);

    let artifacts = api.list_artifacts(&job_id).await.unwrap();
    let artifact_id = artifacts["artifacts"][0]["artifact_id"]
        .as_str()
        .unwrap()
        .to_string();
    let info = api.artifact_download(&job_id, &artifact_id).await.unwrap();
    let url = info["download_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/sandbox/downloads/", sb.base_url())));
    let bytes = raw().get(url).send().await.unwrap().text().await.unwrap();
    assert_eq!(
        bytes,
        format!("simulated output of {job_id} for /workspace/artifacts/out.txt\n")
    );
    // A tampered token is refused.
    let tampered = format!("{}0", url);
    assert_eq!(raw().get(tampered).send().await.unwrap().status(), 403);
    let err = api
        .artifact_download(&job_id, "art_nope")
        .await
        .unwrap_err();
    assert_eq!(err.code, "NOT_FOUND");

    let err = api
        .cancel_job(
            &job_id,
            &CancelRequest {
                reason: "late".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "CONFLICT");
    assert_eq!(err.status, Some(409));
    assert_eq!(err.message, "Sandbox (simulated): job is already completed");
    let err = api.get_job("job_unknown").await.unwrap_err();
    assert_eq!(err.code, "NOT_FOUND");
    assert_eq!(
        err.message,
        "Sandbox (simulated): job job_unknown was not found"
    );
    sb.stop().await;
}

#[tokio::test]
async fn failing_and_cancelled_jobs() {
    let (sb, clock) = sandbox(FAST).await;
    let api = client(&sb);
    let failing = api
        .submit_job(&submit_request("bad", &["bash", "-c", "exit 1"]), None)
        .await
        .unwrap()
        .data;
    let job = wait_terminal(&clock, &api, failing["job_id"].as_str().unwrap()).await;
    assert_eq!(job["status"], "failed");
    assert_eq!(job["failure"]["exit_code"], 1);
    let artifacts = api
        .list_artifacts(failing["job_id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(artifacts["artifacts"], json!([]));

    // In real time a job stays queued long enough to be cancelled.
    let (slow, _slow_clock) = sandbox(1.0).await;
    let api = client(&slow);
    let job = api
        .submit_job(&submit_request("slow", &["sleep", "1"]), None)
        .await
        .unwrap()
        .data;
    let id = job["job_id"].as_str().unwrap();
    let logs = api
        .job_logs(
            id,
            &LogsQuery {
                limit: 100,
                cursor: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(logs["items"], json!([]));
    assert!(
        logs["usage_hint"]
            .as_str()
            .unwrap()
            .contains("get_job_events")
    );
    let err = api.artifact_download(id, "art_x").await.unwrap_err();
    assert_eq!(err.code, "NOT_FOUND");
    let cancelled = api
        .cancel_job(
            id,
            &CancelRequest {
                reason: "changed my mind".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    let again = api.get_job(id).await.unwrap();
    assert_eq!(again["status"], "cancelled");
    assert_eq!(again["status_reason"], "changed my mind");
    let err = api
        .cancel_job(
            id,
            &CancelRequest {
                reason: "again".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.message, "Sandbox (simulated): job is already cancelled");
    slow.stop().await;
    sb.stop().await;
}

#[tokio::test]
async fn artifacts_are_not_ready_before_completion() {
    let (sb, _clock) = sandbox(1.0).await;
    let api = client(&sb);
    let job = api
        .submit_job(&submit_request("wait", &["true"]), None)
        .await
        .unwrap()
        .data;
    let id = job["job_id"].as_str().unwrap().to_string();
    // The artifact id is deterministic; asking for it early is a conflict, not a 404.
    let artifact_id = {
        let state = sb.app.lock();
        state.job(&id).unwrap().artifacts()[0].artifact_id.clone()
    };
    let err = api.artifact_download(&id, &artifact_id).await.unwrap_err();
    assert_eq!(err.code, "ARTIFACT_NOT_READY");
    assert_eq!(err.status, Some(409));
    let list = api.list_artifacts(&id).await.unwrap();
    assert_eq!(list["artifacts"], json!([]));
    sb.stop().await;
}

#[tokio::test]
async fn jobs_and_logs_are_paginated() {
    let (sb, clock) = sandbox(FAST).await;
    let api = client(&sb);
    let mut ids = Vec::new();
    for i in 0..5 {
        let cmd = if i == 2 {
            vec!["exit 3"]
        } else {
            vec!["echo", "ok"]
        };
        let job = api
            .submit_job(&submit_request(&format!("job-{i}"), &cmd), None)
            .await
            .unwrap()
            .data;
        ids.push(job["job_id"].as_str().unwrap().to_string());
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = api
            .list_jobs(&ListJobsQuery {
                limit: 2,
                cursor: cursor.clone(),
                status: None,
            })
            .await
            .unwrap();
        for job in page["jobs"].as_array().unwrap() {
            seen.push(job["job_id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(page["has_more"], true);
                cursor = Some(next.to_string());
            }
            None => {
                assert_eq!(page["has_more"], false);
                break;
            }
        }
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    wait_terminal(&clock, &api, &ids[4]).await;
    let failed = api
        .list_jobs(&ListJobsQuery {
            limit: 10,
            cursor: None,
            status: Some("failed".into()),
        })
        .await
        .unwrap();
    assert_eq!(failed["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(failed["jobs"][0]["job_id"], ids[2].as_str());

    let all = api
        .job_logs(
            &ids[0],
            &LogsQuery {
                limit: 1000,
                cursor: None,
            },
        )
        .await
        .unwrap();
    let all: Vec<Value> = all["items"].as_array().unwrap().clone();
    assert!(all.len() > 5);
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let page = api
            .job_logs(
                &ids[0],
                &LogsQuery {
                    limit: 3,
                    cursor: cursor.clone(),
                },
            )
            .await
            .unwrap();
        paged.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, all);
    let err = api
        .job_logs(
            &ids[0],
            &LogsQuery {
                limit: 3,
                cursor: Some("bogus".into()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "INVALID_REQUEST");
    sb.stop().await;
}

#[tokio::test]
async fn uploads_are_checked_and_capped() {
    let sb = start_with(
        SandboxOptions {
            dir: None,
            time_scale: FAST,
            ..SandboxOptions::default()
        },
        16,
    )
    .await
    .unwrap();
    let api = client(&sb);
    let slot = api
        .create_upload(
            &CreateUploadRequest {
                filename: "a.bin".into(),
                content_type: None,
                kind: None,
            },
            None,
        )
        .await
        .unwrap()
        .data;
    let upload = &slot["upload"];
    let id = upload["input_id"].as_str().unwrap();
    let put_url = upload["upload_url"].as_str().unwrap();
    let complete = format!(
        "{}{}",
        sb.base_url(),
        upload["complete_url"].as_str().unwrap()
    );
    let post = |body: Value| call(&sb, reqwest::Method::POST, complete.clone(), Some(body));
    let put = |url: &str, body: Vec<u8>| raw().put(url).body(body).send();

    // Nothing uploaded yet.
    assert_eq!(post(json!({"token": upload["token"]})).await.0, 409);
    assert_eq!(put(put_url, vec![0u8; 17]).await.unwrap().status(), 413);
    let r = put(put_url, b"0123456789".to_vec()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("etag").is_some());
    let forged = format!("{}/sandbox/uploads/guess", sb.base_url());
    assert_eq!(put(&forged, b"x".to_vec()).await.unwrap().status(), 403);

    assert_eq!(post(json!({"token": "wrong"})).await.0, 403);
    assert_eq!(post(json!({})).await.0, 400);
    let (status, _) = post(json!({"token": upload["token"], "size_bytes": 11})).await;
    assert_eq!(status, 400);
    let (status, done) = post(json!({"token": upload["token"], "size_bytes": 10})).await;
    assert_eq!(status, 200);
    assert_eq!(done["input"]["input_id"], id);
    assert_eq!(done["input"]["ready"], true);
    assert_eq!(done["input"]["size_bytes"], 10);
    assert_eq!(done["input"]["mount_path"], "/workspace/inputs/a.bin");
    // Completed slots take no more bytes.
    assert_eq!(put(put_url, b"more".to_vec()).await.unwrap().status(), 409);

    // An agent's own HTTP client completes a slot with its token and no key (it never sees the
    // per-run key); a wrong token or a wrong key is still refused, and no other route opens.
    let slot = api
        .create_upload(
            &CreateUploadRequest {
                filename: "b.bin".into(),
                content_type: None,
                kind: None,
            },
            None,
        )
        .await
        .unwrap()
        .data;
    let upload = &slot["upload"];
    let complete = format!(
        "{}{}",
        sb.base_url(),
        upload["complete_url"].as_str().unwrap()
    );
    let keyless = |body: Value| {
        raw()
            .post(complete.clone())
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&body).unwrap())
            .send()
    };
    let put_url = upload["upload_url"].as_str().unwrap();
    assert_eq!(put(put_url, b"abc".to_vec()).await.unwrap().status(), 200);
    let (status, _) = read(keyless(json!({"token": "wrong"})).await.unwrap()).await;
    assert_eq!(status, 403);
    let (status, _) = read(
        raw()
            .post(complete.clone())
            .bearer_auth("jg_not_the_key")
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&json!({"token": upload["token"]})).unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    let (status, done) = read(keyless(json!({"token": upload["token"]})).await.unwrap()).await;
    assert_eq!((status, done["input"]["ready"].clone()), (200, json!(true)));
    let listing = raw()
        .get(format!("{}/v1/job-inputs", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(listing.status(), 401);
    let (status, body) = call(
        &sb,
        reqwest::Method::POST,
        format!("{}/v1/job-inputs", sb.base_url()),
        Some(json!({"filename": "../etc/passwd"})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!("INVALID_REQUEST"))
    );
    sb.stop().await;
}

#[tokio::test]
async fn large_uploads_are_streamed_and_hashed() {
    let dir = temp_dir("stream");
    for options in [
        SandboxOptions {
            dir: None,
            time_scale: FAST,
            ..SandboxOptions::default()
        },
        SandboxOptions {
            dir: Some(dir.clone()),
            time_scale: FAST,
            ..SandboxOptions::default()
        },
    ] {
        let sb = start(options).await.unwrap();
        let api = client(&sb);
        let bytes: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        let expected = state::hex(ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref());
        let input = api
            .upload_file(
                UploadSource::Bytes(bytes.clone()),
                UploadOptions {
                    filename: Some("weights.bin".into()),
                    ..UploadOptions::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(input["size_bytes"], 5 * 1024 * 1024);
        assert_eq!(input["sha256"], expected.as_str());
        if let Some(store) = &sb.app.store {
            let stored = std::fs::read(store.upload_path(input["input_id"].as_str().unwrap()));
            assert!(stored.unwrap() == bytes);
        }
        sb.stop().await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn concurrent_changes_all_reach_the_state_file() {
    let dir = temp_dir("concurrent");
    let options = SandboxOptions {
        dir: Some(dir.clone()),
        time_scale: FAST,
        ..SandboxOptions::default()
    };
    let sb = start(options.clone()).await.unwrap();
    let api = client(&sb);
    let submits = (0..20).map(|i| {
        let api = api.clone();
        async move {
            api.submit_job(&submit_request(&format!("c{i}"), &["true"]), None)
                .await
                .unwrap()
                .data
        }
    });
    let jobs = futures_util::future::join_all(submits).await;
    assert_eq!(jobs.len(), 20);
    // Read the file while the sandbox still runs: every submit was saved before it was answered.
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.join("state.json")).unwrap()).unwrap();
    assert_eq!(saved["jobs"].as_array().unwrap().len(), 20);
    sb.stop().await;
    assert_eq!(jobs_after_restart(options, &dir).await, 20);
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = temp_dir("restart");
    let clock = ManualClock::new();
    let options = SandboxOptions {
        dir: Some(dir.clone()),
        time_scale: FAST,
        clock: clock.clone(),
    };
    let first = start(options.clone()).await.unwrap();
    let api = client(&first);
    let input = api
        .upload_file(
            UploadSource::Bytes(b"a,b\n1,2\n".to_vec()),
            UploadOptions {
                filename: Some("data.csv".into()),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap();
    let input_id = input["input_id"].as_str().unwrap().to_string();
    assert_eq!(
        std::fs::read(dir.join("uploads").join(&input_id)).unwrap(),
        b"a,b\n1,2\n"
    );
    let job = api
        .submit_job(&submit_request("keep", &["true"]), None)
        .await
        .unwrap()
        .data;
    let job_id = job["job_id"].as_str().unwrap().to_string();
    first.stop().await;

    let second = start(options).await.unwrap();
    let api = client(&second);
    // Nothing ran while the sandbox was down: the job is where it was.
    assert_eq!(api.get_job(&job_id).await.unwrap()["status"], "queued");
    // A simulated minute later it has finished (18 s at any time scale).
    clock.advance(Duration::from_millis(60));
    let job = api.get_job(&job_id).await.unwrap();
    assert_eq!(job["name"], "keep");
    assert_eq!(job["status"], "completed");
    let inputs = api.list_inputs().await.unwrap();
    assert_eq!(inputs["inputs"][0]["input_id"], input_id.as_str());
    // The restarted sandbox signs with a new key, and its URLs still work.
    let artifacts = api.list_artifacts(&job_id).await.unwrap();
    let aid = artifacts["artifacts"][0]["artifact_id"].as_str().unwrap();
    let info = api.artifact_download(&job_id, aid).await.unwrap();
    let body = raw()
        .get(info["download_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(body.status(), 200);
    second.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_state_file_cut_short_does_not_stop_the_start() {
    let dir = temp_dir("truncated");
    let options = SandboxOptions {
        dir: Some(dir.clone()),
        time_scale: FAST,
        ..SandboxOptions::default()
    };
    let first = start(options.clone()).await.unwrap();
    let api = client(&first);
    for i in 0..3 {
        api.submit_job(&submit_request(&format!("j{i}"), &["true"]), None)
            .await
            .unwrap();
    }
    first.stop().await;
    let path = dir.join("state.json");
    let full = std::fs::read(&path).unwrap();
    std::fs::write(&path, &full[..full.len() / 2]).unwrap();

    let second = start(options).await.unwrap();
    let api = client(&second);
    let jobs = api
        .list_jobs(&ListJobsQuery {
            limit: 10,
            ..ListJobsQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(jobs["jobs"], json!([]));
    let names = super::store::file_names(&dir);
    assert!(
        names.iter().any(|n| n.starts_with("state.json.corrupt-")),
        "{names:?}"
    );
    // The fresh state was written back whole.
    let saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["jobs"], json!([]));
    second.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn bad_options_are_refused() {
    for scale in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = start(SandboxOptions {
            dir: None,
            time_scale: scale,
            ..SandboxOptions::default()
        })
        .await
        .unwrap_err();
        assert!(err.contains("time scale"), "{err}");
    }
    let file = temp_dir("notadir");
    std::fs::write(&file, b"x").unwrap();
    let err = start(SandboxOptions {
        dir: Some(file.clone()),
        time_scale: 1.0,
        ..SandboxOptions::default()
    })
    .await
    .unwrap_err();
    assert!(err.contains("cannot create"), "{err}");
    std::fs::remove_file(&file).unwrap();
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_answer_and_refuse_another_body() {
    let (sb, clock) = sandbox(FAST).await;
    let api = client(&sb);
    let request = submit_request("once", &["true"]);
    let first = api.submit_job(&request, Some("key-1")).await.unwrap();
    assert!(!first.replayed);
    let again = api.submit_job(&request, Some("key-1")).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.data, first.data, "the original answer, job and all");
    assert_eq!(sb.app.lock().jobs.len(), 1, "nothing new was started");

    let other = submit_request("other", &["true"]);
    let err = api.submit_job(&other, Some("key-1")).await.unwrap_err();
    assert_eq!(err.code, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(err.status, Some(409));

    let fresh = api.submit_job(&request, Some("key-2")).await.unwrap();
    assert!(!fresh.replayed);
    assert_ne!(fresh.data["job_id"], first.data["job_id"]);
    // Without a key every submit is a new job.
    api.submit_job(&request, None).await.unwrap();
    assert_eq!(sb.app.lock().jobs.len(), 3);

    // Upload slots too, and a key's namespace is per route.
    let slot = CreateUploadRequest {
        filename: "a.csv".into(),
        content_type: None,
        kind: None,
    };
    let s1 = api.create_upload(&slot, Some("slot-1")).await.unwrap();
    let s2 = api.create_upload(&slot, Some("slot-1")).await.unwrap();
    assert!(s2.replayed);
    assert_eq!(s1.data["upload"]["input_id"], s2.data["upload"]["input_id"]);
    let err = api.create_upload(&slot, Some("key-1")).await.unwrap_err();
    assert_eq!(err.code, "IDEMPOTENCY_KEY_REUSED");

    // Keys are remembered 24 hours by the sandbox's clock: just before, still a replay; after,
    // the same key starts a new job.
    clock.advance(Duration::from_secs(24 * 60 * 60 - 60));
    assert!(
        api.submit_job(&request, Some("key-1"))
            .await
            .unwrap()
            .replayed
    );
    clock.advance(Duration::from_secs(120));
    let later = api.submit_job(&request, Some("key-1")).await.unwrap();
    assert!(!later.replayed);
    assert_ne!(later.data["job_id"], first.data["job_id"]);
    sb.stop().await;
}

/// Issue 19: LangChain starts a server process per tool call, and two hosts may run `--sandbox`
/// at once. Two simulators on one directory (each its own store and file-lock handle, as two
/// processes) share every job, upload, idempotency key and the simulated clock, and an
/// artifact's bytes stay on disk after the simulator that served them stopped.
#[tokio::test]
async fn two_sandboxes_on_one_dir_share_their_state() {
    let dir = temp_dir("shared");
    let clock = ManualClock::new();
    let options = SandboxOptions {
        dir: Some(dir.clone()),
        time_scale: FAST,
        clock: clock.clone(),
    };
    let first = start(options.clone()).await.unwrap();
    let second = start(options.clone()).await.unwrap();
    let (a, b) = (client(&first), client(&second));
    let request = submit_request("mine", &["true"]);
    let job = a.submit_job(&request, Some("once")).await.unwrap().data;
    let job_id = job["job_id"].as_str().unwrap().to_string();
    assert_eq!(b.get_job(&job_id).await.unwrap()["name"], "mine");
    // The same key through the other process is a replay, not a second job.
    let again = b.submit_job(&request, Some("once")).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.data["job_id"], job["job_id"]);
    let other = b
        .submit_job(&submit_request("theirs", &["true"]), None)
        .await
        .unwrap()
        .data;
    let listed = a
        .list_jobs(&ListJobsQuery {
            limit: 10,
            ..ListJobsQuery::default()
        })
        .await
        .unwrap();
    let names: Vec<&str> = listed["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["theirs", "mine"]);
    // The first process exits; the job's time kept running and it finishes in the second.
    first.stop().await;
    let done = wait_terminal(&clock, &b, &job_id).await;
    assert_eq!(done["status"], "completed");
    let artifacts = b.list_artifacts(&job_id).await.unwrap();
    let artifact_id = artifacts["artifacts"][0]["artifact_id"].as_str().unwrap();
    let info = b.artifact_download(&job_id, artifact_id).await.unwrap();
    let local = PathBuf::from(info["local_path"].as_str().unwrap());
    second.stop().await;
    // Both simulators are gone: the download URL is dead, the local copy is not.
    assert!(local.starts_with(&dir), "{local:?}");
    let bytes = std::fs::read_to_string(&local).unwrap();
    assert!(!bytes.is_empty());
    assert!(
        raw()
            .get(info["download_url"].as_str().unwrap())
            .send()
            .await
            .is_err()
    );
    assert_eq!(
        other["name"], "theirs",
        "the second process's own submit was answered too"
    );
    assert_eq!(jobs_after_restart(options, &dir).await, 2);
}

#[tokio::test]
async fn a_change_that_cannot_be_saved_fails_the_request() {
    let dir = temp_dir("unsaved");
    let options = SandboxOptions {
        dir: Some(dir.clone()),
        ..SandboxOptions::default()
    };
    let sb = start(options.clone()).await.unwrap();
    let api = client(&sb);
    api.submit_job(&submit_request("saved", &["true"]), None)
        .await
        .unwrap();
    // A directory where state.json should be: every later save fails.
    std::fs::remove_file(dir.join("state.json")).unwrap();
    std::fs::create_dir_all(dir.join("state.json").join("blocker")).unwrap();
    let err = api
        .submit_job(&submit_request("lost", &["true"]), None)
        .await
        .unwrap_err();
    assert_eq!(err.code, "SANDBOX_SAVE_FAILED");
    assert_eq!(err.status, Some(507));
    assert!(err.message.contains("was not made"), "{}", err.message);
    // The refused job is not in the sandbox either.
    let jobs = api
        .list_jobs(&ListJobsQuery {
            limit: 10,
            cursor: None,
            status: None,
        })
        .await
        .unwrap();
    let names: Vec<&str> = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["name"].as_str())
        .collect();
    assert_eq!(names, ["saved"]);
    sb.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn each_run_has_its_own_key() {
    let (a, _) = sandbox(FAST).await;
    let (b, _) = sandbox(FAST).await;
    assert!(a.api_key().starts_with("jg_sandbox_"));
    assert_ne!(a.api_key(), b.api_key());
    assert!(a.api_key().len() > 40);
    let err = ApiClient::new(
        &ApiConfig {
            base: a.base_url().to_string(),
            timeout: Duration::from_secs(10),
            proxy: None,
            direct: true,
        },
        Secret::new("jg_sandbox_key"),
    )
    .unwrap()
    .list_inputs()
    .await
    .unwrap_err();
    assert_eq!(err.code, "UNAUTHORIZED");
    assert!(!err.message.contains(a.api_key()));
    assert!(
        err.message.contains("the sandbox accepts only"),
        "{}",
        err.message
    );
    a.stop().await;
    b.stop().await;
}

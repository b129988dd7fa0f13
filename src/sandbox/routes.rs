//! The simulator's HTTP surface: the REST routes the tools use (contract Part B 1.3), bearer auth,
//! `{ok:true,data}` on `/v1/mcp/...`, `{ok:false,error:{code,message}}` for every error, and the
//! signed upload and download URLs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use tokio::io::AsyncWriteExt;

use super::state::{
    Cancellation, IdempotentAnswer, Input, Job, MountedFile, Received, Stage, WORKLOAD_TYPES,
    command_line, cost_range, estimate_view, hex, mount_path, normalize_workload, pick_tier,
    requested_exit_code, rfc3339, unhex,
};
use super::{App, store};

/// Lifetime of upload and download URLs.
const URL_TTL_MS: u64 = 15 * 60 * 1000;
/// Longest command line (command and args together), as the API.
const MAX_COMMAND_CHARS: usize = 4096;
const MAX_EXPECTED_ARTIFACTS: usize = 100;

type Shared = State<Arc<App>>;
type Reply = Result<Response, ApiError>;

pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/v1/mcp/jobs/estimate", post(estimate))
        .route(
            "/v1/mcp/jobs",
            post(submit)
                .route_layer(middleware::from_fn_with_state(app.clone(), idempotent))
                .get(list_jobs),
        )
        .route("/v1/mcp/jobs/{job_id}", get(get_job))
        .route("/v1/mcp/jobs/{job_id}/logs", get(job_logs))
        .route("/v1/mcp/jobs/{job_id}/cancel", post(cancel))
        .route("/v1/mcp/jobs/{job_id}/artifacts", get(list_artifacts))
        .route(
            "/v1/mcp/jobs/{job_id}/artifacts/{artifact_id}/download",
            post(artifact_download),
        )
        .route("/v1/jobs/{job_id}/events", get(job_events))
        .route(
            "/v1/job-inputs",
            post(create_upload)
                .route_layer(middleware::from_fn_with_state(app.clone(), idempotent))
                .get(list_inputs),
        )
        .route("/v1/job-inputs/{input_id}/complete", post(complete_upload))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_key));
    // Signed URLs carry their own credential (the token in the path), never the API key.
    let signed = Router::new()
        .route(
            "/sandbox/uploads/{secret}",
            put(put_upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/sandbox/downloads/{token}", get(download));
    api.merge(signed)
        .route_layer(middleware::from_fn_with_state(app.clone(), synced))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

// ---- errors and envelopes -------------------------------------------------------------------

/// An error answer: `{ok: false, error: {code, message}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }

    /// A change that could not be saved: the request fails, so a restart loses nothing that was
    /// acknowledged.
    fn not_saved(cause: String) -> Self {
        Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "SANDBOX_SAVE_FAILED",
            format!("The sandbox could not save this change, so it was not made: {cause}"),
        )
    }

    fn job_not_found(job_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("job {job_id} was not found"),
        )
    }
}

/// Every error text of the simulator says it is one, so an agent or a library caller never reads
/// a sandbox refusal as the real API's.
pub const ERROR_PREFIX: &str = "Sandbox (simulated): ";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = if self.message.to_ascii_lowercase().contains("sandbox") {
            self.message
        } else {
            format!("{ERROR_PREFIX}{}", self.message)
        };
        let body = json!({"ok": false, "error": {"code": self.code, "message": message}});
        (self.status, axum::Json(body)).into_response()
    }
}

/// The MCP-route envelope.
fn envelope(status: StatusCode, data: Value) -> Response {
    (status, axum::Json(json!({"ok": true, "data": data}))).into_response()
}

fn ok(data: Value) -> Reply {
    Ok(envelope(StatusCode::OK, data))
}

/// Public-family routes answer without the envelope.
fn bare(data: Value) -> Reply {
    Ok(axum::Json(data).into_response())
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "Method not allowed on this route.",
    )
}

async fn require_key(State(app): Shared, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    // Compared through the HMAC (constant time): the MAC of the presented key must verify as
    // the MAC of the real one.
    let matches = presented.is_some_and(|p| {
        unhex(&app.secrets.mac(app.api_key.as_bytes()))
            .is_some_and(|expected| app.secrets.verify(p.as_bytes(), &expected))
    });
    // Completing an upload also works with no key at all: the upload token in the body (checked
    // by `complete_upload`) proves the caller holds the slot. An agent's own HTTP client in
    // sandbox mode has the slot but never the per-run key.
    let completes_with_token = presented.is_none()
        && request.method() == axum::http::Method::POST
        && request.uri().path().starts_with("/v1/job-inputs/")
        && request.uri().path().ends_with("/complete");
    if !matches && !completes_with_token {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Missing or invalid API key: the sandbox accepts only the key it made at start (startSandbox() returns it as apiKey).",
        )
        .into_response();
    }
    next.run(request).await
}

/// With a sandbox directory, each request holds it for its whole duration (other processes
/// using the directory wait), starting from the state on disk: what another process changed is
/// seen, and this request's change is written before the next one starts.
async fn synced(State(app): Shared, request: Request, next: Next) -> Response {
    let Some(store) = &app.store else {
        return next.run(request).await;
    };
    let held = match store.hold().await {
        Ok(held) => held,
        Err(e) => {
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SANDBOX_BUSY",
                format!("Sandbox (simulated): {e}"),
            )
            .into_response();
        }
    };
    if let Some(state) = store.changed_state(&held) {
        *app.lock() = state;
    }
    let response = next.run(request).await;
    drop(held);
    response
}

// ---- idempotent creates ---------------------------------------------------------------------

/// How long an `Idempotency-Key` is remembered.
const IDEMPOTENCY_TTL_MS: u64 = 24 * 60 * 60 * 1000;
/// Largest create body read for the comparison (the API's JSON bodies are far smaller).
const IDEMPOTENT_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// One keyed create at a time: a repeat that arrives while the first is running waits for its
/// answer instead of racing it.
static IDEMPOTENT_CREATES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `Idempotency-Key` on the create routes, as the contract (Part A.11) and payment APIs: the
/// same key and body within 24 hours get the first answer again (same status and body, with
/// `Idempotent-Replayed: true`) and create nothing; the same key with another body is
/// `409 IDEMPOTENCY_KEY_REUSED`. Only successful answers are kept, so a create that failed (an
/// input not ready yet) can be retried with the same key once the cause is fixed.
async fn idempotent(State(app): Shared, request: Request, next: Next) -> Response {
    let Some(raw) = request.headers().get("idempotency-key") else {
        return next.run(request).await;
    };
    let key = match raw.to_str().map(str::trim) {
        Ok(k)
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x20..=0x7e).contains(&b)) =>
        {
            k.to_string()
        }
        _ => {
            return ApiError::invalid("Idempotency-Key must be 1-255 printable ASCII characters")
                .into_response();
        }
    };
    let path = request.uri().path().to_string();
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, IDEMPOTENT_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "request body is too large",
            )
            .into_response();
        }
    };
    let canonical = serde_json::from_slice::<Value>(&bytes).map_or_else(
        |_| String::from_utf8_lossy(&bytes).into_owned(),
        |v| crate::tools::idempotency::canonical_json(&v),
    );
    let fingerprint =
        crate::tools::idempotency::sha256_hex(format!("{path}\n{canonical}").as_bytes());

    let _one_at_a_time = IDEMPOTENT_CREATES.lock().await;
    let now = app.now_ms();
    {
        let mut state = app.lock();
        state
            .idempotency
            .retain(|a| now.saturating_sub(a.created_ms) < IDEMPOTENCY_TTL_MS);
        if let Some(answer) = state.idempotency.iter().find(|a| a.key == key) {
            if answer.fingerprint != fingerprint {
                return ApiError::new(
                    StatusCode::CONFLICT,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was already used with a different request; use a new key for a new request",
                )
                .into_response();
            }
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
            return (
                status,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    ),
                    (
                        header::HeaderName::from_static("idempotent-replayed"),
                        HeaderValue::from_static("true"),
                    ),
                ],
                answer.body.clone(),
            )
                .into_response();
        }
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if !response.status().is_success() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "answer lost")
            .into_response();
    };
    app.lock().idempotency.push(IdempotentAnswer {
        key,
        fingerprint,
        status: parts.status.as_u16(),
        body: String::from_utf8_lossy(&body).into_owned(),
        created_ms: now,
    });
    // The create itself was saved by its handler (or failed the request). If only this record
    // cannot be saved, the answer stands: it is still remembered for this run, and `commit` has
    // logged the failure.
    let _ = app.commit().await;
    Response::from_parts(parts, Body::from(body))
}

// ---- request bodies -------------------------------------------------------------------------

type RawBody = Result<Bytes, BytesRejection>;

/// The JSON object of a request; an empty body is `{}` unless `required`.
fn object(body: RawBody, required: bool) -> Result<Map<String, Value>, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "request body is too large",
            )
        } else {
            ApiError::invalid("could not read the request body")
        }
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return if required {
            Err(ApiError::invalid("request body must be a JSON object"))
        } else {
            Ok(Map::new())
        };
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid("request body must be a JSON object")),
        Err(e) => Err(ApiError::invalid(format!("malformed JSON body: {e}"))),
    }
}

/// A trimmed, non-empty string field.
fn text(map: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some(_) => Err(ApiError::invalid(format!("{key} must be a string"))),
    }
}

fn strings(map: &Map<String, Value>, key: &str) -> Result<Vec<String>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| ApiError::invalid(format!("{key} must be an array of strings")))
            })
            .collect(),
        Some(_) => Err(ApiError::invalid(format!(
            "{key} must be an array of strings"
        ))),
    }
}

/// `command` (argv array or one string) followed by `args`.
fn argv(map: &Map<String, Value>) -> Result<Vec<String>, ApiError> {
    let mut argv = match map.get("command") {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        Some(Value::String(_)) | None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(_)) => strings(map, "command")?,
        Some(_) => {
            return Err(ApiError::invalid(
                "command must be a string or an array of strings",
            ));
        }
    };
    argv.extend(strings(map, "args")?);
    Ok(argv)
}

/// `[{input_id}]` or `["inp_..."]`.
fn input_refs(map: &Map<String, Value>, key: &str) -> Result<Vec<String>, ApiError> {
    let bad = || ApiError::invalid(format!("{key} must be an array of {{ input_id }} objects"));
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                let id = match item {
                    Value::String(s) => s.as_str(),
                    Value::Object(o) => {
                        o.get("input_id").and_then(Value::as_str).ok_or_else(bad)?
                    }
                    _ => return Err(bad()),
                };
                Some(id.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| ApiError::invalid(format!("{key} items must include input_id")))
            })
            .collect(),
        Some(_) => Err(bad()),
    }
}

fn model_size(map: &Map<String, Value>) -> Result<Option<f64>, ApiError> {
    match map.get("model_size_gb") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(Some)
            .ok_or_else(|| ApiError::invalid("model_size_gb must be a non-negative number")),
    }
}

fn optimize_for(map: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match text(map, "optimize_for")? {
        None => Ok(None),
        Some(v) if matches!(v.as_str(), "cost" | "speed" | "balanced") => Ok(Some(v)),
        Some(_) => Err(ApiError::invalid(
            "optimize_for must be one of: cost, speed, balanced",
        )),
    }
}

fn workload(value: Option<&str>) -> Result<&'static str, ApiError> {
    value.and_then(normalize_workload).ok_or_else(|| {
        ApiError::invalid(format!(
            "workload_type must be one of: {}",
            WORKLOAD_TYPES.join(", ")
        ))
    })
}

/// A plain file name: no directories, nothing a path could escape with.
fn plain_filename(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.len() > 255
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return Err(ApiError::invalid(
            "filename must be a plain file name (no directories), at most 255 bytes",
        ));
    }
    Ok(name.to_string())
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

fn params(query: Params) -> Result<HashMap<String, String>, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|_| ApiError::invalid("malformed query string"))
}

/// `limit` from the query: default when absent, clamped to `1..=max`.
fn limit(query: &HashMap<String, String>, default: usize, max: usize) -> Result<usize, ApiError> {
    match query.get("limit").map(|v| v.trim()) {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .map(|n| (n as usize).clamp(1, max))
            .map_err(|_| ApiError::invalid("limit must be a positive integer")),
    }
}

/// An opaque cursor: a position (logs) or the last job seen (jobs).
fn cursor(query: &HashMap<String, String>) -> Result<Option<u64>, ApiError> {
    match query.get("cursor").map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v
            .strip_prefix("c")
            .and_then(|n| n.parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| ApiError::invalid("cursor is not valid: pass next_cursor as given")),
    }
}

// ---- jobs -----------------------------------------------------------------------------------

async fn estimate(body: RawBody) -> Reply {
    let map = object(body, true)?;
    let workload = workload(text(&map, "workload_type")?.as_deref())?;
    let size = model_size(&map)?;
    let optimize = optimize_for(&map)?.unwrap_or_else(|| "balanced".into());
    argv(&map)?;
    ok(estimate_view(workload, size, &optimize))
}

async fn submit(State(app): Shared, body: RawBody) -> Reply {
    let map = object(body, true)?;
    let (Some(name), Some(image), Some(workload_raw)) = (
        text(&map, "name")?,
        text(&map, "image")?,
        text(&map, "workload_type")?,
    ) else {
        return Err(ApiError::invalid(
            "name, image, and workload_type are required",
        ));
    };
    let workload = workload(Some(&workload_raw))?;
    let command = argv(&map)?;
    let line = command_line(&command);
    if command.iter().map(|a| a.chars().count() + 1).sum::<usize>() > MAX_COMMAND_CHARS {
        return Err(ApiError::invalid(format!(
            "command and args together must be at most {MAX_COMMAND_CHARS} characters"
        )));
    }
    let environment_keys = match map.get("environment") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(env)) if env.values().all(Value::is_string) => {
            env.keys().cloned().collect()
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "environment must be an object with string values",
            ));
        }
    };
    let mut expected_artifacts: Vec<String> = Vec::new();
    for path in strings(&map, "expected_artifacts")? {
        let path = path.trim().to_string();
        let Some(rest) = path.strip_prefix("/workspace/artifacts/") else {
            return Err(ApiError::invalid(
                "expected_artifacts must be file paths under /workspace/artifacts/",
            ));
        };
        if rest.is_empty() || rest.ends_with('/') || rest.split('/').any(|s| s == ".." || s == ".")
        {
            return Err(ApiError::invalid(format!(
                "expected_artifacts: {path} is not a file path under /workspace/artifacts/"
            )));
        }
        if !expected_artifacts.contains(&path) {
            expected_artifacts.push(path);
        }
    }
    if expected_artifacts.len() > MAX_EXPECTED_ARTIFACTS {
        return Err(ApiError::invalid(format!(
            "at most {MAX_EXPECTED_ARTIFACTS} expected_artifacts are supported"
        )));
    }
    let mut scripts = input_refs(&map, "script_files")?;
    if let Some(one) = text(&map, "script_file")? {
        scripts.push(one);
    }
    scripts.dedup();
    if scripts.len() > 1 {
        return Err(ApiError::invalid(
            "only one script file is supported per job",
        ));
    }
    let inputs = input_refs(&map, "input_files")?;
    let model_size_gb = model_size(&map)?;
    let optimize = optimize_for(&map)?;
    let Some(tier) = pick_tier(workload, model_size_gb) else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "CAPACITY_UNAVAILABLE",
            "no sandbox GPU tier fits this model (the largest is H100-80GB, up to 80 GB)",
        ));
    };
    let template = text(&map, "template")?;
    let metadata = match map.get("metadata") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => return Err(ApiError::invalid("metadata must be an object")),
    };

    let now = app.now_ms();
    let view = {
        let mut state = app.lock();
        let mut files = Vec::new();
        for (id, kind) in scripts
            .iter()
            .map(|id| (id, "script"))
            .chain(inputs.iter().map(|id| (id, "input")))
        {
            let input = state.input(id).ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "JOB_INPUT_NOT_FOUND",
                    format!("job input {id} was not found"),
                )
            })?;
            if !input.ready() {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "JOB_INPUT_NOT_READY",
                    format!(
                        "job input {id} is not ready: upload the bytes and complete the upload first"
                    ),
                ));
            }
            files.push(MountedFile {
                input_id: input.input_id.clone(),
                filename: input.filename.clone(),
                kind: kind.to_string(),
                mount_path: mount_path(kind, &input.filename),
                size_bytes: input.received.as_ref().map_or(0, |r| r.size_bytes),
            });
        }
        state.next_seq += 1;
        let job = Job {
            job_id: app.secrets.id("job"),
            seq: state.next_seq,
            name,
            workload_type: workload.to_string(),
            image,
            exit_code: requested_exit_code(&line),
            command,
            environment_keys,
            files,
            expected_artifacts,
            optimize_for: optimize,
            template,
            model_size_gb,
            metadata,
            gpu: tier.name.to_string(),
            estimated_cost: cost_range(workload, tier),
            submitted_ms: now,
            cancel: None,
        };
        let full = job.view(now, app.time_scale);
        state.jobs.push(job);
        full
    };
    if let Err(e) = app.commit().await {
        let job_id = view["job_id"].as_str().unwrap_or_default();
        app.lock().jobs.retain(|j| j.job_id != job_id);
        return Err(ApiError::not_saved(e));
    }
    let data = json!({
        "job_id": view["job_id"],
        "id": view["id"],
        "name": view["name"],
        "status": view["status"],
        "status_message": view["status_message"],
        "submitted_at": view["submitted_at"],
        "queued_at": view["submitted_at"],
        "estimated_cost_usd": view["estimated_cost_usd"],
        "likely_gpu_type": view["likely_gpu_type"],
        "execution_route": "sandbox",
        "route_reason": format!("Simulated {} in the embedded sandbox: no real compute, no cost.", tier.name),
        "input_files": view["input_files"],
        "script_files": view["script_files"],
        "artifact_contract": view["artifact_contract"],
        "sandbox": true,
    });
    Ok(envelope(StatusCode::ACCEPTED, data))
}

async fn list_jobs(State(app): Shared, query: Params) -> Reply {
    let query = params(query)?;
    let limit = limit(&query, 10, 100)?;
    let before = cursor(&query)?;
    let status = query
        .get("status")
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty());
    let now = app.now_ms();
    let state = app.lock();
    let mut matching = state
        .jobs
        .iter()
        .rev()
        .filter(|j| before.is_none_or(|b| j.seq < b))
        .filter(|j| {
            status
                .as_deref()
                .is_none_or(|s| j.snapshot(now, app.time_scale).stage.status() == s)
        });
    let page: Vec<&Job> = matching.by_ref().take(limit).collect();
    let has_more = matching.next().is_some();
    let next_cursor = match page.last() {
        Some(last) if has_more => json!(format!("c{}", last.seq)),
        _ => Value::Null,
    };
    ok(json!({
        "jobs": page.iter().map(|j| j.list_item(now, app.time_scale)).collect::<Vec<_>>(),
        "limit": limit,
        "next_cursor": next_cursor,
        "has_more": has_more,
    }))
}

/// Runs `f` on the job, or answers 404.
fn with_job<T>(app: &App, job_id: &str, f: impl FnOnce(&Job) -> T) -> Result<T, ApiError> {
    app.lock()
        .job(job_id)
        .map(f)
        .ok_or_else(|| ApiError::job_not_found(job_id))
}

async fn get_job(State(app): Shared, Path(job_id): Path<String>) -> Reply {
    let view = with_job(&app, &job_id, |j| j.view(app.now_ms(), app.time_scale))?;
    ok(view)
}

async fn job_events(State(app): Shared, Path(job_id): Path<String>) -> Reply {
    let now = app.now_ms();
    let (snap, items) = with_job(&app, &job_id, |j| {
        (
            j.snapshot(now, app.time_scale),
            j.events(now, app.time_scale),
        )
    })?;
    bare(json!({
        "job_id": job_id,
        "status": snap.stage.status(),
        "phase": snap.stage.execution_phase(),
        "items": items,
        "generated_at": rfc3339(now),
    }))
}

async fn job_logs(State(app): Shared, Path(job_id): Path<String>, query: Params) -> Reply {
    let query = params(query)?;
    let limit = limit(&query, 100, 1000)?;
    let start = cursor(&query)?.unwrap_or(0) as usize;
    let now = app.now_ms();
    let (snap, entries, exit_code) = with_job(&app, &job_id, |j| {
        (
            j.snapshot(now, app.time_scale),
            j.logs(now, app.time_scale),
            j.exit_code,
        )
    })?;
    let end = entries.len().min(start.saturating_add(limit));
    let items: Vec<Value> = entries
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let has_more = end < entries.len();
    // While the job runs, more entries will come: the cursor lets a reader resume where it stopped.
    let resumable = !snap.stage.is_terminal() && end > 0;
    let next_cursor = if has_more || resumable {
        json!(format!("c{}", end.max(start)))
    } else {
        Value::Null
    };
    let mut data = json!({
        "job_id": job_id,
        "status": snap.stage.status(),
        "items": items,
        "next_cursor": next_cursor,
        "has_more": has_more,
    });
    if snap.stage == Stage::Failed {
        data["failure_highlight"] = json!({
            "message": "The workload command exited with a non-zero code.",
            "exit_code": exit_code,
        });
    }
    if entries.is_empty() && !snap.stage.is_terminal() {
        data["usage_hint"] = json!(format!(
            "No logs yet: the job is {}. Call get_job_events to see queueing, provisioning and runtime preparation.",
            snap.stage.status()
        ));
    }
    ok(data)
}

async fn cancel(State(app): Shared, Path(job_id): Path<String>, body: RawBody) -> Reply {
    let map = object(body, false)?;
    let reason = text(&map, "reason")?.unwrap_or_else(|| "Cancelled via API".into());
    let now = app.now_ms();
    {
        let mut state = app.lock();
        let job = state
            .job_mut(&job_id)
            .ok_or_else(|| ApiError::job_not_found(&job_id))?;
        let stage = job.snapshot(now, app.time_scale).stage;
        if stage.is_terminal() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "CONFLICT",
                format!("job is already {}", stage.status()),
            ));
        }
        job.cancel = Some(Cancellation {
            at_ms: now,
            reason: reason.clone(),
        });
    }
    app.commit().await.map_err(ApiError::not_saved)?;
    ok(json!({
        "job_id": job_id,
        "id": job_id,
        "status": "cancelled",
        "status_reason": reason,
        "cancelled": true,
        "message": "The job was cancelled before it finished.",
    }))
}

// ---- artifacts ------------------------------------------------------------------------------

async fn list_artifacts(State(app): Shared, Path(job_id): Path<String>) -> Reply {
    let now = app.now_ms();
    let (stage, artifacts) = with_job(&app, &job_id, |j| {
        let stage = j.snapshot(now, app.time_scale).stage;
        let artifacts: Vec<Value> = if stage == Stage::Completed {
            j.artifacts()
                .iter()
                .map(|a| j.artifact_view(a, app.time_scale))
                .collect()
        } else {
            Vec::new()
        };
        (stage, artifacts)
    })?;
    ok(json!({
        "job_id": job_id,
        "status": stage.status(),
        "artifacts_ready": stage == Stage::Completed,
        "artifacts": artifacts,
    }))
}

async fn artifact_download(
    State(app): Shared,
    Path((job_id, artifact_id)): Path<(String, String)>,
) -> Reply {
    let now = app.now_ms();
    let (stage, found) = with_job(&app, &job_id, |j| {
        let found = j
            .artifacts()
            .into_iter()
            .find(|a| a.artifact_id == artifact_id)
            .map(|a| (j.artifact_view(&a, app.time_scale), a));
        (j.snapshot(now, app.time_scale).stage, found)
    })?;
    let Some((artifact, bytes)) = found else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("artifact {artifact_id} was not found for job {job_id}"),
        ));
    };
    if stage != Stage::Completed {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "ARTIFACT_NOT_READY",
            format!(
                "artifact {artifact_id} is not ready: the job is {}",
                stage.status()
            ),
        ));
    }
    let expires = now + URL_TTL_MS;
    let token = app.secrets.sign_download(&job_id, &artifact_id, expires);
    // The download URL lives as long as this process; with a sandbox directory the bytes are
    // also kept in a file there, for callers that start a process per call (LangChain) and
    // read the artifact after this one has exited.
    let local_path = match &app.store {
        Some(store) => {
            let path = store.artifact_path(&job_id, &artifact_id, &bytes.filename);
            let target = path.clone();
            let content = bytes.content.clone().into_bytes();
            let written = tokio::task::spawn_blocking(move || {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                store::write_atomic(&target, &content)
            })
            .await;
            match written {
                Ok(Ok(())) => Value::String(path.to_string_lossy().into_owned()),
                Ok(Err(e)) => {
                    tracing::warn!("sandbox: cannot keep {}: {e}", path.display());
                    Value::Null
                }
                Err(e) => {
                    tracing::warn!("sandbox: cannot keep {}: {e}", path.display());
                    Value::Null
                }
            }
        }
        None => Value::Null,
    };
    let mut answer = json!({
        "job_id": job_id,
        "artifact_id": artifact_id,
        "artifact_name": artifact["name"],
        "ready": true,
        "size_bytes": artifact["size_bytes"],
        "mime_type": artifact["mime_type"],
        "download_url": format!("{}/sandbox/downloads/{token}", app.base_url),
        "expires_at": rfc3339(expires),
        "artifact": artifact,
    });
    if !local_path.is_null() {
        answer["local_path"] = local_path;
    }
    ok(answer)
}

async fn download(State(app): Shared, Path(token): Path<String>) -> Reply {
    let denied = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "This download URL is invalid or has expired; call get_artifact again.",
        )
    };
    let (job_id, artifact_id, expires) = app.secrets.verify_download(&token).ok_or_else(denied)?;
    if app.now_ms() > expires {
        return Err(denied());
    }
    let now = app.now_ms();
    let artifact = with_job(&app, &job_id, |j| {
        (j.snapshot(now, app.time_scale).stage == Stage::Completed)
            .then(|| {
                j.artifacts()
                    .into_iter()
                    .find(|a| a.artifact_id == artifact_id)
            })
            .flatten()
    })?
    .ok_or_else(denied)?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        artifact.filename.replace(['"', '\\'], "_")
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(artifact.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok((headers, artifact.content).into_response())
}

// ---- uploads --------------------------------------------------------------------------------

async fn create_upload(State(app): Shared, body: RawBody) -> Reply {
    let map = object(body, true)?;
    let filename = plain_filename(
        &text(&map, "filename")?.ok_or_else(|| ApiError::invalid("filename is required"))?,
    )?;
    let content_type = text(&map, "content_type")?
        .unwrap_or_else(|| crate::api::transfer::guess_content_type(&filename).to_string());
    let kind = text(&map, "kind")?.unwrap_or_else(|| "input".into());
    let now = app.now_ms();
    let input = Input {
        input_id: app.secrets.id("inp"),
        filename,
        content_type,
        kind,
        upload_secret: app.secrets.secret(),
        token: app.secrets.secret(),
        created_ms: now,
        expires_ms: now + URL_TTL_MS,
        received: None,
        completed_ms: None,
    };
    let upload = json!({
        "input_id": input.input_id,
        "filename": input.filename,
        "content_type": input.content_type,
        "kind": input.kind,
        "method": "PUT",
        "upload_url": format!("{}/sandbox/uploads/{}", app.base_url, input.upload_secret),
        "headers": {"Content-Type": input.content_type},
        "token": input.token,
        "expires_at": rfc3339(input.expires_ms),
        "complete_url": format!("/v1/job-inputs/{}/complete", input.input_id),
        "mount_path": input.mount_path(),
        "max_size_bytes": app.max_upload_bytes,
    });
    app.lock().inputs.push(input);
    app.commit().await.map_err(ApiError::not_saved)?;
    Ok((StatusCode::CREATED, axum::Json(json!({"upload": upload}))).into_response())
}

async fn list_inputs(State(app): Shared) -> Reply {
    let inputs: Vec<Value> = app.lock().inputs.iter().rev().map(Input::view).collect();
    bare(json!({"inputs": inputs}))
}

async fn put_upload(
    State(app): Shared,
    Path(secret): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Reply {
    let input_id = {
        let state = app.lock();
        let input = state
            .inputs
            .iter()
            .find(|i| i.upload_secret == secret)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "FORBIDDEN",
                    "This upload URL is not valid.",
                )
            })?;
        if input.ready() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "CONFLICT",
                "This upload was already completed.",
            ));
        }
        if app.now_ms() > input.expires_ms {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "UPLOAD_EXPIRED",
                "This upload URL has expired; create a new upload slot.",
            ));
        }
        input.input_id.clone()
    };
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!(
                "The sandbox accepts uploads of at most {} bytes.",
                app.max_upload_bytes
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_upload_bytes) {
        return Err(too_large());
    }

    // Bytes are hashed and counted as they arrive; with a directory they are also streamed to disk.
    let mut file = match &app.store {
        Some(store) => {
            let part = store.part_path(&input_id);
            let f = tokio::fs::File::create(&part).await.map_err(|e| {
                tracing::warn!("sandbox upload: cannot create {}: {e}", part.display());
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "The sandbox could not store the upload.",
                )
            })?;
            Some((f, part))
        }
        None => None,
    };
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    let mut size: u64 = 0;
    let mut stream = body.into_data_stream();
    let received: Result<(), ApiError> = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| ApiError::invalid("The upload was interrupted."))?;
            size += chunk.len() as u64;
            if size > app.max_upload_bytes {
                return Err(too_large());
            }
            digest.update(&chunk);
            if let Some((f, _)) = file.as_mut() {
                f.write_all(&chunk).await.map_err(|e| {
                    tracing::warn!("sandbox upload: write failed: {e}");
                    ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "INTERNAL_ERROR",
                        "The sandbox could not store the upload.",
                    )
                })?;
            }
        }
        if let (Some(store), Some((f, part))) = (&app.store, file.as_mut()) {
            let stored = async {
                f.flush().await?;
                f.sync_all().await?;
                tokio::fs::rename(&*part, store.upload_path(&input_id)).await
            };
            stored.await.map_err(|e| {
                tracing::warn!("sandbox upload: cannot store the bytes: {e}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "The sandbox could not store the upload.",
                )
            })?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = received {
        if let Some((f, part)) = file {
            drop(f);
            let _ = tokio::fs::remove_file(&part).await;
        }
        return Err(e);
    }
    let sha256 = hex(digest.finish().as_ref());
    if let Some(input) = app.lock().input_mut(&input_id) {
        input.received = Some(Received {
            size_bytes: size,
            sha256: sha256.clone(),
            at_ms: app.now_ms(),
        });
    }
    app.commit().await.map_err(ApiError::not_saved)?;
    let mut response = StatusCode::OK.into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{sha256}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

async fn complete_upload(State(app): Shared, Path(input_id): Path<String>, body: RawBody) -> Reply {
    let map = object(body, false)?;
    let token = text(&map, "token")?;
    let size = match map.get("size_bytes") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| ApiError::invalid("size_bytes must be a non-negative integer"))?,
        ),
    };
    let etag = text(&map, "etag")?.map(|e| e.trim_matches('"').to_ascii_lowercase());
    let content_type = text(&map, "content_type")?;
    let view = {
        let mut state = app.lock();
        let input = state.input_mut(&input_id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("job input {input_id} was not found"),
            )
        })?;
        let Some(token) = token else {
            return Err(ApiError::invalid("token is required"));
        };
        if token != input.token {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "The upload token does not match this input.",
            ));
        }
        if input.ready() {
            // Completing twice is harmless: the answer is the same input.
            return bare(json!({"input": input.view()}));
        }
        let Some(received) = &input.received else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "UPLOAD_NOT_RECEIVED",
                "No bytes have been uploaded yet: PUT the file to upload_url first.",
            ));
        };
        if let Some(size) = size.filter(|s| *s != received.size_bytes) {
            return Err(ApiError::invalid(format!(
                "size_bytes ({size}) does not match the {} bytes uploaded",
                received.size_bytes
            )));
        }
        if etag.as_ref().is_some_and(|e| *e != received.sha256) {
            return Err(ApiError::invalid("etag does not match the uploaded bytes"));
        }
        if let Some(ct) = content_type {
            input.content_type = ct;
        }
        input.completed_ms = Some(app.now_ms());
        input.view()
    };
    app.commit().await.map_err(ApiError::not_saved)?;
    bare(json!({"input": view}))
}

/// Download tokens: `<hex payload>.<hex HMAC>`, the payload `<expiry ms>:<job id>:<artifact id>`.
impl super::Secrets {
    fn sign_download(&self, job_id: &str, artifact_id: &str, expires_ms: u64) -> String {
        let payload = format!("{expires_ms}:{job_id}:{artifact_id}");
        format!(
            "{}.{}",
            hex(payload.as_bytes()),
            self.mac(payload.as_bytes())
        )
    }

    fn verify_download(&self, token: &str) -> Option<(String, String, u64)> {
        let (payload, mac) = token.split_once('.')?;
        let payload = unhex(payload)?;
        if !self.verify(&payload, &unhex(mac)?) {
            return None;
        }
        let payload = String::from_utf8(payload).ok()?;
        let mut parts = payload.splitn(3, ':');
        let expires = parts.next()?.parse().ok()?;
        let job_id = parts.next()?.to_string();
        let artifact_id = parts.next()?.to_string();
        Some((job_id, artifact_id, expires))
    }
}

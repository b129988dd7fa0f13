//! Job tools: estimate_job, submit_job, list_jobs, get_job, get_job_events, get_job_logs,
//! cancel_job. Each tool's argument type sits next to its definition and handler.

use std::collections::VecDeque;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use super::approval::{self, Answer, Question};
use super::args::{Args, JsonObject};
use super::idempotency;
use super::render::{data_budget, fit_page, own_page_start, page_note, page_start};
use super::schema::{input_schema, output_schema};
use super::summary::{cost, count, first_text, len_of, next_cursor_suffix, text_of};
use super::{Progress, ToolContext, ToolDef, ToolOutput};
use crate::api::types::{
    CancelRequest, Command, EstimateRequest, InputRef, ListJobsQuery, LogsQuery, OptimizeFor,
    SubmitRequest, WorkloadType,
};
use crate::error::{Error, Result};

const READ_SCOPES: &[&str] = &["jobs:read", "jobs:write"];
const SUBMIT_SCOPES: &[&str] = &["jobs:submit", "jobs:write"];

pub const LIST_JOBS_DEFAULT_LIMIT: u32 = 10;
pub const LIST_JOBS_MAX_LIMIT: u32 = 100;
pub const LOGS_DEFAULT_LIMIT: u32 = 100;
pub const LOGS_MAX_LIMIT: u32 = 1000;
pub const DEFAULT_CANCEL_REASON: &str = "Cancelled via MCP";

// Schema-only: the workload kinds as agents write them.
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
pub enum WorkloadTypeArg {
    Inference,
    Training,
    FineTuning,
    Batch,
}

// Schema-only: routing preference.
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
pub enum RoutingModeArg {
    Cost,
    Speed,
    Balanced,
}

// Schema-only: a reference to an uploaded file.
#[derive(JsonSchema)]
pub struct InputRefArg {
    /// From upload_job_input.
    pub input_id: String,
}

// Schema-only: one entry of `env` or `metadata` in the form every provider's strict mode can
// express (a map with free keys cannot be). The object form `{ "A": "1" }` stays accepted.
#[derive(JsonSchema)]
pub struct NameValueArg {
    pub name: String,
    pub value: String,
}

// ---- estimate_job ---------------------------------------------------------------------------

/// Arguments of `estimate_job`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct EstimateJobArgs {
    /// inference, training, fine_tuning or batch.
    #[schemars(with = "WorkloadTypeArg")]
    pub workload_type: WorkloadType,
    /// In GB (e.g. 7 for a 7B model in 8-bit).
    #[schemars(with = "Option<f64>")]
    pub model_size: Option<serde_json::Number>,
    /// e.g. "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime".
    pub image: Option<String>,
    /// argv, e.g. ["python", "train.py"].
    #[schemars(with = "Option<Vec<String>>")]
    pub command: Option<Command>,
    /// Appended to command.
    pub args: Option<Vec<String>>,
    /// cost, speed or balanced.
    #[schemars(with = "Option<RoutingModeArg>")]
    pub routing_mode: Option<OptimizeFor>,
    pub template: Option<String>,
    /// Helps classify the workload.
    pub notes: Option<String>,
}

impl EstimateJobArgs {
    pub fn parse(map: &JsonObject) -> Result<Self> {
        let a = Args::new(map);
        Ok(EstimateJobArgs {
            workload_type: a.workload_type()?,
            model_size: a.number_as_given("model_size", &["model_size_gb"])?,
            image: a.string("image", &[])?,
            command: a.command()?,
            args: a.string_array("args", &[])?,
            routing_mode: a.routing_mode()?,
            template: a.string("template", &[])?,
            notes: a.string("notes", &[])?,
        })
    }

    pub fn into_request(self) -> EstimateRequest {
        EstimateRequest {
            workload_type: self.workload_type,
            model_size_gb: self.model_size,
            image: self.image,
            command: self.command,
            args: self.args,
            optimize_for: self.routing_mode,
            template: self.template,
            notes: self.notes,
        }
    }
}

/// Documented shape of an estimate.
#[derive(JsonSchema)]
pub struct EstimateData {
    /// False when no capacity can run this workload right now.
    pub available: Option<bool>,
    /// Whether a submit with the same arguments would be accepted.
    pub can_submit: Option<bool>,
    /// Expected cost in USD: a {min, max} range (or a single number on older API versions).
    pub estimated_cost_usd: Option<Value>,
    pub likely_gpu_type: Option<String>,
    pub routed_gpu_tier: Option<String>,
    /// How the workload was classified (workload_type, requires_gpu, confidence, reasons).
    pub classification: Option<Map<String, Value>>,
    /// Route chosen (route_status, selected_accelerator, selection_reason).
    pub routing: Option<Map<String, Value>>,
    /// Capacity seen (live_capacity_available, live_candidate_count, estimate_source).
    pub capacity: Option<Map<String, Value>>,
    /// Submission screening (can_submit and reasons).
    pub screening: Option<Map<String, Value>>,
}

pub static ESTIMATE_JOB: ToolDef = ToolDef {
    name: "estimate_job",
    title: "Estimate a Jungle Grid job",
    description: "Estimate routing, GPU capacity and cost of a workload without submitting it. Free: nothing starts and nothing is charged. Show the user the cost range before submit_job.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["jobs:estimate", "jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<EstimateJobArgs>),
    output_schema: LazyLock::new(output_schema::<EstimateData>),
    handler: |ctx, args| Box::pin(estimate_job(ctx, args)),
};

pub async fn estimate_job(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let request = EstimateJobArgs::parse(args)?.into_request();
    let data = ctx.api.estimate_job(&request).await?;
    let summary = estimate_summary(&data, ctx.simulated);
    Ok(ToolOutput { data, summary })
}

/// The estimate in one line; against the sandbox the cost is marked simulated.
pub fn estimate_summary(data: &Value, simulated: bool) -> String {
    let available = if data.get("available") == Some(&Value::Bool(false)) {
        "not currently available"
    } else {
        "available"
    };
    let gpu = first_text(data, &["likely_gpu_type", "routed_gpu_tier"])
        .unwrap_or_else(|| "best available route".into());
    let price = data
        .get("estimated_cost_usd")
        .and_then(cost)
        .or_else(|| {
            let min = data.get("estimated_cost_min_usd")?.as_f64()?;
            let max = data
                .get("estimated_cost_max_usd")
                .and_then(Value::as_f64)
                .unwrap_or(min);
            cost(&serde_json::json!({"min": min, "max": max}))
        })
        .unwrap_or_else(|| "unknown".into());
    let charged = if simulated {
        " (simulated: nothing is charged)"
    } else {
        ""
    };
    format!("Estimate {available}. Likely route: {gpu}. Estimated cost: {price} USD{charged}.")
}

// ---- submit_job -----------------------------------------------------------------------------

/// Arguments of `submit_job`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct SubmitJobArgs {
    /// e.g. "mnist-train".
    pub name: String,
    /// inference, training, fine_tuning or batch.
    #[schemars(with = "WorkloadTypeArg")]
    pub workload_type: WorkloadType,
    /// e.g. "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime".
    pub image: String,
    /// argv, e.g. ["python", "/workspace/scripts/train.py"].
    #[schemars(with = "Option<Vec<String>>")]
    pub command: Option<Command>,
    /// Appended to command.
    pub args: Option<Vec<String>>,
    /// Environment variables, e.g. [{"name": "EPOCHS", "value": "3"}].
    #[schemars(with = "Option<Vec<NameValueArg>>")]
    pub env: Option<JsonObject>,
    /// Mounted at /workspace/inputs/<filename>.
    #[schemars(with = "Option<Vec<InputRefArg>>")]
    pub input_files: Option<Vec<InputRef>>,
    /// Mounted at /workspace/scripts/<filename> (one for now).
    #[schemars(with = "Option<Vec<InputRefArg>>")]
    pub script_files: Option<Vec<InputRef>>,
    /// Legacy: one script's input_id.
    pub script_file: Option<String>,
    /// Files the job writes, e.g. ["/workspace/artifacts/out.txt"].
    pub expected_artifacts: Option<Vec<String>>,
    /// cost, speed or balanced.
    #[schemars(with = "Option<RoutingModeArg>")]
    pub routing_mode: Option<OptimizeFor>,
    pub template: Option<String>,
    /// In GB.
    #[schemars(with = "Option<f64>")]
    pub model_size: Option<serde_json::Number>,
    /// Stored with the job.
    #[schemars(with = "Option<Vec<NameValueArg>>")]
    pub metadata: Option<JsonObject>,
    /// 1-255 printable ASCII characters, e.g. a UUID. Reuse the same key when retrying a submit
    /// whose answer you did not get: the job never starts twice. A new key starts another job.
    pub idempotency_key: Option<String>,
}

impl SubmitJobArgs {
    pub fn parse(map: &JsonObject) -> Result<Self> {
        let a = Args::new(map);
        // Order of checks: workload, name, image, then the rest (as the TypeScript server).
        let workload_type = a.workload_type()?;
        let name = a.required_string("name", &[])?;
        let image = a.required_string("image", &[])?;
        Ok(SubmitJobArgs {
            name,
            workload_type,
            image,
            command: a.command()?,
            args: a.string_array("args", &[])?,
            env: a.string_map("env", &["environment"])?,
            input_files: a.input_refs("input_files")?,
            script_files: a.input_refs("script_files")?,
            script_file: a.string("script_file", &[])?,
            expected_artifacts: a.string_array("expected_artifacts", &[])?,
            routing_mode: a.routing_mode()?,
            template: a.string("template", &[])?,
            model_size: a.number_as_given("model_size", &["model_size_gb"])?,
            metadata: a.object("metadata", &[])?,
            idempotency_key: a
                .string("idempotency_key", &["idempotencyKey"])?
                .map(|k| idempotency::validate_key("idempotency_key", &k))
                .transpose()?,
        })
    }

    pub fn into_request(self) -> SubmitRequest {
        SubmitRequest {
            name: self.name,
            workload_type: self.workload_type,
            image: self.image,
            command: self.command,
            args: self.args,
            environment: self.env,
            input_files: self.input_files,
            script_files: self.script_files,
            script_file: self.script_file,
            expected_artifacts: self.expected_artifacts,
            optimize_for: self.routing_mode,
            template: self.template,
            model_size_gb: self.model_size,
            metadata: self.metadata,
        }
    }
}

/// Documented shape of a submitted job.
#[derive(JsonSchema)]
pub struct SubmittedJobData {
    /// Use this id with get_job, get_job_events, get_job_logs, list_artifacts and cancel_job.
    pub job_id: Option<String>,
    pub id: Option<String>,
    /// Usually "queued" right after submit.
    pub status: Option<String>,
    pub status_message: Option<String>,
    pub submitted_at: Option<String>,
    pub estimated_cost_usd: Option<Value>,
    /// True when this answer repeats an earlier submit with the same idempotency key: no new job
    /// was started.
    pub idempotent_replay: Option<bool>,
    /// Present when the server asked the user: "approved", "declined" or "cancelled".
    pub approval: Option<String>,
    /// False when nothing was submitted (the user declined or dismissed the approval).
    pub submitted: Option<bool>,
}

pub static SUBMIT_JOB: ToolDef = ToolDef {
    name: "submit_job",
    title: "Submit a Jungle Grid job",
    description: "Start a workload on Jungle Grid GPUs. This starts real compute and can incur usage charges: call estimate_job first and submit only after the user approves the cost. Pass completed uploads (upload_job_input) as input_files / script_files. Returns job_id; then wait_for_job. Repeats are safe: the same call repeated within 10 minutes returns the first job (idempotent_replay: true); to retry a call whose answer you lost, reuse its idempotency_key; to start another identical job, pass a new idempotency_key. If the server asks the user to approve and they decline, nothing is submitted: do not retry unless they ask.",
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
    scopes: SUBMIT_SCOPES,
    input_schema: LazyLock::new(input_schema::<SubmitJobArgs>),
    output_schema: LazyLock::new(output_schema::<SubmittedJobData>),
    handler: |ctx, args| Box::pin(submit_job(ctx, args)),
};

pub async fn submit_job(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let mut parsed = SubmitJobArgs::parse(args)?;
    let explicit_key = parsed.idempotency_key.take();
    let request = parsed.into_request();

    // The spending guard: estimate the same workload and ask the user when it says so.
    let mut approved = false;
    if !ctx.guard.is_off() {
        let estimate = ctx.api.estimate_job(&estimate_for(&request)).await?;
        if let Some(reason) = approval::needs_approval(&ctx.guard, &estimate) {
            let question = Question::new(&request, &estimate, reason).simulated(ctx.simulated);
            let Some(ask) = &ctx.ask else {
                return Err(question.refusal());
            };
            match ask.ask(&question).await? {
                Answer::Approved => approved = true,
                answer => return Ok(not_submitted(&question, answer)),
            }
        }
    }

    let key = match &explicit_key {
        Some(key) => key.clone(),
        None => {
            let body = serde_json::to_value(&request).unwrap_or(Value::Null);
            ctx.keys
                .key_for(&idempotency::fingerprint(&ctx.caller, "submit_job", &body))
        }
    };
    let created = ctx.api.submit_job(&request, Some(&key)).await?;
    let mut data = created.data;
    let id = first_text(&data, &["job_id", "id"]).unwrap_or_else(|| "unknown".into());
    let status = text_of(&data, "status").unwrap_or_else(|| "submitted".into());
    let mut summary = if created.replayed {
        let when = text_of(&data, "submitted_at")
            .and_then(|t| idempotency::ago_from(&t))
            .unwrap_or_else(|| "earlier".to_string());
        let how = if explicit_key.is_some() {
            "with the same idempotency_key"
        } else {
            "with the same arguments within 10 minutes"
        };
        format!(
            "This is job {id} you submitted {when}: the same request was repeated {how}, so \
nothing new was started (status then: {status}; call get_job for now). Pass a new idempotency_key \
to start another job."
        )
    } else {
        let what = if ctx.simulated {
            "Job submitted (simulated: no real compute, no cost)."
        } else {
            "Job submitted and real compute may start."
        };
        format!("{what} id={id} status={status}.")
    };
    if let Value::Object(map) = &mut data {
        if created.replayed {
            map.insert("idempotent_replay".into(), Value::Bool(true));
        }
        if approved {
            map.insert("approval".into(), Value::String("approved".into()));
        }
    }
    if approved {
        summary = format!("Approved by the user in the client. {summary}");
    }
    Ok(ToolOutput { data, summary })
}

/// The estimate of the workload a submit describes (the spending guard's check).
pub fn estimate_for(request: &SubmitRequest) -> EstimateRequest {
    EstimateRequest {
        workload_type: request.workload_type,
        model_size_gb: request.model_size_gb.clone(),
        image: Some(request.image.clone()),
        command: request.command.clone(),
        args: request.args.clone(),
        optimize_for: request.optimize_for,
        template: request.template.clone(),
        notes: None,
    }
}

/// The result when the user did not approve: a normal outcome, not an error.
fn not_submitted(question: &Question, answer: Answer) -> ToolOutput {
    let (approval, summary) = match answer {
        Answer::Declined => (
            "declined",
            format!(
                "Not submitted: the user declined \"{}\" (estimated {}) in the client. Nothing \
was started. Do not submit it again unless the user asks.",
                question.name,
                question.cost_text()
            ),
        ),
        Answer::Deferred => (
            "pending",
            "Not submitted yet: waiting for the user's approval in the client.".to_string(),
        ),
        Answer::Cancelled | Answer::Approved => (
            "cancelled",
            format!(
                "Not submitted: the approval request for \"{}\" (estimated {}) was dismissed \
without an answer. Nothing was started. Ask the user before trying again.",
                question.name,
                question.cost_text()
            ),
        ),
    };
    ToolOutput {
        data: json!({
            "submitted": false,
            "approval": approval,
            "name": question.name,
            "estimated_cost": question.cost,
            "likely_gpu_type": question.gpu,
        }),
        summary,
    }
}

// ---- list_jobs ------------------------------------------------------------------------------

/// Arguments of `list_jobs`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct ListJobsArgs {
    /// Default 10.
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// next_cursor of the previous page.
    pub cursor: Option<String>,
    /// e.g. "running", "completed", "failed".
    pub status: Option<String>,
}

impl ListJobsArgs {
    pub fn parse(map: &JsonObject) -> Result<ListJobsQuery> {
        let a = Args::new(map);
        Ok(ListJobsQuery {
            limit: a.limit("limit", LIST_JOBS_DEFAULT_LIMIT, LIST_JOBS_MAX_LIMIT)?,
            cursor: a.cursor("cursor")?,
            status: a.string("status", &[])?,
        })
    }
}

/// Documented shape of a job list.
#[derive(JsonSchema)]
pub struct JobListData {
    /// Jobs, newest first (job_id, name, status, workload_type, created_at, updated_at).
    pub jobs: Option<Vec<Map<String, Value>>>,
    pub limit: Option<Value>,
    /// Pass as cursor to get the next page; null on the last page.
    pub next_cursor: Option<Value>,
    pub has_more: Option<bool>,
}

pub static LIST_JOBS: ToolDef = ToolDef {
    name: "list_jobs",
    title: "List Jungle Grid jobs",
    description: "List the user's jobs, newest first, optionally by status. Use this to find recent jobs before checking status, logs or artifacts.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: READ_SCOPES,
    input_schema: LazyLock::new(input_schema::<ListJobsArgs>),
    output_schema: LazyLock::new(output_schema::<JobListData>),
    handler: |ctx, args| Box::pin(list_jobs(ctx, args)),
};

pub async fn list_jobs(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let mut query = ListJobsArgs::parse(args)?;
    let from = page_start(query.cursor.take(), query.limit).map_err(Error::invalid_argument)?;
    query.limit = from.limit;
    query.cursor = from.api_cursor.clone();
    let mut data = ctx.api.list_jobs(&query).await?;
    let fit = fit_page(&mut data, "jobs", &from, data_budget(ctx.limits.max_chars));
    let summary = format!(
        "Found {}.{}{}",
        count(len_of(&data, "jobs"), "Jungle Grid job", "Jungle Grid jobs"),
        next_cursor_suffix(&data),
        page_note(&fit, "list_jobs")
    );
    Ok(ToolOutput { data, summary })
}

// ---- job id tools ---------------------------------------------------------------------------

/// Arguments of the tools that take only a job id.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct JobIdArgs {
    pub job_id: String,
}

impl JobIdArgs {
    pub fn parse(map: &JsonObject) -> Result<String> {
        Args::new(map).required_id("job_id", &["jobId"])
    }
}

/// Documented shape of a job's status.
#[derive(JsonSchema)]
pub struct JobData {
    pub job_id: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    /// pending, queued, assigned, starting, running, completed, failed, rejected or cancelled.
    /// The last four are terminal.
    pub status: Option<String>,
    pub phase: Option<String>,
    /// Finer execution phase, e.g. waiting_for_capacity, runtime_preparation, executing.
    pub execution_phase: Option<String>,
    pub status_message: Option<String>,
    /// When the current phase began.
    pub phase_started_at: Option<String>,
    /// When the current phase last reported progress.
    pub phase_last_updated_at: Option<String>,
    /// True when the job is waiting longer than usual in its current phase.
    pub delayed_start: Option<bool>,
    /// Why the start is delayed: {code, message}.
    pub delay_reason: Option<Value>,
    /// Failure details when the job failed.
    pub failure: Option<Value>,
    pub artifacts_ready: Option<bool>,
    pub estimated_cost_usd: Option<Value>,
    /// Final cost of this job in USD once known, else null.
    pub actual_cost_usd: Option<f64>,
    /// Billing status of this job (the account-wide total is in account_billing).
    pub billing: Option<Map<String, Value>>,
}

pub static GET_JOB: ToolDef = ToolDef {
    name: "get_job",
    title: "Get a Jungle Grid job",
    description: "A job's status snapshot: status, execution phase, message, phase timing, start delay (delayed_start, delay_reason), routing, failure, cost and artifact readiness. A supported estimate does not guarantee startup.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: READ_SCOPES,
    input_schema: LazyLock::new(input_schema::<JobIdArgs>),
    output_schema: LazyLock::new(output_schema::<JobData>),
    handler: |ctx, args| Box::pin(get_job(ctx, args)),
};

pub async fn get_job(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let job_id = JobIdArgs::parse(args)?;
    let data = normalize_job_billing(ctx.api.get_job(&job_id).await?);
    let summary = job_summary(&data);
    Ok(ToolOutput { data, summary })
}

pub fn job_summary(data: &Value) -> String {
    let mut s = format!(
        "Job {} is {}",
        first_text(data, &["job_id", "id"]).unwrap_or_else(|| "unknown".into()),
        text_of(data, "status").unwrap_or_else(|| "unknown".into())
    );
    if let Some(phase) = first_text(data, &["execution_phase", "phase"]) {
        s.push_str(&format!(" ({phase})"));
    }
    s.push('.');
    if let Some(started) = text_of(data, "phase_started_at") {
        s.push_str(&format!(" phase_started_at={started}"));
        if let Some(updated) = text_of(data, "phase_last_updated_at") {
            s.push_str(&format!(" phase_last_updated_at={updated}"));
        }
    }
    if data.get("delayed_start") == Some(&Value::Bool(true))
        && let Some(message) = data.get("delay_reason").and_then(|r| text_of(r, "message"))
    {
        s.push_str(&format!(" Delayed in current phase: {message}"));
    }
    s
}

/// Contract Part B 3.4: the job's own cost is `actual_cost_usd`; account-wide totals are removed
/// from the job (they are not this job's cost) and kept only in `account_billing`.
pub fn normalize_job_billing(data: Value) -> Value {
    let Value::Object(mut job) = data else {
        return data;
    };
    if job.is_empty() {
        return Value::Object(job);
    }
    job.remove("total_spent_usd");
    match job.get_mut("billing") {
        Some(Value::Object(billing)) if !billing.is_empty() => {
            billing.remove("total_spent_usd");
            if !billing.get("actual_cost_usd").is_some_and(Value::is_number) {
                let fallback = ["final_cost_usd", "cost_usd"]
                    .iter()
                    .find_map(|k| billing.get(*k).filter(|v| v.is_number()).cloned());
                if let Some(v) = fallback {
                    billing.insert("actual_cost_usd".into(), v);
                }
            }
            billing.remove("cost_usd");
            let billed = billing
                .get("actual_cost_usd")
                .filter(|v| v.is_number())
                .cloned()
                .unwrap_or(Value::Null);
            if !job.get("actual_cost_usd").is_some_and(Value::is_number) {
                job.insert("actual_cost_usd".into(), billed);
            }
        }
        _ => {
            job.entry("actual_cost_usd").or_insert(Value::Null);
        }
    }
    Value::Object(job)
}

/// Arguments of `get_job_events`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct JobEventsArgs {
    pub job_id: String,
    /// next_cursor of the previous page.
    pub cursor: Option<String>,
}

impl JobEventsArgs {
    pub fn parse(map: &JsonObject) -> Result<(String, Option<String>)> {
        let a = Args::new(map);
        Ok((a.required_id("job_id", &["jobId"])?, a.cursor("cursor")?))
    }
}

/// Documented shape of lifecycle events.
#[derive(JsonSchema)]
pub struct EventsData {
    pub job_id: Option<String>,
    pub status: Option<String>,
    pub phase: Option<String>,
    /// Events in order: id, type, phase, title, message, source, level, created_at, sequence.
    pub items: Option<Vec<Map<String, Value>>>,
    /// Present when the events did not all fit the size limit: pass it as cursor for the rest.
    pub next_cursor: Option<Value>,
    pub has_more: Option<bool>,
}

pub static GET_JOB_EVENTS: ToolDef = ToolDef {
    name: "get_job_events",
    title: "Get a job's lifecycle events",
    description: "A job's lifecycle events (queueing, scheduling, provisioning, runtime preparation, execution). They exist before any log: call this while the job is queued or starting, or when its logs are empty.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: READ_SCOPES,
    input_schema: LazyLock::new(input_schema::<JobEventsArgs>),
    output_schema: LazyLock::new(output_schema::<EventsData>),
    handler: |ctx, args| Box::pin(get_job_events(ctx, args)),
};

pub async fn get_job_events(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let (job_id, cursor) = JobEventsArgs::parse(args)?;
    let from = own_page_start(cursor, "get_job_events").map_err(Error::invalid_argument)?;
    let mut data = ctx.api.job_events(&job_id).await?;
    let fit = fit_page(&mut data, "items", &from, data_budget(ctx.limits.max_chars));
    let mut summary = format!(
        "Fetched {}.",
        count(
            len_of(&data, "items"),
            "lifecycle event",
            "lifecycle events"
        )
    );
    let latest = data
        .get("items")
        .and_then(Value::as_array)
        .and_then(|items| items.last())
        .and_then(|item| text_of(item, "title"));
    if let Some(title) = latest {
        summary.push_str(&format!(" Latest: {title}."));
    }
    summary.push_str(&page_note(&fit, "get_job_events"));
    Ok(ToolOutput { data, summary })
}

// ---- get_job_logs ---------------------------------------------------------------------------

/// Arguments of `get_job_logs`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct JobLogsArgs {
    pub job_id: String,
    /// Default 100.
    #[schemars(range(min = 1, max = 1000))]
    pub limit: Option<u32>,
    /// next_cursor of the previous page.
    pub cursor: Option<String>,
}

impl JobLogsArgs {
    pub fn parse(map: &JsonObject) -> Result<(String, LogsQuery)> {
        let a = Args::new(map);
        let job_id = a.required_id("job_id", &["jobId"])?;
        let query = LogsQuery {
            limit: a.limit("limit", LOGS_DEFAULT_LIMIT, LOGS_MAX_LIMIT)?,
            cursor: a.cursor("cursor")?,
        };
        Ok((job_id, query))
    }
}

/// Documented shape of a log page.
#[derive(JsonSchema)]
pub struct LogsData {
    pub job_id: Option<String>,
    /// Entries: entry_id, source, category (workload_stdout, workload_stderr, platform, runtime),
    /// stream, message, truncated, created_at.
    pub items: Option<Vec<Map<String, Value>>>,
    /// Pass as cursor for the next page; null when there is no more.
    pub next_cursor: Option<Value>,
    pub has_more: Option<bool>,
    pub failure_highlight: Option<Value>,
    pub usage_hint: Option<String>,
}

pub static GET_JOB_LOGS: ToolDef = ToolDef {
    name: "get_job_logs",
    title: "Get a job's logs",
    description: "A page of a job's persisted logs (not a live stream). Each entry's category tells platform and runtime lines from workload_stdout and workload_stderr.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["logs:read", "jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<JobLogsArgs>),
    output_schema: LazyLock::new(output_schema::<LogsData>),
    handler: |ctx, args| Box::pin(get_job_logs(ctx, args)),
};

pub async fn get_job_logs(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let (job_id, query) = JobLogsArgs::parse(args)?;
    let from = page_start(query.cursor, query.limit).map_err(Error::invalid_argument)?;
    let query = LogsQuery {
        limit: from.limit,
        cursor: from.api_cursor.clone(),
    };
    let mut data = ctx.api.job_logs(&job_id, &query).await?;
    let fit = fit_page(&mut data, "items", &from, data_budget(ctx.limits.max_chars));
    let mut summary = format!(
        "Fetched {}.{}",
        count(len_of(&data, "items"), "log entry", "log entries"),
        next_cursor_suffix(&data)
    );
    if let Some(hint) = text_of(&data, "usage_hint") {
        summary.push_str(&format!(" {hint}"));
    }
    summary.push_str(&page_note(&fit, "get_job_logs"));
    Ok(ToolOutput { data, summary })
}

// ---- cancel_job -----------------------------------------------------------------------------

/// Arguments of `cancel_job`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct CancelJobArgs {
    pub job_id: String,
    /// Default "Cancelled via MCP".
    pub reason: Option<String>,
}

impl CancelJobArgs {
    pub fn parse(map: &JsonObject) -> Result<(String, CancelRequest)> {
        let a = Args::new(map);
        let job_id = a.required_id("job_id", &["jobId"])?;
        let reason = a
            .string("reason", &[])?
            .unwrap_or_else(|| DEFAULT_CANCEL_REASON.to_string());
        Ok((job_id, CancelRequest { reason }))
    }
}

/// Documented shape of a cancellation.
#[derive(JsonSchema)]
pub struct CancelData {
    pub job_id: Option<String>,
    pub status: Option<String>,
    pub cancelled: Option<bool>,
    pub message: Option<String>,
}

pub static CANCEL_JOB: ToolDef = ToolDef {
    name: "cancel_job",
    title: "Cancel a Jungle Grid job",
    description: "Cancel an unfinished job. This can stop active execution and prevent further outputs: confirm with the user first. A job already finished gives CONFLICT.",
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
    scopes: SUBMIT_SCOPES,
    input_schema: LazyLock::new(input_schema::<CancelJobArgs>),
    output_schema: LazyLock::new(output_schema::<CancelData>),
    handler: |ctx, args| Box::pin(cancel_job(ctx, args)),
};

pub async fn cancel_job(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let (job_id, request) = CancelJobArgs::parse(args)?;
    let data = ctx.api.cancel_job(&job_id, &request).await?;
    let mut summary = format!("Cancellation requested for job {job_id}.");
    if let Some(status) = text_of(&data, "status") {
        summary.push_str(&format!(" status={status}."));
    }
    Ok(ToolOutput { data, summary })
}

// ---- wait_for_job ---------------------------------------------------------------------------

pub const TERMINAL_STATUSES: [&str; 4] = ["completed", "failed", "rejected", "cancelled"];
/// Default wait of one call for clients that allow long requests; `ctx.limits.max_wait` (the
/// client's limit, see `config::clients`) shortens it for the others.
pub const WAIT_DEFAULT_SECONDS: f64 = 45.0;
pub const WAIT_MAX_SECONDS: f64 = 1800.0;
const WAIT_MAX_POLL: Duration = Duration::from_secs(15);
/// Log pages read to find the last lines of a finished job (bounded: logs can be long).
const WAIT_MAX_LOG_PAGES: usize = 10;

/// Arguments of `wait_for_job`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct WaitForJobArgs {
    pub job_id: String,
    /// Default and most: what this client allows.
    #[schemars(range(min = 1, max = 1800))]
    pub timeout_seconds: Option<f64>,
    /// Default 2, grows to 15.
    #[schemars(range(min = 0.1, max = 60))]
    pub poll_interval_seconds: Option<f64>,
    /// Last log entries returned when the job ends (default 20).
    #[schemars(range(min = 0, max = 200))]
    pub log_lines: Option<u32>,
}

/// A validated wait_for_job call.
pub struct WaitPlan {
    pub job_id: String,
    pub timeout: Duration,
    /// Whether the call named its own `timeout_seconds` (else `timeout` is the default).
    pub requested: bool,
    pub poll: Duration,
    pub log_lines: usize,
}

impl WaitForJobArgs {
    pub fn parse(map: &JsonObject) -> Result<WaitPlan> {
        let a = Args::new(map);
        let job_id = a.required_id("job_id", &["jobId"])?;
        let positive = |key: &'static str, default: f64, min: f64, max: f64| -> Result<f64> {
            match a.number(key, &[])? {
                None => Ok(default),
                Some(n) if n <= 0.0 => Err(crate::error::Error::invalid_argument(format!(
                    "{key} must be greater than 0."
                ))),
                Some(n) => Ok(n.clamp(min, max)),
            }
        };
        let timeout = positive(
            "timeout_seconds",
            WAIT_DEFAULT_SECONDS,
            1.0,
            WAIT_MAX_SECONDS,
        )?;
        let poll = positive("poll_interval_seconds", 2.0, 0.1, 60.0)?;
        let log_lines = match a.number("log_lines", &[])? {
            None => 20,
            Some(n) if n < 0.0 => {
                return Err(crate::error::Error::invalid_argument(
                    "log_lines must be 0 or more.",
                ));
            }
            Some(n) => (n.floor() as usize).min(200),
        };
        Ok(WaitPlan {
            job_id,
            timeout: Duration::from_secs_f64(timeout),
            requested: a.number("timeout_seconds", &[])?.is_some(),
            poll: Duration::from_secs_f64(poll),
            log_lines,
        })
    }
}

/// Documented shape of a finished (or timed-out) wait.
#[derive(JsonSchema)]
pub struct WaitData {
    /// The job as get_job returns it.
    pub job: Option<Map<String, Value>>,
    /// True when the job was still running at the end of the wait: call wait_for_job again.
    pub timed_out: Option<bool>,
    /// How long this call waited.
    pub waited_seconds: Option<f64>,
    /// True when the requested timeout_seconds was longer than the server's limit per call.
    pub capped: Option<bool>,
    /// How long this call was allowed to wait (the request, or the server's limit).
    pub wait_limit_seconds: Option<f64>,
    /// The job's last log entries (oldest first).
    pub logs: Option<Vec<Map<String, Value>>>,
    /// Why the logs could not be read, when they could not.
    pub logs_error: Option<String>,
}

pub static WAIT_FOR_JOB: ToolDef = ToolDef {
    name: "wait_for_job",
    title: "Wait for a Jungle Grid job to finish",
    description: "Wait until a job is completed, failed, rejected or cancelled, then return it with its last log lines. One call waits only as long as this client allows (wait_limit_seconds); while the job runs (timed_out: true), call again. Use this instead of polling get_job.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: READ_SCOPES,
    input_schema: LazyLock::new(input_schema::<WaitForJobArgs>),
    output_schema: LazyLock::new(output_schema::<WaitData>),
    handler: |ctx, args| Box::pin(wait_for_job(ctx, args)),
};

pub fn is_terminal(job: &Value) -> bool {
    text_of(job, "status").is_some_and(|s| TERMINAL_STATUSES.contains(&s.as_str()))
}

pub async fn wait_for_job(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let mut plan = WaitForJobArgs::parse(args)?;
    // Only a length the call asked for is "capped"; the default simply fits the client.
    let capped = plan.requested && plan.timeout > ctx.limits.max_wait;
    plan.timeout = plan.timeout.min(ctx.limits.max_wait);
    let started = Instant::now();
    let mut delay = plan.poll;
    let (job, timed_out) = loop {
        let job = normalize_job_billing(ctx.api.get_job(&plan.job_id).await?);
        let elapsed = started.elapsed();
        if is_terminal(&job) {
            // The final state is the result itself. (A last notification written just before the
            // result can reach clients after the request is settled, and be dropped.)
            break (job, false);
        }
        ctx.report(Progress {
            progress: elapsed.as_secs_f64().max(0.001),
            total: Some(plan.timeout.as_secs_f64()),
            message: wait_progress_message(&job, elapsed),
        });
        let Some(left) = plan.timeout.checked_sub(elapsed).filter(|d| !d.is_zero()) else {
            break (job, true);
        };
        tokio::select! {
            _ = tokio::time::sleep(delay.min(left)) => {}
            _ = ctx.cancel.cancelled() => {
                return Err(crate::error::Error::cancelled("The wait was cancelled."));
            }
        }
        delay = delay.mul_f64(1.5).min(WAIT_MAX_POLL.max(plan.poll));
    };
    let waited = started.elapsed();
    Ok(finish_wait(ctx, &plan, job, timed_out, waited, capped).await)
}

/// The status line of a running wait (progress notifications, a task's status message).
fn wait_progress_message(job: &Value, elapsed: Duration) -> String {
    format!(
        "status={} phase={} elapsed={}s",
        text_of(job, "status").unwrap_or_else(|| "unknown".into()),
        first_text(job, &["execution_phase", "phase"]).unwrap_or_else(|| "-".into()),
        elapsed.as_secs()
    )
}

/// The result of a wait that has ended: the job, its last log lines when it finished.
async fn finish_wait(
    ctx: &ToolContext,
    plan: &WaitPlan,
    job: Value,
    timed_out: bool,
    waited: Duration,
    capped: bool,
) -> ToolOutput {
    let waited = waited.as_secs_f64();
    let (logs, logs_error) = if timed_out || plan.log_lines == 0 {
        (Vec::new(), None)
    } else {
        match last_log_entries(ctx, &plan.job_id, plan.log_lines).await {
            Ok(logs) => (logs, None),
            Err(e) => (Vec::new(), Some(e.detail())),
        }
    };
    let status = text_of(&job, "status").unwrap_or_else(|| "unknown".into());
    let limit = plan.timeout.as_secs_f64();
    let mut summary = if timed_out {
        let cap = if capped {
            format!(" (capped at this server's limit of {limit}s per call)")
        } else {
            String::new()
        };
        format!(
            "Job {} is still {status} after {}s; the wait timed out{cap}. Call wait_for_job again to keep waiting.",
            plan.job_id, waited as u64
        )
    } else {
        format!("Job {} is {status} after {}s.", plan.job_id, waited as u64)
    };
    if let Some(last) = logs.last().and_then(|entry| text_of(entry, "message")) {
        summary.push_str(&format!(" Last log: {}", last.trim_end()));
    }
    let mut data = json!({
        "job": job,
        "timed_out": timed_out,
        "waited_seconds": (waited * 10.0).round() / 10.0,
        "capped": capped,
        "wait_limit_seconds": if limit.fract() == 0.0 { json!(limit as u64) } else { json!(limit) },
        "logs": logs,
    });
    if let Some(e) = logs_error {
        data["logs_error"] = json!(e);
    }
    ToolOutput { data, summary }
}

/// One look at a wait driven from outside (a hosted task, recomputed on each `tasks/get`).
pub enum WaitPoll {
    /// Still running: the status line.
    Running(String),
    /// The wait is over (the job ended, or the deadline passed): its result.
    Done(ToolOutput),
}

/// Reads the job once: the wait's result if it has ended (or `past_deadline`), else its status.
pub async fn poll_wait(
    ctx: &ToolContext,
    plan: &WaitPlan,
    waited: Duration,
    past_deadline: bool,
) -> Result<WaitPoll> {
    let job = normalize_job_billing(ctx.api.get_job(&plan.job_id).await?);
    let terminal = is_terminal(&job);
    if !terminal && !past_deadline {
        return Ok(WaitPoll::Running(wait_progress_message(&job, waited)));
    }
    Ok(WaitPoll::Done(
        finish_wait(ctx, plan, job, !terminal, waited, false).await,
    ))
}

/// The last `n` log entries, reading at most [`WAIT_MAX_LOG_PAGES`] pages.
async fn last_log_entries(ctx: &ToolContext, job_id: &str, n: usize) -> Result<Vec<Value>> {
    let mut tail: VecDeque<Value> = VecDeque::with_capacity(n);
    let mut cursor: Option<String> = None;
    for _ in 0..WAIT_MAX_LOG_PAGES {
        let page = ctx
            .api
            .job_logs(
                job_id,
                &LogsQuery {
                    limit: LOGS_MAX_LIMIT,
                    cursor: cursor.clone(),
                },
            )
            .await?;
        let items = page
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let empty = items.is_empty();
        for item in items {
            if tail.len() == n {
                tail.pop_front();
            }
            tail.push_back(item);
        }
        let next = text_of(&page, "next_cursor");
        if empty
            || next.is_none()
            || page.get("has_more") == Some(&Value::Bool(false))
            || next == cursor
        {
            break;
        }
        cursor = next;
    }
    Ok(tail.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> JsonObject {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn estimate_mapping_vector() {
        let args = obj(json!({
            "workload_type": "fine_tuning", "model_size": 7,
            "image": "pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime",
            "command": ["python", "train.py"], "routing_mode": "cost",
            "template": "lora", "notes": "cheap route"
        }));
        let body =
            serde_json::to_value(EstimateJobArgs::parse(&args).unwrap().into_request()).unwrap();
        assert_eq!(
            body,
            json!({
                "workload_type": "fine-tuning", "model_size_gb": 7,
                "image": "pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime",
                "command": ["python", "train.py"], "optimize_for": "cost",
                "template": "lora", "notes": "cheap route"
            })
        );
    }

    #[test]
    fn estimate_minimal_body_is_exact() {
        let body = EstimateJobArgs::parse(&obj(json!({"workload": "batch"})))
            .unwrap()
            .into_request();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"workload_type":"batch"}"#
        );
    }

    #[test]
    fn submit_mapping_vector() {
        let args = obj(json!({
            "name": "mnist-train", "workload_type": "training", "image": "pytorch/pytorch:2.4.0",
            "command": ["python", "train.py"], "env": {"EPOCHS": "3"},
            "input_files": [{"input_id": "inp_audio"}], "script_files": ["inp_script"],
            "expected_artifacts": ["/workspace/artifacts/transcript.txt"],
            "routing_mode": "balanced", "metadata": {"source": "mcp"}
        }));
        let body =
            serde_json::to_value(SubmitJobArgs::parse(&args).unwrap().into_request()).unwrap();
        assert_eq!(
            body,
            json!({
                "name": "mnist-train", "workload_type": "training", "image": "pytorch/pytorch:2.4.0",
                "command": ["python", "train.py"], "environment": {"EPOCHS": "3"},
                "input_files": [{"input_id": "inp_audio"}], "script_files": [{"input_id": "inp_script"}],
                "expected_artifacts": ["/workspace/artifacts/transcript.txt"],
                "optimize_for": "balanced", "metadata": {"source": "mcp"}
            })
        );
    }

    #[test]
    fn submit_legacy_args_give_the_exact_body() {
        let args =
            obj(json!({"name": "batch-1", "workload": "batch", "image": "python:3.11-slim"}));
        let body = SubmitJobArgs::parse(&args).unwrap().into_request();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"name":"batch-1","workload_type":"batch","image":"python:3.11-slim"}"#
        );
    }

    #[test]
    fn submit_validation_order() {
        let err = |v: Value| SubmitJobArgs::parse(&obj(v)).unwrap_err().message;
        assert_eq!(err(json!({})), "workload_type is required.");
        assert_eq!(err(json!({"workload_type": "batch"})), "name is required.");
        assert_eq!(
            err(json!({"workload_type": "batch", "name": "x"})),
            "image is required."
        );
        assert_eq!(
            err(json!({"workload_type": "batch", "name": "x", "image": "i", "metadata": "m"})),
            "metadata must be an object or a list of { name, value } objects."
        );
        assert_eq!(
            err(
                json!({"workload_type": "batch", "name": "x", "image": "i", "routing_mode": "fast"})
            ),
            "routing_mode must be one of: cost, speed, balanced."
        );
    }

    #[test]
    fn list_and_logs_queries_are_clamped() {
        let q = ListJobsArgs::parse(&obj(
            json!({"limit": 500, "cursor": "10", "status": "completed"}),
        ))
        .unwrap();
        assert_eq!(
            q,
            ListJobsQuery {
                limit: 100,
                cursor: Some("10".into()),
                status: Some("completed".into())
            }
        );
        let (id, q) = JobLogsArgs::parse(&obj(
            json!({"jobId": "job_123", "limit": 5000, "cursor": "abc"}),
        ))
        .unwrap();
        assert_eq!(id, "job_123");
        assert_eq!(
            q,
            LogsQuery {
                limit: 1000,
                cursor: Some("abc".into())
            }
        );
        let q = ListJobsArgs::parse(&obj(json!({}))).unwrap();
        assert_eq!(q.limit, LIST_JOBS_DEFAULT_LIMIT);
    }

    #[test]
    fn cancel_reason_defaults() {
        let (_, body) = CancelJobArgs::parse(&obj(json!({"job_id": "j", "reason": "  "}))).unwrap();
        assert_eq!(body.reason, DEFAULT_CANCEL_REASON);
        let (_, body) =
            CancelJobArgs::parse(&obj(json!({"job_id": "j", "reason": " user requested "})))
                .unwrap();
        assert_eq!(body.reason, "user requested");
        assert_eq!(
            CancelJobArgs::parse(&obj(json!({"jobId": ""})))
                .unwrap_err()
                .message,
            "job_id is required."
        );
    }

    #[test]
    fn billing_normalisation_vector() {
        let input = json!({
            "job_id": "job_123", "status": "pending", "execution_phase": "runtime_preparation",
            "phase_started_at": "2026-06-04T10:00:00Z", "phase_last_updated_at": "2026-06-04T10:06:30Z",
            "wait_duration_seconds": 390, "delayed_start": true,
            "delay_reason": {"code": "RUNTIME_PREPARATION_DELAYED", "message": "The managed runtime has been preparing for more than 5 minutes. The workload command has not started yet."},
            "billing": {"status": "pending", "total_spent_usd": 53.42525}
        });
        let out = normalize_job_billing(input.clone());
        let mut expected = input;
        expected["billing"] = json!({"status": "pending"});
        expected["actual_cost_usd"] = Value::Null;
        assert_eq!(out, expected);
        let text = job_summary(&out);
        assert_eq!(
            text,
            "Job job_123 is pending (runtime_preparation). phase_started_at=2026-06-04T10:00:00Z \
phase_last_updated_at=2026-06-04T10:06:30Z Delayed in current phase: The managed runtime has been \
preparing for more than 5 minutes. The workload command has not started yet."
        );
    }

    #[test]
    fn billing_fallbacks() {
        let out = normalize_job_billing(
            json!({"billing": {"final_cost_usd": 1.25, "cost_usd": 9}, "total_spent_usd": 99}),
        );
        assert_eq!(
            out,
            json!({"billing": {"final_cost_usd": 1.25, "actual_cost_usd": 1.25}, "actual_cost_usd": 1.25})
        );
        let out = normalize_job_billing(
            json!({"job_id": "j", "account_billing": {"lifetime_total_spent_usd": 12.5}}),
        );
        assert_eq!(
            out,
            json!({"job_id": "j", "account_billing": {"lifetime_total_spent_usd": 12.5}, "actual_cost_usd": null})
        );
        assert_eq!(normalize_job_billing(json!({})), json!({}));
        assert_eq!(normalize_job_billing(Value::Null), Value::Null);
    }

    #[test]
    fn estimate_summary_prints_numbers() {
        let text = estimate_summary(
            &json!({"estimated_cost_usd": {"min": 0.1, "max": 0.2}, "likely_gpu_type": "A100"}),
            false,
        );
        assert_eq!(
            text,
            "Estimate available. Likely route: A100. Estimated cost: $0.10-$0.20 USD."
        );
        let text = estimate_summary(&json!({"estimated_cost_usd": 0.3}), true);
        assert!(
            text.ends_with("Estimated cost: $0.30 USD (simulated: nothing is charged)."),
            "{text}"
        );
        let text = estimate_summary(&json!({"available": false}), false);
        assert_eq!(
            text,
            "Estimate not currently available. Likely route: best available route. Estimated cost: unknown USD."
        );
    }
}

//! The simulator's model, and everything derived from it as pure functions of time.
//!
//! A job stores only what was submitted, when, and whether it was cancelled. Its status, events,
//! logs and artifacts are computed from the elapsed simulated time when they are read, so there are
//! no timers, and the same job read at the same instant always looks the same.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Simulated seconds a job waits for capacity, prepares its runtime, and runs.
pub const QUEUED_SECS: f64 = 3.0;
pub const PROVISIONING_SECS: f64 = 5.0;
pub const RUNNING_SECS: f64 = 10.0;
const RUN_START: f64 = QUEUED_SECS + PROVISIONING_SECS;
const RUN_END: f64 = RUN_START + RUNNING_SECS;

/// Everything the simulator remembers (`<dir>/state.json` when persisted).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub jobs: Vec<Job>,
    #[serde(default)]
    pub inputs: Vec<Input>,
    /// Submission counter: orders jobs (newest first) and makes list cursors stable.
    #[serde(default)]
    pub next_seq: u64,
    /// Answers to requests that carried an `Idempotency-Key` (contract Part A.11), kept 24 hours.
    #[serde(default)]
    pub idempotency: Vec<IdempotentAnswer>,
}

/// A successful create answered for an `Idempotency-Key`: repeated as is to the same key and
/// body; the same key with another body is a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotentAnswer {
    pub key: String,
    /// SHA-256 of the route and the canonical JSON body.
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    pub created_ms: u64,
}

impl State {
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.job_id == id)
    }

    pub fn job_mut(&mut self, id: &str) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.job_id == id)
    }

    pub fn input(&self, id: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.input_id == id)
    }

    pub fn input_mut(&mut self, id: &str) -> Option<&mut Input> {
        self.inputs.iter_mut().find(|i| i.input_id == id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostRange {
    pub min: f64,
    pub max: f64,
}

/// An uploaded file as a job sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MountedFile {
    pub input_id: String,
    pub filename: String,
    /// `input` or `script`: how the job referenced it.
    pub kind: String,
    pub mount_path: String,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    pub at_ms: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub job_id: String,
    pub seq: u64,
    pub name: String,
    /// API spelling: inference, training, fine-tuning or batch.
    pub workload_type: String,
    pub image: String,
    /// `command` followed by `args`, as an argv.
    #[serde(default)]
    pub command: Vec<String>,
    /// Names only: values may be secrets and are never shown back.
    #[serde(default)]
    pub environment_keys: Vec<String>,
    #[serde(default)]
    pub files: Vec<MountedFile>,
    #[serde(default)]
    pub expected_artifacts: Vec<String>,
    #[serde(default)]
    pub optimize_for: Option<String>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub model_size_gb: Option<f64>,
    #[serde(default)]
    pub metadata: Option<Value>,
    pub gpu: String,
    pub estimated_cost: CostRange,
    /// What the command will exit with (decided at submit from the command line).
    #[serde(default)]
    pub exit_code: i32,
    /// Real time of submission, in Unix milliseconds.
    pub submitted_ms: u64,
    #[serde(default)]
    pub cancel: Option<Cancellation>,
}

/// Bytes that arrived at an upload URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    pub size_bytes: u64,
    pub sha256: String,
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub input_id: String,
    pub filename: String,
    pub content_type: String,
    pub kind: String,
    /// The secret part of upload_url.
    pub upload_secret: String,
    /// The token the complete call must present.
    pub token: String,
    pub created_ms: u64,
    pub expires_ms: u64,
    #[serde(default)]
    pub received: Option<Received>,
    #[serde(default)]
    pub completed_ms: Option<u64>,
}

impl Input {
    pub fn ready(&self) -> bool {
        self.completed_ms.is_some()
    }

    pub fn mount_path(&self) -> String {
        mount_path(&self.kind, &self.filename)
    }

    pub fn view(&self) -> Value {
        json!({
            "input_id": self.input_id,
            "filename": self.filename,
            "content_type": self.content_type,
            "size_bytes": self.received.as_ref().map(|r| r.size_bytes),
            "kind": self.kind,
            "status": if self.ready() { "uploaded" } else { "pending" },
            "ready": self.ready(),
            "mount_path": self.mount_path(),
            "sha256": self.received.as_ref().map(|r| r.sha256.clone()),
            "created_at": rfc3339(self.created_ms),
            "uploaded_at": self.completed_ms.map(rfc3339),
            "expires_at": rfc3339(self.expires_ms),
        })
    }
}

pub fn mount_path(kind: &str, filename: &str) -> String {
    if kind == "script" {
        format!("/workspace/scripts/{filename}")
    } else {
        format!("/workspace/inputs/{filename}")
    }
}

// ---- estimate -------------------------------------------------------------------------------

/// A simulated GPU tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tier {
    pub name: &'static str,
    /// Largest model (GB) routed to this tier.
    pub max_model_gb: f64,
    pub hourly_usd: f64,
}

pub const TIERS: [Tier; 3] = [
    Tier {
        name: "L4",
        max_model_gb: 16.0,
        hourly_usd: 0.80,
    },
    Tier {
        name: "A100-40GB",
        max_model_gb: 40.0,
        hourly_usd: 1.90,
    },
    Tier {
        name: "H100-80GB",
        max_model_gb: 80.0,
        hourly_usd: 3.50,
    },
];

pub const WORKLOAD_TYPES: [&str; 4] = ["inference", "training", "fine-tuning", "batch"];

/// The API spelling of a workload type (`fine_tuning` is accepted too).
pub fn normalize_workload(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "inference" => Some("inference"),
        "training" => Some("training"),
        "fine-tuning" | "fine_tuning" => Some("fine-tuning"),
        "batch" => Some("batch"),
        _ => None,
    }
}

/// Model size assumed when none is given.
fn default_model_gb(workload: &str) -> f64 {
    match workload {
        "training" | "fine-tuning" => 24.0,
        _ => 8.0,
    }
}

/// Typical run time in minutes, for the cost range.
fn runtime_minutes(workload: &str) -> (f64, f64) {
    match workload {
        "inference" => (5.0, 15.0),
        "batch" => (10.0, 30.0),
        "fine-tuning" => (30.0, 90.0),
        _ => (60.0, 180.0),
    }
}

/// The smallest tier that fits the model; `None` when none does.
pub fn pick_tier(workload: &str, model_size_gb: Option<f64>) -> Option<Tier> {
    let size = model_size_gb.unwrap_or_else(|| default_model_gb(workload));
    TIERS.into_iter().find(|t| size <= t.max_model_gb)
}

fn cents(usd: f64) -> f64 {
    ((usd * 100.0).round() / 100.0).max(0.01)
}

pub fn cost_range(workload: &str, tier: Tier) -> CostRange {
    let (min, max) = runtime_minutes(workload);
    CostRange {
        min: cents(tier.hourly_usd * min / 60.0),
        max: cents(tier.hourly_usd * max / 60.0),
    }
}

/// The body of `POST /v1/mcp/jobs/estimate`.
pub fn estimate_view(workload: &str, model_size_gb: Option<f64>, optimize_for: &str) -> Value {
    let size = model_size_gb.unwrap_or_else(|| default_model_gb(workload));
    let size_text = match model_size_gb {
        Some(gb) => format!("model_size_gb={gb}"),
        None => format!("no model_size_gb given; assumed {size} GB for {workload}"),
    };
    let tier = pick_tier(workload, model_size_gb);
    let cost = tier.map(|t| cost_range(workload, t));
    let available = tier.is_some();
    let reason = match tier {
        Some(t) => format!(
            "{size_text}: the smallest sandbox tier that fits is {} (up to {} GB); optimize_for={optimize_for}.",
            t.name, t.max_model_gb
        ),
        None => {
            format!("{size_text}: larger than the biggest sandbox tier (H100-80GB, up to 80 GB).")
        }
    };
    let screening_reasons: Vec<String> = if available {
        Vec::new()
    } else {
        vec!["No simulated GPU tier has enough memory for this model.".into()]
    };
    json!({
        "classification": {
            "workload_type": workload,
            "requires_gpu": true,
            "acceleration_requirement": "gpu",
            "confidence": 0.9,
            "reasons": [format!("workload_type {workload} runs on a GPU"), size_text],
        },
        "routing": {
            "route_status": if available { "routable" } else { "unavailable" },
            "selected_accelerator": tier.map(|t| t.name),
            "selected_route_source": "sandbox",
            "selection_reason": reason,
        },
        "capacity": {
            "live_capacity_available": available,
            "live_candidate_count": if available { 1 } else { 0 },
            "managed_capacity_available": available,
            "managed_profile_count": TIERS.len(),
            "estimate_source": "sandbox",
        },
        "capacity_status": {
            "availability": if available { "available" } else { "unavailable" },
            "immediate_capacity_confirmed": available,
        },
        "estimated_cost_usd": cost.map(|c| json!({"min": c.min, "max": c.max})),
        "estimated_cost_min_usd": cost.map(|c| c.min),
        "estimated_cost_max_usd": cost.map(|c| c.max),
        "estimated_hourly_rate_usd": tier.map(|t| t.hourly_usd),
        "available": available,
        "can_submit": available,
        "screening": { "can_submit": available, "reasons": screening_reasons },
        "likely_gpu_type": tier.map(|t| t.name),
        "routed_gpu_tier": tier.map(|t| t.name),
        "unavailable_code": if available { Value::Null } else { json!("NO_CAPACITY") },
        "sandbox": true,
    })
}

// ---- commands -------------------------------------------------------------------------------

/// The argv as a shell would show it (items with spaces or quotes single-quoted).
pub fn command_line(argv: &[String]) -> String {
    if argv.is_empty() {
        return "(the image's default command)".into();
    }
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && !a
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, '\'' | '"' | '\\'))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The exit code a command asks for: `exit N` / `exit(N)` with N > 0 gives N (at most 255); the
/// word `fail` gives 1; anything else succeeds.
pub fn requested_exit_code(line: &str) -> i32 {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("exit") {
        let at = from + found;
        from = at + 4;
        let starts_word = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        let digits: String = lower[from..]
            .trim_start_matches([' ', '\t', '('])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if starts_word
            && !digits.is_empty()
            && let Some(code) = digits.parse::<u64>().ok().filter(|c| *c > 0)
        {
            return code.min(255) as i32;
        }
    }
    if lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "fail")
    {
        return 1;
    }
    0
}

// ---- lifecycle ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Queued,
    Provisioning,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl Stage {
    pub fn status(self) -> &'static str {
        match self {
            Stage::Queued => "queued",
            Stage::Provisioning => "provisioning",
            Stage::Running => "running",
            Stage::Completed => "completed",
            Stage::Failed => "failed",
            Stage::Cancelled => "cancelled",
        }
    }

    pub fn execution_phase(self) -> &'static str {
        match self {
            Stage::Queued => "waiting_for_capacity",
            Stage::Provisioning => "runtime_preparation",
            Stage::Running => "executing",
            Stage::Completed | Stage::Failed => "finished",
            Stage::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Stage::Completed | Stage::Failed | Stage::Cancelled)
    }
}

/// A job's state at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub stage: Stage,
    pub phase_started_ms: u64,
    pub phase_updated_ms: u64,
    /// Simulated seconds since submission (frozen at cancellation).
    pub elapsed: f64,
}

impl Job {
    /// Simulated seconds from submission to real time `at_ms`.
    pub fn sim_secs(&self, at_ms: u64, scale: f64) -> f64 {
        at_ms.saturating_sub(self.submitted_ms) as f64 / 1000.0 * scale
    }

    /// Real time (Unix ms) at which `sim` simulated seconds have passed.
    pub fn real_ms(&self, sim: f64, scale: f64) -> u64 {
        self.submitted_ms + (sim * 1000.0 / scale).round() as u64
    }

    /// Simulated time up to which the job's history exists: now, or the cancellation.
    fn horizon(&self, now_ms: u64, scale: f64) -> f64 {
        let until = self.cancel.as_ref().map_or(now_ms, |c| c.at_ms.min(now_ms));
        self.sim_secs(until, scale)
    }

    pub fn snapshot(&self, now_ms: u64, scale: f64) -> Snapshot {
        if let Some(cancel) = &self.cancel {
            return Snapshot {
                stage: Stage::Cancelled,
                phase_started_ms: cancel.at_ms,
                phase_updated_ms: cancel.at_ms,
                elapsed: self.sim_secs(cancel.at_ms, scale),
            };
        }
        let t = self.sim_secs(now_ms, scale);
        let (stage, began) = if t < QUEUED_SECS {
            (Stage::Queued, 0.0)
        } else if t < RUN_START {
            (Stage::Provisioning, QUEUED_SECS)
        } else if t < RUN_END {
            (Stage::Running, RUN_START)
        } else if self.exit_code == 0 {
            (Stage::Completed, RUN_END)
        } else {
            (Stage::Failed, RUN_END)
        };
        let phase_started_ms = self.real_ms(began, scale);
        Snapshot {
            stage,
            phase_started_ms,
            phase_updated_ms: if stage.is_terminal() {
                phase_started_ms
            } else {
                now_ms.max(phase_started_ms)
            },
            elapsed: t,
        }
    }

    fn command_text(&self) -> String {
        command_line(&self.command)
    }

    /// What this job costs: the low end of its estimate once it ran, a share of it when cancelled
    /// while running, nothing when cancelled before.
    fn actual_cost(&self, snap: &Snapshot) -> f64 {
        let ran = ((snap.elapsed - RUN_START) / RUNNING_SECS).clamp(0.0, 1.0);
        match snap.stage {
            Stage::Completed | Stage::Failed => self.estimated_cost.min,
            Stage::Cancelled => (self.estimated_cost.min * ran * 10_000.0).round() / 10_000.0,
            _ => 0.0,
        }
    }

    /// The body of `GET /v1/mcp/jobs/{id}`.
    pub fn view(&self, now_ms: u64, scale: f64) -> Value {
        let snap = self.snapshot(now_ms, scale);
        let stage = snap.stage;
        let reached = |sim: f64| (snap.elapsed >= sim).then(|| rfc3339(self.real_ms(sim, scale)));
        let started_at = reached(RUN_START);
        let finished_at = match stage {
            Stage::Completed | Stage::Failed | Stage::Cancelled => {
                Some(rfc3339(snap.phase_started_ms))
            }
            _ => None,
        };
        let waited_until = if snap.elapsed >= RUN_START {
            self.real_ms(RUN_START, scale)
        } else {
            snap.phase_updated_ms
        };
        let status_message = match stage {
            Stage::Queued => format!("Waiting for simulated {} capacity.", self.gpu),
            Stage::Provisioning => format!(
                "Preparing the runtime: pulling {} and mounting {} file(s).",
                self.image,
                self.files.len()
            ),
            Stage::Running => "Running the workload command.".to_string(),
            Stage::Completed => "Completed: the command exited with code 0.".to_string(),
            Stage::Failed => format!("Failed: the command exited with code {}.", self.exit_code),
            Stage::Cancelled => format!(
                "Cancelled: {}",
                self.cancel.as_ref().map_or("", |c| c.reason.as_str())
            ),
        };
        let failure = (stage == Stage::Failed).then(|| {
            json!({
                "code": "WORKLOAD_EXIT_NONZERO",
                "message": format!("The workload command exited with code {}.", self.exit_code),
                "exit_code": self.exit_code,
            })
        });
        let billing = if stage.is_terminal() {
            json!({"status": "final", "actual_cost_usd": self.actual_cost(&snap)})
        } else {
            json!({"status": "pending", "actual_cost_usd": null})
        };
        let files = |kind: &str| -> Vec<Value> {
            self.files
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| {
                    json!({"input_id": f.input_id, "filename": f.filename,
                           "mount_path": f.mount_path, "size_bytes": f.size_bytes})
                })
                .collect()
        };
        json!({
            "job_id": self.job_id,
            "id": self.job_id,
            "name": self.name,
            "status": stage.status(),
            "phase": stage.execution_phase(),
            "execution_phase": stage.execution_phase(),
            "status_message": status_message,
            "status_reason": self.cancel.as_ref().map(|c| c.reason.clone()),
            "workload_type": self.workload_type,
            "image": self.image,
            "command": self.command,
            "environment_keys": self.environment_keys,
            "created_at": rfc3339(self.submitted_ms),
            "submitted_at": rfc3339(self.submitted_ms),
            "updated_at": rfc3339(snap.phase_updated_ms),
            "last_status_update": rfc3339(snap.phase_started_ms),
            "phase_started_at": rfc3339(snap.phase_started_ms),
            "phase_last_updated_at": rfc3339(snap.phase_updated_ms),
            "started_at": started_at,
            "finished_at": finished_at,
            "wait_duration_seconds": waited_until.saturating_sub(self.submitted_ms) / 1000,
            "delayed_start": false,
            "delay_reason": null,
            "scheduling": {
                "state": match stage {
                    Stage::Queued => "waiting_for_capacity",
                    Stage::Provisioning => "assigned",
                    _ => "started",
                },
            },
            "startup_diagnostics": {
                "command_spawned": snap.elapsed >= RUN_START,
                "workload_logs_available": snap.elapsed >= RUN_START,
                "inputs_prepared": (snap.elapsed >= QUEUED_SECS + 2.0) || self.files.is_empty(),
                "scripts_prepared": (snap.elapsed >= QUEUED_SECS + 2.0) || self.files.is_empty(),
            },
            "provider": { "name": "jungle-grid-sandbox", "gpu_type": self.gpu, "region": "sandbox-local" },
            "likely_gpu_type": self.gpu,
            "optimize_for": self.optimize_for,
            "template": self.template,
            "model_size_gb": self.model_size_gb,
            "input_files": files("input"),
            "script_files": files("script"),
            "artifact_contract": { "expected": self.expected_artifacts },
            "artifacts_ready": stage == Stage::Completed,
            "exit_code": matches!(stage, Stage::Completed | Stage::Failed).then_some(self.exit_code),
            "failure": failure,
            "estimated_cost_usd": { "min": self.estimated_cost.min, "max": self.estimated_cost.max },
            "billing": billing,
            "metadata": self.metadata,
            "sandbox": true,
        })
    }

    /// An item of `GET /v1/mcp/jobs`.
    pub fn list_item(&self, now_ms: u64, scale: f64) -> Value {
        let snap = self.snapshot(now_ms, scale);
        json!({
            "job_id": self.job_id,
            "id": self.job_id,
            "name": self.name,
            "status": snap.stage.status(),
            "execution_phase": snap.stage.execution_phase(),
            "workload_type": self.workload_type,
            "created_at": rfc3339(self.submitted_ms),
            "updated_at": rfc3339(snap.phase_updated_ms),
        })
    }
}

// ---- events and logs ------------------------------------------------------------------------

/// One lifecycle event, at simulated second `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: f64,
    pub kind: &'static str,
    pub phase: &'static str,
    pub title: String,
    pub message: String,
    pub source: &'static str,
    pub level: &'static str,
}

impl Job {
    fn event_timeline(&self) -> Vec<Event> {
        let ev = |at, kind, phase, title: &str, message: String, source| Event {
            at,
            kind,
            phase,
            title: title.to_string(),
            message,
            source,
            level: "info",
        };
        let mut events = vec![
            ev(
                0.0,
                "job.queued",
                "waiting_for_capacity",
                "Job queued",
                format!("Waiting for simulated {} capacity.", self.gpu),
                "scheduler",
            ),
            ev(
                QUEUED_SECS,
                "capacity.assigned",
                "runtime_preparation",
                "Capacity assigned",
                format!(
                    "Simulated {} assigned (sandbox: no real compute); preparing the runtime.",
                    self.gpu
                ),
                "scheduler",
            ),
        ];
        if !self.files.is_empty() {
            let paths: Vec<&str> = self.files.iter().map(|f| f.mount_path.as_str()).collect();
            events.push(ev(
                QUEUED_SECS + 2.0,
                "runtime.inputs_prepared",
                "runtime_preparation",
                "Inputs prepared",
                format!("Mounted {}.", paths.join(", ")),
                "runtime",
            ));
        }
        events.push(ev(
            RUN_START - 0.5,
            "runtime.ready",
            "runtime_preparation",
            "Runtime ready",
            format!("Image {} is ready.", self.image),
            "runtime",
        ));
        events.push(ev(
            RUN_START,
            "workload.started",
            "executing",
            "Workload started",
            format!("Running: {}", self.command_text()),
            "runtime",
        ));
        if self.exit_code == 0 {
            events.push(ev(
                RUN_END,
                "job.completed",
                "finished",
                "Job completed",
                format!(
                    "The command exited with code 0; {} artifact(s) ready.",
                    self.expected_artifacts.len()
                ),
                "runtime",
            ));
        } else {
            events.push(Event {
                level: "error",
                ..ev(
                    RUN_END,
                    "job.failed",
                    "finished",
                    "Job failed",
                    format!("The command exited with code {}.", self.exit_code),
                    "runtime",
                )
            });
        }
        events
    }

    /// The events that have happened by `now_ms` (a cancellation ends the history).
    pub fn events(&self, now_ms: u64, scale: f64) -> Vec<Value> {
        let horizon = self.horizon(now_ms, scale);
        let mut items: Vec<(u64, Event)> = self
            .event_timeline()
            .into_iter()
            .filter(|e| e.at <= horizon)
            .map(|e| (self.real_ms(e.at, scale), e))
            .collect();
        if let Some(cancel) = &self.cancel {
            items.push((
                cancel.at_ms,
                Event {
                    at: horizon,
                    kind: "job.cancelled",
                    phase: "cancelled",
                    title: "Job cancelled".into(),
                    message: cancel.reason.clone(),
                    source: "api",
                    level: "warning",
                },
            ));
        }
        items
            .into_iter()
            .enumerate()
            .map(|(i, (at_ms, e))| {
                json!({
                    "id": format!("evt_{}_{}", self.job_id.trim_start_matches("job_"), i + 1),
                    "type": e.kind,
                    "phase": e.phase,
                    "title": e.title,
                    "message": e.message,
                    "source": e.source,
                    "level": e.level,
                    "created_at": rfc3339(at_ms),
                    "sequence": i + 1,
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Platform,
    Stdout,
    Stderr,
}

/// One log line, at simulated second `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at: f64,
    pub category: Category,
    pub message: String,
}

impl Job {
    fn log_timeline(&self) -> Vec<LogLine> {
        let line = |at, category, message: String| LogLine {
            at,
            category,
            message,
        };
        let cmd = self.command_text();
        let mut lines = vec![
            line(
                QUEUED_SECS,
                Category::Platform,
                format!(
                    "Assigned simulated {} capacity (sandbox: no real compute, no cost).",
                    self.gpu
                ),
            ),
            line(
                QUEUED_SECS + 0.5,
                Category::Platform,
                format!("Pulling image {}.", self.image),
            ),
        ];
        let n = self.files.len().max(1) as f64;
        for (i, f) in self.files.iter().enumerate() {
            lines.push(line(
                QUEUED_SECS + 2.0 + i as f64 / n,
                Category::Platform,
                format!("Mounted {} ({} bytes).", f.mount_path, f.size_bytes),
            ));
        }
        lines.push(line(
            RUN_START - 0.5,
            Category::Platform,
            "Runtime ready.".into(),
        ));
        lines.push(line(
            RUN_START,
            Category::Platform,
            format!("Starting workload: {cmd}"),
        ));
        lines.push(line(RUN_START + 0.1, Category::Stdout, format!("$ {cmd}")));
        for step in 1..=3 {
            lines.push(line(
                RUN_START + 2.0 * f64::from(step),
                Category::Stdout,
                format!("[sandbox] simulated step {step}/3"),
            ));
        }
        if self.exit_code == 0 {
            let n = self.expected_artifacts.len().max(1) as f64;
            for (i, path) in self.expected_artifacts.iter().enumerate() {
                lines.push(line(
                    RUN_END - 1.0 + 0.5 * i as f64 / n,
                    Category::Stdout,
                    format!("wrote {path}"),
                ));
            }
            lines.push(line(
                RUN_END - 0.1,
                Category::Stdout,
                "[sandbox] done".into(),
            ));
            lines.push(line(
                RUN_END,
                Category::Platform,
                "Workload exited with code 0.".into(),
            ));
            if !self.expected_artifacts.is_empty() {
                lines.push(line(
                    RUN_END,
                    Category::Platform,
                    format!(
                        "Uploaded {} artifact(s) from /workspace/artifacts.",
                        self.expected_artifacts.len()
                    ),
                ));
            }
        } else {
            lines.push(line(
                RUN_END - 0.2,
                Category::Stderr,
                format!(
                    "Error: simulated failure requested by the command (exit code {}).",
                    self.exit_code
                ),
            ));
            lines.push(line(
                RUN_END,
                Category::Platform,
                format!("Workload exited with code {}.", self.exit_code),
            ));
        }
        lines
    }

    /// The log entries written by `now_ms`, oldest first.
    pub fn logs(&self, now_ms: u64, scale: f64) -> Vec<Value> {
        let horizon = self.horizon(now_ms, scale);
        let mut items: Vec<(u64, LogLine)> = self
            .log_timeline()
            .into_iter()
            .filter(|l| l.at <= horizon)
            .map(|l| (self.real_ms(l.at, scale), l))
            .collect();
        if let Some(cancel) = &self.cancel {
            items.push((
                cancel.at_ms,
                LogLine {
                    at: horizon,
                    category: Category::Platform,
                    message: format!("Job cancelled: {}", cancel.reason),
                },
            ));
        }
        items
            .into_iter()
            .enumerate()
            .map(|(i, (at_ms, l))| {
                let (source, category, stream) = match l.category {
                    Category::Platform => ("platform", "platform", "system"),
                    Category::Stdout => ("workload", "workload_stdout", "stdout"),
                    Category::Stderr => ("workload", "workload_stderr", "stderr"),
                };
                json!({
                    "entry_id": format!("log_{}_{}", self.job_id.trim_start_matches("job_"), i + 1),
                    "source": source,
                    "category": category,
                    "stream": stream,
                    "message": l.message,
                    "truncated": false,
                    "created_at": rfc3339(at_ms),
                })
            })
            .collect()
    }
}

// ---- artifacts ------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    pub artifact_id: String,
    pub path: String,
    pub name: String,
    pub filename: String,
    pub content_type: &'static str,
    pub content: String,
}

impl Job {
    /// One artifact per expected path (they exist once the job is completed).
    pub fn artifacts(&self) -> Vec<Artifact> {
        self.expected_artifacts
            .iter()
            .map(|path| {
                let digest = ring::digest::digest(
                    &ring::digest::SHA256,
                    format!("{}\n{path}", self.job_id).as_bytes(),
                );
                let filename = path.rsplit('/').next().unwrap_or(path).to_string();
                let name = path
                    .strip_prefix("/workspace/artifacts/")
                    .unwrap_or(&filename)
                    .to_string();
                Artifact {
                    artifact_id: format!("art_{}", &hex(digest.as_ref())[..16]),
                    path: path.clone(),
                    content_type: crate::api::transfer::guess_content_type(&filename),
                    content: format!("simulated output of {} for {path}\n", self.job_id),
                    name,
                    filename,
                }
            })
            .collect()
    }

    pub fn artifact_view(&self, artifact: &Artifact, scale: f64) -> Value {
        let at = rfc3339(self.real_ms(RUN_END, scale));
        json!({
            "artifact_id": artifact.artifact_id,
            "id": artifact.artifact_id,
            "name": artifact.name,
            "filename": artifact.filename,
            "path": artifact.path,
            "content_type": artifact.content_type,
            "mime_type": artifact.content_type,
            "size_bytes": artifact.content.len(),
            "status": "ready",
            "ready": true,
            "created_at": at,
            "uploaded_at": at,
        })
    }
}

// ---- small helpers --------------------------------------------------------------------------

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

pub use crate::clock::now_ms;

/// `2026-06-04T10:00:00.000Z`
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Days to civil date (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_780_567_200_000; // 2026-06-04T10:00:00Z

    fn job(command: &[&str]) -> Job {
        let command: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        Job {
            job_id: "job_test".into(),
            seq: 1,
            name: "t".into(),
            workload_type: "batch".into(),
            image: "python:3.11".into(),
            exit_code: requested_exit_code(&command_line(&command)),
            command,
            environment_keys: vec![],
            files: vec![],
            expected_artifacts: vec!["/workspace/artifacts/out.txt".into()],
            optimize_for: None,
            template: None,
            model_size_gb: None,
            metadata: None,
            gpu: "L4".into(),
            estimated_cost: CostRange {
                min: 0.13,
                max: 0.4,
            },
            submitted_ms: T0,
            cancel: None,
        }
    }

    fn status(job: &Job, after_ms: u64, scale: f64) -> &'static str {
        job.snapshot(T0 + after_ms, scale).stage.status()
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(T0), "2026-06-04T10:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(unhex(&hex(b"a:b")).unwrap(), b"a:b");
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("abc"), None);
    }

    #[test]
    fn lifecycle_in_real_time() {
        let j = job(&["python", "run.py"]);
        assert_eq!(status(&j, 0, 1.0), "queued");
        assert_eq!(status(&j, 2_999, 1.0), "queued");
        assert_eq!(status(&j, 3_000, 1.0), "provisioning");
        assert_eq!(status(&j, 7_999, 1.0), "provisioning");
        assert_eq!(status(&j, 8_000, 1.0), "running");
        assert_eq!(status(&j, 17_999, 1.0), "running");
        assert_eq!(status(&j, 18_000, 1.0), "completed");
        assert_eq!(status(&j, 999_999, 1.0), "completed");
        let snap = j.snapshot(T0 + 9_000, 1.0);
        assert_eq!(snap.stage.execution_phase(), "executing");
        assert_eq!(snap.phase_started_ms, T0 + 8_000);
        assert_eq!(snap.phase_updated_ms, T0 + 9_000);
        // A clock that went backwards reads as just submitted.
        assert_eq!(j.snapshot(T0 - 5_000, 1.0).stage, Stage::Queued);
    }

    #[test]
    fn time_scale_compresses_the_lifecycle() {
        let j = job(&["python", "run.py"]);
        assert_eq!(status(&j, 29, 100.0), "queued");
        assert_eq!(status(&j, 30, 100.0), "provisioning");
        assert_eq!(status(&j, 80, 100.0), "running");
        assert_eq!(status(&j, 180, 100.0), "completed");
        let view = j.view(T0 + 200, 100.0);
        assert_eq!(view["status"], "completed");
        assert_eq!(view["phase_started_at"], rfc3339(T0 + 180));
        assert_eq!(view["started_at"], rfc3339(T0 + 80));
        assert_eq!(view["artifacts_ready"], true);
        assert_eq!(view["billing"]["status"], "final");
        assert_eq!(view["billing"]["actual_cost_usd"], 0.13);
        assert_eq!(view["failure"], Value::Null);
    }

    #[test]
    fn failing_commands_fail_at_the_end_of_the_run() {
        assert_eq!(requested_exit_code("bash -c 'echo hi; exit 1'"), 1);
        assert_eq!(
            requested_exit_code("python -c 'import sys; sys.exit(3)'"),
            3
        );
        assert_eq!(requested_exit_code("sh -c 'exit 0'"), 0);
        assert_eq!(requested_exit_code("please fail now"), 1);
        assert_eq!(requested_exit_code("python failover.py"), 0);
        assert_eq!(requested_exit_code("myexit 2"), 0);
        assert_eq!(requested_exit_code("exit 300"), 255);
        assert_eq!(requested_exit_code("résumé; exit 4"), 4);
        let j = job(&["bash", "-c", "exit 2"]);
        assert_eq!(j.exit_code, 2);
        assert_eq!(status(&j, 17_999, 1.0), "running");
        assert_eq!(status(&j, 18_000, 1.0), "failed");
        let view = j.view(T0 + 20_000, 1.0);
        assert_eq!(view["failure"]["exit_code"], 2);
        assert_eq!(view["failure"]["code"], "WORKLOAD_EXIT_NONZERO");
        assert_eq!(view["artifacts_ready"], false);
        let logs = j.logs(T0 + 20_000, 1.0);
        assert!(
            logs.iter()
                .any(|l| l["category"] == "workload_stderr" && l["stream"] == "stderr")
        );
        let events = j.events(T0 + 20_000, 1.0);
        assert_eq!(events.last().unwrap()["type"], "job.failed");
        assert_eq!(events.last().unwrap()["level"], "error");
    }

    #[test]
    fn logs_and_events_appear_as_time_passes() {
        let j = job(&["python", "/workspace/scripts/run.py", "--epochs", "3"]);
        assert!(j.logs(T0 + 2_000, 1.0).is_empty());
        assert_eq!(j.events(T0 + 2_000, 1.0).len(), 1);
        let running = j.logs(T0 + 8_500, 1.0);
        assert!(
            running
                .iter()
                .any(|l| l["message"] == "$ python /workspace/scripts/run.py --epochs 3")
        );
        let all = j.logs(T0 + 60_000, 1.0);
        assert!(all.len() > running.len());
        let seqs: Vec<_> = j
            .events(T0 + 60_000, 1.0)
            .iter()
            .map(|e| e["sequence"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
        // Reading twice at the same instant gives the same answer.
        assert_eq!(j.logs(T0 + 9_000, 1.0), j.logs(T0 + 9_000, 1.0));
    }

    #[test]
    fn cancellation_freezes_the_history() {
        let mut j = job(&["python", "run.py"]);
        j.cancel = Some(Cancellation {
            at_ms: T0 + 10_000,
            reason: "user asked".into(),
        });
        let snap = j.snapshot(T0 + 60_000, 1.0);
        assert_eq!(snap.stage, Stage::Cancelled);
        assert_eq!(snap.phase_started_ms, T0 + 10_000);
        let events = j.events(T0 + 60_000, 1.0);
        assert_eq!(events.last().unwrap()["type"], "job.cancelled");
        assert!(events.iter().all(|e| e["type"] != "job.completed"));
        let logs = j.logs(T0 + 60_000, 1.0);
        assert_eq!(logs.last().unwrap()["message"], "Job cancelled: user asked");
        let view = j.view(T0 + 60_000, 1.0);
        assert_eq!(view["status"], "cancelled");
        assert_eq!(view["artifacts_ready"], false);
        // Two of ten simulated running seconds were billed.
        assert_eq!(view["billing"]["actual_cost_usd"], 0.026);
    }

    #[test]
    fn estimates_pick_a_tier_by_model_size() {
        assert_eq!(pick_tier("inference", Some(7.0)).unwrap().name, "L4");
        assert_eq!(pick_tier("inference", Some(16.0)).unwrap().name, "L4");
        assert_eq!(pick_tier("training", Some(30.0)).unwrap().name, "A100-40GB");
        assert_eq!(pick_tier("training", Some(80.0)).unwrap().name, "H100-80GB");
        assert_eq!(pick_tier("training", Some(120.0)), None);
        assert_eq!(pick_tier("fine-tuning", None).unwrap().name, "A100-40GB");
        let e = estimate_view("batch", Some(7.0), "balanced");
        assert_eq!(e["available"], true);
        assert_eq!(e["likely_gpu_type"], "L4");
        assert_eq!(e["estimated_cost_usd"], json!({"min": 0.13, "max": 0.4}));
        let e = estimate_view("training", Some(200.0), "balanced");
        assert_eq!(e["available"], false);
        assert_eq!(e["can_submit"], false);
        assert_eq!(e["estimated_cost_usd"], Value::Null);
        assert_eq!(normalize_workload("fine_tuning"), Some("fine-tuning"));
        assert_eq!(normalize_workload("gaming"), None);
    }

    #[test]
    fn artifacts_are_deterministic() {
        let j = job(&["true"]);
        let a = j.artifacts();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].name, "out.txt");
        assert_eq!(a[0].content_type, "text/plain");
        assert_eq!(
            a[0].content,
            "simulated output of job_test for /workspace/artifacts/out.txt\n"
        );
        assert_eq!(a, j.artifacts());
        assert!(a[0].artifact_id.starts_with("art_"));
    }

    #[test]
    fn command_lines_quote_what_needs_it() {
        let argv: Vec<String> = ["python", "-c", "print('hi')", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(command_line(&argv), r#"python -c 'print('\''hi'\'')' ''"#);
        assert_eq!(command_line(&[]), "(the image's default command)");
    }
}

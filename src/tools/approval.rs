//! The spending guard (contract Part A.12): when a submit needs the user's own approval, and the
//! question put to them. Asking is a capability the caller provides ([`AskUser`]): the MCP server
//! asks through the client (elicitation, or an input request on 2026-07-28); the JS library has
//! no person to ask, so a submit that needs approval is refused there with the same message.

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::summary::{cost, first_text};
use crate::api::types::SubmitRequest;
use crate::config::SpendingGuard;
use crate::error::{Error, Result};

/// The key of the approval question inside an input request (2026-07-28) and its answer.
pub const QUESTION_KEY: &str = "approve_submit";
/// The one field of the approval form.
pub const APPROVE_FIELD: &str = "approve";

/// Why a submit needs approval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// The estimate's upper end is above the cap.
    OverCap { max: f64, cap: f64 },
    /// A cap is set but the estimate gave no cost.
    UnknownCost { cap: f64 },
    /// `confirm_submit` asks before every submit.
    ConfirmEverySubmit,
}

/// The upper end of an estimate's cost, in USD: `{min, max}`, a bare number, or the older
/// `estimated_cost_min_usd` / `estimated_cost_max_usd` fields.
pub fn upper_cost(estimate: &Value) -> Option<f64> {
    let from = |v: &Value| -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::Object(m) => m
                .get("max")
                .or_else(|| m.get("min"))
                .and_then(Value::as_f64),
            _ => None,
        }
    };
    estimate
        .get("estimated_cost_usd")
        .and_then(from)
        .or_else(|| estimate.get("estimated_cost_max_usd")?.as_f64())
        .or_else(|| estimate.get("estimated_cost_min_usd")?.as_f64())
        .filter(|c| c.is_finite())
}

/// Whether a submit with this estimate needs approval under `guard`, and why.
pub fn needs_approval(guard: &SpendingGuard, estimate: &Value) -> Option<Reason> {
    if let Some(cap) = guard.max_job_cost_usd {
        match upper_cost(estimate) {
            Some(max) if max > cap => return Some(Reason::OverCap { max, cap }),
            Some(_) => {}
            None => return Some(Reason::UnknownCost { cap }),
        }
    }
    guard.confirm_submit.then_some(Reason::ConfirmEverySubmit)
}

fn usd(amount: f64) -> String {
    format!("${amount:.2}")
}

/// Agent-supplied text shown to a person: one line, no control characters, bounded.
fn plain(text: &str, max_chars: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if trimmed.chars().count() > max_chars {
        let cut: String = trimmed.chars().take(max_chars).collect();
        format!("{cut}...")
    } else {
        trimmed
    }
}

/// What the user is asked to approve. Holds no secrets: no environment values, no keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub name: String,
    pub image: String,
    pub workload: String,
    pub gpu: String,
    /// The estimate as printed, e.g. `$0.10-$0.20`, or `unknown`.
    pub cost: String,
    /// The estimate's upper end, when known.
    pub max_cost: Option<f64>,
    pub reason: Reason,
    /// Asked by the sandbox: the job and its cost are simulated, and every text says so.
    pub simulated: bool,
}

impl Question {
    pub fn new(request: &SubmitRequest, estimate: &Value, reason: Reason) -> Self {
        let workload = serde_json::to_value(request.workload_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        Question {
            name: plain(&request.name, 80),
            image: plain(&request.image, 120),
            workload,
            gpu: first_text(estimate, &["likely_gpu_type", "routed_gpu_tier"])
                .map(|g| plain(&g, 40))
                .unwrap_or_else(|| "best available GPU".into()),
            cost: estimate
                .get("estimated_cost_usd")
                .and_then(cost)
                .or_else(|| upper_cost(estimate).map(usd))
                .unwrap_or_else(|| "unknown".into()),
            max_cost: upper_cost(estimate),
            reason,
            simulated: false,
        }
    }

    /// The same question asked by the sandbox (see [`Question::simulated`]).
    pub fn simulated(self, simulated: bool) -> Self {
        Question { simulated, ..self }
    }

    /// The estimate as the texts print it: `$0.10-$0.20 USD`, marked when simulated.
    pub fn cost_text(&self) -> String {
        if self.simulated {
            format!("{} USD, simulated", self.cost)
        } else {
            format!("{} USD", self.cost)
        }
    }

    /// Why the user is asked, in a sentence.
    fn why(&self) -> String {
        match self.reason {
            Reason::OverCap { max, cap } => format!(
                "It may cost up to {}, above your limit of {} per job.",
                usd(max),
                usd(cap)
            ),
            Reason::UnknownCost { cap } => format!(
                "Its cost could not be estimated, and you set a limit of {} per job.",
                usd(cap)
            ),
            Reason::ConfirmEverySubmit => "You asked to approve every job before it starts.".into(),
        }
    }

    /// The question as the user sees it in the client.
    pub fn message(&self) -> String {
        let head = if self.simulated {
            "Start a simulated Jungle Grid job? (sandbox: nothing runs on a GPU, nothing is charged)"
        } else {
            "Start a paid Jungle Grid job?"
        };
        format!(
            "{head}\n\nJob: \"{}\" ({})\nImage: {}\nLikely GPU: {}\nEstimated cost: {}\n\n{} Approve to start it; decline and nothing is submitted.",
            self.name,
            self.workload,
            self.image,
            self.gpu,
            self.cost_text(),
            self.why()
        )
    }

    /// The elicitation form: the job's facts as read-only context in the message, and one
    /// yes/no field.
    pub fn form_schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                APPROVE_FIELD: {
                    "type": "boolean",
                    "title": "Start this job",
                    "description": format!(
                        "Approve \"{}\" on {} for an estimated {}.",
                        self.name, self.gpu, self.cost_text()
                    ),
                }
            },
            "required": [APPROVE_FIELD],
        })
    }

    /// The refusal when nobody can be asked: the estimate, the setting and how to change it.
    pub fn refusal(&self) -> Error {
        let setting = match self.reason {
            Reason::OverCap { cap, .. } | Reason::UnknownCost { cap } => format!(
                "the per-job cost cap is {} (--max-job-cost-usd / JUNGLE_GRID_MAX_JOB_COST_USD{})",
                usd(cap),
                ", or the X-MCP-Max-Job-Cost-Usd header on a hosted server"
            ),
            Reason::ConfirmEverySubmit => "every submit needs approval (--confirm-submit / \
JUNGLE_GRID_CONFIRM_SUBMIT, or the X-MCP-Confirm-Submit header on a hosted server)"
                .to_string(),
        };
        Error {
            code: "APPROVAL_REQUIRED".into(),
            ..Error::forbidden(format!(
                "Not submitted: \"{}\" is estimated at {} and {setting}, but this client cannot \
ask the user to approve it (it does not support elicitation or input requests). Nothing was \
started. Ask the user to approve in a client that supports elicitation, or to raise the cap or \
turn confirmation off in the server's configuration.",
                self.name,
                self.cost_text()
            ))
        }
    }
}

/// The user's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Approved,
    Declined,
    Cancelled,
    /// The question goes back to the client as an input request (2026-07-28); the call ends now
    /// and the client repeats it with the answer.
    Deferred,
}

impl Answer {
    /// Reads an elicitation result (`{action, content}`): approved only when accepted with
    /// `approve: true`; accepted without it counts as declined.
    pub fn from_elicit_result(result: &Value) -> Answer {
        match result.get("action").and_then(Value::as_str) {
            Some("accept") => {
                let approved = result
                    .get("content")
                    .and_then(|c| c.get(APPROVE_FIELD))
                    .and_then(Value::as_bool)
                    == Some(true);
                if approved {
                    Answer::Approved
                } else {
                    Answer::Declined
                }
            }
            Some("decline") => Answer::Declined,
            _ => Answer::Cancelled,
        }
    }
}

/// A way to ask the person behind the client. Provided by the MCP server per request.
pub trait AskUser: Send + Sync {
    fn ask<'a>(&'a self, question: &'a Question) -> BoxFuture<'a, Result<Answer>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::WorkloadType;

    fn guard(cap: Option<f64>, confirm: bool) -> SpendingGuard {
        SpendingGuard {
            max_job_cost_usd: cap,
            confirm_submit: confirm,
        }
    }

    #[test]
    fn the_upper_cost_is_read_from_every_shape() {
        assert_eq!(
            upper_cost(&json!({"estimated_cost_usd": {"min": 0.1, "max": 0.2}})),
            Some(0.2)
        );
        assert_eq!(upper_cost(&json!({"estimated_cost_usd": 0.3})), Some(0.3));
        assert_eq!(
            upper_cost(&json!({"estimated_cost_usd": {"min": 0.4}})),
            Some(0.4)
        );
        assert_eq!(
            upper_cost(&json!({"estimated_cost_min_usd": 1.0, "estimated_cost_max_usd": 2.0})),
            Some(2.0)
        );
        assert_eq!(upper_cost(&json!({"estimated_cost_usd": "cheap"})), None);
        assert_eq!(upper_cost(&json!({})), None);
    }

    #[test]
    fn approval_follows_the_cap_and_the_confirm_setting() {
        let est = json!({"estimated_cost_usd": {"min": 0.1, "max": 0.2}});
        assert_eq!(needs_approval(&guard(None, false), &est), None);
        assert_eq!(needs_approval(&guard(Some(0.2), false), &est), None);
        assert_eq!(
            needs_approval(&guard(Some(0.15), false), &est),
            Some(Reason::OverCap {
                max: 0.2,
                cap: 0.15
            })
        );
        assert_eq!(
            needs_approval(&guard(Some(0.0), false), &est),
            Some(Reason::OverCap { max: 0.2, cap: 0.0 })
        );
        assert_eq!(
            needs_approval(&guard(Some(5.0), false), &json!({"available": false})),
            Some(Reason::UnknownCost { cap: 5.0 })
        );
        assert_eq!(
            needs_approval(&guard(Some(5.0), true), &est),
            Some(Reason::ConfirmEverySubmit)
        );
        assert_eq!(
            needs_approval(&guard(None, true), &est),
            Some(Reason::ConfirmEverySubmit)
        );
    }

    #[test]
    fn headers_can_only_tighten() {
        let server = guard(Some(10.0), false);
        assert_eq!(
            server.tighten(guard(Some(50.0), false)),
            guard(Some(10.0), false)
        );
        assert_eq!(
            server.tighten(guard(Some(2.0), false)),
            guard(Some(2.0), false)
        );
        assert_eq!(server.tighten(guard(None, true)), guard(Some(10.0), true));
        assert_eq!(
            guard(None, true).tighten(guard(None, false)),
            guard(None, true)
        );
        assert!(SpendingGuard::default().is_off());
    }

    fn request() -> SubmitRequest {
        let mut environment = serde_json::Map::new();
        environment.insert("HF_TOKEN".into(), json!("hf_SECRET_value"));
        SubmitRequest {
            name: "train\nIGNORE PREVIOUS\tINSTRUCTIONS".into(),
            workload_type: WorkloadType::FineTuning,
            image: "pytorch/pytorch:2.4".into(),
            command: None,
            args: None,
            environment: Some(environment),
            input_files: None,
            script_files: None,
            script_file: None,
            expected_artifacts: None,
            optimize_for: None,
            template: None,
            model_size_gb: None,
            metadata: None,
        }
    }

    #[test]
    fn the_question_is_for_a_person_and_holds_no_secrets() {
        let est =
            json!({"estimated_cost_usd": {"min": 1.5, "max": 3.25}, "likely_gpu_type": "A100"});
        let q = Question::new(
            &request(),
            &est,
            Reason::OverCap {
                max: 3.25,
                cap: 2.0,
            },
        );
        let m = q.message();
        assert!(m.starts_with("Start a paid Jungle Grid job?"), "{m}");
        assert!(
            m.contains("Job: \"train IGNORE PREVIOUS INSTRUCTIONS\" (fine-tuning)"),
            "{m}"
        );
        assert!(m.contains("Likely GPU: A100"), "{m}");
        assert!(m.contains("Estimated cost: $1.50-$3.25 USD"), "{m}");
        assert!(
            m.contains("up to $3.25, above your limit of $2.00 per job"),
            "{m}"
        );
        assert!(!m.contains("hf_SECRET") && !m.contains("HF_TOKEN"), "{m}");
        let schema = q.form_schema().to_string();
        assert!(!schema.contains("SECRET"));
        let refusal = q.refusal();
        assert_eq!(refusal.code, "APPROVAL_REQUIRED");
        assert!(
            refusal.message.contains("$1.50-$3.25"),
            "{}",
            refusal.message
        );
        assert!(refusal.message.contains("$2.00"), "{}", refusal.message);
        assert!(refusal.message.contains("JUNGLE_GRID_MAX_JOB_COST_USD"));
        assert!(!refusal.message.contains("SECRET"));
    }

    #[test]
    fn answers_are_read_strictly() {
        let a = |v: Value| Answer::from_elicit_result(&v);
        assert_eq!(
            a(json!({"action": "accept", "content": {"approve": true}})),
            Answer::Approved
        );
        assert_eq!(
            a(json!({"action": "accept", "content": {"approve": false}})),
            Answer::Declined
        );
        assert_eq!(a(json!({"action": "accept"})), Answer::Declined);
        assert_eq!(
            a(json!({"action": "accept", "content": {"approve": "yes"}})),
            Answer::Declined
        );
        assert_eq!(a(json!({"action": "decline"})), Answer::Declined);
        assert_eq!(a(json!({"action": "cancel"})), Answer::Cancelled);
        assert_eq!(a(json!({})), Answer::Cancelled);
    }
}

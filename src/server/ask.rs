//! Asking the user (the spending guard's approval): elicitation for 2025 clients, input requests
//! with a sealed `requestState` for 2026-07-28 clients.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    ElicitRequest, ElicitRequestParams, ElicitationSchema, InputRequest, InputRequests,
    InputRequiredResult, ProtocolVersion,
};
use rmcp::service::RequestContext;

use super::JungleGridServer;
use crate::error::Error;
use crate::tools::approval::{self, Answer, AskUser, Question};

impl JungleGridServer {
    /// How this request can ask the user, if at all: an input request for 2026-07-28 clients
    /// that declare elicitation, elicitation for 2025 clients that declare it (stdio only: the
    /// hosted server is stateless and cannot send requests to the client), else nothing.
    pub(super) fn asker(
        &self,
        context: &RequestContext<RoleServer>,
        binding: &str,
        responses: Option<&rmcp::model::InputResponses>,
        state: Option<&str>,
        pending: &Arc<std::sync::Mutex<Option<Question>>>,
    ) -> Option<Arc<dyn AskUser>> {
        let elicitation = context
            .client_capabilities()
            .and_then(|caps| caps.elicitation)?;
        // Form mode: declared, or implied when no mode is named.
        if elicitation.form.is_none() && elicitation.url.is_some() {
            return None;
        }
        let modern = context
            .protocol_version()
            .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
        if modern {
            let prior = match (state, responses) {
                (Some(state), Some(responses)) => match self.approvals.open(state, binding) {
                    Some(approved_max) => responses
                        .get(approval::QUESTION_KEY)
                        .map(|r| (Answer::from_elicit_result(r), approved_max)),
                    None => {
                        tracing::info!(
                            "approval state not accepted (expired or not ours); asking again"
                        );
                        None
                    }
                },
                _ => None,
            };
            return Some(Arc::new(InputRequestAsker {
                prior,
                pending: pending.clone(),
            }));
        }
        if self.hosted {
            return None;
        }
        Some(Arc::new(ElicitAsker {
            peer: context.peer.clone(),
        }))
    }

    /// The 2026-07-28 form of the question: one elicitation input request and a sealed state
    /// binding the answer to this caller, these arguments and this estimate, for 10 minutes.
    pub(super) fn input_required(&self, question: &Question, binding: &str) -> InputRequiredResult {
        let mut requests = InputRequests::new();
        requests.insert(
            approval::QUESTION_KEY.to_string(),
            InputRequest::Elicitation(ElicitRequest::new(form_request(question))),
        );
        let state = self.approvals.seal(binding, question.max_cost);
        InputRequiredResult::new(Some(requests), Some(state))
    }
}

/// The elicitation form for a question.
fn form_request(question: &Question) -> ElicitRequestParams {
    let schema = match question.form_schema() {
        serde_json::Value::Object(map) => ElicitationSchema::from_json_schema(map).ok(),
        _ => None,
    }
    .unwrap_or_else(|| {
        ElicitationSchema::builder()
            .required_bool_property(approval::APPROVE_FIELD, |b| b.title("Start this job"))
            .build_unchecked()
    });
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: question.message(),
        requested_schema: schema,
    }
}

/// Asks with `elicitation/create` (2025 revisions) and waits for the user.
struct ElicitAsker {
    peer: rmcp::Peer<RoleServer>,
}

impl AskUser for ElicitAsker {
    fn ask<'a>(
        &'a self,
        question: &'a Question,
    ) -> futures_util::future::BoxFuture<'a, crate::error::Result<Answer>> {
        Box::pin(async move {
            match self.peer.create_elicitation(form_request(question)).await {
                Ok(result) => Ok(Answer::from_elicit_result(
                    &serde_json::to_value(&result).unwrap_or_default(),
                )),
                Err(e) => {
                    tracing::info!("elicitation failed: {e}");
                    Err(Error {
                        code: "APPROVAL_UNAVAILABLE".into(),
                        ..Error::forbidden(
                            "Not submitted: the client did not answer the approval request, so \
nothing was started. Ask the user to approve the job, then call submit_job again.",
                        )
                    })
                }
            }
        })
    }
}

/// 2026-07-28: the answer arrives with the repeated call; without one the question is recorded
/// and the call ends with an input request.
struct InputRequestAsker {
    /// The user's answer from the repeated call and the highest cost they were shown.
    prior: Option<(Answer, Option<f64>)>,
    pending: Arc<std::sync::Mutex<Option<Question>>>,
}

impl AskUser for InputRequestAsker {
    fn ask<'a>(
        &'a self,
        question: &'a Question,
    ) -> futures_util::future::BoxFuture<'a, crate::error::Result<Answer>> {
        Box::pin(async move {
            let answer = match self.prior {
                // An approval covers the estimate the user saw, not a higher one.
                Some((Answer::Approved, shown)) => match (question.max_cost, shown) {
                    (Some(now), Some(shown)) if now <= shown + 1e-9 => Some(Answer::Approved),
                    (None, _) => Some(Answer::Approved),
                    _ => None,
                },
                Some((answer, _)) => Some(answer),
                None => None,
            };
            Ok(answer.unwrap_or_else(|| {
                *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(question.clone());
                Answer::Deferred
            }))
        })
    }
}

/// Seals and opens the `requestState` of approval input requests: an HMAC-SHA256 over the
/// expiry, the cost the user was shown and the binding (caller + arguments), so a state cannot be
/// forged, reused for other arguments or another caller, or kept past 10 minutes.
pub(super) struct ApprovalSeal {
    key: ring::hmac::Key,
}

const APPROVAL_TTL_SECS: u64 = 600;

impl ApprovalSeal {
    pub(super) fn random() -> Self {
        let rng = ring::rand::SystemRandom::new();
        let bytes: [u8; 32] = match ring::rand::generate(&rng) {
            Ok(random) => random.expose(),
            Err(_) => {
                // No system randomness: fall back to something unguessable enough per process.
                let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
                let digest = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
                let mut out = [0u8; 32];
                out.copy_from_slice(digest.as_ref());
                out
            }
        };
        ApprovalSeal {
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &bytes),
        }
    }

    pub(super) fn from_secret(secret: &[u8]) -> Self {
        let root = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
        let derived = ring::hmac::sign(&root, b"junglegrid-mcp approval state v1");
        ApprovalSeal {
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref()),
        }
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    fn seal(&self, binding: &str, max_cost: Option<f64>) -> String {
        self.seal_at(binding, max_cost, Self::now())
    }

    fn seal_at(&self, binding: &str, max_cost: Option<f64>, now: u64) -> String {
        let shown = max_cost.map_or_else(|| "none".to_string(), |c| c.to_string());
        let payload = format!("v1:{}:{shown}", now + APPROVAL_TTL_SECS);
        let tag = ring::hmac::sign(&self.key, format!("{payload}:{binding}").as_bytes());
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("{payload}:{hex}")
    }

    /// The cost the user was shown (`None` when unknown), if the state is ours, for this binding
    /// and not expired.
    fn open(&self, state: &str, binding: &str) -> Option<Option<f64>> {
        self.open_at(state, binding, Self::now())
    }

    fn open_at(&self, state: &str, binding: &str, now: u64) -> Option<Option<f64>> {
        let (payload, hex) = state.rsplit_once(':')?;
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let tag: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect::<Option<_>>()?;
        ring::hmac::verify(&self.key, format!("{payload}:{binding}").as_bytes(), &tag).ok()?;
        let mut parts = payload.split(':');
        let (Some("v1"), Some(expires), Some(shown), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if expires.parse::<u64>().ok()? < now {
            return None;
        }
        match shown {
            "none" => Some(None),
            cost => cost.parse::<f64>().ok().map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_states_are_bound_sealed_and_expire() {
        let seal = ApprovalSeal::random();
        let state = seal.seal_at("caller+args", Some(0.2), 1_000);
        assert_eq!(seal.open_at(&state, "caller+args", 1_000), Some(Some(0.2)));
        assert_eq!(seal.open_at(&state, "caller+args", 1_600), Some(Some(0.2)));
        // Expired, other arguments or caller, tampered, or sealed by another key: refused.
        assert_eq!(seal.open_at(&state, "caller+args", 1_601), None);
        assert_eq!(seal.open_at(&state, "caller+other-args", 1_000), None);
        let tampered = state.replacen(":0.2:", ":99:", 1);
        assert_eq!(seal.open_at(&tampered, "caller+args", 1_000), None);
        assert_eq!(
            ApprovalSeal::random().open_at(&state, "caller+args", 1_000),
            None
        );
        assert_eq!(seal.open_at("garbage", "caller+args", 1_000), None);
        assert_eq!(seal.open_at("", "caller+args", 1_000), None);
        // Unknown cost round-trips.
        let unknown = seal.seal_at("b", None, 0);
        assert_eq!(seal.open_at(&unknown, "b", 0), Some(None));
        // Replicas sharing a secret accept each other's states.
        let a = ApprovalSeal::from_secret(b"shared");
        let b = ApprovalSeal::from_secret(b"shared");
        assert_eq!(
            b.open_at(&a.seal_at("x", Some(1.0), 5), "x", 5),
            Some(Some(1.0))
        );
    }
}

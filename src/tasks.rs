//! Stateless task handles for the hosted server (Tasks extension, 2026-07-28).
//!
//! A hosted `wait_for_job` task holds no server-side work and no store: its id carries what is
//! needed to recompute its state (job id, creation time, deadline, log lines) and a hash of its
//! owner (subject and workspace), signed with HMAC-SHA256. Any replica that shares the key
//! verifies the id and answers `tasks/get` by asking the API with the caller's own token; a caller
//! who is not the owner, an id that does not verify and an expired id all get the same
//! `unknown task` error.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// Version prefix of every id this module issues.
const PREFIX: &str = "jgt1";

/// What a task id carries (visible to its holder, but not forgeable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskClaims {
    /// The job being waited for.
    #[serde(rename = "j")]
    pub job_id: String,
    /// SHA-256 of the owner's subject and workspace (base64url), so the id names no one.
    #[serde(rename = "o")]
    pub owner: String,
    /// Creation time, Unix milliseconds.
    #[serde(rename = "c")]
    pub created_ms: u64,
    /// When the wait gives up (the job is reported as still running), Unix milliseconds.
    #[serde(rename = "d")]
    pub deadline_ms: u64,
    /// How many last log lines the final result carries.
    #[serde(rename = "l")]
    pub log_lines: u32,
}

/// The owner hash of a caller: the same subject in the same workspace, and nothing else, matches.
pub fn owner_of(subject: &str, workspace: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(subject.as_bytes());
    ctx.update(&[0]);
    ctx.update(workspace.as_bytes());
    URL_SAFE_NO_PAD.encode(ctx.finish().as_ref())
}

/// Issues and verifies task ids.
pub struct TaskSigner {
    key: hmac::Key,
    /// Whether the key came from configuration (shared by replicas) or was made at start.
    pub shared: bool,
}

impl TaskSigner {
    /// With the configured key, or a random one for this process only.
    pub fn new(key: Option<&Secret>) -> Result<Self, String> {
        match key {
            Some(k) => Ok(TaskSigner {
                key: hmac::Key::new(hmac::HMAC_SHA256, k.expose().as_bytes()),
                shared: true,
            }),
            None => {
                let rng = ring::rand::SystemRandom::new();
                let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng)
                    .map_err(|_| "could not generate a task signing key".to_string())?;
                Ok(TaskSigner { key, shared: false })
            }
        }
    }

    /// `jgt1.<claims>.<signature>`, both parts base64url.
    pub fn issue(&self, claims: &TaskClaims) -> String {
        let body = serde_json::to_vec(claims).unwrap_or_default();
        let payload = format!("{PREFIX}.{}", URL_SAFE_NO_PAD.encode(body));
        let tag = hmac::sign(&self.key, payload.as_bytes());
        format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    /// The claims of an id this key signed; `None` for anything else.
    pub fn verify(&self, id: &str) -> Option<TaskClaims> {
        let (payload, tag) = id.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        hmac::verify(&self.key, payload.as_bytes(), &tag).ok()?;
        let body = payload.strip_prefix(PREFIX)?.strip_prefix('.')?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()
    }
}

/// An RFC 3339 timestamp of Unix milliseconds (the Tasks extension's `createdAt` format).
pub fn timestamp(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub use crate::clock::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> TaskClaims {
        TaskClaims {
            job_id: "job 1/..".into(),
            owner: owner_of("user_a", "wsp_1"),
            created_ms: 1_000,
            deadline_ms: 61_000,
            log_lines: 20,
        }
    }

    #[test]
    fn ids_round_trip_and_resist_tampering() {
        let signer = TaskSigner::new(Some(&Secret::new("k".repeat(32)))).unwrap();
        let id = signer.issue(&claims());
        assert!(id.starts_with("jgt1."));
        assert_eq!(signer.verify(&id), Some(claims()));
        // Another replica with the same key reads it; another key does not.
        let replica = TaskSigner::new(Some(&Secret::new("k".repeat(32)))).unwrap();
        assert_eq!(replica.verify(&id), Some(claims()));
        let other = TaskSigner::new(Some(&Secret::new("x".repeat(32)))).unwrap();
        assert_eq!(other.verify(&id), None);
        assert_eq!(TaskSigner::new(None).unwrap().verify(&id), None);
        // Changing any claim breaks the signature.
        let mut forged = claims();
        forged.owner = owner_of("user_b", "wsp_1");
        let forged_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let tag = id.rsplit_once('.').unwrap().1;
        assert_eq!(signer.verify(&format!("jgt1.{forged_body}.{tag}")), None);
        for junk in ["", ".", "jgt1", "jgt1..", "abc.def", "jgt1.e30.AAAA"] {
            assert_eq!(signer.verify(junk), None, "{junk}");
        }
    }

    #[test]
    fn owners_are_subject_and_workspace() {
        assert_eq!(owner_of("a", "w"), owner_of("a", "w"));
        assert_ne!(owner_of("a", "w"), owner_of("b", "w"));
        assert_ne!(owner_of("a", "w"), owner_of("a", "v"));
        // No ambiguity from concatenation.
        assert_ne!(owner_of("ab", "c"), owner_of("a", "bc"));
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_500), "1970-01-01T00:00:01.500Z");
    }
}

//! How long this client's `wait_for_job` calls may hold a request: the rule of
//! [`crate::config::clients`] (a table of known clients by `clientInfo.name`, a short wait for
//! the others, an explicitly configured `--max-wait-seconds` for all), shortened by what this
//! session learned: a client that cancels a wait before it answered gave up on it, and the
//! next waits end before that point. The Python SDK (2.x) says when in its reason ("timed out
//! after 5.0s"); otherwise the time the wait had run is taken.
//!
//! Only `wait_for_job` calls are watched: no other request pays for this.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::ResultLimits;
use crate::config::clients::{self, WaitRule};

/// Waits being watched at most (a cancellation that never comes leaves one behind).
const MAX_WATCHED: usize = 64;

#[derive(Debug, Default)]
pub struct Waits {
    /// The waits in progress, by request id.
    running: Mutex<HashMap<String, Instant>>,
    /// The shortest time after which this client gave up on a wait.
    gave_up_after: Mutex<Option<Duration>>,
}

impl Waits {
    /// The rule for the next wait of a client called `client`.
    pub fn rule(&self, client: Option<&str>, limits: &ResultLimits) -> WaitRule {
        let learned = *self.gave_up_after.lock().unwrap_or_else(|e| e.into_inner());
        clients::wait_rule(client, learned, limits, limits.wait_configured)
    }

    /// A wait started (request `id`).
    pub fn started(&self, id: String) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.len() >= MAX_WATCHED {
            // The oldest entries belong to cancellations that never came.
            let now = Instant::now();
            running.retain(|_, at| now.duration_since(*at) < Duration::from_secs(3_600));
            if running.len() >= MAX_WATCHED {
                running.clear();
            }
        }
        running.insert(id, Instant::now());
    }

    /// A wait answered: the client was still there.
    pub fn answered(&self, id: &str) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// The client cancelled request `id`. When it was a wait, the client gave up on it: learn
    /// when. Returns what was learned.
    pub fn cancelled(&self, id: &str, reason: Option<&str>) -> Option<Duration> {
        let started = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)?;
        let after = reason
            .and_then(clients::timeout_in_reason)
            .unwrap_or_else(|| started.elapsed());
        // Less than a second is a person or an agent stopping the call, not a timeout.
        if after < Duration::from_secs(1) {
            return None;
        }
        let mut learned = self.gave_up_after.lock().unwrap_or_else(|e| e.into_inner());
        let shorter = learned.map_or(after, |l| l.min(after));
        *learned = Some(shorter);
        Some(shorter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_wait_shortens_the_next_ones() {
        let waits = Waits::default();
        let limits = ResultLimits::default();
        assert_eq!(
            waits.rule(Some("fast-agent-mcp"), &limits).limit,
            Duration::from_secs(50)
        );
        // Another request's cancellation teaches nothing.
        assert_eq!(waits.cancelled("7", Some("timed out after 5.0s")), None);
        waits.started("8".into());
        assert_eq!(
            waits.cancelled("8", Some("timed out after 20.0s")),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            waits.rule(Some("fast-agent-mcp"), &limits).limit,
            Duration::from_secs(16)
        );
        // An answered wait is forgotten; a cancellation after it teaches nothing either.
        waits.started("9".into());
        waits.answered("9");
        assert_eq!(waits.cancelled("9", Some("timed out after 2s")), None);
        // A stop within the first second is not a timeout.
        waits.started("10".into());
        assert_eq!(waits.cancelled("10", None), None);
        // Learning only shortens.
        waits.started("11".into());
        waits.cancelled("11", Some("timed out after 40s"));
        assert_eq!(
            waits.rule(Some("fast-agent-mcp"), &limits).limit,
            Duration::from_secs(16)
        );
    }
}

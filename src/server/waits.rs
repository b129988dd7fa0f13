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

use tokio_util::sync::CancellationToken;

use crate::config::ResultLimits;
use crate::config::clients::{self, WaitRule};

/// Waits being watched at most (a cancellation that never comes leaves one behind).
const MAX_WATCHED: usize = 64;
/// How long a new wait waits for the notification of one the client just cancelled (rmcp has
/// cancelled that request already; its `notifications/cancelled`, with the reason, is being
/// handled on another task).
const SETTLE: Duration = Duration::from_millis(200);

#[derive(Debug)]
struct Running {
    started: Instant,
    cancel: CancellationToken,
}

#[derive(Debug, Default)]
pub struct Waits {
    /// The waits in progress, by request id.
    running: Mutex<HashMap<String, Running>>,
    /// The shortest time after which this client gave up on a wait.
    gave_up_after: Mutex<Option<Duration>>,
    /// Signalled when a cancellation was read.
    settled: tokio::sync::Notify,
}

impl Waits {
    /// The rule for the next wait of a client called `client`. A wait the client cancelled an
    /// instant ago is taken into account first.
    pub async fn rule(&self, client: Option<&str>, limits: &ResultLimits) -> WaitRule {
        let deadline = Instant::now() + SETTLE;
        loop {
            let settled = self.settled.notified();
            if !self.any_cancelled() {
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(left, settled).await.is_err() {
                break;
            }
        }
        // Cancelled with no notification read: the client gave up about now.
        let stale: Vec<Instant> = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            let ids: Vec<String> = running
                .iter()
                .filter(|(_, r)| r.cancel.is_cancelled())
                .map(|(id, _)| id.clone())
                .collect();
            ids.iter()
                .filter_map(|id| running.remove(id))
                .map(|r| r.started)
                .collect()
        };
        for started in stale {
            self.learn(started.elapsed());
        }
        let learned = *self.gave_up_after.lock().unwrap_or_else(|e| e.into_inner());
        clients::wait_rule(client, learned, limits, limits.wait_configured)
    }

    fn any_cancelled(&self) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .any(|r| r.cancel.is_cancelled())
    }

    /// A wait started (request `id`, cancelled through `cancel`).
    pub fn started(&self, id: String, cancel: CancellationToken) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.len() >= MAX_WATCHED {
            // The oldest entries belong to cancellations that never came.
            let now = Instant::now();
            running.retain(|_, r| now.duration_since(r.started) < Duration::from_secs(3_600));
            if running.len() >= MAX_WATCHED {
                running.clear();
            }
        }
        running.insert(
            id,
            Running {
                started: Instant::now(),
                cancel,
            },
        );
    }

    /// A wait answered: the client was still there.
    pub fn answered(&self, id: &str) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// The client's notifications/cancelled for request `id`. When it was a wait, the client gave
    /// up on it: learn when (its reason may say: "timed out after 5.0s", else the time the wait
    /// had run). Returns what was learned.
    pub fn cancelled(&self, id: &str, reason: Option<&str>) -> Option<Duration> {
        let started = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
            .map(|r| r.started);
        let learned = started.and_then(|started| {
            let after = reason
                .and_then(clients::timeout_in_reason)
                .unwrap_or_else(|| started.elapsed());
            self.learn(after)
        });
        self.settled.notify_waiters();
        learned
    }

    fn learn(&self, after: Duration) -> Option<Duration> {
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

    fn start(waits: &Waits, id: &str) -> CancellationToken {
        let ct = CancellationToken::new();
        waits.started(id.into(), ct.clone());
        ct
    }

    #[tokio::test]
    async fn a_cancelled_wait_shortens_the_next_ones() {
        let waits = Waits::default();
        let limits = ResultLimits::default();
        let limit = |w: WaitRule| w.limit.as_secs();
        assert_eq!(limit(waits.rule(Some("fast-agent-mcp"), &limits).await), 50);
        // Another request's cancellation teaches nothing.
        assert_eq!(waits.cancelled("7", Some("timed out after 5.0s")), None);
        let ct = start(&waits, "8");
        ct.cancel();
        assert_eq!(
            waits.cancelled("8", Some("timed out after 20.0s")),
            Some(Duration::from_secs(20))
        );
        assert_eq!(limit(waits.rule(Some("fast-agent-mcp"), &limits).await), 16);
        // An answered wait is forgotten; a cancellation after it teaches nothing either.
        start(&waits, "9");
        waits.answered("9");
        assert_eq!(waits.cancelled("9", Some("timed out after 2s")), None);
        // A stop within the first second is not a timeout.
        start(&waits, "10");
        assert_eq!(waits.cancelled("10", None), None);
        // Learning only shortens.
        start(&waits, "11");
        waits.cancelled("11", Some("timed out after 40s"));
        assert_eq!(limit(waits.rule(Some("fast-agent-mcp"), &limits).await), 16);
    }

    /// The next wait may start before the notification of the last one is handled: it waits
    /// for it (briefly), so it already fits.
    #[tokio::test]
    async fn the_next_wait_sees_a_cancellation_still_being_read() {
        let waits = std::sync::Arc::new(Waits::default());
        let limits = ResultLimits::default();
        let ct = start(&waits, "1");
        ct.cancel();
        let reader = waits.clone();
        let late = tokio::spawn(async move {
            tokio::task::yield_now().await;
            reader.cancelled("1", Some("timed out after 10s"))
        });
        let rule = waits.rule(Some("claude-code"), &limits).await;
        assert_eq!(late.await.unwrap(), Some(Duration::from_secs(10)));
        assert_eq!(rule.limit, Duration::from_secs(8));
    }
}

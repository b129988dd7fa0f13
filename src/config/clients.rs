//! How long one `wait_for_job` call may hold a request, per client: a table of the clients we
//! know (by the `clientInfo.name` they send at initialize) with their default request timeouts,
//! a safe short wait for every other client, and what the server learns when a client gives up
//! on a wait (see `server`, which reads the client's name and the cancellations; this module
//! only decides). Configuration sits below the server and the tools: nothing here knows MCP.
//!
//! The rule: a wait returns a normal result ("still running, call again") before the client's
//! own timeout, so the model never sees a transport timeout; hosts known to allow long requests
//! keep long waits, so an hour-long job costs about 70 calls, not hundreds.

use std::time::Duration;

use super::ResultLimits;

/// One client we know, and the request timeout it uses unless its user changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownClient {
    /// `clientInfo.name` as the client sends it (compared ignoring case; a trailing `*` matches
    /// any name that starts with what comes before it).
    pub name: &'static str,
    /// Its default timeout for one request; `None` when it sets none (waits may be long).
    pub timeout: Option<Duration>,
    /// Who sends this name, and the setting that changes the timeout (for the README).
    pub who: &'static str,
}

const fn secs(s: u64) -> Option<Duration> {
    Some(Duration::from_secs(s))
}

/// The Python SDK's default `clientInfo.name`: openai-agents, langchain-mcp-adapters,
/// llama-index, google-genai and pydantic-ai all send it, with timeouts from 5 s to none.
pub const PYTHON_SDK_DEFAULT_NAME: &str = "mcp";

/// The clients we know. The first row that matches wins.
pub static CLIENTS: &[KnownClient] = &[
    KnownClient {
        name: PYTHON_SDK_DEFAULT_NAME,
        timeout: secs(5),
        who: "the Python SDK's default name, sent by openai-agents (MCPServerStdio \
`client_session_timeout_seconds`, 5 s), llama-index (BasicMCPClient `timeout`, 30 s), pydantic-ai \
(`read_timeout`, 300 s), langchain-mcp-adapters and google-genai (none): the shortest, 5 s, is assumed",
    },
    KnownClient {
        name: "fast-agent-mcp",
        timeout: None,
        who: "fast-agent (`read_timeout_seconds` in fastagent.config.yaml, unset by default)",
    },
    KnownClient {
        name: "mcp-use",
        timeout: None,
        who: "mcp-use over stdio (no per-request timeout by default)",
    },
    KnownClient {
        name: "claude-ai",
        timeout: secs(60),
        who: "Claude Desktop",
    },
    KnownClient {
        name: "claude-code",
        timeout: secs(60),
        who: "Claude Code (`MCP_TOOL_TIMEOUT`)",
    },
    KnownClient {
        name: "cursor*",
        timeout: secs(60),
        who: "Cursor",
    },
    KnownClient {
        name: "Visual Studio Code*",
        timeout: secs(60),
        who: "VS Code",
    },
    KnownClient {
        name: "windsurf*",
        timeout: secs(60),
        who: "Windsurf",
    },
    KnownClient {
        name: "mcp-inspector*",
        timeout: secs(60),
        who: "MCP Inspector (`MCP_SERVER_REQUEST_TIMEOUT`, 60 s; it resets on progress)",
    },
    KnownClient {
        name: "inspector-client*",
        timeout: secs(60),
        who: "MCP Inspector CLI",
    },
];

/// What an unknown client is assumed to allow: the shortest default timeout of a client we know.
pub const UNKNOWN_CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// The wait length when the call names none, for clients that allow long requests.
pub const DEFAULT_LONG_WAIT: Duration = Duration::from_secs(45);

/// The row for `name`, if we know it.
pub fn lookup(name: &str) -> Option<&'static KnownClient> {
    CLIENTS.iter().find(|c| match c.name.strip_suffix('*') {
        Some(prefix) => name
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix)),
        None => name.eq_ignore_ascii_case(c.name),
    })
}

/// The longest wait that still answers before a client's `timeout`: what is left after the
/// final status and log reads and the round trip (at least 2 s, or a fifth of the timeout).
pub fn wait_within(timeout: Duration) -> Duration {
    let margin = (timeout / 5).max(Duration::from_secs(2));
    timeout.saturating_sub(margin).max(Duration::from_secs(1))
}

/// How long one wait of a given client may last, and how long it lasts when the call names no
/// length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitRule {
    pub limit: Duration,
    pub default: Duration,
}

/// The wait rule of a client, from its name, what was learned from its cancelled waits (the
/// shortest time after which it gave up), and the server's limits. An explicitly configured
/// `--max-wait-seconds` is the user saying how long their client waits: it holds for every
/// client.
pub fn wait_rule(
    client: Option<&str>,
    gave_up_after: Option<Duration>,
    limits: &ResultLimits,
    configured: bool,
) -> WaitRule {
    let long = WaitRule {
        limit: limits.max_wait,
        default: DEFAULT_LONG_WAIT.min(limits.max_wait),
    };
    let known = if configured {
        None
    } else {
        match client.and_then(lookup) {
            Some(row) => row.timeout,
            None => Some(UNKNOWN_CLIENT_TIMEOUT),
        }
    };
    let timeout = match (known, gave_up_after) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match timeout {
        None => long,
        Some(t) => {
            let limit = wait_within(t).min(limits.max_wait);
            WaitRule {
                limit,
                default: long.default.min(limit),
            }
        }
    }
}

/// The timeout a client's `notifications/cancelled` reason states, when it states one: the
/// Python SDK (2.x) cancels a timed-out request with "timed out after 5.0s".
pub fn timeout_in_reason(reason: &str) -> Option<Duration> {
    let lower = reason.to_ascii_lowercase();
    let at = lower.find("timed out after")? + "timed out after".len();
    let rest = lower[at..].trim_start();
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let value: f64 = number.parse().ok()?;
    let unit = rest[number.len()..].trim_start();
    let seconds = if unit.starts_with("ms") {
        value / 1000.0
    } else {
        value
    };
    (seconds.is_finite() && seconds > 0.0 && seconds < 86_400.0)
        .then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ResultLimits = ResultLimits {
        max_chars: 100_000,
        max_wait: Duration::from_secs(50),
        wait_configured: false,
    };

    fn rule(name: Option<&str>, gave_up: Option<u64>, configured: bool) -> (u64, u64) {
        let r = wait_rule(name, gave_up.map(Duration::from_secs), &LIMITS, configured);
        (r.limit.as_secs(), r.default.as_secs())
    }

    #[test]
    fn waits_fit_each_clients_default_timeout() {
        // The Python SDK's default name: 5 s (openai-agents) is the shortest that sends it.
        assert_eq!(rule(Some("mcp"), None, false), (3, 3));
        assert_eq!(rule(Some("MCP"), None, false), (3, 3));
        // Unknown: as short.
        assert_eq!(rule(Some("my-agent"), None, false), (3, 3));
        assert_eq!(rule(None, None, false), (3, 3));
        // Hosts known to allow long requests keep long waits.
        assert_eq!(rule(Some("claude-code"), None, false), (48, 45));
        assert_eq!(
            rule(Some("Visual Studio Code - Insiders"), None, false),
            (48, 45)
        );
        assert_eq!(rule(Some("cursor-vscode"), None, false), (48, 45));
        assert_eq!(rule(Some("fast-agent-mcp"), None, false), (50, 45));
        assert_eq!(rule(Some("mcp-use"), None, false), (50, 45));
        // "mcp-use" is not "mcp", and "cursor*" does not match "precursor".
        assert_eq!(rule(Some("precursor"), None, false), (3, 3));
    }

    #[test]
    fn a_client_that_gave_up_gets_shorter_waits_and_configuration_wins() {
        assert_eq!(rule(Some("fast-agent-mcp"), Some(30), false), (24, 24));
        assert_eq!(rule(Some("claude-ai"), Some(10), false), (8, 8));
        // Learning only shortens.
        assert_eq!(rule(Some("mcp"), Some(30), false), (3, 3));
        // The user set --max-wait-seconds: their client allows it (a raised timeout).
        assert_eq!(rule(Some("mcp"), None, true), (50, 45));
        assert_eq!(rule(Some("mcp"), Some(5), true), (3, 3));
        let short = ResultLimits {
            max_wait: Duration::from_secs(10),
            ..LIMITS
        };
        let r = wait_rule(Some("claude-code"), None, &short, false);
        assert_eq!((r.limit.as_secs(), r.default.as_secs()), (10, 10));
    }

    #[test]
    fn the_python_sdks_timeout_reason_is_read() {
        assert_eq!(
            timeout_in_reason("timed out after 5.0s"),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            timeout_in_reason("Request timed out after 30 s"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            timeout_in_reason("timed out after 1500ms"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(timeout_in_reason("caller cancelled"), None);
        assert_eq!(timeout_in_reason("timed out after soon"), None);
        assert_eq!(timeout_in_reason("timed out after 0s"), None);
    }

    #[test]
    fn every_row_is_reachable() {
        for (i, row) in CLIENTS.iter().enumerate() {
            let sample = row.name.trim_end_matches('*');
            assert_eq!(
                lookup(sample).map(|r| r.name),
                Some(row.name),
                "row {i} is shadowed"
            );
        }
    }
}

//! `junglegrid-mcp doctor` (checks a setup and says how to fix it) and `junglegrid-mcp config
//! <host>` (prints a host's config snippet). Both print for a person, on stdout.

use serde_json::json;

use crate::api::ApiClient;
use crate::api::types::ListJobsQuery;
use crate::config::settings::{Mode, SETTINGS};
use crate::config::{self, Env, Overrides};
use crate::error::ErrorKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// One line of the doctor's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    pub name: &'static str,
    pub detail: String,
    pub fix: Option<String>,
}

fn check(
    status: Status,
    name: &'static str,
    detail: impl Into<String>,
    fix: Option<&str>,
) -> Check {
    Check {
        status,
        name,
        detail: detail.into(),
        fix: fix.map(String::from),
    }
}

/// Describes a key without revealing it.
fn describe_key(key: &str) -> (Status, String) {
    let shape = format!("set ({} characters)", key.chars().count());
    if key.chars().any(char::is_whitespace) {
        (Status::Warn, format!("{shape}, but it contains spaces"))
    } else if !key.starts_with("jg_") {
        (
            Status::Warn,
            format!("{shape}, but Jungle Grid keys start with jg_"),
        )
    } else {
        (Status::Ok, shape)
    }
}

/// Which of the settings `doctor` reads are set, and where (names only: values may be secret).
/// Listed from the settings table, so a new setting shows up here without an edit.
fn settings_in_use(env: &dyn Env, overrides: &Overrides) -> String {
    let flags = [
        ("--api-base", overrides.api_base.is_some()),
        ("--timeout-ms", overrides.timeout_ms.is_some()),
        ("--read-only", overrides.read_only),
        ("--tools", overrides.tools.is_some()),
    ];
    let set: Vec<String> = SETTINGS
        .iter()
        .filter(|s| s.modes.contains(&Mode::Doctor))
        .flat_map(|s| {
            let flag = s
                .flags
                .iter()
                .filter_map(|f| f.split(' ').next())
                .find(|f| flags.contains(&(*f, true)));
            let var = s.env.iter().find(|v| env.get(v).is_some());
            flag.map(|f| f.to_string())
                .into_iter()
                .chain(var.map(|v| v.to_string()))
        })
        .collect();
    if set.is_empty() {
        "defaults only".into()
    } else {
        format!("set: {}", set.join(", "))
    }
}

/// Runs every check; stops before the network checks when the configuration cannot work.
pub async fn diagnose(env: &dyn Env, overrides: &Overrides) -> Vec<Check> {
    let mut checks = vec![check(
        Status::Ok,
        "version",
        format!("junglegrid-mcp {}", crate::server::VERSION),
        None,
    )];
    checks.push(check(
        Status::Ok,
        "settings",
        settings_in_use(env, overrides),
        None,
    ));
    let api = match config::api_config(env, overrides) {
        Ok(api) => {
            checks.push(check(Status::Ok, "api base", api.base.clone(), None));
            checks.push(check(
                Status::Ok,
                "timeout",
                format!("{} ms per request", api.timeout.as_millis()),
                None,
            ));
            Some(api)
        }
        Err(e) => {
            checks.push(check(
                Status::Fail,
                "configuration",
                e.to_string(),
                Some("Fix the value, or unset it to use the default."),
            ));
            None
        }
    };
    match config::resolve_tools(env, overrides).and_then(|s| crate::tools::select(&s)) {
        Ok(tools) => checks.push(check(
            Status::Ok,
            "tools",
            format!(
                "{} offered: {}",
                tools.len(),
                tools
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        )),
        Err(e) => checks.push(check(Status::Fail, "tools", e.to_string(), None)),
    }
    let key = env
        .get("JUNGLE_GRID_API_KEY")
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    let Some(key) = key else {
        checks.push(check(
            Status::Fail,
            "api key",
            "JUNGLE_GRID_API_KEY is not set",
            Some(config::MISSING_KEY_HINT),
        ));
        return checks;
    };
    let (status, detail) = describe_key(&key);
    checks.push(check(
        status,
        "api key",
        detail,
        (status != Status::Ok)
            .then_some("Copy the key again from the Jungle Grid portal, without quotes or spaces."),
    ));
    let Some(api) = api else {
        return checks;
    };
    let client = match ApiClient::new(&api, crate::secret::Secret::new(key)) {
        Ok(c) => c,
        Err(e) => {
            checks.push(check(Status::Fail, "api", e.message, None));
            return checks;
        }
    };
    let query = ListJobsQuery {
        limit: 1,
        ..ListJobsQuery::default()
    };
    checks.push(match client.list_jobs(&query).await {
        Ok(_) => check(
            Status::Ok,
            "api",
            "reachable, and the key is accepted (list_jobs answered)",
            None,
        ),
        Err(e) if e.status == Some(401) => check(
            Status::Fail,
            "api",
            format!("reachable, but the key was rejected: {}", e.detail()),
            Some("The key is unknown, revoked or expired: create a new one in the Jungle Grid portal."),
        ),
        Err(e) if e.status == Some(403) => check(
            Status::Warn,
            "api",
            format!("reachable and the key is valid, but it cannot read jobs: {}", e.detail()),
            Some("Give the key the jobs:read scope (and jobs:estimate / jobs:submit to run work)."),
        ),
        Err(e) => match e.kind {
            ErrorKind::Timeout | ErrorKind::Network => check(
                Status::Fail,
                "api",
                e.message,
                Some("Check JUNGLEGRID_API_BASE, your network, and HTTPS_PROXY if you are behind a proxy."),
            ),
            _ => check(
                Status::Fail,
                "api",
                format!("the API answered with an error: {}", e.detail()),
                Some("Try again later; if it persists, contact Jungle Grid support."),
            ),
        },
    });
    checks
}

/// The report as text, and whether everything needed works.
pub fn render(checks: &[Check]) -> (String, bool) {
    let mut out = String::from("Jungle Grid MCP doctor\n");
    for c in checks {
        let mark = match c.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        out.push_str(&format!("  [{mark}] {}: {}\n", c.name, c.detail));
        if let Some(fix) = &c.fix {
            out.push_str(&format!("         fix: {fix}\n"));
        }
    }
    let healthy = checks.iter().all(|c| c.status != Status::Fail);
    out.push_str(if healthy {
        "All checks passed: hosts can start this server.\n"
    } else {
        "Some checks failed: fix them and run `junglegrid-mcp doctor` again.\n"
    });
    (out, healthy)
}

pub const HOSTS: &[&str] = &["claude", "cursor", "windsurf"];

/// Where a host keeps its MCP configuration, and the snippet to put there (key as a placeholder).
pub fn host_config(host: &str) -> Option<(&'static str, String)> {
    let location = match host {
        "claude" => {
            "Claude Desktop: ~/Library/Application Support/Claude/claude_desktop_config.json (macOS) or %APPDATA%\\Claude\\claude_desktop_config.json (Windows)"
        }
        "cursor" => "Cursor: .cursor/mcp.json in your project root, or the global MCP settings",
        "windsurf" => "Windsurf: ~/.codeium/windsurf/mcp_config.json",
        _ => return None,
    };
    let snippet = json!({
        "mcpServers": {
            "junglegrid": {
                "command": "npx",
                "args": ["-y", "@jungle-grid/mcp"],
                "env": { "JUNGLE_GRID_API_KEY": "jg_placeholder" }
            }
        }
    });
    let text = serde_json::to_string_pretty(&snippet).unwrap_or_default();
    Some((location, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn missing_key_fails_with_the_hint_and_no_network() {
        let checks = diagnose(&[], &Overrides::default()).await;
        let key = checks.iter().find(|c| c.name == "api key").unwrap();
        assert_eq!(key.status, Status::Fail);
        assert!(key.fix.as_deref().unwrap().contains("env"));
        assert!(!checks.iter().any(|c| c.name == "api"));
        let (text, healthy) = render(&checks);
        assert!(!healthy);
        assert!(text.contains("[FAIL] api key: JUNGLE_GRID_API_KEY is not set"));
    }

    #[tokio::test]
    async fn bad_base_and_odd_key_are_reported_without_revealing_the_key() {
        let env = [
            ("JUNGLE_GRID_API_KEY", "sk_live_secret"),
            ("JUNGLEGRID_API_BASE", "nope"),
        ];
        let checks = diagnose(&env, &Overrides::default()).await;
        let (text, healthy) = render(&checks);
        assert!(!healthy);
        assert!(text.contains("JUNGLEGRID_API_BASE must be an absolute http(s) URL"));
        assert!(text.contains("Jungle Grid keys start with jg_"));
        assert!(text.contains("[ok  ] settings: set: JUNGLE_GRID_API_KEY, JUNGLEGRID_API_BASE"));
        assert!(!text.contains("sk_live_secret"));
    }

    #[tokio::test]
    async fn unreachable_api_is_a_failure_with_a_fix() {
        let env = [
            ("JUNGLE_GRID_API_KEY", "jg_abc"),
            ("JUNGLEGRID_API_BASE", "http://127.0.0.1:9"),
        ];
        let checks = diagnose(&env, &Overrides::default()).await;
        let api = checks.iter().find(|c| c.name == "api").unwrap();
        assert_eq!(api.status, Status::Fail);
        assert!(api.detail.contains("connection refused"), "{}", api.detail);
        assert!(api.fix.as_deref().unwrap().contains("HTTPS_PROXY"));
    }

    #[test]
    fn host_snippets_use_a_placeholder_key() {
        for host in HOSTS {
            let (location, text) = host_config(host).unwrap();
            assert!(!location.is_empty());
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                v["mcpServers"]["junglegrid"]["env"]["JUNGLE_GRID_API_KEY"],
                "jg_placeholder"
            );
        }
        assert!(host_config("emacs").is_none());
    }
}

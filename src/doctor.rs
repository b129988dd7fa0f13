//! `junglegrid-mcp doctor` (checks a setup and says how to fix it) and `junglegrid-mcp config
//! <host>` (prints a host's config snippet). Both print for a person, on stdout.

use serde_json::json;

use crate::api::ApiClient;
use crate::api::types::{CancelRequest, EstimateRequest, ListJobsQuery, LogsQuery, WorkloadType};
use crate::config::settings::{self, Mode, SETTINGS, Source};
use crate::config::{self, Env, Overrides};
use crate::error::ErrorKind;
use crate::tools::{TOOLS, Tool};

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
/// Listed from the settings table, so a new setting shows up here without an edit. Each is named
/// by the source that won (`settings::resolve`), with the sources it overrides:
/// `--api-base (over JUNGLEGRID_API_BASE)`.
fn settings_in_use(env: &dyn Env, overrides: &Overrides) -> String {
    let set: Vec<String> = SETTINGS
        .iter()
        .filter(|s| s.modes.contains(&Mode::Doctor))
        .filter_map(|s| {
            let found = settings::resolve(env, overrides, s);
            if found.source == Source::Default {
                return None;
            }
            let over: Vec<&str> = s
                .env
                .iter()
                .copied()
                .filter(|v| *v != found.name && env.get(v).is_some())
                .collect();
            Some(match over.is_empty() {
                true => found.name.to_string(),
                false => format!("{} (over {})", found.name, over.join(", ")),
            })
        })
        .collect();
    if set.is_empty() {
        "defaults only".into()
    } else {
        format!("set: {}", set.join(", "))
    }
}

/// Where the npm bin says which native binary it loaded and how it found it.
pub const LOADED_BINARY_ENV: &str = "JUNGLEGRID_MCP_LOADED_BINARY";

/// An environment with a few values put over another (doctor --sandbox: the simulator's key).
struct Overlay<'a> {
    base: &'a dyn Env,
    values: Vec<(&'static str, String)>,
}

impl Env for Overlay<'_> {
    fn get(&self, key: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| self.base.get(key))
    }
}

/// `doctor --sandbox`: the same checks against the embedded simulator, with its key.
pub async fn diagnose_sandbox(env: &dyn Env, overrides: &Overrides) -> Vec<Check> {
    let sandbox = match crate::sandbox::start(crate::sandbox::SandboxOptions::default()).await {
        Ok(s) => s,
        Err(e) => {
            return vec![check(
                Status::Fail,
                "sandbox",
                format!("the simulator could not start: {e}"),
                None,
            )];
        }
    };
    let settings = settings_in_use(env, overrides);
    let overlay = Overlay {
        base: env,
        values: vec![("JUNGLE_GRID_API_KEY", sandbox.api_key().to_string())],
    };
    let overrides = overrides
        .clone()
        .with(&config::settings::API_BASE, sandbox.base_url());
    let mut checks = diagnose_api(&overlay, &overrides, true).await;
    for c in &mut checks {
        if c.name == "settings" {
            c.detail = match settings.strip_prefix("set: ") {
                Some(rest) => format!("set: --sandbox, {rest}"),
                None => "set: --sandbox".into(),
            };
        }
        if c.name == "api key" && c.status == Status::Ok {
            c.detail = "not needed: the simulator's own key is used".into();
        }
        if c.name == "api base" {
            c.detail = format!(
                "{} (the embedded simulator: jobs are simulated, no cost)",
                c.detail
            );
        }
    }
    sandbox.stop().await;
    checks
}

/// Runs every check; stops before the network checks when the configuration cannot work.
pub async fn diagnose(env: &dyn Env, overrides: &Overrides) -> Vec<Check> {
    diagnose_api(env, overrides, false).await
}

/// The checks, with the API reached directly (`direct`: the embedded sandbox, never a proxy).
async fn diagnose_api(env: &dyn Env, overrides: &Overrides, direct: bool) -> Vec<Check> {
    let mut checks = vec![check(
        Status::Ok,
        "version",
        format!("junglegrid-mcp {}", crate::server::VERSION),
        None,
    )];
    // Set by the npm bin from what its loader resolved (lib/platform.js `loadedBinary`).
    if let Some(binary) = env.get(LOADED_BINARY_ENV).filter(|b| !b.trim().is_empty()) {
        checks.push(check(Status::Ok, "binary", binary, None));
    }
    checks.push(check(
        Status::Ok,
        "settings",
        settings_in_use(env, overrides),
        None,
    ));
    let api = match config::api_config(env, overrides) {
        Ok(api) => {
            let api = if direct { api.direct() } else { api };
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
    let read = client.list_jobs(&query).await;
    checks.push(match &read {
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
            ErrorKind::Timeout | ErrorKind::Network => Check {
                status: Status::Fail,
                name: "api",
                detail: e.message.clone(),
                fix: Some(network_fix(&api)),
            },
            _ => check(
                Status::Fail,
                "api",
                format!("the API answered with an error: {}", e.detail()),
                Some("Try again later; if it persists, contact Jungle Grid support."),
            ),
        },
    });
    if read.as_ref().is_err_and(|e| e.status != Some(403)) {
        return checks;
    }
    let offered = config::resolve_tools(env, overrides)
        .and_then(|s| crate::tools::select(&s))
        .unwrap_or_default();
    let mut probes = vec![(&crate::tools::jobs::LIST_JOBS as Tool, access(&read))];
    probes.extend(probe_scopes(&client).await);
    if direct {
        // The embedded simulator accepts only its own key, which has every scope, and answers
        // a job that does not exist after that check: here a 404 does prove the scope.
        for (_, a) in &mut probes {
            if matches!(a, Access::NotVerified(_)) {
                *a = Access::Allowed;
            }
        }
    }
    checks.push(scope_check(&probes, &offered));
    checks
}

/// The fix for a request that got no answer: the proxy when one carried it, else the base.
fn network_fix(api: &config::ApiConfig) -> String {
    match &api.proxy {
        Some(p) => format!(
            "Check the proxy {} (set by {}): is it running, and does it accept this connection? Unset {} if you do not need a proxy.",
            p.address, p.variable, p.variable
        ),
        None => {
            "Check JUNGLEGRID_API_BASE, your network, and HTTPS_PROXY if you are behind a proxy."
                .into()
        }
    }
}

/// A job id no job has: the logs and cancel probes ask about it, so a key with the scope gets
/// 404 and nothing changes.
pub const PROBE_JOB_ID: &str = "jg-doctor-scope-probe-no-such-job";

/// What one probe learnt about the key's scopes for a tool (and every tool with the same scopes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// The API did what was asked: the key has one of the tool's scopes.
    Allowed,
    /// 403: the key has none of them.
    Denied,
    /// The API refused the request itself (a job that does not exist, an invalid or conflicting
    /// request): an API may do that before it checks the scope, so nothing was proved. The
    /// answer, e.g. `404 NOT_FOUND`.
    NotVerified(String),
    /// No answer to judge (network, server error).
    Unknown(String),
}

/// Only a success proves a scope, and only a 403 (contract Part B 1.2) proves its absence; a 404
/// for the made-up job of a probe proves nothing, since the API may look the job up first.
fn access<T>(result: &crate::error::Result<T>) -> Access {
    match result {
        Ok(_) => Access::Allowed,
        Err(e) if e.status == Some(403) => Access::Denied,
        Err(e) if e.kind == ErrorKind::Api && matches!(e.status, Some(400 | 404 | 409 | 422)) => {
            Access::NotVerified(format!("{} {}", e.status.unwrap_or_default(), e.code))
        }
        Err(e) => Access::Unknown(e.detail()),
    }
}

/// Whether a probe's success proves `tool` usable: every scope that satisfies the probe's route
/// satisfies the tool.
fn proves(probe: Tool, tool: Tool) -> bool {
    !probe.scopes.is_empty() && probe.scopes.iter().all(|s| tool.scopes.contains(s))
}

/// One request per scope class besides reading jobs, each free and without effect: a minimal
/// estimate (estimates are free and start nothing), the logs and the cancellation of a job that
/// does not exist. Nothing is ever submitted and no upload slot is created.
async fn probe_scopes(client: &ApiClient) -> Vec<(Tool, Access)> {
    let estimate = EstimateRequest {
        workload_type: WorkloadType::Inference,
        model_size_gb: None,
        image: None,
        command: None,
        args: None,
        optimize_for: None,
        template: None,
        notes: None,
    };
    let logs = LogsQuery {
        limit: 1,
        cursor: None,
    };
    let cancel = CancelRequest {
        reason: "junglegrid-mcp doctor: scope check of a job that does not exist".into(),
    };
    vec![
        (
            &crate::tools::jobs::ESTIMATE_JOB as Tool,
            access(&client.estimate_job(&estimate).await),
        ),
        (
            &crate::tools::jobs::GET_JOB_LOGS,
            access(&client.job_logs(PROBE_JOB_ID, &logs).await),
        ),
        (
            &crate::tools::jobs::CANCEL_JOB,
            access(&client.cancel_job(PROBE_JOB_ID, &cancel).await),
        ),
    ]
}

/// The tools a key cannot use when the API refused it the probes of `denied`: every tool none of
/// whose accepted scopes (its `ToolDef::scopes`) the key can have, read from the tools table.
pub fn blocked_tools(denied: &[Tool]) -> Vec<Tool> {
    let missing: Vec<&str> = denied
        .iter()
        .flat_map(|t| t.scopes.iter().copied())
        .collect();
    TOOLS
        .iter()
        .copied()
        .filter(|t| !t.scopes.is_empty() && t.scopes.iter().all(|s| missing.contains(s)))
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn names(tools: &[Tool]) -> String {
    tools.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

/// The `scopes` line: which tools the key cannot use, among those this configuration offers.
pub fn scope_check(probes: &[(Tool, Access)], offered: &[Tool]) -> Check {
    let denied: Vec<Tool> = probes
        .iter()
        .filter(|(_, a)| *a == Access::Denied)
        .map(|(t, _)| *t)
        .collect();
    let unknown: Vec<String> = probes
        .iter()
        .filter_map(|(t, a)| match a {
            Access::Unknown(why) => Some(format!("{} ({why})", t.name)),
            _ => None,
        })
        .collect();
    let blocked = blocked_tools(&denied);
    let (blocked_offered, not_offered): (Vec<Tool>, Vec<Tool>) =
        blocked.iter().partition(|t| offered.contains(t));
    // Offered tools whose scope only an unproving answer speaks for.
    let allowed: Vec<Tool> = probes
        .iter()
        .filter(|(_, a)| *a == Access::Allowed)
        .map(|(t, _)| *t)
        .collect();
    let unproved: Vec<(Tool, &str)> = probes
        .iter()
        .filter_map(|(t, a)| match a {
            Access::NotVerified(answer) => Some((*t, answer.as_str())),
            _ => None,
        })
        .collect();
    let unproved_probes: Vec<Tool> = unproved.iter().map(|(t, _)| *t).collect();
    let not_verified: Vec<Tool> = blocked_tools(&unproved_probes)
        .into_iter()
        .filter(|t| offered.contains(t) && !blocked.contains(t))
        .filter(|t| !allowed.iter().any(|p| proves(p, t)))
        .collect();
    let unverified = if not_verified.is_empty() {
        String::new()
    } else {
        let mut needs: Vec<&str> = Vec::new();
        for s in not_verified.iter().flat_map(|t| t.scopes.iter().copied()) {
            if !needs.contains(&s) {
                needs.push(s);
            }
        }
        let answers: Vec<String> = unproved
            .iter()
            .filter(|(p, _)| {
                not_verified
                    .iter()
                    .any(|t| blocked_tools(&[*p]).contains(t))
            })
            .map(|(p, answer)| format!("{answer} to the {} probe", p.name))
            .collect();
        format!(
            "; not verified: {} (needs {}): the API answered {} about a job that does not \
             exist, which it may do before checking the scope",
            names(&not_verified),
            needs.join(" or "),
            answers.join(", ")
        )
    };
    let mut missing: Vec<&str> = Vec::new();
    for s in denied.iter().flat_map(|t| t.scopes.iter().copied()) {
        if !missing.contains(&s) {
            missing.push(s);
        }
    }
    let unchecked = if unknown.is_empty() {
        String::new()
    } else {
        format!("; could not check {}", unknown.join(", "))
    };
    if !blocked_offered.is_empty() {
        let grant: Vec<&str> = denied
            .iter()
            .filter_map(|t| t.scopes.first().copied())
            .collect();
        let read_only = blocked_offered.iter().all(|t| !t.read_only);
        return Check {
            status: Status::Warn,
            name: "scopes",
            detail: format!(
                "the key cannot use {} (it has none of {}){unverified}{unchecked}",
                names(&blocked_offered),
                missing.join(", ")
            ),
            fix: Some(format!(
                "Give the key the {} {} in the Jungle Grid portal{}",
                and_list(&grant),
                if grant.len() == 1 { "scope" } else { "scopes" },
                if read_only {
                    ", or start the server with --read-only so agents are not offered tools that would fail."
                } else {
                    "."
                }
            )),
        };
    }
    if !not_verified.is_empty() {
        let verified: Vec<Tool> = offered
            .iter()
            .copied()
            .filter(|t| allowed.iter().any(|p| proves(p, t)))
            .collect();
        let read_only = not_verified.iter().all(|t| !t.read_only);
        return Check {
            status: Status::Warn,
            name: "scopes",
            detail: format!(
                "verified: the key can use {}{unverified}{unchecked}",
                if verified.is_empty() {
                    "none of the offered tools".to_string()
                } else {
                    names(&verified)
                }
            ),
            fix: Some(format!(
                "Nothing to do if the key was given those scopes in the Jungle Grid portal; \
                 without them those calls fail with FORBIDDEN{}",
                if read_only {
                    " (a read-only key: start the server with --read-only)."
                } else {
                    "."
                }
            )),
        };
    }
    let status = if unknown.is_empty() {
        Status::Ok
    } else {
        Status::Warn
    };
    let detail = if not_offered.is_empty() {
        format!(
            "the key can use every offered tool (each scope proved by an answer; nothing started){unchecked}"
        )
    } else {
        format!(
            "the key cannot use {}, which this configuration does not offer anyway{unchecked}",
            names(&not_offered)
        )
    };
    Check {
        status,
        name: "scopes",
        detail,
        fix: (!unknown.is_empty())
            .then(|| "Run doctor again; if it persists, contact Jungle Grid support.".into()),
    }
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
    let warned = checks.iter().any(|c| c.status == Status::Warn);
    out.push_str(if healthy && warned {
        "Checks passed with warnings: hosts can start this server, but read the [warn] lines above.\n"
    } else if healthy {
        "All checks passed: hosts can start this server.\n"
    } else {
        "Some checks failed: fix them and run `junglegrid-mcp doctor` again.\n"
    });
    (out, healthy)
}

pub const HOSTS: &[&str] = &["claude", "claude-code", "cursor", "vscode", "windsurf"];

/// What `config <host>` prints: where it goes (or what to do with it), and the text itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    pub instructions: String,
    pub text: String,
}

/// A host's configuration for this server (key as a placeholder, or a VS Code input). `--sandbox`
/// and `--read-only` pass through as arguments; a sandbox needs no key.
pub fn host_config(host: &str, sandbox: bool, read_only: bool) -> Option<HostConfig> {
    let mut args = vec!["-y".to_string(), "@jungle-grid/mcp".to_string()];
    if sandbox {
        args.push("--sandbox".into());
    }
    if read_only {
        args.push("--read-only".into());
    }
    let placeholder = if sandbox {
        ",".to_string()
    } else {
        ", put your key in place of jg_placeholder,".into()
    };
    let (instructions, value) = match host {
        "claude-code" => {
            let env = if sandbox {
                String::new()
            } else {
                " --env JUNGLE_GRID_API_KEY=jg_placeholder".into()
            };
            return Some(HostConfig {
                instructions: format!(
                    "Run this in a terminal{}; add --scope user to use it in every project.",
                    if sandbox {
                        ""
                    } else {
                        " with your key in place of jg_placeholder"
                    }
                ),
                text: format!(
                    "claude mcp add --transport stdio junglegrid{env} -- npx {}",
                    args.join(" ")
                ),
            });
        }
        "vscode" => {
            let mut server = json!({ "type": "stdio", "command": "npx", "args": args });
            let mut config = json!({});
            if !sandbox {
                server["env"] = json!({ "JUNGLE_GRID_API_KEY": "${input:jungle-grid-api-key}" });
                config["inputs"] = json!([{
                    "type": "promptString",
                    "id": "jungle-grid-api-key",
                    "description": "Jungle Grid API key",
                    "password": true
                }]);
            }
            config["servers"] = json!({ "junglegrid": server });
            (
                "VS Code: .vscode/mcp.json in your workspace (or MCP: Open User Configuration); VS Code asks for the key once and stores it securely. Then start the server from the file."
                    .to_string(),
                config,
            )
        }
        "claude" | "cursor" | "windsurf" => {
            let location = match host {
                "claude" => {
                    "Claude Desktop: ~/Library/Application Support/Claude/claude_desktop_config.json (macOS) or %APPDATA%\\Claude\\claude_desktop_config.json (Windows)"
                }
                "cursor" => {
                    "Cursor: .cursor/mcp.json in your project root, or the global MCP settings"
                }
                _ => "Windsurf: ~/.codeium/windsurf/mcp_config.json",
            };
            let mut server = json!({ "command": "npx", "args": args });
            if !sandbox {
                server["env"] = json!({ "JUNGLE_GRID_API_KEY": "jg_placeholder" });
            }
            (
                format!("Add this to {location}{placeholder} then restart the host."),
                json!({ "mcpServers": { "junglegrid": server } }),
            )
        }
        _ => return None,
    };
    Some(HostConfig {
        instructions,
        text: serde_json::to_string_pretty(&value).unwrap_or_default(),
    })
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

    /// The settings line names the source that won and what it overrides, never a value.
    #[test]
    fn settings_line_names_the_winning_source() {
        let env = [
            ("JUNGLEGRID_API_BASE", "https://env.example.com"),
            ("JUNGLE_GRID_API_URL", "https://legacy.example.com"),
            ("JUNGLE_GRID_TOOLS", "get_job"),
        ];
        assert_eq!(
            settings_in_use(&env, &Overrides::default()),
            "set: JUNGLEGRID_API_BASE (over JUNGLE_GRID_API_URL), JUNGLE_GRID_TOOLS"
        );
        let flags = Overrides::default()
            .with(&settings::API_BASE, "http://127.0.0.1:1")
            .with(&settings::READ_ONLY, "");
        let line = settings_in_use(&env, &flags);
        assert_eq!(
            line,
            "set: --api-base (over JUNGLEGRID_API_BASE, JUNGLE_GRID_API_URL), --read-only, JUNGLE_GRID_TOOLS"
        );
        assert!(!line.contains("example.com"));
        assert_eq!(settings_in_use(&[], &Overrides::default()), "defaults only");
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

    fn tool(name: &str) -> Tool {
        crate::tools::find(name).unwrap()
    }

    fn tool_names(tools: &[Tool]) -> Vec<&str> {
        tools.iter().map(|t| t.name).collect()
    }

    #[test]
    fn blocked_tools_come_from_the_tools_table() {
        // A read-only key: refused the cancel probe, so every tool needing jobs:submit or jobs:write.
        assert_eq!(
            tool_names(&blocked_tools(&[tool("cancel_job")])),
            ["submit_job", "upload_job_input", "cancel_job"]
        );
        // Refused reading jobs but not logs: get_job_logs stays (logs:read), estimate too.
        let read = blocked_tools(&[tool("list_jobs")]);
        assert!(!read.contains(&tool("get_job_logs")) && !read.contains(&tool("estimate_job")));
        assert!(read.contains(&tool("wait_for_job")) && read.contains(&tool("get_artifact")));
        // Refused reading and logs: now the logs tool is blocked too.
        assert!(
            blocked_tools(&[tool("list_jobs"), tool("get_job_logs")])
                .contains(&tool("get_job_logs"))
        );
        assert!(blocked_tools(&[]).is_empty());
        assert_eq!(
            and_list(&["jobs:read", "logs:read", "jobs:submit"]),
            "jobs:read, logs:read and jobs:submit"
        );
    }

    #[test]
    fn a_read_only_key_is_a_warning_naming_the_tools() {
        let probes = [
            (tool("list_jobs"), Access::Allowed),
            (tool("estimate_job"), Access::Allowed),
            (tool("get_job_logs"), Access::Allowed),
            (tool("cancel_job"), Access::Denied),
        ];
        let c = scope_check(&probes, TOOLS);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail
                .contains("cannot use submit_job, upload_job_input, cancel_job"),
            "{}",
            c.detail
        );
        assert!(c.detail.contains("jobs:submit, jobs:write"), "{}", c.detail);
        assert!(c.fix.as_deref().unwrap().contains("jobs:submit scope"));
        assert!(c.fix.as_deref().unwrap().contains("--read-only"));
        let (text, healthy) = render(&[c]);
        assert!(healthy);
        assert!(!text.contains("All checks passed"), "{text}");
        // Started with --read-only, the write tools are not offered: nothing to warn about.
        let offered: Vec<Tool> = TOOLS.iter().copied().filter(|t| t.read_only).collect();
        let c = scope_check(&probes, &offered);
        assert_eq!(c.status, Status::Ok, "{}", c.detail);
        assert!(c.detail.contains("does not offer anyway"));
    }

    #[test]
    fn probe_answers_are_read_as_scope_evidence() {
        use crate::error::Error;
        let not_found: crate::error::Result<()> = Err(Error::api(404, "NOT_FOUND", "no such job"));
        assert_eq!(
            access(&not_found),
            Access::NotVerified("404 NOT_FOUND".into())
        );
        assert_eq!(access(&Ok(())), Access::Allowed);
        let forbidden: crate::error::Result<()> = Err(Error::api(403, "FORBIDDEN", "missing"));
        assert_eq!(access(&forbidden), Access::Denied);
        let down: crate::error::Result<()> = Err(Error::api(503, "UPSTREAM_ERROR", "down"));
        assert!(matches!(access(&down), Access::Unknown(_)));
        let c = scope_check(&[(tool("cancel_job"), access(&down))], TOOLS);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail.contains("could not check cancel_job"),
            "{}",
            c.detail
        );
    }

    #[test]
    fn a_404_before_the_scope_check_is_not_verified_never_every_tool() {
        // An API that looks the job up before it checks the scope answers the cancel probe with
        // 404 for a read-only key and a full key alike: doctor claims only what was proved.
        let probes = [
            (tool("list_jobs"), Access::Allowed),
            (tool("estimate_job"), Access::Allowed),
            (
                tool("get_job_logs"),
                Access::NotVerified("404 NOT_FOUND".into()),
            ),
            (
                tool("cancel_job"),
                Access::NotVerified("404 NOT_FOUND".into()),
            ),
        ];
        let c = scope_check(&probes, TOOLS);
        assert_eq!(c.status, Status::Warn);
        assert!(!c.detail.contains("every offered tool"), "{}", c.detail);
        assert!(
            c.detail.contains(
                "not verified: submit_job, upload_job_input, cancel_job (needs jobs:submit or jobs:write)"
            ),
            "{}",
            c.detail
        );
        assert!(
            c.detail.contains("404 NOT_FOUND to the cancel_job probe"),
            "{}",
            c.detail
        );
        // Reading jobs proves the logs scope (jobs:read reads logs): verified, not listed.
        assert!(
            c.detail.contains("verified: the key can use"),
            "{}",
            c.detail
        );
        assert!(!c.detail.contains("get_job_logs probe"), "{}", c.detail);
        let (text, healthy) = render(&[c]);
        assert!(healthy && !text.contains("All checks passed"), "{text}");
        // Offered read-only, nothing unproved is offered: all proved.
        let offered: Vec<Tool> = TOOLS.iter().copied().filter(|t| t.read_only).collect();
        let c = scope_check(&probes, &offered);
        assert_eq!(c.status, Status::Ok, "{}", c.detail);
        assert!(c.detail.contains("every offered tool"), "{}", c.detail);
    }

    #[test]
    fn host_snippets_use_a_placeholder_key() {
        for host in ["claude", "cursor", "windsurf"] {
            let config = host_config(host, false, false).unwrap();
            assert!(config.instructions.contains("jg_placeholder"));
            let v: serde_json::Value = serde_json::from_str(&config.text).unwrap();
            assert_eq!(
                v["mcpServers"]["junglegrid"]["env"]["JUNGLE_GRID_API_KEY"],
                "jg_placeholder"
            );
        }
        assert!(host_config("emacs", false, false).is_none());
    }

    #[tokio::test]
    async fn sandbox_needs_no_key_and_names_the_binary() {
        let env = [(
            LOADED_BINARY_ENV,
            "/x/junglegrid-mcp.linux-x64-gnu.node (package)",
        )];
        let checks = diagnose_sandbox(&env, &Overrides::default()).await;
        let (text, healthy) = render(&checks);
        assert!(healthy, "{text}");
        assert!(text.contains("[ok  ] binary: /x/junglegrid-mcp.linux-x64-gnu.node (package)"));
        assert!(text.contains("api key: not needed"));
        assert!(text.contains("jobs are simulated"));
        assert!(text.contains("[ok  ] api: reachable"));
        assert!(
            text.contains("[ok  ] scopes: the key can use every offered tool"),
            "{text}"
        );
    }

    #[test]
    fn vscode_uses_servers_and_a_password_input() {
        let config = host_config("vscode", false, true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&config.text).unwrap();
        assert_eq!(v["inputs"][0]["type"], "promptString");
        assert_eq!(v["inputs"][0]["password"], true);
        let server = &v["servers"]["junglegrid"];
        assert_eq!(
            server["env"]["JUNGLE_GRID_API_KEY"],
            "${input:jungle-grid-api-key}"
        );
        assert_eq!(
            server["args"],
            json!(["-y", "@jungle-grid/mcp", "--read-only"])
        );
        assert!(v.get("mcpServers").is_none());
    }

    #[test]
    fn claude_code_line_and_sandbox_without_key() {
        let line = host_config("claude-code", false, false).unwrap().text;
        assert_eq!(
            line,
            "claude mcp add --transport stdio junglegrid --env JUNGLE_GRID_API_KEY=jg_placeholder -- npx -y @jungle-grid/mcp"
        );
        let sandbox = host_config("claude-code", true, false).unwrap().text;
        assert_eq!(
            sandbox,
            "claude mcp add --transport stdio junglegrid -- npx -y @jungle-grid/mcp --sandbox"
        );
        let cursor = host_config("cursor", true, false).unwrap();
        let v: serde_json::Value = serde_json::from_str(&cursor.text).unwrap();
        assert!(v["mcpServers"]["junglegrid"].get("env").is_none());
        assert!(!cursor.instructions.contains("jg_placeholder"));
    }
}

//! Every setting in one table: its flag(s), environment variable(s) (preferred first, then legacy
//! aliases), default, allowed values, meaning and the modes that read it. `--help`, `doctor`'s
//! configuration report and the README configuration tables are generated from [`SETTINGS`]; a
//! test checks that every environment variable the crate reads has a row here.
//!
//! The table also drives parsing: `cli::parse` finds each flag's row here (its spelling, whether it
//! takes a value, whether it repeats) and collects the values into [`Overrides`], keyed by row;
//! configuration then reads every setting through [`resolve`]: the flag, else the first of the
//! row's environment variables that is set (preferred name first, legacy aliases after), else the
//! default, and says which source won ([`Source`]).
//!
//! To add a setting: add a `static` row below, register it in [`SETTINGS`], and read it with
//! [`resolve`] where it is used. Its flag, `--help`, `doctor` and the README follow.

/// Where a setting is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The local MCP server on stdin/stdout.
    Stdio,
    /// Hosted mode: Streamable HTTP with OAuth.
    Http,
    /// The JS client library (`new JungleGridClient()`).
    Library,
    /// The embedded simulator (`--sandbox`).
    Sandbox,
    /// `junglegrid-mcp doctor`.
    Doctor,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Stdio => "stdio",
            Mode::Http => "http",
            Mode::Library => "library",
            Mode::Sandbox => "sandbox",
            Mode::Doctor => "doctor",
        }
    }
}

/// One setting.
#[derive(Debug)]
pub struct Setting {
    /// Command-line flags with their value placeholder, e.g. `--api-base <url>`.
    pub flags: &'static [&'static str],
    /// Environment variables: the preferred one first, then legacy aliases read only when it is
    /// unset. A flag overrides them all.
    pub env: &'static [&'static str],
    /// The default, as users should read it ("" when there is none).
    pub default: &'static str,
    /// Accepted values, when they are a short list or range ("" otherwise).
    pub allowed: &'static str,
    /// What it does, one sentence for users.
    pub meaning: &'static str,
    pub modes: &'static [Mode],
    /// The flag may be given more than once; every value is kept, in order (`--allow-dir`).
    pub repeats: bool,
    /// A credential: its value is never printed.
    pub secret: bool,
}

use super::Env;
use Mode::{Doctor, Http, Library, Sandbox, Stdio};

const EVERY: &[Mode] = &[Stdio, Http, Library, Sandbox, Doctor];

pub static API_KEY: Setting = Setting {
    flags: &[],
    env: &["JUNGLE_GRID_API_KEY"],
    default: "(required)",
    allowed: "",
    meaning: "Your Jungle Grid API key (`jg_...`); missing or blank, the server prints `JUNGLE_GRID_API_KEY is required` and a hint on stderr and exits 1.",
    modes: &[Stdio, Library, Doctor],
    repeats: false,
    secret: true,
};

pub static API_BASE: Setting = Setting {
    flags: &["--api-base <url>"],
    env: &["JUNGLEGRID_API_BASE", "JUNGLE_GRID_API_URL"],
    default: "https://api.junglegrid.dev",
    allowed: "http(s) URL, no query",
    meaning: "Jungle Grid API base URL; trailing slashes are removed, a path prefix is kept (`JUNGLE_GRID_API_URL` is the legacy alias, read only when `JUNGLEGRID_API_BASE` is unset).",
    modes: &[Stdio, Http, Library, Doctor],
    repeats: false,
    secret: false,
};

pub static TIMEOUT_MS: Setting = Setting {
    flags: &["--timeout-ms <ms>"],
    env: &["JUNGLE_GRID_TIMEOUT_MS"],
    default: "30000",
    allowed: "1 to 3600000",
    meaning: "Timeout of one API request attempt in milliseconds.",
    modes: &[Stdio, Http, Library, Doctor],
    repeats: false,
    secret: false,
};

pub static LOG_LEVEL: Setting = Setting {
    flags: &["--log-level <level>"],
    env: &["JUNGLE_GRID_LOG"],
    default: "warn",
    allowed: "off, error, warn, info, debug, trace",
    meaning: "Log level; logs go to stderr, never stdout.",
    modes: &[Stdio, Http, Sandbox],
    repeats: false,
    secret: false,
};

pub static READ_ONLY: Setting = Setting {
    flags: &["--read-only"],
    env: &["JUNGLE_GRID_READ_ONLY"],
    default: "off",
    allowed: "1/true/yes/on, 0/false/no/off",
    meaning: "Offer only the read-only tools: nothing can be submitted, uploaded or cancelled.",
    modes: &[Stdio, Http, Sandbox, Doctor],
    repeats: false,
    secret: false,
};

pub static TOOLS: Setting = Setting {
    flags: &["--tools <a,b,c>"],
    env: &["JUNGLE_GRID_TOOLS"],
    default: "all",
    allowed: "comma-separated tool names",
    meaning: "Offer only these tools; an unknown name, or a write tool in read-only mode, stops the start with an error.",
    modes: &[Stdio, Http, Sandbox, Doctor],
    repeats: false,
    secret: false,
};

pub static MAX_JOB_COST_USD: Setting = Setting {
    flags: &["--max-job-cost-usd <usd>"],
    env: &["JUNGLE_GRID_MAX_JOB_COST_USD"],
    default: "no cap",
    allowed: "a non-negative amount in USD",
    meaning: "Spending guard: a submit whose estimate may cost more than this (or whose cost is unknown) needs the user's approval in the client; a client that cannot ask gets a refusal. Hosted requests may lower it with `X-MCP-Max-Job-Cost-Usd`.",
    modes: &[Stdio, Http, Library, Sandbox],
    repeats: false,
    secret: false,
};

pub static CONFIRM_SUBMIT: Setting = Setting {
    flags: &["--confirm-submit"],
    env: &["JUNGLE_GRID_CONFIRM_SUBMIT"],
    default: "off",
    allowed: "1/true/yes/on, 0/false/no/off",
    meaning: "Every submit needs the user's approval in the client. Hosted requests may turn it on with `X-MCP-Confirm-Submit: true`.",
    modes: &[Stdio, Http, Library, Sandbox],
    repeats: false,
    secret: false,
};

pub static ALLOW_DIR: Setting = Setting {
    flags: &["--allow-dir <dir>"],
    env: &["JUNGLE_GRID_FILES_DIRS"],
    default: "your home folder",
    allowed: "existing folders by absolute path; the variable in the OS path-list format",
    meaning: "Folders the agent's local files may be read from (`upload_job_input path`) and saved to (`get_artifact save_to`), narrowed to the host's MCP roots; never hidden paths. The flag is repeatable and wins over the variable.",
    modes: &[Stdio, Sandbox],
    repeats: true,
    secret: false,
};

pub static HOME: Setting = Setting {
    flags: &[],
    env: &["HOME", "USERPROFILE"],
    default: "set by the system",
    allowed: "",
    meaning: "The user's home folder: where the agent's local files may be when no folder is configured (`USERPROFILE` is read when `HOME` is unset).",
    modes: &[Stdio, Sandbox],
    repeats: false,
    secret: false,
};

pub static ALLOW_OVERWRITE: Setting = Setting {
    flags: &["--allow-overwrite"],
    env: &["JUNGLE_GRID_ALLOW_OVERWRITE"],
    default: "off",
    allowed: "1/true/yes/on, 0/false/no/off",
    meaning: "Let the agent's `overwrite: true` replace an existing file with `get_artifact save_to`; off, no file is ever replaced.",
    modes: &[Stdio, Sandbox],
    repeats: false,
    secret: false,
};

pub static SANDBOX: Setting = Setting {
    flags: &["--sandbox"],
    env: &["JUNGLE_GRID_SANDBOX"],
    default: "off",
    allowed: "1/true/yes/on",
    meaning: "Run against the embedded Jungle Grid simulator: offline, no key, no cost (stdio only).",
    modes: &[Stdio, Sandbox],
    repeats: false,
    secret: false,
};

pub static SANDBOX_DIR: Setting = Setting {
    flags: &["--sandbox-dir <dir>"],
    env: &["JUNGLE_GRID_SANDBOX_DIR"],
    default: "~/.jungle-grid/sandbox",
    allowed: "a folder, or :memory:",
    meaning: "Where sandbox state lives: shared by every sandbox process using it (a host that starts a process per call finds its jobs), and kept across restarts. `:memory:` keeps it in this process only.",
    modes: &[Sandbox],
    repeats: false,
    secret: false,
};

pub static SANDBOX_TIME_SCALE: Setting = Setting {
    flags: &["--sandbox-time-scale <n>"],
    env: &["JUNGLE_GRID_SANDBOX_TIME_SCALE"],
    default: "1",
    allowed: "above 0, at most 10000",
    meaning: "Run simulated time n times faster.",
    modes: &[Sandbox],
    repeats: false,
    secret: false,
};

pub static MAX_RESULT_CHARS: Setting = Setting {
    flags: &["--max-result-chars <n>"],
    env: &["JUNGLE_GRID_MAX_RESULT_CHARS"],
    default: "100000",
    allowed: "10000 to 10000000",
    meaning: "Largest tool result, per form (the text, and structuredContent as JSON), in characters; about 25k tokens by default, the strictest host's limit. Pages keep whole entries and a cursor resumes after the last one.",
    modes: &[Stdio, Http, Sandbox],
    repeats: false,
    secret: false,
};

pub static MAX_WAIT_SECONDS: Setting = Setting {
    flags: &["--max-wait-seconds <n>"],
    env: &["JUNGLE_GRID_MAX_WAIT_SECONDS"],
    default: "50",
    allowed: "1 to 1800",
    meaning: "Longest one wait_for_job call holds the request. Unset, each client's wait also fits its known request timeout (3 s for unknown clients and the Python SDK's default name, 48 s for hosts with 60 s); set, it holds for every client: set it below your client's request timeout.",
    modes: &[Stdio, Http, Sandbox],
    repeats: false,
    secret: false,
};

pub static TRANSPORT: Setting = Setting {
    flags: &["--http"],
    env: &["MCP_TRANSPORT"],
    default: "stdio",
    allowed: "stdio, http",
    meaning: "`http` (or `--http`): hosted mode, Streamable HTTP on /mcp with OAuth.",
    modes: &[Stdio, Http],
    repeats: false,
    secret: false,
};

pub static PROXY: Setting = Setting {
    flags: &[],
    env: &["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"],
    default: "",
    allowed: "",
    meaning: "Honoured for API requests (lower-case names too); errors and `doctor` name the proxy (never its password) and the variable. TLS is rustls with the system's certificate store.",
    modes: EVERY,
    repeats: false,
    secret: false,
};

// Hosted mode only.
pub static SERVICE_TOKEN: Setting = Setting {
    flags: &[],
    env: &["JUNGLEGRID_INTERNAL_SERVICE_TOKEN"],
    default: "(required)",
    allowed: "",
    meaning: "Authenticates this server to the introspection endpoint; never sent for users.",
    modes: &[Http],
    repeats: false,
    secret: true,
};

pub static PORT: Setting = Setting {
    flags: &["--port <n>"],
    env: &["PORT"],
    default: "3000",
    allowed: "1 to 65535",
    meaning: "Listen port.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static HOST: Setting = Setting {
    flags: &["--host <ip>"],
    env: &["HOST"],
    default: "0.0.0.0",
    allowed: "an IP address",
    meaning: "Listen address.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static OAUTH_ISSUER: Setting = Setting {
    flags: &[],
    env: &["OAUTH_ISSUER"],
    default: "https://api.junglegrid.dev",
    allowed: "http(s) URL",
    meaning: "Expected token issuer; advertised as the authorization server.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static MCP_RESOURCE: Setting = Setting {
    flags: &[],
    env: &["MCP_RESOURCE"],
    default: "https://mcp.junglegrid.dev",
    allowed: "http(s) URL",
    meaning: "This server's resource id; tokens must name it in `aud`.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static RESOURCE_METADATA_URL: Setting = Setting {
    flags: &[],
    env: &["MCP_RESOURCE_METADATA_URL"],
    default: "https://mcp.junglegrid.dev/.well-known/oauth-protected-resource",
    allowed: "http(s) URL",
    meaning: "Sent in the `WWW-Authenticate` challenge.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static APPS_CHALLENGE_TOKEN: Setting = Setting {
    flags: &[],
    env: &["OPENAI_APPS_CHALLENGE_TOKEN"],
    default: "",
    allowed: "",
    meaning: "Served at `/.well-known/openai-apps-challenge`.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static ALLOWED_ORIGINS: Setting = Setting {
    flags: &[],
    env: &["MCP_ALLOWED_ORIGINS"],
    default: "none",
    allowed: "comma-separated origins",
    meaning: "Browser origins allowed to call `/mcp`; a request with any other `Origin` is refused.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static ALLOWED_HOSTS: Setting = Setting {
    flags: &[],
    env: &["MCP_ALLOWED_HOSTS"],
    default: "the resource's host, localhost, 127.0.0.1, [::1]",
    allowed: "comma-separated hosts, or *",
    meaning: "Accepted `Host` headers; `*` accepts any.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static MAX_BODY_BYTES: Setting = Setting {
    flags: &[],
    env: &["MCP_MAX_BODY_BYTES"],
    default: "1048576",
    allowed: "1024 to 67108864",
    meaning: "Largest request body in bytes.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static INTROSPECTION_TIMEOUT_MS: Setting = Setting {
    flags: &[],
    env: &["OAUTH_INTROSPECTION_TIMEOUT_MS"],
    default: "5000",
    allowed: "",
    meaning: "Timeout of one introspection request in milliseconds.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static TOKEN_CACHE_MS: Setting = Setting {
    flags: &[],
    env: &["OAUTH_TOKEN_CACHE_MS"],
    default: "60000",
    allowed: "",
    meaning: "Longest time in milliseconds an accepted token is trusted without asking again.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static TASK_SIGNING_KEY: Setting = Setting {
    flags: &[],
    env: &["JUNGLE_GRID_TASK_SIGNING_KEY"],
    default: "random per process",
    allowed: "at least 32 characters",
    meaning: "HMAC key that signs task ids (e.g. `openssl rand -hex 32`); give every replica the same value so a task created on one is readable on all. Unset, tasks are readable only on the instance that created them (said at start-up); rotating it forgets running tasks.",
    modes: &[Http],
    repeats: false,
    secret: true,
};

pub static NODE_ENV: Setting = Setting {
    flags: &[],
    env: &["NODE_ENV"],
    default: "development",
    allowed: "",
    meaning: "Reported by `/healthz`.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static HEADER_TIMEOUT_MS: Setting = Setting {
    flags: &[],
    env: &["MCP_HEADER_TIMEOUT_MS"],
    default: "10000",
    allowed: "1 to 3600000",
    meaning: "Milliseconds a client has to send a request's headers, counted from the connection's start or the end of the previous response (so also the keep-alive idle timeout).",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static BODY_TIMEOUT_MS: Setting = Setting {
    flags: &[],
    env: &["MCP_BODY_TIMEOUT_MS"],
    default: "30000",
    allowed: "1 to 3600000",
    meaning: "Milliseconds a client has to send a whole request body; past it `408`.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static MAX_CONNECTIONS: Setting = Setting {
    flags: &[],
    env: &["MCP_MAX_CONNECTIONS"],
    default: "3/4 of (open-file limit - 64), 16 to 1024",
    allowed: "1 to 1000000",
    meaning: "Open connections; past it the oldest connection with no request in progress is closed to admit the new one.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static MAX_IN_FLIGHT: Setting = Setting {
    flags: &[],
    env: &["MCP_MAX_IN_FLIGHT"],
    default: "1024",
    allowed: "1 to 1000000",
    meaning: "Requests handled at once (each holds at most one body of `MCP_MAX_BODY_BYTES`); past it `503` with `Retry-After: 1`.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static RATE_LIMIT_PER_MINUTE: Setting = Setting {
    flags: &[],
    env: &["MCP_RATE_LIMIT_PER_MINUTE"],
    default: "600",
    allowed: "0 to 1000000",
    meaning: "Requests per minute per caller (SHA-256 of the bearer token, else the client's address), bursts up to the same number; past it `429` with `Retry-After`. `0` turns it off.",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static METRICS_ADDR: Setting = Setting {
    flags: &[],
    env: &["MCP_METRICS_ADDR"],
    default: "off",
    allowed: "host:port",
    meaning: "Separate listener serving Prometheus `GET /metrics` (use a loopback or private address).",
    modes: &[Http],
    repeats: false,
    secret: false,
};

pub static ACCESS_LOG: Setting = Setting {
    flags: &[],
    env: &["MCP_ACCESS_LOG"],
    default: "on",
    allowed: "off, false, no, 0 to silence",
    meaning: "One JSON line per request on stderr (no tokens; the subject as a hash).",
    modes: &[Http],
    repeats: false,
    secret: false,
};

/// The settings, in the order `--help` and the README list them. A setting is one `static`
/// row above, registered here once.
pub static SETTINGS: &[&Setting] = &[
    &API_KEY,
    &API_BASE,
    &TIMEOUT_MS,
    &LOG_LEVEL,
    &READ_ONLY,
    &TOOLS,
    &MAX_JOB_COST_USD,
    &CONFIRM_SUBMIT,
    &ALLOW_DIR,
    &HOME,
    &ALLOW_OVERWRITE,
    &SANDBOX,
    &SANDBOX_DIR,
    &SANDBOX_TIME_SCALE,
    &MAX_RESULT_CHARS,
    &MAX_WAIT_SECONDS,
    &TRANSPORT,
    &PROXY,
    &SERVICE_TOKEN,
    &PORT,
    &HOST,
    &OAUTH_ISSUER,
    &MCP_RESOURCE,
    &RESOURCE_METADATA_URL,
    &APPS_CHALLENGE_TOKEN,
    &ALLOWED_ORIGINS,
    &ALLOWED_HOSTS,
    &MAX_BODY_BYTES,
    &INTROSPECTION_TIMEOUT_MS,
    &TOKEN_CACHE_MS,
    &TASK_SIGNING_KEY,
    &NODE_ENV,
    &HEADER_TIMEOUT_MS,
    &BODY_TIMEOUT_MS,
    &MAX_CONNECTIONS,
    &MAX_IN_FLIGHT,
    &RATE_LIMIT_PER_MINUTE,
    &METRICS_ADDR,
    &ACCESS_LOG,
];

impl Setting {
    /// Read only in hosted mode.
    pub fn hosted_only(&self) -> bool {
        self.modes == [Http]
    }

    /// The flag's spelling without its placeholder (`--api-base`), if it has a flag.
    pub fn flag(&self) -> Option<&'static str> {
        self.flags.first().and_then(|f| f.split(' ').next())
    }

    /// Whether the flag takes a value (its spelling has a placeholder, `--api-base <url>`);
    /// otherwise it is a switch (`--read-only`).
    pub fn takes_value(&self) -> bool {
        self.flags.first().is_some_and(|f| f.contains(' '))
    }
}

/// The row whose flag is `--<name>` (`name` without the dashes, as `lexopt` gives it).
pub fn by_flag(name: &str) -> Option<&'static Setting> {
    SETTINGS
        .iter()
        .copied()
        .find(|s| s.flag().and_then(|f| f.strip_prefix("--")) == Some(name))
}

/// Values given on the command line (or by an embedding API), keyed by their setting's row. They
/// win over the environment. A switch is stored with an empty value.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    values: Vec<(&'static Setting, String)>,
}

impl PartialEq for Overrides {
    fn eq(&self, other: &Self) -> bool {
        self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|((a, x), (b, y))| std::ptr::eq(*a, *b) && x == y)
    }
}

impl Eq for Overrides {}

impl Overrides {
    /// Records a value for `setting`: a repeating setting keeps every value, any other keeps the
    /// last one given.
    pub fn set(&mut self, setting: &'static Setting, value: impl Into<String>) {
        if !setting.repeats {
            self.values.retain(|(s, _)| !std::ptr::eq(*s, setting));
        }
        self.values.push((setting, value.into()));
    }

    /// The same overrides with `setting` set to `value`.
    pub fn with(mut self, setting: &'static Setting, value: impl Into<String>) -> Self {
        self.set(setting, value);
        self
    }

    /// The value given for `setting` (the last one, for a repeating setting).
    pub fn get(&self, setting: &Setting) -> Option<&str> {
        self.all(setting).last().copied()
    }

    /// Every value given for `setting`, in order.
    pub fn all(&self, setting: &Setting) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(s, _)| std::ptr::eq(*s, setting))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn is_set(&self, setting: &Setting) -> bool {
        self.values.iter().any(|(s, _)| std::ptr::eq(*s, setting))
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The command line (or the embedding API's option).
    Flag,
    /// This environment variable.
    Env(&'static str),
    /// Nothing was set.
    Default,
}

/// One setting as resolved: its raw value (not trimmed: each use validates it) and where it came
/// from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The flag or variable the value came from; with none, the preferred variable (or the flag),
    /// so a message can still name the setting.
    pub name: &'static str,
    pub source: Source,
    /// The value (the last flag value for a repeating flag; see [`Overrides::all`]); `None` by
    /// default. A switch given on the command line has an empty value.
    pub value: Option<String>,
}

impl Resolved {
    pub fn from_flag(&self) -> bool {
        self.source == Source::Flag
    }
}

/// The one rule for every setting: the flag, else the first of the row's environment variables
/// that is set (preferred name first, legacy aliases after: a blank preferred variable still
/// wins, meaning "the default"), else the default.
pub fn resolve(env: &dyn Env, overrides: &Overrides, setting: &'static Setting) -> Resolved {
    let flag = setting.flag().unwrap_or("");
    if let Some(v) = overrides.get(setting) {
        return Resolved {
            name: flag,
            source: Source::Flag,
            value: Some(v.to_string()),
        };
    }
    for var in setting.env {
        if let Some(v) = env.get(var) {
            return Resolved {
                name: var,
                source: Source::Env(var),
                value: Some(v),
            };
        }
    }
    Resolved {
        name: setting.env.first().copied().unwrap_or(flag),
        source: Source::Default,
        value: None,
    }
}

/// The `Options:` and `Environment:` parts of `--help`.
pub fn help_text() -> String {
    let mut out = String::from("Options:\n");
    let flag_width = 26;
    for s in SETTINGS {
        for flag in s.flags {
            let mut notes = Vec::new();
            if !s.allowed.is_empty() {
                notes.push(s.allowed.to_string());
            }
            if !s.default.is_empty() {
                notes.push(format!("default: {}", s.default));
            }
            let notes = match notes.is_empty() {
                true => String::new(),
                false => format!(" ({})", notes.join("; ")),
            };
            out.push_str(&format!(
                "  {flag:<flag_width$}{}{notes}\n",
                strip_code(s.meaning)
            ));
        }
    }
    out.push_str(&format!(
        "  {:<flag_width$}Show this help\n  {:<flag_width$}Show the version\n",
        "-h, --help", "-V, --version"
    ));
    out.push_str("\nEnvironment (a flag wins over its variable):\n");
    for s in SETTINGS.iter().filter(|s| !s.hosted_only()) {
        let same = match s.flags.first() {
            Some(f) => format!(" Same as {}.", f.split(' ').next().unwrap_or(f)),
            None => String::new(),
        };
        out.push_str(&format!("  {}{same}\n", s.env.join(", ")));
    }
    let hosted: Vec<&str> = SETTINGS
        .iter()
        .filter(|s| s.hosted_only())
        .flat_map(|s| s.env.iter().copied())
        .collect();
    out.push_str(&format!("  Hosted mode: {}.\n", hosted.join(", ")));
    out
}

fn strip_code(text: &str) -> String {
    text.replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every environment variable the crate reads has a row (so `--help`, `doctor` and the README
    /// cannot miss one).
    #[test]
    fn every_env_read_is_in_the_table() {
        let known: Vec<&str> = SETTINGS
            .iter()
            .flat_map(|s| s.env.iter().copied())
            .collect();
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for pattern in ["env.get(\"", "env::var(\"", "(env, \""] {
                    for (at, _) in text.match_indices(pattern) {
                        let rest = &text[at + pattern.len()..];
                        let name = &rest[..rest.find('"').unwrap_or(0)];
                        if name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                            && !known.contains(&name)
                        {
                            missing.push(format!("{name} ({})", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "settings without a row in SETTINGS: {missing:?}"
        );
    }

    /// Every row is registered in `SETTINGS`, once.
    #[test]
    fn every_row_is_registered_once() {
        let source = include_str!("settings.rs");
        let rows = source.matches(concat!(": Setting", " = Setting {")).count();
        assert_eq!(
            rows,
            SETTINGS.len(),
            "a `static` row is missing from SETTINGS"
        );
        for (i, a) in SETTINGS.iter().enumerate() {
            for b in &SETTINGS[i + 1..] {
                assert!(!std::ptr::eq(*a, *b), "{:?} is registered twice", a.env);
            }
        }
    }

    /// The one rule: flag, else the first variable that is set (a blank one included), else the
    /// default; the name says where the value came from.
    #[test]
    fn resolve_order_and_source() {
        let none = Overrides::default();
        let found = resolve(&[], &none, &API_BASE);
        assert_eq!(
            (found.name, found.source, found.value),
            ("JUNGLEGRID_API_BASE", Source::Default, None)
        );
        let legacy = [("JUNGLE_GRID_API_URL", "l")];
        let found = resolve(&legacy, &none, &API_BASE);
        assert_eq!(found.source, Source::Env("JUNGLE_GRID_API_URL"));
        let both = [("JUNGLE_GRID_API_URL", "l"), ("JUNGLEGRID_API_BASE", " ")];
        let found = resolve(&both, &none, &API_BASE);
        assert_eq!(
            (found.name, found.value.as_deref()),
            ("JUNGLEGRID_API_BASE", Some(" "))
        );
        let flag = none.clone().with(&API_BASE, "f");
        let found = resolve(&both, &flag, &API_BASE);
        assert_eq!(
            (found.name, found.source, found.value.as_deref()),
            ("--api-base", Source::Flag, Some("f"))
        );
        // A single-valued flag given twice keeps the last; a repeating one keeps all.
        let twice = flag.with(&API_BASE, "g");
        assert_eq!(twice.all(&API_BASE), ["g"]);
        let dirs = Overrides::default()
            .with(&ALLOW_DIR, "/a")
            .with(&ALLOW_DIR, "/b");
        assert_eq!(dirs.all(&ALLOW_DIR), ["/a", "/b"]);
        assert_eq!(dirs.get(&ALLOW_DIR), Some("/b"));
        assert!(!dirs.is_set(&API_BASE));
    }

    #[test]
    fn help_lists_every_flag_and_variable() {
        let help = help_text();
        for s in SETTINGS {
            for name in s.flags.iter().chain(s.env) {
                assert!(help.contains(name), "--help misses {name}");
            }
        }
        assert!(help.contains("off, error, warn"), "{help}");
    }
}

//! Configuration: the environment (and CLI overrides) turned into a validated [`Config`] once, at
//! start-up. Every setting is read through [`settings::resolve`] (flag, else environment, else
//! default), each by its row in the settings table. Nothing else in the crate reads environment
//! variables.

pub mod clients;
pub mod http;
pub mod settings;

pub use settings::Overrides;
use settings::{Setting, resolve};

use std::path::PathBuf;
use std::time::Duration;

use crate::files::{FilesConfig, RootsOrigin};
use crate::secret::Secret;

pub const DEFAULT_API_BASE: &str = "https://api.junglegrid.dev";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest request timeout accepted: one hour. Anything longer is almost certainly a unit mistake.
const MAX_TIMEOUT_MS: u64 = 3_600_000;

/// Default size budget of each form of a tool result, in characters (about 25k tokens: the
/// strictest host's limit).
pub const DEFAULT_MAX_RESULT_CHARS: usize = 100_000;
const MIN_MAX_RESULT_CHARS: usize = 10_000;
const MAX_MAX_RESULT_CHARS: usize = 10_000_000;
/// Default longest wait of one call (wait_for_job): under the 60 s after which common clients give
/// up on a request.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(50);
/// Longest wait the setting accepts (for hosts that reset their timeout on progress).
pub const MAX_MAX_WAIT_SECONDS: u64 = 1_800;

/// The message the seed documents for a missing key, followed by where to set it.
pub const MISSING_KEY_MESSAGE: &str = "JUNGLE_GRID_API_KEY is required";
pub const MISSING_KEY_HINT: &str = "Set it in the \"env\" block of your MCP host config (for example \
\"env\": { \"JUNGLE_GRID_API_KEY\": \"jg_...\" }) or export it in your shell. To try every tool \
offline first, with no key and no cost: npx -y @jungle-grid/mcp --sandbox";

/// Where configuration values come from. `std::env::var` in production, a map in tests.
pub trait Env: Sync {
    fn get(&self, key: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, key: &str) -> Option<String> {
        std::env::var(key).ok()
    }
}

impl<const N: usize> Env for [(&str, &str); N] {
    fn get(&self, key: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_string())
    }
}

/// A configuration error, printed as `Fatal: <message>` (or the seed's own text for a missing key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{MISSING_KEY_MESSAGE}")]
    MissingApiKey,
    #[error("{name} must be an absolute http(s) URL, got \"{value}\".")]
    InvalidUrl { name: &'static str, value: String },
    #[error(
        "{name} must be a whole number of milliseconds between 1 and {MAX_TIMEOUT_MS}, got \"{value}\"."
    )]
    InvalidTimeout { name: &'static str, value: String },
    #[error("{name} names unknown tools: {unknown}. Known tools: {known}.")]
    UnknownTools {
        name: &'static str,
        unknown: String,
        known: String,
    },
    #[error(
        "{name} names tools that can change or spend (not read-only): {tools}. Remove them or drop read-only mode."
    )]
    WriteToolsInReadOnly { name: &'static str, tools: String },
    #[error("{name} must be true or false (1/0, yes/no), got \"{value}\".")]
    InvalidFlag { name: &'static str, value: String },
    #[error("{name} must be an integer between 1 and 65535.")]
    InvalidPort { name: &'static str, value: String },
    #[error(
        "{name} must be an IP address to listen on (e.g. 0.0.0.0 or 127.0.0.1), got \"{value}\"."
    )]
    InvalidHost { name: &'static str, value: String },
    #[error(
        "MCP_MAX_BODY_BYTES must be a number of bytes between 1024 and 67108864, got \"{value}\"."
    )]
    InvalidBodyLimit { value: String },
    #[error("{name} must name existing folders by absolute path; \"{value}\" {reason}.")]
    InvalidFilesDir {
        name: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("{name} must be a whole number between {min} and {max}, got \"{value}\".")]
    InvalidCount {
        name: &'static str,
        value: String,
        min: u64,
        max: u64,
    },
    #[error("{name} must be an address to listen on such as 127.0.0.1:9464, got \"{value}\".")]
    InvalidAddr { name: &'static str, value: String },
    #[error(
        "{name} must be a whole number of characters between {MIN_MAX_RESULT_CHARS} and {MAX_MAX_RESULT_CHARS}, got \"{value}\"."
    )]
    InvalidMaxResultChars { name: &'static str, value: String },
    #[error(
        "{name} must be a whole number of seconds between 1 and {MAX_MAX_WAIT_SECONDS}, got \"{value}\"."
    )]
    InvalidMaxWait { name: &'static str, value: String },
    #[error(
        "{name} must be a non-negative amount in US dollars (for example 5 or 2.50), got \"{value}\"."
    )]
    InvalidCost { name: &'static str, value: String },
    #[error(
        "JUNGLEGRID_INTERNAL_SERVICE_TOKEN is required in HTTP mode: it authenticates this server to the OAuth token introspection endpoint."
    )]
    MissingServiceToken,
    #[error(
        "JUNGLE_GRID_TASK_SIGNING_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`); every replica needs the same value."
    )]
    WeakTaskKey,
}

impl ConfigError {
    /// A one-line hint shown under the error, where there is something useful to say.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            ConfigError::MissingApiKey => Some(MISSING_KEY_HINT),
            _ => None,
        }
    }
}

/// The Jungle Grid API this process talks to.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base URL without trailing slashes, e.g. `https://api.junglegrid.dev`.
    pub base: String,
    /// Timeout of one HTTP request (each attempt).
    pub timeout: Duration,
    /// The proxy the HTTP client's environment rules send API requests through, if any; errors
    /// name it instead of blaming the API host.
    pub proxy: Option<ProxyRoute>,
    /// Connect without any proxy: the embedded simulator is in this process on loopback, and a
    /// user's HTTP_PROXY (common behind a company proxy) must not carry its requests away.
    pub direct: bool,
}

impl ApiConfig {
    /// The same API reached directly, never through a proxy (the embedded sandbox).
    pub fn direct(self) -> Self {
        ApiConfig {
            proxy: None,
            direct: true,
            ..self
        }
    }
}

/// A proxy on the way to the API: its address (`scheme://host:port`, never its user or password)
/// and the variable that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRoute {
    pub address: String,
    pub variable: &'static str,
}

/// The first of `names` that is set (even empty), as reqwest's proxy rules read them.
fn first_set(env: &dyn Env, names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|n| env.get(n).map(|v| (*n, v)))
}

/// Which proxy requests to `base` go through, by the rules reqwest applies to the same
/// variables (hyper-util's matcher: the scheme's own variable, else ALL_PROXY, unless NO_PROXY
/// matches the host). System proxy settings of macOS and Windows are not seen here.
pub fn proxy_route(env: &dyn Env, base: &str) -> Option<ProxyRoute> {
    use hyper_util::client::proxy::matcher::Matcher;
    let uri: hyper::Uri = base.parse().ok()?;
    let own: &[&'static str] = match uri.scheme_str() {
        Some("https") => &["HTTPS_PROXY", "https_proxy"],
        Some("http") => &["HTTP_PROXY", "http_proxy"],
        _ => return None,
    };
    let no = first_set(env, &["NO_PROXY", "no_proxy"]).map_or(String::new(), |(_, v)| v);
    [
        first_set(env, own),
        first_set(env, &["ALL_PROXY", "all_proxy"]),
    ]
    .into_iter()
    .flatten()
    .find_map(|(variable, value)| {
        let matcher = Matcher::builder().all(value).no(no.as_str()).build();
        let proxy = matcher.intercept(&uri)?;
        let proxy = proxy.uri();
        let scheme = proxy.scheme_str().unwrap_or("http");
        let port = proxy.port_u16().unwrap_or(match scheme {
            "https" => 443,
            "http" => 80,
            _ => 1080,
        });
        Some(ProxyRoute {
            address: format!("{scheme}://{}:{port}", proxy.host()?),
            variable,
        })
    })
}

/// How big one tool result may be and how long one call may hold the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultLimits {
    /// Each form of a result (the text, and structuredContent as JSON) is at most this many
    /// characters (`--max-result-chars` / `JUNGLE_GRID_MAX_RESULT_CHARS`).
    pub max_chars: usize,
    /// The longest one call waits for a job (`--max-wait-seconds` /
    /// `JUNGLE_GRID_MAX_WAIT_SECONDS`); hosted mode bounds a held request by it too.
    pub max_wait: Duration,
    /// Whether `max_wait` was configured (flag or variable) rather than defaulted: the user then
    /// says how long their client lets a request run, and it holds for every client (see
    /// [`clients::wait_rule`]).
    pub wait_configured: bool,
}

impl Default for ResultLimits {
    fn default() -> Self {
        ResultLimits {
            max_chars: DEFAULT_MAX_RESULT_CHARS,
            max_wait: DEFAULT_MAX_WAIT,
            wait_configured: false,
        }
    }
}

/// A whole number within `range` (`_` separators allowed) from the flag or the environment.
fn bounded_number(
    env: &dyn Env,
    overrides: &Overrides,
    setting: &'static Setting,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, (&'static str, String)> {
    let found = resolve(env, overrides, setting);
    let name = found.name;
    let Some(value) = non_blank(found.value) else {
        return Ok(None);
    };
    match value.replace('_', "").parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err((name, value)),
    }
}

pub fn resolve_result_limits(
    env: &dyn Env,
    overrides: &Overrides,
) -> Result<ResultLimits, ConfigError> {
    let defaults = ResultLimits::default();
    let max_chars = bounded_number(
        env,
        overrides,
        &settings::MAX_RESULT_CHARS,
        MIN_MAX_RESULT_CHARS as u64..=MAX_MAX_RESULT_CHARS as u64,
    )
    .map_err(|(name, value)| ConfigError::InvalidMaxResultChars { name, value })?
    .map_or(defaults.max_chars, |n| n as usize);
    let max_wait = bounded_number(
        env,
        overrides,
        &settings::MAX_WAIT_SECONDS,
        1..=MAX_MAX_WAIT_SECONDS,
    )
    .map_err(|(name, value)| ConfigError::InvalidMaxWait { name, value })?;
    Ok(ResultLimits {
        max_chars,
        max_wait: max_wait.map_or(defaults.max_wait, Duration::from_secs),
        wait_configured: max_wait.is_some(),
    })
}

/// Everything the stdio server needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub api: ApiConfig,
    pub api_key: Secret,
    /// Which tools this server offers (checked against the tool table by `tools::select`).
    pub tools: ToolSelection,
    /// Talking to the embedded simulator: jobs are simulated.
    pub sandbox: bool,
    pub limits: ResultLimits,
    /// Where the agent's local files may be.
    pub files: FilesConfig,
    /// When a submit needs the user's own approval.
    pub spending: SpendingGuard,
}

/// The spending guard (contract Part A.12): a submit whose estimated upper cost is above
/// `max_job_cost_usd`, or any submit when `confirm_submit` is on, needs the user's approval in the
/// client. Default: off (no cap, no confirmation).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpendingGuard {
    /// `--max-job-cost-usd` / `JUNGLE_GRID_MAX_JOB_COST_USD`: the most one job may cost (upper
    /// end of its estimate) without asking.
    pub max_job_cost_usd: Option<f64>,
    /// `--confirm-submit` / `JUNGLE_GRID_CONFIRM_SUBMIT`: ask before every submit.
    pub confirm_submit: bool,
}

impl SpendingGuard {
    /// Whether submits go ahead without any check (the default).
    pub fn is_off(&self) -> bool {
        self.max_job_cost_usd.is_none() && !self.confirm_submit
    }

    /// The stricter of the two: the lower cap, and confirmation if either asks for it. Per-request
    /// settings (hosted headers) go through this, so they can only tighten the server's.
    pub fn tighten(self, other: SpendingGuard) -> SpendingGuard {
        let max_job_cost_usd = match (self.max_job_cost_usd, other.max_job_cost_usd) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        SpendingGuard {
            max_job_cost_usd,
            confirm_submit: self.confirm_submit || other.confirm_submit,
        }
    }
}

/// A cost cap in USD: a finite, non-negative number (`$` and spaces allowed); blank is no cap.
pub fn parse_cost(name: &'static str, value: Option<String>) -> Result<Option<f64>, ConfigError> {
    let Some(raw) = non_blank(value) else {
        return Ok(None);
    };
    let number = raw.trim_start_matches('$').trim();
    match number.parse::<f64>() {
        Ok(usd) if usd.is_finite() && usd >= 0.0 && !number.starts_with(['+', '-']) => {
            Ok(Some(usd))
        }
        _ => Err(ConfigError::InvalidCost { name, value: raw }),
    }
}

/// The spending guard from the command line, then the environment.
pub fn resolve_spending(
    env: &dyn Env,
    overrides: &Overrides,
) -> Result<SpendingGuard, ConfigError> {
    let cap = resolve(env, overrides, &settings::MAX_JOB_COST_USD);
    let max_job_cost_usd = parse_cost(cap.name, cap.value)?;
    let confirm_submit = switch(env, overrides, &settings::CONFIRM_SUBMIT)?;
    Ok(SpendingGuard {
        max_job_cost_usd,
        confirm_submit,
    })
}

/// A switch (`--read-only`, `JUNGLE_GRID_READ_ONLY=1`): on when its flag is given, else as its
/// variable says (true or false, 1/0, yes/no, on/off; anything else is an error naming it).
pub fn switch(
    env: &dyn Env,
    overrides: &Overrides,
    setting: &'static Setting,
) -> Result<bool, ConfigError> {
    let found = resolve(env, overrides, setting);
    match found.from_flag() {
        true => Ok(true),
        false => parse_flag(found.name, found.value),
    }
}

/// `--sandbox-dir` keeps the sandbox in memory when given this value.
pub const SANDBOX_IN_MEMORY: &str = ":memory:";

/// Where `--sandbox` keeps its state when no `--sandbox-dir` is given: `<home>/.jungle-grid/sandbox`,
/// so every process of one user shares it (hosts that start a process per tool call find the
/// job the previous call submitted). `None` (in memory) without a home folder.
pub fn default_sandbox_dir(env: &dyn Env) -> Option<PathBuf> {
    settings::HOME
        .env
        .iter()
        .find_map(|var| non_blank(env.get(var)))
        .map(|home| PathBuf::from(home).join(".jungle-grid").join("sandbox"))
}

pub(crate) fn non_blank(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `JUNGLEGRID_API_BASE` wins; the legacy `JUNGLE_GRID_API_URL` is read only when the preferred
/// variable is unset (an empty preferred value means "the default", as in the TypeScript server).
pub fn resolve_api_base(env: &dyn Env, overrides: &Overrides) -> Result<String, ConfigError> {
    let found = resolve(env, overrides, &settings::API_BASE);
    let Some(value) = non_blank(found.value) else {
        return Ok(DEFAULT_API_BASE.to_string());
    };
    normalize_base_url(found.name, &value)
}

/// Validates an http(s) URL and strips trailing slashes.
pub fn normalize_base_url(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError::InvalidUrl {
        name,
        value: value.to_string(),
    };
    let parsed = reqwest::Url::parse(value).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid());
    }
    Ok(value.trim_end_matches('/').to_string())
}

pub fn resolve_timeout(env: &dyn Env, overrides: &Overrides) -> Result<Duration, ConfigError> {
    millis(env, overrides, &settings::TIMEOUT_MS, DEFAULT_TIMEOUT)
}

/// A duration in whole milliseconds, 1 to one hour, from the flag or the environment.
pub fn millis(
    env: &dyn Env,
    overrides: &Overrides,
    setting: &'static Setting,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let found = resolve(env, overrides, setting);
    let Some(value) = non_blank(found.value) else {
        return Ok(default);
    };
    match value.parse::<u64>() {
        Ok(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => Ok(Duration::from_millis(ms)),
        _ => Err(ConfigError::InvalidTimeout {
            name: found.name,
            value,
        }),
    }
}

pub fn parse_flag(name: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match non_blank(value).map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(ConfigError::InvalidFlag {
            name,
            value: other.to_string(),
        }),
    }
}

/// Which tools to offer, as configured: all, a named subset (`--tools` / `JUNGLE_GRID_TOOLS`), and
/// only the read-only ones in read-only mode (`--read-only` / `JUNGLE_GRID_READ_ONLY=1`). The tool
/// layer checks the names against its table (`tools::select`): configuration knows no tools.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolSelection {
    /// Where the names came from (`--tools` or `JUNGLE_GRID_TOOLS`), for error messages.
    pub source: &'static str,
    /// The names given, trimmed, blanks dropped; `None` for all tools.
    pub names: Option<Vec<String>>,
    pub read_only: bool,
}

pub fn resolve_tools(env: &dyn Env, overrides: &Overrides) -> Result<ToolSelection, ConfigError> {
    let read_only = switch(env, overrides, &settings::READ_ONLY)?;
    let found = resolve(env, overrides, &settings::TOOLS);
    let source = found.name;
    let names = non_blank(found.value).map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect()
    });
    Ok(ToolSelection {
        source,
        names,
        read_only,
    })
}

/// Where the agent's files may be: `--allow-dir` (repeatable) wins over `JUNGLE_GRID_FILES_DIRS`
/// (the OS path-list format: `:`-separated on Unix, `;` on Windows); each must be an existing
/// folder given by absolute path. With neither, the user's home. `--allow-overwrite` /
/// `JUNGLE_GRID_ALLOW_OVERWRITE=1` lets the agent's `overwrite: true` replace files.
pub fn resolve_files(env: &dyn Env, overrides: &Overrides) -> Result<FilesConfig, ConfigError> {
    let allow_overwrite = switch(env, overrides, &settings::ALLOW_OVERWRITE)?;
    let found = resolve(env, overrides, &settings::ALLOW_DIR);
    let name = found.name;
    let dirs: Vec<PathBuf> = if found.from_flag() {
        let given = overrides.all(&settings::ALLOW_DIR);
        given.into_iter().map(PathBuf::from).collect()
    } else {
        let raw = non_blank(found.value).unwrap_or_default();
        std::env::split_paths(&raw)
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    };
    if dirs.is_empty() {
        // The user's home; without one, nothing is allowed until a folder is configured. A blank
        // `HOME` falls back to `USERPROFILE` (unlike other aliases, where a blank preferred
        // variable means the default).
        let home = settings::HOME
            .env
            .iter()
            .find_map(|var| non_blank(env.get(var)));
        let roots = home
            .and_then(|h| std::fs::canonicalize(h).ok())
            .into_iter()
            .collect();
        return Ok(FilesConfig {
            roots,
            origin: RootsOrigin::Default,
            allow_overwrite,
        });
    }
    let mut roots = Vec::new();
    for dir in dirs {
        let invalid = |reason| ConfigError::InvalidFilesDir {
            name,
            value: dir.display().to_string(),
            reason,
        };
        if !dir.is_absolute() {
            return Err(invalid("is not an absolute path"));
        }
        let canonical = std::fs::canonicalize(&dir).map_err(|_| invalid("does not exist"))?;
        if !canonical.is_dir() {
            return Err(invalid("is not a folder"));
        }
        roots.push(canonical);
    }
    Ok(FilesConfig {
        roots,
        origin: RootsOrigin::Configured,
        allow_overwrite,
    })
}

/// The API half of the configuration; shared by every mode (stdio, library).
pub fn api_config(env: &dyn Env, overrides: &Overrides) -> Result<ApiConfig, ConfigError> {
    let base = resolve_api_base(env, overrides)?;
    Ok(ApiConfig {
        proxy: proxy_route(env, &base),
        direct: false,
        timeout: resolve_timeout(env, overrides)?,
        base,
    })
}

impl Config {
    /// Configuration for the local stdio server: the API key is required.
    pub fn for_stdio(env: &dyn Env, overrides: &Overrides) -> Result<Self, ConfigError> {
        let api = api_config(env, overrides)?;
        let tools = resolve_tools(env, overrides)?;
        let api_key = non_blank(resolve(env, overrides, &settings::API_KEY).value)
            .ok_or(ConfigError::MissingApiKey)?;
        Ok(Config {
            api,
            api_key: Secret::new(api_key),
            tools,
            sandbox: false,
            limits: resolve_result_limits(env, overrides)?,
            spending: resolve_spending(env, overrides)?,
            files: resolve_files(env, overrides)?,
        })
    }

    /// Configuration against the embedded simulator at `base`, with the key it made for this run.
    pub fn for_sandbox(
        env: &dyn Env,
        overrides: &Overrides,
        base: &str,
        api_key: &str,
    ) -> Result<Self, ConfigError> {
        let overrides = overrides.clone().with(&settings::API_BASE, base);
        Ok(Config {
            api: api_config(env, &overrides)?.direct(),
            api_key: Secret::new(api_key),
            tools: resolve_tools(env, &overrides)?,
            sandbox: true,
            limits: resolve_result_limits(env, &overrides)?,
            spending: resolve_spending(env, &overrides)?,
            files: resolve_files(env, &overrides)?,
        })
    }
}

/// Options of the JS client library; each falls back to the same environment variable as the
/// server.
#[derive(Debug, Default, Clone)]
pub struct ClientOptions {
    pub api_key: Option<String>,
    pub api_base: Option<String>,
    pub timeout_ms: Option<String>,
    /// `maxJobCostUsd`; falls back to `JUNGLE_GRID_MAX_JOB_COST_USD`.
    pub max_job_cost_usd: Option<String>,
    /// `confirmSubmit`; falls back to `JUNGLE_GRID_CONFIRM_SUBMIT`.
    pub confirm_submit: Option<bool>,
}

impl Config {
    /// Configuration of a library client: explicit options first, then the environment.
    pub fn for_client(env: &dyn Env, options: ClientOptions) -> Result<Self, ConfigError> {
        // The options stand where the flags stand (errors name them as the flags, as before).
        let mut overrides = Overrides::default();
        for (setting, value) in [
            // A blank key option falls back to the variable.
            (&settings::API_KEY, non_blank(options.api_key)),
            (&settings::API_BASE, options.api_base),
            (&settings::TIMEOUT_MS, options.timeout_ms),
        ] {
            if let Some(v) = value {
                overrides.set(setting, v);
            }
        }
        let api = api_config(env, &overrides)?;
        let api_key = non_blank(resolve(env, &overrides, &settings::API_KEY).value)
            .ok_or(ConfigError::MissingApiKey)?;
        Ok(Config {
            api,
            api_key: Secret::new(api_key),
            tools: ToolSelection::default(),
            sandbox: false,
            limits: resolve_result_limits(env, &overrides)?,
            spending: SpendingGuard {
                max_job_cost_usd: match options.max_job_cost_usd {
                    Some(v) => parse_cost("maxJobCostUsd", Some(v))?,
                    None => {
                        let cap = resolve(env, &overrides, &settings::MAX_JOB_COST_USD);
                        parse_cost(cap.name, cap.value)?
                    }
                },
                confirm_submit: match options.confirm_submit {
                    Some(v) => v,
                    None => switch(env, &overrides, &settings::CONFIRM_SUBMIT)?,
                },
            },
            // The library is not confined; this is unused there.
            files: FilesConfig {
                roots: Vec::new(),
                origin: RootsOrigin::Configured,
                allow_overwrite: false,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_on_the_way_is_named_without_its_password() {
        let api = "https://api.junglegrid.dev";
        let env = [("HTTPS_PROXY", "http://alice:s3cret@proxy.corp:3128")];
        let route = proxy_route(&env, api).unwrap();
        assert_eq!(route.address, "http://proxy.corp:3128");
        assert_eq!(route.variable, "HTTPS_PROXY");
        // Lower-case, ALL_PROXY as the fallback, default ports, and an http base's own variable.
        let env = [("https_proxy", "proxy.corp")];
        assert_eq!(
            proxy_route(&env, api).unwrap().address,
            "http://proxy.corp:80"
        );
        let env = [
            ("ALL_PROXY", "http://all:8080"),
            ("HTTP_PROXY", "http://h:1"),
        ];
        assert_eq!(proxy_route(&env, api).unwrap().variable, "ALL_PROXY");
        let http = proxy_route(&env, "http://127.0.0.1:4000").unwrap();
        assert_eq!(
            (http.variable, http.address.as_str()),
            ("HTTP_PROXY", "http://h:1")
        );
        // NO_PROXY, as reqwest reads it: the host or a parent domain goes direct.
        let env = [
            ("HTTPS_PROXY", "http://p:1"),
            ("NO_PROXY", ".junglegrid.dev"),
        ];
        assert_eq!(proxy_route(&env, api), None);
        assert_eq!(proxy_route(&[], api), None);
        // Base and proxy come together in the API configuration.
        let env = [("HTTPS_PROXY", "http://p:1")];
        assert_eq!(
            api_config(&env, &Overrides::default()).unwrap().proxy,
            Some(ProxyRoute {
                address: "http://p:1".into(),
                variable: "HTTPS_PROXY"
            })
        );
        // The sandbox is reached directly, whatever the proxy variables say.
        let sandbox =
            Config::for_sandbox(&env, &Overrides::default(), "http://127.0.0.1:5", "k").unwrap();
        assert!(sandbox.api.direct && sandbox.api.proxy.is_none());
    }

    #[test]
    fn result_limits_default_and_override() {
        let none = Overrides::default();
        assert_eq!(
            resolve_result_limits(&[], &none).unwrap(),
            ResultLimits::default()
        );
        let env = [
            ("JUNGLE_GRID_MAX_RESULT_CHARS", "20000"),
            ("JUNGLE_GRID_MAX_WAIT_SECONDS", "600"),
        ];
        let limits = resolve_result_limits(&env, &none).unwrap();
        assert_eq!(limits.max_chars, 20_000);
        assert_eq!(limits.max_wait, Duration::from_secs(600));
        let flags = Overrides::default().with(&settings::MAX_RESULT_CHARS, "50_000");
        assert_eq!(
            resolve_result_limits(&env, &flags).unwrap().max_chars,
            50_000
        );
        let err = resolve_result_limits(&[("JUNGLE_GRID_MAX_RESULT_CHARS", "5")], &none)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("JUNGLE_GRID_MAX_RESULT_CHARS must be a whole number"),
            "{err}"
        );
        let bad_wait = Overrides::default().with(&settings::MAX_WAIT_SECONDS, "0");
        let err = resolve_result_limits(&[], &bad_wait)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("--max-wait-seconds must be"), "{err}");
    }

    #[test]
    fn spending_settings_are_parsed_and_checked() {
        let off = resolve_spending(&[], &Overrides::default()).unwrap();
        assert!(off.is_off());
        let env = [
            ("JUNGLE_GRID_MAX_JOB_COST_USD", " $2.50 "),
            ("JUNGLE_GRID_CONFIRM_SUBMIT", "yes"),
        ];
        let on = resolve_spending(&env, &Overrides::default()).unwrap();
        assert_eq!(on.max_job_cost_usd, Some(2.5));
        assert!(on.confirm_submit);
        // The flag wins over the variable.
        let cli = Overrides::default().with(&settings::MAX_JOB_COST_USD, "7");
        assert_eq!(
            resolve_spending(&env, &cli).unwrap().max_job_cost_usd,
            Some(7.0)
        );
        assert_eq!(parse_cost("X", Some("0".into())).unwrap(), Some(0.0));
        assert_eq!(parse_cost("X", Some("  ".into())).unwrap(), None);
        for bad in ["-1", "+1", "abc", "NaN", "inf", "1e400", "$"] {
            let err = parse_cost("JUNGLE_GRID_MAX_JOB_COST_USD", Some(bad.into())).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("JUNGLE_GRID_MAX_JOB_COST_USD must be a non-negative amount"),
                "{bad}: {err}"
            );
        }
        let err = resolve_spending(
            &[("JUNGLE_GRID_CONFIRM_SUBMIT", "maybe")],
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("JUNGLE_GRID_CONFIRM_SUBMIT must be true or false")
        );
    }

    #[test]
    fn default_api_base_when_nothing_is_set() {
        assert_eq!(
            resolve_api_base(&[], &Overrides::default()).unwrap(),
            DEFAULT_API_BASE
        );
    }

    #[test]
    fn preferred_base_wins_over_legacy_and_loses_trailing_slash() {
        let env = [
            ("JUNGLEGRID_API_BASE", "https://api.junglegrid.dev/"),
            ("JUNGLE_GRID_API_URL", "https://legacy.example.com"),
        ];
        assert_eq!(
            resolve_api_base(&env, &Overrides::default()).unwrap(),
            "https://api.junglegrid.dev"
        );
    }

    #[test]
    fn legacy_alias_is_used_alone() {
        let env = [("JUNGLE_GRID_API_URL", "https://legacy.example.com/")];
        assert_eq!(
            resolve_api_base(&env, &Overrides::default()).unwrap(),
            "https://legacy.example.com"
        );
    }

    #[test]
    fn empty_preferred_base_means_default_not_legacy() {
        let env = [
            ("JUNGLEGRID_API_BASE", "  "),
            ("JUNGLE_GRID_API_URL", "https://legacy.example.com"),
        ];
        assert_eq!(
            resolve_api_base(&env, &Overrides::default()).unwrap(),
            DEFAULT_API_BASE
        );
    }

    #[test]
    fn base_with_path_prefix_is_kept() {
        let env = [("JUNGLEGRID_API_BASE", "https://orch.example.com/jg//")];
        assert_eq!(
            resolve_api_base(&env, &Overrides::default()).unwrap(),
            "https://orch.example.com/jg"
        );
    }

    #[test]
    fn invalid_base_names_the_variable() {
        for bad in [
            "api.junglegrid.dev",
            "ftp://x.example",
            "https://x.example/?a=1",
        ] {
            let env = [("JUNGLEGRID_API_BASE", bad)];
            let err = resolve_api_base(&env, &Overrides::default()).unwrap_err();
            assert!(
                err.to_string().starts_with("JUNGLEGRID_API_BASE must be"),
                "{err}"
            );
        }
    }

    #[test]
    fn cli_override_wins() {
        let env = [("JUNGLEGRID_API_BASE", "https://env.example.com")];
        assert_eq!(
            resolve_api_base(
                &env,
                &Overrides::default().with(&settings::API_BASE, "http://127.0.0.1:9/")
            )
            .unwrap(),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn missing_or_blank_key_is_the_seed_message() {
        for env in [
            [("JUNGLE_GRID_API_KEY", "")],
            [("JUNGLE_GRID_API_KEY", "   ")],
            [("OTHER", "x")],
        ] {
            let err = Config::for_stdio(&env, &Overrides::default()).unwrap_err();
            assert_eq!(err, ConfigError::MissingApiKey);
            assert_eq!(err.to_string(), "JUNGLE_GRID_API_KEY is required");
            assert!(err.hint().unwrap().contains("env"));
        }
    }

    #[test]
    fn key_is_trimmed_and_never_debug_printed() {
        let env = [("JUNGLE_GRID_API_KEY", " jg_secret_value ")];
        let config = Config::for_stdio(&env, &Overrides::default()).unwrap();
        assert_eq!(config.api_key.expose(), "jg_secret_value");
        assert!(!format!("{config:?}").contains("jg_secret_value"));
    }

    #[test]
    fn client_options_win_over_the_environment() {
        let env = [
            ("JUNGLE_GRID_API_KEY", "env_key"),
            ("JUNGLEGRID_API_BASE", "https://env.example.com"),
        ];
        let config = Config::for_client(&env, ClientOptions::default()).unwrap();
        assert_eq!(
            (config.api_key.expose(), config.api.base.as_str()),
            ("env_key", "https://env.example.com")
        );
        let options = ClientOptions {
            api_key: Some("opt_key".into()),
            api_base: Some("http://127.0.0.1:1/".into()),
            timeout_ms: Some("250".into()),
            ..ClientOptions::default()
        };
        let config = Config::for_client(&env, options).unwrap();
        assert_eq!(config.api_key.expose(), "opt_key");
        assert_eq!(config.api.base, "http://127.0.0.1:1");
        assert_eq!(config.api.timeout, Duration::from_millis(250));
        let err = Config::for_client(&[], ClientOptions::default()).unwrap_err();
        assert_eq!(err, ConfigError::MissingApiKey);
    }

    #[test]
    fn timeout_defaults_and_validates() {
        assert_eq!(
            resolve_timeout(&[], &Overrides::default()).unwrap(),
            DEFAULT_TIMEOUT
        );
        let env = [("JUNGLE_GRID_TIMEOUT_MS", "1500")];
        assert_eq!(
            resolve_timeout(&env, &Overrides::default()).unwrap(),
            Duration::from_millis(1500)
        );
        for bad in ["0", "abc", "-5", "1.5", "99999999999"] {
            let env = [("JUNGLE_GRID_TIMEOUT_MS", bad)];
            let err = resolve_timeout(&env, &Overrides::default()).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("JUNGLE_GRID_TIMEOUT_MS must be"),
                "{err}"
            );
        }
    }
}

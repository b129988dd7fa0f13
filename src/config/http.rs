//! Configuration of the hosted Streamable HTTP server (contract Part B 2.5), validated at start.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::settings::{self, Setting, resolve};
use super::{
    ApiConfig, ConfigError, Env, Overrides, ResultLimits, SpendingGuard, api_config, millis,
    non_blank, normalize_base_url, resolve_spending, resolve_tools,
};
use crate::secret::Secret;

pub const DEFAULT_PORT: u16 = 3000;
pub const DEFAULT_ISSUER: &str = "https://api.junglegrid.dev";
pub const DEFAULT_RESOURCE: &str = "https://mcp.junglegrid.dev";
pub const DEFAULT_METADATA_URL: &str =
    "https://mcp.junglegrid.dev/.well-known/oauth-protected-resource";
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long requests in flight get after a stop signal: above the longest held wait (50 s).
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Shortest task signing key accepted.
pub const MIN_TASK_KEY_LEN: usize = 32;

/// Pages served from this machine may call /mcp: a DNS-rebinding attack arrives with the
/// attacker's origin, not a loopback one.
pub const LOOPBACK_ORIGINS: [&str; 6] = [
    "http://localhost:*",
    "https://localhost:*",
    "http://127.0.0.1:*",
    "https://127.0.0.1:*",
    "http://[::1]:*",
    "https://[::1]:*",
];

/// Everything the hosted server needs.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub api: ApiConfig,
    pub host: IpAddr,
    pub port: u16,
    /// Authenticates this server to the token introspection endpoint. Never sent as a user.
    pub service_token: Secret,
    /// Expected `iss` of access tokens; advertised as the authorization server.
    pub issuer: String,
    /// This server's resource identifier: tokens must name it in `aud`.
    pub resource: String,
    /// Sent in the `WWW-Authenticate` challenge.
    pub resource_metadata_url: String,
    pub challenge_token: Option<String>,
    /// Reported by /healthz.
    pub env_name: String,
    /// Browser origins allowed to call /mcp; requests with any other `Origin` are refused.
    pub allowed_origins: Vec<String>,
    /// Accepted `Host` values (DNS-rebinding protection); empty accepts any.
    pub allowed_hosts: Vec<String>,
    pub max_body_bytes: usize,
    pub introspection_timeout: Duration,
    /// Longest time an accepted token is trusted without asking again (never past its `exp`).
    pub token_cache_ttl: Duration,
    pub tools: super::ToolSelection,
    /// Size of a result and longest held wait (shared with stdio).
    pub limits: ResultLimits,
    /// The server's spending guard; each request's `X-MCP-Max-Job-Cost-Usd` and
    /// `X-MCP-Confirm-Submit` headers can only tighten it.
    pub spending: SpendingGuard,
    /// Which clients are shown the MCP Apps views.
    pub views: super::ViewMode,
    /// Signs task ids so any replica can verify them (`JUNGLE_GRID_TASK_SIGNING_KEY`); `None`:
    /// a random key per process, so tasks are readable on this instance only.
    pub task_signing_key: Option<Secret>,
    /// Seals approval input requests so any replica can open them (`JUNGLE_GRID_APPROVAL_KEY`);
    /// `None`: derived from the service token.
    pub approval_key: Option<Secret>,
    /// Set by `MCP_RESOURCE` / `OAUTH_ISSUER` (not the production defaults).
    pub resource_explicit: bool,
    pub issuer_explicit: bool,
    pub edges: EdgeLimits,
    /// Where `/metrics` is served (its own listener); `None` serves no metrics.
    pub metrics_addr: Option<SocketAddr>,
    /// One JSON line per request on stderr.
    pub access_log: bool,
}

/// The hosted server's protection against slow, idle, greedy and flooding clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeLimits {
    /// Time a client has to send a request's headers, from the connection's start or the end of
    /// the previous response: hyper's header-read timeout, so also the keep-alive idle timeout.
    pub header_timeout: Duration,
    /// Time a client has to send a whole request body.
    pub body_timeout: Duration,
    /// Open connections; past it the oldest connection with no request in progress is closed.
    pub max_connections: usize,
    /// Requests being handled at once; past it 503 with `Retry-After`.
    pub max_in_flight: usize,
    /// Requests per minute per caller (bearer token hash, else client IP); 0 = unlimited.
    pub rate_per_minute: u32,
    /// After a stop signal: how long requests in flight get to finish before they are cut.
    pub drain_timeout: Duration,
    /// Introspection calls per minute per client address for tokens not known yet (refunded
    /// when accepted); 0 = unlimited.
    pub unknown_tokens_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// Connections kept below the process's open-file limit, leaving room for outbound calls.
fn default_max_connections() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        limit.rlim_cur
    } else {
        4096
    };
    let soft = usize::try_from(soft).unwrap_or(usize::MAX);
    (soft.saturating_sub(64) * 3 / 4).clamp(16, 1024)
}

/// Reads the hosted settings: each through [`resolve`], like every other setting.
struct Reader<'a> {
    env: &'a dyn Env,
    overrides: &'a Overrides,
}

impl Reader<'_> {
    /// The setting's value, trimmed, with the name it was given under; `None` when unset or blank.
    fn get(&self, setting: &'static Setting) -> (&'static str, Option<String>) {
        let found = resolve(self.env, self.overrides, setting);
        (found.name, non_blank(found.value))
    }

    fn count(
        &self,
        setting: &'static Setting,
        default: u64,
        (min, max): (u64, u64),
    ) -> Result<u64, ConfigError> {
        match self.get(setting) {
            (_, None) => Ok(default),
            (name, Some(v)) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ConfigError::InvalidCount {
                    name,
                    value: v,
                    min,
                    max,
                }),
            },
        }
    }

    fn millis(
        &self,
        setting: &'static Setting,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        millis(self.env, self.overrides, setting, default)
    }

    fn url(&self, setting: &'static Setting, default: &str) -> Result<String, ConfigError> {
        match self.get(setting) {
            (_, None) => Ok(default.to_string()),
            (name, Some(v)) => normalize_base_url(name, &v),
        }
    }

    fn list(&self, setting: &'static Setting) -> Vec<String> {
        list(self.get(setting).1)
    }
}

impl EdgeLimits {
    fn read(r: &Reader) -> Result<Self, ConfigError> {
        let max_connections = r.count(
            &settings::MAX_CONNECTIONS,
            default_max_connections() as u64,
            (1, 1_000_000),
        )? as usize;
        Ok(EdgeLimits {
            header_timeout: r.millis(&settings::HEADER_TIMEOUT_MS, Duration::from_secs(10))?,
            body_timeout: r.millis(&settings::BODY_TIMEOUT_MS, Duration::from_secs(30))?,
            max_connections,
            max_in_flight: r.count(&settings::MAX_IN_FLIGHT, 1024, (1, 1_000_000))? as usize,
            rate_per_minute: r.count(&settings::RATE_LIMIT_PER_MINUTE, 600, (0, 1_000_000))? as u32,
            drain_timeout: r.millis(&settings::DRAIN_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT)?,
            unknown_tokens_per_minute: r.count(
                &settings::UNKNOWN_TOKENS_PER_MINUTE,
                60,
                (0, 1_000_000),
            )? as u32,
            trusted_proxies: networks(r.get(&settings::TRUSTED_PROXIES))?,
        })
    }
}

/// `10.0.0.0/8, 192.168.1.10`: CIDR ranges, or single addresses (a /32 or /128).
fn networks(
    (name, value): (&'static str, Option<String>),
) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    list(Some(value.clone()))
        .iter()
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::InvalidNetworks {
                    name,
                    value: value.clone(),
                })
        })
        .collect()
}

fn list(value: Option<String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

impl HttpConfig {
    /// The hosted configuration; `overrides` carries `--port` / `--host` (and the shared flags).
    pub fn from_env(env: &dyn Env, overrides: &Overrides) -> Result<Self, ConfigError> {
        let r = Reader { env, overrides };
        let api = api_config(env, overrides)?;
        let port = match r.get(&settings::PORT) {
            (_, None) => DEFAULT_PORT,
            (name, Some(v)) => match v.parse::<u16>() {
                Ok(p) if p >= 1 => p,
                _ => return Err(ConfigError::InvalidPort { name, value: v }),
            },
        };
        let host = match r.get(&settings::HOST) {
            (_, None) => IpAddr::from([0, 0, 0, 0]),
            (name, Some(v)) => v
                .parse()
                .map_err(|_| ConfigError::InvalidHost { name, value: v })?,
        };
        let service_token = r
            .get(&settings::SERVICE_TOKEN)
            .1
            .ok_or(ConfigError::MissingServiceToken)?;
        let resource = r.url(&settings::MCP_RESOURCE, DEFAULT_RESOURCE)?;
        let resource_metadata_url = match r.get(&settings::RESOURCE_METADATA_URL) {
            (_, None) => DEFAULT_METADATA_URL.to_string(),
            (name, Some(v)) => {
                normalize_base_url(name, &v)?;
                v
            }
        };
        let mut allowed_hosts = r.list(&settings::ALLOWED_HOSTS);
        if allowed_hosts.iter().any(|h| h == "*") {
            allowed_hosts.clear();
        } else if allowed_hosts.is_empty() {
            // The public host of the resource, plus loopback for health checks and local tests.
            if let Some(h) = reqwest::Url::parse(&resource)
                .ok()
                .and_then(|u| u.host_str().map(String::from))
            {
                allowed_hosts.push(h);
            }
            allowed_hosts.extend(["localhost", "127.0.0.1", "[::1]"].map(String::from));
        }
        let max_body_bytes = match r.get(&settings::MAX_BODY_BYTES).1 {
            None => DEFAULT_MAX_BODY_BYTES,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1024..=64 * 1024 * 1024).contains(&n) => n,
                _ => return Err(ConfigError::InvalidBodyLimit { value: v }),
            },
        };
        Ok(HttpConfig {
            limits: super::resolve_result_limits(env, overrides)?,
            api,
            host,
            port,
            service_token: Secret::new(service_token),
            issuer: r.url(&settings::OAUTH_ISSUER, DEFAULT_ISSUER)?,
            resource,
            resource_metadata_url,
            challenge_token: r.get(&settings::APPS_CHALLENGE_TOKEN).1,
            env_name: r
                .get(&settings::NODE_ENV)
                .1
                .unwrap_or_else(|| "development".into()),
            allowed_origins: LOOPBACK_ORIGINS
                .iter()
                .map(|o| o.to_string())
                .chain(r.list(&settings::ALLOWED_ORIGINS))
                .collect(),
            allowed_hosts,
            max_body_bytes,
            introspection_timeout: r
                .millis(&settings::INTROSPECTION_TIMEOUT_MS, Duration::from_secs(5))?,
            token_cache_ttl: r.millis(&settings::TOKEN_CACHE_MS, Duration::from_secs(60))?,
            tools: resolve_tools(env, overrides)?,
            spending: resolve_spending(env, overrides)?,
            views: super::resolve_views(env, overrides)?,
            task_signing_key: match r.get(&settings::TASK_SIGNING_KEY).1 {
                None => None,
                Some(k) if k.len() < MIN_TASK_KEY_LEN => return Err(ConfigError::WeakTaskKey),
                Some(k) => Some(Secret::new(k)),
            },
            approval_key: match r.get(&settings::APPROVAL_KEY).1 {
                None => None,
                Some(k) if k.len() < MIN_TASK_KEY_LEN => {
                    return Err(ConfigError::WeakApprovalKey);
                }
                Some(k) => Some(Secret::new(k)),
            },
            resource_explicit: r.get(&settings::MCP_RESOURCE).1.is_some(),
            issuer_explicit: r.get(&settings::OAUTH_ISSUER).1.is_some(),
            edges: EdgeLimits::read(&r)?,
            metrics_addr: match r.get(&settings::METRICS_ADDR) {
                (_, None) => None,
                (name, Some(v)) => Some(
                    v.parse()
                        .map_err(|_| ConfigError::InvalidAddr { name, value: v })?,
                ),
            },
            access_log: !matches!(
                r.get(&settings::ACCESS_LOG).1.as_deref(),
                Some("0" | "false" | "off" | "no")
            ),
        })
    }
}

/// A configuration from a few variables (plus the required service token), for unit tests.
#[cfg(test)]
pub mod tests_support {
    use super::*;

    /// An environment from a list of pairs built at run time.
    pub struct VecEnv(pub Vec<(&'static str, &'static str)>);
    impl Env for VecEnv {
        fn get(&self, key: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    /// `extra` over a service token (`token`, untrimmed as given).
    pub fn load(
        token: &'static str,
        extra: &[(&'static str, &'static str)],
    ) -> Result<HttpConfig, ConfigError> {
        let mut vars = vec![("JUNGLEGRID_INTERNAL_SERVICE_TOKEN", token)];
        vars.extend_from_slice(extra);
        HttpConfig::from_env(&VecEnv(vars), &Overrides::default())
    }

    pub fn config(extra: &[(&'static str, &'static str)]) -> HttpConfig {
        load("service-token", extra).expect("test configuration")
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::VecEnv;
    use super::*;

    fn load(extra: &[(&'static str, &'static str)]) -> Result<HttpConfig, ConfigError> {
        super::tests_support::load(" service-token ", extra)
    }
    #[test]
    fn defaults() {
        let c = load(&[]).unwrap();
        assert_eq!(c.port, 3000);
        assert_eq!(c.service_token.expose(), "service-token");
        assert_eq!(c.issuer, "https://api.junglegrid.dev");
        assert_eq!(c.resource, "https://mcp.junglegrid.dev");
        assert_eq!(c.resource_metadata_url, DEFAULT_METADATA_URL);
        assert_eq!(c.env_name, "development");
        assert!(c.allowed_hosts.contains(&"mcp.junglegrid.dev".to_string()));
        assert_eq!(c.allowed_origins, LOOPBACK_ORIGINS.to_vec());
        assert!(c.task_signing_key.is_none());
    }

    #[test]
    fn task_key() {
        let key = "k".repeat(MIN_TASK_KEY_LEN);
        let c = load(&[(
            "JUNGLE_GRID_TASK_SIGNING_KEY",
            Box::leak(key.into_boxed_str()),
        )])
        .unwrap();
        assert!(c.task_signing_key.is_some());
        let err = load(&[("JUNGLE_GRID_TASK_SIGNING_KEY", "short")]).unwrap_err();
        assert_eq!(err, ConfigError::WeakTaskKey);
        assert!(!err.to_string().contains("short"));
    }

    #[test]
    fn approval_key() {
        let c = load(&[]).unwrap();
        assert!(c.approval_key.is_none());
        let key = "a".repeat(MIN_TASK_KEY_LEN);
        let c = load(&[("JUNGLE_GRID_APPROVAL_KEY", Box::leak(key.into_boxed_str()))]).unwrap();
        assert!(c.approval_key.is_some());
        let err = load(&[("JUNGLE_GRID_APPROVAL_KEY", "short-secret")]).unwrap_err();
        assert_eq!(err, ConfigError::WeakApprovalKey);
        assert!(
            !err.to_string().contains("short-secret"),
            "no secret echoed"
        );
    }

    #[test]
    fn drain_unknown_tokens_and_trusted_proxies() {
        let c = load(&[]).unwrap();
        assert_eq!(c.edges.drain_timeout, DEFAULT_DRAIN_TIMEOUT);
        assert_eq!(c.edges.unknown_tokens_per_minute, 60);
        assert!(c.edges.trusted_proxies.is_empty());
        let c = load(&[
            ("MCP_DRAIN_TIMEOUT_MS", "90000"),
            ("MCP_UNKNOWN_TOKENS_PER_MINUTE", "0"),
            (
                "MCP_TRUSTED_PROXIES",
                " 10.0.0.0/8, 192.168.1.10 ,fc00::/7,",
            ),
        ])
        .unwrap();
        assert_eq!(c.edges.drain_timeout, Duration::from_secs(90));
        assert_eq!(c.edges.unknown_tokens_per_minute, 0);
        let nets: Vec<String> = c
            .edges
            .trusted_proxies
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.168.1.10/32", "fc00::/7"]);
        for (name, value, says) in [
            ("MCP_DRAIN_TIMEOUT_MS", "0", "MCP_DRAIN_TIMEOUT_MS"),
            ("MCP_DRAIN_TIMEOUT_MS", "soon", "MCP_DRAIN_TIMEOUT_MS"),
            (
                "MCP_UNKNOWN_TOKENS_PER_MINUTE",
                "-3",
                "MCP_UNKNOWN_TOKENS_PER_MINUTE",
            ),
            (
                "MCP_TRUSTED_PROXIES",
                "10.0.0.0/8, ingress",
                "MCP_TRUSTED_PROXIES must list IP addresses or CIDR ranges",
            ),
            ("MCP_TRUSTED_PROXIES", "10.0.0.0/33", "got \"10.0.0.0/33\""),
        ] {
            let err = load(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(says), "{name}={value}: {err}");
        }
    }

    #[test]
    fn full_vector() {
        let c = load(&[
            ("JUNGLEGRID_API_BASE", "https://api.example.com"),
            ("OAUTH_ISSUER", "https://api.example.com/"),
            ("MCP_RESOURCE", "https://mcp.example.com/"),
            (
                "MCP_RESOURCE_METADATA_URL",
                "https://mcp.example.com/.well-known/oauth-protected-resource",
            ),
            ("OPENAI_APPS_CHALLENGE_TOKEN", " challenge-token "),
            ("NODE_ENV", "test"),
            ("PORT", "9999"),
        ])
        .unwrap();
        assert_eq!(c.api.base, "https://api.example.com");
        assert_eq!(c.issuer, "https://api.example.com");
        assert_eq!(c.resource, "https://mcp.example.com");
        assert_eq!(
            c.resource_metadata_url,
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(c.challenge_token.as_deref(), Some("challenge-token"));
        assert_eq!((c.env_name.as_str(), c.port), ("test", 9999));
    }

    #[test]
    fn bad_values_are_named() {
        for bad in ["0", "abc", "70000", "-1"] {
            let err = load(&[("PORT", bad)]).unwrap_err();
            assert_eq!(
                err.to_string(),
                "PORT must be an integer between 1 and 65535."
            );
        }
        let err = load(&[("MCP_RESOURCE", "not a url")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("MCP_RESOURCE must be an absolute http(s) URL")
        );
        let err = load(&[("HOST", "example.com")]).unwrap_err();
        assert!(err.to_string().starts_with("HOST must be an IP address"));
        let err = HttpConfig::from_env(&VecEnv(vec![]), &Overrides::default()).unwrap_err();
        assert_eq!(err, ConfigError::MissingServiceToken);
        assert!(
            err.to_string()
                .contains("JUNGLEGRID_INTERNAL_SERVICE_TOKEN")
        );
    }

    #[test]
    fn any_host_when_asked() {
        assert!(
            load(&[("MCP_ALLOWED_HOSTS", "*")])
                .unwrap()
                .allowed_hosts
                .is_empty()
        );
        let c = load(&[(
            "MCP_ALLOWED_ORIGINS",
            "https://chatgpt.com, https://app.example.com:443",
        )])
        .unwrap();
        assert_eq!(
            c.allowed_origins[LOOPBACK_ORIGINS.len()..],
            ["https://chatgpt.com", "https://app.example.com:443"]
        );
    }
}

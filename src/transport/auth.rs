//! OAuth for the hosted server: bearer extraction, token introspection at the API with the
//! internal service token, the acceptance rules of contract Part B 2.2, a short-lived cache keyed
//! by a hash of the token (never the token), and per-tool scopes (Part A.5).
//!
//! Introspection is hardened: no redirects (a 307 would post the user's token elsewhere), a 64 KiB
//! answer cap, a short negative cache, one call per token at a time (single flight), `exp` must be
//! an integer, and a 401/403 (our service token refused) is an operator problem answered as 503.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

use super::metrics::{Lookup, Metrics};
use crate::clock::{Clock, SystemClock};
use crate::config::http::HttpConfig;
use crate::secret::Secret;
use crate::server::caller::AuthInfo;

/// Why a request was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No usable bearer token, or introspection said no: 401 with the challenge.
    Rejected(&'static str),
    /// Introspection could not answer (down, timeout, garbage): 503, fail closed.
    Unavailable(String),
}

/// `Authorization: Bearer <token>` (case-insensitive scheme, trimmed); `None` when absent or blank.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(rest.trim()).filter(|t| !t.is_empty())
}

fn strip_slashes(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Applies the acceptance rules to an introspection answer.
pub fn accept(
    body: &Value,
    token: &str,
    issuer: &str,
    resource: &str,
    now: u64,
) -> Result<AuthInfo, &'static str> {
    if body.get("active") != Some(&Value::Bool(true)) {
        return Err("token is not active");
    }
    let iss = body.get("iss").and_then(Value::as_str).unwrap_or_default();
    if strip_slashes(iss) != strip_slashes(issuer) {
        return Err("token was issued by another issuer");
    }
    let audience_ok = match body.get("aud") {
        Some(Value::String(a)) => strip_slashes(a) == strip_slashes(resource),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| strip_slashes(a) == strip_slashes(resource)),
        _ => false,
    };
    if !audience_ok {
        return Err("token is not meant for this resource");
    }
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let user_id = text("sub").ok_or("token has no subject")?;
    let workspace_id = text("workspace_id").ok_or("token has no workspace")?;
    let expires_at = match body.get("exp") {
        None | Some(Value::Null) => None,
        Some(exp) => Some(exp.as_u64().ok_or("token expiry is not an integer")?),
    };
    if expires_at.is_some_and(|exp| exp <= now) {
        return Err("token has expired");
    }
    let scopes = text("scope")
        .map(|s| s.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    Ok(AuthInfo {
        token: Secret::new(token),
        user_id,
        workspace_id,
        scopes,
        expires_at,
    })
}

/// At most this many tokens are remembered; past it the cache starts over.
const CACHE_CAPACITY: usize = 10_000;

type TokenHash = [u8; 32];

/// SHA-256 of a token: the only form in which tokens are kept or compared.
pub fn hash(token: &str) -> TokenHash {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Before an insert into a full cache: drop what has expired by `now`, and start over if that is
/// not enough.
fn make_room<V>(map: &mut HashMap<TokenHash, V>, now: u64, until: impl Fn(&V) -> u64) {
    if map.len() >= CACHE_CAPACITY {
        map.retain(|_, v| until(v) > now);
        if map.len() >= CACHE_CAPACITY {
            map.clear();
        }
    }
}

/// Checks bearer tokens against the introspection endpoint, with a short cache.
pub struct Introspector {
    http: reqwest::Client,
    url: Url,
    service_token: Secret,
    issuer: String,
    resource: String,
    ttl: Duration,
    /// Accepted tokens, each until a time in milliseconds by `clock`.
    cache: Mutex<HashMap<TokenHash, (AuthInfo, u64)>>,
    /// Tokens introspection refused recently, with the reason, so retries cost no call.
    refused: Mutex<HashMap<TokenHash, (&'static str, u64)>>,
    /// One lock per token being introspected: concurrent requests with it wait for one call.
    in_flight: Mutex<HashMap<TokenHash, Arc<tokio::sync::Mutex<()>>>>,
    metrics: Arc<Metrics>,
    /// "Now" for cache expiry and the tokens' `exp` (tests drive a `ManualClock`).
    clock: Arc<dyn Clock>,
}

/// How long a refused token is remembered.
const NEGATIVE_TTL: Duration = Duration::from_secs(10);
/// The largest introspection answer read; a real one is a few hundred bytes.
pub const MAX_INTROSPECTION_BYTES: usize = 64 * 1024;

impl Introspector {
    pub fn new(config: &HttpConfig) -> Result<Self, String> {
        let url = Url::parse(&format!("{}/oauth/introspect", config.api.base))
            .map_err(|e| format!("invalid introspection URL: {e}"))?;
        crate::api::client::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(config.introspection_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("could not set up the HTTP client: {e}"))?;
        Ok(Introspector {
            http,
            url,
            service_token: config.service_token.clone(),
            issuer: config.issuer.clone(),
            resource: config.resource.clone(),
            ttl: config.token_cache_ttl,
            cache: Mutex::new(HashMap::new()),
            refused: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
            metrics: Arc::default(),
            clock: Arc::new(SystemClock),
        })
    }

    /// Reads "now" from this clock instead of the system's.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Counts cache hits and introspection calls in these metrics.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    fn refused(&self, key: &TokenHash) -> Option<&'static str> {
        let mut refused = self.refused.lock().ok()?;
        match refused.get(key) {
            Some((reason, until)) if *until > self.now_ms() => Some(reason),
            Some(_) => {
                refused.remove(key);
                None
            }
            None => None,
        }
    }

    fn remember_refusal(&self, key: TokenHash, reason: &'static str) {
        let now = self.now_ms();
        if let Ok(mut refused) = self.refused.lock() {
            make_room(&mut refused, now, |(_, until)| *until);
            refused.insert(key, (reason, now + NEGATIVE_TTL.as_millis() as u64));
        }
    }

    fn cached(&self, key: &TokenHash) -> Option<AuthInfo> {
        let mut cache = self.cache.lock().ok()?;
        match cache.get(key) {
            Some((info, until)) if *until > self.now_ms() => Some(info.clone()),
            Some(_) => {
                cache.remove(key);
                None
            }
            None => None,
        }
    }

    fn remember(&self, key: TokenHash, info: &AuthInfo, now_ms: u64) {
        // Never past the token's own expiry.
        let mut until = now_ms.saturating_add(self.ttl.as_millis() as u64);
        if let Some(exp) = info.expires_at {
            until = until.min(exp.saturating_mul(1000));
        }
        if until <= now_ms {
            return;
        }
        if let Ok(mut cache) = self.cache.lock() {
            make_room(&mut cache, now_ms, |(_, until)| *until);
            cache.insert(key, (info.clone(), until));
        }
    }

    /// Authenticates one request's `Authorization` header.
    pub async fn authenticate(&self, header: Option<&str>) -> Result<AuthInfo, AuthFailure> {
        let token = bearer(header).ok_or(AuthFailure::Rejected("no bearer token"))?;
        let key = hash(token);
        if let Some(info) = self.cached(&key) {
            self.metrics.lookup(Lookup::Hit);
            return Ok(info);
        }
        if let Some(reason) = self.refused(&key) {
            self.metrics.lookup(Lookup::NegativeHit);
            return Err(AuthFailure::Rejected(reason));
        }
        // Single flight: the first request for a token introspects, the others wait and then
        // find its answer in a cache (a failure to answer is not cached: they ask again).
        let lock = match self.in_flight.lock() {
            Ok(mut in_flight) => in_flight.entry(key).or_default().clone(),
            Err(_) => Arc::default(),
        };
        let waited = lock.try_lock().is_err();
        let _turn = lock.lock().await;
        if waited {
            if let Some(info) = self.cached(&key) {
                self.metrics.lookup(Lookup::Shared);
                return Ok(info);
            }
            if let Some(reason) = self.refused(&key) {
                self.metrics.lookup(Lookup::Shared);
                return Err(AuthFailure::Rejected(reason));
            }
        }
        self.metrics.lookup(Lookup::Miss);
        let result = self.introspect(token, key).await;
        if let Err(AuthFailure::Rejected(reason)) = &result {
            self.remember_refusal(key, reason);
        }
        if let Ok(mut in_flight) = self.in_flight.lock()
            && in_flight.get(&key).is_some_and(|l| Arc::ptr_eq(l, &lock))
        {
            in_flight.remove(&key);
        }
        result
    }

    async fn introspect(&self, token: &str, key: TokenHash) -> Result<AuthInfo, AuthFailure> {
        let mut response = self
            .http
            .post(self.url.clone())
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .header(
                AUTHORIZATION,
                format!("Bearer {}", self.service_token.expose()),
            )
            .body(json!({ "token": token, "resource": self.resource }).to_string())
            .send()
            .await
            .map_err(|e| {
                AuthFailure::Unavailable(if e.is_timeout() {
                    "token introspection timed out".into()
                } else {
                    "token introspection is unreachable".into()
                })
            })?;
        let status = response.status();
        if status.is_redirection() {
            tracing::error!(
                status = status.as_u16(),
                "token introspection answered with a redirect, which is never followed (it would post the user's token elsewhere); check JUNGLEGRID_API_BASE"
            );
            return Err(AuthFailure::Unavailable(format!(
                "token introspection redirected (status {})",
                status.as_u16()
            )));
        }
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            tracing::error!(
                status = status.as_u16(),
                "token introspection refused this server's own credentials: check JUNGLEGRID_INTERNAL_SERVICE_TOKEN"
            );
            return Err(AuthFailure::Unavailable(format!(
                "token introspection refused the service token (status {})",
                status.as_u16()
            )));
        }
        if status.is_server_error() {
            return Err(AuthFailure::Unavailable(format!(
                "token introspection failed with status {}",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            // 4xx: the endpoint refused to vouch for this token.
            return Err(AuthFailure::Rejected("introspection refused the token"));
        }
        let invalid =
            || AuthFailure::Unavailable("token introspection returned an invalid answer".into());
        let too_large = || {
            AuthFailure::Unavailable(format!(
                "token introspection answer is larger than {MAX_INTROSPECTION_BYTES} bytes"
            ))
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_INTROSPECTION_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| invalid())? {
            if bytes.len() + chunk.len() > MAX_INTROSPECTION_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        let body: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if !body.is_object() {
            return Err(invalid());
        }
        let now_ms = self.now_ms();
        let info = accept(&body, token, &self.issuer, &self.resource, now_ms / 1000)
            .map_err(AuthFailure::Rejected)?;
        self.remember(key, &info, now_ms);
        Ok(info)
    }

    /// How many tokens are cached (for tests and metrics).
    pub fn cached_tokens(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://api.junglegrid.dev";
    const RES: &str = "https://mcp.junglegrid.dev";

    fn active(now: u64) -> Value {
        json!({
            "active": true, "iss": ISS, "aud": ["https://mcp.junglegrid.dev/"], "sub": " user_1 ",
            "workspace_id": "wsp_1", "scope": "jobs:read logs:read", "exp": now + 60
        })
    }

    #[test]
    fn active_token_vector() {
        let now = 1_000_000;
        let info = accept(&active(now), "access-token", ISS, RES, now).unwrap();
        assert_eq!(info.token.expose(), "access-token");
        assert_eq!(
            (info.user_id.as_str(), info.workspace_id.as_str()),
            ("user_1", "wsp_1")
        );
        assert_eq!(info.scopes, vec!["jobs:read", "logs:read"]);
        assert_eq!(info.expires_at, Some(now + 60));
    }

    #[test]
    fn rejections() {
        let now = 1_000_000;
        let cases: Vec<(Value, &str)> = vec![
            (json!({"active": false}), "token is not active"),
            (
                {
                    let mut b = active(now);
                    b["iss"] = json!("https://evil.example.com");
                    b
                },
                "token was issued by another issuer",
            ),
            (
                {
                    let mut b = active(now);
                    b["aud"] = json!(["https://other.example.com"]);
                    b
                },
                "token is not meant for this resource",
            ),
            (
                {
                    let mut b = active(now);
                    b["aud"] = Value::Null;
                    b
                },
                "token is not meant for this resource",
            ),
            (
                {
                    let mut b = active(now);
                    b["exp"] = json!(now - 1);
                    b
                },
                "token has expired",
            ),
            (
                {
                    let mut b = active(now);
                    b["exp"] = json!(now);
                    b
                },
                "token has expired",
            ),
            (
                {
                    let mut b = active(now);
                    b["exp"] = json!("9999999999");
                    b
                },
                "token expiry is not an integer",
            ),
            (
                {
                    let mut b = active(now);
                    b["exp"] = json!((now + 60) as f64 + 0.5);
                    b
                },
                "token expiry is not an integer",
            ),
            (
                {
                    let mut b = active(now);
                    b["sub"] = json!(" ");
                    b
                },
                "token has no subject",
            ),
            (
                {
                    let mut b = active(now);
                    b.as_object_mut().unwrap().remove("workspace_id");
                    b
                },
                "token has no workspace",
            ),
        ];
        for (body, reason) in cases {
            assert_eq!(
                accept(&body, "t", ISS, RES, now).unwrap_err(),
                reason,
                "{body}"
            );
        }
        let mut single = active(now);
        single["aud"] = json!(RES);
        assert!(accept(&single, "t", ISS, RES, now).is_ok());
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer   abc  ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(Some("Bearer")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn scope_matrix() {
        let info = |scopes: &[&str]| AuthInfo {
            token: Secret::new("t"),
            user_id: "u".into(),
            workspace_id: "w".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires_at: None,
        };
        let read = info(&["jobs:read"]);
        let write = info(&["jobs:write"]);
        let estimate = info(&["jobs:estimate"]);
        let submit = info(&["jobs:submit"]);
        let logs = info(&["logs:read"]);
        for tool in crate::tools::TOOLS.iter().copied() {
            // jobs:write is compatible with every tool.
            assert!(write.allows(tool).is_ok(), "{tool:?}");
        }
        assert!(estimate.allows(&crate::tools::jobs::ESTIMATE_JOB).is_ok());
        assert!(read.allows(&crate::tools::jobs::ESTIMATE_JOB).is_ok());
        assert!(estimate.allows(&crate::tools::jobs::GET_JOB).is_err());
        for tool in [
            &crate::tools::jobs::SUBMIT_JOB,
            &crate::tools::inputs::UPLOAD_JOB_INPUT,
            &crate::tools::jobs::CANCEL_JOB,
        ] {
            assert!(submit.allows(tool).is_ok());
            assert_eq!(
                read.allows(tool).unwrap_err(),
                &["jobs:submit", "jobs:write"]
            );
        }
        for tool in [
            &crate::tools::jobs::LIST_JOBS,
            &crate::tools::inputs::LIST_JOB_INPUTS,
            &crate::tools::jobs::GET_JOB,
            &crate::tools::jobs::GET_JOB_EVENTS,
            &crate::tools::artifacts::LIST_ARTIFACTS,
            &crate::tools::artifacts::GET_ARTIFACT,
            &crate::tools::jobs::WAIT_FOR_JOB,
        ] {
            assert!(read.allows(tool).is_ok());
            assert!(logs.allows(tool).is_err());
            assert!(submit.allows(tool).is_err());
        }
        assert!(logs.allows(&crate::tools::jobs::GET_JOB_LOGS).is_ok());
        assert!(read.allows(&crate::tools::jobs::GET_JOB_LOGS).is_ok());
    }

    /// A local introspection endpoint that counts its calls and answers `active` with an `exp`
    /// `exp_in_secs` after the test clock's now.
    async fn introspection(
        clock: Arc<crate::clock::ManualClock>,
        exp_in_secs: u64,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let app = axum::Router::new().route(
            "/oauth/introspect",
            axum::routing::post(move |body: String| {
                let counted = counted.clone();
                let clock = clock.clone();
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let now = clock.now_ms() / 1000;
                    let mut answer = active(now);
                    answer["exp"] = json!(now + exp_in_secs);
                    if body.contains("refused-token") {
                        answer = json!({ "active": false });
                    }
                    axum::Json(answer)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, calls)
    }

    fn introspector(
        base: &str,
        clock: Arc<crate::clock::ManualClock>,
        cache_ms: &'static str,
    ) -> Introspector {
        let base: &'static str = Box::leak(base.to_string().into_boxed_str());
        let config = crate::config::http::tests_support::config(&[
            ("JUNGLEGRID_API_BASE", base),
            ("OAUTH_TOKEN_CACHE_MS", cache_ms),
        ]);
        Introspector::new(&config).unwrap().with_clock(clock)
    }

    /// An accepted token is trusted until `OAUTH_TOKEN_CACHE_MS` has passed, and never past its
    /// own `exp`, whichever comes first; then introspection is asked again. Driven clock, no
    /// sleep.
    #[tokio::test]
    async fn cached_token_is_trusted_until_the_cache_time_or_its_exp() {
        use std::sync::atomic::Ordering;
        // (OAUTH_TOKEN_CACHE_MS, the token's exp in seconds from now, when it is asked again)
        for (cache_ms, exp_in_secs, expires_after_ms) in [("400", 3600, 400), ("60000", 1, 1000)] {
            let clock = crate::clock::ManualClock::new();
            // Start on a whole second, so an `exp` (whole seconds) is exactly that far away.
            clock.advance(Duration::from_millis(1000 - clock.now_ms() % 1000));
            let (base, calls) = introspection(clock.clone(), exp_in_secs).await;
            let auth = introspector(&base, clock.clone(), cache_ms);
            let header = Some("Bearer user-token");
            assert!(auth.authenticate(header).await.is_ok());
            clock.advance(Duration::from_millis(expires_after_ms - 1));
            assert!(auth.authenticate(header).await.is_ok());
            assert_eq!(calls.load(Ordering::SeqCst), 1, "{cache_ms}: still cached");
            assert_eq!(auth.cached_tokens(), 1);
            clock.advance(Duration::from_millis(1));
            assert!(auth.authenticate(header).await.is_ok());
            assert_eq!(calls.load(Ordering::SeqCst), 2, "{cache_ms}: asked again");
        }
    }

    /// A refused token is remembered for 10 s by the clock, then asked about again.
    #[tokio::test]
    async fn refusal_is_remembered_for_the_negative_ttl() {
        use std::sync::atomic::Ordering;
        let clock = crate::clock::ManualClock::new();
        let (base, calls) = introspection(clock.clone(), 3600).await;
        let auth = introspector(&base, clock.clone(), "400");
        let header = Some("Bearer refused-token");
        for _ in 0..2 {
            assert_eq!(
                auth.authenticate(header).await.unwrap_err(),
                AuthFailure::Rejected("token is not active")
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        clock.advance(NEGATIVE_TTL);
        assert!(auth.authenticate(header).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn cache_keys_are_hashes() {
        assert_ne!(hash("a"), hash("b"));
        assert_eq!(hash("a").len(), 32);
    }
}

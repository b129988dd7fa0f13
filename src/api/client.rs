//! The Jungle Grid REST client: URL building, auth header, timeout, retries for safe calls,
//! envelope unwrapping and error mapping. It knows nothing of MCP.

use std::sync::{Arc, Once};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde_json::Value;

use super::clean_text::clean_value;
use super::errors::{
    error_from_response, invalid_json_response, network_error, proxy_auth_required, too_large,
    unexpected_redirect,
};
use super::targets::{GuardedResolver, TargetPolicy, transfer_redirects};
use super::types::{
    CancelRequest, CreateUploadRequest, EstimateRequest, ListJobsQuery, LogsQuery, SubmitRequest,
};
use crate::config::{ApiConfig, ProxyRoute};
use crate::error::{Error, Result};
use crate::secret::{Secret, redact_url};

/// What encodeURIComponent leaves alone: letters, digits and `-_.!~*'()`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Largest response body read from the API. Log pages and job lists are far below this; a larger
/// body means something is wrong, and reading it whole would let one call exhaust memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How many times a safe request is repeated after the first attempt.
const MAX_RETRIES: usize = 2;
/// Longest `Retry-After` honoured; a longer one ends the retries instead of stalling the agent.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

const USER_AGENT_VALUE: &str = concat!("junglegrid-mcp/", env!("CARGO_PKG_VERSION"));

/// Whether a request may be repeated automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Retry {
    /// GETs and estimates: repeat on connection errors and 429/502/503/504.
    Safe,
    /// Submit, cancel, upload-slot creation: never repeated.
    Never,
}

/// A Jungle Grid API client bound to one bearer token. Cloning is cheap and shares the connection
/// pool; [`ApiClient::with_token`] makes a client for another caller on the same pool.
#[derive(Clone)]
pub struct ApiClient {
    pub(super) shared: Arc<Shared>,
    pub(super) token: Secret,
    observer: Option<Observer>,
}

/// Told about things worth a warning that do not fail the call (a retry after a 503 or a rate
/// limit). The MCP server forwards these to the client as log notifications.
pub type Observer = Arc<dyn Fn(&str) + Send + Sync>;

pub(super) struct Shared {
    /// API calls: never follows a redirect (the contract has none).
    pub(super) http: reqwest::Client,
    /// Signed upload/download URLs: a few same-scheme redirects, guarded targets (see
    /// [`super::targets`]); never carries the API key.
    pub(super) transfer: reqwest::Client,
    pub(super) targets: TargetPolicy,
    pub(super) base: Url,
    pub(super) timeout: Duration,
    /// The proxy API requests go through (from the environment), named in network errors.
    pub(super) proxy: Option<ProxyRoute>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.shared.base.as_str())
            .field("token", &self.token)
            .finish()
    }
}

/// Installs rustls' ring provider once per process; every reqwest client of the crate (this one,
/// the transfer client, the hosted introspection client) needs it before it is built.
pub(crate) fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only when another provider is already installed, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// One failed attempt, with what the retry policy needs to know about it.
pub(super) struct AttemptError {
    pub(super) error: Error,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl From<Error> for AttemptError {
    fn from(error: Error) -> Self {
        AttemptError {
            error,
            retryable: false,
            retry_after: None,
        }
    }
}

impl ApiClient {
    pub fn new(config: &ApiConfig, token: Secret) -> Result<Self> {
        install_crypto_provider();
        let base = Url::parse(&config.base)
            .map_err(|_| Error::invalid_argument("The Jungle Grid API base URL is not valid."))?;
        let connect_timeout = config.timeout.min(Duration::from_secs(10));
        let mut http = reqwest::Client::builder();
        let mut transfer = reqwest::Client::builder();
        if config.direct {
            http = http.no_proxy();
            transfer = transfer.no_proxy();
        }
        let http = http
            .timeout(config.timeout)
            .connect_timeout(connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::network(format!("Could not set up the HTTP client: {e}")))?;
        let targets = TargetPolicy::for_base(&base);
        let transfer = transfer
            .connect_timeout(connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(transfer_redirects(targets))
            .dns_resolver(GuardedResolver::new(targets))
            .build()
            .map_err(|e| Error::network(format!("Could not set up the HTTP client: {e}")))?;
        Ok(ApiClient {
            shared: Arc::new(Shared {
                http,
                transfer,
                targets,
                base,
                timeout: config.timeout,
                proxy: config.proxy.clone(),
            }),
            token,
            observer: None,
        })
    }

    /// The same connection pool and base URL, another caller's token.
    pub fn with_token(&self, token: Secret) -> Self {
        ApiClient {
            shared: self.shared.clone(),
            token,
            observer: self.observer.clone(),
        }
    }

    /// The same client, reporting retries to `observer`.
    pub fn with_observer(&self, observer: Observer) -> Self {
        ApiClient {
            observer: Some(observer),
            ..self.clone()
        }
    }

    pub fn base(&self) -> &Url {
        &self.shared.base
    }

    /// Who this client calls as, as an opaque hash of its token (never the token itself).
    pub fn caller_id(&self) -> String {
        caller_from_api_key(self.token.expose())
    }

    /// `base` + path segments (each percent-encoded) + query pairs (form-encoded, empty values
    /// dropped). Ids must not be `.` or `..` ([`check_id`]): URL parsers resolve those.
    pub fn url(&self, segments: &[&str], query: &[(&str, Option<&str>)]) -> Url {
        let mut url = self.shared.base.clone();
        // Encoded by hand, like encodeURIComponent: the URL parser would silently drop tabs and
        // newlines inside a segment (`job\t1` would address `job1`).
        let mut path = url.path().trim_end_matches('/').to_string();
        for segment in segments {
            path.push('/');
            path.extend(utf8_percent_encode(segment, COMPONENT));
        }
        url.set_path(&path);
        let pairs: Vec<_> = query
            .iter()
            .filter_map(|(k, v)| v.map(str::trim).filter(|v| !v.is_empty()).map(|v| (*k, v)))
            .collect();
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        url
    }

    // ---- operations -------------------------------------------------------------------------

    pub async fn estimate_job(&self, body: &EstimateRequest) -> Result<Value> {
        let url = self.url(&["v1", "mcp", "jobs", "estimate"], &[]);
        self.send(Method::POST, url, Some(body), Retry::Safe).await
    }

    /// `POST /v1/mcp/jobs` with an `Idempotency-Key` (contract Part A.11).
    pub async fn submit_job(&self, body: &SubmitRequest, key: Option<&str>) -> Result<Created> {
        let url = self.url(&["v1", "mcp", "jobs"], &[]);
        self.create(url, body, key).await
    }

    /// `POST /v1/job-inputs` with an `Idempotency-Key` (contract Part A.11).
    pub async fn create_upload(
        &self,
        body: &CreateUploadRequest,
        key: Option<&str>,
    ) -> Result<Created> {
        let url = self.url(&["v1", "job-inputs"], &[]);
        self.create(url, body, key).await
    }

    /// A create: sent once (never retried), with its idempotency key; a replayed answer is
    /// recognised by `Idempotent-Replayed: true`.
    async fn create<B: Serialize + ?Sized>(
        &self,
        url: Url,
        body: &B,
        key: Option<&str>,
    ) -> Result<Created> {
        let key = key.map(HeaderValue::from_str).transpose().map_err(|_| {
            Error::invalid_argument("idempotency_key must contain only printable ASCII characters.")
        })?;
        let body = encode(body)?;
        let answer = self
            .attempt(Method::POST, url, Some(body), key)
            .await
            .map_err(|e| e.error)?;
        Ok(answer)
    }

    pub async fn list_inputs(&self) -> Result<Value> {
        let url = self.url(&["v1", "job-inputs"], &[]);
        self.get(url).await
    }

    pub async fn list_jobs(&self, query: &ListJobsQuery) -> Result<Value> {
        let limit = query.limit.to_string();
        let url = self.url(
            &["v1", "mcp", "jobs"],
            &[
                ("limit", Some(&limit)),
                ("cursor", query.cursor.as_deref()),
                ("status", query.status.as_deref()),
            ],
        );
        self.get(url).await
    }

    pub async fn get_job(&self, job_id: &str) -> Result<Value> {
        check_id("job_id", job_id)?;
        let url = self.url(&["v1", "mcp", "jobs", job_id], &[]);
        self.get(url).await
    }

    pub async fn job_events(&self, job_id: &str) -> Result<Value> {
        check_id("job_id", job_id)?;
        let url = self.url(&["v1", "jobs", job_id, "events"], &[]);
        self.get(url).await
    }

    pub async fn job_logs(&self, job_id: &str, query: &LogsQuery) -> Result<Value> {
        check_id("job_id", job_id)?;
        let limit = query.limit.to_string();
        let url = self.url(
            &["v1", "mcp", "jobs", job_id, "logs"],
            &[("limit", Some(&limit)), ("cursor", query.cursor.as_deref())],
        );
        self.get(url).await
    }

    pub async fn cancel_job(&self, job_id: &str, body: &CancelRequest) -> Result<Value> {
        check_id("job_id", job_id)?;
        let url = self.url(&["v1", "mcp", "jobs", job_id, "cancel"], &[]);
        self.send(Method::POST, url, Some(body), Retry::Never).await
    }

    pub async fn list_artifacts(&self, job_id: &str) -> Result<Value> {
        check_id("job_id", job_id)?;
        let url = self.url(&["v1", "mcp", "jobs", job_id, "artifacts"], &[]);
        self.get(url).await
    }

    /// Creates temporary download information. A POST without a body; it only mints a signed URL,
    /// so it is safe to repeat.
    pub async fn artifact_download(&self, job_id: &str, artifact_id: &str) -> Result<Value> {
        check_id("job_id", job_id)?;
        check_id("artifact_id", artifact_id)?;
        let url = self.url(
            &[
                "v1",
                "mcp",
                "jobs",
                job_id,
                "artifacts",
                artifact_id,
                "download",
            ],
            &[],
        );
        self.send::<()>(Method::POST, url, None, Retry::Safe).await
    }

    // ---- transport --------------------------------------------------------------------------

    async fn get(&self, url: Url) -> Result<Value> {
        self.send::<()>(Method::GET, url, None, Retry::Safe).await
    }

    pub(super) async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        retry: Retry,
    ) -> Result<Value> {
        let body = match body {
            Some(b) => Some(encode(b)?),
            None => None,
        };
        let attempt = || async {
            self.attempt(method.clone(), url.clone(), body.clone(), None)
                .await
                .map(|answer| answer.data)
        };
        let result = match retry {
            Retry::Never => attempt().await,
            Retry::Safe => {
                let backoff = ExponentialBuilder::default()
                    .with_min_delay(Duration::from_millis(200))
                    .with_max_delay(Duration::from_secs(2))
                    .with_max_times(MAX_RETRIES)
                    .with_jitter();
                attempt
                    .retry(backoff)
                    .when(|e: &AttemptError| e.retryable)
                    .adjust(|e: &AttemptError, planned| match (planned, e.retry_after) {
                        (None, _) => None,
                        (Some(_), Some(after)) if after > MAX_RETRY_AFTER => None,
                        (Some(planned), Some(after)) => Some(after.max(planned)),
                        (Some(planned), None) => Some(planned),
                    })
                    .notify(|e: &AttemptError, wait| {
                        let message = format!(
                            "Jungle Grid API call failed ({}: {}); retrying in {} ms.",
                            e.error.code,
                            e.error.message,
                            wait.as_millis()
                        );
                        tracing::warn!("{message}");
                        if let Some(observer) = &self.observer {
                            observer(&message);
                        }
                    })
                    .await
            }
        };
        result.map_err(|e| e.error)
    }

    async fn attempt(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        idempotency_key: Option<HeaderValue>,
    ) -> Result<Created, AttemptError> {
        let log_url = redact_url(&url);
        tracing::debug!(%method, url = %log_url, "Jungle Grid API request");
        let mut request = self
            .shared
            .http
            .request(method.clone(), url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", self.token.expose())).map_err(|_| {
                Error::invalid_argument(
                    "The API token contains characters that cannot be sent in an HTTP header.",
                )
            })?;
        auth.set_sensitive(true);
        request = request.header(AUTHORIZATION, auth);
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY, key);
        }
        if let Some(body) = body {
            request = request.body(body);
        }

        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let error =
                    network_error(&e, &url, self.shared.timeout, self.shared.proxy.as_ref());
                // Only safe calls are ever repeated: a refused or dropped connection is worth
                // another try, a timeout is not (a slow API would just be slow three times).
                let retryable = !e.is_timeout();
                return Err(AttemptError {
                    error,
                    retryable,
                    retry_after: None,
                });
            }
        };
        let status = response.status();
        let retry_after = parse_retry_after(response.headers().get(RETRY_AFTER));
        let replayed = response
            .headers()
            .get(IDEMPOTENT_REPLAYED)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        tracing::debug!(%method, url = %log_url, status = status.as_u16(), "Jungle Grid API response");

        if status.is_redirection() {
            // Never followed and never repeated: the body (env secrets included) and the key
            // must not go anywhere but the configured API.
            return Err(unexpected_redirect(status.as_u16()).into());
        }
        if status == StatusCode::NO_CONTENT {
            return Ok(Created {
                data: Value::Null,
                replayed,
            });
        }
        let bytes = read_body(&mut response, &url, self.shared.timeout).await?;

        if status == StatusCode::PROXY_AUTHENTICATION_REQUIRED
            && let Some(proxy) = &self.shared.proxy
        {
            // A forward proxy (plain http base) answers for the API; it is not the API's answer.
            return Err(proxy_auth_required(&url, proxy).into());
        }
        if !status.is_success() {
            let retryable = matches!(status.as_u16(), 429 | 502 | 503 | 504);
            return Err(AttemptError {
                error: error_from_response(status.as_u16(), &bytes),
                retryable,
                retry_after,
            });
        }
        let data = parse_success_body(&bytes).map_err(AttemptError::from)?;
        Ok(Created { data, replayed })
    }
}

/// The answer to a request: its data and whether the API replayed an earlier answer to the same
/// idempotency key instead of acting again.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub data: Value,
    pub replayed: bool,
}

/// The request header of idempotent creates (contract Part A.11).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set to `true` by the API on a replayed answer.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

fn encode<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body)
        .map_err(|e| Error::invalid_argument(format!("Could not encode request: {e}")))
}

pub(super) async fn read_body(
    response: &mut reqwest::Response,
    url: &Url,
    timeout: Duration,
) -> Result<Vec<u8>, AttemptError> {
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(too_large(MAX_RESPONSE_BYTES).into());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(bytes),
            Err(e) => return Err(network_error(&e, url, timeout, None).into()),
        }
    }
}

/// `.` and `..` would be resolved as relative path steps by every URL parser.
pub fn is_dot_segment(id: &str) -> bool {
    id == "." || id == ".."
}

/// Who calls with this API key, as an opaque hash: never the credential itself.
pub fn caller_from_api_key(key: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, format!("api-key\n{key}").as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Rejects ids that cannot be a path segment: empty, `.` and `..`.
pub fn check_id(name: &str, id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::invalid_argument(format!("{name} is required.")));
    }
    if is_dot_segment(id) {
        return Err(Error::invalid_argument(format!(
            "{name} is not a valid id."
        )));
    }
    Ok(())
}

/// Steps 2-5 of the contract's response handling for a 2xx answer: empty -> null, JSON required,
/// `{ok: true, data}` unwrapped. Every string is cleaned of control and bidi characters here, once,
/// for every caller.
pub fn parse_success_body(bytes: &[u8]) -> Result<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let mut value: Value = serde_json::from_slice(bytes).map_err(|_| invalid_json_response())?;
    clean_value(&mut value);
    Ok(unwrap_envelope(value))
}

/// `{ "ok": true, "data": X }` -> `X`; anything else is returned whole.
pub fn unwrap_envelope(value: Value) -> Value {
    match value {
        Value::Object(mut map)
            if map.get("ok") == Some(&Value::Bool(true)) && map.contains_key("data") =>
        {
            map.remove("data").unwrap_or(Value::Null)
        }
        other => other,
    }
}

fn parse_retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    let secs: u64 = value?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs))
}

/// A client for unit tests (no request is made by building one).
#[cfg(test)]
pub(crate) fn test_client(base: &str) -> ApiClient {
    let config = ApiConfig {
        base: base.into(),
        timeout: Duration::from_secs(5),
        proxy: None,
        direct: false,
    };
    ApiClient::new(&config, Secret::new("token-123")).expect("valid test base URL")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn client(base: &str) -> ApiClient {
        test_client(base)
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        let c = client("https://api.junglegrid.dev");
        assert_eq!(
            c.url(
                &["v1", "mcp", "jobs", "job 1", "logs"],
                &[("limit", Some("50")), ("cursor", Some("cursor-1"))]
            )
            .as_str(),
            "https://api.junglegrid.dev/v1/mcp/jobs/job%201/logs?limit=50&cursor=cursor-1"
        );
        assert_eq!(
            c.url(
                &[
                    "v1",
                    "mcp",
                    "jobs",
                    "job/123",
                    "artifacts",
                    "artifact/with space",
                    "download"
                ],
                &[]
            )
            .as_str(),
            "https://api.junglegrid.dev/v1/mcp/jobs/job%2F123/artifacts/artifact%2Fwith%20space/download"
        );
        // Query and fragment characters, and controls, stay inside their segment.
        assert_eq!(
            c.url(&["v1", "mcp", "jobs", "job\t1\n", "%2e%2e"], &[])
                .path(),
            "/v1/mcp/jobs/job%091%0A/%252e%252e"
        );
        assert_eq!(
            c.url(&["v1", "mcp", "jobs", "a?b#c"], &[]).as_str(),
            "https://api.junglegrid.dev/v1/mcp/jobs/a%3Fb%23c"
        );
    }

    #[test]
    fn dot_segment_ids_are_refused_before_any_request() {
        assert_eq!(
            check_id("job_id", "..").unwrap_err().message,
            "job_id is not a valid id."
        );
        assert_eq!(
            check_id("job_id", "").unwrap_err().message,
            "job_id is required."
        );
        assert!(check_id("job_id", "..a").is_ok());
    }

    #[test]
    fn query_values_are_form_encoded_and_empty_ones_dropped() {
        let c = client("https://api.junglegrid.dev");
        assert_eq!(
            c.url(
                &["v1", "mcp", "jobs"],
                &[
                    ("limit", Some("20")),
                    ("cursor", Some("next cursor")),
                    ("status", Some("  "))
                ]
            )
            .as_str(),
            "https://api.junglegrid.dev/v1/mcp/jobs?limit=20&cursor=next+cursor"
        );
        assert_eq!(
            c.url(&["v1", "job-inputs"], &[("cursor", None)]).as_str(),
            "https://api.junglegrid.dev/v1/job-inputs"
        );
    }

    #[test]
    fn base_path_prefix_is_kept() {
        let c = client("https://orch.example.com/jg");
        assert_eq!(
            c.url(&["v1", "mcp", "jobs"], &[]).as_str(),
            "https://orch.example.com/jg/v1/mcp/jobs"
        );
    }

    #[test]
    fn envelope_is_unwrapped_only_when_ok_is_true() {
        assert_eq!(
            unwrap_envelope(json!({"ok": true, "data": {"job_id": "job-1", "status": "queued"}})),
            json!({"job_id": "job-1", "status": "queued"})
        );
        assert_eq!(
            unwrap_envelope(json!({"ok": true, "data": null})),
            Value::Null
        );
        assert_eq!(
            unwrap_envelope(json!({"ok": false, "data": 1})),
            json!({"ok": false, "data": 1})
        );
        assert_eq!(
            unwrap_envelope(json!({"available": true})),
            json!({"available": true})
        );
    }

    #[test]
    fn success_bodies() {
        assert_eq!(parse_success_body(b"").unwrap(), Value::Null);
        assert_eq!(parse_success_body(b"  \n").unwrap(), Value::Null);
        let err = parse_success_body(b"<html>oops</html>").unwrap_err();
        assert_eq!(err.code, "INVALID_API_RESPONSE");
        assert_eq!(err.status, Some(502));
        assert_eq!(
            err.message,
            "Jungle Grid API returned an invalid JSON response."
        );
    }

    #[test]
    fn response_strings_are_cleaned() {
        let v = parse_success_body(
            "{\"ok\":true,\"data\":{\"name\":\"a\\u001b[2Jb\\u202e\",\"n\":1}}".as_bytes(),
        )
        .unwrap();
        assert_eq!(v, json!({"name": "a[2Jb", "n": 1}));
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(
            parse_retry_after(Some(&HeaderValue::from_static("3"))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after(Some(&HeaderValue::from_static("soon"))),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = client("https://api.junglegrid.dev");
        assert!(!format!("{c:?}").contains("token-123"));
    }
}

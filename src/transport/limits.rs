//! The hosted server's edges: the accept loop (hyper's header-read timeout, a connection cap that
//! closes the oldest idle connection to admit a new one), per-caller rate limiting, Host/Origin
//! checks before authentication, bounded and validated `/mcp` bodies, and the per-request
//! observation that feeds the access log and `/metrics`.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use http_body_util::BodyExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::Service;

use super::auth::{bearer, hash};
use super::metrics::Metrics;
use crate::config::http::{EdgeLimits, HttpConfig};
use crate::server::caller::AuthInfo;

/// The client's address, set by the accept loop on every request.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// What inner layers learned about a request, for its access-log line and metrics.
#[derive(Debug, Default)]
pub struct Note {
    pub tool: Option<String>,
    pub outcome: Option<String>,
    pub subject: Option<String>,
}

type SharedNote = Arc<Mutex<Note>>;

/// State of the edge middleware.
pub struct Edge {
    pub metrics: Arc<Metrics>,
    limits: EdgeLimits,
    max_body_bytes: usize,
    allowed_hosts: Vec<String>,
    allowed_origins: Vec<String>,
    access_log: bool,
    buckets: Mutex<HashMap<CallerKey, Bucket>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum CallerKey {
    Token([u8; 32]),
    Ip(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// At most this many callers are tracked; past it, full buckets are forgotten.
const MAX_BUCKETS: usize = 100_000;

impl Edge {
    pub fn new(config: &HttpConfig, metrics: Arc<Metrics>) -> Self {
        Edge {
            metrics,
            limits: config.edges.clone(),
            max_body_bytes: config.max_body_bytes,
            allowed_hosts: config.allowed_hosts.clone(),
            allowed_origins: config.allowed_origins.clone(),
            access_log: config.access_log,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the caller's bucket, or says how many seconds until one is free.
    fn take(&self, key: CallerKey, now: Instant) -> Result<(), u64> {
        let per_minute = self.limits.rate_per_minute;
        if per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(per_minute);
        let per_sec = capacity / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&key) {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec < capacity
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_sec).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn jsonrpc_error(status: StatusCode, code: i64, message: &str) -> Response {
    (
        status,
        Json(
            json!({ "jsonrpc": "2.0", "id": null, "error": { "code": code, "message": message } }),
        ),
    )
        .into_response()
}

/// `host[:port]` without the port, lower-cased; `[::1]` keeps its brackets.
fn host_name(authority: &str) -> String {
    let authority = authority.trim().to_ascii_lowercase();
    if authority.starts_with('[') {
        return authority
            .split_once(']')
            .map(|(h, _)| format!("{h}]"))
            .unwrap_or(authority);
    }
    authority
        .rsplit_once(':')
        .filter(|(_, port)| *port == "*" || port.chars().all(|c| c.is_ascii_digit()))
        .map(|(h, _)| h.to_string())
        .unwrap_or(authority)
}

/// The same rules rmcp applies inside `/mcp` (entries may carry a port), run before any token is
/// looked at so a DNS-rebinding or cross-site request costs no introspection call.
pub fn host_allowed(host: Option<&str>, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    let name = host_name(&host);
    allowed.iter().any(|a| {
        let a = a.trim().to_ascii_lowercase();
        a == host || (host_name(&a) == a && a == name)
    })
}

/// `Origin` against entries such as `https://app.example.com`, `https://app.example.com:443` or
/// `http://localhost:*`; no `Origin` (not a browser) passes.
pub fn origin_allowed(origin: Option<&str>, allowed: &[String]) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let origin = origin.trim().to_ascii_lowercase();
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let default_port = match scheme {
        "http" => "80",
        "https" => "443",
        _ => return false,
    };
    let name = host_name(authority);
    let port = authority
        .strip_prefix(name.as_str())
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(default_port);
    allowed.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        let Some((a_scheme, a_authority)) = entry.split_once("://") else {
            return false;
        };
        let a_name = host_name(a_authority);
        let a_port = a_authority
            .strip_prefix(a_name.as_str())
            .and_then(|rest| rest.strip_prefix(':'));
        a_scheme == scheme
            && a_name == name
            && match a_port {
                None | Some("*") => true,
                Some(p) => p == port,
            }
    })
}

/// Outermost `/mcp` check: Host, Origin, then the caller's rate limit, all before introspection.
pub async fn check_caller(State(edge): State<Arc<Edge>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    if !host_allowed(host, &edge.allowed_hosts) {
        tracing::warn!(
            "refused a request with a Host this server does not serve (MCP_ALLOWED_HOSTS)"
        );
        return json_error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_HOST",
            "This Host is not served here.",
        );
    }
    let origin = headers.get(ORIGIN).map(|v| v.to_str().unwrap_or("invalid"));
    if !origin_allowed(origin, &edge.allowed_origins) {
        tracing::warn!("refused a request from a browser origin not in MCP_ALLOWED_ORIGINS");
        return json_error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ORIGIN",
            "Requests from this Origin are not allowed.",
        );
    }
    let key = match bearer(
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    ) {
        Some(token) => CallerKey::Token(hash(token)),
        None => CallerKey::Ip(
            request
                .extensions()
                .get::<PeerAddr>()
                .map(|p| p.0.ip())
                .unwrap_or(IpAddr::from([0, 0, 0, 0])),
        ),
    };
    if let Err(wait) = edge.take(key, Instant::now()) {
        edge.metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
        let mut response = json_error(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            &format!("Too many requests; retry in {wait} s."),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(wait));
        return response;
    }
    next.run(request).await
}

/// JSON-RPC validity of a POSTed body: one message or a non-empty batch of them.
fn validate(body: &[u8]) -> Result<Value, (i64, &'static str)> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| (-32700, "Parse error: the body is not JSON."))?;
    let one = |m: &Value| {
        m.get("jsonrpc") == Some(&Value::String("2.0".into()))
            && (m.get("method").is_some_and(Value::is_string)
                || m.get("result").is_some()
                || m.get("error").is_some())
    };
    let ok = match &value {
        Value::Object(_) => one(&value),
        Value::Array(list) => !list.is_empty() && list.iter().all(one),
        _ => false,
    };
    if ok {
        Ok(value)
    } else {
        Err((
            -32600,
            "Invalid Request: the body must be a JSON-RPC 2.0 message.",
        ))
    }
}

/// Innermost `/mcp` check (after authentication): reads the body within the body timeout and size
/// limit, answers malformed JSON-RPC with 400, notes the tool and the outcome of `tools/call`.
pub async fn check_body(State(edge): State<Arc<Edge>>, request: Request, next: Next) -> Response {
    let note = request.extensions().get::<SharedNote>().cloned();
    if let (Some(note), Some(info)) = (&note, request.extensions().get::<AuthInfo>())
        && let Ok(mut n) = note.lock()
    {
        n.subject = Some(subject_hash(&info.user_id));
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, edge.max_body_bytes);
    let bytes = match tokio::time::timeout(edge.limits.body_timeout, limited.collect()).await {
        Err(_) => {
            return jsonrpc_error(
                StatusCode::REQUEST_TIMEOUT,
                -32600,
                "Request body was not received in time.",
            );
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return jsonrpc_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                -32600,
                &format!(
                    "Request body is larger than {} bytes (MCP_MAX_BODY_BYTES).",
                    edge.max_body_bytes
                ),
            );
        }
        Ok(Err(_)) => {
            return jsonrpc_error(StatusCode::BAD_REQUEST, -32700, "Request body was cut off.");
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let message = match validate(&bytes) {
        Ok(m) => m,
        Err((code, message)) => return jsonrpc_error(StatusCode::BAD_REQUEST, code, message),
    };
    let tool = (message.get("method").and_then(Value::as_str) == Some("tools/call"))
        .then(|| {
            message
                .pointer("/params/name")
                .and_then(Value::as_str)
                .map(|name| {
                    // Unknown names are counted under one label, so a client cannot grow the metrics.
                    if crate::tools::TOOLS.iter().any(|t| t.name == name) {
                        name.to_string()
                    } else {
                        "unknown".to_string()
                    }
                })
        })
        .flatten();
    let started = Instant::now();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let Some(tool) = tool else {
        return response;
    };
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (response, outcome) = if !response.status().is_success() {
        let outcome = format!("http_{}", response.status().as_u16());
        (response, outcome)
    } else if is_json {
        let (parts, body) = response.into_parts();
        match body.collect().await {
            Ok(collected) => {
                let bytes = collected.to_bytes();
                let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let outcome = if value.get("error").is_some() {
                    "protocol_error"
                } else if value.pointer("/result/isError") == Some(&Value::Bool(true)) {
                    "tool_error"
                } else {
                    "ok"
                };
                (
                    Response::from_parts(parts, Body::from(bytes)),
                    outcome.to_string(),
                )
            }
            Err(_) => (
                json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "Response failed.",
                ),
                "http_500".to_string(),
            ),
        }
    } else {
        (response, "streamed".to_string())
    };
    edge.metrics.tool_call(&tool, &outcome, started.elapsed());
    if let Some(note) = note
        && let Ok(mut n) = note.lock()
    {
        n.tool = Some(tool);
        n.outcome = Some(outcome);
    }
    response
}

/// A stable pseudonym for a subject in logs: the first 12 hex digits of its SHA-256.
fn subject_hash(subject: &str) -> String {
    hash(subject)[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The route label for metrics: known paths as they are, everything else `other`.
fn route_label(path: &str) -> &'static str {
    match path {
        "/mcp" => "/mcp",
        "/mcp/readonly" => "/mcp/readonly",
        "/healthz" => "/healthz",
        "/.well-known/oauth-protected-resource"
        | "/.well-known/oauth-protected-resource/mcp"
        | "/.well-known/oauth-protected-resource/mcp/readonly" => {
            "/.well-known/oauth-protected-resource"
        }
        "/.well-known/openai-apps-challenge" => "/.well-known/openai-apps-challenge",
        _ => "other",
    }
}

/// Counts a request in flight until it ends, also when the client goes away mid-request.
struct InFlight(Arc<Metrics>);

impl InFlight {
    fn enter(metrics: Arc<Metrics>) -> Self {
        metrics.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(metrics)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Outermost layer of every route: in-flight gauge, metrics, and one JSON access-log line.
pub async fn observe(State(edge): State<Arc<Edge>>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let note: SharedNote = Arc::default();
    request.extensions_mut().insert(note.clone());
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let in_flight = InFlight::enter(edge.metrics.clone());
    let response = next.run(request).await;
    drop(in_flight);
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let route = route_label(&path);
    edge.metrics.request(route, status, elapsed);
    if edge.access_log {
        let note = note.lock().map(|n| (n.tool.clone(), n.subject.clone()));
        let (tool, subject) = note.unwrap_or_default();
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let line = json!({
            "ts_ms": ts,
            "type": "access",
            "method": method,
            // Known routes only: a path is attacker-chosen text.
            "path": if route == "other" { "other" } else { path.as_str() },
            "status": status,
            "duration_ms": (elapsed.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            "tool": tool,
            "subject": subject,
        });
        eprintln!("{line}");
    }
    response
}

/// Answers requests refused by the in-flight cap (tower's load shedding).
pub async fn overloaded(metrics: Arc<Metrics>) -> Response {
    metrics.overloaded.fetch_add(1, Ordering::Relaxed);
    let mut response = json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "OVERLOADED",
        "The server is busy; try again shortly.",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

struct Conn {
    /// Requests in progress (their response bodies included).
    busy: AtomicUsize,
    close: CancellationToken,
}

/// Open connections, oldest first.
#[derive(Default)]
struct Conns {
    next_id: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
}

impl Conns {
    /// Closes the oldest connection with no request in progress; false when every one is busy.
    fn evict_one(&self) -> bool {
        let Ok(open) = self.open.lock() else {
            return false;
        };
        match open
            .values()
            .find(|c| c.busy.load(Ordering::Acquire) == 0 && !c.close.is_cancelled())
        {
            Some(conn) => {
                conn.close.cancel();
                true
            }
            None => false,
        }
    }

    fn len(&self) -> usize {
        self.open.lock().map(|o| o.len()).unwrap_or(0)
    }
}

/// Keeps a connection marked busy until the request's response body is finished or dropped.
struct BusyGuard(Arc<Conn>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its connection marked busy until it is finished or dropped, with
/// the inner body's size (so `Content-Length` survives).
struct Guarded {
    body: Body,
    _guard: BusyGuard,
}

impl http_body::Body for Guarded {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Serves `app` on `listener` until `shutdown`, then waits for requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: EdgeLimits,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let conns = Arc::new(Conns::default());
    let tracker = TaskTracker::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors (or a transient error): free an idle slot and retry.
                tracing::warn!("accept failed: {e}");
                if conns.evict_one() {
                    metrics.evicted_connections.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        if conns.len() >= limits.max_connections {
            if conns.evict_one() {
                metrics.evicted_connections.fetch_add(1, Ordering::Relaxed);
            } else {
                // Every connection is mid-request: refuse this one rather than queue it.
                drop(stream);
                continue;
            }
        }
        let _ = stream.set_nodelay(true);
        let id = conns.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            busy: AtomicUsize::new(0),
            close: CancellationToken::new(),
        });
        if let Ok(mut open) = conns.open.lock() {
            open.insert(id, conn.clone());
        }
        metrics.open_connections.fetch_add(1, Ordering::Relaxed);
        let app = app.clone();
        let service_conn = conn.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                service_conn.busy.fetch_add(1, Ordering::AcqRel);
                let guard = BusyGuard(service_conn.clone());
                request.extensions_mut().insert(PeerAddr(peer));
                let mut app = app.clone();
                async move {
                    let response = app.call(request.map(Body::new)).await?;
                    let response = response.map(|body| {
                        Body::new(Guarded {
                            body,
                            _guard: guard,
                        })
                    });
                    Ok::<_, Infallible>(response)
                }
            });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let stop = shutdown.clone();
        let conns = conns.clone();
        let metrics = metrics.clone();
        tracker.spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = conn.close.cancelled() => {}
                _ = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.as_mut().await;
                }
            }
            if let Ok(mut open) = conns.open.lock() {
                open.remove(&id);
            }
            metrics.open_connections.fetch_sub(1, Ordering::Relaxed);
        });
    }
    drop(listener);
    tracker.close();
    tracker.wait().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hosts() {
        let allowed = list(&[
            "mcp.example.com",
            "localhost",
            "127.0.0.1",
            "[::1]",
            "api.example.com:8443",
        ]);
        assert!(host_allowed(Some("mcp.example.com"), &allowed));
        assert!(host_allowed(Some("MCP.example.com:443"), &allowed));
        assert!(host_allowed(Some("127.0.0.1:3000"), &allowed));
        assert!(host_allowed(Some("[::1]:3000"), &allowed));
        assert!(host_allowed(Some("api.example.com:8443"), &allowed));
        assert!(!host_allowed(Some("api.example.com:443"), &allowed));
        assert!(!host_allowed(Some("evil.example.com"), &allowed));
        assert!(!host_allowed(None, &allowed));
        assert!(host_allowed(Some("anything"), &[]));
    }

    #[test]
    fn origins() {
        let allowed = list(&[
            "http://localhost:*",
            "https://app.example.com",
            "https://b.example.com:8443",
        ]);
        assert!(origin_allowed(None, &allowed));
        assert!(origin_allowed(Some("http://localhost:5173"), &allowed));
        assert!(origin_allowed(Some("https://app.example.com"), &allowed));
        assert!(origin_allowed(
            Some("https://app.example.com:443"),
            &allowed
        ));
        assert!(origin_allowed(Some("https://b.example.com:8443"), &allowed));
        assert!(!origin_allowed(Some("https://b.example.com"), &allowed));
        assert!(!origin_allowed(Some("https://localhost:5173"), &allowed));
        assert!(!origin_allowed(Some("https://evil.example.com"), &allowed));
        assert!(!origin_allowed(Some("null"), &allowed));
        assert!(!origin_allowed(Some("invalid"), &allowed));
    }

    #[test]
    fn jsonrpc_validation() {
        assert!(validate(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).is_ok());
        assert!(validate(br#"[{"jsonrpc":"2.0","method":"notifications/initialized"}]"#).is_ok());
        assert_eq!(validate(b"{nope").unwrap_err().0, -32700);
        assert_eq!(validate(b"").unwrap_err().0, -32700);
        for bad in [
            &b"[]"[..],
            b"42",
            br#"{"id":1,"method":"ping"}"#,
            br#"{"jsonrpc":"2.0","id":1}"#,
        ] {
            assert_eq!(validate(bad).unwrap_err().0, -32600);
        }
    }

    #[test]
    fn rate_limit_buckets() {
        let config =
            crate::config::http::tests_support::config(&[("MCP_RATE_LIMIT_PER_MINUTE", "2")]);
        let edge = Edge::new(&config, Arc::default());
        let now = Instant::now();
        let a = CallerKey::Token(hash("a"));
        assert!(edge.take(a, now).is_ok());
        assert!(edge.take(a, now).is_ok());
        assert_eq!(edge.take(a, now), Err(30));
        // Another caller has its own bucket; time refills.
        assert!(
            edge.take(CallerKey::Ip(IpAddr::from([127, 0, 0, 1])), now)
                .is_ok()
        );
        assert!(edge.take(a, now + Duration::from_secs(30)).is_ok());
    }

    #[test]
    fn subjects_are_pseudonyms() {
        assert_eq!(subject_hash("user_1").len(), 12);
        assert_ne!(subject_hash("user_1"), subject_hash("user_2"));
    }
}

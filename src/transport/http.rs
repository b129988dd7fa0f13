//! The hosted server: MCP Streamable HTTP on `/mcp` (stateless, so instances can be replicated
//! behind a load balancer), OAuth protected-resource metadata (RFC 9728), the OpenAI Apps
//! challenge, and `/healthz`. Every `/mcp` request is authenticated by token introspection first;
//! the edges around it (timeouts, caps, rate limit, body checks, access log) are in `limits.rs`,
//! `/metrics` in `metrics.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::access::{self, AccessState, MCP_PATHS};
use super::auth::{AuthFailure, Introspector};
use super::limits::{self, Edge};
use super::metrics::Metrics;
use crate::api::ApiClient;
use crate::config::http::HttpConfig;
use crate::secret::Secret;
use crate::server::{JungleGridServer, VERSION};

pub const SCOPES_SUPPORTED: [&str; 4] = ["jobs:estimate", "jobs:submit", "jobs:read", "logs:read"];
pub const RESOURCE_DOCUMENTATION: &str = "https://junglegrid.dev/docs";

struct AppState {
    introspector: Introspector,
    resource: String,
    issuer: String,
    /// The 401 challenge of each MCP path (see [`access::metadata_url_for`]).
    challenge_headers: Vec<(&'static str, HeaderValue)>,
    challenge_token: Option<String>,
    env_name: String,
    /// Cancelled by the stop signal: `/readyz` fails from then on.
    draining: CancellationToken,
}

/// A running HTTP server (for the bin, `startHttpServer()` and tests).
pub struct HttpServer {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when `MCP_METRICS_ADDR` is set.
    pub metrics_addr: Option<SocketAddr>,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<usize>>,
}

impl HttpServer {
    /// Stops accepting connections and waits for requests in flight to finish (at most
    /// `MCP_DRAIN_TIMEOUT_MS`); resolves to the number of requests cut at that bound.
    pub async fn stop(self) -> std::io::Result<usize> {
        self.shutdown.cancel();
        self.wait().await
    }

    /// Waits until the server stops (after its shutdown token is cancelled).
    pub async fn wait(self) -> std::io::Result<usize> {
        match self.task.await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

fn error_body(code: &str, message: &str) -> Json<serde_json::Value> {
    Json(json!({ "error": { "code": code, "message": message } }))
}

/// The routes, ready to serve.
pub fn router(config: &HttpConfig) -> Result<Router, String> {
    router_with(config, Arc::default(), CancellationToken::new())
}

fn router_with(
    config: &HttpConfig,
    metrics: Arc<Metrics>,
    draining: CancellationToken,
) -> Result<Router, String> {
    // The user's token replaces this placeholder on every call; without one no call is made.
    let api = ApiClient::new(&config.api, Secret::new("")).map_err(|e| e.message)?;
    let signer = crate::tasks::TaskSigner::new(config.task_signing_key.as_ref())?;
    if !signer.shared {
        tracing::warn!(
            "JUNGLE_GRID_TASK_SIGNING_KEY is not set: task ids are signed with a key made at start, \
so tasks are readable on this instance only (set the same key on every replica)"
        );
    }
    if config.approval_key.is_none() {
        tracing::warn!(
            "JUNGLE_GRID_APPROVAL_KEY is not set: approval requests (spending guard) are sealed \
with a key derived from JUNGLEGRID_INTERNAL_SERVICE_TOKEN, so an approval asked on one replica \
is accepted on another only while they share that token, and rotating it makes users approve \
again (set the same key on every replica)"
        );
    }
    let tools = crate::tools::select(&config.tools).map_err(|e| e.to_string())?;
    let server = JungleGridServer::with_tools(api, &tools)
        .with_limits(config.limits)
        .hosted(signer)
        .with_public_origin(
            reqwest::Url::parse(&config.resource)
                .ok()
                .map(|url| url.origin().ascii_serialization()),
        )
        .with_spending(config.spending)
        .with_views(config.views)
        // Approval states are sealed with a key every replica shares: JUNGLE_GRID_APPROVAL_KEY,
        // else one derived from the service token.
        .with_approval_secret(
            config
                .approval_key
                .as_ref()
                .unwrap_or(&config.service_token)
                .expose()
                .as_bytes(),
        );
    let mut mcp_config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(config.max_body_bytes)
        .with_allowed_origins(config.allowed_origins.clone())
        .enforce_origin_validation();
    mcp_config = if config.allowed_hosts.is_empty() {
        mcp_config.disable_allowed_hosts()
    } else {
        mcp_config.with_allowed_hosts(config.allowed_hosts.clone())
    };
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        mcp_config,
    );
    let mut challenge_headers = Vec::new();
    for (path, _) in MCP_PATHS {
        let url = access::metadata_url_for(&config.resource_metadata_url, path);
        let value = HeaderValue::from_str(&format!("Bearer resource_metadata=\"{url}\""))
            .map_err(|_| "MCP_RESOURCE_METADATA_URL cannot be sent in a header".to_string())?;
        challenge_headers.push((path, value));
    }
    let state = Arc::new(AppState {
        introspector: Introspector::new(config)?.with_metrics(metrics.clone()),
        resource: config.resource.clone(),
        issuer: config.issuer.clone(),
        challenge_headers,
        challenge_token: config.challenge_token.clone(),
        env_name: config.env_name.clone(),
        draining,
    });
    // Per-request narrowing and the scope challenge (transport/access.rs), after authentication.
    let access = Arc::new(AccessState {
        server_tools: tools.clone().into(),
        max_body_bytes: config.max_body_bytes,
        metadata_url: config.resource_metadata_url.clone(),
    });
    let edge = Arc::new(Edge::new(config, metrics.clone()));
    let mut protected = Router::new();
    let mut metadata = Router::new().route(
        "/.well-known/oauth-protected-resource",
        get(resource_metadata),
    );
    for (path, _) in MCP_PATHS {
        protected = protected.route_service(path, mcp.clone());
        metadata = metadata.route(
            &format!("/.well-known/oauth-protected-resource{path}"),
            get(resource_metadata),
        );
    }
    // Outermost last: Host/Origin and the rate limit, then authentication, then the JSON-RPC body
    // check, then per-request narrowing and the scope challenge.
    let protected = protected
        .route_layer(middleware::from_fn_with_state(access, access::narrow))
        .route_layer(middleware::from_fn_with_state(
            edge.clone(),
            limits::check_body,
        ))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_auth))
        .route_layer(middleware::from_fn_with_state(
            edge.clone(),
            limits::check_caller,
        ));
    let overloaded = move |_| limits::overloaded(metrics.clone());
    Ok(Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(metadata)
        .route("/.well-known/openai-apps-challenge", get(openai_challenge))
        .merge(protected)
        .fallback(not_found)
        .with_state(state)
        .layer(
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(
                    edge.clone(),
                    limits::observe,
                ))
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                // One semaphore for every route (the plain layer would make one per route).
                .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                    config.edges.max_in_flight,
                )),
        ))
}

/// Binds and serves in the background until [`HttpServer::stop`].
pub async fn start(config: &HttpConfig) -> Result<HttpServer, String> {
    let metrics = Arc::new(Metrics::default());
    let shutdown = CancellationToken::new();
    let app = router_with(config, metrics.clone(), shutdown.clone())?;
    let listener = TcpListener::bind((config.host, config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let metrics_addr = match config.metrics_addr {
        Some(at) => Some(serve_metrics(at, metrics.clone(), shutdown.clone()).await?),
        None => None,
    };
    let task = tokio::spawn(limits::serve(
        listener,
        app,
        config.edges.clone(),
        metrics,
        shutdown.clone(),
    ));
    Ok(HttpServer {
        addr,
        metrics_addr,
        shutdown,
        task,
    })
}

/// How long a stop signal leaves the process before it exits anyway (the plain binary and the
/// npm bin read it): 10 s, or a running hosted server's drain bound plus 5 s.
static FORCED_EXIT_MS: AtomicU64 = AtomicU64::new(10_000);

/// After a stop signal, the time after which the process leaves even if it has not stopped.
pub fn forced_exit_after() -> Duration {
    Duration::from_millis(FORCED_EXIT_MS.load(Ordering::Relaxed))
}

/// `junglegrid-mcp --http`: serves until `shutdown`, then drains (`/readyz` fails, no new
/// connection, requests in flight finish within `MCP_DRAIN_TIMEOUT_MS`).
pub async fn serve(config: HttpConfig, shutdown: CancellationToken) -> i32 {
    let server = match start(&config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Fatal: {e}");
            return 1;
        }
    };
    let drain = config.edges.drain_timeout;
    FORCED_EXIT_MS.store(
        (drain + Duration::from_secs(5)).as_millis() as u64,
        Ordering::Relaxed,
    );
    if drain <= config.limits.max_wait {
        tracing::warn!(
            "MCP_DRAIN_TIMEOUT_MS ({} ms) is not above the longest held wait \
             (JUNGLE_GRID_MAX_WAIT_SECONDS, {} s): a stop may cut a wait_for_job in progress",
            drain.as_millis(),
            config.limits.max_wait.as_secs()
        );
    }
    eprintln!("Jungle Grid MCP server listening on http://{}", server.addr);
    if let Some(at) = server.metrics_addr {
        eprintln!("Prometheus metrics on http://{at}/metrics");
    }
    if config.host.is_loopback() && !(config.resource_explicit && config.issuer_explicit) {
        eprintln!(
            "Advertising resource {} (metadata {}) and authorization server {}. Clients discover \
             OAuth there; for your own deployment set MCP_RESOURCE, MCP_RESOURCE_METADATA_URL and \
             OAUTH_ISSUER to your public URLs.",
            config.resource, config.resource_metadata_url, config.issuer
        );
    }
    shutdown.cancelled().await;
    // Readiness fails and the listener closes before anyone is told the drain started.
    server.shutdown.cancel();
    eprintln!(
        "Stopping: /readyz now answers 503 and no new connection is accepted; requests in flight \
         have {} s to finish (MCP_DRAIN_TIMEOUT_MS)",
        drain.as_secs_f64()
    );
    match server.stop().await {
        Ok(0) => {
            eprintln!("Stopped: every request in flight was answered");
            0
        }
        Ok(cut) => {
            eprintln!(
                "Stopped: {cut} request(s) still in flight after {} s were cut (raise \
                 MCP_DRAIN_TIMEOUT_MS, and the orchestrator's grace period above it)",
                drain.as_secs_f64()
            );
            1
        }
        Err(e) => {
            eprintln!("Fatal: the HTTP server failed: {e}");
            1
        }
    }
}

async fn require_auth(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let client = request
        .extensions()
        .get::<limits::ClientAddr>()
        .map(|c| c.0)
        .or_else(|| {
            request
                .extensions()
                .get::<limits::PeerAddr>()
                .map(|p| p.0.ip())
        })
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    match state.introspector.authenticate(header, client).await {
        Ok(info) => {
            request.extensions_mut().insert(info);
            next.run(request).await
        }
        Err(AuthFailure::Rejected(reason)) => {
            tracing::debug!(reason, "unauthenticated /mcp request");
            let mut response = (
                StatusCode::UNAUTHORIZED,
                error_body("UNAUTHORIZED", "Authentication is required."),
            )
                .into_response();
            if let Some((_, challenge)) = state
                .challenge_headers
                .iter()
                .find(|(p, _)| *p == request.uri().path())
                .or(state.challenge_headers.first())
            {
                response
                    .headers_mut()
                    .insert(WWW_AUTHENTICATE, challenge.clone());
            }
            response
        }
        Err(AuthFailure::TooManyUnknownTokens(wait)) => {
            tracing::warn!(
                "refused a token from a client address past its bound on unknown tokens \
                 (MCP_UNKNOWN_TOKENS_PER_MINUTE); no introspection call was made"
            );
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                error_body(
                    "TOO_MANY_UNKNOWN_TOKENS",
                    &format!(
                        "Too many unrecognised access tokens from this address; retry in {wait} s."
                    ),
                ),
            )
                .into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(wait));
            response
        }
        Err(AuthFailure::Unavailable(reason)) => {
            tracing::warn!("refusing /mcp request: {reason}");
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                error_body(
                    "AUTH_UNAVAILABLE",
                    "Authentication is temporarily unavailable; try again shortly.",
                ),
            )
                .into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}

/// `/metrics` on its own listener (an operator's address, usually loopback), plain axum.
async fn serve_metrics(
    at: SocketAddr,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind(at)
        .await
        .map_err(|e| format!("cannot listen on {at} for metrics (MCP_METRICS_ADDR): {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let text = metrics.render();
            async move {
                (
                    [(
                        CONTENT_TYPE,
                        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                    )],
                    text,
                )
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
    });
    Ok(addr)
}

/// Liveness: the process answers (the body of the TypeScript server's `/healthz`, unchanged).
async fn healthz(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({ "ok": true, "service": "junglegrid", "version": VERSION, "env": state.env_name }))
}

/// Readiness: 200 while serving, 503 from the stop signal on, so load balancers send new
/// requests elsewhere while the requests in flight finish.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.draining.is_cancelled() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "draining": true })),
        )
            .into_response()
    } else {
        Json(json!({ "ready": true })).into_response()
    }
}

async fn resource_metadata(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({
        "resource": state.resource,
        "authorization_servers": [state.issuer],
        "scopes_supported": SCOPES_SUPPORTED,
        "resource_documentation": RESOURCE_DOCUMENTATION,
    }))
}

async fn openai_challenge(State(state): State<Arc<AppState>>) -> Response {
    match &state.challenge_token {
        Some(token) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            token.clone(),
        )
            .into_response(),
        None => not_found().await.into_response(),
    }
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, error_body("NOT_FOUND", "Not found."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    fn get(path: &str) -> Request {
        Request::builder()
            .uri(path)
            .body(axum::body::Body::empty())
            .expect("request")
    }

    /// Readiness fails from the stop signal on (a load balancer keeping a connection open sees
    /// 503); liveness keeps the TypeScript server's answer.
    #[tokio::test]
    async fn readiness_fails_once_draining_liveness_does_not() {
        let config = crate::config::http::tests_support::config(&[]);
        let draining = CancellationToken::new();
        let app = router_with(&config, Arc::default(), draining.clone()).expect("router");
        let ready = app.clone().oneshot(get("/readyz")).await.expect("answer");
        assert_eq!(ready.status(), StatusCode::OK);
        draining.cancel();
        let ready = app.clone().oneshot(get("/readyz")).await.expect("answer");
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(ready.into_body(), 1024)
            .await
            .expect("body");
        assert_eq!(&body[..], br#"{"ready":false,"draining":true}"#);
        let live = app.oneshot(get("/healthz")).await.expect("answer");
        assert_eq!(live.status(), StatusCode::OK);
    }
}

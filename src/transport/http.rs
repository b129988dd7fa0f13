//! The hosted server: MCP Streamable HTTP on `/mcp` (stateless, so instances can be replicated
//! behind a load balancer), OAuth protected-resource metadata (RFC 9728), the OpenAI Apps
//! challenge, and `/healthz`. Every `/mcp` request is authenticated by token introspection first.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
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

use super::auth::{AuthFailure, Introspector};
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
    challenge_header: HeaderValue,
    challenge_token: Option<String>,
    env_name: String,
}

/// A running HTTP server (for the bin, `startHttpServer()` and tests).
pub struct HttpServer {
    pub addr: SocketAddr,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
}

impl HttpServer {
    /// Stops accepting connections and waits for requests in flight to finish.
    pub async fn stop(self) -> std::io::Result<()> {
        self.shutdown.cancel();
        self.wait().await
    }

    /// Waits until the server stops (after its shutdown token is cancelled).
    pub async fn wait(self) -> std::io::Result<()> {
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
    // The user's token replaces this placeholder on every call; without one no call is made.
    let api = ApiClient::new(&config.api, Secret::new("")).map_err(|e| e.message)?;
    let tools = crate::tools::select(&config.tools).map_err(|e| e.to_string())?;
    let server = JungleGridServer::with_tools(api, &tools)
        .with_limits(config.limits)
        .hosted()
        // Approval states are sealed with a key every replica derives from the shared token.
        .with_spending(config.spending)
        .with_approval_secret(config.service_token.expose().as_bytes());
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
    let challenge = format!(
        "Bearer resource_metadata=\"{}\"",
        config.resource_metadata_url
    );
    let state = Arc::new(AppState {
        introspector: Introspector::new(config)?,
        resource: config.resource.clone(),
        issuer: config.issuer.clone(),
        challenge_header: HeaderValue::from_str(&challenge)
            .map_err(|_| "MCP_RESOURCE_METADATA_URL cannot be sent in a header".to_string())?,
        challenge_token: config.challenge_token.clone(),
        env_name: config.env_name.clone(),
    });
    let protected = Router::new()
        .route_service("/mcp", mcp)
        .route_layer(middleware::from_fn_with_state(state.clone(), require_auth));
    Ok(Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/.well-known/oauth-protected-resource",
            get(resource_metadata),
        )
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(resource_metadata),
        )
        .route("/.well-known/openai-apps-challenge", get(openai_challenge))
        .merge(protected)
        .fallback(not_found)
        .with_state(state))
}

/// Binds and serves in the background until [`HttpServer::stop`].
pub async fn start(config: &HttpConfig) -> Result<HttpServer, String> {
    let app = router(config)?;
    let listener = TcpListener::bind((config.host, config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
    });
    Ok(HttpServer {
        addr,
        shutdown,
        task,
    })
}

/// `junglegrid-mcp --http`: serves until `shutdown`, finishing requests in flight.
pub async fn serve(config: HttpConfig, shutdown: CancellationToken) -> i32 {
    let server = match start(&config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Fatal: {e}");
            return 1;
        }
    };
    eprintln!("Jungle Grid MCP server listening on http://{}", server.addr);
    shutdown.cancelled().await;
    tracing::info!("shutting down: finishing requests in flight");
    match server.stop().await {
        Ok(()) => 0,
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
    match state.introspector.authenticate(header).await {
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
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, state.challenge_header.clone());
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

async fn healthz(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({ "ok": true, "service": "junglegrid", "version": VERSION, "env": state.env_name }))
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

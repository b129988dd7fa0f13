//! The napi exports: a thin adapter from JS to the core. No logic lives here.
//!
//! Calls never reject across the boundary: they resolve to `{ ok: true, data }` or
//! `{ ok: false, error: { code, message, status } }`, and `lib/index.js` turns the latter into a
//! JS `Error` with `.code` and `.status`. That keeps error codes exact without napi's error mapping.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::api::ApiClient;
use crate::api::transfer::{UploadOptions, UploadSource};
use crate::config::{ClientOptions, Config, ConfigError, ProcessEnv, SpendingGuard};
use crate::error::Error;
use crate::tools::idempotency::KeyMemory;
use crate::tools::{self, JsonObject, ToolContext};

/// Cancelled by `shutdown()` (SIGINT/SIGTERM in the bin) to stop a running server.
static SHUTDOWN: LazyLock<CancellationToken> = LazyLock::new(CancellationToken::new);

/// Runs the `junglegrid-mcp` command line (`argv` without node and script) and resolves to the exit
/// code. With no command it serves MCP on stdio until stdin closes.
#[napi]
pub async fn run_cli(argv: Vec<String>) -> i32 {
    crate::cli::run(argv, &ProcessEnv, SHUTDOWN.clone()).await
}

/// Starts the stdio MCP server (what the bin does) and resolves to the exit code when it stops.
#[napi]
pub async fn start_stdio_server() -> i32 {
    crate::cli::run(Vec::new(), &ProcessEnv, SHUTDOWN.clone()).await
}

/// Asks a running server to stop; its `runCli()` / `startStdioServer()` promise then resolves.
#[napi]
pub fn shutdown() {
    SHUTDOWN.cancel();
}

/// The package version.
#[napi]
pub fn version() -> &'static str {
    crate::server::VERSION
}

fn failure(error: &Error) -> Value {
    json!({
        "ok": false,
        "error": { "code": error.code, "message": error.message, "status": error.status },
    })
}

fn outcome(result: Result<Value, Error>) -> Value {
    match result {
        Ok(data) => json!({ "ok": true, "data": data }),
        Err(error) => failure(&error),
    }
}

/// An outcome as JSON text: `lib/index.js` parses it with `JSON.parse`, so keys from the API such
/// as `__proto__` stay plain data instead of becoming an object's prototype.
fn outcome_text(result: Result<Value, Error>) -> String {
    outcome(result).to_string()
}

/// Cancellation handles of calls in flight, by the id JS got from `createCancel()`.
static CANCELS: LazyLock<Mutex<HashMap<u32, CancellationToken>>> = LazyLock::new(Default::default);
static NEXT_CANCEL: AtomicU32 = AtomicU32::new(1);

fn cancels() -> std::sync::MutexGuard<'static, HashMap<u32, CancellationToken>> {
    CANCELS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A handle for one call: pass it to the call, and `cancel(id)` stops that call's request.
#[napi]
pub fn create_cancel() -> u32 {
    let id = NEXT_CANCEL.fetch_add(1, Ordering::Relaxed);
    cancels().insert(id, CancellationToken::new());
    id
}

/// Stops the call holding this handle (its request is dropped) and forgets the handle.
#[napi]
pub fn cancel(id: u32) {
    if let Some(token) = cancels().remove(&id) {
        token.cancel();
    }
}

/// Runs `work` until it ends or its handle is cancelled (then the request in flight is dropped).
async fn cancellable(
    id: Option<u32>,
    work: impl Future<Output = Result<Value, Error>>,
) -> Result<Value, Error> {
    let token = id.and_then(|id| cancels().get(&id).cloned());
    let result = match (id, token) {
        (None, _) => work.await,
        // Cancelled (and forgotten) before the call began.
        (Some(_), None) => Err(Error::cancelled("The operation was aborted.")),
        (Some(_), Some(token)) => tokio::select! {
            result = work => result,
            () = token.cancelled() => Err(Error::cancelled("The operation was aborted.")),
        },
    };
    if let Some(id) = id {
        cancels().remove(&id);
    }
    result
}

/// A running embedded simulator (see `startSandbox`).
#[napi]
pub struct NativeSandbox {
    inner: tokio::sync::Mutex<Option<crate::sandbox::Sandbox>>,
    base_url: String,
    api_key: String,
}

#[napi]
impl NativeSandbox {
    /// `http://127.0.0.1:<port>`
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The API key the simulator accepts (random for each start).
    #[napi(getter)]
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }

    /// Stops the simulator (each change was saved by its request; nothing is left to write).
    #[napi]
    pub async fn stop(&self) {
        if let Some(sandbox) = self.inner.lock().await.take() {
            sandbox.stop().await;
        }
    }
}

/// Options of `startSandbox()`.
#[napi(object)]
pub struct NativeSandboxOptions {
    /// Keep state in this directory (survives restarts); in memory by default.
    pub dir: Option<String>,
    /// Run simulated time this many times faster (default 1).
    pub time_scale: Option<f64>,
}

/// Starts the embedded Jungle Grid simulator on a random loopback port.
#[napi]
pub async fn start_sandbox(options: Option<NativeSandboxOptions>) -> napi::Result<NativeSandbox> {
    let options = crate::sandbox::SandboxOptions {
        dir: options
            .as_ref()
            .and_then(|o| o.dir.clone())
            .map(PathBuf::from),
        time_scale: options.as_ref().and_then(|o| o.time_scale).unwrap_or(1.0),
        ..crate::sandbox::SandboxOptions::default()
    };
    let sandbox = crate::sandbox::start(options)
        .await
        .map_err(|e| napi::Error::from_reason(format!("The sandbox could not start: {e}")))?;
    Ok(NativeSandbox {
        base_url: sandbox.base_url().to_string(),
        api_key: sandbox.api_key().to_string(),
        inner: tokio::sync::Mutex::new(Some(sandbox)),
    })
}

/// Options of `startHttpServer()`; the rest of the hosted configuration comes from the environment
/// (JUNGLEGRID_INTERNAL_SERVICE_TOKEN, OAUTH_ISSUER, MCP_RESOURCE, ...).
#[napi(object)]
pub struct NativeHttpOptions {
    /// Port to listen on (default: PORT or 3000; 0 picks a free port).
    pub port: Option<u32>,
    /// Address to listen on (default: HOST or 0.0.0.0).
    pub host: Option<String>,
}

/// A running hosted (Streamable HTTP) server.
#[napi]
pub struct NativeHttpServer {
    inner: tokio::sync::Mutex<Option<crate::transport::http::HttpServer>>,
    url: String,
    port: u32,
}

#[napi]
impl NativeHttpServer {
    /// `http://<host>:<port>`
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    #[napi(getter)]
    pub fn port(&self) -> u32 {
        self.port
    }

    /// Stops accepting connections and resolves when requests in flight have finished.
    #[napi]
    pub async fn stop(&self) -> napi::Result<()> {
        if let Some(server) = self.inner.lock().await.take() {
            server
                .stop()
                .await
                .map_err(|e| napi::Error::from_reason(e.to_string()))?;
        }
        Ok(())
    }
}

/// Starts the hosted MCP server (Streamable HTTP on /mcp with OAuth) in this process.
#[napi]
pub async fn start_http_server(
    options: Option<NativeHttpOptions>,
) -> napi::Result<NativeHttpServer> {
    let port = options.as_ref().and_then(|o| o.port);
    use crate::config::settings;
    let mut overrides = crate::config::Overrides::default();
    // 0 (any free port) is valid here but not as a configured PORT; it is applied below.
    if let Some(p) = port.filter(|p| *p != 0) {
        overrides.set(&settings::PORT, p.to_string());
    }
    if let Some(host) = options.as_ref().and_then(|o| o.host.clone()) {
        overrides.set(&settings::HOST, host);
    }
    let mut config = crate::config::http::HttpConfig::from_env(&ProcessEnv, &overrides)
        .map_err(|e| napi::Error::from_reason(e.to_string()))?;
    if port == Some(0) {
        config.port = 0;
    }
    let server = crate::transport::http::start(&config)
        .await
        .map_err(napi::Error::from_reason)?;
    let addr = server.addr;
    Ok(NativeHttpServer {
        url: format!("http://{addr}"),
        port: u32::from(addr.port()),
        inner: tokio::sync::Mutex::new(Some(server)),
    })
}

/// Options of `new NativeClient()`; each falls back to the server's environment variable.
#[napi(object)]
pub struct NativeClientOptions {
    pub api_key: Option<String>,
    pub api_base: Option<String>,
    pub timeout_ms: Option<f64>,
    /// Per-job cost cap in USD; a submit above it is refused (the library has nobody to ask).
    pub max_job_cost_usd: Option<f64>,
    /// Refuse every submit: the library has nobody to ask for approval.
    pub confirm_submit: Option<bool>,
}

/// Options of `uploadFile`.
#[napi(object)]
pub struct NativeUploadOptions {
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub kind: Option<String>,
    pub idempotency_key: Option<String>,
}

/// The Jungle Grid API client behind `JungleGridClient` (lib/index.js).
#[napi]
pub struct NativeClient {
    api: Result<ApiClient, Error>,
    spending: SpendingGuard,
    /// Derived idempotency keys, shared by this client's calls.
    keys: Arc<KeyMemory>,
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(options: Option<NativeClientOptions>) -> Self {
        let options = options.map_or_else(ClientOptions::default, |o| ClientOptions {
            api_key: o.api_key,
            api_base: o.api_base,
            timeout_ms: o.timeout_ms.map(|ms| {
                if ms.fract() == 0.0 && ms >= 0.0 {
                    format!("{}", ms as u64)
                } else {
                    ms.to_string()
                }
            }),
            max_job_cost_usd: o.max_job_cost_usd.map(|usd| usd.to_string()),
            confirm_submit: o.confirm_submit,
        });
        let config = Config::for_client(&ProcessEnv, options);
        let spending = config.as_ref().map(|c| c.spending).unwrap_or_default();
        let api = config
            .map_err(|e| match e {
                ConfigError::MissingApiKey => Error {
                    code: "MISSING_API_KEY".into(),
                    ..Error::invalid_argument(format!(
                        "{e}: pass {{ apiKey }} to new JungleGridClient() or set the \
JUNGLE_GRID_API_KEY environment variable."
                    ))
                },
                other => Error::invalid_argument(other.to_string()),
            })
            .and_then(|config| {
                // A simulator started by this process (`startSandbox()`) is reached directly,
                // as the CLI's --sandbox is: never through the user's HTTP_PROXY.
                let api = match crate::sandbox::runs_here(&config.api.base) {
                    true => config.api.direct(),
                    false => config.api,
                };
                ApiClient::new(&api, config.api_key)
            });
        NativeClient {
            api,
            spending,
            keys: Arc::new(KeyMemory::default()),
        }
    }

    /// Why the client cannot be used (`{ ok: false, error }`), or null when it is ready.
    #[napi]
    pub fn config_error(&self) -> Option<Value> {
        self.api.as_ref().err().map(failure)
    }

    /// The API base URL in use.
    #[napi]
    pub fn api_base(&self) -> Option<String> {
        self.api
            .as_ref()
            .ok()
            .map(|a| a.base().as_str().trim_end_matches('/').to_string())
    }

    /// Calls one tool by name with its arguments (JSON text, checked by lib/index.js); resolves to
    /// the outcome as JSON text. `cancel_id` comes from `createCancel()`.
    #[napi]
    pub async fn call(&self, tool: String, args: String, cancel_id: Option<u32>) -> String {
        let api = match &self.api {
            Ok(api) => api,
            Err(e) => return outcome_text(Err(e.clone())),
        };
        let Some(tool) = tools::find(&tool) else {
            let error = Error::invalid_argument(format!("Unknown tool: {tool}"));
            return outcome_text(Err(error));
        };
        let args: JsonObject = match serde_json::from_str(&args) {
            Ok(Value::Null) => JsonObject::new(),
            Ok(Value::Object(map)) => map,
            _ => {
                let error = Error::invalid_argument("arguments must be an object.");
                return outcome_text(Err(error));
            }
        };
        let mut ctx = ToolContext::new(api.clone(), true);
        ctx.keys = self.keys.clone();
        // No `ask`: a submit that needs approval is refused with the estimate and the setting.
        ctx.guard = self.spending;
        let work = async { tool.call(&ctx, &args).await.map(|o| o.data) };
        outcome_text(cancellable(cancel_id, work).await)
    }

    /// Uploads a file from disk (`path`) or memory (`bytes`) and completes it; resolves to the input.
    #[napi]
    pub async fn upload_file(
        &self,
        path: Option<String>,
        bytes: Option<Buffer>,
        options: Option<NativeUploadOptions>,
        cancel_id: Option<u32>,
    ) -> String {
        let api = match &self.api {
            Ok(api) => api,
            Err(e) => return outcome_text(Err(e.clone())),
        };
        let source = match (path, bytes) {
            (Some(path), None) => UploadSource::Path(PathBuf::from(path)),
            (None, Some(bytes)) => UploadSource::Bytes(bytes.to_vec()),
            _ => {
                let error = Error::invalid_argument("uploadFile needs a file path or a Buffer.");
                return outcome_text(Err(error));
            }
        };
        if let Some(key) = options.as_ref().and_then(|o| o.idempotency_key.as_deref())
            && let Err(e) = crate::tools::idempotency::validate_key("idempotencyKey", key)
        {
            return outcome_text(Err(e));
        }
        let options = options.map_or_else(UploadOptions::default, |o| UploadOptions {
            filename: o.filename,
            content_type: o.content_type,
            kind: o.kind,
            idempotency_key: o.idempotency_key,
        });
        outcome_text(cancellable(cancel_id, api.upload_file(source, options)).await)
    }

    /// Streams a signed download URL to `dest` (never replacing a file unless `overwrite`);
    /// resolves to the number of bytes written.
    #[napi]
    pub async fn download_to(
        &self,
        url: String,
        dest: String,
        overwrite: Option<bool>,
        cancel_id: Option<u32>,
    ) -> String {
        let api = match &self.api {
            Ok(api) => api,
            Err(e) => return outcome_text(Err(e.clone())),
        };
        let dest = PathBuf::from(dest);
        let overwrite = overwrite.unwrap_or(false);
        let work = async {
            api.download_to(&url, &dest, overwrite)
                .await
                .map(|n| json!(n))
        };
        outcome_text(cancellable(cancel_id, work).await)
    }
}

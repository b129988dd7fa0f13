//! The embedded Jungle Grid simulator: an in-process HTTP server on a random loopback port that
//! speaks the REST contract the tools use, so `--sandbox` runs every real code path offline, with
//! no account and no cost.
//!
//! [`state`] holds the model and derives each job's status, events, logs and artifacts from the
//! elapsed simulated time (no timers); [`routes`] is the HTTP surface; [`store`] persists state
//! to `<dir>/state.json` when a directory is given, shared by every process using it (each
//! request holds the directory for its duration and starts from the state on disk).

mod routes;
mod state;
mod store;
#[cfg(test)]
mod tests;

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ring::hmac;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use crate::clock::{Clock, ManualClock, SystemClock};
use state::State;
use store::Store;

/// Largest upload the sandbox accepts.
pub const MAX_UPLOAD_BYTES: u64 = 512 * 1024 * 1024;

/// How long `stop()` lets requests in flight finish before it cuts them off.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How to run the simulator.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Keep state in this directory (survives restarts); in memory when `None`.
    pub dir: Option<PathBuf>,
    /// How fast simulated time runs: 1.0 is real time, 10.0 ten times faster.
    pub time_scale: f64,
    /// Where "now" comes from: the system clock, or a [`ManualClock`] in tests.
    pub clock: Arc<dyn Clock>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            dir: None,
            time_scale: 1.0,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A running simulator. Dropping it does not stop it; call [`Sandbox::stop`].
pub struct Sandbox {
    base_url: String,
    app: Arc<App>,
    shutdown: CancellationToken,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("time_scale", &self.app.time_scale)
            .field("persistent", &self.app.store.is_some())
            .finish()
    }
}

impl Sandbox {
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key this run accepts: random per run, so another local process cannot read the
    /// sandbox's jobs by knowing a fixed key.
    pub fn api_key(&self) -> &str {
        &self.app.api_key
    }

    /// Stops serving. Every change was saved by the request that made it (and the directory is
    /// held only during requests), so there is nothing left to write.
    pub async fn stop(self) {
        running_here(&self.base_url, false);
        self.shutdown.cancel();
        let mut server = self.server;
        if tokio::time::timeout(STOP_GRACE, &mut server).await.is_err() {
            server.abort();
        }
    }
}

/// The base URLs of the simulators running in this process. A client of this process pointed at
/// one of them connects directly, never through the user's HTTP_PROXY: a proxy cannot reach this
/// process's loopback port, and a company proxy would otherwise break the sandbox (the library's
/// `startSandbox()` + `new JungleGridClient({ apiBase })` cannot tell it is a sandbox otherwise).
static RUNNING: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn running_here(base_url: &str, running: bool) {
    let mut list = RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    list.retain(|b| b != base_url);
    if running {
        list.push(base_url.to_string());
    }
}

/// Whether `base` (trailing slashes ignored) is a simulator running in this process.
pub fn runs_here(base: &str) -> bool {
    let base = base.trim_end_matches('/');
    RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .any(|b| b == base)
}

/// Starts the simulator on a random loopback port.
pub async fn start(options: SandboxOptions) -> Result<Sandbox, String> {
    start_with(options, MAX_UPLOAD_BYTES).await
}

async fn start_with(options: SandboxOptions, max_upload_bytes: u64) -> Result<Sandbox, String> {
    let time_scale = options.time_scale;
    if !(time_scale.is_finite() && time_scale > 0.0) {
        return Err(format!(
            "the time scale must be a number above 0, got {time_scale}"
        ));
    }
    let (store, state) = match options.dir {
        Some(dir) => {
            let (store, state) = tokio::task::spawn_blocking(move || Store::open(dir))
                .await
                .map_err(|e| format!("cannot open the sandbox directory: {e}"))??;
            (Some(store), state)
        }
        None => (None, State::default()),
    };
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let secrets = Secrets::new()?;
    let app = Arc::new(App {
        state: Mutex::new(state),
        store,
        time_scale,
        base_url: format!("http://{addr}"),
        api_key: format!("jg_sandbox_{}", secrets.secret()),
        secrets,
        max_upload_bytes,
        clock: options.clock,
    });

    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    let router = routes::router(app.clone());
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, router)
            .with_graceful_shutdown(async move { signal.cancelled().await });
        if let Err(e) = serve.await {
            tracing::warn!("the sandbox server stopped: {e}");
        }
    });
    tracing::debug!(url = %app.base_url, "sandbox listening");
    running_here(&app.base_url, true);
    Ok(Sandbox {
        base_url: app.base_url.clone(),
        app,
        shutdown,
        server,
    })
}

/// What the request handlers share.
#[derive(Debug)]
pub(crate) struct App {
    state: Mutex<State>,
    store: Option<Store>,
    time_scale: f64,
    base_url: String,
    api_key: String,
    secrets: Secrets,
    max_upload_bytes: u64,
    clock: Arc<dyn Clock>,
}

impl App {
    /// The state, for a short critical section (never held across an await).
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters more than losing the simulator, so carry on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the current state to `<dir>/state.json` (nothing in memory mode).
    async fn save(&self) -> Result<(), String> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        // Writers take turns and each writes the state as it is when its turn comes, so the file
        // always ends with the newest state.
        let _turn = store.write_lock.lock().await;
        let bytes = serde_json::to_vec_pretty(&*self.lock())
            .map_err(|e| format!("cannot encode the sandbox state: {e}"))?;
        let path = store.state_path();
        let target = path.clone();
        tokio::task::spawn_blocking(move || store::write_atomic(&target, &bytes))
            .await
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // This process's own write: the next request need not read it back.
        store.mark_seen();
        Ok(())
    }

    /// Now, by the sandbox's clock.
    fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// [`App::save`] after a change. A failure fails the request that made the change, so nothing
    /// is acknowledged that a restart would lose.
    async fn commit(&self) -> Result<(), String> {
        self.save().await.inspect_err(|e| {
            tracing::warn!("sandbox state not saved: {e}");
        })
    }
}

/// Unguessable ids and tokens, and signatures of download URLs: HMAC-SHA256 under a key drawn
/// from the system's randomness at start.
pub(crate) struct Secrets {
    key: hmac::Key,
    counter: AtomicU64,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

impl Secrets {
    fn new() -> Result<Self, String> {
        let rng = ring::rand::SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng)
            .map_err(|_| "the system random number generator failed".to_string())?;
        Ok(Secrets {
            key,
            counter: AtomicU64::new(0),
        })
    }

    /// `n` fresh unpredictable bytes, hex-encoded.
    fn fresh(&self, n: usize) -> String {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let tag = hmac::sign(&self.key, format!("fresh:{count}").as_bytes());
        state::hex(&tag.as_ref()[..n.min(32)])
    }

    /// `job_…` / `inp_…`
    fn id(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.fresh(10))
    }

    /// A 256-bit secret for a URL or an upload token.
    fn secret(&self) -> String {
        self.fresh(32)
    }

    fn mac(&self, payload: &[u8]) -> String {
        let tag = hmac::sign(&self.key, &[b"download:", payload].concat());
        state::hex(tag.as_ref())
    }

    fn verify(&self, payload: &[u8], mac: &[u8]) -> bool {
        hmac::verify(&self.key, &[b"download:", payload].concat(), mac).is_ok()
    }
}

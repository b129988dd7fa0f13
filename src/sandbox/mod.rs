//! The embedded Jungle Grid simulator: an in-process HTTP server on a random loopback port that
//! speaks the REST contract the tools use, so `--sandbox` runs every real code path offline, with
//! no account and no cost.

use std::path::PathBuf;

/// The API key the sandbox accepts (it accepts no other).
pub const SANDBOX_API_KEY: &str = "jg_sandbox_key";

/// How to run the simulator.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Keep state in this directory (survives restarts); in memory when `None`.
    pub dir: Option<PathBuf>,
    /// How fast simulated time runs: 1.0 is real time, 10.0 ten times faster.
    pub time_scale: f64,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            dir: None,
            time_scale: 1.0,
        }
    }
}

/// A running simulator. Dropping it does not stop it; call [`Sandbox::stop`].
#[derive(Debug)]
pub struct Sandbox {
    base_url: String,
}

impl Sandbox {
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops serving and waits until state is saved.
    pub async fn stop(self) {}
}

/// Starts the simulator on a random loopback port.
pub async fn start(_options: SandboxOptions) -> Result<Sandbox, String> {
    Err("the sandbox is not built yet".to_string())
}

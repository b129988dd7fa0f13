//! The napi exports: a thin adapter from JS to the core. No logic lives here.

use std::sync::LazyLock;

use napi_derive::napi;
use tokio_util::sync::CancellationToken;

use crate::config::ProcessEnv;

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

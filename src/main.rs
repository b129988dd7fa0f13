//! `junglegrid-mcp` as a plain binary, for containers without Node (the hosted deployment). Same
//! command line as the npm bin.

use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() {
    let shutdown = CancellationToken::new();
    let signals = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        signals.cancel();
        // A second signal, or requests that do not finish (the hosted drain bound has its own
        // limit, `MCP_DRAIN_TIMEOUT_MS`, within this one), end the process anyway.
        tokio::select! {
            _ = wait_for_signal() => {}
            _ = tokio::time::sleep(junglegrid_mcp::transport::http::forced_exit_after()) => {}
        }
        std::process::exit(1);
    });
    let args = std::env::args().skip(1).collect();
    let code = junglegrid_mcp::cli::run(args, &junglegrid_mcp::config::ProcessEnv, shutdown).await;
    std::process::exit(code);
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers the process still stops on the default action.
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

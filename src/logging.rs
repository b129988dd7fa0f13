//! Logs go to stderr (stdout is the protocol channel), at a level from `--log-level` or
//! `JUNGLE_GRID_LOG`, warnings only by default. Secrets are redacted before they reach a log call.

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::settings::{LOG_LEVEL, resolve};
use crate::config::{Env, Overrides};

pub fn parse_level(value: &str) -> Option<LevelFilter> {
    match value.trim().to_ascii_lowercase().as_str() {
        "off" | "none" => Some(LevelFilter::OFF),
        "error" => Some(LevelFilter::ERROR),
        "warn" | "warning" => Some(LevelFilter::WARN),
        "info" => Some(LevelFilter::INFO),
        "debug" => Some(LevelFilter::DEBUG),
        "trace" => Some(LevelFilter::TRACE),
        _ => None,
    }
}

/// Installs the stderr logger once per process; later calls keep the first one.
pub fn init(env: &dyn Env, overrides: &Overrides) -> Result<(), String> {
    let raw = resolve(env, overrides, &LOG_LEVEL)
        .value
        .filter(|v| !v.trim().is_empty());
    let level = match raw {
        None => LevelFilter::WARN,
        Some(v) => parse_level(&v).ok_or_else(|| {
            format!("log level must be one of off, error, warn, info, debug, trace; got \"{v}\".")
        })?,
    };
    let _ = tracing_subscriber::registry()
        .with(filter(level))
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_target(false),
        )
        .try_init();
    Ok(())
}

/// rmcp prints whole requests and results at debug level, and results carry upload tokens and
/// signed URLs; it is capped at info so the only verbose lines are our own, redacted ones.
/// Below debug, rmcp keeps only its errors: its info and warn lines are Rust Debug dumps of the
/// client's messages (`received notification notification=CancelledNotification(...)`), and
/// `server/mod.rs` logs each client event as one readable `client: ...` line instead.
fn filter(level: LevelFilter) -> Targets {
    let rmcp = if level >= LevelFilter::DEBUG {
        LevelFilter::INFO
    } else {
        level.min(LevelFilter::ERROR)
    };
    Targets::new().with_default(level).with_target("rmcp", rmcp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(parse_level("WARN"), Some(LevelFilter::WARN));
        assert_eq!(parse_level(" debug "), Some(LevelFilter::DEBUG));
        assert_eq!(parse_level("loud"), None);
    }

    #[test]
    fn rmcp_message_dumps_are_never_enabled() {
        let f = filter(LevelFilter::TRACE);
        assert!(!f.would_enable("rmcp::service", &tracing::Level::DEBUG));
        assert!(f.would_enable("rmcp::service", &tracing::Level::INFO));
        assert!(f.would_enable("junglegrid_mcp::api", &tracing::Level::DEBUG));
        let f = filter(LevelFilter::WARN);
        assert!(!f.would_enable("rmcp::service", &tracing::Level::INFO));
        // Below debug, rmcp's dumps of client messages (info, warn) give way to our own lines.
        assert!(!f.would_enable("rmcp::service", &tracing::Level::WARN));
        assert!(f.would_enable("rmcp::service", &tracing::Level::ERROR));
        assert!(!filter(LevelFilter::INFO).would_enable("rmcp::service", &tracing::Level::INFO));
        assert!(filter(LevelFilter::DEBUG).would_enable("rmcp::service", &tracing::Level::INFO));
        assert!(!filter(LevelFilter::OFF).would_enable("rmcp::service", &tracing::Level::ERROR));
    }
}

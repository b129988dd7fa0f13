//! Turning HTTP failures into [`Error`] values: the API's error bodies, the status defaults of the
//! contract (Part B 1.2), and plain sentences for network failures. Raw bodies are never echoed.

use std::time::Duration;

use reqwest::Url;
use serde_json::Value;

use super::clean_text::clean;
use crate::config::ProxyRoute;
use crate::error::Error;

/// The code and message used when the body does not supply them.
pub fn status_defaults(status: u16) -> (&'static str, String) {
    match status {
        401 => (
            "UNAUTHORIZED",
            "Authentication is required or the token is invalid.".into(),
        ),
        403 => (
            "FORBIDDEN",
            "The token is not authorized for this Jungle Grid action.".into(),
        ),
        404 => (
            "NOT_FOUND",
            "The requested Jungle Grid resource was not found.".into(),
        ),
        409 => (
            "CONFLICT",
            "The request conflicts with the current state of the resource.".into(),
        ),
        429 => (
            "RATE_LIMITED",
            "Jungle Grid API rate limit exceeded.".into(),
        ),
        s if s >= 500 => (
            "UPSTREAM_ERROR",
            "Jungle Grid API is temporarily unavailable.".into(),
        ),
        s => (
            "API_ERROR",
            format!("Jungle Grid API request failed with status {s}."),
        ),
    }
}

fn trimmed(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(|s| clean(s).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Longest upstream message passed on to an agent; anything longer is cut.
const MAX_MESSAGE_CHARS: usize = 500;

/// An error answer (non-2xx) from the API. Reads `{error: {code, message}}` (also inside the
/// `{ok: false, ...}` envelope) or a top-level `{code, message}`; falls back to the status defaults.
/// A body that is not JSON is never shown.
pub fn error_from_response(status: u16, body: &[u8]) -> Error {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let (mut code, mut message) = (None, None);
    if let Some(Value::Object(map)) = &parsed {
        match map.get("error") {
            Some(Value::Object(inner)) => {
                code = trimmed(inner.get("code"));
                message = trimmed(inner.get("message"));
            }
            _ => {
                code = trimmed(map.get("code"));
                message = trimmed(map.get("message"));
            }
        }
    }
    let (default_code, default_message) = status_defaults(status);
    let mut message = message.unwrap_or(default_message);
    if message.chars().count() > MAX_MESSAGE_CHARS {
        message = message.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "...";
    }
    Error::api(
        status,
        code.unwrap_or_else(|| default_code.to_string()),
        message,
    )
}

/// A 3xx from the API: the contract has no redirects, so one is never followed (it could carry
/// the request body and key to another host) and never retried.
pub fn unexpected_redirect(status: u16) -> Error {
    Error::api(
        status,
        "UNEXPECTED_REDIRECT",
        format!(
            "Jungle Grid API answered with a redirect (status {status}); the API does not redirect, so it was not followed. Check JUNGLEGRID_API_BASE."
        ),
    )
}

pub fn invalid_json_response() -> Error {
    Error::api(
        502,
        "INVALID_API_RESPONSE",
        "Jungle Grid API returned an invalid JSON response.",
    )
}

pub fn too_large(limit: usize) -> Error {
    Error::api(
        502,
        "INVALID_API_RESPONSE",
        format!(
            "Jungle Grid API response was larger than {} MiB and was not read.",
            limit / (1024 * 1024)
        ),
    )
}

/// `host` or `host:port`, for messages.
pub fn host_label(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => "the configured host".to_string(),
    }
}

fn source_chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| e.source())
}

fn format_duration(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// A forward proxy's `407 Proxy Authentication Required` (a plain http base through HTTP_PROXY).
pub fn proxy_auth_required(url: &Url, proxy: &ProxyRoute) -> Error {
    Error::network(format!(
        "The proxy {} (set by {}) refused the request to the Jungle Grid API at {}: it requires authentication (407). Put the proxy's user and password in {} (http://user:password@host:port), or unset it if you need no proxy.",
        proxy.address,
        proxy.variable,
        host_label(url),
        proxy.variable
    ))
}

/// A request that got no HTTP answer: timeout, refused connection, DNS failure, TLS or reset.
/// The message names the host and the cause, never the full URL (or anything secret). When the
/// request went through a proxy, the proxy is named (address and variable, never its password):
/// a refused connection or a refused tunnel is the proxy's, not the API's.
pub fn network_error(
    error: &reqwest::Error,
    url: &Url,
    timeout: Duration,
    proxy: Option<&ProxyRoute>,
) -> Error {
    let host = host_label(url);
    let via = proxy
        .map(|p| format!(" through the proxy {} (set by {})", p.address, p.variable))
        .unwrap_or_default();
    if error.is_timeout() {
        return Error::timeout(format!(
            "Jungle Grid API at {host} did not answer within {}{via} (request timed out).",
            format_duration(timeout)
        ));
    }
    let chain: Vec<String> = source_chain(error).skip(1).map(|e| e.to_string()).collect();
    let io_kind = source_chain(error)
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let mentions = |needle: &str| {
        chain
            .iter()
            .any(|m| m.to_ascii_lowercase().contains(needle))
    };
    let refused =
        io_kind == Some(std::io::ErrorKind::ConnectionRefused) || mentions("connection refused");

    if let Some(p) = proxy {
        let (proxy, var) = (&p.address, p.variable);
        // A closed or unreachable proxy port: the API was never contacted. (Through a tunnel
        // this is hyper-util's "failed to create underlying connection" over the io error.)
        if refused {
            return Error::network(format!(
                "Could not connect to the proxy {proxy} (set by {var}) on the way to the Jungle Grid API at {host}: connection refused. Check that the proxy is running, or unset {var} if you need no proxy."
            ));
        }
        // hyper-util's tunnel errors: the proxy answered CONNECT with 407, or another non-2xx.
        if mentions("proxy authorization required") {
            return Error::network(format!(
                "The proxy {proxy} (set by {var}) refused to connect to the Jungle Grid API at {host}: it requires authentication (407). Put the proxy's user and password in {var} (http://user:password@host:port), or unset it if you need no proxy."
            ));
        }
        if mentions("tunnel error: unsuccessful") {
            return Error::network(format!(
                "The proxy {proxy} (set by {var}) would not open a connection to the Jungle Grid API at {host} (it refused the CONNECT, for example 403 or 502). Check that the proxy allows {host}, or unset {var} if you need no proxy."
            ));
        }
    }
    if refused {
        return Error::network(format!(
            "Could not connect to the Jungle Grid API at {host}: connection refused. Check JUNGLEGRID_API_BASE and that the API is reachable."
        ));
    }
    if mentions("dns error")
        || mentions("failed to lookup address")
        || mentions("name or service not known")
    {
        let what = match proxy {
            Some(p) => format!("the proxy host of {} (set by {})", p.address, p.variable),
            None => format!("the Jungle Grid API host {}", url.host_str().unwrap_or("?")),
        };
        let check = proxy.map_or("JUNGLEGRID_API_BASE", |p| p.variable);
        return Error::network(format!(
            "Could not resolve {what}: DNS lookup failed. Check {check} and your network."
        ));
    }
    if mentions("certificate") || mentions("tls") || mentions("handshake") {
        return Error::network(format!(
            "TLS connection to the Jungle Grid API at {host}{via} failed: the server certificate was not accepted."
        ));
    }
    // The innermost cause is an OS or protocol message; it holds no URL.
    let cause = chain
        .last()
        .cloned()
        .unwrap_or_else(|| "the connection failed".to_string());
    Error::network(format!(
        "Could not reach the Jungle Grid API at {host}{via}: {cause}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_is_read() {
        let e = error_from_response(
            403,
            br#"{"error":{"code":"FORBIDDEN","message":"api key missing jobs:read scope"}}"#,
        );
        assert_eq!((e.status, e.code.as_str()), (Some(403), "FORBIDDEN"));
        assert_eq!(e.message, "api key missing jobs:read scope");

        let e = error_from_response(
            409,
            br#"{"ok":false,"error":{"code":"CONFLICT","message":"job is already completed"}}"#,
        );
        assert_eq!(e.detail(), "CONFLICT: job is already completed");
    }

    #[test]
    fn top_level_code_and_message() {
        let e = error_from_response(400, br#"{"code":"INVALID_REQUEST","message":" name, image, and workload_type are required "}"#);
        assert_eq!(
            e.detail(),
            "INVALID_REQUEST: name, image, and workload_type are required"
        );
    }

    #[test]
    fn non_json_bodies_are_never_echoed() {
        let e = error_from_response(500, b"database host internal.local failed");
        assert_eq!(e.code, "UPSTREAM_ERROR");
        assert_eq!(e.message, "Jungle Grid API is temporarily unavailable.");
        let e = error_from_response(502, b"<html><body>Bad gateway nginx/1.2</body></html>");
        assert!(!e.message.contains("nginx"));
    }

    #[test]
    fn status_defaults_table() {
        let cases = [
            (401, "UNAUTHORIZED"),
            (403, "FORBIDDEN"),
            (404, "NOT_FOUND"),
            (409, "CONFLICT"),
            (429, "RATE_LIMITED"),
            (500, "UPSTREAM_ERROR"),
            (503, "UPSTREAM_ERROR"),
            (400, "API_ERROR"),
            (422, "API_ERROR"),
        ];
        for (status, code) in cases {
            let e = error_from_response(status, b"");
            assert_eq!(e.code, code, "status {status}");
            assert_eq!(e.status, Some(status));
        }
        assert_eq!(
            error_from_response(400, b"{}").message,
            "Jungle Grid API request failed with status 400."
        );
    }

    #[test]
    fn string_error_field_uses_defaults() {
        let e = error_from_response(404, br#"{"error":"some text"}"#);
        assert_eq!(
            e.detail(),
            "NOT_FOUND: The requested Jungle Grid resource was not found."
        );
    }

    #[test]
    fn controls_and_bidi_never_reach_the_message() {
        let body = serde_json::json!({"error": {"code": "BAD\u{1b}", "message": "\u{202e}gnp.exe\u{1b}[31m red\r\nnext"}}).to_string();
        let e = error_from_response(400, body.as_bytes());
        assert_eq!(e.code, "BAD");
        assert_eq!(e.message, "gnp.exe[31m red\nnext");
    }

    #[test]
    fn very_long_messages_are_cut() {
        let long = "x".repeat(5000);
        let body = serde_json::json!({"error": {"code": "X", "message": long}}).to_string();
        let e = error_from_response(400, body.as_bytes());
        assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 3);
    }
}

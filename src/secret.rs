//! Secrets (API keys, OAuth tokens, upload tokens) and the one place that redacts them for logs.

use std::fmt;
use std::sync::Arc;

/// A secret string. `Debug` and `Display` never show it; only [`Secret::expose`] does, and only the
/// code that puts it on the wire calls that.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: impl Into<Arc<str>>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A URL as it may appear in a log line: scheme, host, port and path, without the query string or
/// user info (signed storage URLs carry their credentials in the query).
pub fn redact_url(url: &reqwest::Url) -> String {
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or("?"));
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    if url.query().is_some() {
        out.push_str("?[redacted]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_not_printed() {
        let s = Secret::new("jg_live_abc");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(s.expose(), "jg_live_abc");
    }

    #[test]
    fn signed_url_query_and_userinfo_are_redacted() {
        let url =
            reqwest::Url::parse("https://user:pw@storage.example.com:8443/b/k?X-Amz-Signature=abc")
                .unwrap();
        assert_eq!(
            redact_url(&url),
            "https://storage.example.com:8443/b/k?[redacted]"
        );
    }
}

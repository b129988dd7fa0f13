//! W3C trace context in and out, and the span of each API request.

use std::sync::OnceLock;

use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, TextMapCompositePropagator, TextMapPropagator};
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::{TARGET, enabled};

fn propagator() -> &'static TextMapCompositePropagator {
    static PROPAGATOR: OnceLock<TextMapCompositePropagator> = OnceLock::new();
    PROPAGATOR.get_or_init(|| {
        TextMapCompositePropagator::new(vec![
            Box::new(TraceContextPropagator::new()),
            Box::new(BaggagePropagator::new()),
        ])
    })
}

/// The remote context (W3C `traceparent`, `tracestate`, `baggage`) carried by `carrier`; an
/// invalid or missing `traceparent` gives an empty context.
pub fn extract(carrier: &dyn Extractor) -> Context {
    propagator().extract(carrier)
}

/// Whether `cx` carries a valid remote span context.
pub fn has_remote_parent(cx: &Context) -> bool {
    use opentelemetry::trace::TraceContextExt;
    cx.span().span_context().is_valid()
}

/// Puts `span`'s trace context into `headers` (`traceparent`, `tracestate`; never baggage).
pub fn inject(span: &tracing::Span, headers: &mut reqwest::header::HeaderMap) {
    let cx = span.context();
    TraceContextPropagator::new()
        .inject_context(&cx, &mut opentelemetry_http::HeaderInjector(headers));
}

/// The `CLIENT` span of one Jungle Grid API request attempt (HTTP client semantic conventions):
/// named by the method, with the server's address and the URL without query or user info. A
/// disabled span when traces are off.
pub fn api_span(method: &reqwest::Method, url: &reqwest::Url) -> tracing::Span {
    if !enabled() {
        return tracing::Span::none();
    }
    let port = url.port_or_known_default().map(i64::from);
    let mut full = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(p) = url.port() {
        full.push_str(&format!(":{p}"));
    }
    full.push_str(url.path());
    tracing::info_span!(
        target: TARGET,
        "api",
        otel.name = method.as_str(),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        "http.request.method" = method.as_str(),
        "server.address" = url.host_str().unwrap_or(""),
        "server.port" = port,
        "url.full" = full,
        "http.response.status_code" = tracing::field::Empty,
        "error.type" = tracing::field::Empty,
    )
}

/// Records the API's answer on an attempt's span: the status, and for 4xx/5xx `error.type` (the
/// status code, as the HTTP conventions say) and the error status.
pub fn record_api_status(span: &tracing::Span, status: u16) {
    if span.is_disabled() {
        return;
    }
    span.record("http.response.status_code", i64::from(status));
    if status >= 400 {
        span.record("error.type", status.to_string());
        span.record("otel.status_code", "error");
    }
}

/// Records an attempt that got no answer: `error.type` is our error code (`TIMEOUT`, `NETWORK`).
pub fn record_api_error(span: &tracing::Span, code: &str) {
    if span.is_disabled() {
        return;
    }
    span.record("error.type", code);
    span.record("otel.status_code", "error");
}

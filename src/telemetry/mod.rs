//! OpenTelemetry traces, on only when the standard `OTEL_*` variables ask for them.
//!
//! - **Off** (no `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
//!   `OTEL_SDK_DISABLED=true`, or `OTEL_TRACES_EXPORTER=none`): no provider, no exporter, no
//!   thread, no layer. Our spans use the [`TARGET`] target, which no other layer enables, so
//!   their call sites are disabled once and cost a cached check; [`enabled`] gates the work
//!   around them (reading `_meta`, formatting names, injecting headers).
//! - **On**: a [`tracing_opentelemetry`] layer (filtered to [`TARGET`], so log events and other
//!   crates' spans never become telemetry) turns our `tracing` spans into OpenTelemetry spans; a
//!   batch processor exports them over OTLP/HTTP (protobuf) through the crate's own reqwest
//!   client, driven on the server's tokio runtime ([`ExportClient`]). [`shutdown`] flushes them
//!   before the process exits.
//!
//! Spans: one `SERVER` span per MCP request (`server::trace`), named and attributed as the
//! OpenTelemetry MCP semantic conventions say, its parent the request's `params._meta`
//! (`traceparent`, `tracestate`, `baggage`; MCP SEP-414) else the HTTP request's headers (hosted);
//! one `CLIENT` span per Jungle Grid API request attempt ([`api_span`]), whose context goes to the
//! API in `traceparent`/`tracestate` ([`inject`]). Baggage from clients is not forwarded to the
//! API: it is the client's data, not ours to pass on. No span carries a credential, a query
//! string or a signed URL.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::EnvResourceDetector;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::registry::Registry;

use crate::config::settings::{
    OTEL_DISABLED, OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER, OTLP_ENDPOINT, OTLP_PROTOCOL, resolve,
};
use crate::config::{Env, Overrides};

mod export;
mod propagation;

use export::ExportClient;
pub use propagation::{
    api_span, extract, has_remote_parent, inject, record_api_error, record_api_status,
};

/// The `tracing` target of every span meant for OpenTelemetry (and only those).
pub const TARGET: &str = "otel";

/// How long the exit waits for the last spans to reach the collector.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// One export request's bound (the OTLP default).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

static ENABLED: AtomicBool = AtomicBool::new(false);
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Whether traces are on in this process.
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The layer a boxed registry layer of this crate is.
pub type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// What the environment asks for: `None` when traces are off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceSettings {
    /// `OTEL_SERVICE_NAME`, when set (else `junglegrid-mcp`, unless `OTEL_RESOURCE_ATTRIBUTES`
    /// names one).
    pub service_name: Option<String>,
}

/// Reads the trace settings (see the `OTEL_*` rows of the settings table). Values the built-in
/// exporter cannot honour are errors, as for every other setting.
pub fn settings(env: &dyn Env, overrides: &Overrides) -> Result<Option<TraceSettings>, String> {
    let set = |value: Option<String>| {
        value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let disabled = set(resolve(env, overrides, &OTEL_DISABLED).value);
    if disabled.is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    let exporter = resolve(env, overrides, &OTEL_TRACES_EXPORTER);
    match set(exporter.value)
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("otlp") => {}
        Some("none") => return Ok(None),
        Some(other) => {
            return Err(format!(
                "{} must be otlp or none; got \"{other}\" (this server exports OTLP over HTTP only).",
                exporter.name
            ));
        }
    }
    // Either endpoint turns traces on (the SDK prefers the traces one and resolves the URL).
    let mut endpoint = None;
    for var in OTLP_ENDPOINT.env {
        if let Some(value) = set(env.get(var)) {
            endpoint = Some((*var, value));
            break;
        }
    }
    let Some((var, endpoint)) = endpoint else {
        return Ok(None);
    };
    match reqwest::Url::parse(&endpoint) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {}
        // The value may hold credentials: name the variable, not the value.
        _ => return Err(format!("{var} must be an http(s) URL.")),
    }
    let protocol = resolve(env, overrides, &OTLP_PROTOCOL);
    if let Some(p) = set(protocol.value)
        && p != "http/protobuf"
    {
        return Err(format!(
            "{} must be http/protobuf (OTLP over HTTP with protobuf, the only encoding built in); got \"{p}\".",
            protocol.name
        ));
    }
    Ok(Some(TraceSettings {
        service_name: set(resolve(env, overrides, &OTEL_SERVICE_NAME).value),
    }))
}

/// Builds the exporter and the `tracing` layer when the environment turns traces on (`Ok(None)`
/// otherwise). Must run inside the tokio runtime that will carry the exports.
pub fn layer(env: &dyn Env, overrides: &Overrides) -> Result<Option<BoxedLayer>, String> {
    let Some(settings) = settings(env, overrides)? else {
        return Ok(None);
    };
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| "OpenTelemetry needs the server's runtime.".to_string())?;
    // rustls' provider, as for every reqwest client of the crate (`api::client` installs the same
    // one; whichever runs first wins, which is just as good).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(EXPORT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("Could not set up the OpenTelemetry exporter: {e}"))?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_http_client(ExportClient { client, runtime })
        .build()
        .map_err(|e| format!("Could not set up the OpenTelemetry exporter: {e}"))?;
    let mut resource = Resource::builder_empty().with_attributes([
        KeyValue::new("service.name", "junglegrid-mcp"),
        KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
    ]);
    resource = resource.with_detector(Box::new(EnvResourceDetector::new()));
    if let Some(name) = settings.service_name {
        resource = resource.with_service_name(name);
    }
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource.build())
        .build();
    let scope = opentelemetry::InstrumentationScope::builder("junglegrid-mcp")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build();
    let tracer = provider.tracer_with_scope(scope);
    if PROVIDER.set(provider).is_err() {
        // A second server in the same process keeps the first one's pipeline.
        return Ok(None);
    }
    ENABLED.store(true, Ordering::Relaxed);
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_level(false)
        .with_tracked_inactivity(false)
        .with_filter(Targets::new().with_target(TARGET, tracing::Level::TRACE));
    Ok(Some(Box::new(layer)))
}

/// Exports what is still buffered and stops the exporter (at most [`FLUSH_TIMEOUT`]). Called when
/// the server stops, so a short stdio session still delivers its spans.
pub async fn shutdown() {
    let Some(provider) = PROVIDER.get() else {
        return;
    };
    ENABLED.store(false, Ordering::Relaxed);
    let provider = provider.clone();
    // The flush blocks on the batch thread, whose export runs on this runtime: off its workers.
    let done = tokio::task::spawn_blocking(move || provider.shutdown_with_timeout(FLUSH_TIMEOUT));
    if let Ok(Err(e)) = done.await {
        tracing::warn!("OpenTelemetry: the last spans may be lost ({e}).");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off<const N: usize>(env: [(&str, &str); N]) -> bool {
        settings(&env, &Overrides::default()).unwrap().is_none()
    }

    fn err<const N: usize>(env: [(&str, &str); N]) -> String {
        settings(&env, &Overrides::default()).unwrap_err()
    }

    #[test]
    fn on_only_with_an_endpoint_and_not_disabled() {
        assert!(off([]));
        assert!(off([("OTEL_EXPORTER_OTLP_ENDPOINT", "  ")]));
        assert!(!off([(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://127.0.0.1:4318"
        )]));
        assert!(!off([(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "https://collector.example/v1/traces"
        )]));
        let on = [("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")];
        assert!(off([on[0], ("OTEL_SDK_DISABLED", "TRUE")]));
        assert!(!off([on[0], ("OTEL_SDK_DISABLED", "false")]));
        assert!(off([on[0], ("OTEL_TRACES_EXPORTER", "none")]));
        assert!(!off([on[0], ("OTEL_TRACES_EXPORTER", "otlp")]));
    }

    #[test]
    fn what_the_exporter_cannot_do_is_an_error_naming_the_variable() {
        let on = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
        let e = err([on, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]);
        assert!(
            e.starts_with("OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf"),
            "{e}"
        );
        let e = err([on, ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json")]);
        assert!(e.starts_with("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"), "{e}");
        let e = err([on, ("OTEL_TRACES_EXPORTER", "zipkin")]);
        assert!(e.contains("otlp or none"), "{e}");
        let e = err([("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318?token=s3cret")]);
        assert_eq!(e, "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL.");
    }

    #[test]
    fn service_name_from_its_variable() {
        let env = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("OTEL_SERVICE_NAME", " mcp-eu "),
        ];
        let found = settings(&env, &Overrides::default()).unwrap().unwrap();
        assert_eq!(found.service_name.as_deref(), Some("mcp-eu"));
    }

    #[test]
    fn extracts_w3c_context_and_refuses_garbage() {
        use std::collections::HashMap;
        let mut carrier = HashMap::new();
        carrier.insert(
            "traceparent".to_string(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string(),
        );
        assert!(has_remote_parent(&extract(&carrier)));
        carrier.insert(
            "traceparent".to_string(),
            "00-zz-00f067aa0ba902b7-01".into(),
        );
        assert!(!has_remote_parent(&extract(&carrier)));
        assert!(!has_remote_parent(&extract(
            &HashMap::<String, String>::new()
        )));
    }
}

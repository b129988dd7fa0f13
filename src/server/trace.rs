//! The `SERVER` span of every MCP request, as the OpenTelemetry MCP semantic conventions
//! (`docs/gen-ai/mcp.md`) describe it: named `{mcp.method.name} {gen_ai.tool.name}` (or the
//! prompt's name, else the method alone), with `mcp.method.name`, `gen_ai.tool.name`,
//! `gen_ai.operation.name=execute_tool`, `jsonrpc.request.id`, `mcp.protocol.version`,
//! `network.transport` (`pipe` on stdio, `tcp` hosted), `rpc.response.status_code` and
//! `error.type` (the JSON-RPC error code, or `tool_error` for a result with `isError: true`).
//! No `mcp.session.id`: neither transport keeps sessions (hosted is stateless, and 2026-07-28
//! has none).
//!
//! The parent is the request's `params._meta` trace context (`traceparent`, `tracestate`,
//! `baggage`, unprefixed, MCP SEP-414), else the HTTP request's headers (hosted); when both are
//! there, the HTTP context becomes a link, as the conventions ask.
//!
//! On stdio, [`Traced`] wraps the server as rmcp's `Service`, so every request passes one place
//! whatever handler method serves it; with traces off it adds one check per request. Hosted,
//! rmcp needs the `ServerHandler` itself and runs each handler in a task of its own: the HTTP
//! layer opens the span ([`http_span`], one JSON-RPC message per POST) and hands it over in the
//! request's extensions; the handlers that call the API enter it ([`hosted_span`]).

use std::borrow::Cow;
use std::future::Future;

use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TraceContextExt;
use rmcp::model::{
    CallToolResponse, ClientRequest, ErrorData, JsonObject, ProtocolVersion, ServerResult,
};
use rmcp::service::{
    MaybeSendFuture, NotificationContext, RequestContext, RoleServer, Service, ServiceRole,
};
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::telemetry::{TARGET, enabled, extract, has_remote_parent};

/// How the MCP messages travel (`network.transport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// stdio.
    Pipe,
    /// Streamable HTTP.
    Tcp,
}

/// An MCP service with a span around each request it handles.
#[derive(Debug, Clone)]
pub struct Traced<S> {
    inner: S,
    transport: Transport,
}

impl<S> Traced<S> {
    pub fn new(inner: S, transport: Transport) -> Self {
        Traced { inner, transport }
    }
}

/// A `_meta` object read as a W3C carrier: only string values count.
struct MetaCarrier<'a>(&'a JsonObject);

impl Extractor for MetaCarrier<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// What a server span is made of, read from the message by whichever transport has it.
struct SpanInput<'a> {
    method: &'a str,
    id: Option<String>,
    tool: Option<&'a str>,
    prompt: Option<&'a str>,
    version: Option<String>,
    transport: Transport,
    meta: Option<&'a JsonObject>,
    headers: Option<&'a axum::http::HeaderMap>,
}

/// Names from the client go into attributes cut to this length.
const MAX_NAME: usize = 128;

fn cut(name: &str) -> &str {
    match name.char_indices().nth(MAX_NAME) {
        Some((at, _)) => &name[..at],
        None => name,
    }
}

/// The span, its parent set. The span name takes a tool's name only when it is one of ours (a
/// client cannot make span names of its own); the attribute keeps what the client sent (cut).
fn server_span(input: SpanInput<'_>) -> tracing::Span {
    let tool = input.tool.map(cut);
    let prompt = input.prompt.map(cut);
    let known_tool = tool.filter(|t| crate::tools::TOOLS.iter().any(|d| d.name == *t));
    let name = match known_tool.or(prompt) {
        Some(target) => format!("{} {target}", input.method),
        None => input.method.to_string(),
    };
    let span = tracing::info_span!(
        target: TARGET,
        "mcp",
        otel.name = name,
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        otel.status_description = tracing::field::Empty,
        "mcp.method.name" = cut(input.method),
        "gen_ai.tool.name" = tool,
        "gen_ai.prompt.name" = prompt,
        "gen_ai.operation.name" = tool.map(|_| "execute_tool"),
        "jsonrpc.request.id" = input.id,
        "mcp.protocol.version" = input.version,
        "network.transport" = match input.transport {
            Transport::Pipe => "pipe",
            Transport::Tcp => "tcp",
        },
        "network.protocol.name" = (input.transport == Transport::Tcp).then_some("http"),
        "rpc.response.status_code" = tracing::field::Empty,
        "error.type" = tracing::field::Empty,
    );
    let from_meta = input
        .meta
        .map(|m| extract(&MetaCarrier(m)))
        .filter(has_remote_parent);
    let from_http = input
        .headers
        .map(|h| extract(&opentelemetry_http::HeaderExtractor(h)))
        .filter(has_remote_parent);
    let parent = match (from_meta, from_http) {
        (Some(meta), Some(http)) => {
            span.add_link(http.span().span_context().clone());
            Some(meta)
        }
        (meta, http) => meta.or(http),
    };
    if let Some(parent) = parent {
        let _ = span.set_parent(parent);
    }
    span
}

/// The span of a request rmcp hands to the wrapped service (stdio).
fn request_span(
    request: &ClientRequest,
    context: &RequestContext<RoleServer>,
    transport: Transport,
) -> tracing::Span {
    let (tool, prompt) = match request {
        ClientRequest::CallToolRequest(r) => (Some(r.params.name.as_ref()), None),
        ClientRequest::GetPromptRequest(r) => (None, Some(r.params.name.as_str())),
        _ => (None, None),
    };
    let version = match request {
        ClientRequest::InitializeRequest(r) => Some(r.params.protocol_version.clone()),
        _ => context.protocol_version(),
    };
    server_span(SpanInput {
        method: request.method(),
        id: Some(context.id.to_string()),
        tool,
        prompt,
        version: version.map(|v| v.as_str().to_string()),
        transport,
        meta: Some(&context.meta.0.0),
        headers: None,
    })
}

/// The span of one hosted request (one POST carries one JSON-RPC message), opened by the HTTP
/// layer around the whole exchange: rmcp runs the handler in a task of its own, so the span also
/// travels in the request's extensions ([`McpSpan`]) for the handler to enter ([`hosted_span`]).
/// `None` when traces are off or the message is a notification or a response.
pub fn http_span(message: &serde_json::Value, headers: &axum::http::HeaderMap) -> Option<McpSpan> {
    if !enabled() {
        return None;
    }
    let method = message.get("method")?.as_str()?;
    let id = message.get("id").filter(|id| !id.is_null())?;
    let params = message.get("params");
    let name = params.and_then(|p| p.get("name")).and_then(|n| n.as_str());
    let meta = params
        .and_then(|p| p.get("_meta"))
        .and_then(|m| m.as_object());
    let version = match method {
        "initialize" => params
            .and_then(|p| p.get("protocolVersion"))
            .and_then(|v| v.as_str()),
        _ => meta
            .and_then(|m| m.get("io.modelcontextprotocol/protocolVersion"))
            .and_then(|v| v.as_str())
            .or_else(|| {
                headers
                    .get("mcp-protocol-version")
                    .and_then(|v| v.to_str().ok())
            }),
    };
    let id = match id {
        serde_json::Value::String(s) => cut(s).to_string(),
        other => other.to_string(),
    };
    Some(McpSpan(server_span(SpanInput {
        method,
        id: Some(id),
        tool: (method == "tools/call").then_some(name).flatten(),
        prompt: (method == "prompts/get").then_some(name).flatten(),
        version: version.map(|v| cut(v).to_string()),
        transport: Transport::Tcp,
        meta,
        headers: Some(headers),
    })))
}

/// A hosted request's span, carried in its HTTP extensions from the HTTP layer to the handler.
#[derive(Debug, Clone)]
pub struct McpSpan(pub tracing::Span);

/// The span the HTTP layer opened for this request (hosted, traces on); a disabled span
/// otherwise (on stdio, [`Traced`] already wraps the handler).
pub fn hosted_span(context: &RequestContext<RoleServer>) -> tracing::Span {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<McpSpan>())
        .map(|s| s.0.clone())
        .unwrap_or_else(tracing::Span::none)
}

/// Records a hosted answer the handler never saw (refused before it, or an HTTP error status).
pub fn record_http_status(span: &tracing::Span, status: u16) {
    if status >= 400 {
        span.record("error.type", status.to_string());
        span.record("otel.status_code", "error");
    }
}

/// Records how a `tools/call` ended (hosted: the handler records on [`hosted_span`]).
pub fn record_call(span: &tracing::Span, result: &Result<CallToolResponse, ErrorData>) {
    match result {
        Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => record_tool_error(span),
        Ok(_) => {}
        Err(e) => record_error(span, e),
    }
}

fn record_tool_error(span: &tracing::Span) {
    span.record("error.type", "tool_error");
    span.record("otel.status_code", "error");
}

fn record_error(span: &tracing::Span, e: &ErrorData) {
    let code = e.code.0.to_string();
    span.record("rpc.response.status_code", code.as_str());
    span.record("error.type", code.as_str());
    span.record("otel.status_code", "error");
    span.record("otel.status_description", e.message.as_ref());
}

/// Records how the request ended.
fn record_outcome(span: &tracing::Span, result: &Result<ServerResult, ErrorData>) {
    match result {
        Ok(ServerResult::CallToolResult(r)) if r.is_error == Some(true) => record_tool_error(span),
        Ok(_) => {}
        Err(e) => record_error(span, e),
    }
}

impl<S: Service<RoleServer>> Service<RoleServer> for Traced<S> {
    async fn handle_request(
        &self,
        request: <RoleServer as ServiceRole>::PeerReq,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        if !enabled() {
            return self.inner.handle_request(request, context).await;
        }
        let span = request_span(&request, &context, self.transport);
        let result = self
            .inner
            .handle_request(request, context)
            .instrument(span.clone())
            .await;
        record_outcome(&span, &result);
        result
    }

    fn handle_notification(
        &self,
        notification: <RoleServer as ServiceRole>::PeerNot,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = Result<(), ErrorData>> + MaybeSendFuture + '_ {
        self.inner.handle_notification(notification, context)
    }

    fn get_info(&self) -> <RoleServer as ServiceRole>::Info {
        self.inner.get_info()
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.inner.supported_protocol_versions()
    }
}

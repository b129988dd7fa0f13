//! What one hosted request may use: the server's own tool set (flags and env, the upper bound),
//! narrowed by the request (`X-MCP-Readonly`, `X-MCP-Tools`, `X-MCP-Exclude-Tools` headers and
//! URL forms such as `/mcp/readonly`), and the token's scopes. The request's spending headers
//! (`X-MCP-Max-Job-Cost-Usd`, `X-MCP-Confirm-Submit`) are read here too and, like the others, can
//! only tighten the server's setting. A call to an offered tool the token
//! has no scope for is refused before rmcp sees it, with the `403 insufficient_scope` challenge
//! (MCP authorization, scope challenge), so the client can step up.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

use crate::config::{SpendingGuard, parse_cost};
use crate::server::caller::{AuthInfo, RequestSpending, RequestTools};
use crate::tools::{self, Tool};

pub const READONLY_HEADER: &str = "x-mcp-readonly";
pub const TOOLS_HEADER: &str = "x-mcp-tools";
pub const EXCLUDE_TOOLS_HEADER: &str = "x-mcp-exclude-tools";
pub const MAX_JOB_COST_HEADER: &str = "x-mcp-max-job-cost-usd";
pub const CONFIRM_SUBMIT_HEADER: &str = "x-mcp-confirm-submit";

/// The MCP paths served, and whether the path itself asks for read-only tools.
pub const MCP_PATHS: [(&str, bool); 2] = [("/mcp", false), ("/mcp/readonly", true)];

/// A header value that is neither a boolean nor a list of known tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHeader(pub String);

/// `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`/empty, case-insensitive and trimmed.
pub fn parse_flag(name: &str, value: &str) -> Result<bool, BadHeader> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "" | "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(BadHeader(format!(
            "{name} must be true or false (1/0, yes/no, on/off)."
        ))),
    }
}

/// A comma-separated list of tool names (trimmed, empty items skipped). Every name must be one
/// of the server's tools; repeated headers are read as one list.
pub fn parse_tool_list<'a>(
    name: &str,
    values: impl Iterator<Item = &'a str>,
) -> Result<Option<Vec<Tool>>, BadHeader> {
    let mut tools = Vec::new();
    let mut seen_header = false;
    for value in values {
        seen_header = true;
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let tool = tools::find(item).ok_or_else(|| {
                let known: Vec<&str> = tools::TOOLS.iter().map(|t| t.as_str()).collect();
                BadHeader(format!(
                    "{name} names an unknown tool: \"{}\". Known tools: {}.",
                    item.chars().take(64).collect::<String>(),
                    known.join(", ")
                ))
            })?;
            tools.push(tool);
        }
    }
    Ok(seen_header.then_some(tools))
}

/// Every value of one header (repeated headers in order), as text.
fn header_values<'a>(
    headers: &'a HeaderMap,
    name: &'static str,
) -> Result<Vec<&'a str>, BadHeader> {
    headers
        .get_all(name)
        .iter()
        .map(|v| {
            v.to_str()
                .map_err(|_| BadHeader(format!("{name} must be ASCII text.")))
        })
        .collect()
}

/// The spending guard the request's `X-MCP-Max-Job-Cost-Usd` and `X-MCP-Confirm-Submit` ask for,
/// with the same value rules as the other `X-MCP-*` headers and the settings (a cap is a
/// non-negative amount in USD; confirmation a boolean). Repeated headers: the lowest cap, and
/// confirmation if any asks. The server applies it with [`SpendingGuard::tighten`], so a header
/// can never loosen the server's guard.
pub fn request_spending(headers: &HeaderMap) -> Result<SpendingGuard, BadHeader> {
    let mut requested = SpendingGuard::default();
    for value in header_values(headers, MAX_JOB_COST_HEADER)? {
        let cap = parse_cost("X-MCP-Max-Job-Cost-Usd", Some(value.to_string()))
            .map_err(|e| BadHeader(e.to_string()))?;
        requested = requested.tighten(SpendingGuard {
            max_job_cost_usd: cap,
            confirm_submit: false,
        });
    }
    for value in header_values(headers, CONFIRM_SUBMIT_HEADER)? {
        requested.confirm_submit |= parse_flag("X-MCP-Confirm-Submit", value)?;
    }
    Ok(requested)
}

/// The tools offered to this request: `server` (the upper bound) narrowed by the path and the
/// headers. Nothing here can add a tool the server does not offer.
pub fn request_tools(
    server: &[Tool],
    path_read_only: bool,
    headers: &HeaderMap,
) -> Result<Vec<Tool>, BadHeader> {
    let text = |name| header_values(headers, name);
    let mut read_only = path_read_only;
    for value in text(READONLY_HEADER)? {
        read_only |= parse_flag("X-MCP-Readonly", value)?;
    }
    let only = parse_tool_list("X-MCP-Tools", text(TOOLS_HEADER)?.into_iter())?;
    let exclude = parse_tool_list(
        "X-MCP-Exclude-Tools",
        text(EXCLUDE_TOOLS_HEADER)?.into_iter(),
    )?
    .unwrap_or_default();
    Ok(server
        .iter()
        .copied()
        .filter(|t| !read_only || t.is_read_only())
        .filter(|t| only.as_ref().is_none_or(|only| only.contains(t)))
        .filter(|t| !exclude.contains(t))
        .collect())
}

/// A `tools/call` in the body for an offered tool this token has no scope for: the tool and the
/// scopes that would do. Bodies that are not JSON-RPC are left for rmcp to answer.
pub fn missing_scope(
    body: &[u8],
    offered: &[Tool],
    auth: &AuthInfo,
) -> Option<(Tool, &'static [&'static str])> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let messages = match &value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    messages.into_iter().find_map(|m| {
        if m.get("method").and_then(Value::as_str) != Some("tools/call") {
            return None;
        }
        let name = m.pointer("/params/name").and_then(Value::as_str)?;
        let tool = tools::find(name).filter(|t| offered.contains(t))?;
        auth.allows(tool).err().map(|scopes| (tool, scopes))
    })
}

/// The protected-resource metadata URL named in the challenges of one MCP path: the configured
/// URL for `/mcp`, the configured URL followed by the path for the other forms (RFC 9728 path
/// insertion); each is served.
pub fn metadata_url_for(configured: &str, path: &str) -> String {
    if path == "/mcp" {
        configured.to_string()
    } else {
        format!("{}{path}", configured.trim_end_matches('/'))
    }
}

/// What [`narrow`] needs from the server's configuration.
pub struct AccessState {
    /// The server's tools (flags and env): the upper bound of every request.
    pub server_tools: Arc<[Tool]>,
    pub max_body_bytes: usize,
    /// `MCP_RESOURCE_METADATA_URL`.
    pub metadata_url: String,
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

/// Middleware on the MCP paths, after authentication: works out the request's tools (400 for a
/// bad header), and answers a `tools/call` the token lacks scope for with the 403 challenge.
pub async fn narrow(
    State(state): State<Arc<AccessState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let path_read_only = MCP_PATHS.iter().any(|(p, ro)| *p == path && *ro);
    let narrowed = request_tools(&state.server_tools, path_read_only, request.headers())
        .and_then(|tools| Ok((tools, request_spending(request.headers())?)));
    let (offered, spending) = match narrowed {
        Ok(narrowed) => narrowed,
        Err(BadHeader(message)) => {
            return refuse(StatusCode::BAD_REQUEST, "INVALID_HEADER", &message);
        }
    };
    let Some(auth) = request.extensions().get::<AuthInfo>().cloned() else {
        return next.run(request).await;
    };
    let mut request = request;
    request
        .extensions_mut()
        .insert(RequestTools(offered.clone().into()));
    request.extensions_mut().insert(RequestSpending(spending));
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    // Read the body (within the limit rmcp applies too) to see which tool is called.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.max_body_bytes).await else {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "The request body is too large.",
        );
    };
    if let Some((tool, scopes)) = missing_scope(&bytes, &offered, &auth) {
        let needed = scopes.first().copied().unwrap_or_default();
        let challenge = format!(
            "Bearer error=\"insufficient_scope\", scope=\"{needed}\", resource_metadata=\"{}\", \
error_description=\"{} needs the {needed} scope\"",
            metadata_url_for(&state.metadata_url, &path),
            tool.as_str()
        );
        let granted = if auth.scopes.is_empty() {
            "none".to_string()
        } else {
            auth.scopes.join(" ")
        };
        let mut response = refuse(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_SCOPE",
            &format!(
                "{} needs one of these OAuth scopes: {}; this token has: {granted}.",
                tool.as_str(),
                scopes.join(", ")
            ),
        );
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
        }
        return response;
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn flags() {
        for v in ["true", " TRUE ", "1", "yes", "On"] {
            assert_eq!(parse_flag("X", v), Ok(true), "{v}");
        }
        for v in ["", "false", "0", "no", "OFF"] {
            assert_eq!(parse_flag("X", v), Ok(false), "{v}");
        }
        assert_eq!(
            parse_flag("X-MCP-Readonly", "maybe").unwrap_err().0,
            "X-MCP-Readonly must be true or false (1/0, yes/no, on/off)."
        );
    }

    #[test]
    fn narrowing_never_widens() {
        let server = [
            &tools::jobs::GET_JOB,
            &tools::jobs::SUBMIT_JOB,
            &tools::jobs::LIST_JOBS,
        ];
        let all = request_tools(&server, false, &HeaderMap::new()).unwrap();
        assert_eq!(all, server);
        let ro = request_tools(&server, true, &HeaderMap::new()).unwrap();
        assert_eq!(ro, [&tools::jobs::GET_JOB, &tools::jobs::LIST_JOBS]);
        let h = headers(&[("x-mcp-readonly", "yes")]);
        assert_eq!(request_tools(&server, false, &h).unwrap(), ro);
        // A false header does not undo the read-only URL.
        let h = headers(&[("x-mcp-readonly", "false")]);
        assert_eq!(request_tools(&server, true, &h).unwrap(), ro);
        // Asking for a tool the server does not offer adds nothing.
        let h = headers(&[("x-mcp-tools", " get_job , cancel_job,, ")]);
        assert_eq!(
            request_tools(&server, false, &h).unwrap(),
            [&tools::jobs::GET_JOB]
        );
        let h = headers(&[("x-mcp-tools", "get_job"), ("x-mcp-tools", "submit_job")]);
        assert_eq!(
            request_tools(&server, false, &h).unwrap(),
            [&tools::jobs::GET_JOB, &tools::jobs::SUBMIT_JOB]
        );
        let h = headers(&[("x-mcp-exclude-tools", "list_jobs")]);
        assert_eq!(
            request_tools(&server, false, &h).unwrap(),
            [&tools::jobs::GET_JOB, &tools::jobs::SUBMIT_JOB]
        );
        // An empty X-MCP-Tools list offers nothing.
        let h = headers(&[("x-mcp-tools", " , ")]);
        assert!(request_tools(&server, false, &h).unwrap().is_empty());
        let h = headers(&[("x-mcp-tools", "get_job,delete_everything")]);
        let err = request_tools(&server, false, &h).unwrap_err().0;
        assert!(
            err.starts_with("X-MCP-Tools names an unknown tool: \"delete_everything\"."),
            "{err}"
        );
    }

    #[test]
    fn scope_peek() {
        let auth = AuthInfo {
            token: Secret::new("t"),
            user_id: "u".into(),
            workspace_id: "w".into(),
            scopes: vec!["jobs:read".into()],
            expires_at: None,
        };
        let offered = tools::TOOLS;
        let call = |name: &str| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{name}"}}}}"#
            )
        };
        assert_eq!(
            missing_scope(call("submit_job").as_bytes(), offered, &auth),
            Some((&tools::jobs::SUBMIT_JOB, &["jobs:submit", "jobs:write"][..]))
        );
        assert_eq!(
            missing_scope(call("get_job").as_bytes(), offered, &auth),
            None
        );
        assert_eq!(missing_scope(call("nope").as_bytes(), offered, &auth), None);
        // Not offered to this request: the handler answers "not available", not a challenge.
        assert_eq!(
            missing_scope(
                call("submit_job").as_bytes(),
                &[&tools::jobs::GET_JOB],
                &auth
            ),
            None
        );
        assert_eq!(missing_scope(b"not json", offered, &auth), None);
        let batch = format!("[{},{}]", call("get_job"), call("cancel_job"));
        assert_eq!(
            missing_scope(batch.as_bytes(), offered, &auth).map(|m| m.0),
            Some(&tools::jobs::CANCEL_JOB)
        );
    }

    #[test]
    fn spending_headers_follow_the_setting_rules() {
        assert_eq!(
            request_spending(&headers(&[])).unwrap(),
            SpendingGuard::default()
        );
        let guard = request_spending(&headers(&[
            ("x-mcp-max-job-cost-usd", "1.5"),
            ("x-mcp-max-job-cost-usd", "$0.75"),
            ("x-mcp-confirm-submit", "no"),
            ("x-mcp-confirm-submit", "true"),
        ]))
        .unwrap();
        assert_eq!(guard.max_job_cost_usd, Some(0.75), "the lowest cap");
        assert!(guard.confirm_submit, "any request for confirmation");
        let err = request_spending(&headers(&[("x-mcp-max-job-cost-usd", "cheap")]))
            .unwrap_err()
            .0;
        assert!(
            err.starts_with("X-MCP-Max-Job-Cost-Usd must be a non-negative amount"),
            "{err}"
        );
        let err = request_spending(&headers(&[("x-mcp-max-job-cost-usd", "-1")]))
            .unwrap_err()
            .0;
        assert!(err.starts_with("X-MCP-Max-Job-Cost-Usd"), "{err}");
        let err = request_spending(&headers(&[("x-mcp-confirm-submit", "perhaps")]))
            .unwrap_err()
            .0;
        assert_eq!(
            err,
            "X-MCP-Confirm-Submit must be true or false (1/0, yes/no, on/off)."
        );
        // Only tightens: a higher cap or confirmation off leaves the server's guard.
        let server = SpendingGuard {
            max_job_cost_usd: Some(1.0),
            confirm_submit: true,
        };
        let loose = request_spending(&headers(&[
            ("x-mcp-max-job-cost-usd", "1000"),
            ("x-mcp-confirm-submit", "false"),
        ]))
        .unwrap();
        assert_eq!(server.tighten(loose), server);
    }
}

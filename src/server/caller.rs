//! What the transport tells the server about one hosted request: who is calling (put on the HTTP
//! request by the auth middleware), the tools the request may use and the spending it asked for
//! (read from its headers by `transport::access`). The server defines these types and reads them;
//! the transport fills them in (data flows transport -> server).

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::service::RequestContext;

use crate::config::SpendingGuard;
use crate::secret::Secret;
use crate::tools::Tool;

/// Who is calling, as introspection established. Travels with the HTTP request to the tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInfo {
    /// The user's access token: the only token sent to the API for this request.
    pub token: Secret,
    pub user_id: String,
    pub workspace_id: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<u64>,
}

impl AuthInfo {
    /// `Ok` when one of the tool's scopes was granted, else the scopes that would do.
    pub fn allows(&self, tool: Tool) -> Result<(), &'static [&'static str]> {
        let needed = tool.scopes;
        if needed.iter().any(|s| self.scopes.iter().any(|g| g == s)) {
            Ok(())
        } else {
            Err(needed)
        }
    }
}

/// The tools offered to one request (before scopes): stored in the request's extensions for the
/// MCP handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTools(pub Arc<[Tool]>);

/// The spending guard this request asked for (before the server's own is applied with
/// [`SpendingGuard::tighten`], so it can only tighten): stored in the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestSpending(pub SpendingGuard);

/// A value the transport put on the HTTP request of this MCP request.
fn from_request<T: Send + Sync + 'static>(context: &RequestContext<RoleServer>) -> Option<&T> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<T>())
}

/// The authenticated caller of a hosted request.
pub fn auth(context: &RequestContext<RoleServer>) -> Option<&AuthInfo> {
    from_request::<AuthInfo>(context)
}

/// The tools this hosted request may use (before scopes), when the transport narrowed them.
pub fn request_tools(context: &RequestContext<RoleServer>) -> Option<Arc<[Tool]>> {
    from_request::<RequestTools>(context).map(|t| t.0.clone())
}

/// The spending guard this hosted request asked for.
pub fn request_spending(context: &RequestContext<RoleServer>) -> Option<SpendingGuard> {
    from_request::<RequestSpending>(context).map(|s| s.0)
}

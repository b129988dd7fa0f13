//! The MCP face of [`crate::resources`]: `resources/list`, `resources/templates/list` and
//! `resources/read` dispatched over the one resource table. What a request may see follows the
//! tools a resource reads through: offered on this server and request (`--tools`, `--read-only`,
//! hosted `X-MCP-*`), and hosted, allowed by the token's scopes.

use rmcp::ErrorData as McpError;
use rmcp::RoleServer;
use rmcp::model::{
    Annotations, ListResourceTemplatesResult, ListResourcesResult, MetaObject,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResult, Resource as McpResource,
    ResourceContents, ResourceTemplate, Role,
};
use rmcp::service::RequestContext;
use serde_json::{Value, json};

use super::{JungleGridServer, SANDBOX_NOTICE, caller};
use crate::error::{Error, ErrorKind};
use crate::resources::{self, Audience, Resource, is_not_found};
use crate::tools::{Tool, ToolContext};

/// Normalised RFC 3339 (UTC), or nothing: hosts may validate `lastModified`.
pub(super) fn rfc3339(value: Option<&str>) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(value?.trim()).ok()?;
    Some(
        parsed
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

fn annotations(def: Resource, last_modified: Option<&str>) -> Annotations {
    let audience = def
        .annotations
        .audience
        .iter()
        .map(|a| match a {
            Audience::User => Role::User,
            Audience::Assistant => Role::Assistant,
        })
        .collect();
    let mut a = Annotations::default().with_audience(audience);
    if let Some(p) = def.annotations.priority {
        a = a.with_priority(p);
    }
    a.last_modified = rfc3339(last_modified);
    a
}

fn meta_of(object: Option<serde_json::Map<String, Value>>) -> Option<MetaObject> {
    object.filter(|m| !m.is_empty()).map(MetaObject::from)
}

/// The MCP form of a fixed resource (as listed).
pub fn fixed_definition(def: Resource) -> McpResource {
    let mut r = McpResource::new(def.uri(), def.name)
        .with_title(def.title)
        .with_description(def.description)
        .with_mime_type(def.mime_type)
        .with_annotations(annotations(def, None));
    if let Some(meta) = meta_of(def.meta()) {
        r = r.with_meta(meta);
    }
    r
}

/// The MCP form of a resource template.
pub fn template_definition(def: Resource) -> ResourceTemplate {
    let mut t = ResourceTemplate::new(def.uri(), def.name)
        .with_title(def.title)
        .with_description(def.description)
        .with_mime_type(def.mime_type)
        .with_annotations(annotations(def, None));
    if let Some(meta) = meta_of(def.meta()) {
        t = t.with_meta(meta);
    }
    t
}

/// A JSON-RPC error for a resource that could not be read: resource-not-found (-32002; rmcp
/// answers 2026-07-28 clients with -32602, per SEP-2164) naming the URI for an unknown resource
/// or job, invalid params for a bad id, internal error (with the safe message) otherwise.
pub(super) fn read_error(uri: &str, error: &Error, sandbox: bool) -> McpError {
    let note = if sandbox && !error.detail().to_ascii_lowercase().contains("sandbox") {
        format!(" {}", super::SANDBOX_ERROR_NOTE)
    } else {
        String::new()
    };
    let data = Some(json!({ "uri": uri, "code": error.code }));
    match error.kind {
        ErrorKind::InvalidArgument => {
            McpError::invalid_params(format!("{uri}: {}{note}", error.message), data)
        }
        _ if is_not_found(error) => McpError::resource_not_found(
            format!("Resource not found: {uri} ({}).{note}", error.detail()),
            data,
        ),
        _ => McpError::internal_error(
            format!("Could not read {uri}: {}{note}", error.detail()),
            data,
        ),
    }
}

impl JungleGridServer {
    /// Whether `def` exists on this server: `--views off` takes the MCP Apps views away.
    fn serves(&self, def: Resource) -> bool {
        self.views_on() || crate::views::find(def.uri()).is_none()
    }

    /// Whether this request may use what reads through `tools`: each is offered (server
    /// configuration, hosted request narrowing) and, hosted, allowed by the token's scopes.
    pub(super) fn may_use(&self, context: &RequestContext<RoleServer>, tools: &[Tool]) -> bool {
        let offered = self.offered(context);
        if !tools.iter().all(|t| offered.contains(t)) {
            return false;
        }
        !self.hosted
            || caller::auth(context)
                .is_some_and(|auth| tools.iter().all(|t| auth.allows(t).is_ok()))
    }

    /// Why `tools` may not be used by this request, in one sentence.
    pub(super) fn refusal(
        &self,
        context: &RequestContext<RoleServer>,
        what: &str,
        tools: &[Tool],
    ) -> String {
        let offered = self.offered(context);
        if let Some(t) = tools.iter().find(|t| !offered.contains(t)) {
            return format!(
                "{what} is not available: it reads through {}, which this {} does not offer.",
                t.as_str(),
                if self.hosted { "connection" } else { "server" }
            );
        }
        let auth = caller::auth(context);
        let missing = tools
            .iter()
            .find_map(|t| auth.map_or(Err(t.scopes), |a| a.allows(t)).err());
        match missing {
            Some(scopes) => format!(
                "{what} needs one of these OAuth scopes: {}.",
                scopes.join(", ")
            ),
            None => format!("{what} is not available."),
        }
    }

    /// A context for reading on behalf of this request's caller: the caller's token when hosted,
    /// the request's cancellation, the server's limits.
    pub(super) fn reader(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<ToolContext, McpError> {
        let api = if self.hosted {
            let auth = caller::auth(context)
                .ok_or_else(|| McpError::invalid_request("Authentication is required.", None))?;
            self.api.with_token(auth.token.clone())
        } else {
            self.api.clone()
        };
        let api = self.api_for(context, &api);
        let mut ctx = ToolContext::new(api, false);
        ctx.simulated = self.sandbox;
        ctx.limits = self.limits;
        ctx.cancel = context.ct.clone();
        Ok(ctx)
    }

    /// `resources/list`: the fixed resources this request may use, then one page of what
    /// listable templates list (the caller's recent jobs, newest first, at most 20 a page).
    pub(super) async fn dispatch_list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let cursor = request.and_then(|r| r.cursor);
        let usable: Vec<Resource> = resources::RESOURCES
            .iter()
            .copied()
            .filter(|r| self.serves(r) && self.may_use(&context, r.tools))
            .collect();
        let mut items = Vec::new();
        if cursor.is_none() {
            items.extend(
                usable
                    .iter()
                    .filter(|r| !r.is_template())
                    .map(|r| fixed_definition(r)),
            );
        }
        let mut next_cursor = None;
        // One listable template pages (the first; today the job list).
        let listing = usable
            .iter()
            .find_map(|r| r.list.map(|listing| (*r, listing)))
            .filter(|(_, listing)| self.may_use(&context, listing.tools));
        if let Some((def, listing)) = listing {
            let list = listing.list;
            let ctx = self.reader(&context)?;
            let page = tokio::select! {
                page = list(&ctx, cursor.clone()) => page,
                _ = context.ct.cancelled() => {
                    return Err(McpError::internal_error("Request cancelled.", None));
                }
            };
            match page {
                Ok(page) => {
                    next_cursor = page.next_cursor;
                    for item in page.items {
                        let mut description = item.description.unwrap_or_default();
                        if self.sandbox {
                            description = format!("{SANDBOX_NOTICE} {description}");
                        }
                        let mut r = McpResource::new(item.uri, item.name)
                            .with_mime_type(def.mime_type)
                            .with_description(description)
                            .with_annotations(annotations(def, item.last_modified.as_deref()));
                        if let Some(title) = item.title {
                            r = r.with_title(title);
                        }
                        items.push(r);
                    }
                }
                // Browsing is best effort: the fixed resources still list; a bad cursor is the
                // client's error.
                Err(error) if cursor.is_some() => {
                    return Err(McpError::invalid_params(
                        format!("Could not list jobs from this cursor: {}", error.detail()),
                        None,
                    ));
                }
                Err(error) => {
                    tracing::info!(code = %error.code, "resources/list: recent jobs not listed");
                }
            }
        }
        let mut result = ListResourcesResult::with_all_items(items);
        result.next_cursor = next_cursor;
        Ok(result)
    }

    /// `resources/templates/list`: the templates this request may use.
    pub(super) fn dispatch_list_templates(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> ListResourceTemplatesResult {
        ListResourceTemplatesResult::with_all_items(
            resources::RESOURCES
                .iter()
                .copied()
                .filter(|r| r.is_template() && self.may_use(context, r.tools))
                .map(template_definition)
                .collect(),
        )
    }

    /// `resources/read`: the one resource `uri` names, read for this caller.
    pub(super) async fn dispatch_read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, McpError> {
        let uri = request.uri;
        let Some((def, params)) = resources::find_uri(&uri).filter(|(def, _)| self.serves(def))
        else {
            return Err(McpError::resource_not_found(
                format!(
                    "Unknown resource: {}. This server's resources are {}.",
                    crate::tools::render::cut_text(&uri, 200),
                    resources::RESOURCES
                        .iter()
                        .map(|r| r.uri())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(json!({ "uri": uri })),
            ));
        };
        if !self.may_use(&context, def.tools) {
            return Err(McpError::invalid_params(
                self.refusal(&context, &format!("Resource {uri}"), def.tools),
                Some(json!({ "uri": uri })),
            ));
        }
        let ctx = self.reader(&context)?;
        let read = tokio::select! {
            read = def.read(&ctx, &params) => read,
            _ = context.ct.cancelled() => {
                return Err(McpError::internal_error("Request cancelled.", None));
            }
        };
        let contents = read.map_err(|e| read_error(&uri, &e, self.sandbox))?;
        let mut meta = def.meta().unwrap_or_default();
        if let Some(own) = contents.meta {
            meta.extend(own);
        }
        if self.sandbox {
            meta.insert("junglegrid/sandbox".into(), json!(SANDBOX_NOTICE));
        }
        // MCP Apps, hosted: a view names the server's public origin as its domain (ChatGPT).
        if let Some(origin) = self
            .public_origin
            .as_deref()
            .filter(|_| crate::views::find(&uri).is_some())
        {
            meta.insert(crate::views::WIDGET_DOMAIN.into(), json!(origin));
        }
        if let Some(modified) = rfc3339(contents.last_modified.as_deref()) {
            meta.insert("junglegrid/lastModified".into(), json!(modified));
        }
        let mut text = ResourceContents::TextResourceContents {
            uri,
            mime_type: Some(contents.mime_type.unwrap_or(def.mime_type).to_string()),
            text: contents.text,
            meta: None,
        };
        if let Some(meta) = meta_of(Some(meta)) {
            text = text.with_meta(meta);
        }
        Ok(ReadResourceResult::new(vec![text]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_modified_is_normalised_or_left_out() {
        assert_eq!(
            rfc3339(Some("2026-05-29T00:00:00+02:00")).as_deref(),
            Some("2026-05-28T22:00:00Z")
        );
        assert_eq!(
            rfc3339(Some(" 2026-05-30T01:00:00.5Z ")).as_deref(),
            Some("2026-05-30T01:00:00.500Z")
        );
        assert_eq!(rfc3339(Some("yesterday")), None);
        assert_eq!(rfc3339(None), None);
    }

    #[test]
    fn read_errors_name_the_uri_and_keep_not_found_apart_from_outages() {
        let uri = "junglegrid://jobs/job_x";
        let not_found = Error {
            kind: ErrorKind::Api,
            code: "NOT_FOUND".into(),
            message: "job not found".into(),
            status: Some(404),
        };
        let e = read_error(uri, &not_found, false);
        assert_eq!(e.code, rmcp::model::ErrorCode::RESOURCE_NOT_FOUND);
        assert_eq!(
            e.message,
            "Resource not found: junglegrid://jobs/job_x (NOT_FOUND: job not found)."
        );
        assert_eq!(e.data, Some(json!({"uri": uri, "code": "NOT_FOUND"})));
        let outage = Error {
            code: "UPSTREAM_ERROR".into(),
            status: Some(502),
            ..not_found.clone()
        };
        assert_eq!(
            read_error(uri, &outage, false).code,
            rmcp::model::ErrorCode::INTERNAL_ERROR
        );
        let bad = Error::invalid_argument("job_id is not a valid id.");
        let e = read_error(uri, &bad, true);
        assert_eq!(e.code, rmcp::model::ErrorCode::INVALID_PARAMS);
        assert!(
            e.message.ends_with(super::super::SANDBOX_ERROR_NOTE),
            "{}",
            e.message
        );
    }
}

//! The MCP face of the tool layer: one rmcp [`ServerHandler`] that lists the tools and turns each
//! `tools/call` into a tool call and its result. Transport-neutral: stdio and HTTP both serve it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

#[allow(deprecated)]
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams, ContentBlock,
    CustomRequest, CustomResult, ErrorCode, GetTaskParams, GetTaskResult, Implementation,
    ListToolsResult, LoggingLevel, LoggingMessageNotificationParam, PaginatedRequestParams,
    ProgressNotificationParam, ServerCapabilities, ServerConfig, SetLevelRequestParams, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{Value, json};

use crate::api::ApiClient;
use crate::config::{ResultLimits, SpendingGuard};
use crate::error::Error;
use crate::files::{AllowedRoots, FilesConfig};
use crate::tasks::TaskSigner;
use crate::tools::approval::Question;
use crate::tools::idempotency::{self, KeyMemory};
use crate::tools::render::render;
use crate::tools::{self, Progress, ToolContext, ToolOutput};
use rmcp::task_manager::TaskManager;

mod ask;
pub mod caller;
mod tasks;
mod waits;

use ask::ApprovalSeal;
use tasks::Tasks;

pub const SERVER_NAME: &str = "junglegrid";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Read by agents at initialize: the production flow in a few lines.
pub const INSTRUCTIONS: &str = "Jungle Grid runs AI workloads (inference, training, fine-tuning, batch) on \
managed GPUs. Production flow: (1) optionally upload files with upload_job_input and complete the \
upload; (2) estimate_job (free) and show the user the cost; (3) submit_job only after the user \
approves, since it starts real compute and can incur charges; (4) wait_for_job waits until the job is \
completed, failed, rejected or cancelled (or monitor with get_job_events, lifecycle events available before \
any log, and get_job, a status snapshot); (5) read get_job_logs; (6) after completion, list_artifacts then get_artifact for a \
temporary download URL (treat it as a secret). Use cancel_job to stop a job that is no longer needed.";

/// The MCP server: the tool list and an API client.
#[derive(Clone)]
pub struct JungleGridServer {
    api: ApiClient,
    tools: Arc<[tools::Tool]>,
    local_files: bool,
    /// The gate of the agent's local files (nothing is allowed until [`Self::with_files`]).
    roots: Arc<AllowedRoots>,
    /// The minimum level the client asked for with logging/setLevel (a rank, see [`level_rank`]).
    log_threshold: Arc<AtomicU8>,
    /// Talking to the embedded simulator: every answer says the jobs are simulated.
    sandbox: bool,
    /// Hosted (OAuth) server: each call uses the caller's token and needs a matching scope.
    hosted: bool,
    /// Where long waits run as tasks for clients of the Tasks extension (2026-07-28, SEP-2663).
    tasks: Tasks,
    /// Size budget of a result and the longest held wait.
    limits: ResultLimits,
    /// Derived idempotency keys handed out recently (see `tools::idempotency`).
    keys: Arc<KeyMemory>,
    /// The server's spending guard; hosted requests may tighten it with headers.
    spending: SpendingGuard,
    /// Seals the `requestState` of approval input requests (2026-07-28).
    approvals: Arc<ApprovalSeal>,
    /// How long this client's waits may last, and what its cancelled waits taught (local only).
    waits: Arc<waits::Waits>,
}

/// The fields of local servers only: a hosted server never shows them (it cannot touch its disk).
const LOCAL_ONLY_FIELDS: [&str; 4] = ["path", "content", "save_to", "overwrite"];

/// Prefixed to instructions and summaries in sandbox mode.
pub const SANDBOX_NOTICE: &str = "[sandbox: simulated jobs, no real compute, no cost]";

/// Warnings are sent until the client sets a level.
const DEFAULT_LOG_THRESHOLD: u8 = 3;

/// The rank of an MCP log level: debug 0 ... emergency 7.
#[allow(deprecated)] // MCP logging is deprecated in 2026-07-28 but still what 2025 clients use.
fn level_rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

impl JungleGridServer {
    /// A server offering all tools.
    pub fn new(api: ApiClient) -> Self {
        Self::with_tools(api, tools::TOOLS)
    }

    /// A server offering only `tools` (read-only mode, `--tools`).
    pub fn with_tools(api: ApiClient, tools: &[tools::Tool]) -> Self {
        JungleGridServer {
            api,
            tools: tools.into(),
            local_files: true,
            roots: Arc::new(AllowedRoots::none()),
            log_threshold: Arc::new(AtomicU8::new(DEFAULT_LOG_THRESHOLD)),
            sandbox: false,
            hosted: false,
            tasks: Tasks::Local(Arc::new(TaskManager::new())),
            limits: ResultLimits::default(),
            keys: Arc::new(KeyMemory::default()),
            spending: SpendingGuard::default(),
            approvals: Arc::new(ApprovalSeal::random()),
            waits: Arc::new(waits::Waits::default()),
        }
    }

    /// Bounds results and waits (`--max-result-chars`, `--max-wait-seconds`).
    pub fn with_limits(mut self, limits: ResultLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Submits above `guard`'s cap (or every submit) need the user's approval in the client.
    pub fn with_spending(mut self, guard: SpendingGuard) -> Self {
        self.spending = guard;
        self
    }

    /// Seals approval states with a key derived from `secret`, so that every replica of a
    /// hosted deployment accepts the others' (the default is a random per-process key).
    pub fn with_approval_secret(mut self, secret: &[u8]) -> Self {
        self.approvals = Arc::new(ApprovalSeal::from_secret(secret));
        self
    }

    /// Marks every answer as simulated (the API is the embedded sandbox).
    pub fn sandboxed(mut self) -> Self {
        self.sandbox = true;
        self
    }

    /// Where the agent's local files may be (the user's settings; the client's roots narrow them).
    pub fn with_files(mut self, files: FilesConfig) -> Self {
        self.roots = Arc::new(AllowedRoots::new(files));
        self
    }

    /// Asks the client for its roots when it offers them (at start and on
    /// `notifications/roots/list_changed`); calls that touch files wait for the answer.
    #[allow(deprecated)] // roots: deprecated by SEP-2577, still what 2025 clients offer
    fn refresh_roots(&self, peer: rmcp::service::Peer<RoleServer>) {
        if self.hosted {
            return;
        }
        let offers = peer
            .peer_info()
            .is_some_and(|info| info.capabilities.roots.is_some());
        if !offers {
            return;
        }
        self.roots.client_roots_pending();
        let roots = self.roots.clone();
        tokio::spawn(async move {
            let answer = peer
                .list_roots()
                .await
                .map(|r| r.roots.into_iter().map(|root| root.uri).collect())
                .map_err(|e| e.to_string());
            roots.set_client_roots(answer);
        });
    }

    /// The hosted server: calls run with the caller's OAuth token (never a server credential),
    /// need a matching scope, and may not touch the server's disk.
    /// Tasks are signed with `signer` (stateless, see [`crate::tasks`]).
    pub fn hosted(mut self, signer: TaskSigner) -> Self {
        self.hosted = true;
        self.local_files = false;
        self.tasks = Tasks::Signed(Arc::new(signer));
        self
    }

    /// The tool context of one request: cancellation and, when the client sent a progress token,
    /// progress notifications.
    /// Returns the context and, when progress is forwarded, the task doing it: it ends once the
    /// context is dropped and every notification has been handed to the transport.
    fn context(
        &self,
        request: &RequestContext<RoleServer>,
        api: ApiClient,
    ) -> (ToolContext, Option<tokio::task::JoinHandle<()>>) {
        let mut ctx = ToolContext::new(api, self.local_files);
        ctx.simulated = self.sandbox;
        ctx.limits = self.limits;
        ctx.roots = Some(self.roots.clone());
        let mut forwarder = None;
        ctx.cancel = request.ct.clone();
        if let Some(token) = request.meta.get_progress_token() {
            // One forwarding task per call keeps notifications in order; it ends when the
            // context (and with it the sender) is dropped.
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
            let peer = request.peer.clone();
            forwarder = Some(tokio::spawn(async move {
                while let Some(p) = rx.recv().await {
                    let mut param = ProgressNotificationParam::new(token.clone(), p.progress)
                        .with_message(p.message);
                    if let Some(total) = p.total {
                        param = param.with_total(total);
                    }
                    if let Err(e) = peer.notify_progress(param).await {
                        tracing::debug!("progress notification not sent: {e}");
                        break;
                    }
                }
            }));
            ctx.progress = Some(Arc::new(move |p: Progress| {
                let _ = tx.send(p);
            }));
        }
        (ctx, forwarder)
    }

    /// The API client for one request: retries and rate limits become MCP log notifications
    /// (warning level) when the client's level lets them through.
    #[allow(deprecated)]
    fn api_for(&self, request: &RequestContext<RoleServer>, api: &ApiClient) -> ApiClient {
        let peer = request.peer.clone();
        let threshold = self.log_threshold.clone();
        api.with_observer(Arc::new(move |message: &str| {
            if level_rank(LoggingLevel::Warning) < threshold.load(Ordering::Relaxed) {
                return;
            }
            let mut param =
                LoggingMessageNotificationParam::new(LoggingLevel::Warning, json!(message));
            param.logger = Some("junglegrid".into());
            let peer = peer.clone();
            tokio::spawn(async move {
                if let Err(e) = peer.notify_logging_message(param).await {
                    tracing::debug!("log notification not sent: {e}");
                }
            });
        }))
    }

    fn enabled(&self, name: &str) -> Option<tools::Tool> {
        tools::find(name).filter(|t| self.tools.contains(t))
    }

    /// The tools offered to this request: the server's, narrowed by the hosted request's
    /// configuration (headers, URL form).
    fn offered(&self, context: &RequestContext<RoleServer>) -> Arc<[tools::Tool]> {
        if !self.hosted {
            return self.tools.clone();
        }
        caller::request_tools(context).unwrap_or_else(|| self.tools.clone())
    }
}
/// The MCP definition of a tool (built from its static [`crate::tools::ToolDef`]). Hosted
/// definitions leave out the local-only fields.
pub fn tool_definition(tool: tools::Tool, hosted: bool) -> Tool {
    let def = tool;
    let mut input_schema = def.input_schema.clone();
    if hosted {
        let mut schema = (*input_schema).clone();
        if let Some(Value::Object(props)) = schema.get_mut("properties") {
            for field in LOCAL_ONLY_FIELDS {
                props.remove(field);
            }
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|f| !LOCAL_ONLY_FIELDS.iter().any(|l| f == l));
        }
        input_schema = Arc::new(schema);
    }
    // The title in both places: hosts read `title`, LangChain reads `annotations.title`.
    let annotations = ToolAnnotations::with_title(def.title)
        .read_only(def.read_only)
        .destructive(def.destructive)
        .idempotent(def.idempotent)
        .open_world(def.open_world);
    Tool::new(def.name, def.description, input_schema)
        .with_title(def.title)
        .with_raw_output_schema(def.output_schema.clone())
        .with_annotations(annotations)
}

/// The result an agent sees: the summary line and the data as text, and `structuredContent:
/// { data }`, both from [`render`] and each within `max_chars`.
pub fn success_result(output: ToolOutput, max_chars: usize) -> CallToolResult {
    let rendered = render(&output, max_chars);
    let mut result = CallToolResult::success(vec![ContentBlock::text(rendered.text)]);
    result.structured_content = Some(rendered.structured);
    result
}

/// A failed call of a known tool: `isError: true` and `<tool> failed: ...`.
pub fn error_result(tool: tools::Tool, error: &crate::error::Error) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(error.for_tool(tool.as_str()))])
}

/// A failure against the sandbox says so when its own text does not (the simulator's errors
/// already start with `Sandbox (simulated):`; a refused argument or a storage status does not),
/// so no failure reads as if a real job or charge were involved.
fn sandbox_error_result(
    tool: tools::Tool,
    error: &crate::error::Error,
    sandbox: bool,
) -> CallToolResult {
    let text = error.for_tool(tool.as_str());
    if !sandbox || text.to_ascii_lowercase().contains("sandbox") {
        return error_result(tool, error);
    }
    CallToolResult::error(vec![ContentBlock::text(format!(
        "{text} {SANDBOX_ERROR_NOTE}"
    ))])
}

/// Appended to sandbox failures whose text does not name the sandbox.
pub const SANDBOX_ERROR_NOTE: &str = "(sandbox: simulated, nothing real was affected)";

impl ServerHandler for JungleGridServer {
    #[allow(deprecated)] // logging: deprecated in 2026-07-28, still used by 2025 clients
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_logging()
                .enable_tasks()
                .build(),
        )
        .with_server_info(Implementation::new(SERVER_NAME, VERSION).with_title("Jungle Grid"))
        .with_instructions({
            // How every result reads is said here once, not in each tool's description.
            let results = crate::tools::render::results_rule(self.limits.max_chars);
            if self.sandbox {
                format!(
                    "{SANDBOX_NOTICE} This server talks to an embedded Jungle Grid simulator: jobs \
are simulated, nothing runs on a GPU and nothing is charged. {INSTRUCTIONS} {results}"
                )
            } else {
                format!("{INSTRUCTIONS} {results}")
            }
        })
    }

    // Client-side events: one readable line each (rmcp's own Debug dumps of the same messages
    // show only at debug level, see `logging::filter`).
    async fn on_initialized(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        match context.peer.peer_info() {
            Some(info) => tracing::info!(
                "client: initialized ({} {}, protocol {})",
                info.client_info.name,
                info.client_info.version,
                info.protocol_version
            ),
            None => tracing::info!("client: initialized"),
        }
        self.refresh_roots(context.peer);
    }

    async fn on_roots_list_changed(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        tracing::info!("client: roots changed");
        self.refresh_roots(context.peer);
    }

    async fn on_cancelled(
        &self,
        notification: rmcp::model::CancelledNotificationParam,
        _context: rmcp::service::NotificationContext<RoleServer>,
    ) {
        let id = notification
            .request_id
            .map_or_else(|| "?".to_string(), |id| id.to_string());
        let reason = notification.reason.filter(|r| !r.trim().is_empty());
        match &reason {
            Some(reason) => tracing::info!("client: cancelled request {id} ({reason})"),
            None => tracing::info!("client: cancelled request {id}"),
        }
        if let Some(after) = self.waits.cancelled(&id, reason.as_deref()) {
            tracing::info!(
                "client: gave up on a wait after {:.1}s; later waits end before that",
                after.as_secs_f64()
            );
        }
    }

    async fn on_progress(
        &self,
        notification: rmcp::model::ProgressNotificationParam,
        _context: rmcp::service::NotificationContext<RoleServer>,
    ) {
        tracing::info!(
            "client: progress {} ignored (no request of this server waits for client progress)",
            notification.progress
        );
    }

    async fn on_custom_notification(
        &self,
        notification: rmcp::model::CustomNotification,
        _context: rmcp::service::NotificationContext<RoleServer>,
    ) {
        tracing::info!(
            "client: unknown notification {} ignored",
            notification.method
        );
    }

    /// rmcp hands over a request whose params do not fit its method as a custom request. For the
    /// MCP methods this server serves, that is invalid params (-32602), not an unknown method.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, McpError> {
        const SERVED: [&str; 4] = ["tools/call", "tools/list", "initialize", "logging/setLevel"];
        if SERVED.contains(&request.method.as_str()) {
            return Err(McpError::new(
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params for {}", request.method),
                None,
            ));
        }
        tracing::warn!(
            "client: unknown method {}; answered method not found (-32601)",
            request.method
        );
        Err(McpError::new(
            ErrorCode::METHOD_NOT_FOUND,
            request.method,
            None,
        ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let auth = caller::auth(&context);
        let hosted = self.hosted;
        Ok(ListToolsResult::with_all_items(
            self.offered(&context)
                .iter()
                .copied()
                // Hosted: only what the token's scopes allow.
                .filter(|t| !hosted || auth.is_some_and(|a| a.allows(t).is_ok()))
                .map(|t| tool_definition(t, hosted))
                .collect(),
        ))
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, McpError> {
        self.task_state(&request.task_id, &context)
            .await
            .map(GetTaskResult::new)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.cancel_task_of(&request.task_id, &context)
    }

    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.log_threshold
            .store(level_rank(request.level), Ordering::Relaxed);
        Ok(())
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.enabled(name).map(|t| tool_definition(t, self.hosted))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let offered = self.offered(&context);
        let tool = tools::find(&request.name).filter(|t| offered.contains(t));
        let Some(tool) = tool else {
            let message = match tools::find(&request.name) {
                Some(t) if self.hosted && self.tools.contains(&t) => format!(
                    "Tool {} is not available on this connection: it was narrowed by the URL \
(/mcp/readonly) or the X-MCP-Readonly, X-MCP-Tools or X-MCP-Exclude-Tools headers.",
                    request.name
                ),
                Some(_) => format!(
                    "Tool {} is not available: this server was started with a restricted tool set \
(--read-only / --tools).",
                    request.name
                ),
                None => format!("Unknown tool: {}", request.name),
            };
            return Err(McpError::new(ErrorCode::INVALID_PARAMS, message, None));
        };
        let input_responses = request.input_responses;
        let request_state = request.request_state;
        let args = request.arguments.unwrap_or_default();
        tracing::debug!(tool = tool.as_str(), "tool call");
        let mut caller_id = None;
        let mut guard = self.spending;
        let api = if self.hosted {
            // The auth middleware put the caller's identity on the HTTP request.
            let Some(auth) = caller::auth(&context) else {
                let error = Error::forbidden("Authentication is required.");
                return Ok(error_result(tool, &error).into());
            };
            if let Err(scopes) = auth.allows(tool) {
                let error = Error::forbidden(format!(
                    "OAuth token missing required scope: one of {}",
                    scopes.join(", ")
                ));
                return Ok(error_result(tool, &error).into());
            }
            // The request's X-MCP-Max-Job-Cost-Usd / X-MCP-Confirm-Submit, read (and a bad value
            // refused) beside the other X-MCP-* headers by `transport::access`: only tightens.
            if let Some(requested) = caller::request_spending(&context) {
                guard = guard.tighten(requested);
            }
            // Keys derive from who the user is, not from the token (it is refreshed).
            caller_id = Some(idempotency::caller_from_subject(
                &auth.user_id,
                &auth.workspace_id,
            ));
            self.api.with_token(auth.token.clone())
        } else {
            self.api.clone()
        };
        let api = self.api_for(&context, &api);
        let wants_task = context
            .client_capabilities()
            .is_some_and(|caps| caps.supports_tasks());
        if *tool == tools::jobs::WAIT_FOR_JOB && wants_task {
            return Ok(self.start_task(&context, tool, api, args));
        }
        let (mut ctx, forwarder) = self.context(&context, api);
        ctx.keys = self.keys.clone();
        // A wait ends before this client would give up on it (hosted waits keep the server's
        // limit: a stateless request does not carry the client's name).
        let mut watched = None;
        if *tool == tools::jobs::WAIT_FOR_JOB && !self.hosted {
            // From the request (2026-07-28 clients send it with each one), else from initialize.
            let client = context.client_info();
            let name = client.as_ref().map(|c| c.name.as_str());
            ctx.limits.max_wait = self.waits.rule(name, &self.limits).await.limit;
            let id = context.id.to_string();
            self.waits.started(id.clone(), context.ct.clone());
            watched = Some(id);
        }
        if let Some(caller_id) = caller_id {
            ctx.caller = caller_id.into();
        }
        ctx.guard = guard;
        // Asking the user: only a submit under an active guard ever does.
        let pending = Arc::new(std::sync::Mutex::new(None::<Question>));
        let binding = idempotency::fingerprint(
            &ctx.caller,
            "submit_job approval",
            &serde_json::Value::Object(args.clone()),
        );
        if *tool == tools::jobs::SUBMIT_JOB && !guard.is_off() {
            ctx.ask = self.asker(
                &context,
                &binding,
                input_responses.as_ref(),
                request_state.as_deref(),
                &pending,
            );
        }
        let result = tokio::select! {
            result = tool.call(&ctx, &args) => result,
            // The client cancelled the request: drop the upstream call, answer nothing useful.
            _ = context.ct.cancelled() => {
                return Err(McpError::new(ErrorCode::INTERNAL_ERROR, "Request cancelled.", None));
            }
        };
        // A wait the client cancelled stays watched: its notifications/cancelled (or the next
        // wait) learns from it.
        if let Some(id) = watched.as_deref().filter(|_| !context.ct.is_cancelled()) {
            self.waits.answered(id);
        }
        // Progress must reach the client before the result: after it, the token is dead.
        drop(ctx);
        if let Some(forwarder) = forwarder {
            let _ = forwarder.await;
        }
        let question = pending.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(question) = question {
            // 2026-07-28: the question goes back to the client as an input request; the client
            // asks the user and repeats the call with the answer and this sealed state.
            return Ok(self.input_required(&question, &binding).into());
        }
        Ok(match result {
            Ok(mut output) => {
                if self.sandbox {
                    output.summary = format!("{SANDBOX_NOTICE} {}", output.summary);
                }
                success_result(output, self.limits.max_chars)
            }
            Err(error) => {
                tracing::info!(tool = tool.as_str(), code = %error.code, "tool call failed");
                sandbox_error_result(tool, &error, self.sandbox)
            }
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `tools/list` sends is what the tool table holds: the context budget and the
    /// providers' rules (`tools::portable`) are measured on the same text, and the title is in
    /// both places (LangChain reads `annotations.title`).
    #[test]
    fn tool_definitions_send_the_table_and_the_title_twice() {
        for def in tools::TOOLS.iter().copied() {
            for hosted in [false, true] {
                let tool = tool_definition(def, hosted);
                assert_eq!(tool.description.as_deref(), Some(def.description));
                assert_eq!(tool.title.as_deref(), Some(def.title));
                let annotations = tool.annotations.expect("annotations");
                assert_eq!(
                    annotations.title.as_deref(),
                    Some(def.title),
                    "{}",
                    def.name
                );
            }
        }
        let results = crate::tools::render::results_rule(100_000);
        let config = crate::config::ApiConfig {
            base: "http://127.0.0.1:9".into(),
            timeout: std::time::Duration::from_secs(1),
            proxy: None,
            direct: true,
        };
        let api = ApiClient::new(&config, crate::secret::Secret::new("k")).unwrap();
        let info = JungleGridServer::new(api).get_info();
        assert!(info.instructions.unwrap_or_default().ends_with(&results));
    }
}

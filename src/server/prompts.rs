//! The MCP face of [`crate::prompts`]: `prompts/list` and `prompts/get` dispatched over the one
//! prompt table, and `completion/complete` for prompt and resource-template arguments. A prompt
//! is offered where the tools it reads through or names are (server configuration, hosted
//! request narrowing, the token's scopes); completions list only what the caller may see.

use rmcp::ErrorData as McpError;
use rmcp::RoleServer;
use rmcp::model::{
    CompleteRequestParams, CompleteResult, CompletionInfo, GetPromptRequestParams, GetPromptResult,
    ListPromptsResult, Prompt as McpPrompt, PromptArgument, PromptMessage, Reference, Role,
};
use rmcp::service::RequestContext;
use serde_json::{Value, json};

use super::{JungleGridServer, SANDBOX_NOTICE};
use crate::completions::{self, ArgDef, Complete};
use crate::error::ErrorKind;
use crate::prompts::{self, Prompt, Speaker};
use crate::resources::{self, is_not_found};
use crate::tools::{self, JsonObject};

/// The MCP definition of a prompt.
pub fn prompt_definition(def: Prompt) -> McpPrompt {
    let args = def
        .args
        .iter()
        .map(|a| {
            PromptArgument::new(a.name)
                .with_title(a.title)
                .with_description(a.description)
                .with_required(a.required)
        })
        .collect();
    McpPrompt::new(def.name, Some(def.description), Some(args)).with_title(def.title)
}

/// Prompt arguments arrive as strings; anything else (a client sending JSON values) is read as
/// the tools read it.
fn prompt_args(arguments: Option<JsonObject>) -> JsonObject {
    arguments.unwrap_or_default()
}

impl JungleGridServer {
    /// `prompts/list`: the prompts this request may use, in table order.
    pub(super) fn dispatch_list_prompts(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> ListPromptsResult {
        ListPromptsResult::with_all_items(
            prompts::PROMPTS
                .iter()
                .copied()
                .filter(|p| self.may_use(context, p.tools))
                .map(prompt_definition)
                .collect(),
        )
    }

    /// `prompts/get`: builds the prompt for this caller. An unknown prompt, a missing or bad
    /// argument and an unknown job are invalid params (-32602) naming the cause.
    pub(super) async fn dispatch_get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, McpError> {
        let Some(def) = prompts::find(&request.name) else {
            return Err(McpError::invalid_params(
                format!(
                    "Unknown prompt: {}. This server's prompts are {}.",
                    crate::tools::render::cut_text(&request.name, 100),
                    prompts::PROMPTS
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            ));
        };
        if !self.may_use(&context, def.tools) {
            return Err(McpError::invalid_params(
                self.refusal(&context, &format!("Prompt {}", def.name), def.tools),
                None,
            ));
        }
        let args = prompt_args(request.arguments);
        let ctx = self.reader(&context)?;
        let built = tokio::select! {
            built = def.build(&ctx, &args) => built,
            _ = context.ct.cancelled() => {
                return Err(McpError::internal_error("Request cancelled.", None));
            }
        };
        let built = built.map_err(|error| {
            let note = if self.sandbox && !error.detail().to_ascii_lowercase().contains("sandbox") {
                format!(" {}", super::SANDBOX_ERROR_NOTE)
            } else {
                String::new()
            };
            let job_id = args.get("job_id").and_then(Value::as_str).map(str::trim);
            match (&error.kind, job_id) {
                (ErrorKind::InvalidArgument, _) => McpError::invalid_params(
                    format!("{}: {}", def.name, error.message),
                    Some(json!({ "prompt": def.name })),
                ),
                (_, Some(job_id)) if is_not_found(&error) => McpError::invalid_params(
                    format!(
                        "{}{note}",
                        prompts::jobs::unknown_job_message(job_id, &error)
                    ),
                    Some(json!({ "prompt": def.name, "job_id": job_id, "code": error.code })),
                ),
                _ => McpError::internal_error(
                    format!("{} failed: {}{note}", def.name, error.detail()),
                    Some(json!({ "prompt": def.name, "code": error.code })),
                ),
            }
        })?;
        let messages = built
            .messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let text = if self.sandbox && i == 0 {
                    format!("{SANDBOX_NOTICE}\n\n{}", m.text)
                } else {
                    m.text
                };
                let role = match m.speaker {
                    Speaker::User => Role::User,
                    Speaker::Assistant => Role::Assistant,
                };
                PromptMessage::new_text(role, text)
            })
            .collect();
        Ok(GetPromptResult::new(messages).with_description(built.description))
    }

    /// `completion/complete`: values for a prompt's or a resource template's argument. Job ids
    /// are the caller's recent jobs (through `list_jobs`, so only where it is offered and
    /// allowed); enumerated arguments complete to their values. An unknown prompt or template is
    /// invalid params; an unknown argument, or a lookup that fails, completes to nothing.
    pub(super) async fn dispatch_complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        let arg: Option<&'static ArgDef> = match &request.r#ref {
            Reference::Prompt(p) => {
                let def = prompts::find(&p.name)
                    .filter(|d| self.may_use(&context, d.tools))
                    .ok_or_else(|| {
                        McpError::invalid_params(format!("Unknown prompt: {}", p.name), None)
                    })?;
                def.arg(&request.argument.name)
            }
            Reference::Resource(r) => {
                let def = resources::find_template(&r.uri)
                    .or_else(|| resources::find_uri(&r.uri).map(|(d, _)| d))
                    .filter(|d| self.may_use(&context, d.tools))
                    .ok_or_else(|| {
                        McpError::invalid_params(
                            format!("Unknown resource template: {}", r.uri),
                            None,
                        )
                    })?;
                def.arg(&request.argument.name)
            }
            _ => None,
        };
        let Some(arg) = arg else {
            return Ok(CompleteResult::default());
        };
        if arg.complete == Complete::JobId && !self.may_use(&context, &[&tools::jobs::LIST_JOBS]) {
            return Ok(CompleteResult::default());
        }
        let ctx = self.reader(&context)?;
        let found = tokio::select! {
            found = completions::complete(&ctx, arg.complete, &request.argument.value) => found,
            _ = context.ct.cancelled() => {
                return Err(McpError::internal_error("Request cancelled.", None));
            }
        };
        let found = match found {
            Ok(found) => found,
            Err(error) => {
                tracing::info!(code = %error.code, "completion: job ids not listed");
                completions::Completion::default()
            }
        };
        let info = CompletionInfo::with_pagination(found.values, found.total, found.has_more)
            .map_err(|e| McpError::internal_error(e, None))?;
        Ok(CompleteResult::new(info))
    }
}

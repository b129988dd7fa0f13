//! Long waits as tasks (Tasks extension): in this process locally (rmcp's `TaskManager`), as
//! signed, stateless handles hosted (any replica recomputes a task's state, see [`crate::tasks`]).

use std::sync::Arc;

use rmcp::model::{
    CallToolResponse, CreateTaskResult, DetailedTask, Task, TaskPayload, TaskStatus,
};
use rmcp::service::RequestContext;
use rmcp::task_manager::{TaskContext, TaskExit, TaskManager, TaskOptions};
use rmcp::{ErrorData as McpError, RoleServer};
use serde_json::Value;

use super::{
    JungleGridServer, SANDBOX_NOTICE, caller, error_result, sandbox_error_result, success_result,
};
use crate::api::ApiClient;
use crate::config::ResultLimits;
use crate::error::{Error, ErrorKind};
use crate::tasks::{TaskClaims, TaskSigner, now_ms, owner_of, timestamp};
use crate::tools::jobs::{WaitForJobArgs, WaitPlan, WaitPoll, poll_wait};
use crate::tools::{self, JsonObject, Progress, ToolContext};
use caller::AuthInfo;

/// Local servers run tasks in this process; the hosted server keeps no task state at all (its
/// task ids are signed handles any replica can recompute, see [`crate::tasks`]).
#[derive(Clone)]
pub(super) enum Tasks {
    Local(Arc<TaskManager>),
    Signed(Arc<TaskSigner>),
}

/// Suggested interval between a client's `tasks/get` polls of a wait.
pub(super) const TASK_POLL_INTERVAL_MS: u64 = 2_000;
/// How long a finished wait stays readable through `tasks/get`.
pub(super) const TASK_TTL_MS: u64 = 60 * 60 * 1000;

impl JungleGridServer {
    /// A `wait_for_job` call from a client of the Tasks extension: a task handle at once.
    pub(super) fn start_task(
        &self,
        context: &RequestContext<RoleServer>,
        tool: tools::Tool,
        api: ApiClient,
        args: JsonObject,
    ) -> CallToolResponse {
        match &self.tasks {
            Tasks::Local(tasks) => self.spawn_task(tasks, tool, api, args).into(),
            Tasks::Signed(signer) => match caller::auth(context) {
                Some(auth) => self.signed_task(signer, auth, tool, &args),
                None => error_result(tool, &Error::forbidden("Authentication is required.")).into(),
            },
        }
    }

    /// `tasks/get`: the local task's state, or a signed task's recomputed from the API.
    pub(super) async fn task_state(
        &self,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<DetailedTask, McpError> {
        match &self.tasks {
            Tasks::Local(tasks) => tasks.get_task(task_id),
            Tasks::Signed(signer) => self.signed_task_state(signer, task_id, context).await,
        }
    }

    /// `tasks/cancel`.
    pub(super) fn cancel_task_of(
        &self,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        match &self.tasks {
            Tasks::Local(tasks) => tasks.cancel_task(task_id),
            // Cancellation is cooperative and a signed wait holds no work here: acknowledged for
            // its owner (cancel_job stops the job itself).
            Tasks::Signed(signer) => self.owned_task(signer, task_id, context).map(|_| ()),
        }
    }

    /// Runs a long tool call as a task (Tasks extension): the client gets a task handle at once and
    /// polls `tasks/get`; progress shows as the task's status message; `tasks/cancel` stops it.
    fn spawn_task(
        &self,
        tasks: &TaskManager,
        tool: tools::Tool,
        api: ApiClient,
        args: JsonObject,
    ) -> CreateTaskResult {
        let local_files = self.local_files;
        let roots = self.roots.clone();
        let sandbox = self.sandbox;
        // A task holds no request open: the client polls, so the wait may last up to the maximum.
        let limits = ResultLimits {
            max_wait: std::time::Duration::from_secs(crate::config::MAX_MAX_WAIT_SECONDS),
            ..self.limits
        };
        let options = TaskOptions::new()
            .with_ttl_ms(TASK_TTL_MS)
            .with_poll_interval_ms(TASK_POLL_INTERVAL_MS)
            .with_status_message(format!("{} started", tool.as_str()));
        let task = tasks.spawn(options, move |task: TaskContext| {
            Box::pin(async move {
                let mut ctx = ToolContext::new(api, local_files);
                ctx.simulated = sandbox;
                ctx.limits = limits;
                ctx.roots = Some(roots);
                let status = task.clone();
                ctx.progress = Some(Arc::new(move |p: Progress| {
                    status.set_status_message(p.message)
                }));
                tokio::select! {
                    result = tool.call(&ctx, &args) => Ok(match result {
                        Ok(mut output) => {
                            if sandbox {
                                output.summary = format!("{SANDBOX_NOTICE} {}", output.summary);
                            }
                            success_result(output, limits.max_chars)
                        }
                        Err(error) => sandbox_error_result(tool, &error, sandbox),
                    }),
                    _ = task.cancelled() => Err(TaskExit::Cancelled),
                }
            })
        });
        CreateTaskResult::new(task)
    }

    /// Hosted: a wait as a signed task handle. Nothing runs until the client asks `tasks/get`.
    fn signed_task(
        &self,
        signer: &TaskSigner,
        auth: &AuthInfo,
        tool: tools::Tool,
        args: &JsonObject,
    ) -> CallToolResponse {
        let plan = match WaitForJobArgs::parse(args) {
            Ok(plan) => plan,
            Err(error) => return error_result(tool, &error).into(),
        };
        let created_ms = now_ms();
        let claims = TaskClaims {
            job_id: plan.job_id,
            owner: owner_of(&auth.user_id, &auth.workspace_id),
            created_ms,
            deadline_ms: created_ms + plan.timeout.as_millis() as u64,
            log_lines: plan.log_lines as u32,
        };
        let created = timestamp(created_ms);
        let task = Task::new(
            signer.issue(&claims),
            TaskStatus::Working,
            &created,
            &created,
        )
        .with_ttl_ms(TASK_TTL_MS)
        .with_poll_interval_ms(TASK_POLL_INTERVAL_MS)
        .with_status_message(format!("{} started", tool.as_str()));
        CreateTaskResult::new(task).into()
    }

    /// The claims of a task id that this caller owns; anything else is an unknown task.
    fn owned_task(
        &self,
        signer: &TaskSigner,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<(TaskClaims, AuthInfo), McpError> {
        let unknown = || McpError::invalid_params(format!("unknown task: {task_id}"), None);
        let auth = caller::auth(context).ok_or_else(unknown)?;
        let claims = signer.verify(task_id).ok_or_else(unknown)?;
        let expired = now_ms() > claims.created_ms.saturating_add(TASK_TTL_MS);
        if expired || claims.owner != owner_of(&auth.user_id, &auth.workspace_id) {
            return Err(unknown());
        }
        Ok((claims, auth.clone()))
    }

    /// `tasks/get` of a signed task: its state recomputed from the API with the caller's token.
    async fn signed_task_state(
        &self,
        signer: &TaskSigner,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<DetailedTask, McpError> {
        let (claims, auth) = self.owned_task(signer, task_id, context)?;
        let api = self.api_for(context, &self.api.with_token(auth.token.clone()));
        let mut ctx = ToolContext::new(api, false);
        ctx.limits = self.limits;
        let now = now_ms();
        let plan = WaitPlan {
            job_id: claims.job_id.clone(),
            timeout: std::time::Duration::from_millis(
                claims.deadline_ms.saturating_sub(claims.created_ms),
            ),
            requested: true,
            poll: std::time::Duration::from_millis(TASK_POLL_INTERVAL_MS),
            log_lines: claims.log_lines as usize,
        };
        let waited = std::time::Duration::from_millis(now.saturating_sub(claims.created_ms));
        let task = Task::new(
            task_id,
            TaskStatus::Working,
            timestamp(claims.created_ms),
            timestamp(now),
        )
        .with_ttl_ms(TASK_TTL_MS)
        .with_poll_interval_ms(TASK_POLL_INTERVAL_MS);
        let tool: tools::Tool = &tools::jobs::WAIT_FOR_JOB;
        let result = match poll_wait(&ctx, &plan, waited, now >= claims.deadline_ms).await {
            Ok(WaitPoll::Running(message)) => {
                return Ok(DetailedTask::new(
                    task.with_status_message(message),
                    TaskPayload::Working,
                ));
            }
            Ok(WaitPoll::Done(mut output)) => {
                if self.sandbox {
                    output.summary = format!("{SANDBOX_NOTICE} {}", output.summary);
                }
                success_result(output, self.limits.max_chars)
            }
            // A passing failure (network, rate limit, 5xx): still working, the next poll retries.
            Err(error) if is_transient(&error) => {
                return Ok(DetailedTask::new(
                    task.with_status_message(format!(
                        "could not read the job just now ({}); still waiting",
                        error.detail()
                    )),
                    TaskPayload::Working,
                ));
            }
            Err(error) => sandbox_error_result(tool, &error, self.sandbox),
        };
        let result = match serde_json::to_value(result) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(McpError::internal_error(
                    "could not encode the result",
                    None,
                ));
            }
        };
        Ok(DetailedTask::new(task, TaskPayload::Completed { result }))
    }
}

/// Errors worth another poll rather than ending a task.
fn is_transient(error: &Error) -> bool {
    matches!(error.kind, ErrorKind::Network | ErrorKind::Timeout)
        || error.status.is_some_and(|s| s == 429 || s >= 500)
}

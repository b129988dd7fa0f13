//! Arguments of prompts and resource templates, and what `completion/complete` offers for them:
//! a job id completes to the caller's recent jobs by prefix, an enumerated argument to its values.
//! Transport-neutral: reads through the same [`ToolContext`] (API client, caller's credential) as
//! the tools, so a hosted caller only ever sees their own jobs.

use serde_json::Value;

use crate::api::types::ListJobsQuery;
use crate::error::Result;
use crate::tools::ToolContext;
use crate::tools::jobs::LIST_JOBS_MAX_LIMIT;
use crate::tools::summary::first_text;

/// The most values one completion returns (the MCP limit).
pub const MAX_VALUES: usize = 100;

/// Workload kinds, as `submit_job` and `estimate_job` take them.
pub const WORKLOAD_TYPES: &[&str] = &["inference", "training", "fine_tuning", "batch"];
/// Routing preferences, as `submit_job` and `estimate_job` take them.
pub const ROUTING_MODES: &[&str] = &["cost", "speed", "balanced"];

/// What an argument completes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complete {
    /// Free text: nothing to offer.
    Free,
    /// The caller's recent job ids (needs `list_jobs`).
    JobId,
    /// One of these values.
    OneOf(&'static [&'static str]),
}

/// One argument of a prompt or a resource template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub required: bool,
    pub complete: Complete,
}

/// `job_id`: the argument every job prompt and template takes.
pub const JOB_ID: ArgDef = ArgDef {
    name: "job_id",
    title: "Job id",
    description: "The job's id, e.g. job_123 (completes from your recent jobs).",
    required: true,
    complete: Complete::JobId,
};

/// The values offered for one completion request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    pub values: Vec<String>,
    /// How many values matched in all (may exceed `values.len()`).
    pub total: Option<u32>,
    /// More may exist than were looked at or returned.
    pub has_more: bool,
}

/// The values of `complete` that start with `prefix` (case-insensitive, trimmed). Job ids come
/// from one page of the caller's newest jobs (bounded: at most 100 are read), newest first.
pub async fn complete(ctx: &ToolContext, complete: Complete, prefix: &str) -> Result<Completion> {
    let prefix = prefix.trim().to_lowercase();
    let matches = |v: &str| v.to_lowercase().starts_with(&prefix);
    match complete {
        Complete::Free => Ok(Completion::default()),
        Complete::OneOf(values) => Ok(bounded(
            values
                .iter()
                .copied()
                .filter(|v| matches(v))
                .map(String::from),
            false,
        )),
        Complete::JobId => {
            let page = ctx
                .api
                .list_jobs(&ListJobsQuery {
                    limit: LIST_JOBS_MAX_LIMIT,
                    cursor: None,
                    status: None,
                })
                .await?;
            let more = page.get("has_more") == Some(&Value::Bool(true))
                || page.get("next_cursor").is_some_and(|c| !c.is_null());
            let ids = page
                .get("jobs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|job| first_text(job, &["job_id", "id"]))
                .filter(|id| matches(id));
            Ok(bounded(ids, more))
        }
    }
}

fn bounded(values: impl Iterator<Item = String>, more: bool) -> Completion {
    let mut all: Vec<String> = Vec::new();
    for v in values {
        if !all.contains(&v) {
            all.push(v);
        }
    }
    let total = all.len();
    all.truncate(MAX_VALUES);
    Completion {
        has_more: more || total > all.len(),
        total: Some(total as u32),
        values: all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerated_values_complete_by_prefix() {
        let ctx = ToolContext::new(crate::api::client::test_client("http://127.0.0.1:9"), false);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let got = rt
            .block_on(complete(&ctx, Complete::OneOf(WORKLOAD_TYPES), " T"))
            .unwrap();
        assert_eq!(got.values, ["training"]);
        assert_eq!(got.total, Some(1));
        let got = rt
            .block_on(complete(&ctx, Complete::OneOf(ROUTING_MODES), ""))
            .unwrap();
        assert_eq!(got.values, ["cost", "speed", "balanced"]);
        let got = rt.block_on(complete(&ctx, Complete::Free, "x")).unwrap();
        assert!(got.values.is_empty());
    }

    #[test]
    fn at_most_a_hundred_values() {
        let got = bounded((0..250).map(|i| format!("job_{i}")), false);
        assert_eq!(got.values.len(), MAX_VALUES);
        assert_eq!(got.total, Some(250));
        assert!(got.has_more);
    }
}

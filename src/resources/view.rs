//! The MCP Apps views as resources: one entry per view of [`crate::views::VIEWS`] (which holds the
//! page, its links from tools and its metadata). A view is static: reading it copies the embedded
//! page, nothing else.

use super::{Address, Annotations, Audience, Contents, ResourceDef};
use crate::tools::{self, JsonObject};
use crate::views;

/// The job view (`ui://junglegrid/job.html`). Offered where `get_job` is, the first tool it calls.
pub static JOB_VIEW: ResourceDef = ResourceDef {
    name: "job_view",
    title: views::JOB_VIEW.title,
    description: views::JOB_VIEW.description,
    address: Address::Fixed(views::JOB_VIEW.uri),
    mime_type: views::MIME_TYPE,
    annotations: Annotations {
        audience: &[Audience::User],
        priority: None,
    },
    meta: Some(job_view_meta),
    tools: &[&tools::jobs::GET_JOB],
    read: |_ctx, _params| Box::pin(async { Ok(Contents::text(views::JOB_VIEW.html.to_string())) }),
    list: None,
};

fn job_view_meta() -> JsonObject {
    views::resource_meta(&views::JOB_VIEW)
}

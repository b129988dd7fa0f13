//! Input tools: upload_job_input (creates a signed upload slot) and list_job_inputs.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde_json::{Map, Value};

use super::args::{Args, JsonObject};
use super::schema::{input_schema, output_schema};
use super::summary::{count, len_of, text_of};
use super::{ToolDef, ToolOutput};
use crate::api::ApiClient;
use crate::api::types::CreateUploadRequest;
use crate::error::Result;

/// Schema-only: what an upload is for.
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
pub enum UploadKindArg {
    /// A data file, mounted at /workspace/inputs/<filename>.
    Input,
    /// A script, mounted at /workspace/scripts/<filename>.
    Script,
}

/// Arguments of `upload_job_input`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct UploadJobInputArgs {
    /// File name as the job will see it, e.g. "transcribe.py" or "audio.ogg".
    pub filename: String,
    /// MIME type of the bytes, e.g. "text/x-python" or "audio/ogg".
    pub content_type: Option<String>,
    /// "input" (mounted at /workspace/inputs/) or "script" (mounted at /workspace/scripts/).
    #[schemars(with = "Option<UploadKindArg>")]
    pub kind: Option<String>,
}

impl UploadJobInputArgs {
    pub fn parse(map: &JsonObject) -> Result<CreateUploadRequest> {
        let a = Args::new(map);
        Ok(CreateUploadRequest {
            filename: a.required_string("filename", &[])?,
            content_type: a.string("content_type", &["contentType"])?,
            // Not enum-checked: the API accepts other kinds and decides itself.
            kind: a.string("kind", &[])?,
        })
    }
}

/// Documented shape of a new upload slot.
#[derive(JsonSchema)]
pub struct UploadSlotData {
    /// The slot: input_id, filename, method (PUT), upload_url (signed, secret), token (secret),
    /// expires_at and complete_url.
    pub upload: Option<Map<String, Value>>,
}

/// Arguments of `list_job_inputs` (none).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct NoArgs {}

/// Documented shape of the uploaded inputs.
#[derive(JsonSchema)]
pub struct InputsData {
    /// Inputs: input_id, filename, content_type, size_bytes, kind, status, ready, mount_path.
    pub inputs: Option<Vec<Map<String, Value>>>,
}

pub static UPLOAD_JOB_INPUT: ToolDef = ToolDef {
    name: "upload_job_input",
    title: "Create an upload slot for a job file",
    description: "Create a managed upload slot for a file or script a job needs. Returns upload.input_id, \
a signed upload_url, a token and a complete_url. The bytes are uploaded outside MCP: PUT them to \
upload_url, then POST complete_url with the token and file metadata. Treat upload_url and token as \
secrets. Once complete, pass { input_id } in submit_job's input_files (kind input, mounted at \
/workspace/inputs/<filename>) or script_files (kind script, mounted at /workspace/scripts/<filename>).",
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
    scopes: &["jobs:submit", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<UploadJobInputArgs>),
    output_schema: LazyLock::new(output_schema::<UploadSlotData>),
};

pub async fn upload_job_input(api: &ApiClient, args: &JsonObject) -> Result<ToolOutput> {
    let request = UploadJobInputArgs::parse(args)?;
    let data = api.create_upload(&request).await?;
    let upload = data.get("upload").cloned().unwrap_or(Value::Null);
    let summary = format!(
        "Created upload slot for {}. input_id={}.",
        text_of(&upload, "filename").unwrap_or_else(|| "input".into()),
        text_of(&upload, "input_id").unwrap_or_else(|| "unknown".into()),
    );
    Ok(ToolOutput { data, summary })
}

pub static LIST_JOB_INPUTS: ToolDef = ToolDef {
    name: "list_job_inputs",
    title: "List uploaded job inputs",
    description: "List the files and scripts uploaded for jobs, with their input_id, status, readiness and \
mount path. Only inputs whose upload was completed (ready) can be used in submit_job.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<NoArgs>),
    output_schema: LazyLock::new(output_schema::<InputsData>),
};

pub async fn list_job_inputs(api: &ApiClient, _args: &JsonObject) -> Result<ToolOutput> {
    let data = api.list_inputs().await?;
    let summary = format!(
        "Found {}.",
        count(
            len_of(&data, "inputs"),
            "uploaded job input",
            "uploaded job inputs"
        )
    );
    Ok(ToolOutput { data, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn upload_body_drops_absent_keys() {
        let args = json!({"filename": " script.py ", "kind": "script"});
        let body = UploadJobInputArgs::parse(args.as_object().unwrap()).unwrap();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"filename":"script.py","kind":"script"}"#
        );
        let err =
            UploadJobInputArgs::parse(json!({"filename": ""}).as_object().unwrap()).unwrap_err();
        assert_eq!(err.message, "filename is required.");
    }
}

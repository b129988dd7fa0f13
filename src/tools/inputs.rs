//! Input tools: upload_job_input (creates a signed upload slot) and list_job_inputs.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde_json::{Map, Value};

use super::args::{Args, JsonObject, LOCAL_ONLY};
use super::idempotency;
use super::render::{data_budget, fit_page, own_page_start, page_note};
use super::schema::{input_schema, output_schema};
use super::summary::{count, len_of, text_of};
use super::{ToolContext, ToolDef, ToolOutput};
use crate::api::transfer::{UploadOptions, UploadSource};
use crate::api::types::CreateUploadRequest;
use crate::error::{Error, Result};

// Schema-only: what an upload is for. A plain string enum: variants with their own descriptions
// become a `oneOf` of `const`s, which Gemini and mcp-use read as "any value".
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
pub enum UploadKindArg {
    Input,
    Script,
}

/// Arguments of `upload_job_input`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct UploadJobInputArgs {
    /// As the job sees it, e.g. "train.py".
    pub filename: String,
    /// MIME type, e.g. "text/x-python".
    pub content_type: Option<String>,
    /// input (mounted at /workspace/inputs/) or script (at /workspace/scripts/).
    #[schemars(with = "Option<UploadKindArg>")]
    pub kind: Option<String>,
    /// Local only: absolute path of a regular file, inside the folders the user allowed.
    pub path: Option<String>,
    /// Local only: the file's text (at most 10 MiB).
    pub content: Option<String>,
    /// 1-255 printable ASCII characters. Reuse it to retry a lost answer.
    pub idempotency_key: Option<String>,
}

/// Largest `content` accepted inline (it already travelled through the JSON-RPC message).
/// Whether `key` was given (a `null` counts as absent, as everywhere in [`Args`]).
pub fn present(args: &JsonObject, key: &str) -> bool {
    args.get(key).is_some_and(|v| !v.is_null())
}

pub const MAX_INLINE_CONTENT: usize = 10 * 1024 * 1024;

/// What an upload_job_input call asks for.
#[derive(Debug)]
pub enum UploadPlan {
    /// Create a signed slot; the caller uploads the bytes. With the agent's idempotency key.
    Slot(CreateUploadRequest, Option<String>),
    /// Upload these bytes now and complete the upload.
    OneStep(UploadSource, UploadOptions),
}

impl UploadJobInputArgs {
    pub fn parse(map: &JsonObject) -> Result<UploadPlan> {
        let a = Args::new(map);
        let request = CreateUploadRequest {
            filename: a.required_string("filename", &[])?,
            content_type: a.string("content_type", &["contentType"])?,
            // Not enum-checked: the API accepts other kinds and decides itself.
            kind: a.string("kind", &[])?,
        };
        let idempotency_key = a
            .string("idempotency_key", &["idempotencyKey"])?
            .map(|k| idempotency::validate_key("idempotency_key", &k))
            .transpose()?;
        let path = a.absolute_path("path")?;
        let content = match a.lookup_raw("content") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(Error::invalid_argument("content must be a string.")),
        };
        let source = match (path, content) {
            (None, None) => return Ok(UploadPlan::Slot(request, idempotency_key)),
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "Give either path or content, not both.",
                ));
            }
            (Some(path), None) => UploadSource::Path(path),
            (None, Some(text)) if text.len() > MAX_INLINE_CONTENT => {
                return Err(Error::invalid_argument(
                    "content is larger than 10 MiB; write it to a file and pass path instead.",
                ));
            }
            (None, Some(text)) => UploadSource::Bytes(text.into_bytes()),
        };
        let options = UploadOptions {
            filename: Some(request.filename),
            content_type: request.content_type,
            kind: request.kind,
            idempotency_key,
        };
        Ok(UploadPlan::OneStep(source, options))
    }
}

/// Documented shape of a new upload slot (or, after a one-step upload, of the ready input).
#[derive(JsonSchema)]
pub struct UploadSlotData {
    /// The slot: input_id, filename, method (PUT), upload_url (signed, secret), token (secret),
    /// expires_at and complete_url.
    pub upload: Option<Map<String, Value>>,
    /// After a one-step upload (path or content): the ready input's id.
    pub input_id: Option<String>,
    pub filename: Option<String>,
    pub size_bytes: Option<Value>,
    pub ready: Option<bool>,
    /// True when this answer repeats an earlier call with the same idempotency key: no new slot.
    pub idempotent_replay: Option<bool>,
}

/// Arguments of `list_job_inputs`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct ListInputsArgs {
    /// next_cursor of the previous page.
    pub cursor: Option<String>,
}

/// Documented shape of the uploaded inputs.
#[derive(JsonSchema)]
pub struct InputsData {
    /// Inputs: input_id, filename, content_type, size_bytes, kind, status, ready, mount_path.
    pub inputs: Option<Vec<Map<String, Value>>>,
    /// Present when the inputs did not all fit the size limit: pass it as cursor for the rest.
    pub next_cursor: Option<Value>,
    pub has_more: Option<bool>,
}

pub static UPLOAD_JOB_INPUT: ToolDef = ToolDef {
    name: "upload_job_input",
    title: "Create an upload slot for a job file",
    description: "Upload a file or script for a job. Locally, path (a file in the folders the user allowed, never hidden) or content (text) uploads it in one step and returns a ready input_id. Otherwise it returns a slot: PUT the bytes to upload_url, then POST complete_url with the token; upload_url and token are secrets. Then pass {input_id} in submit_job's input_files (kind input, at /workspace/inputs/<filename>) or script_files (kind script, at /workspace/scripts/<filename>). Repeated within 10 minutes, a call returns its first slot; use a new idempotency_key for another file of the same name.",
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
    scopes: &["jobs:submit", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<UploadJobInputArgs>),
    output_schema: LazyLock::new(output_schema::<UploadSlotData>),
    handler: |ctx, args| Box::pin(upload_job_input(ctx, args)),
};

pub async fn upload_job_input(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    // Refused before validation, so no message about paths reaches a hosted agent.
    if !ctx.local_files && ["path", "content"].iter().any(|k| present(args, k)) {
        return Err(Error::forbidden(LOCAL_ONLY));
    }
    let (request, explicit_key) = match UploadJobInputArgs::parse(args)? {
        UploadPlan::Slot(request, key) => (request, key),
        UploadPlan::OneStep(_, _) if !ctx.local_files => {
            return Err(Error::forbidden(LOCAL_ONLY));
        }
        UploadPlan::OneStep(source, options) => {
            // Checked and opened before anything is created upstream.
            let source = match (source, &ctx.roots) {
                (UploadSource::Path(path), Some(roots)) => {
                    UploadSource::Local(roots.open_read(&path).await?)
                }
                (source, _) => source,
            };
            let data = ctx.api.upload_file(source, options).await?;
            if data.get("idempotent_replay") == Some(&Value::Bool(true)) {
                let summary = format!(
                    "Input {} was already created with this idempotency_key, so nothing was uploaded \
again. Check list_job_inputs for its state; pass a new idempotency_key to upload another file.",
                    text_of(&data, "input_id").unwrap_or_else(|| "unknown".into()),
                );
                return Ok(ToolOutput { data, summary });
            }
            let summary = format!(
                "Uploaded and completed {} ({} bytes). input_id={}. It is ready for submit_job.",
                text_of(&data, "filename").unwrap_or_else(|| "input".into()),
                text_of(&data, "size_bytes").unwrap_or_else(|| "?".into()),
                text_of(&data, "input_id").unwrap_or_else(|| "unknown".into()),
            );
            return Ok(ToolOutput { data, summary });
        }
    };
    let key = match &explicit_key {
        Some(key) => key.clone(),
        None => {
            let body = serde_json::to_value(&request).unwrap_or(Value::Null);
            ctx.keys.key_for(&idempotency::fingerprint(
                &ctx.caller,
                "upload_job_input",
                &body,
            ))
        }
    };
    let created = ctx.api.create_upload(&request, Some(&key)).await?;
    let mut data = created.data;
    let upload = data.get("upload").cloned().unwrap_or(Value::Null);
    let filename = text_of(&upload, "filename").unwrap_or_else(|| "input".into());
    let input_id = text_of(&upload, "input_id").unwrap_or_else(|| "unknown".into());
    let summary = if created.replayed {
        let how = if explicit_key.is_some() {
            "with the same idempotency_key"
        } else {
            "with the same arguments within 10 minutes"
        };
        if let Value::Object(map) = &mut data {
            map.insert("idempotent_replay".into(), Value::Bool(true));
        }
        format!(
            "This is the upload slot for {filename} you created earlier (input_id={input_id}): the same \
request was repeated {how}, so no new slot was made. If its upload was already completed, pass a new \
idempotency_key to upload another file."
        )
    } else {
        format!("Created upload slot for {filename}. input_id={input_id}.")
    };
    Ok(ToolOutput { data, summary })
}

pub static LIST_JOB_INPUTS: ToolDef = ToolDef {
    name: "list_job_inputs",
    title: "List uploaded job inputs",
    description: "List uploaded inputs and scripts (input_id, status, ready, mount path). Only ready inputs can be used in submit_job.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<ListInputsArgs>),
    output_schema: LazyLock::new(output_schema::<InputsData>),
    handler: |ctx, args| Box::pin(list_job_inputs(ctx, args)),
};

pub async fn list_job_inputs(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let from = own_page_start(Args::new(args).cursor("cursor")?, "list_job_inputs")
        .map_err(Error::invalid_argument)?;
    let mut data = ctx.api.list_inputs().await?;
    let fit = fit_page(
        &mut data,
        "inputs",
        &from,
        data_budget(ctx.limits.max_chars),
    );
    let summary = format!(
        "Found {}.{}",
        count(
            len_of(&data, "inputs"),
            "uploaded job input",
            "uploaded job inputs"
        ),
        page_note(&fit, "list_job_inputs")
    );
    Ok(ToolOutput { data, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<UploadPlan> {
        UploadJobInputArgs::parse(v.as_object().unwrap())
    }

    #[test]
    fn upload_body_drops_absent_keys() {
        let UploadPlan::Slot(body, _) =
            parse(json!({"filename": " script.py ", "kind": "script"})).unwrap()
        else {
            panic!("expected a slot request");
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"filename":"script.py","kind":"script"}"#
        );
        assert_eq!(
            parse(json!({"filename": ""})).unwrap_err().message,
            "filename is required."
        );
    }

    #[test]
    fn one_step_uploads_are_checked() {
        let err = parse(json!({"filename": "a.py", "path": "rel/a.py"})).unwrap_err();
        assert_eq!(
            err.message,
            "path must be an absolute path, got \"rel/a.py\"."
        );
        let err =
            parse(json!({"filename": "a.py", "path": "/tmp/a.py", "content": "x"})).unwrap_err();
        assert_eq!(err.message, "Give either path or content, not both.");
        let err = parse(json!({"filename": "a.py", "content": 5})).unwrap_err();
        assert_eq!(err.message, "content must be a string.");
        let big = "x".repeat(MAX_INLINE_CONTENT + 1);
        assert!(
            parse(json!({"filename": "a.txt", "content": big}))
                .unwrap_err()
                .message
                .contains("10 MiB")
        );
        match parse(json!({"filename": "a.txt", "content": "hello", "kind": "input"})).unwrap() {
            UploadPlan::OneStep(UploadSource::Bytes(b), o) => {
                assert_eq!(b, b"hello");
                assert_eq!(o.filename.as_deref(), Some("a.txt"));
                assert_eq!(o.kind.as_deref(), Some("input"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

//! Artifact tools: list_artifacts and get_artifact (temporary download information).

use std::path::PathBuf;
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use super::args::{Args, JsonObject};
use super::inputs::present;
use super::render::{data_budget, fit_page, own_page_start, page_note};
use super::schema::{input_schema, output_schema};
use super::summary::{count, first_text, len_of};
use super::{ToolContext, ToolDef, ToolOutput};
use crate::error::{Error, Result};
use crate::files::OVERWRITE_SETTING;

/// Documented shape of a job's artifacts.
#[derive(JsonSchema)]
pub struct ArtifactsData {
    pub job_id: Option<String>,
    /// Artifacts: artifact_id, name, filename, content_type, size_bytes, status, ready, created_at.
    pub artifacts: Option<Vec<Map<String, Value>>>,
    /// Present when the artifacts did not all fit the size limit: pass it as cursor for the rest.
    pub next_cursor: Option<Value>,
    pub has_more: Option<bool>,
}

/// Arguments of `list_artifacts`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct ListArtifactsArgs {
    pub job_id: String,
    /// next_cursor of the previous page.
    pub cursor: Option<String>,
}

pub static LIST_ARTIFACTS: ToolDef = ToolDef {
    name: "list_artifacts",
    title: "List a job's artifacts",
    description: "List a job's output files (written under /workspace/artifacts), once it has completed. Then get_artifact for one file.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<ListArtifactsArgs>),
    output_schema: LazyLock::new(output_schema::<ArtifactsData>),
    handler: |ctx, args| Box::pin(list_artifacts(ctx, args)),
};

pub async fn list_artifacts(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    let a = Args::new(args);
    let job_id = a.required_id("job_id", &["jobId"])?;
    let from =
        own_page_start(a.cursor("cursor")?, "list_artifacts").map_err(Error::invalid_argument)?;
    let mut data = ctx.api.list_artifacts(&job_id).await?;
    let fit = fit_page(
        &mut data,
        "artifacts",
        &from,
        data_budget(ctx.limits.max_chars),
    );
    let summary = format!(
        "Found {}.{}",
        count(len_of(&data, "artifacts"), "artifact", "artifacts"),
        page_note(&fit, "list_artifacts")
    );
    Ok(ToolOutput { data, summary })
}

/// Arguments of `get_artifact`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct GetArtifactArgs {
    pub job_id: String,
    /// From list_artifacts.
    pub artifact_id: String,
    /// Local only: absolute path to write, inside the folders the user allowed (its folder
    /// must exist).
    pub save_to: Option<String>,
    /// Replace an existing file (if the user allowed it).
    pub overwrite: Option<bool>,
}

/// A validated get_artifact call.
pub struct ArtifactRequest {
    pub job_id: String,
    pub artifact_id: String,
    pub save_to: Option<PathBuf>,
    pub overwrite: bool,
}

impl GetArtifactArgs {
    pub fn parse(map: &JsonObject) -> Result<ArtifactRequest> {
        let a = Args::new(map);
        Ok(ArtifactRequest {
            job_id: a.required_id("job_id", &["jobId"])?,
            artifact_id: a.required_id("artifact_id", &["artifactId"])?,
            save_to: a.absolute_path("save_to")?,
            overwrite: a.flag("overwrite")?,
        })
    }
}

/// Documented shape of artifact download information.
#[derive(JsonSchema)]
pub struct ArtifactDownloadData {
    pub job_id: Option<String>,
    pub artifact_id: Option<String>,
    pub artifact_name: Option<String>,
    pub ready: Option<bool>,
    pub size_bytes: Option<Value>,
    pub mime_type: Option<String>,
    /// Temporary signed URL: treat it as a secret and do not paste it into shared places.
    pub download_url: Option<String>,
    pub expires_at: Option<String>,
    pub artifact: Option<Map<String, Value>>,
    /// With save_to: where the bytes were written, and how many.
    pub saved_to: Option<String>,
    /// Sandbox with a state directory: a local copy of the bytes, still there after this
    /// process exits (the download URL is not).
    pub local_path: Option<String>,
    pub bytes_written: Option<u64>,
}

pub static GET_ARTIFACT: ToolDef = ToolDef {
    name: "get_artifact",
    title: "Get an artifact's download URL",
    description: "A signed download_url (a secret: never show or log it) and its expiry for one artifact; ARTIFACT_NOT_READY means the job has not completed. Locally, save_to downloads the file: only inside the folders the user allowed, never hidden paths, never replacing a file unless overwrite is set and the user allowed it.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<GetArtifactArgs>),
    output_schema: LazyLock::new(output_schema::<ArtifactDownloadData>),
    handler: |ctx, args| Box::pin(get_artifact(ctx, args)),
};

/// The hosted refusal of `save_to`: says what to do instead, never to use a local file.
pub const SAVE_TO_LOCAL_ONLY: &str = "save_to and overwrite are only available when the server runs \
locally over stdio. On this hosted server, call get_artifact with job_id and artifact_id only and \
download the file from the download_url it returns.";

pub async fn get_artifact(ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
    // Refused before validation, so no message about paths reaches a hosted agent.
    if !ctx.local_files && ["save_to", "overwrite"].iter().any(|k| present(args, k)) {
        return Err(Error::forbidden(SAVE_TO_LOCAL_ONLY));
    }
    let mut request = GetArtifactArgs::parse(args)?;
    if let Some(dest) = request.save_to.clone() {
        if let Some(roots) = &ctx.roots {
            let target = roots.check_write(&dest).await?;
            // The agent's overwrite counts only when the user allowed overwriting.
            if request.overwrite
                && !roots.allow_overwrite()
                && tokio::fs::symlink_metadata(&target).await.is_ok()
            {
                return Err(Error::forbidden(format!(
                    "{} already exists and this server does not replace files; the user can allow \
it with {OVERWRITE_SETTING}.",
                    dest.display()
                )));
            }
            request.overwrite &= roots.allow_overwrite();
            request.save_to = Some(target);
        }
        if !request.overwrite && tokio::fs::symlink_metadata(&dest).await.is_ok() {
            return Err(Error::invalid_argument(format!(
                "{} already exists; pass overwrite: true to replace it.",
                dest.display()
            )));
        }
    }

    let mut data = ctx
        .api
        .artifact_download(&request.job_id, &request.artifact_id)
        .await?;
    let name = data
        .get("artifact")
        .and_then(|a| first_text(a, &["filename", "name"]))
        .or_else(|| first_text(&data, &["artifact_name"]))
        .unwrap_or_else(|| "artifact".into());
    let Some(dest) = request.save_to else {
        let summary = format!("Created a temporary download URL for {name}.");
        return Ok(ToolOutput { data, summary });
    };
    let url = first_text(&data, &["download_url", "url"]).ok_or_else(|| {
        Error::api(
            409,
            "ARTIFACT_NOT_READY",
            "The artifact has no download URL yet; wait for the job to complete and call list_artifacts again.",
        )
    })?;
    let bytes = ctx.api.download_to(&url, &dest, request.overwrite).await?;
    if let Value::Object(map) = &mut data {
        map.insert("saved_to".into(), json!(dest.display().to_string()));
        map.insert("bytes_written".into(), json!(bytes));
    }
    let summary = format!("Saved {name} to {} ({bytes} bytes).", dest.display());
    Ok(ToolOutput { data, summary })
}

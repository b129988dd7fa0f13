//! Moving file bytes: the signed-URL upload (create slot, PUT the bytes, complete) and artifact
//! downloads. Bytes are streamed from and to disk, never held whole in memory. Signed URLs carry
//! their own credentials, so the API key is never sent to them, and URLs are never printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG};
use reqwest::{Method, Url};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::bytes::Bytes;

use super::client::{ApiClient, Retry};
use super::errors::{host_label, network_error};
use super::targets::refused_target;
use super::types::CreateUploadRequest;
use crate::error::{Error, Result};
use crate::files::{self, LocalFile};

/// A file whose size reads as 0 (as `/proc` files do) is read whole, up to this, so the real
/// byte count is sent.
const MAX_UNSIZED_FILE: u64 = 10 * 1024 * 1024;

/// Transfers may be large and slow; they get their own, longer, deadline.
pub const TRANSFER_TIMEOUT: Duration = Duration::from_secs(60 * 60);
const CHUNK: usize = 64 * 1024;

/// The bytes of an upload.
#[derive(Debug)]
pub enum UploadSource {
    /// A local file, streamed from disk (the library: opened safely, not confined).
    Path(PathBuf),
    /// A file already opened and checked by the gate (the MCP tools).
    Local(LocalFile),
    /// Bytes already in memory.
    Bytes(Vec<u8>),
}

/// What the upload is called and what it holds.
#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    pub filename: Option<String>,
    pub content_type: Option<String>,
    /// `input` (default) or `script`.
    pub kind: Option<String>,
    /// Sent as `Idempotency-Key` with the slot creation (contract Part A.11).
    pub idempotency_key: Option<String>,
}

/// `POST <complete_url>`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompleteUploadRequest {
    pub token: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// The slot returned by `POST /v1/job-inputs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSlot {
    pub input_id: String,
    pub method: Method,
    pub upload_url: Url,
    pub token: Option<String>,
    pub complete_url: String,
}

/// A MIME type from a file name's extension, for the common job files.
pub fn guess_content_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("py") => "text/x-python",
        Some("sh") => "text/x-shellscript",
        Some("txt" | "log") => "text/plain",
        Some("md") => "text/markdown",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("jsonl") => "application/jsonl",
        Some("yaml" | "yml") => "application/yaml",
        Some("wav") => "audio/wav",
        Some("mp3") => "audio/mpeg",
        Some("ogg") => "audio/ogg",
        Some("flac") => "audio/flac",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("mp4") => "video/mp4",
        Some("zip") => "application/zip",
        Some("gz" | "tgz") => "application/gzip",
        Some("tar") => "application/x-tar",
        Some("parquet") => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    }
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads the slot out of the create-upload answer (`{upload: {...}}` or the slot itself).
pub fn parse_slot(data: &Value) -> Result<UploadSlot> {
    let slot = data.get("upload").unwrap_or(data);
    let bad = |what: &str| {
        Error::api(
            502,
            "INVALID_API_RESPONSE",
            format!("Jungle Grid API returned an upload slot without {what}."),
        )
    };
    let input_id = text(slot, "input_id")
        .ok_or_else(|| bad("an input_id"))?
        .to_string();
    let upload_url = text(slot, "upload_url")
        .and_then(|u| Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| bad("a valid upload_url"))?;
    let method = text(slot, "method")
        .map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()))
        .transpose()
        .map_err(|_| bad("a valid method"))?
        .unwrap_or(Method::PUT);
    let complete_url = text(slot, "complete_url")
        .map(String::from)
        .unwrap_or_else(|| format!("/v1/job-inputs/{input_id}/complete"));
    Ok(UploadSlot {
        input_id,
        method,
        upload_url,
        token: text(slot, "token").map(String::from),
        complete_url,
    })
}

impl ApiClient {
    /// Resolves an API URL the server handed out (absolute, or relative to the API). The API key is
    /// only ever sent to the API's own origin: any other host is refused.
    pub fn api_url(&self, url: &str) -> Result<Url> {
        let base = self.base();
        let resolved = if url.starts_with('/') {
            let mut joined = base.clone();
            let path = format!("{}{}", base.path().trim_end_matches('/'), url);
            let (path, query) = path
                .split_once('?')
                .map_or((path.as_str(), None), |(p, q)| (p, Some(q)));
            joined.set_path(path);
            joined.set_query(query);
            joined
        } else {
            Url::parse(url)
                .map_err(|_| Error::invalid_argument("The API returned an invalid complete_url."))?
        };
        if resolved.origin() != base.origin() {
            return Err(Error::invalid_argument(format!(
                "Refusing to send the API key to {}: complete_url is not on the Jungle Grid API host.",
                host_label(&resolved)
            )));
        }
        Ok(resolved)
    }

    /// Creates the slot, PUTs the bytes to the signed URL (streamed from disk for a path) and
    /// completes the upload. Resolves to the completed input.
    pub async fn upload_file(&self, source: UploadSource, options: UploadOptions) -> Result<Value> {
        let filename = match (&options.filename, &source) {
            (Some(name), _) if !name.trim().is_empty() => name.trim().to_string(),
            (_, UploadSource::Local(LocalFile { path, .. }) | UploadSource::Path(path)) => path
                .file_name()
                .and_then(|n| n.to_str())
                .map(String::from)
                .ok_or_else(|| {
                    Error::invalid_argument("filename is required: the path has no file name.")
                })?,
            (_, UploadSource::Bytes(_)) => {
                return Err(Error::invalid_argument(
                    "filename is required when uploading a buffer.",
                ));
            }
        };
        let content_type = options
            .content_type
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| guess_content_type(&filename).to_string());
        let kind = options.kind.filter(|k| !k.trim().is_empty());

        // Open the file first: a missing file, a directory or a FIFO fails before a slot is created.
        let (body, size) = match source {
            UploadSource::Path(path) => file_body(files::open_unconfined(&path).await?).await?,
            UploadSource::Local(local) => file_body(local).await?,
            UploadSource::Bytes(bytes) => {
                let size = bytes.len() as u64;
                (reqwest::Body::from(bytes), size)
            }
        };

        let created = self
            .create_upload(
                &CreateUploadRequest {
                    filename: filename.clone(),
                    content_type: Some(content_type.clone()),
                    kind,
                },
                options.idempotency_key.as_deref(),
            )
            .await?;
        if created.replayed {
            // The slot was created earlier with this key (and its bytes sent then): sending them
            // again could overwrite a completed input. Say what it is instead.
            let upload = created.data.get("upload").cloned().unwrap_or(created.data);
            return Ok(json!({
                "input_id": upload.get("input_id").cloned().unwrap_or(Value::Null),
                "filename": upload.get("filename").cloned().unwrap_or(json!(filename)),
                "idempotent_replay": true,
            }));
        }
        let slot = parse_slot(&created.data)?;
        let etag = self.put_bytes(&slot, &content_type, body, size).await?;
        let complete = CompleteUploadRequest {
            token: slot.token.clone().unwrap_or_default(),
            filename: filename.clone(),
            content_type: content_type.clone(),
            size_bytes: size,
            etag,
        };
        let url = self.api_url(&slot.complete_url)?;
        let data = self
            .send(Method::POST, url, Some(&complete), Retry::Never)
            .await?;
        // The completed input, as the API describes it; a bare acknowledgement gets the basics.
        let input = match data.get("input").cloned().unwrap_or(data) {
            Value::Object(map) if !map.is_empty() => Value::Object(map),
            _ => json!({
                "input_id": slot.input_id,
                "filename": filename,
                "content_type": content_type,
                "size_bytes": size,
                "status": "uploaded",
                "ready": true,
            }),
        };
        Ok(input)
    }

    /// Sends the bytes to the signed URL. Returns the storage ETag when there is one.
    async fn put_bytes(
        &self,
        slot: &UploadSlot,
        content_type: &str,
        body: reqwest::Body,
        size: u64,
    ) -> Result<Option<String>> {
        self.check_target(&slot.upload_url)?;
        let response = self
            .shared
            .transfer
            .request(slot.method.clone(), slot.upload_url.clone())
            .timeout(TRANSFER_TIMEOUT)
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, size)
            .body(body)
            .send()
            .await
            .map_err(|e| transfer_error(&e, &slot.upload_url))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::api(
                status.as_u16(),
                "UPLOAD_FAILED",
                format!(
                    "Storage at {} refused the upload with status {}.",
                    host_label(&slot.upload_url),
                    status.as_u16()
                ),
            ));
        }
        Ok(response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim_matches('"').to_string())
            .filter(|s| !s.is_empty()))
    }

    /// Streams a signed download URL to `dest`: into a temporary file with a random name created
    /// exclusively beside it, then renamed atomically, so `dest` is never left half-written and
    /// never replaced unless `overwrite`. Returns the number of bytes written.
    pub async fn download_to(
        &self,
        download_url: &str,
        dest: &Path,
        overwrite: bool,
    ) -> Result<u64> {
        if !overwrite && tokio::fs::symlink_metadata(dest).await.is_ok() {
            return Err(files::already_exists(dest));
        }
        let url = Url::parse(download_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| Error::invalid_argument("The artifact has no valid download_url."))?;
        self.check_target(&url)?;
        let mut response = self
            .shared
            .transfer
            .get(url.clone())
            .timeout(TRANSFER_TIMEOUT)
            .send()
            .await
            .map_err(|e| transfer_error(&e, &url))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::api(
                status.as_u16(),
                "DOWNLOAD_FAILED",
                format!(
                    "Downloading the artifact from {} failed with status {}.",
                    host_label(&url),
                    status.as_u16()
                ),
            ));
        }
        let cannot = |e: std::io::Error| {
            Error::invalid_argument(format!("Cannot write {}: {e}", dest.display()))
        };
        // Removed on drop, so every failure below leaves nothing behind.
        let temp = files::temp_beside(dest).map_err(cannot)?;
        let mut file = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(cannot)?);
        let mut written = 0u64;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| network_error(&e, &url, TRANSFER_TIMEOUT, None))?
        {
            file.write_all(&chunk).await.map_err(cannot)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(cannot)?;
        file.sync_all().await.map_err(cannot)?;
        drop(file);
        let dest = dest.to_path_buf();
        tokio::task::spawn_blocking(move || files::persist(temp, &dest, overwrite))
            .await
            .map_err(|e| Error::invalid_argument(format!("Cannot write the file: {e}")))??;
        Ok(written)
    }
}

/// The body of a local file and the byte count sent. A file whose size reads as 0 (`/proc`) is read
/// whole, up to [`MAX_UNSIZED_FILE`], so the count is real; any other file is streamed and must
/// match its size exactly, or the upload fails and is never completed.
async fn file_body(local: LocalFile) -> Result<(reqwest::Body, u64)> {
    let LocalFile { file, size, path } = local;
    let mut file = tokio::fs::File::from_std(file);
    if size == 0 {
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_UNSIZED_FILE + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| Error::invalid_argument(format!("Cannot read {}: {e}", path.display())))?;
        if bytes.len() as u64 > MAX_UNSIZED_FILE {
            return Err(Error::invalid_argument(format!(
                "{} reports no size but holds more than 10 MiB; copy it to a regular file first.",
                path.display()
            )));
        }
        let size = bytes.len() as u64;
        return Ok((reqwest::Body::from(bytes), size));
    }
    let stream =
        futures_util::stream::try_unfold((file, 0u64), move |(mut file, seen)| async move {
            let mut buf = vec![0u8; CHUNK];
            let n = file.read(&mut buf).await?;
            let seen = seen + n as u64;
            if seen > size || (n == 0 && seen != size) {
                return Err(std::io::Error::other(
                    "the file changed size while it was being uploaded",
                ));
            }
            if n == 0 {
                return Ok(None);
            }
            buf.truncate(n);
            Ok(Some((Bytes::from(buf), (file, seen))))
        });
    Ok((reqwest::Body::wrap_stream(stream), size))
}

impl ApiClient {
    /// Refuses a signed URL whose literal address the API base does not allow (names are checked
    /// when they resolve).
    fn check_target(&self, url: &Url) -> Result<()> {
        self.shared
            .targets
            .check_url(url)
            .map_err(|message| Error::api(502, "UNSAFE_TRANSFER_URL", message))
    }
}

/// A failed transfer: a refused target (first URL or a redirect) says so, anything else is a
/// network error.
fn transfer_error(error: &reqwest::Error, url: &Url) -> Error {
    match refused_target(error) {
        Some(message) => Error::api(502, "UNSAFE_TRANSFER_URL", message),
        None => network_error(error, url, TRANSFER_TIMEOUT, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::test_client as client;

    #[test]
    fn slot_is_read_from_the_envelope() {
        let slot = parse_slot(&json!({"upload": {
            "input_id": "inp_1", "method": "put", "upload_url": "https://storage.example.com/b?sig=x",
            "token": "tok", "complete_url": "/v1/job-inputs/inp_1/complete"
        }}))
        .unwrap();
        assert_eq!(slot.method, Method::PUT);
        assert_eq!(slot.complete_url, "/v1/job-inputs/inp_1/complete");
        let err = parse_slot(&json!({"upload": {"input_id": "inp_1", "upload_url": "ftp://x"}}))
            .unwrap_err();
        assert_eq!(err.code, "INVALID_API_RESPONSE");
        let slot =
            parse_slot(&json!({"upload": {"input_id": "inp_2", "upload_url": "http://s/x"}}))
                .unwrap();
        assert_eq!(slot.complete_url, "/v1/job-inputs/inp_2/complete");
    }

    #[test]
    fn complete_url_stays_on_the_api_origin() {
        let c = client("https://api.junglegrid.dev/base");
        assert_eq!(
            c.api_url("/v1/job-inputs/inp_1/complete").unwrap().as_str(),
            "https://api.junglegrid.dev/base/v1/job-inputs/inp_1/complete"
        );
        assert!(
            c.api_url("https://api.junglegrid.dev/v1/job-inputs/x/complete")
                .is_ok()
        );
        let err = c
            .api_url("https://evil.example.com/v1/job-inputs/x/complete")
            .unwrap_err();
        assert!(err.message.contains("Refusing to send the API key"));
    }

    #[test]
    fn content_types() {
        assert_eq!(guess_content_type("transcribe.py"), "text/x-python");
        assert_eq!(guess_content_type("AUDIO.OGG"), "audio/ogg");
        assert_eq!(guess_content_type("blob"), "application/octet-stream");
    }
}

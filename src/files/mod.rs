//! Local files: the one gate every local read (`upload_job_input path`) and write
//! (`get_artifact save_to`) passes before touching the disk, and the safe-write steps the JS
//! library shares.
//!
//! The model is the official filesystem MCP server's allowed directories: a path is used only when
//! its canonical form (every symlink resolved, the final target included) lies inside an allowed
//! root, and (our addition) when no component below that root is hidden (starts with `.`), so
//! `~/.ssh`, `~/.aws` and `~/.bashrc` stay out of reach unless the user configured a root inside one.
//!
//! Roots: the folders the user configured (`--allow-dir`, `JUNGLE_GRID_FILES_DIRS`), narrowed to the
//! client's MCP roots when it offers them; without configured folders the client's roots are the
//! roots; with neither, the user's home. Reads take regular files only, opened without following a
//! final symlink and without blocking (a FIFO cannot hang the call), and the opened handle is
//! checked again. Writes go to a random temporary file created exclusively in the destination's
//! folder, then an atomic rename that never replaces an existing file unless the caller allows it.
//!
//! Hosted mode never reaches this module: it refuses local files before.

use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;

use crate::error::{Error, Result};

/// How long a call waits for the client's answer to `roots/list` before it is refused.
const ROOTS_WAIT: Duration = Duration::from_secs(10);

/// The settings that change where files may go, named in every refusal.
pub const ROOTS_SETTING: &str = "--allow-dir DIR (repeatable) or JUNGLE_GRID_FILES_DIRS";
pub const OVERWRITE_SETTING: &str = "--allow-overwrite or JUNGLE_GRID_ALLOW_OVERWRITE=1";

/// Where the base roots came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootsOrigin {
    /// `--allow-dir` / `JUNGLE_GRID_FILES_DIRS`.
    Configured,
    /// Nothing configured: the user's home.
    Default,
}

/// The user's file settings, validated at start-up (see `config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesConfig {
    /// Canonical directories.
    pub roots: Vec<PathBuf>,
    pub origin: RootsOrigin,
    /// Whether the agent's `overwrite: true` may replace an existing file.
    pub allow_overwrite: bool,
}

/// What the client said about its MCP roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRoots {
    /// The client does not offer roots (or offered an empty list).
    NotOffered,
    /// `roots/list` was sent; calls wait for the answer.
    Pending,
    /// Canonical client roots.
    Offered(Vec<PathBuf>),
    /// The client offers roots but its list could not be read: nothing is allowed.
    Failed(String),
}

/// Why a path may not be used (pure logic, see [`decide`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Outside,
    Hidden(String),
}

/// Decides whether the canonical `target` may be used: inside one of `bases` with no hidden
/// component below it, and, when the client narrowed them, inside one of `narrow` too.
pub fn decide(
    target: &Path,
    bases: &[PathBuf],
    narrow: Option<&[PathBuf]>,
) -> std::result::Result<(), Refusal> {
    // The deepest base holding the target: hidden components are counted below it.
    let base = bases
        .iter()
        .filter(|b| target.starts_with(b))
        .max_by_key(|b| b.components().count())
        .ok_or(Refusal::Outside)?;
    if let Some(narrow) = narrow
        && !narrow.iter().any(|r| target.starts_with(r))
    {
        return Err(Refusal::Outside);
    }
    let below = target.strip_prefix(base).map_err(|_| Refusal::Outside)?;
    for part in below.components() {
        match part {
            Component::Normal(name) if name.to_string_lossy().starts_with('.') => {
                return Err(Refusal::Hidden(name.to_string_lossy().into_owned()));
            }
            Component::Normal(_) => {}
            // A canonical path has no `.`, `..` or prefix below its root.
            _ => return Err(Refusal::Outside),
        }
    }
    Ok(())
}

/// A `file://` URI from `roots/list` as a local path (percent-decoded), when it is one.
pub fn root_uri_path(uri: &str) -> Option<PathBuf> {
    let url = reqwest::Url::parse(uri).ok()?;
    if url.scheme() != "file" {
        return None;
    }
    url.to_file_path().ok()
}

/// The allowed roots of one local server: the user's configuration and the client's MCP roots.
pub struct AllowedRoots {
    config: FilesConfig,
    client: watch::Sender<ClientRoots>,
}

impl std::fmt::Debug for AllowedRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllowedRoots")
            .field("config", &self.config)
            .field("client", &*self.client.borrow())
            .finish()
    }
}

fn list(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "(none)".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl AllowedRoots {
    pub fn new(config: FilesConfig) -> Self {
        AllowedRoots {
            config,
            client: watch::Sender::new(ClientRoots::NotOffered),
        }
    }

    /// No root at all: every path is refused (a server nobody configured).
    pub fn none() -> Self {
        Self::new(FilesConfig {
            roots: Vec::new(),
            origin: RootsOrigin::Configured,
            allow_overwrite: false,
        })
    }

    pub fn allow_overwrite(&self) -> bool {
        self.config.allow_overwrite
    }

    /// Marks the client's roots as being fetched: calls wait for [`Self::set_client_roots`].
    pub fn client_roots_pending(&self) {
        self.client.send_replace(ClientRoots::Pending);
    }

    /// The client's answer to `roots/list` (URIs), or why it could not be read.
    pub fn set_client_roots(&self, uris: std::result::Result<Vec<String>, String>) {
        let state = match uris {
            Err(e) => ClientRoots::Failed(e),
            Ok(uris) => {
                let roots: Vec<PathBuf> = uris
                    .iter()
                    .filter_map(|u| root_uri_path(u))
                    .filter_map(|p| std::fs::canonicalize(p).ok())
                    .collect();
                if uris.is_empty() {
                    ClientRoots::NotOffered
                } else {
                    // Roots that are not local folders narrow to nothing rather than widen.
                    ClientRoots::Offered(roots)
                }
            }
        };
        match &state {
            ClientRoots::NotOffered => tracing::info!("client: no roots offered"),
            ClientRoots::Pending => {}
            ClientRoots::Offered(roots) => tracing::info!(
                "client: roots {}",
                roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ClientRoots::Failed(why) => {
                tracing::info!("client: roots could not be read ({why}); local files refused")
            }
        }
        tracing::debug!(?state, "client roots");
        self.client.send_replace(state);
    }

    /// The client's roots once known (waits while `roots/list` is in flight).
    async fn client_roots(&self) -> Result<ClientRoots> {
        let mut rx = self.client.subscribe();
        let state = tokio::time::timeout(
            ROOTS_WAIT,
            rx.wait_for(|s| !matches!(s, ClientRoots::Pending)),
        )
        .await
        .map_err(|_| {
            Error::forbidden(
                "Local files are unavailable: the client did not answer roots/list in time.",
            )
        })?
        .map_err(|_| Error::forbidden("Local files are unavailable."))?
        .clone();
        Ok(state)
    }

    /// The roots a path is checked against, and the client's narrowing.
    async fn effective(&self) -> Result<(Vec<PathBuf>, Option<Vec<PathBuf>>, String)> {
        let configured = self.config.origin == RootsOrigin::Configured;
        let (bases, narrow, origin) = match self.client_roots().await? {
            ClientRoots::Failed(e) => {
                return Err(Error::forbidden(format!(
                    "Local files are unavailable: the client's roots could not be read ({e})."
                )));
            }
            ClientRoots::Offered(client) if configured => {
                (self.config.roots.clone(), Some(client), "configured")
            }
            ClientRoots::Offered(client) => (client, None, "the client's roots"),
            ClientRoots::NotOffered | ClientRoots::Pending if configured => {
                (self.config.roots.clone(), None, "configured")
            }
            ClientRoots::NotOffered | ClientRoots::Pending => (
                self.config.roots.clone(),
                None,
                "the default: your home folder",
            ),
        };
        let mut described = format!("{} ({origin})", list(&bases));
        if let Some(narrow) = &narrow {
            described.push_str(&format!(
                ", narrowed to the client's roots {}",
                list(narrow)
            ));
        }
        Ok((bases, narrow, described))
    }

    /// Checks a canonical path against the roots.
    async fn check(&self, shown: &Path, target: &Path) -> Result<()> {
        let (bases, narrow, described) = self.effective().await?;
        match decide(target, &bases, narrow.as_deref()) {
            Ok(()) => Ok(()),
            Err(Refusal::Outside) => Err(Error::forbidden(format!(
                "{} is outside the folders this server may use: {described}. Files may only be read \
and written inside them; the user can change them with {ROOTS_SETTING}.",
                shown.display()
            ))),
            Err(Refusal::Hidden(name)) => Err(Error::forbidden(format!(
                "{} is inside a hidden file or folder ({name}); hidden paths are never read or \
written unless the user configures a folder inside one with {ROOTS_SETTING}.",
                shown.display()
            ))),
        }
    }

    /// Opens a file the agent asked to read, after checking it. A path outside the roots (or
    /// hidden) is refused the same way whether it exists or not: no answer tells what exists there.
    pub async fn open_read(&self, path: &Path) -> Result<LocalFile> {
        let canonical = match canonical_or_nearest(path).await {
            Ok(canonical) => canonical,
            Err((nearest, e)) => {
                self.check(path, &nearest).await?;
                return Err(cannot_read(path, e));
            }
        };
        self.check(path, &canonical).await?;
        let opened = open_regular(path, canonical.clone()).await?;
        // The handle must still be the file that was checked (nothing swapped in between).
        self.check(path, &opened.path).await?;
        Ok(opened)
    }

    /// Checks a destination the agent asked to write; returns it with a canonical folder.
    pub async fn check_write(&self, dest: &Path) -> Result<PathBuf> {
        match write_target(dest).await {
            Ok(target) => {
                self.check(dest, &target).await?;
                Ok(target)
            }
            Err(e) => {
                // A missing or unreadable folder outside the roots: the same refusal as any path
                // outside them.
                let nearest = match canonical_or_nearest(dest).await {
                    Ok(p) | Err((p, _)) => p,
                };
                self.check(dest, &nearest).await?;
                Err(e)
            }
        }
    }
}

fn cannot_read(shown: &Path, e: std::io::Error) -> Error {
    Error::invalid_argument(format!("Cannot read {}: {e}", shown.display()))
}

async fn canonical(shown: &Path, path: &Path) -> Result<PathBuf> {
    tokio::fs::canonicalize(path)
        .await
        .map_err(|e| cannot_read(shown, e))
}

/// The canonical form of `path`; when it cannot be resolved (missing, unreadable), the canonical
/// form of its deepest resolvable ancestor with the rest appended as written (a `..` in the rest
/// stays, and [`decide`] refuses it), so the roots are checked before anything about the path's
/// existence is said.
pub async fn canonical_or_nearest(
    path: &Path,
) -> std::result::Result<PathBuf, (PathBuf, std::io::Error)> {
    let error = match tokio::fs::canonicalize(path).await {
        Ok(p) => return Ok(p),
        Err(e) => e,
    };
    let parts: Vec<Component> = path.components().collect();
    for keep in (0..parts.len()).rev() {
        let prefix: PathBuf = parts[..keep].iter().collect();
        let prefix = if prefix.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            prefix
        };
        if let Ok(base) = tokio::fs::canonicalize(&prefix).await {
            let mut nearest = base;
            nearest.extend(&parts[keep..]);
            return Err((nearest, error));
        }
    }
    Err((path.to_path_buf(), error))
}

/// The destination with its folder canonicalised (the file itself may not exist yet).
pub async fn write_target(dest: &Path) -> Result<PathBuf> {
    let name = match dest.components().next_back() {
        Some(Component::Normal(name)) => name.to_owned(),
        _ => {
            return Err(Error::invalid_argument(format!(
                "{} does not name a file.",
                dest.display()
            )));
        }
    };
    let parent = dest.parent().unwrap_or(Path::new("/"));
    let folder = tokio::fs::canonicalize(parent).await.map_err(|e| {
        Error::invalid_argument(format!(
            "Cannot write {}: its folder {} is not usable ({e}).",
            dest.display(),
            parent.display()
        ))
    })?;
    Ok(folder.join(name))
}

/// A regular file opened for reading, with its size and canonical path.
#[derive(Debug)]
pub struct LocalFile {
    pub file: File,
    pub size: u64,
    pub path: PathBuf,
}

/// The path the open handle refers to, where the OS can say.
fn handle_path(file: &File) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// Opens `canonical` for reading: no final symlink followed, never blocking (a FIFO without a
/// writer opens at once), and only a regular file is accepted, judged on the opened handle.
pub async fn open_regular(shown: &Path, canonical: PathBuf) -> Result<LocalFile> {
    let shown = shown.to_path_buf();
    let blocking = tokio::task::spawn_blocking(move || {
        let cannot = |e: std::io::Error| {
            Error::invalid_argument(format!("Cannot read {}: {e}", shown.display()))
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
        }
        let file = options.open(&canonical).map_err(cannot)?;
        let meta = file.metadata().map_err(cannot)?;
        if !meta.is_file() {
            let what = if meta.is_dir() {
                "a directory"
            } else {
                "not a regular file (a pipe, socket or device)"
            };
            return Err(Error::invalid_argument(format!(
                "{} is {what}; only regular files can be uploaded.",
                shown.display()
            )));
        }
        let path = handle_path(&file).unwrap_or(canonical);
        Ok(LocalFile {
            file,
            size: meta.len(),
            path,
        })
    });
    blocking
        .await
        .map_err(|e| Error::invalid_argument(format!("Cannot read the file: {e}")))?
}

/// Opens a file the library was asked to upload: not confined, but the same safe open.
pub async fn open_unconfined(path: &Path) -> Result<LocalFile> {
    let canonical = canonical(path, path).await?;
    open_regular(path, canonical).await
}

/// A temporary file beside `dest` with a random name, created exclusively (an existing file or a
/// planted symlink at that name makes creation fail rather than be followed).
pub fn temp_beside(dest: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let folder = dest.parent().unwrap_or(Path::new("."));
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    tempfile::Builder::new()
        .prefix(".jg-download-")
        .suffix(".part")
        .tempfile_in(folder)
}

/// Moves the finished temporary file to `dest` atomically. Without `overwrite` an existing `dest`
/// (a symlink included) is never replaced: the rename itself refuses, so there is no race.
pub fn persist(temp: tempfile::NamedTempFile, dest: &Path, overwrite: bool) -> Result<()> {
    let result = if overwrite {
        temp.persist(dest)
    } else {
        temp.persist_noclobber(dest)
    };
    result.map(|_| ()).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            already_exists(dest)
        } else {
            Error::invalid_argument(format!("Cannot write {}: {}", dest.display(), e.error))
        }
    })
}

/// The refusal for an existing destination.
pub fn already_exists(dest: &Path) -> Error {
    Error::invalid_argument(format!(
        "{} already exists and was not replaced; pass overwrite: true to replace it.",
        dest.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[test]
    fn inside_a_root_is_allowed_outside_is_not() {
        let roots = [p("/home/u"), p("/data")];
        assert_eq!(decide(&p("/home/u/a/b.txt"), &roots, None), Ok(()));
        assert_eq!(decide(&p("/data/x"), &roots, None), Ok(()));
        assert_eq!(
            decide(&p("/etc/passwd"), &roots, None),
            Err(Refusal::Outside)
        );
        // A shared prefix is not containment.
        assert_eq!(
            decide(&p("/home/user2/x"), &roots, None),
            Err(Refusal::Outside)
        );
    }

    #[test]
    fn hidden_components_below_the_root_are_refused() {
        let roots = [p("/home/u")];
        for path in [
            "/home/u/.ssh/id_ed25519",
            "/home/u/.bashrc",
            "/home/u/a/.git/config",
        ] {
            assert!(
                matches!(decide(&p(path), &roots, None), Err(Refusal::Hidden(_))),
                "{path}"
            );
        }
        // A root inside a hidden folder is the user's choice.
        let roots = [p("/home/u/.cache/jobs")];
        assert_eq!(
            decide(&p("/home/u/.cache/jobs/out.bin"), &roots, None),
            Ok(())
        );
        assert!(matches!(
            decide(&p("/home/u/.cache/jobs/.env"), &roots, None),
            Err(Refusal::Hidden(n)) if n == ".env"
        ));
    }

    #[test]
    fn the_deepest_root_decides_what_is_hidden() {
        let roots = [p("/home/u"), p("/home/u/.config/jg")];
        assert_eq!(decide(&p("/home/u/.config/jg/a"), &roots, None), Ok(()));
        assert!(decide(&p("/home/u/.config/other"), &roots, None).is_err());
    }

    #[test]
    fn client_roots_narrow_the_configured_ones() {
        let roots = [p("/home/u")];
        let client = [p("/home/u/project"), p("/srv")];
        assert_eq!(
            decide(&p("/home/u/project/in.csv"), &roots, Some(&client)),
            Ok(())
        );
        assert_eq!(
            decide(&p("/home/u/other/in.csv"), &roots, Some(&client)),
            Err(Refusal::Outside)
        );
        // A client root cannot widen: /srv is not configured.
        assert_eq!(
            decide(&p("/srv/x"), &roots, Some(&client)),
            Err(Refusal::Outside)
        );
        assert_eq!(
            decide(&p("/home/u/x"), &roots, Some(&[])),
            Err(Refusal::Outside)
        );
    }

    #[test]
    fn no_roots_allow_nothing() {
        assert_eq!(decide(&p("/home/u/x"), &[], None), Err(Refusal::Outside));
    }

    #[test]
    fn root_uris_are_file_urls() {
        assert_eq!(
            root_uri_path("file:///home/u/my%20project"),
            Some(p("/home/u/my project"))
        );
        assert_eq!(root_uri_path("https://example.com/x"), None);
        assert_eq!(root_uri_path("not a uri"), None);
    }
}

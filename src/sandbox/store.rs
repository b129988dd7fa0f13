//! Persistence of a sandbox directory: `state.json` (written whole, crash-safe: temp file in the
//! same directory, fsync, rename) and the uploaded bytes under `uploads/`.
//!
//! Several processes may use one directory at once (LangChain starts a server process per tool
//! call; two hosts may run `--sandbox`): every operation takes `sandbox.lock` (an OS file lock,
//! released when the process dies, even by kill -9) for its own duration only, reloads
//! `state.json` when another process changed it, and writes its change before letting go. So a
//! job submitted by one process is found by the next, and no process overwrites another's change.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::state::{State, now_ms};

const STATE_FILE: &str = "state.json";
const UPLOADS_DIR: &str = "uploads";
const ARTIFACTS_DIR: &str = "artifacts";
const LOCK_FILE: &str = "sandbox.lock";

/// How long an operation waits for another process's operation before it gives up.
pub const LOCK_WAIT: Duration = Duration::from_secs(15);

/// What identifies one version of `state.json` without reading it: every write renames a new
/// file into place, so its inode (where there is one), length and modification time change.
type Version = (u64, u64, Option<std::time::SystemTime>);

#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    /// One state write at a time, so the newest snapshot is always written last.
    pub write_lock: tokio::sync::Mutex<()>,
    /// One operation of this process at a time holds the directory (the file lock then keeps
    /// other processes out).
    turn: tokio::sync::Mutex<()>,
    parts: AtomicU64,
    /// The version of `state.json` this process's state was loaded from or last wrote.
    seen: std::sync::Mutex<Option<Version>>,
}

/// The directory, held by one operation of one process; released on drop.
pub struct Held<'a> {
    _turn: tokio::sync::MutexGuard<'a, ()>,
    file: File,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

impl Store {
    /// Opens (creating) the directory and loads its state. A missing state file is an empty state;
    /// an unreadable one is moved aside to `state.json.corrupt-<ms>` and the sandbox starts empty.
    /// Blocking: call it off the async threads.
    pub fn open(dir: PathBuf) -> Result<(Store, State), String> {
        std::fs::create_dir_all(dir.join(UPLOADS_DIR))
            .map_err(|e| format!("cannot create {}: {e}", dir.join(UPLOADS_DIR).display()))?;
        let file = open_lock(&dir)?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(TryLockError::WouldBlock) => return Err(busy(&dir)),
                Err(TryLockError::Error(e)) => {
                    return Err(format!(
                        "cannot lock {}: {e}",
                        dir.join(LOCK_FILE).display()
                    ));
                }
            }
        }
        let store = Store {
            dir,
            write_lock: tokio::sync::Mutex::new(()),
            turn: tokio::sync::Mutex::new(()),
            parts: AtomicU64::new(0),
            seen: std::sync::Mutex::new(None),
        };
        let result = store.load_locked();
        let _ = file.unlock();
        result.map(|state| (store, state))
    }

    /// With the lock held: removes what an interrupted writer left, loads the state (moving an
    /// unreadable file aside) and checks that the directory is writable.
    fn load_locked(&self) -> Result<State, String> {
        let dir = &self.dir;
        // Temporary files are only written with the lock held, so any found now belong to a
        // process that died mid-write.
        remove_matching(dir, |name| name.starts_with("state.json.tmp"));
        remove_matching(&dir.join(UPLOADS_DIR), |name| name.ends_with(".part"));
        let path = self.state_path();
        let state = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<State>(&bytes) {
                Ok(state) => state,
                Err(e) => {
                    let aside = dir.join(format!("{STATE_FILE}.corrupt-{}", now_ms()));
                    std::fs::rename(&path, &aside).map_err(|re| {
                        format!(
                            "{} is unreadable ({e}) and cannot be moved aside: {re}",
                            path.display()
                        )
                    })?;
                    tracing::warn!(
                        "sandbox state {} was unreadable ({e}); moved it to {} and started empty",
                        path.display(),
                        aside.display()
                    );
                    State::default()
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        // Fails early when the directory is not writable.
        if !path.exists() {
            let bytes = serde_json::to_vec_pretty(&state)
                .map_err(|e| format!("cannot encode the sandbox state: {e}"))?;
            write_atomic(&path, &bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        } else {
            let probe = dir.join(format!("{STATE_FILE}.tmp-probe-{}", std::process::id()));
            std::fs::write(&probe, b"")
                .and_then(|()| std::fs::remove_file(&probe))
                .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        }
        self.mark_seen();
        Ok(state)
    }

    /// Holds the directory for one operation: this process's other operations wait their turn,
    /// other processes' wait on the file lock (at most [`LOCK_WAIT`]).
    pub async fn hold(&self) -> Result<Held<'_>, String> {
        let turn = self.turn.lock().await;
        let file = open_lock(&self.dir)?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Held { _turn: turn, file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err(TryLockError::WouldBlock) => return Err(busy(&self.dir)),
                Err(TryLockError::Error(e)) => {
                    return Err(format!(
                        "cannot lock {}: {e}",
                        self.dir.join(LOCK_FILE).display()
                    ));
                }
            }
        }
    }

    /// With the directory held: the state another process wrote since this one last read or
    /// wrote it, if any. An unreadable file keeps this process's state (and is overwritten by
    /// its next change).
    pub fn changed_state(&self, _held: &Held<'_>) -> Option<State> {
        let now = version(&self.state_path());
        if now.is_none() || now == *self.seen.lock().unwrap_or_else(|e| e.into_inner()) {
            return None;
        }
        let loaded = std::fs::read(self.state_path())
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice::<State>(&bytes).map_err(|e| e.to_string()));
        match loaded {
            Ok(state) => {
                *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = now;
                Some(state)
            }
            Err(e) => {
                tracing::warn!(
                    "sandbox state {} changed but is unreadable ({e}); keeping this process's",
                    self.state_path().display()
                );
                None
            }
        }
    }

    /// Records the version of `state.json` now on disk as this process's own.
    pub fn mark_seen(&self) {
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = version(&self.state_path());
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join(STATE_FILE)
    }

    /// Where a completed upload's bytes live.
    pub fn upload_path(&self, input_id: &str) -> PathBuf {
        self.dir.join(UPLOADS_DIR).join(input_id)
    }

    /// Where an artifact's bytes are kept for the user once its download information was asked
    /// for: a file that outlives this process (its download URL does not).
    /// Every part is reduced to `[A-Za-z0-9._-]` (a file name from an agent's
    /// `expected_artifacts` could hold a `\` or `:` that means something on another system).
    pub fn artifact_path(&self, job_id: &str, artifact_id: &str, filename: &str) -> PathBuf {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
                .trim_start_matches('.')
                .to_string()
        };
        self.dir
            .join(ARTIFACTS_DIR)
            .join(safe(job_id))
            .join(format!("{}-{}", safe(artifact_id), safe(filename)))
    }

    /// A fresh temporary path for bytes still arriving (renamed to [`Store::upload_path`]).
    pub fn part_path(&self, input_id: &str) -> PathBuf {
        let n = self.parts.fetch_add(1, Ordering::Relaxed);
        self.dir
            .join(UPLOADS_DIR)
            .join(format!("{input_id}.{}-{n}.part", std::process::id()))
    }
}

fn open_lock(dir: &Path) -> Result<File, String> {
    let path = dir.join(LOCK_FILE);
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

fn busy(dir: &Path) -> String {
    format!(
        "{} stayed locked by another process for {} s; is a sandbox there stuck?",
        dir.display(),
        LOCK_WAIT.as_secs()
    )
}

fn version(path: &Path) -> Option<Version> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((inode, meta.len(), meta.modified().ok()))
}

/// Writes `bytes` to `path` so that a crash leaves either the old or the new file, never a mix:
/// a temporary file beside it, fsync, rename, fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!("{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Makes a rename durable (best effort: not every platform can open a directory).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn remove_matching(dir: &Path, matches: impl Fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_str().is_some_and(&matches) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The names of the files in `dir` (for tests that check what a store left on disk).
#[cfg(test)]
pub(crate) fn file_names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "jg-sandbox-store-{tag}-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn missing_state_is_empty_and_writes_round_trip() {
        let dir = temp_dir("roundtrip");
        let (store, state) = Store::open(dir.clone()).unwrap();
        assert_eq!(state, State::default());
        let state = State {
            next_seq: 7,
            ..State::default()
        };
        write_atomic(&store.state_path(), &serde_json::to_vec(&state).unwrap()).unwrap();
        let (_, again) = Store::open(dir.clone()).unwrap();
        assert_eq!(again.next_seq, 7);
        let names = file_names(&dir);
        assert!(!names.iter().any(|n| n.contains(".tmp")), "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Two processes on one directory (issue 19: a process per tool call): each sees what the
    /// other wrote, and an operation of one waits while the other holds the directory.
    #[tokio::test]
    async fn two_stores_on_one_directory_see_each_others_writes() {
        let dir = temp_dir("shared");
        let (first, _) = Store::open(dir.clone()).unwrap();
        let (second, _) = Store::open(dir.clone()).unwrap();
        {
            let held = first.hold().await.unwrap();
            assert!(first.changed_state(&held).is_none(), "nothing changed yet");
            let state = State {
                next_seq: 3,
                ..State::default()
            };
            write_atomic(&first.state_path(), &serde_json::to_vec(&state).unwrap()).unwrap();
            first.mark_seen();
            // The other store cannot take the directory while this operation holds it.
            let other = open_lock(&dir).unwrap();
            assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        }
        let held = second.hold().await.unwrap();
        assert_eq!(second.changed_state(&held).unwrap().next_seq, 3);
        assert!(second.changed_state(&held).is_none(), "read once");
        drop(held);
        let held = first.hold().await.unwrap();
        assert!(first.changed_state(&held).is_none(), "its own write");
        // Leftovers of a writer that died are only removed with the lock held, at open.
        std::fs::write(dir.join("state.json.tmp-999"), b"half").unwrap();
        drop(held);
        let (_third, state) = Store::open(dir.clone()).unwrap();
        assert_eq!(state.next_seq, 3);
        assert!(!dir.join("state.json.tmp-999").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn artifact_copies_stay_in_their_folder() {
        let dir = temp_dir("artifacts");
        let (store, _) = Store::open(dir.clone()).unwrap();
        let path = store.artifact_path("job_1", "art_2", "..\\..\\evil:x");
        assert_eq!(
            path,
            dir.join("artifacts").join("job_1").join("art_2-_.._evil_x")
        );
        let hidden = store.artifact_path("job_1", "art_2", ".bashrc");
        assert_eq!(hidden.file_name().unwrap(), "art_2-bashrc");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_state_is_moved_aside() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("state.json"), b"{\"jobs\": [{\"job_id\": \"jo").unwrap();
        std::fs::write(dir.join("state.json.tmp-1"), b"half").unwrap();
        let (_, state) = Store::open(dir.clone()).unwrap();
        assert_eq!(state, State::default());
        let names = file_names(&dir);
        assert!(
            names.iter().any(|n| n.starts_with("state.json.corrupt-")),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n == "state.json.tmp-1"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

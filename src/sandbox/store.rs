//! Persistence of a sandbox directory: `state.json` (written whole, crash-safe: temp file in the
//! same directory, fsync, rename) and the uploaded bytes under `uploads/`. One process at a time:
//! `sandbox.lock` is held (an OS file lock, released when the process dies, even by kill -9) for
//! as long as the sandbox runs, and holds the holder's pid for the refusal message.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::state::{State, now_ms};

const STATE_FILE: &str = "state.json";
const UPLOADS_DIR: &str = "uploads";
const LOCK_FILE: &str = "sandbox.lock";

#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    /// One state write at a time, so the newest snapshot is always written last.
    pub write_lock: tokio::sync::Mutex<()>,
    parts: AtomicU64,
    /// The locked `sandbox.lock` (None once released).
    lock: std::sync::Mutex<Option<File>>,
}

impl Store {
    /// Opens (creating) the directory and loads its state. A missing state file is an empty state;
    /// an unreadable one is moved aside to `state.json.corrupt-<ms>` and the sandbox starts empty.
    pub fn open(dir: PathBuf) -> Result<(Store, State), String> {
        std::fs::create_dir_all(dir.join(UPLOADS_DIR))
            .map_err(|e| format!("cannot create {}: {e}", dir.join(UPLOADS_DIR).display()))?;
        let lock = lock_dir(&dir)?;
        // Leftovers of an interrupted write or upload are never part of the state (and, with the
        // lock held, belong to no live process).
        remove_matching(&dir, |name| name.starts_with("state.json.tmp"));
        remove_matching(&dir.join(UPLOADS_DIR), |name| name.ends_with(".part"));
        let path = dir.join(STATE_FILE);
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
        let store = Store {
            dir,
            write_lock: tokio::sync::Mutex::new(()),
            parts: AtomicU64::new(0),
            lock: std::sync::Mutex::new(Some(lock)),
        };
        Ok((store, state))
    }

    /// Lets another process use the directory (also happens when the process exits).
    pub fn release(&self) {
        let mut lock = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = lock.take() {
            let _ = file.unlock();
        }
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join(STATE_FILE)
    }

    /// Where a completed upload's bytes live.
    pub fn upload_path(&self, input_id: &str) -> PathBuf {
        self.dir.join(UPLOADS_DIR).join(input_id)
    }

    /// A fresh temporary path for bytes still arriving (renamed to [`Store::upload_path`]).
    pub fn part_path(&self, input_id: &str) -> PathBuf {
        let n = self.parts.fetch_add(1, Ordering::Relaxed);
        self.dir
            .join(UPLOADS_DIR)
            .join(format!("{input_id}.{}-{n}.part", std::process::id()))
    }
}

/// Takes `<dir>/sandbox.lock` without waiting and writes this process's pid into it; when another
/// process holds it, says which.
fn lock_dir(dir: &Path) -> Result<File, String> {
    let path = dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.chars().all(|c| c.is_ascii_digit()) && !holder.is_empty() {
                format!("process {holder}")
            } else {
                "another process".to_string()
            };
            return Err(format!(
                "{} is in use by {who} (its lock {} is held); stop that sandbox or use another --sandbox-dir.",
                dir.display(),
                path.display()
            ));
        }
        Err(TryLockError::Error(e)) => {
            return Err(format!("cannot lock {}: {e}", path.display()));
        }
    }
    let pid = std::process::id().to_string();
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(pid.as_bytes()))
        .and_then(|()| file.sync_all());
    written.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(file)
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
        store.release();
        let (_, again) = Store::open(dir.clone()).unwrap();
        assert_eq!(again.next_seq, 7);
        let names = file_names(&dir);
        assert!(!names.iter().any(|n| n.contains(".tmp")), "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_locked_directory_is_refused_with_the_holders_pid() {
        let dir = temp_dir("lock");
        let (first, _) = Store::open(dir.clone()).unwrap();
        // A leftover temp file of the holder is not touched by the refused opener.
        std::fs::write(dir.join("state.json.tmp-999"), b"in flight").unwrap();
        let err = Store::open(dir.clone()).unwrap_err();
        assert!(
            err.contains(&format!("in use by process {}", std::process::id())),
            "{err}"
        );
        assert!(dir.join("state.json.tmp-999").exists());
        first.release();
        let (_second, _) = Store::open(dir.clone()).unwrap();
        assert!(!dir.join("state.json.tmp-999").exists());
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

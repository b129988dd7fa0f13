//! Persistence of a sandbox directory: `state.json` (written whole, crash-safe: temp file in the
//! same directory, fsync, rename) and the uploaded bytes under `uploads/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::state::{State, now_ms};

const STATE_FILE: &str = "state.json";
const UPLOADS_DIR: &str = "uploads";

#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    /// One state write at a time, so the newest snapshot is always written last.
    pub write_lock: tokio::sync::Mutex<()>,
    parts: AtomicU64,
}

impl Store {
    /// Opens (creating) the directory and loads its state. A missing state file is an empty state;
    /// an unreadable one is moved aside to `state.json.corrupt-<ms>` and the sandbox starts empty.
    pub fn open(dir: PathBuf) -> Result<(Store, State), String> {
        std::fs::create_dir_all(dir.join(UPLOADS_DIR))
            .map_err(|e| format!("cannot create {}: {e}", dir.join(UPLOADS_DIR).display()))?;
        // Leftovers of an interrupted write or upload are never part of the state.
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
        };
        Ok((store, state))
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

//! Which files the window may have the app read or write: the ones the person picked in a
//! file dialog (or dropped on the window) since the app started, and anything inside the
//! app's own import and export folders. A page that was tricked into asking for
//! `~/.ssh/id_rsa` or into overwriting `~/.bashrc` gets a plain refusal.
//!
//! Tauri-free: the shell records picks (its dialog commands and drop events), the command
//! bodies in `ops.rs` check paths here, and tests drive both directly.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{AppError, AppResult, ShellErrorCode};

/// Paths granted by the person, and the app's own folders.
#[derive(Debug, Default)]
pub struct PathGrants {
    folders: Vec<PathBuf>,
    read: Mutex<HashSet<PathBuf>>,
    write: Mutex<HashSet<PathBuf>>,
}

impl PathGrants {
    /// `folders` are the app's own (created if missing); anything inside them is allowed.
    pub fn new(folders: Vec<PathBuf>) -> PathGrants {
        let folders = folders
            .into_iter()
            .filter_map(|f| {
                std::fs::create_dir_all(&f).ok()?;
                f.canonicalize().ok()
            })
            .collect();
        PathGrants {
            folders,
            ..PathGrants::default()
        }
    }

    /// The person picked this file to open (dialog or drop).
    pub fn grant_read(&self, path: &Path) {
        if let Ok(real) = path.canonicalize() {
            lock(&self.read).insert(real);
        }
    }

    /// The person chose this place to save to.
    pub fn grant_write(&self, path: &Path) {
        if let Some(real) = write_target(path) {
            lock(&self.write).insert(real);
        }
    }

    /// The file to read, when the person picked it or it is in the app's folders.
    pub fn readable(&self, path: &Path) -> AppResult<PathBuf> {
        let real = path.canonicalize().map_err(|e| {
            AppError::from(finder::FinderError::FileUnreadable {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        })?;
        if lock(&self.read).contains(&real) || self.in_own_folder(&real) {
            Ok(real)
        } else {
            Err(self.refusal(path))
        }
    }

    /// The place to write, when the person chose it or it is in the app's folders.
    pub fn writable(&self, path: &Path) -> AppResult<PathBuf> {
        let real = write_target(path).ok_or_else(|| self.refusal(path))?;
        if lock(&self.write).contains(&real) || self.in_own_folder(&real) {
            Ok(real)
        } else {
            Err(self.refusal(path))
        }
    }

    fn in_own_folder(&self, real: &Path) -> bool {
        self.folders
            .iter()
            .any(|folder| real.starts_with(folder) && real != folder)
    }

    fn refusal(&self, path: &Path) -> AppError {
        let folders = self
            .folders
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        AppError::new(
            ShellErrorCode::PathNotAllowed,
            format!(
                "Comment Finder only opens and saves files you choose with its file window (or drop on it), or files in its own folders ({folders}). {} was not chosen that way: use \"Choose a file…\" instead.",
                path.display()
            ),
        )
    }
}

/// Where a write really lands: the real folder (links resolved) and the file name. `None`
/// without a file name or an existing folder.
fn write_target(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let target = parent.canonicalize().ok()?.join(name);
    // An existing link would be replaced by the save, not followed; refuse it all the same
    // rather than reason about it.
    match std::fs::symlink_metadata(&target) {
        Ok(meta) if meta.file_type().is_symlink() => None,
        _ => Some(target),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_picked_files_and_the_apps_folders() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("data/imports");
        let grants = PathGrants::new(vec![own.clone()]);
        let elsewhere = dir.path().join("home");
        std::fs::create_dir_all(&elsewhere).unwrap();
        let secret = elsewhere.join("id_rsa");
        std::fs::write(&secret, "secret").unwrap();
        let in_own = own.join("posts.json");
        std::fs::write(&in_own, "[]").unwrap();

        // Not picked: refused, for reading and for writing.
        assert_eq!(
            grants.readable(&secret).unwrap_err().code,
            "path_not_allowed"
        );
        assert_eq!(
            grants
                .writable(&elsewhere.join(".bashrc"))
                .unwrap_err()
                .code,
            "path_not_allowed"
        );
        // `..` and links do not lead out of the app's folder.
        let sneaky = own.join("../../home/id_rsa");
        assert_eq!(
            grants.readable(&sneaky).unwrap_err().code,
            "path_not_allowed"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&secret, own.join("link.json")).unwrap();
            assert!(grants.readable(&own.join("link.json")).is_err());
            assert!(grants.writable(&own.join("link.json")).is_err());
        }
        // The app's own folder: allowed.
        assert!(grants.readable(&in_own).is_ok());
        assert!(grants.writable(&own.join("out.csv")).is_ok());

        // Picked in the dialog: allowed, for that use only.
        grants.grant_read(&secret);
        assert!(grants.readable(&secret).is_ok());
        assert!(
            grants.writable(&secret).is_err(),
            "picked to open, not to save"
        );
        let out = elsewhere.join("today.csv");
        grants.grant_write(&out);
        assert!(grants.writable(&out).is_ok());
        assert!(grants.writable(&elsewhere.join("other.csv")).is_err());
    }
}

//! Where the repository's files are (`.git` directory or file, worktrees, the environment git
//! gives hooks) and what `HEAD` points at (loose or packed refs).

use super::Oid;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Dirs {
    /// The per-worktree git directory (`HEAD`, `index`).
    pub git_dir: PathBuf,
    /// The shared one (`objects`, `refs`, `packed-refs`, `config`).
    pub common_dir: PathBuf,
    pub index: PathBuf,
}

fn env_path(name: &str, cwd: &Path) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(|v| cwd.join(v))
}

/// The repository's directories as git would find them from `root`, or `None` for a layout
/// this reader declines (objects redirected by the environment, SHA-256 objects, reftable).
pub fn locate(root: &Path) -> Option<Dirs> {
    if ["GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
    {
        return None;
    }
    let cwd = std::env::current_dir().ok()?;
    let git_dir = match env_path("GIT_DIR", &cwd) {
        Some(d) => d,
        None => {
            let dot = root.join(".git");
            if dot.is_dir() {
                dot
            } else {
                let text = std::fs::read_to_string(&dot).ok()?;
                root.join(text.strip_prefix("gitdir:")?.trim())
            }
        }
    };
    let common_dir = match env_path("GIT_COMMON_DIR", &cwd) {
        Some(d) => d,
        None => match std::fs::read_to_string(git_dir.join("commondir")) {
            Ok(rel) => git_dir.join(rel.trim()),
            Err(_) => git_dir.clone(),
        },
    };
    let index = env_path("GIT_INDEX_FILE", &cwd).unwrap_or_else(|| git_dir.join("index"));
    // `extensions.objectFormat` (SHA-256) and `extensions.refStorage` (reftable) change the
    // formats read here. A config that mentions either, or a reftable directory, is declined.
    let config = std::fs::read_to_string(common_dir.join("config"))
        .ok()?
        .to_ascii_lowercase();
    if config.contains("objectformat")
        || config.contains("refstorage")
        || common_dir.join("reftable").exists()
    {
        return None;
    }
    Some(Dirs {
        git_dir,
        common_dir,
        index,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Head {
    /// The branch has no commit yet.
    Unborn,
    Commit(Oid),
}

/// Refs that live in the worktree's own git directory rather than the shared one.
fn per_worktree(name: &str) -> bool {
    !name.starts_with("refs/")
        || ["refs/bisect/", "refs/worktree/", "refs/rewritten/"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// What `HEAD` points at, `None` when it cannot be told without git.
pub fn head_commit(d: &Dirs) -> Option<Head> {
    let mut name = "HEAD".to_string();
    for _ in 0..8 {
        let dir = if per_worktree(&name) {
            &d.git_dir
        } else {
            &d.common_dir
        };
        let text = match std::fs::read_to_string(dir.join(&name)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if name == "HEAD" {
                    return None;
                }
                return match packed(d, &name)? {
                    Some(oid) => Some(Head::Commit(oid)),
                    None => Some(Head::Unborn),
                };
            }
            Err(_) => return None,
        };
        let text = text.trim_end();
        match text.strip_prefix("ref:") {
            Some(target) => name = target.trim().to_string(),
            None => return super::parse_hex(text.as_bytes()).map(Head::Commit),
        }
    }
    None
}

/// A ref in `packed-refs`: `Some(None)` when the file does not list it.
fn packed(d: &Dirs, name: &str) -> Option<Option<Oid>> {
    let text = match std::fs::read_to_string(d.common_dir.join("packed-refs")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(None),
        Err(_) => return None,
    };
    for line in text.lines() {
        if let Some((hex, n)) = line.split_once(' ')
            && n == name
        {
            return super::parse_hex(hex.as_bytes()).map(Some);
        }
    }
    Some(None)
}

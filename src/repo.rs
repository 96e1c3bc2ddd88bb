//! Reading files of the repository under judgement: size limits, UTF-8, and never a path
//! that leads outside the repository root.

use crate::decide::EvidenceStatus;
use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// Reads a document as UTF-8 text within the size limit.
pub fn read_text(path: &Path, shown: &str, limit: u64) -> Result<String> {
    use std::io::Read;
    // Open once and ask the open file its size: one path lookup per document.
    let file = std::fs::File::open(path).map_err(|e| Error::io(shown, e))?;
    let meta = file.metadata().map_err(|e| Error::io(shown, e))?;
    if meta.len() > limit {
        return Err(Error::input(
            shown,
            1,
            1,
            format!(
                "file is {} bytes, above the limit of {limit} bytes (limits.max_file_size)",
                meta.len()
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    // At most one byte past the limit: a file that grew since is still caught by decode_text.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(shown, e))?;
    decode_text(bytes, shown, limit)
}

/// Checks a document's bytes: within the size limit, UTF-8.
pub fn decode_text(bytes: Vec<u8>, shown: &str, limit: u64) -> Result<String> {
    if bytes.len() as u64 > limit {
        return Err(Error::input(
            shown,
            1,
            1,
            format!(
                "file is {} bytes, above the limit of {limit} bytes (limits.max_file_size)",
                bytes.len()
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = upto.iter().rev().take_while(|&&b| b != b'\n').count() as u32 + 1;
        Error::input(
            shown,
            line,
            col,
            "invalid UTF-8: expected a UTF-8 text document",
        )
    })
}

/// Resolves a repository-relative path written in a document. `None` when it would lead
/// outside the root (absolute, `..` above the root, or a link pointing out).
pub fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    resolve_with_meta(root, rel).map(|(p, _)| p)
}

/// [`resolve`], with the metadata of what the path names (a link followed), `None` when
/// nothing is there: the `lstat` made to look for links answers most of it.
fn resolve_with_meta(root: &Path, rel: &str) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
    let p = Path::new(rel);
    let mut depth = 0i32;
    for c in p.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    let joined = root.join(p);
    let Ok(lstat) = std::fs::symlink_metadata(&joined) else {
        return Some((joined, None));
    };
    let meta = if lstat.file_type().is_symlink() {
        std::fs::metadata(&joined).ok()
    } else {
        Some(lstat.clone())
    };
    if let Some(real) = real_path(&joined, &lstat) {
        let real_root = canonical_dir(root).unwrap_or_else(|| root.to_path_buf());
        if !real.starts_with(&real_root) {
            return None;
        }
    }
    Some((joined, meta))
}

/// Canonical directories already resolved: evidence of many incidents shares directories, and
/// resolving every component of every path again (a `readlink` per component) dominated the
/// cost of a whole-repository check.
fn canonical_dir(dir: &Path) -> Option<PathBuf> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static DIRS: OnceLock<Mutex<HashMap<PathBuf, Option<PathBuf>>>> = OnceLock::new();
    let dirs = DIRS.get_or_init(Default::default);
    if let Some(hit) = dirs.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
        return hit.clone();
    }
    // From the parent's canonical form when this directory is not a link: one `lstat` per
    // new directory instead of a `readlink` per component.
    let real = match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name)) if std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) => {
            canonical_dir(parent).map(|p| p.join(name))
        }
        _ => std::fs::canonicalize(dir).ok(),
    };
    dirs.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(dir.to_path_buf(), real.clone());
    real
}

/// Where `path` (whose `lstat` is `meta`) really is, links resolved. The directory part comes
/// from the cache; the last component is followed when it is a link.
fn real_path(path: &Path, meta: &std::fs::Metadata) -> Option<PathBuf> {
    if meta.file_type().is_symlink() {
        return std::fs::canonicalize(path).ok();
    }
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => Some(canonical_dir(dir)?.join(name)),
        // `..` or `.` at the end: let the system resolve it.
        _ => std::fs::canonicalize(path).ok(),
    }
}

/// What the gate can say about an evidence path.
pub fn evidence_status(root: &Path, rel: &str) -> EvidenceStatus {
    match resolve_with_meta(root, rel) {
        None => EvidenceStatus::OutsideRepository,
        Some((p, meta)) => match meta {
            None => EvidenceStatus::Missing,
            Some(m) if m.is_file() && m.len() == 0 => EvidenceStatus::Empty,
            Some(m) if m.is_dir() => {
                let non_empty = std::fs::read_dir(&p).is_ok_and(|mut d| d.next().is_some());
                if non_empty {
                    EvidenceStatus::Present
                } else {
                    EvidenceStatus::Empty
                }
            }
            Some(_) => EvidenceStatus::Present,
        },
    }
}

/// Whether a `rollback:` value names a file rather than describing the rollback in words.
pub fn looks_like_path(s: &str) -> bool {
    let s = s.trim();
    !s.contains(char::is_whitespace)
        && (s.contains('/')
            || [".md", ".yaml", ".yml", ".json", ".txt", ".sh"]
                .iter()
                .any(|e| s.ends_with(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_escape_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/x.md"), "x").unwrap();
        std::fs::write(root.join("a/empty.md"), "").unwrap();
        assert_eq!(evidence_status(root, "a/x.md"), EvidenceStatus::Present);
        assert_eq!(
            evidence_status(root, "a/../a/x.md"),
            EvidenceStatus::Present
        );
        assert_eq!(evidence_status(root, "a/empty.md"), EvidenceStatus::Empty);
        assert_eq!(evidence_status(root, "a/nope.md"), EvidenceStatus::Missing);
        assert_eq!(
            evidence_status(root, "../etc/passwd"),
            EvidenceStatus::OutsideRepository
        );
        assert_eq!(
            evidence_status(root, "/etc/passwd"),
            EvidenceStatus::OutsideRepository
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc", root.join("link")).unwrap();
            assert_eq!(
                evidence_status(root, "link/passwd"),
                EvidenceStatus::OutsideRepository
            );
        }
    }

    #[test]
    fn invalid_utf8_and_size_limit_are_input_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.md");
        std::fs::write(&p, b"ok\nbad \xff here").unwrap();
        let e = read_text(&p, "f.md", 1000).unwrap_err().to_string();
        assert!(e.starts_with("f.md:2:5: invalid UTF-8"), "{e}");
        let e = read_text(&p, "f.md", 3).unwrap_err().to_string();
        assert!(e.contains("above the limit"), "{e}");
    }

    #[test]
    fn rollback_values() {
        assert!(looks_like_path("specs/a/rollback.md"));
        assert!(looks_like_path("rollback.md"));
        assert!(!looks_like_path(
            "restore the previous ReplicaSet and page on-call"
        ));
    }
}

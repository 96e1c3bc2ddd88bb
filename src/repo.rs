//! Reading files of the repository under judgement: size limits, UTF-8, and never a path
//! that leads outside the repository root.

use crate::decide::EvidenceStatus;
use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// Reads a document as UTF-8 text within the size limit. Only a regular file is read (a FIFO
/// or a device would block or never end: it is opened without waiting and refused by what the
/// open file is), its size is checked before a byte is read, and the read itself stops one
/// byte past the limit.
pub fn read_text(path: &Path, shown: &str, limit: u64) -> Result<String> {
    let bytes = read_bounded(path, shown, limit)?;
    decode_text(bytes, shown, limit)
}

/// The bytes of a regular file of at most `limit` bytes (links followed).
pub fn read_bounded(path: &Path, shown: &str, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = open_nonblocking(path).map_err(|e| Error::io(shown, e))?;
    // Asked of the open file, not of the path: what was opened is what is judged.
    let meta = file.metadata().map_err(|e| Error::io(shown, e))?;
    check_regular(&meta, shown, limit)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    // At most one byte past the limit: a file that grew since is still caught by decode_text.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(shown, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(shown, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// `path` relative to the working directory when it lies below it (as the repository usually
/// does), else `path` itself: the system then looks up three names instead of the eight or so
/// of the absolute path, for each of the hundreds of thousands of opens and `lstat`s of a
/// whole-repository check. The working directory is read once; sddgate never changes it.
fn short(path: &Path) -> &Path {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    match CWD.get_or_init(|| std::env::current_dir().ok()) {
        Some(cwd) if path.is_absolute() => match path.strip_prefix(cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel,
            _ => path,
        },
        _ => path,
    }
}

/// Opens `path` for reading without waiting: opening a FIFO for reading would otherwise block
/// until a writer appears. `O_NONBLOCK` changes nothing for a regular file, and anything else
/// is refused after the open by its `fstat`, before a byte is read (elsewhere than Unix a
/// plain open: no FIFO there blocks an open).
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let path = short(path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
    }
    #[cfg(not(unix))]
    {
        std::fs::File::open(path)
    }
}

fn check_regular(meta: &std::fs::Metadata, shown: &str, limit: u64) -> Result<()> {
    if !meta.is_file() {
        return Err(Error::input(
            shown,
            1,
            1,
            format!(
                "is {}, not a regular file: expected a text document",
                kind_words(meta)
            ),
        ));
    }
    if meta.len() > limit {
        return Err(too_big(shown, meta.len(), limit));
    }
    Ok(())
}

fn too_big(shown: &str, size: u64, limit: u64) -> Error {
    Error::input(
        shown,
        1,
        1,
        format!(
            "file is {size} bytes, above the limit of {limit} bytes: not read (raise `limits.max_file_size` in .sddgate.yml to read larger documents)"
        ),
    )
}

/// What a non-regular file is, in words.
fn kind_words(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Checks a document's bytes: within the size limit, UTF-8, no NUL byte (binary data is not a
/// document). A leading UTF-8 byte order mark is dropped, so positions are those an editor
/// shows.
pub fn decode_text(mut bytes: Vec<u8>, shown: &str, limit: u64) -> Result<String> {
    if bytes.len() as u64 > limit {
        return Err(too_big(shown, bytes.len() as u64, limit));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = upto.iter().rev().take_while(|&&b| b != b'\n').count() as u32 + 1;
        Error::input(
            shown,
            line,
            col,
            format!(
                "invalid UTF-8 at byte {}: expected a UTF-8 text document",
                upto.len()
            ),
        )
    })?;
    if let Some(at) = text.find('\0') {
        let before = &text[..at];
        let line = before.matches('\n').count() as u32 + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
        return Err(Error::input(
            shown,
            line,
            col,
            format!("NUL byte at byte {at}: expected a text document, not binary data"),
        ));
    }
    Ok(text)
}

/// Resolves a repository-relative path written in a document. `None` when it would lead
/// outside the root (absolute, `..` above the root, a link pointing out, a link loop) or is
/// not a plain relative path at all (see [`refused_spelling`]).
pub fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    resolve_with_meta(root, rel).map(|(p, _)| p)
}

/// Whether a regular file inside the root is at `rel` (a link inside the root followed): the
/// `lstat` made to look for links answers it, without a second `stat`.
pub fn is_regular_file(root: &Path, rel: &str) -> bool {
    matches!(resolve_with_meta(root, rel), Some((_, Some(m))) if m.is_file())
}

/// Spellings refused before the file system is asked: they are either not paths on this
/// system or mean something else to another reader of the same text.
/// - a NUL byte (no file has one in its name);
/// - a backslash (a Windows separator: `..\x` is `../x` there);
/// - a drive prefix (`C:`), a leading `~` (a home directory to a shell);
/// - percent-encoded dots, slashes or backslashes (`%2e%2e/`: a URL reader decodes them).
pub fn refused_spelling(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    rel.contains('\0')
        || rel.contains('\\')
        || rel.starts_with('~')
        || rel.as_bytes().get(1) == Some(&b':') && rel.as_bytes()[0].is_ascii_alphabetic()
        || ["%2e", "%2f", "%5c", "%00"]
            .iter()
            .any(|e| lower.contains(e))
}

/// [`resolve`], with the metadata of what the path names (a link followed), `None` when
/// nothing is there: the `lstat` made to look for links answers most of it.
fn resolve_with_meta(root: &Path, rel: &str) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
    if refused_spelling(rel) {
        return None;
    }
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
    let Ok(lstat) = std::fs::symlink_metadata(short(&joined)) else {
        // Nothing there, or a component is a dangling link, a loop or not a directory: where
        // the path leads is found by walking it.
        return match walk(root, p) {
            Walked::Inside => Some((joined, None)),
            Walked::Outside => None,
        };
    };
    let meta = if lstat.file_type().is_symlink() {
        std::fs::metadata(short(&joined)).ok()
    } else {
        Some(lstat.clone())
    };
    match real_path(&joined, &lstat) {
        Some(real) => {
            let real_root = canonical_dir(root).unwrap_or_else(|| root.to_path_buf());
            if !real.starts_with(&real_root) {
                return None;
            }
        }
        // A link that cannot be resolved (dangling, a loop): walked to see where it leads.
        None => {
            if walk(root, p) == Walked::Outside {
                return None;
            }
        }
    }
    Some((joined, meta))
}

#[derive(Debug, PartialEq)]
enum Walked {
    /// Ends inside the root (whether or not something is there).
    Inside,
    /// Leads outside the root, or loops.
    Outside,
}

/// Follows `rel` from the root one component at a time, reading each link's target instead of
/// letting the system follow it, so a dangling link, a loop (more than 40 links) or a path
/// through a directory outside the root is told apart from a plain missing file. Only names
/// are looked up (`lstat`, `readlink`): no file is opened. `..` is taken physically, as the
/// system does. A path that leaves the root through a link and comes back in is inside.
fn walk(root: &Path, rel: &Path) -> Walked {
    use std::collections::VecDeque;
    use std::ffi::OsString;
    let Some(real_root) = canonical_dir(root) else {
        return Walked::Outside;
    };
    let parts = |p: &Path| -> Vec<OsString> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_os_string()),
                Component::ParentDir => Some(OsString::from("..")),
                _ => None,
            })
            .collect()
    };
    let mut queue: VecDeque<OsString> = parts(rel).into();
    let mut cur = real_root.clone();
    let mut links = 0;
    while let Some(c) = queue.pop_front() {
        if c == ".." {
            cur.pop();
            continue;
        }
        let next = cur.join(&c);
        match std::fs::symlink_metadata(&next) {
            // Nothing further can exist: judged by where the walk stopped.
            Err(_) => break,
            Ok(m) if m.file_type().is_symlink() => {
                links += 1;
                let Ok(target) = std::fs::read_link(&next) else {
                    return Walked::Outside;
                };
                if links > 40 {
                    return Walked::Outside;
                }
                if target.has_root() {
                    cur = PathBuf::from("/");
                }
                for part in parts(&target).into_iter().rev() {
                    queue.push_front(part);
                }
            }
            Ok(_) => cur = next,
        }
    }
    if cur.starts_with(&real_root) {
        Walked::Inside
    } else {
        Walked::Outside
    }
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

/// What the gate can say about an evidence path. A file counts as evidence only when it has
/// substance (see [`has_substance`]); a directory when a file in it does; anything else (a
/// FIFO, a device, a socket) is never opened and counts as empty.
pub fn evidence_status(root: &Path, rel: &str) -> EvidenceStatus {
    match resolve_with_meta(root, rel) {
        None => EvidenceStatus::OutsideRepository,
        Some((p, meta)) => match meta {
            None => EvidenceStatus::Missing,
            Some(m) if m.is_file() => file_status(&p, m.len()),
            Some(m) if m.is_dir() => {
                let mut budget = DIR_BUDGET;
                if dir_has_substance(root, &p, 0, &mut budget) {
                    EvidenceStatus::Present
                } else {
                    EvidenceStatus::Empty
                }
            }
            Some(_) => EvidenceStatus::Empty,
        },
    }
}

/// [`evidence_status`] without reading a regular file that is not empty (present): for a file
/// the caller reads in full next and judges by [`has_substance`] itself. Anything else is
/// judged as evidence is.
pub fn evidence_status_unread(root: &Path, rel: &str) -> EvidenceStatus {
    match resolve_with_meta(root, rel) {
        Some((_, Some(m))) if m.is_file() && m.len() > 0 => EvidenceStatus::Present,
        _ => evidence_status(root, rel),
    }
}

/// How much of an evidence file is read to find substance.
pub const SUBSTANCE_PREFIX: usize = 64 * 1024;
/// Entries looked at below an evidence directory (at most three levels deep).
const DIR_BUDGET: usize = 256;

fn file_status(p: &Path, len: u64) -> EvidenceStatus {
    use std::io::Read;
    if len == 0 {
        return EvidenceStatus::Empty;
    }
    // The bytes the `lstat` announced, up to the prefix, and no further: no read to find the
    // end (a file that grew since is judged by what it held then, as a file that grows after
    // the read would be).
    let want = (len as usize).min(SUBSTANCE_PREFIX);
    let mut head = vec![0; want];
    // Not blocking: a FIFO swapped in since the `lstat` reads as nothing instead of hanging.
    let read = open_nonblocking(p).and_then(|mut f| {
        let mut filled = 0;
        while filled < want {
            match f.read(&mut head[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        head.truncate(filled);
        Ok(())
    });
    match read {
        Ok(_) if has_substance(&head) => EvidenceStatus::Present,
        Ok(_) => EvidenceStatus::Empty,
        // Listed but unreadable (permissions): nothing the gate can rely on.
        Err(_) => EvidenceStatus::Empty,
    }
}

/// Whether a directory holds a file with substance (links leading outside the root skipped).
fn dir_has_substance(root: &Path, dir: &Path, depth: u32, budget: &mut usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for entry in entries.flatten() {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let path = entry.path();
        let Some(rel) = path
            .strip_prefix(root)
            .ok()
            .and_then(|r| r.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let Some((p, Some(m))) = resolve_with_meta(root, &rel) else {
            continue;
        };
        if m.is_file() && file_status(&p, m.len()) == EvidenceStatus::Present
            || m.is_dir() && depth < 2 && dir_has_substance(root, &p, depth + 1, budget)
        {
            return true;
        }
    }
    false
}

/// Whether the first bytes of an evidence file say anything: a line that is not blank, not
/// only a Markdown heading, a rule or an empty HTML comment, and not a placeholder (`TODO`,
/// `TBD`, `FIXME`, `WIP`, `N/A`, `{}`, `[]`, `null`, `...`). A file whose first 64 KiB say
/// nothing is padding, whatever follows.
pub fn has_substance(head: &[u8]) -> bool {
    const PLACEHOLDERS: [&str; 12] = [
        "todo",
        "tbd",
        "fixme",
        "wip",
        "n/a",
        "na",
        "none",
        "placeholder",
        "xxx",
        "{}",
        "[]",
        "null",
    ];
    // Line by line, each decoded on its own: the answer is usually on the first lines.
    head.split(|&b| b == b'\n').any(|line| {
        let line = String::from_utf8_lossy(line);
        let t = line.trim().trim_start_matches('\u{feff}');
        if t.starts_with('#') {
            return false; // a heading alone is a title, not content
        }
        let t = t.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '-' | '*' | '_' | '=' | '.' | ':' | '`' | '>' | '|')
        });
        if t.is_empty() || t == "<!-- -->" || t == "<!---->" {
            return false;
        }
        !PLACEHOLDERS.contains(&t.to_lowercase().as_str())
    })
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

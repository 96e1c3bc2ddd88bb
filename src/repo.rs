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

/// [`read_text`] of a file a walk listed (see [`crate::discover::Listed`]), opened by
/// [`open_without_links`]. When a link was put in its path since the walk, the path is
/// resolved as any other: read through links that stay inside the repository, refused if they
/// lead out.
pub fn read_listed_text(root: &Path, rel: &str, shown: &str, limit: u64) -> Result<String> {
    let path = root.join(rel);
    let bytes = match read_bounded_by(&path, shown, limit, open_without_links) {
        Err(Error::Io { source, .. }) if is_link_refused(&source) => {
            if resolve(root, rel).is_none() {
                return Err(Error::input(
                    shown,
                    1,
                    1,
                    "became a link leading outside the repository while sddgate ran: not read",
                ));
            }
            read_bounded(&path, shown, limit)?
        }
        read => read?,
    };
    decode_text(bytes, shown, limit)
}

/// Whether [`open_without_links`] failed for a link on the way (or could not be made here).
fn is_link_refused(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return true;
    }
    e.kind() == std::io::ErrorKind::Unsupported
}

/// The bytes of a regular file of at most `limit` bytes (links followed).
pub fn read_bounded(path: &Path, shown: &str, limit: u64) -> Result<Vec<u8>> {
    read_bounded_by(path, shown, limit, open_nonblocking)
}

/// [`read_bounded`] of a file opened by `open`.
fn read_bounded_by(
    path: &Path,
    shown: &str,
    limit: u64,
    open: fn(&Path) -> std::io::Result<std::fs::File>,
) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = open(path).map_err(|e| Error::io(shown, e))?;
    // Asked of the open file, not of the path: what was opened is what is judged.
    let meta = file.metadata().map_err(|e| Error::io(shown, e))?;
    check_regular(&meta, shown, limit)?;
    // The bytes the open file's `stat` announced and no further: once they are in, no read is
    // made to find the end (one read instead of two for each of the tens of thousands of
    // documents of a whole-repository check); a file that grew since is judged by what it held
    // then, as evidence is. A size of 0 may be a file whose size the system does not know
    // (procfs): it is read to its end, up to one byte past the limit.
    let want = match meta.len() {
        0 => limit.saturating_add(1),
        n => n,
    };
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(want)
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
    static CWD: std::sync::OnceLock<Option<(PathBuf, bool)>> = std::sync::OnceLock::new();
    match CWD.get_or_init(|| {
        let cwd = std::env::current_dir().ok()?;
        let plain = is_plain_abs(cwd.as_os_str().as_encoded_bytes());
        Some((cwd, plain))
    }) {
        Some((cwd, plain)) => short_from(path, cwd, *plain),
        None => path,
    }
}

/// [`short`] for the working directory `cwd` (`plain` when [`is_plain_abs`]).
fn short_from<'p>(path: &'p Path, cwd: &Path, plain: bool) -> &'p Path {
    if !path.is_absolute() {
        return path;
    }
    // The bytes after `cwd/` when they are plain names: exactly what `strip_prefix` returns,
    // found without comparing component by component.
    #[cfg(unix)]
    if plain
        && let Some(rest) = path
            .as_os_str()
            .as_encoded_bytes()
            .strip_prefix(cwd.as_os_str().as_encoded_bytes())
            .and_then(|r| r.strip_prefix(b"/"))
        && is_plain_rel(rest)
    {
        use std::os::unix::ffi::OsStrExt;
        return Path::new(std::ffi::OsStr::from_bytes(rest));
    }
    let _ = plain;
    short_by_components(path, cwd)
}

/// [`short`] by `strip_prefix`, for any spelling.
fn short_by_components<'p>(path: &'p Path, cwd: &Path) -> &'p Path {
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel,
        _ => path,
    }
}

/// The bytes of `path` after `root/` when `root` is a plain absolute path and they are plain
/// names (see [`is_plain_rel`]): then exactly what `path.strip_prefix(root)` returns.
pub(crate) fn plain_below<'p>(root: &Path, path: &'p Path) -> Option<&'p [u8]> {
    let root = root.as_os_str().as_encoded_bytes();
    let rest = path
        .as_os_str()
        .as_encoded_bytes()
        .strip_prefix(root)?
        .strip_prefix(b"/")?;
    (is_plain_abs(root) && is_plain_rel(rest)).then_some(rest)
}

/// `path.starts_with(base)`, on bytes when both are plain absolute paths (as canonical ones
/// other than `/` are): then a prefix of components is a prefix of bytes ending at a `/`.
fn starts_with(path: &Path, base: &Path) -> bool {
    let (p, b) = (
        path.as_os_str().as_encoded_bytes(),
        base.as_os_str().as_encoded_bytes(),
    );
    if is_plain_abs(p) && is_plain_abs(b) {
        return p
            .strip_prefix(b)
            .is_some_and(|rest| rest.is_empty() || rest[0] == b'/');
    }
    path.starts_with(base)
}

/// Whether `rel` is one or more plain names joined by single slashes: no empty name (`//`, a
/// leading or trailing `/`), no `.` and no `..`. For such a path every `std::path` operation
/// (components, parent, file name, join, prefix) is the same as the operation on its bytes.
fn is_plain_rel(rel: &[u8]) -> bool {
    !rel.is_empty()
        && every_segment(rel, |name| {
            !name.is_empty() && name != b"." && name != b".."
        })
}

/// Whether `ok` holds for every `/`-separated segment of `bytes`, as `bytes.split(|&b| b ==
/// b'/').all(ok)` (this runs for every path of every document of a whole-repository check:
/// one plain loop, no iterator of slices; paths are too short for `memchr` to pay).
pub(crate) fn every_segment(bytes: &[u8], ok: impl Fn(&[u8]) -> bool) -> bool {
    let mut start = 0;
    for (at, &b) in bytes.iter().enumerate() {
        if b == b'/' {
            if !ok(&bytes[start..at]) {
                return false;
            }
            start = at + 1;
        }
    }
    ok(&bytes[start..])
}

/// Whether `path` is `/` followed by a plain relative path (see [`is_plain_rel`]), as a
/// canonical path other than `/` itself is.
fn is_plain_abs(path: &[u8]) -> bool {
    path.strip_prefix(b"/").is_some_and(is_plain_rel)
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
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
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
    let b = rel.as_bytes();
    // `%` followed by one of the encodings, whatever the case of its letter.
    let encoded = |at: usize| {
        matches!(
            (b.get(at + 1), b.get(at + 2).map(u8::to_ascii_lowercase)),
            (Some(b'2'), Some(b'e' | b'f')) | (Some(b'5'), Some(b'c')) | (Some(b'0'), Some(b'0'))
        )
    };
    memchr::memchr2(b'\0', b'\\', b).is_some()
        || b.first() == Some(&b'~')
        || b.get(1) == Some(&b':') && b[0].is_ascii_alphabetic()
        || memchr::memchr_iter(b'%', b).any(encoded)
}

/// [`resolve`], with the metadata of what the path names (a link followed), `None` when
/// nothing is there: the `lstat` made to look for links answers most of it.
fn resolve_with_meta(root: &Path, rel: &str) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
    if refused_spelling(rel) {
        return None;
    }
    #[cfg(unix)]
    if is_plain_rel(rel.as_bytes()) && is_plain_abs(root.as_os_str().as_encoded_bytes()) {
        return resolve_plain(root, rel);
    }
    resolve_any(root, rel)
}

/// [`resolve_with_meta`] of a spelling that is not refused, by `std::path` components: any
/// spelling, and the reference of [`resolve_plain`].
fn resolve_any(root: &Path, rel: &str) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
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
    judge_found(root, p, joined, lstat)
}

/// The rest of [`resolve_any`] once something is found at `joined` (`root` joined with `p`)
/// and `lstat` tells what.
fn judge_found(
    root: &Path,
    p: &Path,
    joined: PathBuf,
    lstat: std::fs::Metadata,
) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
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

/// [`resolve_any`] of a plain path below a plain root (see [`is_plain_rel`]), with the same
/// answers: nothing can lead above the root by its spelling, the directory part and the last
/// name are byte slices, and whether the directory lies inside the root is remembered for the
/// next path of the same directory (the evidence of one incident usually shares one).
#[cfg(unix)]
fn resolve_plain(root: &Path, rel: &str) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
    let joined = root.join(rel);
    let Ok(lstat) = std::fs::symlink_metadata(short(&joined)) else {
        return match walk(root, Path::new(rel)) {
            Walked::Inside => Some((joined, None)),
            Walked::Outside => None,
        };
    };
    if lstat.file_type().is_symlink() {
        // The link itself is followed by the system (rare: judged as any spelling is).
        return judge_found(root, Path::new(rel), joined, lstat);
    }
    let (dir, name) = match rel.rfind('/') {
        Some(at) => (
            &joined.as_os_str().as_encoded_bytes()[..root.as_os_str().len() + 1 + at],
            &rel[at + 1..],
        ),
        None => (root.as_os_str().as_encoded_bytes(), rel),
    };
    match dir_inside(root, dir, name) {
        Some(true) => Some((joined, Some(lstat))),
        Some(false) => None,
        // The directory has no canonical form (a dangling link, a loop): walked.
        None => match walk(root, Path::new(rel)) {
            Walked::Outside => None,
            Walked::Inside => Some((joined, Some(lstat))),
        },
    }
}

/// Where a directory lies once resolved by [`canonical_dir`], as [`resolve_plain`] needs it.
#[cfg(unix)]
#[derive(Clone, Copy)]
enum DirPlace {
    /// No canonical form (a dangling link, a loop, nothing there).
    Unresolved,
    /// Its canonical form starts with the canonical root.
    Under,
    /// Elsewhere: only a file named as the root itself can still be inside.
    Aside,
}

#[cfg(unix)]
thread_local! {
    /// The places of the directories [`resolve_plain`] looked at on this thread, for one root,
    /// keyed by their bytes (equal bytes are an equal path), and that root's canonical form.
    /// [`canonical_dir`] never changes its answer for a directory once given, so neither does
    /// this.
    static PLACES: std::cell::RefCell<Places> = std::cell::RefCell::new(Default::default());
}

#[cfg(unix)]
#[derive(Default)]
struct Places {
    root: PathBuf,
    real_root: Option<PathBuf>,
    of: std::collections::HashMap<Vec<u8>, DirPlace>,
}

/// Whether `dir/name` (a regular file or directory, not a link) lies inside the root once
/// `dir` is resolved, as [`real_path`] and the check of [`resolve_any`] answer it; `None` when
/// `dir` has no canonical form.
#[cfg(unix)]
fn dir_inside(root: &Path, dir: &[u8], name: &str) -> Option<bool> {
    use std::os::unix::ffi::OsStrExt;
    let dir = Path::new(std::ffi::OsStr::from_bytes(dir));
    let real_root = || canonical_dir(root).unwrap_or_else(|| root.to_path_buf());
    let place = PLACES.with_borrow_mut(|places| {
        if places.root.as_os_str() != root.as_os_str() {
            places.root = root.to_path_buf();
            places.real_root = None;
            places.of.clear();
        }
        let key = dir.as_os_str().as_encoded_bytes();
        if let Some(&place) = places.of.get(key) {
            return place;
        }
        let place = match canonical_dir(dir) {
            None => DirPlace::Unresolved,
            Some(canon) if starts_with(&canon, places.real_root.get_or_insert_with(real_root)) => {
                DirPlace::Under
            }
            Some(_) => DirPlace::Aside,
        };
        places.of.insert(key.to_vec(), place);
        place
    });
    match place {
        DirPlace::Unresolved => None,
        DirPlace::Under => Some(true),
        // `canon/name` may be the root itself (a link to the root's parent on the way).
        DirPlace::Aside => Some(canonical_dir(dir)?.join(name).starts_with(real_root())),
    }
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
    // Keyed by the path's bytes: hashing a `Path` walks its components, and this map holds a
    // directory per incident (a spelling of the same directory with other bytes is merely
    // resolved again, to the same answer).
    static DIRS: OnceLock<Mutex<HashMap<Vec<u8>, Option<PathBuf>>>> = OnceLock::new();
    let dirs = DIRS.get_or_init(Default::default);
    let key = dir.as_os_str().as_encoded_bytes();
    if let Some(hit) = dirs.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
        return hit.clone();
    }
    // From the parent's canonical form when this directory is not a link: one `lstat` per
    // new directory instead of a `readlink` per component.
    let real = match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name))
            if std::fs::symlink_metadata(short(dir)).is_ok_and(|m| m.is_dir()) =>
        {
            canonical_dir(parent).map(|p| p.join(name))
        }
        _ => std::fs::canonicalize(dir).ok(),
    };
    dirs.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key.to_vec(), real.clone());
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

/// Whether a path written in a document may be looked up among the files a walk listed
/// ([`crate::discover::Listed`], which holds plain repository-relative paths only): a plain
/// relative path (see [`is_plain_rel`]) that is not a refused spelling, on a system that can
/// open it refusing links ([`opens_without_links`]). Anything else is resolved by
/// [`evidence_status`], which knows what every spelling means.
pub fn is_listed_spelling(rel: &str) -> bool {
    is_plain_rel(rel.as_bytes()) && !refused_spelling(rel) && opens_without_links()
}

/// [`evidence_status`] of `rel`, which the walk listed as a regular file reached through real
/// directories: the file is opened by [`open_without_links`] (no `lstat` of it or of its
/// directory first) and what was opened is asked what it is. Whatever changed since the walk
/// (a link in any component, a directory, a FIFO: opened without waiting, never read, or the
/// file gone) is judged by [`evidence_status`] as any path is.
pub fn listed_evidence_status(root: &Path, rel: &str) -> EvidenceStatus {
    let Ok(file) = open_without_links(&root.join(rel)) else {
        return evidence_status(root, rel);
    };
    match file.metadata() {
        Ok(m) if m.is_file() => head_status(file, m.len()),
        _ => evidence_status(root, rel),
    }
}

/// Opens `path` for reading without waiting (see [`open_nonblocking`]), the kernel refusing a
/// link in any of its components (`ELOOP`): what opens lies where its spelling says, below the
/// working directory or the root as spelled, with nothing left to resolve. Linux 5.6 and later
/// (`openat2`); elsewhere, or where it is refused (an older kernel, a seccomp filter), this is
/// never called: see [`opens_without_links`].
#[cfg(target_os = "linux")]
fn open_without_links(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{CWD, Mode, OFlags, ResolveFlags, openat2};
    let fd = openat2(
        CWD,
        short(path),
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
        ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
    )?;
    Ok(std::fs::File::from(fd))
}

#[cfg(not(target_os = "linux"))]
fn open_without_links(_: &Path) -> std::io::Result<std::fs::File> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Whether [`open_without_links`] works here, asked once per process by opening the working
/// directory with it.
fn opens_without_links() -> bool {
    static WORKS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WORKS.get_or_init(|| open_without_links(Path::new(".")).is_ok())
}

/// How much of an evidence file is read to find substance.
pub const SUBSTANCE_PREFIX: usize = 64 * 1024;
/// Entries looked at below an evidence directory (at most three levels deep).
const DIR_BUDGET: usize = 256;

fn file_status(p: &Path, len: u64) -> EvidenceStatus {
    if len == 0 {
        return EvidenceStatus::Empty;
    }
    // Not blocking: a FIFO swapped in since the `lstat` reads as nothing instead of hanging.
    match open_nonblocking(p) {
        Ok(f) => head_status(f, len),
        // Listed but unreadable (permissions): nothing the gate can rely on.
        Err(_) => EvidenceStatus::Empty,
    }
}

/// The status of an open evidence file of `len` bytes (as its `lstat` or `fstat` said) by its
/// first bytes.
fn head_status(mut f: std::fs::File, len: u64) -> EvidenceStatus {
    use std::io::Read;
    if len == 0 {
        return EvidenceStatus::Empty;
    }
    // The bytes the `stat` announced, up to the prefix, and no further: no read to find the
    // end (a file that grew since is judged by what it held then, as a file that grows after
    // the read would be).
    let want = (len as usize).min(SUBSTANCE_PREFIX);
    let mut head = vec![0; want];
    let mut filled = 0;
    while filled < want {
        match f.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // Unreadable: nothing the gate can rely on.
            Err(_) => return EvidenceStatus::Empty,
        }
    }
    head.truncate(filled);
    if has_substance(&head) {
        EvidenceStatus::Present
    } else {
        EvidenceStatus::Empty
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
    // Line by line, each decoded on its own: the answer is usually on the first lines.
    head.split(|&b| b == b'\n')
        .any(|line| match std::str::from_utf8(line) {
            Ok(text) => line_says_something(text),
            Err(_) => line_says_something(&String::from_utf8_lossy(line)),
        })
}

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

/// One line of [`has_substance`].
fn line_says_something(line: &str) -> bool {
    let t = line.trim().trim_start_matches('\u{feff}');
    if t.starts_with('#') {
        return false; // a heading alone is a title, not content
    }
    // Before the markers are trimmed: that trim eats the comment's closing `-->`.
    if is_empty_html_comment(t) {
        return false;
    }
    let t = t.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '*' | '_' | '=' | '.' | ':' | '`' | '>' | '|')
    });
    if t.is_empty() {
        return false;
    }
    // The lowercase of ASCII text is its ASCII lowercase: no new string needed.
    if t.is_ascii() {
        return !PLACEHOLDERS.iter().any(|p| t.eq_ignore_ascii_case(p));
    }
    // Lowercasing never makes fewer characters: past the longest placeholder's 11, none.
    if t.chars().nth(11).is_some() {
        return true;
    }
    !PLACEHOLDERS.contains(&t.to_lowercase().as_str())
}

/// `<!-- -->`, `<!---->`: an HTML comment with nothing but spaces in it.
fn is_empty_html_comment(t: &str) -> bool {
    t.strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inside| inside.trim().is_empty())
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
mod tests;

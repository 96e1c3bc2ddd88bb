//! Where the documents under judgement are read from: the working tree (`check`, `readiness`,
//! `dry-run`) or the git index (`hook run pre-commit`, so an unstaged fix cannot hide a staged
//! problem). Paths are repository-relative; nothing outside the root is ever read.

use crate::decide::EvidenceStatus;
use crate::error::{Error, Result};
use crate::gitdb;
use crate::repo;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The largest `limits.max_file_size` configured in this process (never below the default).
static CEILING: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(crate::config::DEFAULT_MAX_FILE_SIZE);

/// Raises the bound of [`Files::read_optional`] to a configured `limits.max_file_size`.
pub fn raise_read_ceiling(limit: u64) {
    CEILING.fetch_max(limit, std::sync::atomic::Ordering::Relaxed);
}

fn read_ceiling() -> u64 {
    CEILING.load(std::sync::atomic::Ordering::Relaxed)
}

#[derive(Debug, Default)]
pub enum Files {
    #[default]
    Worktree,
    Index(Box<IndexReader>),
}

impl Files {
    /// The staged content of the repository at `root`.
    pub fn index(root: &Path) -> Files {
        Files::Index(Box::new(IndexReader {
            root: root.to_path_buf(),
            fast: OnceLock::new(),
            state: Mutex::new(State::default()),
        }))
    }

    /// The in-process reader of the index, when reading the index and it understands this
    /// repository.
    pub fn gitdb(&self) -> Option<&gitdb::Repo> {
        match self {
            Files::Worktree => None,
            Files::Index(ix) => ix.fast(),
        }
    }

    /// Reads a document as UTF-8 text within the size limit. `path` is used in the working
    /// tree; `shown` (repository-relative) in the index.
    pub fn read_text(&self, path: &Path, shown: &str, limit: u64) -> Result<String> {
        match self {
            Files::Worktree => repo::read_text(path, shown, limit),
            Files::Index(ix) => match ix.blob(shown)? {
                Some(bytes) => repo::decode_text(bytes, shown, limit),
                None => Err(Error::io(
                    shown,
                    std::io::Error::new(std::io::ErrorKind::NotFound, "not in the git index"),
                )),
            },
        }
    }

    /// The bytes of a file, `None` when it does not exist (e.g. the trace log). Bounded by the
    /// largest `limits.max_file_size` this process was configured with (4 MiB by default): a
    /// file above it, or one that is not a regular file (a FIFO would block), is an error.
    pub fn read_optional(&self, path: &Path, shown: &str) -> Result<Option<Vec<u8>>> {
        self.read_optional_within(path, shown, read_ceiling())
    }

    /// [`Files::read_optional`] within `limit` bytes.
    pub fn read_optional_within(
        &self,
        path: &Path,
        shown: &str,
        limit: u64,
    ) -> Result<Option<Vec<u8>>> {
        match self {
            // Opened directly (no `stat` first): a missing file is the open's own answer.
            Files::Worktree => match repo::read_bounded(path, shown, limit) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                    Ok(None)
                }
                Err(e) => Err(e),
            },
            Files::Index(ix) => match ix.blob(shown)? {
                Some(b) if b.len() as u64 > limit => {
                    repo::decode_text(b, shown, limit).map(|_| None)
                }
                found => Ok(found),
            },
        }
    }

    /// What the gate can say about an evidence path written in a document.
    pub fn status(&self, root: &Path, rel: &str) -> EvidenceStatus {
        match self {
            Files::Worktree => repo::evidence_status(root, rel),
            Files::Index(ix) => {
                // Escapes are judged on the path and on the working tree's links (the index
                // stores a link as its target text, which is not followed here).
                if repo::resolve(root, rel).is_none() {
                    return EvidenceStatus::OutsideRepository;
                }
                let rel = crate::gate::normalize_rel(rel);
                if let Some(repo) = ix.fast() {
                    if let Some(e) = repo.index.find(rel.as_bytes())
                        && e.mode & 0o170000 == 0o120000
                    {
                        // A staged link: its blob is the target's name, not evidence.
                        return EvidenceStatus::OutsideRepository;
                    }
                    if repo.file_is_empty(&rel) == Some(true) {
                        return EvidenceStatus::Empty;
                    }
                }
                match ix.blob(&rel) {
                    Ok(Some(b))
                        if repo::has_substance(&b[..b.len().min(repo::SUBSTANCE_PREFIX)]) =>
                    {
                        EvidenceStatus::Present
                    }
                    Ok(Some(_)) => EvidenceStatus::Empty,
                    Ok(None) if ix.has_dir(&rel) => EvidenceStatus::Present,
                    _ => EvidenceStatus::Missing,
                }
            }
        }
    }

    /// [`Files::status`] of a file the caller reads in full right after and judges by its
    /// whole text: in the working tree a regular file that is not empty is present without
    /// its head being read; the index answers as [`Files::status`] does.
    pub fn status_unread(&self, root: &Path, rel: &str) -> EvidenceStatus {
        match self {
            Files::Worktree => repo::evidence_status_unread(root, rel),
            Files::Index(_) => self.status(root, rel),
        }
    }

    /// Whether a regular file inside the repository is at `rel` (a link leading out of it,
    /// or a staged link, is not).
    pub fn is_file(&self, root: &Path, rel: &str) -> bool {
        match self {
            Files::Worktree => repo::is_regular_file(root, rel),
            Files::Index(ix) => {
                if repo::resolve(root, rel).is_none() {
                    return false;
                }
                if let Some(repo) = ix.fast()
                    && let Some(e) = repo.index.find(rel.as_bytes())
                    && e.mode & 0o170000 == 0o120000
                {
                    return false;
                }
                matches!(ix.blob(rel), Ok(Some(_)))
            }
        }
    }
}

/// The index, read in process by [`gitdb`] when it understands the repository, else through a
/// long-lived `git cat-file --batch` reading `:path` (stage 0 of the index), with a cache.
#[derive(Debug)]
pub struct IndexReader {
    root: PathBuf,
    fast: OnceLock<Option<gitdb::Repo>>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    proc: Option<CatFile>,
    cache: HashMap<String, Option<Vec<u8>>>,
    dirs: HashMap<String, bool>,
}

#[derive(Debug)]
struct CatFile {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Drop for CatFile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl IndexReader {
    fn fast(&self) -> Option<&gitdb::Repo> {
        self.fast
            .get_or_init(|| gitdb::Repo::open(&self.root))
            .as_ref()
    }

    fn blob(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        if let Some(answer) = self.fast().and_then(|r| r.blob(rel)) {
            return Ok(answer);
        }
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(hit) = st.cache.get(rel) {
            return Ok(hit.clone());
        }
        if rel.contains('\n') {
            return Ok(None);
        }
        if st.proc.is_none() {
            st.proc = Some(self.spawn()?);
        }
        let git = |e: std::io::Error| Error::Usage(format!("reading the git index: {e}"));
        let proc = st.proc.as_mut().expect("spawned above");
        writeln!(proc.stdin, ":{rel}").map_err(git)?;
        proc.stdin.flush().map_err(git)?;
        let mut header = String::new();
        proc.stdout.read_line(&mut header).map_err(git)?;
        let fields: Vec<&str> = header.trim_end().split(' ').collect();
        let found = match fields.as_slice() {
            [_, "blob", size] => {
                let size: usize = size.parse().map_err(|_| {
                    Error::Usage(format!(
                        "git cat-file: unexpected header `{}`",
                        header.trim()
                    ))
                })?;
                if size as u64 > read_ceiling() {
                    // Never held in memory: skipped in bounded pieces, then refused.
                    std::io::copy(
                        &mut (&mut proc.stdout).take(size as u64 + 1),
                        &mut std::io::sink(),
                    )
                    .map_err(git)?;
                    return Err(Error::input(
                        rel,
                        1,
                        1,
                        format!(
                            "staged file is {size} bytes, above the limit of {} bytes: not read (raise `limits.max_file_size` in .sddgate.yml)",
                            read_ceiling()
                        ),
                    ));
                }
                let mut buf = vec![0u8; size + 1]; // content + trailing newline
                proc.stdout.read_exact(&mut buf).map_err(git)?;
                buf.pop();
                Some(buf)
            }
            [_, "missing"] | [_, "ambiguous"] => None,
            [_, _, size] => {
                // A submodule or other non-blob: skip its content.
                let size: u64 = size.parse().unwrap_or(0);
                std::io::copy(&mut (&mut proc.stdout).take(size + 1), &mut std::io::sink())
                    .map_err(git)?;
                None
            }
            _ if header.is_empty() => {
                st.proc = None;
                return Err(Error::Usage(
                    "git cat-file ended unexpectedly while reading the index".into(),
                ));
            }
            _ => None,
        };
        st.cache.insert(rel.to_string(), found.clone());
        Ok(found)
    }

    fn has_dir(&self, rel: &str) -> bool {
        if let Some(r) = self.fast() {
            return r.has_dir(rel);
        }
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&d) = st.dirs.get(rel) {
            return d;
        }
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["ls-files", "-z", "--cached", "--", rel])
            .output();
        let prefix = format!("{}/", rel.trim_end_matches('/'));
        let d = out.is_ok_and(|o| {
            o.stdout
                .split(|&b| b == 0)
                .any(|p| p.starts_with(prefix.as_bytes()))
        });
        st.dirs.insert(rel.to_string(), d);
        d
    }

    fn spawn(&self) -> Result<CatFile> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Usage(format!("the pre-commit hook needs git: {e}")))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(CatFile {
            child,
            stdin,
            stdout,
        })
    }
}

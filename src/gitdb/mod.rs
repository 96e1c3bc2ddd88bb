//! A reader of the few git files the pre-commit hook needs — the index and its cache-tree,
//! `HEAD`, and objects, loose or packed (deltas included) — so that the hook on a large
//! repository costs less than starting git itself.
//!
//! It answers or declines. Whatever it does not fully understand (a SHA-256 or reftable
//! repository, a split or sparse index, unmerged or intent-to-add entries, alternates or a
//! promisor remote, an object it cannot find) makes it return `None`, and the caller asks git
//! (`git diff --cached`, `git cat-file --batch`). It never guesses: a wrong answer here would
//! let a staged spec past the hook unjudged.

mod diff;
pub mod index;
pub mod odb;
pub mod refs;

pub use diff::{Change, ChangeKind};

use std::path::Path;

/// A SHA-1 object id.
pub type Oid = [u8; 20];

/// The id of the empty blob.
pub const EMPTY_BLOB: Oid = [
    0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2,
    0xe4, 0x8c, 0x53, 0x91,
];

/// The repository as the hook sees it: the index to be committed and the `HEAD` it will be
/// committed on.
#[derive(Debug)]
pub struct Repo {
    pub index: index::Index,
    odb: odb::Odb,
    /// `None` on an unborn branch (the initial commit).
    head_tree: Option<Oid>,
}

impl Repo {
    /// Opens the repository whose work tree is `root` (honouring `GIT_DIR`, `GIT_COMMON_DIR`
    /// and `GIT_INDEX_FILE` as git sets them for hooks), or `None` when it is not one this
    /// reader fully understands.
    pub fn open(root: &Path) -> Option<Repo> {
        let dirs = refs::locate(root)?;
        // No index file yet is an empty index (a repository where nothing was ever staged).
        let index = match std::fs::File::open(&dirs.index) {
            // Every page is read, so it is mapped populated: one system call instead of a page
            // fault per few pages.
            // SAFETY: git never rewrites an index in place (it renames a new file over it),
            // and a mapping of the old file stays valid after the rename.
            Ok(f) => index::parse(index::Bytes::Mapped(
                unsafe { memmap2::MmapOptions::new().map(&f) }.ok()?,
            ))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => index::Index::default(),
            Err(_) => return None,
        };
        let odb = odb::Odb::open(&dirs.common_dir.join("objects"))?;
        let head_tree = match refs::head_commit(&dirs)? {
            refs::Head::Unborn => None,
            refs::Head::Commit(c) => Some(odb::commit_tree(&odb.read(&c)?)?),
        };
        Some(Repo {
            index,
            odb,
            head_tree,
        })
    }

    /// The staged changes (`git diff --cached --no-renames --ignore-submodules`), or `None`
    /// when answering would need more than a few hundred tree objects (no cache-tree) or an
    /// object this reader cannot find.
    pub fn staged(&self) -> Option<Vec<Change>> {
        diff::staged(self, 512)
    }

    /// The staged content of a file: `Some(None)` when the index has no such file, `None`
    /// when this reader cannot tell.
    pub fn blob(&self, rel: &str) -> Option<Option<Vec<u8>>> {
        let Some(entry) = self.index.find(rel.as_bytes()) else {
            return Some(None);
        };
        if entry.is_gitlink() {
            return Some(None);
        }
        match self.odb.read(&entry.oid)? {
            odb::Object {
                kind: odb::Kind::Blob,
                data,
            } => Some(Some(data)),
            _ => None,
        }
    }

    /// Whether the index has a file at `rel` that is empty (`Some(true)`), non-empty
    /// (`Some(false)`), or no file there (`None`).
    pub fn file_is_empty(&self, rel: &str) -> Option<bool> {
        let e = self.index.find(rel.as_bytes())?;
        (!e.is_gitlink()).then_some(e.oid == EMPTY_BLOB)
    }

    /// Whether the index has files below `rel/`.
    pub fn has_dir(&self, rel: &str) -> bool {
        let mut prefix = rel.trim_end_matches('/').as_bytes().to_vec();
        prefix.push(b'/');
        !self.index.range_with_prefix(&prefix).is_empty()
    }

    pub(crate) fn odb(&self) -> &odb::Odb {
        &self.odb
    }

    pub(crate) fn head_tree(&self) -> Option<Oid> {
        self.head_tree
    }
}

/// Lower-case hex of an object id.
pub fn hex(oid: &Oid) -> String {
    use std::fmt::Write;
    oid.iter().fold(String::with_capacity(40), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Parses 40 hex digits.
pub fn parse_hex(s: &[u8]) -> Option<Oid> {
    if s.len() != 40 {
        return None;
    }
    let mut oid = [0u8; 20];
    for (i, pair) in s.chunks(2).enumerate() {
        let digit = |c: u8| (c as char).to_digit(16);
        oid[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(oid)
}

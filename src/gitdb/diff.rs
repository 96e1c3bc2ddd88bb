//! The staged changes: the index compared with `HEAD`'s tree, directory by directory, skipping
//! every directory whose cache-tree entry is valid and equal to `HEAD`'s tree for it. After a
//! commit, staging one file invalidates only its ancestors, so a commit touching one file of a
//! 40,000-file repository reads a handful of tree objects.

use super::index::{TreeNode, tree_order};
use super::odb::{self, Kind, TreeEntry};
use super::{Oid, Repo};
use std::cmp::Ordering;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: Vec<u8>,
    pub kind: ChangeKind,
}

struct Walk<'a> {
    repo: &'a Repo,
    out: Vec<Change>,
    /// Tree objects still allowed to be read.
    budget: usize,
}

pub fn staged(repo: &Repo, budget: usize) -> Option<Vec<Change>> {
    let mut w = Walk {
        repo,
        out: Vec::new(),
        budget,
    };
    let all = 0..repo.index.len();
    w.dir(b"", all, repo.index.cache_tree(), repo.head_tree())?;
    w.out.sort_by(|a, b| a.path.cmp(&b.path));
    Some(w.out)
}

/// Compares modes the way git does: a regular file is 644 or 755, whatever else is recorded.
fn canonical(mode: u32) -> u32 {
    match mode & 0o170000 {
        0o100000 if mode & 0o100 != 0 => 0o100755,
        0o100000 => 0o100644,
        t => t,
    }
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = dir.to_vec();
    p.extend_from_slice(name);
    p
}

impl Walk<'_> {
    fn tree(&mut self, oid: &Oid) -> Option<Vec<u8>> {
        self.budget = self.budget.checked_sub(1)?;
        let o = self.repo.odb().read(oid)?;
        (o.kind == Kind::Tree).then_some(o.data)
    }

    /// Compares the index entries `range` (all under `dir`, which is empty or ends in `/`)
    /// with the `HEAD` tree `head` of that directory: a merge of three lists in tree order
    /// (the index's children, the tree's entries, the cache-tree's subdirectories).
    fn dir(
        &mut self,
        dir: &[u8],
        range: Range<usize>,
        cache: Option<TreeNode<'_>>,
        head: Option<Oid>,
    ) -> Option<()> {
        if let (Some(c), Some(h)) = (cache, head)
            && c.oid() == Some(h)
        {
            return Some(());
        }
        let ix = &self.repo.index;
        let Some(head) = head else {
            // Nothing of this directory is in HEAD: every file is added.
            for i in range {
                if !ix.entry(i).is_gitlink() {
                    self.push(ix.path(i).to_vec(), ChangeKind::Added);
                }
            }
            return Some(());
        };
        let data = self.tree(&head)?;
        let entries = odb::tree_entries(&data)?;
        let mut h = 0;
        let mut kids = cache.into_iter().flat_map(|c| c.children()).peekable();
        let mut i = range.start;
        while i < range.end {
            let rest = &ix.path(i)[dir.len()..];
            let slash = rest.iter().position(|&c| c == b'/');
            let (name, is_dir) = match slash {
                Some(s) => (&rest[..s], true),
                None => (rest, false),
            };
            // HEAD entries before this child are gone from the index.
            while let Some(e) = entries.get(h)
                && tree_order(e.name, e.is_tree(), name, is_dir) == Ordering::Less
            {
                self.gone(dir, e)?;
                h += 1;
            }
            let same = entries
                .get(h)
                .filter(|e| e.name == name && e.is_tree() == is_dir)
                .copied();
            if same.is_some() {
                h += 1;
            }
            if is_dir {
                let sub = join(dir, &rest[..=name.len()]);
                let end = ix.end_of_prefix(i, range.end, &sub);
                while kids
                    .next_if(|k| tree_order(k.name(), true, name, true) == Ordering::Less)
                    .is_some()
                {}
                let child = kids.next_if(|k| k.name() == name);
                self.dir(&sub, i..end, child, same.map(|e| e.oid))?;
                i = end;
            } else {
                let e = ix.entry(i);
                let path = ix.path(i).to_vec();
                let head_link = same.is_some_and(|h| h.mode & 0o170000 == 0o160000);
                match same {
                    Some(h) if e.is_gitlink() || head_link => {
                        if e.is_gitlink() != head_link {
                            // A submodule replaced by a file or the reverse.
                            self.push_file(path.clone(), e.mode, ChangeKind::Added);
                            self.push_file(path, h.mode, ChangeKind::Deleted);
                        }
                    }
                    Some(h) => {
                        if h.oid != e.oid || canonical(h.mode) != canonical(e.mode) {
                            self.push(path, ChangeKind::Modified);
                        }
                    }
                    None => self.push_file(path, e.mode, ChangeKind::Added),
                }
                i += 1;
            }
        }
        for e in &entries[h..] {
            self.gone(dir, e)?;
        }
        Some(())
    }

    /// A `HEAD` entry the index no longer has.
    fn gone(&mut self, dir: &[u8], e: &TreeEntry<'_>) -> Option<()> {
        let path = join(dir, e.name);
        if e.is_tree() {
            self.deleted_tree(&join(&path, b"/"), &e.oid)
        } else {
            self.push_file(path, e.mode, ChangeKind::Deleted);
            Some(())
        }
    }

    /// Every file of a `HEAD` tree the index no longer has.
    fn deleted_tree(&mut self, dir: &[u8], oid: &Oid) -> Option<()> {
        let data = self.tree(oid)?;
        for e in odb::tree_entries(&data)? {
            let path = join(dir, e.name);
            if e.is_tree() {
                self.deleted_tree(&join(&path, b"/"), &e.oid)?;
            } else {
                self.push_file(path, e.mode, ChangeKind::Deleted);
            }
        }
        Some(())
    }

    /// Records a change unless the path is a submodule (`--ignore-submodules`).
    fn push_file(&mut self, path: Vec<u8>, mode: u32, kind: ChangeKind) {
        if mode & 0o170000 != 0o160000 {
            self.push(path, kind);
        }
    }

    fn push(&mut self, path: Vec<u8>, kind: ChangeKind) {
        self.out.push(Change { path, kind });
    }
}

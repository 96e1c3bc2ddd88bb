//! The git index file (`.git/index`, versions 2 to 4) and its cache-tree extension.
//!
//! Only stage-0 entries of a full index are accepted: unmerged entries (a merge in progress),
//! intent-to-add and skip-worktree entries, split and sparse indexes are declined, and the
//! caller asks git instead. The trailing checksum is not verified: git verifies it when it
//! writes the commit, and a corrupt index makes that fail whatever the hook said.

use super::Oid;
use std::ops::Range;

/// The index mode of a submodule.
const GITLINK: u32 = 0o160000;

#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub mode: u32,
    pub oid: Oid,
}

impl Entry {
    pub fn is_gitlink(&self) -> bool {
        self.mode & 0o170000 == GITLINK
    }
}

/// Where a version-4 entry is: its fixed header in the file, its path in the decoded-path
/// arena (paths are prefix-compressed on disk). Versions 2 and 3 keep only the offset of the
/// entry (4 bytes a file: the path follows the header), to keep the table small.
#[derive(Debug, Clone, Copy)]
struct V4Slot {
    at: u32,
    name: u32,
    len: u32,
}

/// The cache-tree: for each directory, the tree object id as of the last time git wrote the
/// tree, or `None` when something under it was staged since (invalidated). Nodes are kept in
/// one arena; each node's children are a run of `kids`, sorted by name.
#[derive(Debug, Default)]
pub struct CacheTree {
    nodes: Vec<Node>,
    kids: Vec<u32>,
}

#[derive(Debug)]
struct Node {
    name: (u32, u32),
    oid: Option<Oid>,
    kids: (u32, u32),
}

/// A directory's node in the cache-tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeNode<'a> {
    ix: &'a Index,
    i: u32,
}

impl<'a> TreeNode<'a> {
    fn node(&self) -> &'a Node {
        &self.ix.tree.nodes[self.i as usize]
    }

    pub fn oid(&self) -> Option<Oid> {
        self.node().oid
    }

    /// The nodes of the subdirectories, in tree order (`name/`), empty for a valid node
    /// (see [`cache_tree`]).
    pub fn children(&self) -> impl ExactSizeIterator<Item = TreeNode<'a>> + use<'a> {
        let (start, len) = self.node().kids;
        let ix = self.ix;
        ix.tree.kids[start as usize..(start + len) as usize]
            .iter()
            .map(move |&i| TreeNode { ix, i })
    }

    pub fn name(&self) -> &'a [u8] {
        self.ix.tree_name(self.i)
    }
}

/// The bytes of the index file: mapped (git replaces the file by renaming a new one over it,
/// never rewriting it in place, so the mapping does not change under us), or owned.
#[derive(Debug)]
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::Owned(Vec::new())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

#[derive(Debug, Default)]
pub struct Index {
    data: Bytes,
    /// Decoded paths of a version-4 index (prefix-compressed on disk).
    names: Vec<u8>,
    /// Per entry: its offset in the file (versions 2, 3) or its index in `v4` (version 4).
    slots: Vec<u32>,
    v4: Option<Vec<V4Slot>>,
    tree: CacheTree,
}

impl Index {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn entry(&self, i: usize) -> Entry {
        let at = match &self.v4 {
            None => self.slots[i] as usize,
            Some(v4) => v4[self.slots[i] as usize].at as usize,
        };
        let d = &self.data[at..at + 60];
        Entry {
            mode: u32::from_be_bytes([d[24], d[25], d[26], d[27]]),
            oid: d[40..60].try_into().expect("20 bytes"),
        }
    }

    pub fn path(&self, i: usize) -> &[u8] {
        self.name(&self.slots[i])
    }

    /// The root of the cache-tree, if the index has one.
    pub fn cache_tree(&self) -> Option<TreeNode<'_>> {
        (!self.tree.nodes.is_empty()).then_some(TreeNode { ix: self, i: 0 })
    }

    /// The entry of a file, by exact path.
    pub fn find(&self, path: &[u8]) -> Option<Entry> {
        let i = self.slots.partition_point(|s| self.name(s) < path);
        (i < self.len() && self.path(i) == path).then(|| self.entry(i))
    }

    /// The entries whose path starts with `prefix` (contiguous: the index is sorted by path).
    pub fn range_with_prefix(&self, prefix: &[u8]) -> Range<usize> {
        let start = self.slots.partition_point(|s| self.name(s) < prefix);
        if start < self.len() && self.path(start).starts_with(prefix) {
            start..self.end_of_prefix(start, self.len(), prefix)
        } else {
            start..start
        }
    }

    /// The first index in `from..end` whose path does not start with `prefix`, given that
    /// `from` does. Galloping: a directory's few files cost a few comparisons, not a binary
    /// search over the whole index.
    pub fn end_of_prefix(&self, from: usize, end: usize, prefix: &[u8]) -> usize {
        let has = |i: usize| self.name(&self.slots[i]).starts_with(prefix);
        let mut lo = from;
        let mut step = 1;
        while lo + step < end && has(lo + step) {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step).min(end);
        lo + 1 + self.slots[lo + 1..hi].partition_point(|s| self.name(s).starts_with(prefix))
    }

    fn name(&self, &s: &u32) -> &[u8] {
        if let Some(v4) = &self.v4 {
            let e = v4[s as usize];
            return &self.names[e.name as usize..(e.name + e.len) as usize];
        }
        let at = s as usize;
        let d = &self.data[..];
        let flags = u16::from_be_bytes([d[at + 60], d[at + 61]]);
        let start = at + if flags & 0x4000 != 0 { 64 } else { 62 };
        let len = (flags & 0x0fff) as usize;
        if len < 0x0fff {
            &d[start..start + len]
        } else {
            // Checked when parsed: a NUL ends it within the file.
            let len = memchr(&d[start..]).unwrap_or(0);
            &d[start..start + len]
        }
    }

    fn tree_name(&self, node: u32) -> &[u8] {
        let (at, len) = self.tree.nodes[node as usize].name;
        &self.data[at as usize..(at + len) as usize]
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Parses an index file, or `None` for anything this reader declines.
pub fn parse(data: Bytes) -> Option<Index> {
    const HASH: usize = 20;
    let b = &data[..];
    if b.len() < 12 + HASH || &b[..4] != b"DIRC" {
        return None;
    }
    let version = be32(b, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    // Offsets are kept as u32.
    u32::try_from(b.len()).ok()?;
    let count = be32(b, 8)? as usize;
    let body_end = b.len() - HASH;
    let mut slots = Vec::with_capacity(count.min(body_end / 62));
    let mut names = Vec::new();
    let v4 = version == 4;
    let mut v4_slots = Vec::new();
    let mut pos = 12;
    let mut prev = 0..0;
    for _ in 0..count {
        if pos + 62 > body_end {
            return None;
        }
        let flags = u16::from_be_bytes([b[pos + 60], b[pos + 61]]);
        // The common entry (stage 0, no extended flags, a path shorter than 4095 bytes) in a
        // version 2 or 3 index: one comparison and one push. This loop runs for every file.
        let short = (flags & 0x0fff) as usize;
        if !v4 && flags & 0x7000 == 0 && short < 0x0fff {
            slots.push(pos as u32);
            pos += (62 + short + 8) & !7;
            if pos > body_end {
                return None;
            }
            continue;
        }
        if flags & 0x3000 != 0 {
            return None; // unmerged: a merge in progress
        }
        let mut header = 62;
        if flags & 0x4000 != 0 {
            if version < 3 || pos + 64 > body_end {
                return None;
            }
            if b[pos + 62] & 0x60 != 0 {
                return None; // skip-worktree or intent-to-add
            }
            header = 64;
        }
        let name_at = pos + header;
        let slot_at = pos as u32;
        if v4 {
            let (strip, used) = varint(b.get(name_at..body_end)?)?;
            let keep = prev.len().checked_sub(strip)?;
            let start = names.len();
            names.extend_from_within(prev.start..prev.start + keep);
            let suffix_at = name_at + used;
            let nul = memchr(b.get(suffix_at..body_end)?)?;
            names.extend_from_slice(&b[suffix_at..suffix_at + nul]);
            pos = suffix_at + nul + 1;
            prev = start..names.len();
            slots.push(u32::try_from(v4_slots.len()).ok()?);
            v4_slots.push(V4Slot {
                at: slot_at,
                name: u32::try_from(start).ok()?,
                len: u32::try_from(names.len() - start).ok()?,
            });
        } else {
            let l = (flags & 0x0fff) as usize;
            let l = if l < 0x0fff {
                l
            } else {
                memchr(b.get(name_at..body_end)?)?
            };
            pos += (header + l + 8) & !7;
            slots.push(slot_at);
        }
        if pos > body_end {
            return None;
        }
    }
    // Extensions: the cache-tree is read; optional ones (upper-case signatures) are skipped;
    // any other (`link` split index, `sdir` sparse index) is declined.
    let mut tree = CacheTree::default();
    while pos + 8 <= body_end {
        let sig = &b[pos..pos + 4];
        let size = be32(b, pos + 4)? as usize;
        let end = (pos + 8).checked_add(size)?;
        if end > body_end {
            return None;
        }
        match sig {
            b"TREE" => {
                let mut at = pos + 8;
                cache_tree(&b[..end], &mut at, 0, &mut tree)?;
                if at != end {
                    return None;
                }
            }
            s if s[0].is_ascii_uppercase() => {}
            _ => return None,
        }
        pos = end;
    }
    if pos != body_end {
        return None;
    }
    Some(Index {
        data,
        names,
        slots,
        v4: v4.then_some(v4_slots),
        tree,
    })
}

/// The first `c` in `b`. A plain loop: the strings searched are a few bytes long, and the
/// `memchr` crate's first call detects CPU features with `cpuid`, which costs tens of
/// microseconds in a virtual machine — a measurable share of a 2 ms hook.
fn find(c: u8, b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x == c)
}

fn memchr(b: &[u8]) -> Option<usize> {
    find(0, b)
}

/// Git's offset varint (index v4 path compression, pack delta offsets).
pub(crate) fn varint(b: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    let mut c = *b.first()?;
    let mut val = (c & 0x7f) as usize;
    while c & 0x80 != 0 {
        i += 1;
        c = *b.get(i)?;
        val = val.checked_add(1)?.checked_mul(128)? + (c & 0x7f) as usize;
    }
    Some((val, i + 1))
}

/// The order of cache-tree subdirectories on disk: shorter names first, then bytes.
fn git_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Git's tree order: names compared bytewise, a directory as if it ended in `/`.
pub fn tree_order(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let next = |s: &[u8], dir: bool| s.get(n).copied().or(dir.then_some(b'/'));
        next(a, a_dir).cmp(&next(b, b_dir))
    })
}

/// A non-negative decimal, or -1, ending at `end`.
fn decimal(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(if neg { -v } else { v })
}

/// The header of a cache-tree node: name, entry count (-1 when invalidated), subtree count,
/// then the tree id when valid.
fn node_header(b: &[u8], at: &mut usize) -> Option<((u32, u32), Option<Oid>, usize)> {
    let nul = find(0, b.get(*at..)?)?;
    let name = (u32::try_from(*at).ok()?, nul as u32);
    *at += nul + 1;
    let sp = find(b' ', b.get(*at..)?)?;
    let entries = decimal(&b[*at..*at + sp])?;
    *at += sp + 1;
    let lf = find(b'\n', b.get(*at..)?)?;
    let subtrees = usize::try_from(decimal(&b[*at..*at + lf])?).ok()?;
    *at += lf + 1;
    let oid = if entries >= 0 {
        let oid: Oid = b.get(*at..*at + 20)?.try_into().ok()?;
        *at += 20;
        Some(oid)
    } else {
        None
    };
    Some((name, oid, subtrees))
}

/// Skips `pending` nodes and their subtrees (a tight loop over the bytes: this runs over every
/// directory of the repository); returns where the next node starts.
fn skip_subtrees(b: &[u8], mut at: usize, mut pending: usize) -> Option<usize> {
    let n = b.len();
    while pending > 0 {
        while at < n && b[at] != 0 {
            at += 1;
        }
        at += 1;
        if at >= n {
            return None;
        }
        let valid = b[at] != b'-';
        while at < n && b[at] != b' ' {
            at += 1;
        }
        at += 1;
        let mut subtrees = 0usize;
        while at < n && b[at] != b'\n' {
            let d = b[at].wrapping_sub(b'0');
            if d > 9 || subtrees > 1 << 40 {
                return None;
            }
            subtrees = subtrees * 10 + usize::from(d);
            at += 1;
        }
        if at >= n {
            return None;
        }
        at += 1 + if valid { 20 } else { 0 };
        pending = pending - 1 + subtrees;
    }
    (at <= n).then_some(at)
}

/// Parses one node (and its subtree) starting at `at`; returns its arena index.
///
/// The subtrees of a valid node are skipped, not kept: when its id equals `HEAD`'s, nothing
/// below it is looked at; when it differs (after `git reset --soft`), the comparison reads
/// `HEAD`'s trees instead. Skipping keeps a commit that touches no incident cheap in a
/// repository with thousands of them.
fn cache_tree(b: &[u8], at: &mut usize, depth: usize, t: &mut CacheTree) -> Option<u32> {
    if depth > 4096 {
        return None;
    }
    let (name, oid, subtrees) = node_header(b, at)?;
    let me = u32::try_from(t.nodes.len()).ok()?;
    t.nodes.push(Node {
        name,
        oid,
        kids: (0, 0),
    });
    if oid.is_some() {
        *at = skip_subtrees(b, *at, subtrees)?;
    } else if subtrees > 0 {
        let mut kids = Vec::with_capacity(subtrees.min(1 << 16));
        for _ in 0..subtrees {
            kids.push(cache_tree(b, at, depth + 1, t)?);
        }
        // Lookups binary-search in git's own order; an index not in it is declined.
        let name_of = |k: u32| {
            let (a, l) = t.nodes[k as usize].name;
            &b[a as usize..(a + l) as usize]
        };
        if kids
            .windows(2)
            .any(|w| git_order(name_of(w[0]), name_of(w[1])) != std::cmp::Ordering::Less)
        {
            return None;
        }
        // Merged with tree entries in tree order (a directory sorts as `name/`).
        kids.sort_unstable_by(|x, y| tree_order(name_of(*x), true, name_of(*y), true));
        let start = u32::try_from(t.kids.len()).ok()?;
        t.kids.extend_from_slice(&kids);
        t.nodes[me as usize].kids = (start, subtrees as u32);
    }
    Some(me)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_matches_git() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        // 0x80 0x00 is 128 in git's encoding (each continuation adds one).
        assert_eq!(varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x81, 0x7f]), Some((((1 + 1) << 7) + 0x7f, 2)));
        assert_eq!(varint(&[0x80]), None);
    }

    #[test]
    fn declines_what_is_not_an_index() {
        assert!(parse(Bytes::Owned(Vec::new())).is_none());
        assert!(parse(Bytes::Owned(vec![0u8; 64])).is_none());
        let mut v9 = b"DIRC\0\0\0\x09\0\0\0\0".to_vec();
        v9.extend([0u8; 20]);
        assert!(parse(Bytes::Owned(v9)).is_none());
        let mut empty = b"DIRC\0\0\0\x02\0\0\0\0".to_vec();
        empty.extend([0u8; 20]);
        assert_eq!(parse(Bytes::Owned(empty)).map(|i| i.len()), Some(0));
        // One entry claimed, none there.
        let mut short = b"DIRC\0\0\0\x02\0\0\0\x01".to_vec();
        short.extend([0u8; 20]);
        assert!(parse(Bytes::Owned(short)).is_none());
    }
}

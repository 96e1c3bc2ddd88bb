//! Git objects: loose (`objects/ab/cdef…`, zlib) or in packs (`objects/pack/*.idx` version 2
//! and `*.pack`, with offset and reference deltas). Lookups read a few small ranges of the
//! index files, never a whole pack.

use super::Oid;
use super::index::varint;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Objects larger than this are not read here (git is asked): the hook reads documents and
/// trees, not build artefacts.
const MAX_OBJECT: usize = 64 << 20;
/// Longest delta chain followed (git's default `pack.depth` is 50).
const MAX_DEPTH: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

#[derive(Debug)]
pub struct Object {
    pub kind: Kind,
    pub data: Vec<u8>,
}

#[derive(Debug)]
pub struct Odb {
    dir: PathBuf,
    packs: OnceLock<Vec<Pack>>,
}

#[derive(Debug)]
struct Pack {
    idx: File,
    pack: File,
    fanout: Box<[u32; 256]>,
}

impl Odb {
    /// `None` when the repository borrows objects from elsewhere (alternates): an object
    /// missing here may exist there, and only git knows.
    pub fn open(dir: &Path) -> Option<Odb> {
        if dir.join("info/alternates").exists() {
            return None;
        }
        dir.is_dir().then(|| Odb {
            dir: dir.to_path_buf(),
            packs: OnceLock::new(),
        })
    }

    pub fn read(&self, oid: &Oid) -> Option<Object> {
        let hex = super::hex(oid);
        if let Ok(raw) = std::fs::read(self.dir.join(&hex[..2]).join(&hex[2..])) {
            return loose(&raw);
        }
        for p in self.packs() {
            if let Some(offset) = p.find(oid) {
                return p.read_at(self, offset, 0);
            }
        }
        None
    }

    fn packs(&self) -> &[Pack] {
        self.packs.get_or_init(|| {
            let Ok(rd) = std::fs::read_dir(self.dir.join("pack")) else {
                return Vec::new();
            };
            let mut names: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect();
            names.sort();
            names.iter().filter_map(|idx| Pack::open(idx)).collect()
        })
    }
}

fn kind(code: &[u8]) -> Option<Kind> {
    Some(match code {
        b"commit" | [1] => Kind::Commit,
        b"tree" | [2] => Kind::Tree,
        b"blob" | [3] => Kind::Blob,
        b"tag" | [4] => Kind::Tag,
        _ => return None,
    })
}

fn inflate(data: &[u8], size: usize) -> Option<Vec<u8>> {
    let out = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, size).ok()?;
    (out.len() == size).then_some(out)
}

fn loose(raw: &[u8]) -> Option<Object> {
    // The header `<kind> <size>\0` comes first; inflate it to learn the size.
    let mut head = [0u8; 64];
    let mut d = miniz_oxide::inflate::core::DecompressorOxide::new();
    let flags = miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_HAS_MORE_INPUT
        | miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (_, _, n) = miniz_oxide::inflate::core::decompress(&mut d, raw, &mut head, 0, flags);
    let nul = head[..n].iter().position(|&c| c == 0)?;
    let (k, size) = std::str::from_utf8(&head[..nul]).ok()?.split_once(' ')?;
    let size: usize = size.parse().ok()?;
    if size > MAX_OBJECT {
        return None;
    }
    let all = inflate(raw, nul + 1 + size)?;
    Some(Object {
        kind: kind(k.as_bytes())?,
        data: all[nul + 1..].to_vec(),
    })
}

/// The tree of a commit object.
pub fn commit_tree(o: &Object) -> Option<Oid> {
    if o.kind != Kind::Commit {
        return None;
    }
    let line = o.data.strip_prefix(b"tree ")?;
    super::parse_hex(line.get(..40)?)
}

/// One entry of a tree object.
#[derive(Debug, Clone, Copy)]
pub struct TreeEntry<'a> {
    pub name: &'a [u8],
    pub mode: u32,
    pub oid: Oid,
}

impl TreeEntry<'_> {
    pub fn is_tree(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }
}

/// The entries of a tree object, `None` if it is malformed.
pub fn tree_entries(data: &[u8]) -> Option<Vec<TreeEntry<'_>>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let sp = data[at..].iter().position(|&c| c == b' ')?;
        let mode = u32::from_str_radix(std::str::from_utf8(&data[at..at + sp]).ok()?, 8).ok()?;
        at += sp + 1;
        let nul = data[at..].iter().position(|&c| c == 0)?;
        let name = &data[at..at + nul];
        at += nul + 1;
        let oid: Oid = data.get(at..at + 20)?.try_into().ok()?;
        at += 20;
        out.push(TreeEntry { name, mode, oid });
    }
    Some(out)
}

fn read_exact_at(f: &File, at: u64, buf: &mut [u8]) -> Option<()> {
    let mut f = f;
    f.seek(SeekFrom::Start(at)).ok()?;
    f.read_exact(buf).ok()
}

/// Reads up to `len` bytes at `at` (fewer at the end of the file).
fn read_at_most(f: &File, at: u64, len: usize) -> Option<Vec<u8>> {
    let mut f = f;
    f.seek(SeekFrom::Start(at)).ok()?;
    let mut buf = Vec::with_capacity(len);
    f.take(len as u64).read_to_end(&mut buf).ok()?;
    Some(buf)
}

impl Pack {
    fn open(idx_path: &Path) -> Option<Pack> {
        let idx = File::open(idx_path).ok()?;
        let pack = File::open(idx_path.with_extension("pack")).ok()?;
        let mut head = vec![0u8; 8 + 256 * 4];
        read_exact_at(&idx, 0, &mut head)?;
        if head[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let mut fanout = Box::new([0u32; 256]);
        for (i, f) in fanout.iter_mut().enumerate() {
            *f = u32::from_be_bytes(head[8 + i * 4..12 + i * 4].try_into().ok()?);
        }
        Some(Pack { idx, pack, fanout })
    }

    fn count(&self) -> u64 {
        u64::from(self.fanout[255])
    }

    /// The offset of an object in the pack.
    fn find(&self, oid: &Oid) -> Option<u64> {
        let first = oid[0] as usize;
        let lo = if first == 0 {
            0
        } else {
            self.fanout[first - 1]
        } as u64;
        let hi = u64::from(self.fanout[first]);
        if hi <= lo {
            return None;
        }
        let mut names = vec![0u8; ((hi - lo) * 20) as usize];
        read_exact_at(&self.idx, 1032 + lo * 20, &mut names)?;
        let pos = names
            .chunks_exact(20)
            .collect::<Vec<_>>()
            .binary_search_by(|n| (*n).cmp(&oid[..]))
            .ok()? as u64;
        let n = self.count();
        let i = lo + pos;
        let mut off = [0u8; 4];
        read_exact_at(&self.idx, 1032 + n * 24 + i * 4, &mut off)?;
        let off = u32::from_be_bytes(off);
        if off & 0x8000_0000 == 0 {
            return Some(u64::from(off));
        }
        let mut big = [0u8; 8];
        read_exact_at(
            &self.idx,
            1032 + n * 28 + u64::from(off & 0x7fff_ffff) * 8,
            &mut big,
        )?;
        Some(u64::from_be_bytes(big))
    }

    /// The object at `offset`, deltas applied.
    fn read_at(&self, odb: &Odb, offset: u64, depth: usize) -> Option<Object> {
        if depth > MAX_DEPTH {
            return None;
        }
        let head = read_at_most(&self.pack, offset, 32)?;
        let mut c = *head.first()?;
        let code = (c >> 4) & 7;
        let mut size = (c & 0x0f) as usize;
        let mut shift = 4;
        let mut at = 1;
        while c & 0x80 != 0 {
            c = *head.get(at)?;
            at += 1;
            size |= ((c & 0x7f) as usize).checked_shl(shift)?;
            shift += 7;
            if shift > 60 {
                return None;
            }
        }
        if size > MAX_OBJECT {
            return None;
        }
        let base = match code {
            6 => {
                let (back, used) = varint(&head[at..])?;
                at += used;
                Base::Offset(offset.checked_sub(back as u64)?)
            }
            7 => {
                let oid: Oid = head.get(at..at + 20)?.try_into().ok()?;
                at += 20;
                Base::Oid(oid)
            }
            k => Base::None(kind(&[k])?),
        };
        // zlib's worst case grows incompressible data by 5 bytes per 64 KiB block plus 6.
        let window = size + size / 8192 * 5 + 64;
        let raw = read_at_most(&self.pack, offset + at as u64, window)?;
        let data = inflate(&raw, size)?;
        match base {
            Base::None(kind) => Some(Object { kind, data }),
            Base::Offset(o) => {
                let b = self.read_at(odb, o, depth + 1)?;
                Some(Object {
                    kind: b.kind,
                    data: apply_delta(&b.data, &data)?,
                })
            }
            Base::Oid(oid) => {
                let b = odb.read(&oid)?;
                Some(Object {
                    kind: b.kind,
                    data: apply_delta(&b.data, &data)?,
                })
            }
        }
    }
}

enum Base {
    None(Kind),
    Offset(u64),
    Oid(Oid),
}

/// Little-endian base-128 size of a delta header.
fn delta_size(d: &[u8], at: &mut usize) -> Option<usize> {
    let mut size = 0usize;
    let mut shift = 0;
    loop {
        let c = *d.get(*at)?;
        *at += 1;
        size |= ((c & 0x7f) as usize).checked_shl(shift)?;
        if c & 0x80 == 0 {
            return Some(size);
        }
        shift += 7;
        if shift > 60 {
            return None;
        }
    }
}

/// Applies a git delta to its base.
pub fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    if delta_size(delta, &mut at)? != base.len() {
        return None;
    }
    let out_size = delta_size(delta, &mut at)?;
    if out_size > MAX_OBJECT {
        return None;
    }
    let mut out = Vec::with_capacity(out_size);
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut off = 0usize;
            let mut len = 0usize;
            for i in 0..4 {
                if op & (1 << i) != 0 {
                    off |= (*delta.get(at)? as usize) << (8 * i);
                    at += 1;
                }
            }
            for i in 0..3 {
                if op & (0x10 << i) != 0 {
                    len |= (*delta.get(at)? as usize) << (8 * i);
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(off..off.checked_add(len)?)?);
        } else if op != 0 {
            let n = op as usize;
            out.extend_from_slice(delta.get(at..at + n)?);
            at += n;
        } else {
            return None;
        }
    }
    (out.len() == out_size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_copy_and_insert() {
        let base = b"hello world";
        // base size 11, result size 10: copy "hello" (off 0, len 5), insert " there".
        let delta = [11, 11, 0x90, 5, 6, b' ', b't', b'h', b'e', b'r', b'e'];
        assert_eq!(
            apply_delta(base, &delta).as_deref(),
            Some(&b"hello there"[..])
        );
        // Wrong base size, reserved opcode 0, copy past the end: declined.
        assert!(apply_delta(b"x", &delta).is_none());
        assert!(apply_delta(base, &[11, 1, 0]).is_none());
        assert!(apply_delta(base, &[11, 20, 0x91, 8, 20]).is_none());
    }

    #[test]
    fn parses_tree_entries() {
        let mut t = b"100644 a.md\0".to_vec();
        t.extend([1u8; 20]);
        t.extend(b"40000 dir\0");
        t.extend([2u8; 20]);
        let e = tree_entries(&t).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].name, e[0].mode, e[0].is_tree()),
            (&b"a.md"[..], 0o100644, false)
        );
        assert!(e[1].is_tree());
        assert!(tree_entries(&t[..t.len() - 1]).is_none());
    }
}

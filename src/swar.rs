//! Eight bytes at a time: a slice's bytes read as one `u64` (lane `k` is the `k`-th byte in
//! memory order) and exact masks of its lanes, the high bit of each lane that matches and no
//! other bit. The scanners of several readers (paths, YAML keys, trace records, prose words)
//! skip the bytes they need not look at with these, then finish byte by byte.

/// `0x01` in every lane.
pub const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every lane.
pub const HIGH: u64 = ONES * 0x80;
/// The low seven bits of every lane.
pub const LOW7: u64 = ONES * 0x7F;

/// `b` in every lane.
pub const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// The first eight bytes of `bytes` as a word (lane `k` = `bytes[k]`); a shorter slice is
/// padded with zeros.
#[inline(always)]
pub fn word(bytes: &[u8]) -> u64 {
    let mut lanes = [0u8; 8];
    let n = bytes.len().min(8);
    lanes[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(lanes)
}

/// The lanes of `w` equal to `c`. Exact in every lane: the low seven bits of each lane are
/// summed without a carry out of it.
#[inline(always)]
pub fn eq(w: u64, c: u8) -> u64 {
    let x = w ^ splat(c);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// The lanes of `w` holding an ASCII byte in `lo..=hi` (`hi` at most `0x7F`). Exact in every
/// lane: the low seven bits of a lane plus at most `0x80` stay in the lane, and their sum's
/// high bit says whether they reach a bound; a lane with its own high bit set is never in.
#[inline(always)]
pub fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
    debug_assert!(lo <= hi && hi <= 0x7F);
    let x = w & LOW7;
    let at_least = x + splat(0x80 - lo);
    let above = x + splat(0x7F - hi);
    at_least & !above & !w & HIGH
}

/// The index of the first lane set in `mask` (memory order), if any.
#[inline(always)]
pub fn first(mask: u64) -> Option<usize> {
    (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lanes of `w` (in memory order) for which `f` holds, as a mask.
    fn lanes_where(w: u64, f: impl Fn(u8) -> bool) -> u64 {
        w.to_le_bytes()
            .iter()
            .enumerate()
            .filter(|(_, b)| f(**b))
            .fold(0, |m, (k, _)| m | 0x80 << (8 * k))
    }

    /// Every byte in every lane, beside neighbours that would carry or borrow into it.
    fn words() -> impl Iterator<Item = u64> {
        let fills = [0x00, 0x01, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0x81, 0xFF, b'a'];
        (0..=255u8).flat_map(move |b| {
            fills.into_iter().flat_map(move |fill| {
                (0..8).map(move |at| {
                    let mut w = [fill; 8];
                    w[at] = b;
                    u64::from_le_bytes(w)
                })
            })
        })
    }

    #[test]
    fn eq_is_exact_in_every_lane() {
        for c in [0x00, b'\n', b'"', b'/', b'.', b':', 0x7F, 0x80, 0xFF] {
            for w in words() {
                assert_eq!(eq(w, c), lanes_where(w, |b| b == c), "{c:#x} in {w:#018x}");
            }
        }
    }

    #[test]
    fn in_range_is_exact_in_every_lane() {
        for (lo, hi) in [
            (0x00, 0x1F),
            (b'0', b'9'),
            (b'a', b'z'),
            (b' ', b'~'),
            (b'_', b'_'),
        ] {
            for w in words() {
                assert_eq!(
                    in_range(w, lo, hi),
                    lanes_where(w, |b| (lo..=hi).contains(&b)),
                    "{lo:#x}..={hi:#x} in {w:#018x}"
                );
            }
        }
    }

    #[test]
    fn words_and_first_lanes() {
        assert_eq!(word(b"abcdefghij"), u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(word(b"ab"), u64::from_le_bytes(*b"ab\0\0\0\0\0\0"));
        assert_eq!(first(0), None);
        assert_eq!(first(eq(word(b"abc/defg"), b'/')), Some(3));
        assert_eq!(first(eq(word(b"abcdefg/"), b'/')), Some(7));
    }
}

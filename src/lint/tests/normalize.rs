//! Normalization: invisible characters, compatibility forms, look-alikes, entities, offsets.

use crate::lint::normalize::{NormText, decode_entity, normalize_str};

#[test]
fn drops_invisible_characters() {
    for c in [
        '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
        '\u{034F}', '\u{180E}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
    ] {
        assert_eq!(
            normalize_str(&format!("kube{c}ctl")),
            "kubectl",
            "U+{:04X}",
            c as u32
        );
    }
}

#[test]
fn folds_compatibility_forms_and_marks() {
    assert_eq!(normalize_str("ｋｕｂｅｃｔｌ"), "kubectl");
    assert_eq!(normalize_str("𝐤𝐮𝐛𝐞𝐜𝐭𝐥"), "kubectl");
    assert_eq!(normalize_str("k\u{301}ube\u{308}ctl"), "kubectl");
    assert_eq!(normalize_str("ḱubëctl"), "kubectl");
    assert_eq!(normalize_str("kubectl\u{00A0}delete"), "kubectl delete");
}

#[test]
fn maps_look_alikes_to_ascii() {
    // Cyrillic к е с о р а, Greek ο κ, small capital ᴋ.
    assert_eq!(normalize_str("кubесtl"), "kubectl");
    assert_eq!(normalize_str("dοcker"), "docker");
    assert_eq!(normalize_str("κubectl"), "kubectl");
    assert_eq!(normalize_str("ᴋubectl"), "kubectl");
    assert_eq!(normalize_str("рsql"), "psql");
    assert_eq!(normalize_str("аpi"), "api");
    assert_eq!(normalize_str("kill −9"), "kill -9");
}

#[test]
fn leaves_ascii_alone() {
    // `skeleton` would turn these into each other; ASCII text is never rewritten.
    for s in ["rn", "m", "1", "l", "I", "0", "O", "vv", "cl"] {
        assert_eq!(normalize_str(s), s);
    }
}

#[test]
fn decodes_entities() {
    assert_eq!(decode_entity("&#107;x"), Some(('k', 6)));
    assert_eq!(decode_entity("&#x6b;"), Some(('k', 6)));
    assert_eq!(decode_entity("&#X6B;"), Some(('k', 6)));
    assert_eq!(decode_entity("&amp;"), Some(('&', 5)));
    assert_eq!(decode_entity("&nbsp;"), Some(('\u{00A0}', 6)));
    assert_eq!(decode_entity("&shy;"), Some(('\u{00AD}', 5)));
    assert_eq!(decode_entity("&nosuch;"), None);
    assert_eq!(decode_entity("& b"), None);
    assert_eq!(decode_entity("&#99999999999;"), None);
}

#[test]
fn offset_map_points_back_to_source() {
    let src = "aé&#107;\u{200B}b";
    let mut n = NormText::default();
    n.push_source(src, 10, true);
    assert_eq!(n.text, "aekb");
    // a
    assert_eq!(n.map.src_start(0), 10);
    // é (2 bytes) -> e
    assert_eq!(n.map.src_start(1), 11);
    assert_eq!(n.map.src_end(2), 13);
    // &#107; -> k
    assert_eq!(n.map.src_start(2), 13);
    assert_eq!(n.map.src_end(3), 19);
    // b after the zero-width space (3 bytes)
    assert_eq!(n.map.src_start(3), 22);
    assert_eq!(n.src_range(0..4), 10..23);
}

#[test]
fn ascii_fast_path_is_one_identity_run() {
    let mut n = NormText::default();
    n.push_source("kubectl delete", 100, false);
    n.push_source(" pod", 114, false);
    assert_eq!(n.text, "kubectl delete pod");
    assert_eq!(n.map.src_start(15), 115);
    assert_eq!(n.src_range(8..14), 108..114);
}

/// Characters that share memo slots (`c` and `c + 128`), that normalize to nothing, to
/// several bytes, to more than the memo keeps, or to themselves.
fn memo_char() -> impl proptest::strategy::Strategy<Value = char> {
    use proptest::prelude::*;
    prop_oneof![
        proptest::sample::select(vec![
            '—', '≥', 'е', 'к', '\u{0480}', '\u{0400}', 'ﬁ', '㎒', '﷽', '\u{200B}', '\u{202E}',
            '\u{2028}', 'ꮶ', '𝐤', 'k', 'é', 'ｋ', '\u{0301}', '½', 'ǆ',
        ]),
        any::<char>(),
        (0x80u32..0x3000).prop_filter_map("a char", char::from_u32),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2048, ..Default::default() })]

    /// The memo of `normalize_char` gives what computing every character gives, first seen or
    /// seen again, whatever shares its slot.
    #[test]
    fn memoized_normalization_is_the_computed_one(
        chars in proptest::collection::vec(memo_char(), 0..40)
    ) {
        let s: String = chars.iter().collect();
        let expected = crate::lint::normalize::normalize_str_uncached(&s);
        proptest::prop_assert_eq!(normalize_str(&s), expected.clone());
        proptest::prop_assert_eq!(normalize_str(&s), expected);
    }
}

#[test]
fn memoized_normalization_of_slot_neighbours() {
    // `е` (U+0435) and U+04B5 share a slot; `﷽` is longer than a memo entry.
    for s in ["е\u{04B5}е\u{04B5}", "﷽﷽k﷽", "ﬁﬁ—≥—≥", "\u{200B}\u{200B}x"] {
        assert_eq!(
            normalize_str(s),
            crate::lint::normalize::normalize_str_uncached(s),
            "{s:?}"
        );
    }
}

use super::*;
use proptest::prelude::*;

/// `find_key` as it was before the scopes: every candidate checked against every key.
fn find_key_by_scan(keys: &[Key<'_>], path: &[&str]) -> Option<usize> {
    let within = |p: &Key, k: &Key| {
        !keys
            .iter()
            .any(|o| o.offset > p.offset && o.offset < k.offset && o.depth <= p.depth)
    };
    let mut parent: Option<&Key> = None;
    for name in path {
        let found = keys
            .iter()
            .filter(|k| k.name == *name)
            .filter(|k| match parent {
                None => true,
                Some(p) => k.offset > p.offset && k.depth > p.depth && within(p, k),
            })
            .min_by_key(|k| (k.depth, k.offset))?;
        parent = Some(found);
    }
    parent.map(|k| k.offset)
}

/// `find_key` as it was with the scopes closed by offset: every key compared, at any index.
fn find_key_by_offsets(keys: &[Key<'_>], path: &[&str]) -> Option<usize> {
    let end = |k: &Key| keys.get(k.end).map_or(usize::MAX, |e| e.offset);
    let mut parent: Option<&Key> = None;
    for name in path {
        let found = keys
            .iter()
            .filter(|k| k.name == *name)
            .filter(|k| match parent {
                None => true,
                Some(p) => k.offset > p.offset && k.depth > p.depth && k.offset < end(p),
            })
            .min_by_key(|k| (k.depth, k.offset))?;
        parent = Some(found);
    }
    parent.map(|k| k.offset)
}

/// The bytes that continue a key, as the scan tested them before the table.
fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

#[test]
fn the_ident_table_is_the_predicate() {
    for b in 0..=255u8 {
        assert_eq!(IDENT[b as usize], is_ident(b), "{b}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    /// The scopes find the key the scan over all keys finds, on YAML- and JSON-like text.
    #[test]
    fn scopes_find_what_the_scan_finds(tokens in prop::collection::vec(prop::sample::select(vec![
        "a", "b", "spec", ": ", ":", "\n", "  ", "    ", "- ", "{", "}", "[", "]", ", ",
        "\"a\"", "'b'", "# c", "1", "x",
    ]), 0..60)) {
        let text = tokens.concat();
        let keys = keys(&text);
        for path in [
            &["a"][..], &["b"], &["spec"], &["a", "b"], &["b", "a"], &["a", "spec"],
            &["spec", "a"], &["a", "b", "a"], &["b", "b"],
        ] {
            prop_assert_eq!(find_key(&keys, path), find_key_by_scan(&keys, path), "{:?} {:?}", text, path);
            prop_assert_eq!(find_key(&keys, path), find_key_by_offsets(&keys, path), "{:?} {:?}", text, path);
        }
    }
}

/// Text made of the pieces the scan treats specially: quotes, escapes, comments, brackets,
/// line breaks (CR and LF), tabs, dashes and non-ASCII.
fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "b", "spec", "checks", ": ", ":", ":1", "\n", "\r\n", "\r", "  ", "\t", "- ", "{",
            "}", "[", "]", ", ", "\"", "'", "\\", "\"a\"", "'b'", "\"a:b\"", "# c", "#", "1", "x",
            "é", "жук", "\u{feff}", "-",
        ]),
        0..60,
    )
    .prop_map(|t| t.concat())
}

const PATHS: [&[&str]; 9] = [
    &["a"],
    &["b"],
    &["spec"],
    &["a", "b"],
    &["b", "a"],
    &["a", "spec"],
    &["checks", "a"],
    &["a", "b", "a"],
    &["b", "b"],
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    /// Every key's line and line start are the ones `LineIndex` gives its offset.
    #[test]
    fn keys_know_their_lines(text in soup()) {
        let idx = crate::span::LineIndex::new(&text);
        for k in keys(&text) {
            let (line, _) = idx.position(&text, k.offset);
            prop_assert_eq!((k.line, k.line_start), (line, idx.line_start(line)), "{:?} {:?}", text, k);
        }
    }

    /// `find_all` finds what `find_key` finds for each name apart, and `value_position`
    /// is `value_offset` placed by `LineIndex`.
    #[test]
    fn one_pass_finds_what_each_search_finds(text in soup()) {
        let keys = Keys::new(&text);
        let idx = crate::span::LineIndex::new(&text);
        let names = ["a", "b", "spec", "checks", "x"];
        let top = keys.find_all(None, &names);
        for (n, found) in names.iter().zip(top) {
            prop_assert_eq!(found.map(|i| keys.keys[i].offset), keys.key_offset(&[n]), "{:?} {}", text, n);
            let placed = found.and_then(|i| keys.value_position(i));
            let searched = keys.value_offset(&[n]).map(|o| {
                let (l, c) = idx.position(&text, o);
                (o, l, c)
            });
            prop_assert_eq!(placed, searched, "{:?} {}", text, n);
            let Some(parent) = found else { continue };
            for (m, inner) in names.iter().zip(keys.find_all(Some(parent), &names)) {
                prop_assert_eq!(inner.map(|i| keys.keys[i].offset), keys.key_offset(&[n, m]), "{:?} {}.{}", text, n, m);
                let placed = inner.and_then(|i| keys.value_position(i));
                let searched = keys.value_offset(&[n, m]).map(|o| {
                    let (l, c) = idx.position(&text, o);
                    (o, l, c)
                });
                prop_assert_eq!(placed, searched, "{:?} {}.{}", text, n, m);
            }
        }
    }

    /// The scan finds the keys it found before the byte tables, the comment skip by memchr
    /// and the line counting.
    #[test]
    fn the_scan_finds_the_keys_it_found_before(text in soup()) {
        let now: Vec<_> = keys(&text).iter().map(|k| (k.name, k.offset, k.depth, k.end)).collect();
        let before: Vec<_> = keys_before(&text).iter().map(|k| (k.name, k.offset, k.depth, k.end)).collect();
        prop_assert_eq!(now, before, "{:?}", text);
        for path in PATHS {
            prop_assert_eq!(value_offset(&text, path), value_offset_before(&text, path), "{:?} {:?}", text, path);
        }
    }

    /// Lines of `key: value`, with values made of the pieces a quiet value may hold and of
    /// the ones that make it noisy (colons, quotes, brackets, the control bytes `b | 0x20`
    /// maps onto them), so that the skip of quiet values is taken and refused: the keys,
    /// their lines and the values found are the ones of the scan without the skip.
    #[test]
    fn skipping_quiet_values_finds_what_the_scan_finds(lines in prop::collection::vec((
        prop::sample::select(vec!["a", "  a", "b", "  spec", "- a", "checks", "\tb", "x y"]),
        prop::sample::select(vec![": ", ":", " : ", ":\t"]),
        prop::collection::vec(prop::sample::select(vec![
            "x", "specs/a/b.md", " ", "#", " # c", "a: 1", ":", "http://x", "\"", "'", "{",
            "[", "}", "]", "\u{1a}", "\u{2}", "\u{7}", "é", "\r", "-1", "b:", "\\", "\"q\": 1",
        ]), 0..6),
    ), 0..8)) {
        let text: String = lines
            .iter()
            .map(|(k, c, v)| format!("{k}{c}{}\n", v.concat()))
            .collect();
        let now: Vec<_> = keys(&text).iter().map(|k| (k.name, k.offset, k.depth, k.end)).collect();
        let before: Vec<_> = keys_before(&text).iter().map(|k| (k.name, k.offset, k.depth, k.end)).collect();
        prop_assert_eq!(now, before, "{:?}", text);
        let idx = crate::span::LineIndex::new(&text);
        for k in keys(&text) {
            let (line, _) = idx.position(&text, k.offset);
            prop_assert_eq!((k.line, k.line_start), (line, idx.line_start(line)), "{:?} {:?}", text, k);
        }
        for path in PATHS {
            prop_assert_eq!(value_offset(&text, path), value_offset_before(&text, path), "{:?} {:?}", text, path);
        }
    }
}

/// `value_offset` as it was (`str::find`, char tests).
fn value_offset_before(text: &str, path: &[&str]) -> Option<usize> {
    let key = key_offset(text, path)?;
    let after_key = text[key..].find(':').map(|i| key + i + 1)?;
    let rest = &text[after_key..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let v = after_key + skipped;
    match text[v..].chars().next() {
        None | Some('\n') | Some('\r') | Some('#') => Some(key),
        _ => Some(v),
    }
}

/// The scan as it was before it counted lines (byte loops, predicates).
fn keys_before(text: &str) -> Vec<Key<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut brackets = 0usize;
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    let mut i = 0;
    let key = |name, offset, depth| Key {
        name,
        offset,
        depth,
        end: 0,
        line: 0,
        line_start: 0,
    };
    while i < bytes.len() {
        let b = bytes[i];
        if at_line_start {
            line_indent = bytes[i..]
                .iter()
                .take_while(|&&c| c == b' ' || c == b'-')
                .count();
            at_line_start = false;
        }
        match b {
            b'\n' => {
                at_line_start = true;
                i += 1;
            }
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' | b'[' => {
                brackets += 1;
                i += 1;
            }
            b'}' | b']' => {
                brackets = brackets.saturating_sub(1);
                i += 1;
            }
            b'"' | b'\'' => {
                let end = closing_quote(bytes, i);
                if is_key_end(bytes, end + 1) {
                    out.push(key(
                        &text[i + 1..end.min(text.len())],
                        i,
                        brackets * 1000 + line_indent,
                    ));
                }
                i = end + 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < bytes.len() && is_ident(bytes[i]) {
                    i += 1;
                }
                let prev_ok = start == 0
                    || matches!(bytes[start - 1], b' ' | b'\t' | b'\n' | b'{' | b',' | b'-');
                if prev_ok && is_key_end(bytes, i) {
                    out.push(key(&text[start..i], start, brackets * 1000 + line_indent));
                }
            }
            _ => i += 1,
        }
    }
    close_scopes(&mut out);
    out
}

#[test]
fn ident_bytes_marks_exactly_the_ident_bytes() {
    // Every byte value at every position of words filled with neighbours of each range.
    let fills = [
        b'a', b'Z', b'0', b'9', b'_', b'-', b'.', b'/', b'@', b'[', b'`', b'{', b' ', 0x7F, 0x80,
        0xC1, 0xFF, 0x2C,
    ];
    for b in 0..=255u8 {
        for fill in fills {
            for at in 0..8 {
                let mut w = [fill; 8];
                w[at] = b;
                let want = w.iter().enumerate().fold(0u64, |m, (i, &c)| {
                    if is_ident(c) { m | 0x80 << (8 * i) } else { m }
                });
                assert_eq!(ident_bytes(u64::from_le_bytes(w)), want, "{w:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    /// Runs found eight bytes at a time end where the byte loop ends them.
    #[test]
    fn ident_runs_end_where_the_byte_loop_ends_them(
        text in "([a-zA-Z0-9_.-]{0,20}|[/:@`\\[{ ~\u{7f}é]){0,8}",
        from in 0usize..60,
    ) {
        let bytes = text.as_bytes();
        let from = from.min(bytes.len());
        let mut i = from;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        prop_assert_eq!(ident_end(bytes, from), i, "{:?} {}", text, from);
    }
}

#[test]
fn stops_marks_exactly_the_first_stop_byte() {
    let stop = |b: u8| b == b'\n' || matches!(b | 0x20, b':' | b'"' | b'\'' | b'{' | b'}');
    let fills = [b'a', b' ', b'/', 0x00, 0x01, 0x80, 0xFF, b'\n', b':'];
    for b in 0..=255u8 {
        for fill in fills {
            for at in 0..8 {
                for second in [None, Some((b'\n', 7 - at)), Some((b'{', (at + 3) % 8))] {
                    let mut w = [fill; 8];
                    w[at] = b;
                    if let Some((c, j)) = second {
                        w[j] = c;
                    }
                    let want = w.iter().position(|&c| stop(c));
                    let stops = stops(u64::from_le_bytes(w));
                    let got = (stops != 0).then(|| (stops.trailing_zeros() / 8) as usize);
                    assert_eq!(got, want, "{w:?}");
                }
            }
        }
    }
}

#[test]
fn the_ident_start_table_is_the_predicate() {
    for b in 0..=255u8 {
        assert_eq!(
            IDENT_START[b as usize],
            b.is_ascii_alphanumeric() || b == b'_',
            "{b}"
        );
    }
}

#[test]
fn a_quoted_key_across_an_escaped_line_break_is_placed_on_its_lines() {
    let t = "x: 1\n\"a\\\nb\": 5\nc: 2\n";
    let keys = Keys::new(t);
    let [a, c] = keys.find_all(None, &["a\\\nb", "c"]);
    assert_eq!(keys.value_position(a.unwrap()), Some((13, 3, 5)));
    assert_eq!(keys.value_position(c.unwrap()), Some((18, 4, 4)));
}

fn at(text: &str, path: &[&str]) -> &'static str {
    let off = value_offset(text, path).expect("found");
    let s: String = text[off..]
        .chars()
        .take_while(|c| *c != '\n' && *c != ',')
        .collect();
    Box::leak(s.into_boxed_str())
}

#[test]
fn nested_yaml_keys_are_told_apart_from_top_level_ones() {
    let t = "scores:\n  spec: 4\n  security: 5\nspec: specs/a/specify.md\n";
    assert_eq!(at(t, &["spec"]), "specs/a/specify.md");
    assert_eq!(at(t, &["scores", "spec"]), "4");
    assert_eq!(at(t, &["scores", "security"]), "5");
}

#[test]
fn json_and_flow_mappings() {
    let t = "{\n  \"scores\": {\"spec\": 5, \"security\": 0},\n  \"checks\": {\n    \"audit_trace_coverage\": 0.7\n  }\n}";
    assert_eq!(at(t, &["scores", "security"]), "0}");
    assert_eq!(at(t, &["checks", "audit_trace_coverage"]), "0.7");
    assert_eq!(value_offset(t, &["missing"]), None);
}

#[test]
fn ignores_comments_and_quoted_values() {
    let t = "# spec: no\nnotes: \"spec: nope\"\nspec: yes\n";
    assert_eq!(at(t, &["spec"]), "yes");
}

#[test]
fn sibling_after_nested_block_is_not_inside_it() {
    let t = "checks:\n  a: 1\nscores:\n  spec: 3\n";
    assert_eq!(value_offset(t, &["checks", "spec"]), None);
}

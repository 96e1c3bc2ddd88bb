use super::*;
use proptest::prelude::*;

/// Both readers' `serde_yaml::Value` of `doc`, when the fast one takes it.
fn both(doc: &str) -> Option<(serde_yaml::Value, Result<serde_yaml::Value, String>)> {
    let node = parse(doc)?;
    let fast = serde::Deserialize::deserialize(node).ok()?;
    let slow = serde_yaml::from_str::<serde_yaml::Value>(doc).map_err(|e| e.to_string());
    Some((fast, slow))
}

#[track_caller]
fn agrees(doc: &str) {
    if let Some((fast, slow)) = both(doc) {
        assert_eq!(Ok(fast), slow, "{doc:?}");
    }
}

#[test]
fn takes_front_matter_as_written_in_this_repository() {
    let doc = "incident_id: HM-2026-05-17-01\nprofile: standard\nscores: {spec: 5, implementation: 4}\nchecks:\n  backup_verified: true\nevidence:\n  spec: specs/x/specify.md # the spec\naudit_trace_coverage: 1.0\nbackup_verified: false\nrollback: \"Return it — the on-call owns it\"\nstateful:\n# done\n";
    let node = parse(doc).expect("inside the subset");
    let Node::Map(top) = &node else {
        panic!("a mapping")
    };
    assert_eq!(top.len(), 9);
    agrees(doc);
}

#[test]
fn gives_up_outside_the_subset() {
    for doc in [
        "a: [1, [2]]",
        "a: [x, 'y']",
        "a: [x,]",
        "a: [x] y",
        "a: {b: {c: 1}}",
        "a: {b: [1]}",
        "a: {b: 'x, y'}",
        "a: {b: 1, b: 2}",
        "a: {b: 1,}",
        "a: {b:1}",
        "a: {b: 1} x",
        "a: {, b: 1}",
        "a: |\n  x",
        "a:\n- x",
        "- x",
        "a:\n  -",
        "a:\n  - ",
        "a:\n  - # c",
        "a:\n  -x",
        "a:\n  - - x",
        "a:\n  - x\n    y",
        "a:\n  - x\n  b: 1",
        "a:\n  - x\n    - y",
        "a:\n  - x\n - y",
        "a:\n  - b:\n      c: 1",
        "a:\n  - b: 1\n   c: 2",
        "a:\n  - b: 1\n     c: 2",
        "a:\n  - b: 1\n    b: 2",
        "a:\n  - b: 1\n    c:",
        "a:\n  - b c: 1",
        "a:\n  - \"b\": 1",
        "a:\n  - b: [1, [2]]",
        "a:\n  b:\n    - x",
        "a:\n  b: 1\n  - x",
        "a: &x 1\nb: *x",
        "a: !!int \"4\"",
        "a: 1\na: 2",
        "a:\n  b: 1\n  b: 2",
        "a:\n  b:\n    c: 1",
        "a:\n  b: 1\n   c: 2",
        "a: 0x1F",
        "a: 1e3",
        "a: .5",
        "a: 007",
        "a: +5",
        "a: inf",
        "a: NaN",
        "a: \"x\\ty\"",
        "a: 'it''s'",
        "a: \"x\" y",
        "a: x: y",
        "a: x:",
        "a:\tb",
        "a: b\rc: d",
        "\u{feff}a: b",
        "a: b\u{2028}c: d",
        "a: b\u{85}c",
        "---\na: b",
        "\"a\": b",
        "a : b",
        "<<: x",
        " a: b",
        "# only a comment",
        "a: 99999999999999999999",
        "true: 1",
        "Null: 1",
        "a: {false: 1}",
        "inf: 1",
    ] {
        assert_eq!(parse(doc), None, "took {doc:?}");
    }
}

#[test]
fn resolves_scalars_as_serde_yaml_does() {
    for v in [
        "5",
        "0",
        "-5",
        "-0",
        "1.0",
        "0.25",
        "-1.5",
        "true",
        "True",
        "TRUE",
        "false",
        "~",
        "null",
        "Null",
        "NULL",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "pod",
        "'5'",
        "\"true\"",
        "\"\"",
        "''",
        "specs/x.md",
        "a#b",
        "a #b",
        "x # c",
        "'q' # c",
        "é—ü",
        "[x] y",
        "a,b",
        "-x",
        "x-",
        "1.2.3",
        "a: b",
        "N/A",
        "TODO",
        "infinity",
        "Infinity",
    ] {
        agrees(&format!("k: {v}\n"));
        agrees(&format!("top:\n  k: {v}\n"));
        agrees(&format!("top: {{k: {v}, z: 1}}\n"));
        agrees(&format!("top: [{v}, z]\n"));
    }
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(vec![
            "5",
            "0",
            "05",
            "-3",
            "+3",
            "1.0",
            "1.",
            ".5",
            "1e3",
            "0x10",
            "0o7",
            "0b1",
            "1_0",
            "true",
            "False",
            "TRUE",
            "yes",
            "No",
            "~",
            "null",
            "NULL",
            "nan",
            "inf",
            "-.inf",
            ".NaN",
            "pod",
            "a b",
            "a:b",
            "a: b",
            "a #c",
            "a#c",
            "#c",
            "'x'",
            "'x' #c",
            "\"x\"",
            "\"x\" #c",
            "\"a\\nb\"",
            "'it''s'",
            "[a]",
            "{a: 1}",
            "&a x",
            "*a",
            "!t x",
            "|",
            ">",
            "@x",
            "`x`",
            "%x",
            "-",
            "- x",
            "-x",
            "?",
            "x:",
            "é",
            "—",
            "a\u{a0}b",
            "2026-11-25",
            "12:30",
            "1:2",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,12}",
        prop::collection::vec("[ -~]{0,6}", 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        prop::collection::vec(("[a-c_]{1,2}", "[ -~]{0,6}"), 0..4).prop_map(|kv| {
            let inner: Vec<String> = kv.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{{{}}}", inner.join(", "))
        }),
    ]
}

fn line() -> impl Strategy<Value = String> {
    // Keys YAML reads as something else than a string are rarer than plain ones.
    let key = prop_oneof![
        6 => prop::sample::select(vec!["a", "b", "spec", "scores", "_x", "x1", "y"]),
        1 => prop::sample::select(vec!["a-b", "true", "NULL", "nan"]),
    ];
    (0usize..4, key, value(), any::<bool>()).prop_map(|(indent, k, v, comment)| {
        let pad = [0, 0, 2, 4][indent];
        let c = if comment { " # note" } else { "" };
        if v.is_empty() {
            format!("{:pad$}{k}:{c}", "")
        } else {
            format!("{:pad$}{k}: {v}{c}", "")
        }
    })
}

/// Values mostly inside the subset, so that whole sequences reach the fast reader.
fn item_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "restart_pod", "x", "5", "-1", "1.5", "true", "~", "a b", "[a, b]", "[]",
            "{a: 1}", "'q'", "\"d\"", "a:b", "x # c", "http://h/p",
        ])
        .prop_map(str::to_string),
        1 => value(),
    ]
}

/// A top-level `key: value` line around the sequence.
fn top_line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["b", "spec", "z", "a"]),
        item_value(),
    )
        .prop_map(|(k, v)| format!("{k}: {v}"))
}

/// One sequence item: a scalar, or a mapping of `key: value` entries.
fn seq_item() -> impl Strategy<Value = Result<String, Vec<(&'static str, String)>>> {
    let key = prop_oneof![
        8 => prop::sample::select(vec!["name", "requires", "a", "b"]),
        1 => prop::sample::select(vec!["true", "a b", "-", "\"k\""]),
    ];
    prop_oneof![
        item_value().prop_map(Ok),
        prop::collection::vec((key, item_value()), 1..4).prop_map(Err),
    ]
}

/// A top-level key followed by a block sequence, written mostly right, sometimes with a
/// line off by a column or two, another dash, an empty value, or a comment in between.
fn seq_document() -> impl Strategy<Value = String> {
    let wobble =
        prop_oneof![24 => Just(0isize), 1 => Just(-1), 1 => Just(1), 1 => Just(-2), 1 => Just(2)];
    let dash = prop_oneof![
        24 => Just("- "),
        1 => prop::sample::select(vec!["-  ", "-", "- - ", "-\t"]),
    ];
    (
        prop::collection::vec(top_line(), 0..2),
        prop::sample::select(vec!["actions:", "a:", "a: # c"]),
        prop::sample::select(vec![2usize, 2, 4, 0, 1]),
        prop::collection::vec(seq_item(), 1..4),
        prop::collection::vec(wobble, 12),
        prop::collection::vec(dash, 4),
        prop::sample::select(vec!["", "    # c", "", "#", "", "  x:"]),
        prop::collection::vec(top_line(), 0..2),
        any::<bool>(),
    )
        .prop_map(
            |(before, key, indent, items, wobble, dashes, extra, after, crlf)| {
                let mut lines = before;
                lines.push(key.to_string());
                let mut w = wobble.iter().cycle();
                let mut pad = |base: usize| {
                    let n = base as isize + w.next().copied().unwrap_or(0);
                    " ".repeat(n.max(0) as usize)
                };
                for (i, item) in items.iter().enumerate() {
                    let dash = dashes[i % dashes.len()];
                    match item {
                        Ok(v) => lines.push(format!("{}{dash}{v}", pad(indent))),
                        Err(entries) => {
                            let (k, v) = &entries[0];
                            lines.push(format!("{}{dash}{k}: {v}", pad(indent)));
                            for (k, v) in &entries[1..] {
                                lines.push(format!("{}{k}: {v}", pad(indent + dash.len())));
                            }
                        }
                    }
                    if i == 0 && !extra.is_empty() {
                        lines.push(extra.to_string());
                    }
                }
                lines.extend(after);
                lines.join(if crlf { "\r\n" } else { "\n" })
            },
        )
}

/// The sequence comparison means something only if the fast reader takes a fair share of
/// the generated documents that hold a block sequence.
#[test]
fn the_sequence_generator_reaches_the_fast_reader() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = seq_document();
    let (mut taken, mut with_maps) = (0, 0);
    for _ in 0..2000 {
        let doc = strategy.new_tree(&mut runner).unwrap().current();
        if both(&doc).is_some() && doc.lines().any(|l| l.trim_start().starts_with("- ")) {
            taken += 1;
            with_maps += usize::from(doc.lines().any(|l| {
                let t = l.trim_start();
                t.starts_with("- ") && t.contains(": ")
            }));
        }
    }
    assert!(
        taken >= 200,
        "only {taken} of 2000 sequence documents taken"
    );
    assert!(
        with_maps >= 100,
        "only {with_maps} taken with an item mapping"
    );
}

#[test]
fn takes_block_sequences_of_scalars_and_compact_mappings() {
    let doc = "actions:\n  - name: warm_cache # first\n    requires: [snapshot_fresh]\n\n  # between\n  - restart\n  -   name: x\n      requires: a, b\nnext: 1\n";
    let Some(Node::Map(top)) = parse(doc) else {
        panic!("inside the subset")
    };
    let Node::Seq(items) = &top[0].1 else {
        panic!("a sequence")
    };
    assert_eq!(items.len(), 3);
    assert!(matches!(&items[0], Node::Map(e) if e.len() == 2));
    assert!(matches!(&items[2], Node::Map(e) if e[1].0 == "requires"));
    agrees(doc);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    /// Whatever the fast reader takes of a document with block sequences, `serde_yaml`
    /// reads the same.
    #[test]
    fn block_sequences_read_as_serde_yaml_reads_them(doc in seq_document()) {
        if let Some((fast, slow)) = both(&doc) {
            prop_assert_eq!(Ok(fast), slow, "{:?}", doc);
        }
    }
}

fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            prop_oneof![line(), Just(String::new()), Just("# c".to_string())],
            1..8,
        ),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf)| lines.join(if crlf { "\r\n" } else { "\n" }))
}

/// The comparison below means something only if the fast reader takes a fair share of
/// the generated documents.
#[test]
fn the_generator_reaches_the_fast_reader() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = document();
    let taken = (0..2000)
        .filter(|_| {
            let doc = strategy.new_tree(&mut runner).unwrap().current();
            both(&doc).is_some()
        })
        .count();
    assert!(
        taken >= 200,
        "only {taken} of 2000 generated documents taken"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// Whatever the fast reader takes, `serde_yaml` reads the same.
    #[test]
    fn the_fast_reader_agrees_with_serde_yaml(doc in document()) {
        if let Some((fast, slow)) = both(&doc) {
            prop_assert_eq!(Ok(fast), slow, "{:?}", doc);
        }
    }
}

/// [`scan`] as it was: one byte at a time.
fn scan_by_bytes(text: &str) -> Option<bool> {
    let mut cr = false;
    for &b in text.as_bytes() {
        match b {
            b' '..=b'~' | b'\n' => {}
            b'\r' => cr = true,
            0x80.. => {
                return text
                    .chars()
                    .all(allowed)
                    .then(|| memchr::memchr(b'\r', text.as_bytes()).is_some());
            }
            _ => return None,
        }
    }
    Some(cr)
}

#[test]
fn plain_word_is_the_byte_test() {
    // Every byte value at every position of a word of plain bytes and of one of its edges.
    for b in 0..=255u8 {
        for fill in [b'a', b' ', b'~', b'\n', 0x1F, 0x7F, 0x80, 0xFF, 0x09, 0x0B] {
            for at in 0..8 {
                let mut w = [fill; 8];
                w[at] = b;
                let want = w.iter().all(|&c| matches!(c, b' '..=b'~' | b'\n'));
                assert_eq!(plain_word(u64::from_le_bytes(w)), want, "{w:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]
    /// The scan by words finds what the scan by bytes finds, on texts with every kind of
    /// byte it treats apart (CR, tab, controls, DEL, non-ASCII, a BOM, NEL, U+2028).
    #[test]
    fn the_scan_by_words_is_the_scan_by_bytes(
        text in "([ -~]{0,12}|\n|\r\n|\r|\t|\u{1}|\u{7f}|é|\u{feff}|\u{85}|\u{2028}|\u{a0}|жук){0,24}"
    ) {
        prop_assert_eq!(scan(&text), scan_by_bytes(&text), "{:?}", text);
    }

    /// The same on plain text with one other byte somewhere: the words before it are the
    /// ones skipped.
    #[test]
    fn one_odd_byte_is_found_wherever_it_is(
        plain in "[ -~\n]{0,40}",
        at in 0usize..41,
        odd in prop::sample::select(vec!["\r", "\t", "\u{0}", "\u{1f}", "\u{7f}", "é", "\u{85}", "\u{feff}", "\u{2029}"]),
    ) {
        let mut text = plain.clone();
        text.insert_str(at.min(plain.len()), odd);
        prop_assert_eq!(scan(&text), scan_by_bytes(&text), "{:?}", text);
    }
}

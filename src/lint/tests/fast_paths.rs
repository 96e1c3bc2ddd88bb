//! The fast paths of the lint agree with the plain ones they stand for.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::super::bounded;
use super::super::patterns::{CommandPatterns, CommandsConfig, ToolSpec};
use super::builtin;

/// Built-in words plus user words with joiners inside (`a-b`, whose tail `b` is a word too),
/// dots, digits and an alias.
fn custom() -> &'static CommandPatterns {
    static PATS: std::sync::OnceLock<CommandPatterns> = std::sync::OnceLock::new();
    PATS.get_or_init(|| {
        let tool = |t: &str| ToolSpec {
            tool: Some(t.to_string()),
            ..ToolSpec::default()
        };
        let config = CommandsConfig {
            aliases: BTreeMap::from([("kc".to_string(), "kubectl".to_string())]),
            add: vec![tool("a-b"), tool("b"), tool("x.y_z"), tool("y"), tool("k8")],
            remove: Vec::new(),
        };
        CommandPatterns::new(&config).unwrap()
    })
}

/// User words whose matches overlap across joiners in chains (`xab-c-d`: `ab` hides `b-c`,
/// which would hide `c-d`), for the search of runs with joiners.
fn chains() -> &'static CommandPatterns {
    static PATS: std::sync::OnceLock<CommandPatterns> = std::sync::OnceLock::new();
    PATS.get_or_init(|| {
        let tool = |t: &str| ToolSpec {
            tool: Some(t.to_string()),
            ..ToolSpec::default()
        };
        let config = CommandsConfig {
            aliases: BTreeMap::new(),
            add: ["ab", "b-c", "c-d", "d", "c-d-e", "e_f", "f", "a_b-c", "q"]
                .into_iter()
                .map(tool)
                .collect(),
            remove: Vec::new(),
        };
        CommandPatterns::new(&config).unwrap()
    })
}

/// A prefilter match: start, end, pattern.
type Hit = (usize, usize, usize);

/// The prefilter matches `bounded` accepts, found the fast way and the plain way.
fn both(pats: &CommandPatterns, text: &str) -> (Vec<Hit>, Vec<Hit>) {
    let mut fast = Vec::new();
    pats.each_match(text, &mut Vec::new(), |r, p| {
        if bounded(text, r.clone()) {
            fast.push((r.start, r.end, p));
        }
    });
    let mut slow = Vec::new();
    pats.each_match_slow(text, |r, p| {
        if bounded(text, r.clone()) {
            slow.push((r.start, r.end, p));
        }
    });
    (fast, slow)
}

fn agree(text: &str) {
    for pats in [builtin(), custom(), chains()] {
        let (fast, slow) = both(pats, text);
        assert_eq!(fast, slow, "{text:?}");
        // Unfiltered, the fast path passes on only matches of the plain search (in a run with
        // a joiner, all of them), in order.
        let mut all_fast = Vec::new();
        pats.each_match(text, &mut Vec::new(), |r, p| {
            all_fast.push((r.start, r.end, p));
        });
        let mut all_slow = Vec::new();
        pats.each_match_slow(text, |r, p| all_slow.push((r.start, r.end, p)));
        let mut rest = all_slow.iter();
        for hit in &all_fast {
            assert!(rest.any(|h| h == hit), "{hit:?} in {text:?}: {all_slow:?}");
        }
    }
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("kubectl".to_string()),
        Just("KubeCtl".into()),
        Just("k".into()),
        Just("K".into()),
        Just("kc".into()),
        Just("k8".into()),
        Just("k8s".into()),
        Just("docker".into()),
        Just("docker-compose".into()),
        Just("compose".into()),
        Just("kafka-topics".into()),
        Just("topics".into()),
        Just("pg_ctl".into()),
        Just("pg_ctlcluster".into()),
        Just("ctl".into()),
        Just("helm".into()),
        Just("helm3".into()),
        Just("a-b".into()),
        Just("b".into()),
        Just("B".into()),
        Just("x.y_z".into()),
        Just("y".into()),
        Just("set".into()),
        Just("SET".into()),
        Just("Update".into()),
        Just("delete".into()),
        Just("x".into()),
        Just("v1".into()),
        Just("3".into()),
        Just("-".into()),
        Just("_".into()),
        Just("__".into()),
        Just(".".into()),
        Just(" ".into()),
        Just("\n".into()),
        Just("=".into()),
        Just("é".into()),
        Just("к".into()),
        "[a-zA-Z0-9_.\\- ]{0,6}".prop_map(|s| s),
    ]
}

#[test]
fn the_word_scan_keeps_every_candidate_of_the_plain_search() {
    for text in [
        "",
        "kubectl delete pod x",
        "xkubectl",
        "__kubectl",
        "a__kubectl",
        "x-a-b",
        "xa-b",
        "a-b",
        "_b",
        "docker-compose up",
        "xdocker-compose",
        "helm3 upgrade",
        "kubectl-1.29",
        "kubectl_v1.28",
        "k8s k8 K",
        "the on-call has kubectl access",
        "set GLOBAL x; Update t SET a=1",
        "x.y_z y x.y_zy",
        "é kubectl кubectl",
    ] {
        agree(text);
    }
    // The fast path is really taken for the built-in words.
    assert!(builtin().each_match_is_fast());
    assert!(chains().each_match_is_fast());
}

#[test]
fn runs_with_joiners_give_the_automatons_matches() {
    for text in [
        "xab-c-d",
        "ab-c-d",
        "a_b-c-d-e_f",
        "b-c-d-e_f",
        "xb-c-d-e",
        "c-d-e_f-f",
        "-d_d-",
        "q-q_q--q",
        "AB-C-D E_F",
        "redis-cli ledger-writer replica_lag_seconds kafka-topics-x docker-compose-up",
        "pg_ctl_pg_ctlcluster-pg_ctl",
    ] {
        agree(text);
    }
}

/// A run of word bytes glued with joiners only (no other separator).
fn joined() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a", "b", "c", "d", "e", "f", "q", "x", "ab", "A", "B", "k", "kc", "k8", "kubectl",
        "docker", "compose", "pg", "ctl", "kafka", "topics", "set", "-", "_", "--", "__", ".", "9",
        " ",
    ]);
    proptest::collection::vec(piece, 0..32).prop_map(|p| p.concat())
}

/// `shell::prose::alnum_end` (eight bytes at a time) against the byte by byte
/// search, at every start offset.
fn alnum_end_agrees(b: &[u8]) {
    for i in 0..=b.len() {
        let (fast, slow) = super::super::shell::alnum_ends(b, i);
        assert_eq!(fast, slow, "{b:?} from {i}");
    }
}

#[test]
fn the_eight_byte_run_end_classifies_every_byte_in_every_lane() {
    use super::super::shell::non_alnum_lanes_of;
    for background in [b'a', b'Z', b'0', b' ', 0x80, 0xff, b'@', b'`'] {
        for lane in 0..8 {
            for v in 0..=255u8 {
                let mut lanes = [background; 8];
                lanes[lane] = v;
                let mask = non_alnum_lanes_of(u64::from_le_bytes(lanes));
                for (k, &c) in lanes.iter().enumerate() {
                    let stop = mask >> (8 * k) & 0xff;
                    let expected = if c.is_ascii_alphanumeric() { 0 } else { 0x80 };
                    assert_eq!(stop, expected, "{lanes:?} lane {k}");
                }
            }
        }
    }
    for len in 0..40 {
        let mut b = vec![b'k'; len];
        alnum_end_agrees(&b);
        for stop in 0..len {
            for c in [
                b' ', b'-', b'_', 0xc3, b'/', b':', b'@', b'[', b'`', b'{', 0,
            ] {
                b[stop] = c;
                alnum_end_agrees(&b);
            }
            b[stop] = b'k';
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn word_scan_agrees_on_word_soup(words in proptest::collection::vec(word(), 0..24)) {
        agree(&words.concat());
    }

    #[test]
    fn word_scan_agrees_on_arbitrary_ascii(text in "[ -~\\n]{0,80}") {
        agree(&text);
    }

    #[test]
    fn word_scan_agrees_on_arbitrary_strings(text in "\\PC{0,60}") {
        agree(&text);
    }

    #[test]
    fn word_scan_agrees_on_joined_runs(text in joined()) {
        agree(&text);
    }

    #[test]
    fn alnum_end_agrees_on_arbitrary_bytes(b in proptest::collection::vec(any::<u8>(), 0..40)) {
        alnum_end_agrees(&b);
    }

    #[test]
    fn alnum_end_agrees_on_long_runs(text in "([a-zA-Z0-9]{0,20}[^a-zA-Z0-9]?){0,6}") {
        alnum_end_agrees(text.as_bytes());
    }
}

/// The built-in patterns with the automaton run over every text.
fn plain() -> &'static CommandPatterns {
    static PATS: std::sync::OnceLock<CommandPatterns> = std::sync::OnceLock::new();
    PATS.get_or_init(|| builtin().without_word_scan())
}

/// [`prefilter`] (the word scan, the split words read off the bytes it marks) against the
/// automaton over the whole text and the byte-by-byte search for split words: the same
/// candidates and the same statement flag. The marks are exactly the trick bytes, found
/// the fast way and the fallback way.
fn prefilter_agrees(text: &str) {
    let mut scratch = super::super::Scratch::default();
    for pats in [builtin(), custom(), chains(), plain()] {
        let statement = super::super::prefilter(text, pats, &mut scratch);
        let (candidates, slow_statement) = super::super::prefilter_slow(text, pats);
        assert_eq!(scratch.candidates, candidates, "{text:?}");
        assert_eq!(statement, slow_statement, "{text:?}");
        let mut marks = scratch.marks.clone();
        marks.sort_unstable();
        let expected: Vec<usize> = (0..text.len())
            .filter(|&i| super::super::TRICK_BYTES.contains(&text.as_bytes()[i]))
            .collect();
        assert_eq!(marks, expected, "{text:?}");
    }
}

fn trick_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "kube",
        "ctl",
        "k",
        "9",
        "'",
        "''",
        "\"",
        "\\",
        "`",
        "^",
        "$",
        "$@",
        "${",
        "$'",
        "$*",
        "@",
        "*",
        "{",
        "}",
        "\n",
        "\r",
        "\r\n",
        "\\\n",
        " ",
        "-",
        "_",
        "é",
        "к",
        "kubectl",
        "delete",
        "docker-compose",
        "pg_ctl",
        "set",
        "SET",
        "post",
    ])
}

#[test]
fn the_prefilter_finds_what_the_plain_searches_find() {
    for text in [
        "",
        "k''ubectl",
        "\"kube\"\"ctl\"",
        "kube\\ctl",
        "ku`bectl",
        "kube$@ctl",
        "kube${X}ctl",
        "$'\\x6bubectl'",
        "${T:-kubectl}",
        "kube\\\nctl",
        "kube\\\r\nctl",
        "ab c'd e^f $@ $'x'",
        "don't 'quote' it",
        "é'x",
        "x'",
        "'",
        "$",
        "kubectl delete pod x; DELETE FROM t",
        "x-docker-compose'up' pg_ctl\"stop\"",
    ] {
        prefilter_agrees(text);
    }
    let mut scratch = super::super::Scratch::default();
    assert!(!super::super::prefilter(
        "ab ku''bectl",
        builtin(),
        &mut scratch
    ));
    assert_eq!(scratch.candidates, [3]);
    assert!(super::super::prefilter(
        "x; delete from t",
        builtin(),
        &mut scratch
    ));
    assert!(scratch.candidates.is_empty());
    assert!(!plain().each_match_is_fast());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn prefilter_agrees_on_trick_soup(parts in proptest::collection::vec(trick_piece(), 0..24)) {
        prefilter_agrees(&parts.concat());
    }

    #[test]
    fn prefilter_agrees_on_arbitrary_text(text in "[ -~\\n\\ré]{0,80}") {
        prefilter_agrees(&text);
    }

    #[test]
    fn prefilter_agrees_on_word_soup(words in proptest::collection::vec(word(), 0..24)) {
        prefilter_agrees(&words.concat());
    }
}

/// `lookup` (which first rules out the lengths and first bytes no name or alias has)
/// against the lookup in the maps.
fn lookup_agrees(word: &str) {
    for pats in [builtin(), custom()] {
        for alias_ok in [false, true] {
            let (fast, slow) = super::super::patterns::lookups(pats, word, alias_ok);
            assert_eq!(
                fast.map(|t| t.name.as_str()),
                slow.map(|t| t.name.as_str()),
                "{word:?} {alias_ok}"
            );
        }
    }
}

/// `surely_no_name` (told from the word as written, before lowercasing) never rules out a
/// word whose lowercase form `lookup` finds, with or without aliases.
fn no_name_is_sound(word: &str) {
    for pats in [builtin(), custom(), chains()] {
        if pats.surely_no_name(word) {
            let lower = word.to_ascii_lowercase();
            for alias_ok in [false, true] {
                let (fast, slow) = super::super::patterns::lookups(pats, &lower, alias_ok);
                assert!(fast.is_none() && slow.is_none(), "{word:?} {alias_ok}");
            }
        }
    }
}

#[test]
fn surely_no_name_rules_out_no_name_in_any_case() {
    for pats in [builtin(), custom(), chains()] {
        for name in pats.by_name.keys().chain(pats.aliases.keys()) {
            for w in [
                name.clone(),
                name.to_ascii_uppercase(),
                format!("{}{}", name[..1].to_ascii_uppercase(), &name[1..]),
            ] {
                assert!(!pats.surely_no_name(&w), "{w}");
                no_name_is_sound(&w);
            }
        }
    }
    for word in [
        "", "K", "KC", "Kubectl", "x", "É", "é", "the", "Service", "SET",
    ] {
        no_name_is_sound(word);
    }
    no_name_is_sound(&"K".repeat(70));
    // It does rule words out: a word of a length and first letter no name has.
    assert!(builtin().surely_no_name("Qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"));
}

#[test]
fn lookup_finds_every_name_and_alias() {
    for pats in [builtin(), custom()] {
        for name in pats.by_name.keys().chain(pats.aliases.keys()) {
            lookup_agrees(name);
            assert!(pats.lookup(name, true).is_some(), "{name}");
        }
    }
    for word in [
        "", "k", "kc", "kubectl", "kubectlx", "x", "é", "a-b", "delete", "the",
    ] {
        lookup_agrees(word);
    }
    lookup_agrees(&"k".repeat(70));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn lookup_agrees_on_words(w in word(), tail in "[a-z0-9_.-]{0,3}") {
        lookup_agrees(&w.to_ascii_lowercase());
        lookup_agrees(&format!("{}{tail}", w.to_ascii_lowercase()));
    }

    #[test]
    fn surely_no_name_is_sound_on_words(w in word(), tail in "[a-zA-Z0-9_.-]{0,3}") {
        no_name_is_sound(&w);
        no_name_is_sound(&format!("{w}{tail}"));
        no_name_is_sound(&format!("{tail}{w}"));
    }

    #[test]
    fn surely_no_name_is_sound_on_arbitrary_words(w in "\\PC{0,12}") {
        no_name_is_sound(&w);
    }
}

/// The unit buffers a thread keeps from one file to the next leave nothing behind: a file
/// gives the same hits after any other file as on a thread of its own.
#[test]
fn a_file_reads_the_same_after_other_files() {
    let docs: Vec<String> =
        vec![
        "---\nowner: x\nrun: kubectl delete pod a\n---\n# T\n\nRun kubectl delete pod x now.\n"
            .into(),
        super::bash("k''ubectl delete pod y\nhelm uninstall z"),
        "<div title=\"kubectl drain n\">ku<span></span>bectl delete ns q</div>\n\nText `x`.\n"
            .into(),
        format!("{}\n\nA — b ≥ c, кubectl delete pod w.\n", "word ".repeat(3000)),
        "Nothing here.\n".into(),
        "| a | b |\n|---|---|\n| `systemctl restart nginx` | x |\n\n    psql -c 'DROP TABLE t'\n"
            .into(),
    ];
    let alone: Vec<_> = docs
        .iter()
        .map(|d| {
            let d = d.clone();
            std::thread::spawn(move || super::hits(&d))
                .join()
                .unwrap_or_else(|_| unreachable!())
        })
        .collect();
    assert!(alone.iter().filter(|h| !h.is_empty()).count() >= 5);
    for (i, d) in docs.iter().enumerate().chain(docs.iter().enumerate().rev()) {
        assert_eq!(super::hits(d), alone[i], "{d:?}");
    }
}

/// [`tokenize_prose`](super::super::shell::tokenize_prose) (runs of letters and digits
/// appended whole) against the character-by-character split, on `text` and on every range of
/// it that starts and ends on a character boundary.
fn prose_tokens_agree(text: &str) {
    use super::super::shell::{tokenize_prose, tokenize_prose_slow};
    let cuts: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    for (k, &a) in cuts.iter().enumerate() {
        for &b in cuts[k..].iter().step_by(3).chain(cuts.last()) {
            assert_eq!(
                tokenize_prose(text, a..b),
                tokenize_prose_slow(text, a..b),
                "{text:?} {a}..{b}"
            );
        }
    }
    // Out of range and off a character boundary: nothing, both ways.
    assert_eq!(
        tokenize_prose(text, 0..text.len() + 1),
        tokenize_prose_slow(text, 0..text.len() + 1)
    );
}

fn prose_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "kubectl",
        "Delete",
        "pod",
        "x9",
        "a",
        "Z",
        "0",
        "12345678",
        "abcdefghijklmnopq",
        " ",
        "  ",
        "\n",
        "\t",
        "\u{a0}",
        ".",
        ". ",
        ":",
        "!",
        "?",
        ",",
        ";",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "<",
        ">",
        "|",
        "&",
        "—",
        "…",
        "'",
        "\"",
        "\\",
        "`",
        "*",
        "$",
        "$'",
        "_",
        "__",
        "-",
        "/",
        "=",
        "é",
        "к",
        "ü",
        "$(echo",
        "printf",
        "echo",
    ])
}

#[test]
fn prose_tokens_are_the_character_by_character_ones() {
    for text in [
        "",
        "Run kubectl delete pod x now.",
        "k'ubectl de\"lete pod: x! y? z.",
        "_kubectl_ __x__ a_b $(echo kubectl) delete pod",
        "kubectl\u{a0}delete — pod… «x» кubectl",
        "abcdefgh12345678ABCDEFGH.ijklmnop",
        "x.y:z!w?v \"quoted.\" (paren.) [a.] {b.}",
    ] {
        prose_tokens_agree(text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn prose_tokens_agree_on_soup(parts in proptest::collection::vec(prose_piece(), 0..20)) {
        prose_tokens_agree(&parts.concat());
    }

    #[test]
    fn prose_tokens_agree_on_arbitrary_text(text in "[ -~\\n\\t\u{a0}é—…]{0,40}") {
        prose_tokens_agree(&text);
    }

    #[test]
    fn prose_tokens_agree_on_arbitrary_strings(text in "\\PC{0,30}") {
        prose_tokens_agree(&text);
    }
}

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

/// A prefilter match: start, end, pattern.
type Hit = (usize, usize, usize);

/// The prefilter matches `bounded` accepts, found the fast way and the plain way.
fn both(pats: &CommandPatterns, text: &str) -> (Vec<Hit>, Vec<Hit>) {
    let mut fast = Vec::new();
    pats.each_match(text, |r, p| {
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
    for pats in [builtin(), custom()] {
        let (fast, slow) = both(pats, text);
        assert_eq!(fast, slow, "{text:?}");
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
}

/// [`split_tricks`] (found with `memchr3`, each byte read on its own) against the byte-by-byte
/// reference: the same candidates, once sorted.
fn tricks_agree(text: &str) {
    let mut fast = super::super::split_tricks(text);
    let mut slow = super::super::split_tricks_slow(text);
    fast.sort_unstable();
    slow.sort_unstable();
    assert_eq!(fast, slow, "{text:?}");
}

fn trick_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "kube", "ctl", "k", "9", "'", "''", "\"", "\\", "`", "^", "$", "$@", "${", "$'", "$*", "@",
        "*", "{", "}", "\n", "\r", "\r\n", "\\\n", " ", "-", "é", "к",
    ])
}

#[test]
fn split_tricks_finds_what_the_byte_scan_finds() {
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
        "a''''''b c'd e^f $@ $'x'",
        "don't 'quote' it",
        "é'x",
        "x'",
        "'",
        "$",
    ] {
        tricks_agree(text);
    }
    assert_eq!(super::super::split_tricks("ab k''ubectl"), [3]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn split_tricks_agrees_on_trick_soup(parts in proptest::collection::vec(trick_piece(), 0..24)) {
        tricks_agree(&parts.concat());
    }

    #[test]
    fn split_tricks_agrees_on_arbitrary_text(text in "[ -~\\n\\ré]{0,80}") {
        tricks_agree(&text);
    }
}

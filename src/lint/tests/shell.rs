//! Tokenizers and logical lines.

use crate::lint::shell::{Op, logical_lines, tokenize_code, tokenize_prose};

fn words(tokens: &[crate::lint::shell::Token]) -> Vec<&str> {
    tokens.iter().map(|t| t.text.as_str()).collect()
}

fn code(s: &str) -> Vec<String> {
    tokenize_code(s, 0..s.len())
        .into_iter()
        .map(|t| t.text)
        .collect()
}

#[test]
fn removes_quotes_inside_words() {
    assert_eq!(code("k''ubectl delete"), ["kubectl", "delete"]);
    assert_eq!(code(r#""kube""ctl" delete"#), ["kubectl", "delete"]);
    assert_eq!(code(r#"kube\ctl"#), ["kubectl"]);
    assert_eq!(code(r#"echo "a b" 'c d'"#), ["echo", "a b", "c d"]);
    assert_eq!(code(r#""say \"hi\"""#), [r#"say "hi""#]);
}

#[test]
fn joins_continuations() {
    assert_eq!(
        code("kubectl \\\n  delete pod"),
        ["kubectl", "delete", "pod"]
    );
    assert_eq!(code("kube\\\nctl"), ["kubectl"]);
}

#[test]
fn splits_on_operators_and_array_syntax() {
    let t = tokenize_code("a | b && c; $(d) `e` [\"f\",\"g\"] {h}", 0..34);
    let ops: Vec<(&str, Option<Op>)> = t.iter().map(|t| (t.text.as_str(), t.op)).collect();
    assert_eq!(
        ops,
        [
            ("a", None),
            ("|", Some(Op::Sep)),
            ("b", None),
            ("&&", Some(Op::Sep)),
            ("c", None),
            (";", Some(Op::Sep)),
            ("$(", Some(Op::Sep)),
            ("d", None),
            (")", Some(Op::Close)),
            ("`", Some(Op::Sep)),
            ("e", None),
            ("`", Some(Op::Sep)),
            ("[", Some(Op::Open)),
            ("f", None),
            (",", Some(Op::Comma)),
            ("g", None),
            ("]", Some(Op::Close)),
            ("{", Some(Op::Open)),
            ("h", None),
            ("}", Some(Op::Close)),
        ]
    );
}

#[test]
fn keeps_parameter_expansion_and_braces_in_words() {
    assert_eq!(code("rm ${DIR}/x {}"), ["rm", "${DIR}/x", "{}"]);
}

#[test]
fn windows_paths_keep_backslashes() {
    assert_eq!(
        code(r"C:\tools\helm.exe list"),
        [r"C:\tools\helm.exe", "list"]
    );
    assert_eq!(code(r".\kubectl.exe get"), [r".\kubectl.exe", "get"]);
}

#[test]
fn quoted_word_exposes_its_content() {
    let s = "bash -c 'kubectl delete pod x'";
    let t = tokenize_code(s, 0..s.len());
    let inner = t[2].inner.clone().unwrap_or_default();
    assert_eq!(&s[inner], "kubectl delete pod x");
    // Two quoted parts are not one string.
    let s = r#""kube""ctl""#;
    assert_eq!(tokenize_code(s, 0..s.len())[0].inner, None);
}

#[test]
fn token_offsets_are_in_the_input() {
    let s = "  x \"kubectl\" y";
    let t = tokenize_code(s, 2..s.len());
    assert_eq!((t[1].start, t[1].lead, t[1].end), (4, 5, 13));
}

#[test]
fn prose_words_and_clauses() {
    let s = "Run kubectl's delete, then \"kubectl\" get; v1.29 at 10:30. Done";
    let t = tokenize_prose(s, 0..s.len());
    assert_eq!(
        words(&t),
        [
            "Run", "kubectls", "delete", ",", "then", "kubectl", "get", ";", "v1.29", "at",
            "10:30", ".", "Done"
        ]
    );
    let s = "**kubectl** — _helm_";
    assert_eq!(
        words(&tokenize_prose(s, 0..s.len())),
        ["kubectl", "—", "helm"]
    );
}

#[test]
fn prose_marks_line_breaks() {
    let s = "kubectl rollout\nrestart deploy/x";
    let t = tokenize_prose(s, 0..s.len());
    assert!(!t[1].nl_before);
    assert!(t[2].nl_before);
}

#[test]
fn logical_lines_join_on_odd_backslashes() {
    let s = "a \\\nb\nc \\\\\nd\n";
    let lines: Vec<&str> = logical_lines(s, true).into_iter().map(|r| &s[r]).collect();
    assert_eq!(lines, ["a \\\nb", "c \\\\", "d"]);
    let lines: Vec<&str> = logical_lines(s, false).into_iter().map(|r| &s[r]).collect();
    assert_eq!(lines, ["a \\", "b", "c \\\\", "d"]);
}

//! The fast YAML reader (`parse::yaml_fast`) against the general parser, on the typed
//! readiness document: same value, or the same error.
use super::*;
use proptest::prelude::*;

fn both(text: &str) -> (String, String) {
    let fast = yaml::from_yaml::<RawReadiness>("r.md", text, 1);
    let general = yaml::from_yaml_general::<RawReadiness>("r.md", text, 1);
    (format!("{fast:?}"), format!("{general:?}"))
}

#[test]
fn the_documents_of_this_repository_read_the_same() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for f in [
        "capstone/readiness.md",
        "fixtures/readiness/readiness_block_command.yaml",
        "fixtures/readiness/readiness_block_evidence_missing.yaml",
    ] {
        let Ok(text) = std::fs::read_to_string(root.join(f)) else {
            continue;
        };
        let yaml_text = match frontmatter::split(&text) {
            Ok(Some(fm)) => fm.yaml.to_string(),
            _ => text.clone(),
        };
        let (fast, general) = both(&yaml_text);
        assert_eq!(fast, general, "{f}");
        n += 1;
    }
    assert!(n >= 3);
}

fn line() -> impl Strategy<Value = String> {
    let value = prop::sample::select(vec![
        "5",
        "4",
        "0",
        "6",
        "-1",
        "2.5",
        "\"5\"",
        "'4'",
        "1.0",
        "0.7",
        "1",
        "0",
        "1.5",
        "true",
        "false",
        "True",
        "yes",
        "~",
        "",
        "pod",
        "namespace",
        "cluster",
        "\"pod\"",
        "HM-2026-05-17-01",
        "\"HM 1\"",
        "specs/x/specify.md",
        "'specs/x/plan.md'",
        "standard",
        "strict",
        "TODO",
        "null",
        "\"Return it\"",
        "x # note",
        "[a.md, b.md]",
        "[a.md]",
        "[]",
        "[5, x]",
        "{a: 1}",
        "\"spec: x\"",
        "жук # spec: 1",
        "a\tb",
        "{spec: 1, \"security\": 2}",
    ]);
    let top = prop::sample::select(vec![
        "incident_id",
        "spec",
        "profile",
        "audit_trace_coverage",
        "stateful",
        "backup_verified",
        "radius_of_impact",
        "dry_run_verified",
        "rollback",
        "pre_approved_action",
        "unknown_key",
    ]);
    let nested = prop::sample::select(vec![
        "spec",
        "implementation",
        "verification",
        "process",
        "security",
        "other",
        "audit_trace_coverage",
        "backup_verified",
    ]);
    prop_oneof![
        (top.clone(), value.clone()).prop_map(|(k, v)| format!("{k}: {v}")),
        // Block sequences (read by the fast reader under a top-level key).
        (top, prop::collection::vec(value.clone(), 1..4)).prop_map(|(k, items)| {
            let mut s = format!("{k}:");
            for v in items {
                s.push_str(&format!("\n  - {v}"));
            }
            s
        }),
        (
            prop::sample::select(vec!["scores", "evidence", "checks"]),
            prop::collection::vec((nested.clone(), value.clone()), 0..6)
        )
            .prop_map(|(k, entries)| {
                let mut s = format!("{k}:");
                for (n, v) in entries {
                    s.push_str(&format!("\n  {n}: {v}"));
                }
                s
            }),
        (
            prop::sample::select(vec!["scores", "evidence", "checks"]),
            prop::collection::vec((nested, value), 0..6)
        )
            .prop_map(|(k, entries)| {
                let inner: Vec<String> = entries.iter().map(|(n, v)| format!("{n}: {v}")).collect();
                format!("{k}: {{{}}}", inner.join(", "))
            }),
    ]
}

/// Every path the resolver places, and a few it does not.
fn all_paths() -> Vec<Vec<&'static str>> {
    let mut paths: Vec<Vec<&str>> = TOP.iter().map(|k| vec![*k]).collect();
    for parent in ["scores", "evidence", "checks", "incident_id", "unknown_key"] {
        for name in CATEGORIES.iter().chain(&CHECKS).chain(&["other"]) {
            paths.push(vec![parent, name]);
        }
    }
    paths.push(vec!["unknown_key"]);
    paths.push(vec!["scores", "spec", "spec"]);
    paths
}

#[test]
fn the_categories_are_the_model_s() {
    let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names, CATEGORIES);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]
    /// The positions found by one pass per mapping (`Places`) are the ones a search of
    /// the keys for each path finds, placed by a `LineIndex`.
    #[test]
    fn placed_paths_are_where_the_search_finds_them(
        lines in prop::collection::vec(line(), 1..12),
        crlf in any::<bool>(),
        offset in 0u32..3,
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let keys = locate::Keys::new(&text);
        let r = Resolver {
            file: "r.md",
            doc: &text,
            idx: std::cell::OnceCell::new(),
            places: Places::new(&keys),
            keys,
            line_offset: offset,
        };
        for path in all_paths() {
            let (l, c) = r.at_by_search(&path);
            prop_assert_eq!(r.at(&path), (l + offset, c), "{:?} {:?}", text, path);
        }
    }

    #[test]
    fn generated_documents_read_the_same(lines in prop::collection::vec(line(), 1..12)) {
        let text = lines.join("\n");
        let (fast, general) = both(&text);
        prop_assert_eq!(fast, general, "{}", text);
    }
}

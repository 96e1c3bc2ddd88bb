use super::*;
use std::path::PathBuf;

fn cfg() -> Config {
    Config::from_text(PathBuf::from("/r"), None, "").unwrap()
}

const SPEC: &str = "---\nincident_type: high_memory_usage\nservice: appointments-api\nblast_radius: pod\nstateful: false\n---\n# high_memory_usage\n\n## Why\nMemory pressure.\n\n## What\nRestore.\n\n## Constraints\nNo stateful restarts.\n\n## Acceptance\nGiven ...\n\n## Pre-approved actions\n- restart_pod\n- scale_up_replicas_one (requires: stateless, hpa_enabled)\n- `drain_node` — only with approval\n- Restart the pod by hand\n";

#[test]
fn sections_front_matter_and_actions() {
    let s = parse("specify.md", SPEC, &cfg()).unwrap();
    let f = s.front.as_ref().unwrap();
    assert_eq!(f.blast_radius.as_ref().unwrap().value, Radius::Pod);
    assert_eq!(f.service.as_ref().unwrap().line, 3);
    for k in SectionKind::ALL {
        assert!(s.section(k).is_some(), "{k:?}");
    }
    let names: Vec<_> = s.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["restart_pod", "scale_up_replicas_one", "drain_node"]
    );
    assert_eq!(s.actions[1].requires, ["stateless", "hpa_enabled"]);
    assert_eq!((s.actions[0].line, s.actions[0].col), (22, 3));
    assert_eq!(s.unnamed_action_items.len(), 1);
    assert_eq!(s.unnamed_action_items[0].line, 25);
}

#[test]
fn fenced_yaml_actions() {
    let t = "## Pre-approved actions\n\n```yaml\nactions:\n  - name: restart_pod\n  - {name: scale_up_replicas_one, requires: [stateless, hpa_enabled]}\n```\n";
    let s = parse("s.md", t, &cfg()).unwrap();
    assert_eq!(s.actions.len(), 2);
    assert_eq!(s.actions[1].requires, ["stateless", "hpa_enabled"]);
    assert_eq!(s.actions[1].line, 6);
    let bad = t.replace("name: restart_pod", "name: [x");
    let e = parse("s.md", &bad, &cfg()).unwrap_err().to_string();
    assert!(e.starts_with("s.md:"), "{e}");
    assert!(e.contains("pre-approved actions block"), "{e}");
}

#[test]
fn suppressions_cover_the_next_line_or_block() {
    let t = "## Why\n<!-- sddgate-allow concrete_command_in_spec: quoting the incident report -->\n\nsome line\n<!-- sddgate-allow concrete_command_in_spec -->\n```\na\nb\n```\ntext <!-- sddgate-allow x, y: same line -->\n";
    let s = parse("s.md", t, &cfg()).unwrap();
    assert_eq!(s.suppressions.len(), 3);
    assert_eq!(s.suppressions[0].covers, (4, 4));
    assert_eq!(
        s.suppressions[0].reason.as_deref(),
        Some("quoting the incident report")
    );
    assert_eq!(s.suppressions[1].reason, None);
    assert_eq!(s.suppressions[1].covers, (6, 9));
    assert_eq!(s.suppressions[2].rules, ["x", "y"]);
    assert_eq!(s.suppressions[2].covers, (10, 10));
}

#[test]
fn bad_front_matter_is_an_input_error() {
    let e = parse("s.md", "---\nblast_radius: galaxy\n---\n", &cfg())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("s.md:2:"), "{e}");
    let e = parse("s.md", "---\nstateful: [\n---\n", &cfg())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("s.md:"), "{e}");
    assert!(parse("s.md", "---\nservice: a\n", &cfg()).is_err());
}

#[test]
fn past_line_is_a_later_line_of_position() {
    for text in ["", "a", "a\n", "ab\ncd", "\n\n", "é\nжук\r\nx\n\ny"] {
        let idx = LineIndex::new(text);
        for line in 1..=5u32 {
            for offset in 0..=text.len() + 1 {
                assert_eq!(
                    past_line(&idx, offset, line),
                    idx.position(text, offset).0 > line,
                    "{text:?} offset {offset} line {line}"
                );
            }
        }
    }
}

#[test]
fn headings_in_other_languages() {
    let t = "# Инцидент\n## Зачем\nx\n## Что\ny\n## Ограничения\nz\n";
    let s = parse("s.md", t, &cfg()).unwrap();
    for k in SectionKind::REQUIRED {
        assert!(s.section(k).is_some(), "{k:?}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
    /// The offset where a section's content may start tells what `past_line` tells, whatever
    /// the cursor was asked before.
    #[test]
    fn content_from_is_past_line(
        text in "[a-z\r\n\nж ]{0,60}",
        line in 0u32..12,
        before in 0usize..70,
        offset in 0usize..70,
    ) {
        let idx = LineIndex::new(&text);
        let cursor = crate::span::LineCursor::new(&text);
        cursor.position(before);
        let from = content_from(&cursor, line);
        proptest::prop_assert_eq!(
            from.is_some_and(|n| offset >= n),
            past_line(&idx, offset, line),
            "{:?} line {} offset {}",
            text,
            line,
            offset
        );
    }
}

//! The body read from the lint's events ([`parse_with`]) against its own pass ([`parse`],
//! the reference): the same `Spec`, or the same error.
use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

fn cfg() -> Config {
    Config::from_text(PathBuf::from("/r"), None, "").unwrap()
}

/// Both parses, rendered for comparison.
fn both(text: &str, config: &Config) -> (String, String) {
    let md = Markdown::parse(text);
    let shared = parse_with("s.md", text, &md, config);
    let own = parse("s.md", text, config);
    (format!("{shared:?}"), format!("{own:?}"))
}

/// Whether `parse_with` reads the lint's events for `text` (rather than its own pass).
fn is_shared(text: &str) -> bool {
    let Ok(fm) = frontmatter::split(text) else {
        return false;
    };
    let md = Markdown::parse(text);
    let body_start = fm.as_ref().map_or(0, |f| f.body_start);
    shared_body(text, fm.is_some(), body_start, md.events()).is_some()
}

fn agree(text: &str) {
    let (shared, own) = both(text, &cfg());
    assert_eq!(shared, own, "{text:?}");
}

fn front() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "",
        "",
        "---\nincident_type: x\nservice: api\n---\n",
        "---\nblast_radius: pod\nstateful: false\n...\n",
        "---\r\nservice: api\r\n---\r\n",
        "---   \nservice: api\n---  \n",
        "---\nservice: api\n---\t\nmore: 1\n---\n",
        "---\nservice: api\n---",
        "---\n\nservice: api\n---\n",
        "---\n---\n",
        "---\nservice: api\n---\n\n",
        "\u{feff}---\nservice: api\n---\n",
        "\u{feff}# Title\n",
        "---\nservice: [\n---\n",
        "---\nblast_radius: galaxy\n---\n",
        "---\nservice: api\n",
        "--- \nservice: api\n--- x\n---\n",
        "---\nservice: api\n---\r# Why\n---\n",
    ])
}

fn line() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "# Why",
        "## What",
        "## Constraints",
        "## Acceptance",
        "## Pre-approved actions",
        "### Pre-approved actions `x`",
        "Pre-approved actions",
        "Why",
        "===",
        "---",
        "...",
        "***",
        "",
        "",
        "",
        "text with `code` and *emphasis*",
        "- restart_pod",
        "- scale_up_replicas_one (requires: stateless, hpa_enabled)",
        "* `drain_node` — only with approval",
        "1. restart_pod",
        "  - nested_action",
        "    indented code",
        "- [ ] restart_pod",
        "- [x] drain_node",
        "-\t[X]",
        "- [ ]",
        "[x] not an item",
        "1) [ ] # heading",
        "- # heading in an item",
        "> quoted: x",
        "> - restart_pod",
        "```yaml",
        "```yml {x}",
        "```",
        "~~~",
        "actions:",
        "  - name: restart_pod",
        "  - {name: drain_node, requires: [a]}",
        "- name: [x",
        "service: api",
        "<div>",
        "</div>",
        "<!-- sddgate-allow concrete_command_in_spec: reason -->",
        "<!-- open comment",
        "-->",
        "[ops]: https://example.com \"kubectl delete pod x\"",
        "[ops]",
        "[^1]: - [ ] footnote item",
        "[^1]",
        "| a | b |",
        "|---|---|",
        "text <span>x</span>",
        "\\# escaped",
        "&amp; entity",
    ])
}

fn doc() -> impl Strategy<Value = String> {
    (
        front(),
        prop::collection::vec(line(), 0..14),
        prop::sample::select(vec!["\n", "\n", "\r\n"]),
        any::<bool>(),
    )
        .prop_map(|(front, lines, eol, last)| {
            let mut out = front.to_string();
            out.push_str(&lines.join(eol));
            if last {
                out.push_str(eol);
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    #[test]
    fn the_shared_pass_reads_as_its_own(text in doc()) {
        let (shared, own) = both(&text, &cfg());
        prop_assert_eq!(shared, own, "{:?}", text);
    }
}

/// The comparison means something only if the shared events are taken often, and the
/// fallback often too.
#[test]
fn the_generator_reaches_both_paths() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = doc();
    let shared = (0..1000)
        .filter(|_| is_shared(&strategy.new_tree(&mut runner).unwrap().current()))
        .count();
    assert!((300..=900).contains(&shared), "{shared} of 1000 shared");
}

#[test]
fn front_matter_the_parser_agrees_on_is_shared() {
    for text in [
        "# Why\nx\n",
        "",
        "---\nservice: api\n---\n# Why\nx\n",
        "---\nservice: api\n---\n",
        "---\nservice: api\n---",
        "---  \nservice: api\n...   \n# Why\n",
        "---\r\nservice: api\r\n---\r\n# Why\r\n",
    ] {
        assert!(is_shared(text), "{text:?}");
        agree(text);
    }
}

#[test]
fn front_matter_the_parser_disagrees_on_falls_back() {
    for text in [
        // A BOM hides the front matter from the Markdown parser.
        "\u{feff}---\nservice: api\n---\n# Why\n",
        // Its first line blank, or empty: no metadata block for the Markdown parser.
        "---\n\nservice: api\n---\n# Why\n",
        "---\n---\n# Why\n",
        // A closing fence with a tab: the Markdown parser closes at a later fence.
        "---\nservice: api\n---\t\n# Why\n---\n",
        // A fence ended by a lone carriage return closes it for the Markdown parser only.
        "---\nservice: api\n---\r# Why\n---\n",
    ] {
        assert!(!is_shared(text), "{text:?}");
        agree(text);
    }
}

#[test]
fn a_metadata_block_in_the_body_falls_back() {
    // The lint reads it as a metadata block, the body's options as a rule and a setext
    // heading.
    let text = "## Why\nx\n\n---\nfoo: bar\n---\n";
    assert!(!is_shared(text));
    agree(text);
    let spec = parse_with("s.md", text, &Markdown::parse(text), &cfg()).unwrap();
    assert!(
        spec.sections.iter().any(|s| s.title == "foo: bar"),
        "{spec:?}"
    );
}

#[test]
fn task_items_fall_back() {
    for text in [
        "## Pre-approved actions\n- [ ] restart_pod\n",
        "## Pre-approved actions\n- [ ]\nrestart_pod (requires: a)\n",
        "## Pre-approved actions\n- [x] foo\n  ===\n",
        "## Pre-approved actions\n3)\t[X] restart_pod\n",
        "[^1]: - [ ] x\n",
    ] {
        assert!(!is_shared(text), "{text:?}");
        agree(text);
    }
    // The empty task item cannot be continued by the next line; read as a paragraph it is.
    let text = "## Pre-approved actions\n- [ ]\nrestart_pod (requires: a)\n";
    let spec = parse_with("s.md", text, &Markdown::parse(text), &cfg()).unwrap();
    assert_eq!(spec.unnamed_action_items.len(), 1, "{spec:?}");
    // Brackets elsewhere are no reason to fall back.
    assert!(is_shared("## Why\nsee [x] and [ ] here\n- a [x]\n"));
}

#[test]
fn line_end_is_the_parsers_blank_line() {
    assert_eq!(line_end(""), Some(0));
    assert_eq!(line_end("\n#"), Some(1));
    assert_eq!(line_end("  \r\n#"), Some(4));
    assert_eq!(line_end("\t\r#"), Some(2));
    assert_eq!(line_end(" x\n"), None);
}

/// The specs and Markdown files kept in the repository (fuzz corpus, fixtures, examples).
#[test]
fn the_repositorys_markdown_reads_the_same() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs: Vec<PathBuf> = [
        "fuzz/corpus/specify",
        "fuzz/regressions",
        "fixtures",
        "specs",
        "docs",
        "tests/corpus",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().contains("specify")
                || p.extension().is_some_and(|x| x == "md")
            {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 40, "{} files", files.len());
    let config = cfg();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let (shared, own) = both(&text, &config);
        assert_eq!(shared, own, "{}", f.display());
    }
}

//! `docs/rules/` is rendered from the rule registry (`sddgate::rules::docs`), the source
//! `sddgate explain` prints: a page per rule and an index. These tests fail when a page differs
//! from what the registry renders, when a page exists for no rule or a rule has no page, when
//! a page is not the Markdown it should be, and when a spec rule's documented failing example
//! does not fail with that rule (or its passing one does). Regenerate the pages with
//! `SDDGATE_BLESS=1 cargo test --test rule_docs`.

mod common;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use sddgate::config::{Config, Preset};
use sddgate::rules::{self, Rule, Scope, docs};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    common::repo_root().join(docs::DIR)
}

/// File name → rendered text, for every file `docs/rules/` must hold.
fn rendered() -> BTreeMap<String, String> {
    let mut want: BTreeMap<String, String> = rules::all()
        .map(|r| (format!("{}.md", r.id), docs::page(r)))
        .collect();
    want.insert("README.md".into(), docs::index(rules::all()));
    want
}

#[test]
fn the_pages_are_what_the_registry_renders() {
    let want = rendered();
    let dir = dir();
    if std::env::var_os("SDDGATE_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.extension().is_some_and(|x| x == "md") && !want.contains_key(&name) {
                std::fs::remove_file(&p).unwrap();
            }
        }
        for (name, text) in &want {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut problems = Vec::new();
    let mut present = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if !want.contains_key(&name) {
                problems.push(format!("{name}: documents no rule"));
                continue;
            }
            present.push(name.clone());
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            if text != want[&name] {
                problems.push(format!("{name}: differs from the registry"));
            }
        }
    }
    for name in want.keys().filter(|n| !present.contains(n)) {
        problems.push(format!("{name}: missing"));
    }
    assert!(
        problems.is_empty(),
        "docs/rules/ is out of date; run `SDDGATE_BLESS=1 cargo test --test rule_docs`:\n{}",
        problems.join("\n")
    );
}

/// What a page parses to: headings (level, text), code blocks (language, text), raw HTML.
#[derive(Default)]
struct Parsed {
    headings: Vec<(HeadingLevel, String)>,
    code: Vec<(String, String)>,
    html: Vec<String>,
    /// Rows of the tables, each a list of cell texts.
    rows: Vec<Vec<String>>,
    links: Vec<String>,
}

fn parse(md: &str) -> Parsed {
    let mut p = Parsed::default();
    let mut text: Option<String> = None;
    let mut code: Option<(String, String)> = None;
    let mut row: Option<Vec<String>> = None;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::TableCell) => {
                text = Some(String::new())
            }
            Event::End(TagEnd::Heading(level)) => {
                p.headings.push((level, text.take().unwrap_or_default()))
            }
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => row = Some(Vec::new()),
            Event::End(TagEnd::TableCell) => {
                let cell = text.take().unwrap_or_default();
                row.get_or_insert_with(Vec::new).push(cell);
            }
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                p.rows.extend(row.take())
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => p.code.extend(code.take()),
            Event::Start(Tag::Link { dest_url, .. }) => p.links.push(dest_url.to_string()),
            Event::Html(h) | Event::InlineHtml(h) => p.html.push(h.to_string()),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, c)) = code.as_mut() {
                    c.push_str(&t);
                } else if let Some(s) = text.as_mut() {
                    s.push_str(&t);
                }
            }
            _ => {}
        }
    }
    p
}

#[test]
fn every_page_is_well_formed_markdown_holding_the_rule_verbatim() {
    for r in rules::all() {
        let page = docs::page(r);
        let p = parse(&page);
        let h: Vec<(HeadingLevel, &str)> =
            p.headings.iter().map(|(l, t)| (*l, t.as_str())).collect();
        assert_eq!(
            h,
            [
                (HeadingLevel::H1, r.id),
                (HeadingLevel::H2, "What it checks"),
                (HeadingLevel::H2, "Why"),
                (HeadingLevel::H2, "Fails"),
                (HeadingLevel::H2, "Passes"),
                (HeadingLevel::H2, "How to fix"),
                (HeadingLevel::H2, "How to suppress"),
            ],
            "{}",
            r.id
        );
        // The examples come out of the parser exactly as written (a fence too short for the
        // backticks they hold, or an HTML comment read as markup, would change them).
        let blocks: Vec<&str> = p.code.iter().map(|(_, c)| c.trim_end()).collect();
        assert_eq!(blocks[0], r.fails.trim_end(), "{}", r.id);
        assert_eq!(blocks[1], r.passes.trim_end(), "{}", r.id);
        match docs::suppression(r) {
            Some(d) => assert_eq!(blocks.get(2), Some(&d.as_str()), "{}", r.id),
            None => {
                assert_eq!(blocks.len(), 2, "{}", r.id);
                assert!(page.contains("Cannot be suppressed."), "{}", r.id);
            }
        }
        // The only raw HTML is the generated-file notice at the top.
        assert_eq!(p.html.len(), 1, "{}: {:?}", r.id, p.html);
        assert!(p.html[0].starts_with("<!-- Generated"), "{}", r.id);
        let sev = docs::severity_label(r.severity);
        let supp = if r.suppressible { "yes" } else { "no" };
        assert_eq!(p.rows.len(), 2, "{}", r.id);
        assert_eq!(p.rows[1][1..], [sev, supp], "{}", r.id);
        assert!(p.rows[1][0].starts_with(r.scope.label()), "{}", r.id);
    }
}

#[test]
fn the_index_lists_every_rule_once_with_a_working_link() {
    let p = parse(&docs::index(rules::all()));
    let ids: Vec<&str> = rules::all().map(|r| r.id).collect();
    assert_eq!(p.rows.len(), ids.len() + 1, "header and one row per rule");
    assert_eq!(
        p.rows[0],
        [
            "Rule",
            "Scope",
            "Severity",
            "Suppressible",
            "What it checks"
        ]
    );
    for (row, id) in p.rows[1..].iter().zip(&ids) {
        assert_eq!(row[0], *id);
        assert_eq!(row.len(), 5, "{id}: a `|` in a cell split the row");
    }
    let want: Vec<String> = ids.iter().map(|id| format!("{id}.md")).collect();
    assert_eq!(p.links, want);
}

/// Rules a spec lint can report: the spec scope and the concrete-command lint.
fn linted_rules() -> Vec<&'static Rule> {
    rules::all()
        .filter(|r| r.scope == Scope::Spec || r.id == "concrete_command_in_spec")
        .collect()
}

fn lint_ids(text: &str, config: &Config) -> Vec<&'static str> {
    let spec = sddgate::parse::specify::parse("example.md", text, config)
        .unwrap_or_else(|e| panic!("example does not parse: {e}\n{text}"));
    sddgate::speclint::lint(&spec, text, config)
        .findings
        .iter()
        .map(|v| v.id)
        .collect()
}

#[test]
fn spec_rule_examples_fail_and_pass_as_documented() {
    let root = PathBuf::from("/repo");
    let plain = Config::from_text(root.clone(), None, "").unwrap();
    let mut checked = 0;
    for r in linted_rules() {
        // A rule a preset turns on is linted under that preset.
        let config = match Preset::ALL.iter().find(|p| p.rules().contains(&r.id)) {
            Some(p) => {
                Config::from_text(root.clone(), None, &format!("preset: {}\n", p.name())).unwrap()
            }
            None => Config::from_text(root.clone(), None, "").unwrap(),
        };
        let fails = lint_ids(r.fails, &config);
        assert!(
            fails.contains(&r.id),
            "{}: the failing example does not fail with it: {fails:?}\n{}",
            r.id,
            r.fails
        );
        let passes = lint_ids(r.passes, &config);
        assert!(
            !passes.contains(&r.id),
            "{}: the passing example fails with it\n{}",
            r.id,
            r.passes
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} spec rules checked");
    // The preset rule is really off without its preset.
    let r = rules::get("spec_unresolved_placeholder").unwrap();
    assert!(!lint_ids(r.fails, &plain).contains(&r.id));
}

#[test]
fn explain_prints_the_fields_the_pages_hold() {
    for r in rules::all() {
        let out = common::run(common::sddgate(), &["explain", r.id]);
        assert_eq!(out.code, 0, "{}: {}", r.id, out.stderr);
        let mut parts = vec![r.summary, r.why, r.fix, r.scope.meaning()];
        parts.extend(r.fails.lines().chain(r.passes.lines()));
        let directive = docs::suppression(r);
        if let Some(d) = &directive {
            parts.push(d);
        } else {
            parts.push("Cannot be suppressed.");
        }
        let note = docs::preset_note(r);
        parts.extend(note.as_deref());
        for part in parts {
            assert!(
                out.stdout.contains(part),
                "{}: `explain` lacks {part:?}:\n{}",
                r.id,
                out.stdout
            );
        }
    }
}

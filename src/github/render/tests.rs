//! Tests of the rendering, on reports of the repository's own fixtures and built ones.

use super::*;
use crate::config::Config;
use crate::decide::Cap;
use crate::report::FileReport;
use pulldown_cmark::{Event, Options, Parser, Tag};
use std::path::PathBuf;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> Config {
    Config::discover(&root(), None).unwrap()
}

/// The gate on paths of this repository, through the same steps as `check` (which is
/// private to the commands): discover, read, pair with the spec, lint, evaluate.
fn gate(paths: &[&str]) -> Report {
    use crate::gate;
    let config = config();
    let paths: Vec<PathBuf> = paths.iter().map(|p| root().join(p)).collect();
    let found = crate::discover::discover(&config, &paths).unwrap();
    let trace = gate::load_trace(&config).unwrap();
    let mut incidents = Vec::new();
    let mut errors = Vec::new();
    let mut paired = std::collections::BTreeSet::new();
    for f in &found.readiness {
        let r = match gate::read_readiness(&config, f, &config.root.join(f)) {
            Ok(r) => r,
            Err(e) => {
                errors.push(ErrorReport::from_error(&e));
                continue;
            }
        };
        let (spec, problem) = match gate::spec_path_for(&config, &r) {
            Ok(Some(p)) => {
                paired.insert(p.clone());
                let l = gate::lint_spec(&config, &p, &config.root.join(&p)).unwrap();
                (Some(l), None)
            }
            Ok(None) => (None, None),
            Err(fact) => (None, Some(fact)),
        };
        incidents
            .push(gate::evaluate(&config, &r, spec.as_ref(), problem, trace.as_ref()).unwrap());
    }
    for s in found.specs.iter().filter(|s| !paired.contains(*s)) {
        let l = gate::lint_spec(&config, s, &config.root.join(s)).unwrap();
        incidents.push(gate::spec_without_readiness(&l));
    }
    incidents.sort_by(|a, b| (&a.readiness, &a.spec).cmp(&(&b.readiness, &b.spec)));
    Report::new("check", incidents, vec![], errors, vec![])
}

/// `sddgate lint` on spec files.
fn lint(paths: &[&str]) -> Report {
    let config = config();
    let files = paths
        .iter()
        .map(|p| {
            let l = crate::gate::lint_spec(&config, p, &root().join(p)).unwrap();
            FileReport {
                file: l.file.clone(),
                findings: l.lint.findings.clone(),
                suppressed: l.lint.suppressed.clone(),
            }
        })
        .collect();
    Report::new("lint", vec![], files, vec![], vec![])
}

fn everything() -> Report {
    gate(&["fixtures", "specs", "capstone"])
}

fn links() -> Links {
    Links {
        server_url: "https://github.com/".into(),
        repo: "acme/ops".into(),
        sha: SHA.into(),
    }
}

fn none() -> Approval {
    Approval {
        approved_by: vec![],
        approvers_configured: true,
    }
}

fn approved() -> Approval {
    Approval {
        approved_by: vec!["alice".into()],
        approvers_configured: true,
    }
}

fn rebuild(r: &Report, incidents: Vec<IncidentReport>) -> Report {
    Report::new(
        r.command,
        incidents,
        r.files.clone(),
        r.errors.clone(),
        r.notes.clone(),
    )
}

/// (conclusion, decision output, exit code)
fn verdict(r: &Report, a: &Approval) -> (&'static str, &'static str, i32) {
    (conclusion(r, a), decision_word(r, a), exit_code(r, a))
}

#[test]
fn conclusion_table() {
    let block = everything();
    assert_eq!(block.exit_code, 1);
    assert_eq!(verdict(&block, &none()), ("failure", "block", 1));
    // An approval does not lift a block.
    assert_eq!(verdict(&block, &approved()), ("failure", "block", 1));

    let semi = gate(&["fixtures/readiness/readiness_semi_manual.json"]);
    assert_eq!(semi.exit_code, 3);
    assert_eq!(
        verdict(&semi, &none()),
        ("action_required", "semi-manual", 3)
    );
    assert_eq!(verdict(&semi, &approved()), ("success", "pass", 0));
    let unconfigured = Approval {
        approved_by: vec!["alice".into()],
        approvers_configured: false,
    };
    assert_eq!(
        verdict(&semi, &unconfigured),
        ("action_required", "semi-manual", 3)
    );

    let pass = gate(&["capstone/readiness.md"]);
    assert_eq!(pass.exit_code, 0);
    assert_eq!(verdict(&pass, &none()), ("success", "pass", 0));

    let empty = Report::new("check", vec![], vec![], vec![], vec![]);
    assert_eq!(verdict(&empty, &none()), ("neutral", "none", 0));

    let error = Report::new(
        "check",
        pass.incidents.clone(),
        vec![],
        vec![ErrorReport {
            file: Some("specs/broken/readiness.md".into()),
            line: Some(3),
            column: Some(7),
            message: "expected a mapping".into(),
        }],
        vec![],
    );
    assert_eq!(error.exit_code, 2);
    assert_eq!(verdict(&error, &approved()), ("failure", "error", 2));
    // An error alone, with nothing else in scope, is still an error, never neutral.
    let only_error = Report::new("check", vec![], vec![], error.errors.clone(), vec![]);
    assert_eq!(verdict(&only_error, &none()), ("failure", "error", 2));

    let lint = lint(&["fixtures/specs/kubectl_in_spec/specify.md"]);
    assert_eq!(lint.exit_code, 1);
    assert!(lint.incidents.is_empty());
    assert_eq!(verdict(&lint, &none()), ("failure", "block", 1));
}

#[test]
fn blob_links_are_encoded_at_the_head_sha() {
    let l = Links {
        server_url: "https://ghe.example.com/".into(),
        repo: "o/r".into(),
        sha: "abc".into(),
    };
    assert_eq!(
        l.blob("./specs//a b/ü#?.yaml", Some(4)),
        "https://ghe.example.com/o/r/blob/abc/specs/a%20b/%C3%BC%23%3F.yaml#L4"
    );
    assert_eq!(
        l.blob("specs/x/specify.md", Some(9)),
        "https://ghe.example.com/o/r/blob/abc/specs/x/specify.md?plain=1#L9"
    );
    assert_eq!(
        l.blob("specs/x/specify.md", None),
        "https://ghe.example.com/o/r/blob/abc/specs/x/specify.md"
    );
    assert_eq!(l.commit("def"), "https://ghe.example.com/o/r/commit/def");
    assert!(!linkable("../etc/passwd") && !linkable("/etc/passwd"));
    assert!(!linkable("C:/x") && linkable("a/b.md"));
}

/// Parses the Markdown as GitHub does (tables, strikethrough, math, footnotes) and checks
/// that it holds no HTML but sddgate's own tags, no image, no link but to `links`' repo,
/// and no math; and that no prose (text outside code spans, HTML) holds a mention, an issue
/// reference or an autolink. Returns the visible text (text and code spans, in order).
fn safe_markdown(md: &str, links: &Links) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_MATH);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_GFM);
    let allowed = [
        MARKER,
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
        "<sub>",
        "</sub>",
        "<br>",
    ];
    let base = format!("{}/{}/", links.server_url.trim_end_matches('/'), links.repo);
    let mut text = String::new();
    let prose = |t: &str| {
        let mentions = regex::Regex::new(r"(?i)@[a-z0-9]|#[0-9]|://|www\.").unwrap();
        assert!(
            !mentions.is_match(t),
            "live mention, reference or link: {t:?}"
        );
    };
    for ev in Parser::new_ext(md, opts) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => {
                let mut rest = h.to_string();
                for a in allowed {
                    rest = rest.replace(a, "");
                }
                assert!(!rest.contains('<'), "foreign HTML: {h:?}");
                prose(&h);
                text.push_str(&h);
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                assert!(dest_url.starts_with(&base), "link out: {dest_url}");
            }
            Event::Start(Tag::Image { dest_url, .. }) => panic!("image: {dest_url}"),
            Event::InlineMath(m) | Event::DisplayMath(m) => panic!("math: {m}"),
            Event::FootnoteReference(f) => panic!("footnote: {f}"),
            Event::Text(t) => {
                prose(&t);
                text.push_str(&t);
            }
            Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    text
}

#[test]
fn comment_of_the_fixtures() {
    let r = everything();
    let l = links();
    let body = comment_body(&r, &l, &none(), &[]);
    assert!(body.starts_with(&format!("{MARKER}\n")));
    assert!(body.chars().count() <= MAX_BODY - COMMENT_ROOM);
    let s = &r.summary;
    let headline = body.lines().nth(1).unwrap();
    assert_eq!(
        headline,
        format!(
            "**sddgate: BLOCK** — {} incidents: {} blocked, {} semi-manual, {} pass",
            s.incidents, s.block, s.semi_manual, s.pass
        )
    );
    for i in &r.incidents {
        if let Some(id) = &i.incident_id {
            assert!(body.contains(&format!("`{id}`")), "{id}");
        }
        let doc = i.readiness.as_deref().or(i.spec.as_deref()).unwrap();
        assert!(body.contains(&format!("`{doc}`")), "{doc}");
    }
    assert_eq!(body.matches("<details>").count(), r.incidents.len());
    assert_eq!(body.matches("</details>").count(), r.incidents.len());
    // Every blocker is linked to its line at the head SHA.
    let mut linked = 0;
    for b in r.incidents.iter().flat_map(|i| &i.blockers) {
        if let (Some(f), Some(line)) = (&b.file, b.line) {
            let url = l.blob(f, Some(line));
            assert!(url.contains(&format!("/blob/{SHA}/")), "{url}");
            assert!(body.contains(&format!("]({url})")), "{url}");
            linked += 1;
        }
    }
    assert!(linked > 10, "{linked}");
    assert!(body.contains(&format!(
        "https://github.com/acme/ops/blob/{SHA}/fixtures/specs/kubectl_in_spec/specify.md?plain=1#L"
    )));
    // Blocked incidents come first, passes last.
    let block = body.find("| BLOCK |").unwrap();
    let semi = body.find("| SEMI-MANUAL |").unwrap();
    let pass = body.find("| PASS |").unwrap();
    assert!(block < semi && semi < pass);
    safe_markdown(&body, &l);
}

#[test]
fn comment_shows_scores_caps_artifacts_and_the_trace_chain() {
    let r = gate(&[
        "capstone/readiness.md",
        "fixtures/readiness/readiness_block_evidence_missing.yaml",
    ]);
    let config = config();
    let sources = crate::gate::load_trace(&config).unwrap().unwrap();
    let chains = vec![sources.chain(
        "HM-2026-05-17-01",
        &["specs/high_memory_usage/specify.md".to_string()],
        false,
    )];
    let l = links();
    let body = comment_body_with_trace(
        &r,
        &l,
        &none(),
        &["read-only token: nothing posted".into()],
        &chains,
    );
    let text = safe_markdown(&body, &l);
    for c in [
        "Spec",
        "Implementation",
        "Verification",
        "Process",
        "Security",
    ] {
        assert!(body.contains(&format!("| {c} | ")), "{c}");
    }
    // The capped category shows the cap's reason, and the verified score in bold.
    let missing = r
        .incidents
        .iter()
        .find(|i| i.decision == Decision::Block)
        .unwrap();
    let cap = missing
        .gate
        .as_ref()
        .unwrap()
        .categories
        .iter()
        .flat_map(|c| &c.caps)
        .next()
        .unwrap();
    assert!(text.contains(&cap.reason), "{}", cap.reason);
    assert!(body.contains(&format!(
        "| {} |",
        score_text(missing.gate.as_ref().unwrap())
    )));
    assert!(body.contains("(claimed "));
    // Artifacts at the head SHA.
    for f in [
        "capstone/readiness.md",
        "specs/high_memory_usage/specify.md",
        "specs/high_memory_usage/validation.md",
        ".sddgate/trace.jsonl",
    ] {
        assert!(body.contains(&format!("]({})", l.blob(f, None))), "{f}");
    }
    // The chain: six links with the log line each was found on.
    for step in crate::trace::STEPS {
        assert!(body.contains(&format!("| `{step}` | present |")), "{step}");
    }
    assert!(body.contains(&format!("]({})", l.blob(".sddgate/trace.jsonl", Some(1)))));
    assert!(text.contains("coverage 1.0 counted"));
    // Caller notes at the end, before the footer.
    let notes = body.find("**Notes**").unwrap();
    assert!(body[notes..].contains("read-only token: nothing posted"));
    assert!(notes > body.rfind("</details>").unwrap());
}

/// A blocked incident whose every document-supplied string is hostile.
fn hostile() -> Report {
    let pass = gate(&["capstone/readiness.md"]);
    let mut i = pass.incidents[0].clone();
    let evil = "@octocat <img src=x onerror=alert(1)> [click](https://evil.example/x) ![i](https://evil.example/i.png) #1 <script>alert(1)</script> `co`de` | cell $x^2$ www.evil.example https://evil.example/y **bold** <!-- c -->\n# heading\n- item";
    i.incident_id = Some(format!("HM-1 {evil}"));
    i.readiness = Some("specs/evil|<b>x</b>/@team readiness.md".into());
    i.decision = Decision::Block;
    i.blockers.push(
        Violation::new("evidence_missing", Severity::Error, evil)
            .fix(evil)
            .at("specs/a b/é<x>.md", 3, 2),
    );
    i.warnings.push(Violation::new(
        "spec_not_checked",
        Severity::Warning,
        "- 1. > quote\n=== @here",
    ));
    if let Some(g) = i.gate.as_mut() {
        g.profile = "std|<i>x</i>".into();
        g.categories[0].caps.push(Cap {
            limit: 2,
            rule: "evidence_missing",
            reason: evil.into(),
        });
        g.categories[0].verified = 2;
    }
    Report::new(
        "check",
        vec![i],
        vec![],
        vec![ErrorReport {
            file: Some("specs/<x>.md".into()),
            line: None,
            column: None,
            message: evil.into(),
        }],
        vec![evil.into()],
    )
}

#[test]
fn injected_markdown_html_and_mentions_are_neutralised() {
    let r = hostile();
    let l = links();
    for body in [
        comment_body(&r, &l, &none(), &["@admin please look".into()]),
        check_output(&r, &l, &none()).summary,
        check_output(&r, &l, &none()).text,
        job_summary(&r, &l, &none(), &[], &[]),
    ] {
        let text = safe_markdown(&body, &l);
        // The words are all still there, as text.
        assert!(text.contains("<script>alert(1)</script>"), "{text}");
        assert!(text.contains("[click]"));
    }
    let body = comment_body(&r, &l, &none(), &[]);
    // In prose a word joiner breaks the mention; in code it needs none.
    assert!(body.contains(&format!("@{WJ}octocat")));
    assert!(body.contains("`HM-1 @octocat"));
    // The path with `|` stays one table cell, shown whole.
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    let codes: Vec<String> = Parser::new_ext(&body, opts)
        .filter_map(|e| match e {
            Event::Code(c) => Some(c.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        codes.contains(&"specs/evil|<b>x</b>/@team readiness.md".to_string()),
        "{codes:?}"
    );
    assert!(codes.contains(&"std|<i>x</i>".to_string()), "{codes:?}");
    // The summary line of the details block is escaped HTML.
    assert!(body.contains("<summary>BLOCK · HM-1 @\u{2060}octocat &lt;img"));
}

#[test]
fn text_helpers_escape_exactly() {
    assert_eq!(code("a`b", false), "``a`b``");
    assert_eq!(code("`x", false), "`` `x ``");
    assert_eq!(code("a|b", true), "`a\\|b`");
    assert_eq!(code("a|b", false), "`a|b`");
    assert_eq!(md("# x"), "\\# x");
    assert_eq!(md("1. x"), "1\\. x");
    assert_eq!(md("a.b - c"), "a.b - c");
    assert_eq!(md("<b>&"), "\\<b\\>\\&");
    assert_eq!(
        message("concrete command in spec: `kubectl delete`", false),
        "concrete command in spec: `kubectl delete`"
    );
    assert_eq!(message("a `b", false), "a \\`b");
    assert_eq!(html("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
    assert_eq!(flat("a\u{202E}b\nc", 10), "a\u{FFFD}b c");
    assert_eq!(flat("abcdef", 3), "abc…");
}

/// `n` incidents built from the fixtures' real ones, each with several blockers.
fn many(n: usize, id: impl Fn(usize) -> String) -> Report {
    let base = everything();
    let blocked: Vec<&IncidentReport> = base
        .incidents
        .iter()
        .filter(|i| i.decision == Decision::Block && i.gate.is_some())
        .collect();
    let incidents = (0..n)
        .map(|k| {
            let mut i = blocked[k % blocked.len()].clone();
            i.incident_id = Some(id(k));
            i.readiness = Some(format!("specs/incident_{k:04}/readiness.md"));
            while i.blockers.len() < 4 {
                let b = i.blockers[0].clone();
                i.blockers.push(b);
            }
            i
        })
        .collect();
    rebuild(&base, incidents)
}

#[test]
fn three_hundred_incidents_fit_in_one_comment() {
    let r = many(300, |k| format!("INC-{k:04}"));
    let l = links();
    let body = comment_body(&r, &l, &none(), &["a note".into()]);
    assert!(body.starts_with(&format!("{MARKER}\n")));
    assert!(body.chars().count() <= MAX_BODY - COMMENT_ROOM);
    let opened = body.matches("<details>").count();
    assert_eq!(opened, body.matches("</details>").count());
    assert!(opened > 0 && opened < 300, "{opened}");
    let note = format!(
        "*… {} incidents' details omitted (GitHub limits a comment to 65,535 characters); the job summary has them.*",
        300 - opened
    );
    assert!(body.contains(&note), "{note}");
    // The table still lists every incident, and the notes are kept.
    for k in 0..300 {
        assert!(body.contains(&format!("`INC-{k:04}`")), "{k}");
    }
    assert!(body.contains("- a note"));
    safe_markdown(&body, &l);

    // The check run, measured in bytes, with ids that take two bytes a character.
    let r = many(300, |k| format!("ИНЦИДЕНТ-{k:04}-ПАМЯТЬ-ПЕРЕПОЛНЕНА"));
    let out = check_output(&r, &l, &none());
    assert!(out.summary.len() <= MAX_BODY && out.text.len() <= MAX_BODY);
    assert!(out.title.chars().count() <= MAX_TITLE);
    assert_eq!(out.title, "BLOCK: 300 of 300 incidents blocked");
    assert!(
        out.text
            .contains("details omitted (GitHub limits a check run's output to 65,535 bytes)")
    );
    // The whole job summary holds every incident's details.
    let summary = job_summary(&r, &l, &none(), &[], &[]);
    assert_eq!(summary.matches("<details>").count(), 300);
    assert!(summary.len() <= MAX_JOB_SUMMARY);
}

#[test]
fn thousands_of_incidents_drop_table_rows_then_cut() {
    let r = many(3000, |k| format!("INC-{k:05}"));
    let l = links();
    let body = comment_body(&r, &l, &none(), &[]);
    assert!(body.starts_with(&format!("{MARKER}\n")));
    assert!(body.chars().count() <= MAX_BODY - COMMENT_ROOM);
    assert!(!body.contains("<details>"));
    assert!(body.contains("more not listed (GitHub limits a comment to 65,535 characters)"));
    assert!(body.contains("3000 incidents' details omitted"));
    safe_markdown(&body, &l);

    // Notes so long that nothing else helps: cut, and said.
    let notes: Vec<String> = (0..10)
        .map(|k| format!("{k} {}", "x".repeat(990)))
        .collect();
    let mut r = many(1, |_| "INC".into());
    r.errors = (0..200)
        .map(|k| ErrorReport {
            file: Some(format!("specs/{k}/{}.md", "y".repeat(300))),
            line: Some(1),
            column: Some(1),
            message: "z".repeat(990),
        })
        .collect();
    let body = comment_body(&r, &l, &none(), &notes);
    assert!(body.starts_with(&format!("{MARKER}\n")));
    assert!(
        body.chars().count() <= MAX_BODY - COMMENT_ROOM,
        "{}",
        body.chars().count()
    );
    assert!(body.contains("the rest was cut (GitHub limits a comment to 65,535 characters)"));
}

#[test]
fn nothing_in_scope_says_so() {
    let r = Report::new("check", vec![], vec![], vec![], vec![]);
    let body = comment_body(&r, &links(), &none(), &[]);
    assert!(body.starts_with(&format!("{MARKER}\n**sddgate: nothing in scope**")));
    assert!(!body.contains("| decision |") && !body.contains("<details>"));
    let out = check_output(&r, &links(), &none());
    assert_eq!(out.title, "Nothing in scope");
}

#[test]
fn semi_manual_says_what_it_waits_for_and_who_approved() {
    let r = gate(&["fixtures/readiness/readiness_semi_manual.json"]);
    let l = links();
    let waiting = comment_body(&r, &l, &none(), &[]);
    assert!(waiting.contains("**sddgate: SEMI-MANUAL** — 1 incident: 1 semi-manual"));
    assert!(waiting.contains("an approving review of `0123456`"));
    assert!(waiting.contains("**Needs approval**"));
    let nobody = comment_body(&r, &l, &Approval::default(), &[]);
    assert!(nobody.contains("no approvers are configured"));
    let ok = comment_body(&r, &l, &approved(), &[]);
    assert!(ok.contains("**sddgate: PASS** — 1 incident: 1 semi-manual (approved)"));
    assert!(ok.contains("approved at `0123456` by `alice`"));
    assert!(ok.contains("| SEMI-MANUAL (approved) |"));
    assert_eq!(
        check_output(&r, &l, &none()).title,
        "SEMI-MANUAL: 1 of 1 incident needs approval"
    );
    assert_eq!(
        check_output(&r, &l, &approved()).title,
        "PASS: 1 semi-manual incident approved by alice"
    );
}

#[test]
fn annotations_are_ordered_leveled_and_deduplicated() {
    let r = everything();
    let a = annotations(&r);
    let keys: Vec<(&str, u32, &str)> = a
        .iter()
        .map(|x| (x.path.as_str(), x.start_line, x.title.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let find = |path: &str, title: &str| {
        a.iter()
            .find(|x| x.path == path && x.title == title)
            .unwrap_or_else(|| panic!("{path} {title}"))
    };
    let audit = find(
        "fixtures/readiness/readiness_block_audit.json",
        "audit_trace_incomplete",
    );
    assert_eq!(audit.annotation_level, "failure");
    assert!(audit.message.contains("Fix: "));
    assert!(
        audit
            .raw_details
            .as_deref()
            .unwrap()
            .contains("expected: 1.0")
    );
    let semi = find(
        "fixtures/readiness/readiness_semi_manual.json",
        "score_below_threshold",
    );
    assert_eq!(semi.annotation_level, "warning");
    // A blocker of a spec shared by two readiness documents: one annotation.
    let base = gate(&["fixtures/readiness/readiness_block_command.yaml"]);
    let mut twin = base.incidents[0].clone();
    twin.readiness = Some("fixtures/readiness/twin.yaml".into());
    twin.incident_id = Some("TWIN-1".into());
    let twice = rebuild(&base, vec![base.incidents[0].clone(), twin]);
    let once = annotations(&base);
    let merged = annotations(&twice);
    let cmd = |v: &[Annotation]| {
        v.iter()
            .filter(|x| x.title == "concrete_command_in_spec")
            .count()
    };
    assert!(cmd(&once) >= 1);
    assert_eq!(cmd(&once), cmd(&merged));
    let shared = merged
        .iter()
        .find(|x| x.title == "concrete_command_in_spec")
        .unwrap();
    assert!(
        shared.message.contains("Incidents (2): "),
        "{}",
        shared.message
    );
    assert!(shared.message.contains("TWIN-1"));
    assert!(shared.start_column.is_some() && shared.end_column >= shared.start_column);
}

#[test]
fn annotations_without_a_line_or_inside_the_repository_only() {
    let pass = gate(&["capstone/readiness.md"]);
    let mut i = pass.incidents[0].clone();
    i.decision = Decision::Block;
    i.blockers = vec![
        Violation::new("evidence_missing", Severity::Error, "no line here").at(
            "specs/x/readiness.md",
            0,
            0,
        ),
        Violation::new("evidence_missing", Severity::Error, "outside").at("../x.md", 2, 1),
        Violation::new("evidence_missing", Severity::Error, "no file"),
    ];
    i.warnings = vec![
        Violation::new("spec_not_checked", Severity::Warning, "w").at("specs/x/readiness.md", 4, 2),
    ];
    let r = Report::new(
        "check",
        vec![i],
        vec![FileReport {
            file: "specs/y/specify.md".into(),
            findings: vec![
                Violation::new("concrete_command_in_spec", Severity::Error, "lint e")
                    .at("specs/y/specify.md", 2, 5)
                    .length(6),
            ],
            suppressed: vec![],
        }],
        vec![ErrorReport {
            file: Some("specs/z/readiness.md".into()),
            line: Some(1),
            column: Some(1),
            message: "bad".into(),
        }],
        vec![],
    );
    let a = annotations(&r);
    let got: Vec<(&str, u32, &str, &str)> = a
        .iter()
        .map(|x| {
            (
                x.path.as_str(),
                x.start_line,
                x.title.as_str(),
                x.annotation_level,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("specs/x/readiness.md", 1, "evidence_missing", "failure"),
            ("specs/x/readiness.md", 4, "spec_not_checked", "warning"),
            (
                "specs/y/specify.md",
                2,
                "concrete_command_in_spec",
                "failure"
            ),
            ("specs/z/readiness.md", 1, "could_not_be_judged", "failure"),
        ]
    );
    assert!(a[0].message.starts_with("no line here (no line)"));
    assert_eq!((a[0].start_column, a[0].end_column), (None, None));
    assert_eq!((a[2].start_column, a[2].end_column), (Some(5), Some(10)));

    // The API's shape: no null fields, columns only on one line.
    let v = serde_json::to_value(&a[0]).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"path": "specs/x/readiness.md", "start_line": 1, "end_line": 1,
            "annotation_level": "failure", "message": a[0].message, "title": "evidence_missing"})
    );
    let mut two = a[2].clone();
    two.end_line = 3;
    let v = serde_json::to_value(&two).unwrap();
    assert!(v.get("start_column").is_none() && v.get("end_column").is_none());
    let v = serde_json::to_value(&a[2]).unwrap();
    assert_eq!(v["start_column"], 5);
    assert_eq!(v["end_column"], 10);
}

#[test]
fn comment_snapshot_of_the_fixtures() {
    let r = gate(&[
        "capstone/readiness.md",
        "fixtures/readiness/readiness_semi_manual.json",
        "fixtures/readiness/readiness_block_command.yaml",
        "fixtures/readiness/readiness_block_audit.json",
        "fixtures/specs/missing_sections/specify.md",
    ]);
    let body = comment_body(
        &r,
        &links(),
        &none(),
        &["read-only token: nothing was posted".into()],
    );
    let body = body.replace(
        &format!("sddgate {} ·", env!("CARGO_PKG_VERSION")),
        "sddgate VERSION ·",
    );
    insta::assert_snapshot!(body);
}

/// The capstone's passing incident, its spec carrying `n` commands each silenced by its own
/// reasoned `sddgate-allow` (linted for real, so the records are what `check` reports).
fn pass_with_suppressions(n: usize, reason: &str) -> Report {
    let pass = gate(&["capstone/readiness.md"]);
    let mut i = pass.incidents[0].clone();
    let file = i.spec.clone().unwrap();
    let mut text = "# x\n\n## Why\n".to_string();
    for k in 0..n {
        text.push_str(&format!(
            "<!-- sddgate-allow concrete_command_in_spec: {reason} -->\nThe on-call ran `kubectl delete pod api-{k}`.\n"
        ));
    }
    text.push_str("\n## What\nRestore.\n\n## Constraints\nOne pod.\n\n## Acceptance\nGiven x, when y, then z.\n\n## Pre-approved actions\n- restart_pod\n");
    let config = config();
    let spec = crate::parse::specify::parse(&file, &text, &config).unwrap();
    i.suppressed = crate::speclint::lint(&spec, &text, &config).suppressed;
    assert_eq!(i.suppressed.len(), n);
    rebuild(&pass, vec![i])
}

#[test]
fn a_pass_with_a_suppression_lists_it_with_its_reason_everywhere_but_annotations() {
    let r = pass_with_suppressions(1, "quotes the 2026-05 postmortem");
    assert_eq!(r.summary.suppressed, 1);
    let l = links();
    let body = comment_body(&r, &l, &none(), &[]);
    let spec = r.incidents[0].spec.clone().unwrap();
    // The headline, the table row and the folded details all say it.
    assert!(
        body.contains("**sddgate: PASS** — 1 incident: 1 pass; 1 finding suppressed"),
        "{body}"
    );
    assert!(body.contains("| PASS (1 suppressed) |"), "{body}");
    assert!(body.contains(" · 1 suppressed</summary>"), "{body}");
    let item = format!(
        "**Suppressed (1)**\n\n- `concrete_command_in_spec` `kubectl delete pod api-0` — [`{spec}:5:18`]({})\n  - reason: quotes the 2026-05 postmortem (`sddgate-allow` on line 4)\n",
        l.blob(&spec, Some(5))
    );
    assert!(body.contains(&item), "{item}\n----\n{body}");
    safe_markdown(&body, &l);
    // The check run: the count in the summary, the list in the text.
    let out = check_output(&r, &l, &none());
    assert!(
        out.summary.contains("1 finding suppressed"),
        "{}",
        out.summary
    );
    assert!(out.text.contains(&item), "{}", out.text);
    // The job summary holds the count and the list.
    let job = job_summary(&r, &l, &none(), &[], &[]);
    assert!(job.contains("1 finding suppressed") && job.contains(&item));
    // Not a failure: no annotation for it.
    let plain = rebuild(&r, {
        let mut i = r.incidents[0].clone();
        i.suppressed.clear();
        vec![i]
    });
    assert_eq!(annotations(&r), annotations(&plain));
    assert!(!comment_body(&plain, &l, &none(), &[]).contains("uppressed"));
}

#[test]
fn many_suppressions_list_thirty_and_say_how_many_more() {
    let r = pass_with_suppressions(45, "quoting");
    let body = comment_body(&r, &links(), &none(), &[]);
    assert!(body.contains("**Suppressed (45)**"), "{body}");
    assert_eq!(body.matches("  - reason: quoting").count(), MAX_LISTED);
    assert!(
        body.contains("- … and 15 more (`--format json` lists every one)"),
        "{body}"
    );
    assert!(body.contains("45 findings suppressed"));
}

#[test]
fn a_hostile_reason_and_command_are_shown_as_text() {
    let evil = "@octocat <script>alert(1)</script> [x](https://evil.example) #1 **b**";
    let mut r = pass_with_suppressions(1, evil);
    r.incidents[0].suppressed[0].observed = Some(format!("kubectl {evil} `x`\n# rm -rf /"));
    let l = links();
    for body in [
        comment_body(&r, &l, &none(), &[]),
        check_output(&r, &l, &none()).text,
    ] {
        let text = safe_markdown(&body, &l);
        assert!(text.contains("<script>alert(1)</script>"), "{text}");
    }
}

#[test]
fn lint_lists_the_suppressed_findings_of_every_file() {
    let mut r = pass_with_suppressions(2, "quoting");
    let silenced = std::mem::take(&mut r.incidents[0].suppressed);
    let files = vec![FileReport {
        file: silenced[0].file.clone(),
        findings: vec![],
        suppressed: silenced,
    }];
    let r = Report::new("lint", vec![], files, vec![], vec![]);
    assert_eq!(r.exit_code, 0);
    let body = comment_body(&r, &links(), &none(), &[]);
    assert!(
        body.contains("lint: 0 errors, 0 warnings in 1 file; 2 findings suppressed"),
        "{body}"
    );
    let lint = body.find("**Lint**").unwrap();
    assert!(body[lint..].contains("**Suppressed (2)**"), "{body}");
    assert_eq!(body.matches("  - reason: quoting").count(), 2);
}

#[test]
fn comment_snapshot_of_a_pass_with_a_suppression() {
    let r = pass_with_suppressions(2, "quotes the 2026-05 postmortem verbatim");
    let body = comment_body(&r, &links(), &none(), &[]);
    let body = body.replace(
        &format!("sddgate {} ·", env!("CARGO_PKG_VERSION")),
        "sddgate VERSION ·",
    );
    insta::assert_snapshot!(body);
}

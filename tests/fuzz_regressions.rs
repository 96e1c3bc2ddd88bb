//! Replays the fuzz invariants (`sddgate::fuzzing`) on stable, over every seed in
//! `fuzz/corpus/<target>/` and every past finding in `fuzz/regressions/<target>/`, so CI checks
//! them without nightly or cargo-fuzz. Findings whose fix belongs to another part of the code
//! sit in `fuzz/regressions/<target>/pending/` with an `#[ignore]`d test (none open today).

use sddgate::fuzzing;
use sddgate::model::Decision;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn dir(parts: &[&str]) -> PathBuf {
    parts.iter().fold(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz"),
        |p, s| p.join(s),
    )
}

/// The files directly in `dir` (not in subdirectories), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Runs `check` over every seed and regression of `target`; fails naming every input that
/// panics. Returns how many inputs ran.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut inputs = files(&dir(&["corpus", target]));
    inputs.extend(files(&dir(&["regressions", target])));
    let mut failed = Vec::new();
    for path in &inputs {
        let data = std::fs::read(path).expect("read a fuzz input");
        if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: {} input(s) break an invariant:\n{}",
        failed.len(),
        failed.join("\n")
    );
    inputs.len()
}

#[test]
fn specify_seeds_and_regressions_hold() {
    assert!(replay("specify", fuzzing::specify) >= 20);
}

#[test]
fn readiness_seeds_and_regressions_hold() {
    assert!(replay("readiness", fuzzing::readiness) >= 10);
}

#[test]
fn grafana_seeds_and_regressions_hold() {
    assert!(replay("grafana", fuzzing::grafana) >= 5);
}

#[test]
fn alertmanager_seeds_and_regressions_hold() {
    assert!(replay("alertmanager", fuzzing::alertmanager) >= 5);
}

#[test]
fn pagerduty_seeds_and_regressions_hold() {
    assert!(replay("pagerduty", fuzzing::pagerduty) >= 5);
}

#[test]
fn trace_log_seeds_and_regressions_hold() {
    assert!(replay("trace_log", fuzzing::trace_log) >= 3);
}

fn reference_spec() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/high_memory_usage/specify.md"),
    )
    .expect("the reference spec")
}

/// The PASS check of the specify target is not vacuous: the full-marks document with the clean
/// reference spec is admitted, and the same spec with a command in it is blocked.
#[test]
fn full_marks_pass_with_a_clean_spec_and_block_with_a_command() {
    let config = sddgate::config::Config::from_text("/nonexistent".into(), None, "").unwrap();
    let text = reference_spec();
    let spec = sddgate::parse::specify::parse(fuzzing::SPEC_FILE, &text, &config).unwrap();
    let lint = sddgate::speclint::lint(&spec, &text, &config);
    assert!(lint.commands.is_empty());
    assert_eq!(fuzzing::judge(&spec, &lint).decision, Decision::Auto);

    let dirty = format!("{text}\nkubectl delete pod x\n");
    let spec = sddgate::parse::specify::parse(fuzzing::SPEC_FILE, &dirty, &config).unwrap();
    let lint = sddgate::speclint::lint(&spec, &dirty, &config);
    assert_eq!(fuzzing::judge(&spec, &lint).decision, Decision::Block);
}

/// Every placement and spelling of the command, at lines all over the reference spec, is
/// reported (or exempt for a documented reason) and blocks.
#[test]
fn every_placement_across_the_reference_spec_is_caught() {
    let text = reference_spec();
    let lines = text.lines().count() + 1;
    // Every 7th line and the end: each kind of surrounding (front matter, headings, lists,
    // tables, the actions block) is reached, in a few seconds of a debug build.
    let picks: Vec<usize> = (0..lines).step_by(7).chain([lines - 1]).collect();
    for p in 0..fuzzing::PLACEMENTS.len() {
        for c in fuzzing::COMMANDS {
            for &at in &picks {
                fuzzing::check_command_placement(&text, p, c, at);
            }
        }
    }
}

/// What is exempt, exactly: inside an `sddgate-allow` directive; covered by a reasoned
/// suppression of the rule; not rendered at all (a link destination). An ordinary comment and a
/// reasonless suppression are not.
#[test]
fn exemptions_are_exactly_the_documented_ones() {
    let config = sddgate::config::Config::from_text("/nonexistent".into(), None, "").unwrap();
    let check = |doc: &str, line: u32| {
        let spec = sddgate::parse::specify::parse(fuzzing::SPEC_FILE, doc, &config).unwrap();
        fuzzing::exemption(doc, &spec, doc.find("kubectl").unwrap(), line)
    };
    assert_eq!(
        check(
            "# Why\n\n<!-- sddgate-allow concrete_command_in_spec kubectl delete pod x -->\n",
            3
        ),
        Some("inside an sddgate-allow directive")
    );
    assert_eq!(
        check(
            "# Why\n\n<!-- sddgate-allow concrete_command_in_spec: quoted from the postmortem -->\nkubectl delete pod x\n",
            4
        ),
        Some("covered by a suppression with a reason")
    );
    assert_eq!(
        check("# Why\n\n[runbook](https://x.example/kubectl)\n", 3),
        Some("not rendered as text")
    );
    assert_eq!(check("# Why\n\n<!-- kubectl delete pod x -->\n", 3), None);
    assert_eq!(
        check(
            "# Why\n\n<!-- sddgate-allow concrete_command_in_spec -->\nkubectl delete pod x\n",
            4
        ),
        None
    );
}

/// An error pointing past the input's last line is caught by the error check.
#[test]
#[should_panic(expected = "outside the input")]
fn an_error_on_a_line_that_does_not_exist_is_a_finding() {
    let e = sddgate::error::Error::input("f.md", 3, 1, "bad");
    fuzzing::check_error(&e, "f.md", b"one line\n");
}

/// A planted secret that reaches the output is caught (the check is not vacuous): the
/// markers are what `normalize` must never print.
#[test]
fn planted_secrets_look_secret() {
    for (secret, marker) in fuzzing::PLANTED {
        assert!(secret.contains(marker));
        assert!(
            sddgate::normalize::redact::looks_secret(secret),
            "{secret} would not be redacted"
        );
    }
}

/// Former finding `code-glued-punctuation` (input `regressions/specify/code-glued-punctuation`):
/// inside a code block Markdown marks are literal, so `**kubectl -n prod delete pod x**` is shown
/// to the reader as written and must be reported, whatever is glued in front of the command.
/// A word that merely ends in a tool name (`my_kubectl`, `xkubectl`) is another word.
#[test]
fn a_command_glued_to_punctuation_in_code_is_reported() {
    let config = sddgate::config::Config::from_text("/nonexistent".into(), None, "").unwrap();
    let reported = |line: &str| {
        let doc = format!("# Why\n\n```\n{line}\n```\n");
        let spec = sddgate::parse::specify::parse(fuzzing::SPEC_FILE, &doc, &config).unwrap();
        !sddgate::speclint::lint(&spec, &doc, &config)
            .commands
            .is_empty()
    };
    let mut missed = Vec::new();
    for glue in [
        "**", "__", "~~", "*", "_", "#", "@", "+", "[", "`", "![", "|", "\"", "'", "(", "<",
    ] {
        for c in fuzzing::COMMANDS {
            let line = format!("{glue}{c}");
            if !reported(&line) {
                missed.push(line);
            }
        }
    }
    assert!(missed.is_empty(), "not reported:\n{}", missed.join("\n"));
    for other in [
        "my_kubectl delete pod x",
        "xkubectl delete pod x",
        "a__kubectl delete pod x",
    ] {
        assert!(!reported(other), "`{other}` is not the kubectl command");
    }
}

/// The oracle's directive exemption (`fuzzing::exemption`) covers only what the lint skips: a
/// directive that is raw HTML, starts a comment, closes in its own HTML block or inline comment
/// and holds no `--!>`. It used to exempt everything from an unclosed `<!-- sddgate-allow` to
/// the end of the file, or up to a `-->` in a later code block, and so accepted the lint's
/// misses (`directive-closes-after-its-block` passed the old oracle with the old lint).
#[test]
fn the_oracle_exempts_only_real_directives() {
    let config = sddgate::config::Config::from_text("/nonexistent".into(), None, "").unwrap();
    let cases = [
        (
            "<!-- sddgate-allow concrete_command_in_spec: was kubectl delete pod x -->\n",
            true,
        ),
        (
            "Text <!-- sddgate-allow x: kubectl delete pod x --> more\n",
            true,
        ),
        (
            "<!-- sddgate-allow concrete_command_in_spec: r\n\nkubectl delete pod x\n",
            false,
        ),
        (
            "<div>\n<!-- sddgate-allow concrete_command_in_spec: r\n\nkubectl delete pod x\n\n-->\n",
            false,
        ),
        (
            "> <!-- sddgate-allow concrete_command_in_spec: r\n\n```\n-->\nkubectl delete pod x\n```\n",
            false,
        ),
        (
            "<!-- old\n<!-- sddgate-allow concrete_command_in_spec: r kubectl delete pod x -->\n",
            false,
        ),
        (
            "<!-- sddgate-allow concrete_command_in_spec: r --!> kubectl delete pod x -->\n",
            false,
        ),
    ];
    for (doc, exempt) in cases {
        let spec = sddgate::parse::specify::parse(fuzzing::SPEC_FILE, doc, &config).unwrap();
        let at = doc.find("kubectl delete pod x").unwrap();
        let line = doc[..at].matches('\n').count() as u32 + 1;
        assert_eq!(
            fuzzing::exemption(doc, &spec, at, line).is_some(),
            exempt,
            "{doc:?}"
        );
    }
}

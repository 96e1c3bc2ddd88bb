//! A pull request that lowers its own bar (issue 7, item 4): every attempt still blocks, or is
//! flagged for a human where the gate cannot decide.

mod common;
use common::*;

fn all(r: &Run) -> String {
    format!("{}{}", r.stdout, r.stderr)
}

/// A git repository whose first commit is the clean incident plus `files`.
fn git_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (p, t) in [
        ("specs/disk_full/specify.md", SPEC),
        ("specs/disk_full/readiness.md", READINESS),
        (
            "specs/disk_full/tasks.md",
            "# Tasks\n- T1 idempotent restart\n",
        ),
        (
            "specs/disk_full/rollback.md",
            "# Rollback\nRestore the previous pod.\n",
        ),
    ]
    .iter()
    .chain(files)
    {
        write(dir.path(), p, t);
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

const SEMI: &str = "{spec: 4, implementation: 4, verification: 4, process: 5, security: 4}";

fn weaker(doc: &str) -> String {
    doc.replace(
        "{spec: 5, implementation: 4, verification: 5, process: 5, security: 5}",
        SEMI,
    )
}

#[test]
fn check_base_judges_by_the_base_config_when_the_change_weakens_it() {
    let repo = git_repo(&[(".sddgate.yml", "version: 1\n")]);
    // The change: a 21/25 incident, and a config that lets 15/25 pass.
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &weaker(READINESS),
    );
    write(
        repo.path(),
        ".sddgate.yml",
        "version: 1\nprofiles:\n  standard: {auto_min: 15, semi_manual_min: 10}\n",
    );
    let plain = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(
        plain.code,
        0,
        "the weakened config alone passes it: {}",
        all(&plain)
    );
    let r = run(sddgate_in(repo.path()), &["check", "--base", "main"]);
    assert_eq!(
        r.code,
        3,
        "judged by the base's config: semi-manual\n{}",
        all(&r)
    );
    let out = all(&r);
    assert!(
        out.contains("this change edits .sddgate.yml (settings changed: profiles.standard)"),
        "{out}"
    );
    assert!(out.contains("specs/disk_full/readiness.md: SEMI-MANUAL under the config at main, would be PASS under the changed config"), "{out}");
    // Adding a config where the base had none: the defaults decide.
    let repo = git_repo(&[]);
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &weaker(READINESS),
    );
    write(
        repo.path(),
        ".sddgate.yml",
        "profiles:\n  standard: {auto_min: 15, semi_manual_min: 10}\n",
    );
    let r = run(sddgate_in(repo.path()), &["check", "--base", "main"]);
    assert_eq!(r.code, 3, "{}", all(&r));
    assert!(
        all(&r).contains("this change adds .sddgate.yml"),
        "{}",
        all(&r)
    );
    // Moving the trace log away from the base's log does not escape it either.
    let repo = git_repo(&[(".sddgate.yml", "version: 1\n")]);
    write(
        repo.path(),
        ".sddgate.yml",
        "version: 1\ntrace_log: elsewhere.jsonl\n",
    );
    let r = run(sddgate_in(repo.path()), &["check", "--base", "main"]);
    assert!(
        all(&r).contains("settings changed: trace_log"),
        "{}",
        all(&r)
    );
}

#[test]
fn a_weaker_unknown_or_absent_profile() {
    let repo = clean_repo();
    write(repo.path(), ".sddgate.yml", "minimum_profile: standard\n");
    // 21/25 under low_risk would be judged by low_risk's band; minimum_profile raises it.
    let doc = weaker(READINESS).replace("spec: specs", "profile: low_risk\nspec: specs");
    write(repo.path(), "specs/disk_full/readiness.md", &doc);
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["incidents"][0]["gate"]["profile"], "standard");
    assert_eq!(
        v["incidents"][0]["warnings"][0]["id"],
        "profile_below_minimum"
    );
    assert_eq!(r.code, 3);
    // An unknown profile is an error naming the line, never the default.
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &READINESS.replace("spec: specs", "profile: yolo\nspec: specs"),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        all(&r).contains("specs/disk_full/readiness.md:3:10: unknown profile `yolo`"),
        "{}",
        all(&r)
    );
    // None: the default profile (here standard).
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &weaker(READINESS),
    );
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(json(&r)["incidents"][0]["gate"]["profile"], "standard");
    assert_eq!(r.code, 3);
}

fn spec_with(extra: &str) -> String {
    SPEC.replace("## Why\n", &format!("## Why\n{extra}\n"))
}

#[test]
fn suppressions_that_try_to_silence_the_gate() {
    let blocked: &[(&str, String)] = &[
        (
            "no reason",
            spec_with("<!-- sddgate-allow concrete_command_in_spec -->\nkubectl delete pod x"),
        ),
        (
            "empty reason",
            spec_with("<!-- sddgate-allow concrete_command_in_spec:   -->\nkubectl delete pod x"),
        ),
        (
            "another rule",
            spec_with("<!-- sddgate-allow spec_no_actions: reason -->\nkubectl delete pod x"),
        ),
        (
            "a gate rule",
            spec_with(
                "<!-- sddgate-allow score_below_threshold, evidence_missing: reason -->\nkubectl delete pod x",
            ),
        ),
        (
            "covers the next line only",
            spec_with(
                "<!-- sddgate-allow concrete_command_in_spec: quoting -->\nfine line\nkubectl delete pod x",
            ),
        ),
        (
            "inside a code block",
            spec_with(
                "```\n<!-- sddgate-allow concrete_command_in_spec: reason -->\nkubectl delete pod x\n```",
            ),
        ),
        (
            "inside inline code",
            spec_with(
                "`<!-- sddgate-allow concrete_command_in_spec: reason -->` kubectl delete pod x",
            ),
        ),
        (
            "never closed",
            spec_with("<!-- sddgate-allow concrete_command_in_spec: reason\nkubectl delete pod x"),
        ),
        (
            "nested comments",
            spec_with(
                "<!-- <!-- sddgate-allow concrete_command_in_spec: reason --> -->\nfine\nkubectl delete pod x",
            ),
        ),
    ];
    for (what, spec) in blocked {
        let repo = clean_repo();
        write(repo.path(), "specs/disk_full/specify.md", spec);
        let r = run(sddgate_in(repo.path()), &["check"]);
        assert_eq!(r.code, 1, "{what}: the command still blocks\n{}", all(&r));
        // An unclosed comment hides the rest of the file: the sections are lost and the spec
        // blocks for that instead.
        assert!(
            *what == "never closed" || r.stdout.contains("concrete_command_in_spec"),
            "{what}: {}",
            r.stdout
        );
    }
    // A suppression in the front matter covers only the line after it there, not the file.
    let repo = clean_repo();
    let spec = SPEC.replacen(
        "---\n",
        "---\n# <!-- sddgate-allow concrete_command_in_spec: everything -->\n",
        1,
    );
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &spec.replace("## Why\n", "## Why\nkubectl delete pod x\n"),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 1, "{}", all(&r));
    // A suppression with a reason silences the one line it covers: allowed by the SPEC, and
    // it never silences a gate blocker (evidence, scores) however it is written.
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &spec_with(
            "<!-- sddgate-allow concrete_command_in_spec, evidence_missing: quoting the incident -->\nkubectl delete pod x",
        ),
    );
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &READINESS.replace("specs/disk_full/tasks.md", "specs/disk_full/nope.md"),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 1, "{}", all(&r));
    assert!(r.stdout.contains("evidence_missing"), "{}", r.stdout);
}

#[test]
fn coverage_claims_the_trace_log_does_not_back() {
    // A log that holds one step of six for the incident: the computed coverage counts.
    let repo = clean_repo();
    let r = run(
        sddgate_in(repo.path()),
        &[
            "trace",
            "append",
            "--incident",
            "DF-2026-06-01-01",
            "--step",
            "webhook_received",
            "--ref",
            "a.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", all(&r));
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 1, "{}", all(&r));
    assert!(r.stdout.contains("audit_trace_incomplete"), "{}", r.stdout);
    // No log at all: the claim stands (SPEC) but is flagged for a human.
    let repo = clean_repo();
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    let v = json(&r);
    let warnings = v["incidents"][0]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["id"] == "audit_trace_unverified"),
        "{warnings:?}"
    );
    // A log the change itself extends: flagged on the incident.
    let repo = git_repo(&[(".sddgate/trace.jsonl", "")]);
    for step in [
        "webhook_received",
        "incident_event_normalized",
        "specify",
        "spec_diff_created",
        "commit",
        "validate",
    ] {
        let r = run(
            sddgate_in(repo.path()),
            &[
                "trace",
                "append",
                "--incident",
                "DF-2026-06-01-01",
                "--step",
                step,
                "--ref",
                "x",
            ],
        );
        assert_eq!(r.code, 0, "{}", all(&r));
    }
    let r = run(
        sddgate_in(repo.path()),
        &["check", "--base", "main", "--format", "json"],
    );
    let v = json(&r);
    let warnings = v["incidents"][0]["warnings"].as_array().unwrap();
    let w = warnings
        .iter()
        .find(|w| w["id"] == "trace_log_edited_by_change");
    assert!(w.is_some(), "{}", r.stdout);
    assert!(
        w.unwrap()["message"]
            .as_str()
            .unwrap()
            .starts_with("6 record(s) for DF-2026-06-01-01 were added")
    );
}

#[test]
fn evidence_that_is_no_evidence() {
    type Case<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a str);
    let cases: &[Case] = &[
        (
            "specs/disk_full/e.md",
            Some(("specs/disk_full/e.md", "")),
            "empty",
        ),
        (
            "specs/disk_full/e.md",
            Some(("specs/disk_full/e.md", " \n\t\n  \n")),
            "empty",
        ),
        (
            "specs/disk_full/e.md",
            Some(("specs/disk_full/e.md", "# Verification\n")),
            "empty",
        ),
        (
            "specs/disk_full/e.md",
            Some(("specs/disk_full/e.md", "# Tasks\n\nTODO\n")),
            "empty",
        ),
        (
            "specs/disk_full/e.md",
            Some(("specs/disk_full/e.md", "- TBD\n")),
            "empty",
        ),
        // Empty HTML comments, alone or under a title, say nothing either.
        (
            "specs/disk_full/e.md",
            Some(("specs/disk_full/e.md", "<!-- -->\n")),
            "empty",
        ),
        (
            "specs/disk_full/e.md",
            Some((
                "specs/disk_full/e.md",
                "# Tasks\n\n<!---->\n  <!--   -->  \n",
            )),
            "empty",
        ),
        ("specs/disk_full/readiness.md", None, "empty"),
        ("specs/disk_full/specify.md", None, "empty"),
        ("./specs/disk_full//readiness.md", None, "empty"),
        (".", None, "empty"),
        (
            "specs/disk_full/edir",
            Some(("specs/disk_full/edir/only.md", "")),
            "empty",
        ),
        ("/dev/null", None, "outside_repository"),
    ];
    for (path, file, want) in cases {
        let repo = clean_repo();
        if let Some((p, t)) = file {
            write(repo.path(), p, t);
        }
        write(
            repo.path(),
            "specs/disk_full/readiness.md",
            &READINESS.replace(
                "implementation: specs/disk_full/tasks.md",
                &format!("implementation: {path:?}"),
            ),
        );
        let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
        assert_eq!(r.code, 1, "{path}: {}", r.stdout);
        let v = json(&r);
        assert_eq!(
            v["incidents"][0]["gate"]["categories"][1]["evidence"][0]["status"], *want,
            "{path}"
        );
    }
    // The spec is evidence of the spec, and only of the spec.
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &READINESS.replace(
            "evidence:\n",
            "evidence:\n  spec: specs/disk_full/specify.md\n",
        ),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    // Self-reference is explained.
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &READINESS.replace(
            "implementation: specs/disk_full/tasks.md",
            "implementation: specs/disk_full/readiness.md",
        ),
    );
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert!(r.stdout.contains("evidence_self_reference"), "{}", r.stdout);
}

/// `check` reads each spec once and judges its substance from the whole text: a `spec:` naming
/// a spec that says nothing is still the evidence fact `spec_path_for` gives (`empty`, the spec
/// not this incident's), a spec beside a readiness document without `spec:` is still paired
/// with it, and a spec nobody else pairs is still reported on its own.
#[test]
fn a_spec_that_says_nothing() {
    let nothing = " \n\n# disk_full\n\nTODO\n";
    let repo = clean_repo();
    write(repo.path(), "specs/disk_full/specify.md", nothing);
    // A second incident whose readiness document sits beside another empty spec, with no
    // `spec:`; and a third naming that spec with `spec:`.
    let beside = READINESS.replace("spec: specs/disk_full/specify.md\n", "");
    write(repo.path(), "specs/other/specify.md", nothing);
    write(
        repo.path(),
        "specs/other/readiness.md",
        &beside.replace("DF-2026-06-01-01", "DF-2026-06-01-02"),
    );
    write(
        repo.path(),
        "specs/third/readiness.md",
        &READINESS
            .replace("specs/disk_full/specify.md", "specs/other/specify.md")
            .replace("DF-2026-06-01-01", "DF-2026-06-01-03"),
    );
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", all(&r));
    let v = json(&r);
    let incidents = v["incidents"].as_array().unwrap();
    let by = |readiness: Option<&str>, spec: Option<&str>| {
        incidents
            .iter()
            .find(|i| i["readiness"].as_str() == readiness && i["spec"].as_str() == spec)
            .unwrap_or_else(|| panic!("no incident {readiness:?} {spec:?} in {v}"))
    };
    let spec_fact = |i: &serde_json::Value| {
        i["gate"]["categories"][0]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["path"], e["status"]))
            .collect::<Vec<_>>()
    };
    // `spec:` names an empty spec: the fact, no spec judged with the incident.
    let named = by(Some("specs/disk_full/readiness.md"), None);
    assert_eq!(named["decision"], "block");
    assert_eq!(
        spec_fact(named),
        ["\"specs/disk_full/specify.md\" \"empty\""]
    );
    let third = by(Some("specs/third/readiness.md"), None);
    assert_eq!(spec_fact(third), ["\"specs/other/specify.md\" \"empty\""]);
    // Beside its readiness document, an empty spec is judged with it (and blocks it).
    let other = by(
        Some("specs/other/readiness.md"),
        Some("specs/other/specify.md"),
    );
    assert_eq!(other["decision"], "block");
    // The empty spec nobody pairs is reported alone; the paired one is not.
    by(None, Some("specs/disk_full/specify.md"));
    assert_eq!(incidents.len(), 4, "{v}");
}

#[test]
fn scores_and_yaml_tricks() {
    let bad: &[(&str, &str)] = &[
        ("scores: {spec: 6,", "out of range"),
        ("scores: {spec: -1,", "out of range"),
        ("scores: {spec: 2.5,", "not an integer"),
        ("scores: {spec: \"5\",", "expected an integer"),
        ("scores: {spec: !custom 5,", "error"),
    ];
    for (with, want) in bad {
        let repo = clean_repo();
        write(
            repo.path(),
            "specs/disk_full/readiness.md",
            &READINESS.replace("scores: {spec: 5,", with),
        );
        let r = run(sddgate_in(repo.path()), &["check"]);
        assert_eq!(r.code, 2, "{with}: {}", all(&r));
        assert!(all(&r).contains(want), "{with}: {}", all(&r));
    }
    // Duplicate keys: a second `scores:`, a second evidence category, a duplicate in JSON.
    let dups: &[(&str, String)] = &[
        ("readiness.md", READINESS.replace("evidence:", "scores: {spec: 5, implementation: 5, verification: 5, process: 5, security: 5}\nevidence:")),
        ("readiness.md", READINESS.replace("  implementation: specs/disk_full/tasks.md", "  implementation: specs/disk_full/nope.md\n  implementation: specs/disk_full/tasks.md")),
    ];
    for (_, doc) in dups {
        let repo = clean_repo();
        write(repo.path(), "specs/disk_full/readiness.md", doc);
        let r = run(sddgate_in(repo.path()), &["check"]);
        assert_eq!(r.code, 2, "{}", all(&r));
        assert!(
            all(&r).contains("specs/disk_full/readiness.md:") && all(&r).contains("duplicate"),
            "{}",
            r.stderr
        );
    }
    let repo = clean_repo();
    write(
        repo.path(),
        "r.json",
        "{\"incident_id\": \"X\", \"stateful\": false, \"evidence\": {\"implementation\": \"nope.md\", \"implementation\": \"specs/disk_full/tasks.md\"}, \"scores\": {\"spec\": 5, \"implementation\": 4, \"verification\": 5, \"process\": 5, \"security\": 5}, \"checks\": {\"audit_trace_coverage\": 1.0}}",
    );
    let r = run(sddgate_in(repo.path()), &["readiness", "r.json"]);
    assert_eq!(r.code, 2, "{}", all(&r));
    assert!(
        r.stderr.contains("r.json:1:") && r.stderr.contains("duplicate field `implementation`"),
        "{}",
        r.stderr
    );
    // Merge keys are not applied: `<<` is an unknown key, refused.
    let repo = clean_repo();
    write(repo.path(), "specs/disk_full/readiness.md", &READINESS.replace("scores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}", "base: &b {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\nscores:\n  <<: *b"));
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 2, "{}", all(&r));
    // Core tags and aliases mean what YAML says (5 is 5): the gate judges the resolved value,
    // and the evidence still has to back it.
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &READINESS
            .replace(
                "implementation: specs/disk_full/tasks.md",
                "implementation: specs/disk_full/nope.md",
            )
            .replace(
                "{spec: 5, implementation: 4,",
                "{spec: 5, implementation: !!int \"4\",",
            ),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 1, "{}", all(&r));
}

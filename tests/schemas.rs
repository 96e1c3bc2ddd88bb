//! The JSON Schemas: the shipped copies under `schemas/` are what `sddgate schema NAME`
//! prints, and real documents and real output validate against them with a real validator
//! (the `jsonschema` crate) — while broken documents are rejected by the schema and by the
//! parser alike.
//!
//! Regenerate the shipped copies after changing a format: `SDDGATE_BLESS=1 cargo test --test
//! schemas`.

mod common;
use common::*;
use sddgate::cli::SchemaName;
use serde_json::Value;

fn name_arg(n: SchemaName) -> &'static str {
    match n {
        SchemaName::Report => "report",
        SchemaName::Readiness => "readiness",
        SchemaName::Config => "config",
        SchemaName::DryRun => "dry-run",
        SchemaName::Trace => "trace",
        SchemaName::Event => "event",
    }
}

fn printed(n: SchemaName) -> String {
    let r = run(sddgate(), &["schema", name_arg(n)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

fn validator(n: SchemaName) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&printed(n)).expect("schema is JSON");
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{n:?} is not a valid JSON Schema: {e}"))
}

/// Every reason `instance` fails, one per line (empty when valid).
fn errors(v: &jsonschema::Validator, instance: &Value) -> String {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn yaml_to_json(file: &str, text: &str) -> Value {
    let y: serde_yaml::Value =
        serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{file}: not YAML: {e}"));
    serde_json::to_value(y).unwrap_or_else(|e| panic!("{file}: not JSON-shaped: {e}"))
}

/// A readiness document as the schema sees it: the front matter of a `.md`, else the file.
fn readiness_value(file: &str, text: &str) -> Value {
    if file.ends_with(".json") {
        return serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    if file.ends_with(".md") {
        let rest = text
            .strip_prefix("---\n")
            .unwrap_or_else(|| panic!("{file}: no front matter"));
        let end = rest
            .find("\n---\n")
            .unwrap_or_else(|| panic!("{file}: unclosed front matter"));
        return yaml_to_json(file, &rest[..end + 1]);
    }
    yaml_to_json(file, text)
}

#[test]
fn shipped_schemas_are_what_the_binary_prints() {
    let bless = std::env::var_os("SDDGATE_BLESS").is_some_and(|v| v == "1");
    let dir = repo_root().join("schemas");
    let mut stale = Vec::new();
    for n in sddgate::schema::ALL {
        let path = dir.join(sddgate::schema::file_name(n));
        let want = printed(n);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &want).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(have) if have == want => {}
            Ok(_) => stale.push(format!(
                "{} differs from `sddgate schema {}`",
                path.display(),
                name_arg(n)
            )),
            Err(e) => stale.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nregenerate with: SDDGATE_BLESS=1 cargo test --test schemas",
        stale.join("\n")
    );
    // Nothing else in schemas/: a schema dropped from the binary goes from there too.
    let mut shipped: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    shipped.sort();
    let mut expected: Vec<String> = sddgate::schema::ALL
        .iter()
        .map(|n| sddgate::schema::file_name(*n).to_string())
        .collect();
    expected.sort();
    assert_eq!(shipped, expected);
}

#[test]
fn every_readiness_document_of_the_repository_validates() {
    let v = validator(SchemaName::Readiness);
    let mut files = vec!["capstone/readiness.md".to_string()];
    for e in std::fs::read_dir(repo_root().join("fixtures/readiness")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        files.push(format!("fixtures/readiness/{name}"));
    }
    assert!(files.len() >= 15, "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(repo_root().join(f)).unwrap();
        let doc = readiness_value(f, &text);
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{f} does not validate:\n{errs}");
        // Each of them is a well-formed document for the parser too (a verdict, not exit 2).
        let r = run(sddgate(), &["readiness", f]);
        assert_ne!(r.code, 2, "{f}: {}", r.stderr);
    }
}

/// Documents the parser refuses (exit 2): the schema must refuse each as well, or an editor
/// would show green on a file the gate rejects.
#[test]
fn a_broken_readiness_document_is_rejected_by_schema_and_parser() {
    let v = validator(SchemaName::Readiness);
    let good = "incident_id: HM-1\nscores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\naudit_trace_coverage: 1.0\nstateful: false\n";
    assert_eq!(errors(&v, &yaml_to_json("good", good)), "");
    let lesson = "incident_id: HM-1\nscores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\nchecks: {audit_trace_coverage: 0.7, stateful: false}\n";
    assert_eq!(errors(&v, &yaml_to_json("lesson", lesson)), "");
    let broken = [
        ("score 7", good.replace("security: 5", "security: 7")),
        ("score 2.5", good.replace("process: 5", "process: 2.5")),
        ("score as text", good.replace("spec: 5", "spec: five")),
        ("a score missing", good.replace("spec: 5, ", "")),
        (
            "unknown score key",
            good.replace("security: 5", "securty: 5"),
        ),
        ("coverage 1.3", good.replace("1.0", "1.3")),
        (
            "coverage missing",
            good.replace("audit_trace_coverage: 1.0\n", ""),
        ),
        ("stateful missing", good.replace("stateful: false\n", "")),
        (
            "stateful as text",
            good.replace("stateful: false", "stateful: nope"),
        ),
        ("no incident id", good.replace("incident_id: HM-1\n", "")),
        ("blank in the id", good.replace("HM-1", "'HM 1'")),
        ("empty id", good.replace("HM-1", "''")),
        ("radius region", format!("{good}radius_of_impact: region\n")),
        (
            "unknown evidence category",
            format!("{good}evidence: {{spce: a.md}}\n"),
        ),
        (
            "scores not a mapping",
            good.replace(
                "scores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}",
                "scores: 24",
            ),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (what, text) in broken {
        let doc = yaml_to_json(what, &text);
        assert!(
            !v.is_valid(&doc),
            "the schema accepts a document with {what}:\n{text}"
        );
        let file = dir.path().join("readiness.yaml");
        std::fs::write(&file, &text).unwrap();
        let r = run(sddgate_in(dir.path()), &["readiness", "readiness.yaml"]);
        assert_eq!(
            r.code, 2,
            "the parser accepts a document with {what}: {}",
            r.stderr
        );
    }
}

#[test]
fn the_config_files_validate() {
    let v = validator(SchemaName::Config);
    let own = std::fs::read_to_string(repo_root().join(".sddgate.yml")).unwrap();
    let errs = errors(&v, &yaml_to_json(".sddgate.yml", &own));
    assert!(errs.is_empty(), ".sddgate.yml:\n{errs}");
    // The README's full example, from its yaml block under "Configuration".
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme
        .split("## Configuration: `.sddgate.yml`")
        .nth(1)
        .expect("README config section");
    let block = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("yaml block");
    let errs = errors(&v, &yaml_to_json("README config", block));
    assert!(errs.is_empty(), "README config example:\n{errs}");
    for (what, text) in [
        ("an unknown key", "version: 1\ndefault_profil: standard\n"),
        (
            "an unknown nested key",
            "discovery: {spec: ['**/specify.md']}\n",
        ),
        ("a version as text", "version: one\n"),
        ("a size as text", "limits: {max_file_size: big}\n"),
    ] {
        assert!(
            !v.is_valid(&yaml_to_json(what, text)),
            "the config schema accepts {what}"
        );
    }
}

#[test]
fn normalize_events_validate() {
    let v = validator(SchemaName::Event);
    let dir = repo_root().join("fixtures/webhooks");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".expected.json") {
            continue;
        }
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&name)).unwrap()).unwrap();
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{name}:\n{errs}");
        n += 1;
    }
    assert!(n >= 2);
    // Real output, nulls included (a lone Grafana payload has no severity source of its own).
    for args in [
        &[
            "--grafana",
            "fixtures/webhooks/webhook_grafana.json",
            "--pagerduty",
            "fixtures/webhooks/webhook_pagerduty.json",
        ][..],
        &["--alertmanager", "fixtures/webhooks/alertmanager_v4.json"][..],
        &["--grafana", "fixtures/webhooks/grafana_unified.json"][..],
    ] {
        let mut all = vec!["normalize"];
        all.extend_from_slice(args);
        let r = run(sddgate(), &all);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let errs = errors(&v, &json(&r));
        assert!(errs.is_empty(), "{args:?}:\n{errs}");
    }
    let good: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("incident_event.expected.json")).unwrap(),
    )
    .unwrap();
    let mut extra = good.clone();
    extra["owner"] = "sre".into();
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("pod");
    let mut wrong = good.clone();
    wrong["window_minutes"] = "ten".into();
    for (what, doc) in [
        ("an extra key", extra),
        ("a missing key", missing),
        ("a text window", wrong),
    ] {
        assert!(!v.is_valid(&doc), "the event schema accepts {what}");
    }
}

#[test]
fn json_outputs_validate_against_their_schemas() {
    let report = validator(SchemaName::Report);
    for args in [
        &["check", "--format", "json"][..],
        &["check", "fixtures", "--format", "json"][..],
        &[
            "lint",
            "fixtures/specs/kubectl_in_spec/specify.md",
            "--format",
            "json",
        ][..],
    ] {
        let r = run(sddgate(), args);
        assert_ne!(r.code, 2, "{args:?}: {}", r.stderr);
        let errs = errors(&report, &json(&r));
        assert!(errs.is_empty(), "{args:?}:\n{errs}");
    }
    let dry = validator(SchemaName::DryRun);
    let r = run(
        sddgate(),
        &[
            "dry-run",
            "--spec",
            "specs/high_memory_usage/specify.md",
            "--action",
            "restart_pod",
            "--readiness",
            "capstone/readiness.md",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let errs = errors(&dry, &json(&r));
    assert!(errs.is_empty(), "dry-run:\n{errs}");
    let trace = validator(SchemaName::Trace);
    let r = run(sddgate(), &["trace", "--format", "json"]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    let errs = errors(&trace, &json(&r));
    assert!(errs.is_empty(), "trace:\n{errs}");
}

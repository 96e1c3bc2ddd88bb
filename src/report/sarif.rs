//! `--format sarif`: the report as SARIF 2.1.0, in the subset GitHub code scanning accepts
//! (`github/codeql-action/upload-sarif`), readable by any SARIF viewer.
//!
//! One run. `tool.driver.rules` is the whole rule registry (the help text is `sddgate explain`).
//! Every blocker, warning and lint finding is a result; a suppressed finding is a result with
//! an `inSource` suppression and its reason. A finding without a file of its own is placed on
//! its incident's document, line 1, and says so. Documents that could not be judged are tool
//! execution notifications, and the invocation is then not successful; its exit code is the
//! command's.

use super::Report;
use super::findings::{self, Finding, Kind, Level};
use crate::github::render::encode_segment;
use crate::rules::{self, Rule};
use serde_json::{Map, Value, json};

/// The schema the document names; tests validate against the same schema from a registry.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where relative `uri`s start: the repository root (the checkout, for code scanning).
pub const SRCROOT: &str = "%SRCROOT%";
/// GitHub code scanning keeps at most this many results per run; the rest are dropped
/// silently by GitHub, so sddgate drops them itself and says so in a notification.
pub const MAX_RESULTS: usize = 25_000;

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&document(report)).unwrap_or_default()
}

pub fn document(report: &Report) -> Value {
    let all: Vec<&Rule> = rules::all().collect();
    let list = findings::collect(report);
    let mut results: Vec<Value> = list
        .iter()
        .take(MAX_RESULTS)
        .map(|f| result(f, &all))
        .collect();
    let mut notifications: Vec<Value> = report.errors.iter().map(error_notification).collect();
    if list.len() > MAX_RESULTS {
        notifications.push(json!({
            "level": "warning",
            "message": {"text": format!(
                "{} findings; GitHub code scanning keeps {MAX_RESULTS} per run, so the rest were left out (`--format json` lists every one)",
                list.len()
            )},
        }));
    }
    for n in &report.notes {
        notifications.push(json!({"level": "note", "message": {"text": n}}));
    }
    results.shrink_to_fit();
    let mut invocation = json!({
        "executionSuccessful": report.errors.is_empty(),
        "exitCode": report.exit_code,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let mut driver = json!({
        "name": "sddgate",
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "version": env!("CARGO_PKG_VERSION"),
        "rules": all.iter().map(|r| rule(r)).collect::<Vec<_>>(),
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = json!(uri);
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "automationDetails": {"id": format!("sddgate/{}/", report.command)},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root (where .sddgate.yml is)."}}},
            "invocations": [invocation],
            "results": results,
            "properties": {
                "decision": report.decision,
                "summary": report.summary,
            },
        }],
    })
}

/// The package's `repository` (Cargo.toml), when it names one: `informationUri` must be a URI.
fn information_uri() -> Option<&'static str> {
    let r = env!("CARGO_PKG_REPOSITORY");
    (r.starts_with("https://") && !r.contains(char::is_whitespace)).then_some(r)
}

/// `audit_trace_incomplete` → `AuditTraceIncomplete` (SARIF's `name` is an identifier-like
/// word, distinct from the id).
fn pascal(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

fn rule(r: &Rule) -> Value {
    let default_level = match r.severity {
        crate::model::Severity::Error => "error",
        crate::model::Severity::Warning => "warning",
    };
    let scope = match r.scope {
        rules::Scope::Gate => "gate",
        rules::Scope::Spec => "spec",
        rules::Scope::Action => "dry-run",
    };
    let suppress = if r.suppressible {
        format!(
            "Suppress one finding with a reason, on the line before it: `<!-- sddgate-allow {}: why this is safe -->`.",
            r.id
        )
    } else {
        "This rule cannot be suppressed.".to_string()
    };
    let text = format!(
        "{}\n\nWhy: {}\n\nFix: {}\n\nFails:\n{}\n\nPasses:\n{}\n\n{suppress}",
        r.summary, r.why, r.fix, r.fails, r.passes
    );
    let markdown = format!(
        "{}\n\n**Why.** {}\n\n**Fix.** {}\n\n**Fails:**\n\n{}\n\n**Passes:**\n\n{}\n\n{suppress}\n\nMore: `sddgate explain {}`.",
        r.summary,
        r.why,
        r.fix,
        fenced(r.fails),
        fenced(r.passes),
        r.id
    );
    json!({
        "id": r.id,
        "name": pascal(r.id),
        "shortDescription": {"text": first_sentence(r.summary)},
        "fullDescription": {"text": r.summary},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": default_level},
        "properties": {"tags": ["sddgate", scope], "suppressible": r.suppressible},
    })
}

/// A Markdown code block that no backtick run in the example can close.
fn fenced(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{s}\n{fence}")
}

fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

/// A path as a SARIF `artifactLocation`: relative to [`SRCROOT`] when it is inside the
/// repository, a `file:` URI when absolute. Each segment percent-encoded (a `uri` is a URI
/// reference, not a file name).
fn artifact(path: &str) -> Value {
    let clean = path.replace('\\', "/");
    let encoded: Vec<String> = clean
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .map(encode_segment)
        .collect();
    let joined = encoded.join("/");
    let drive = matches!(clean.as_bytes(), [d, b':', ..] if d.is_ascii_alphabetic());
    if clean.starts_with('/') || drive {
        json!({"uri": format!("file:///{joined}")})
    } else {
        json!({"uri": joined, "uriBaseId": SRCROOT})
    }
}

fn result(f: &Finding<'_>, all: &[&Rule]) -> Value {
    let mut text = f.message.to_string();
    if f.placed_on_document() {
        text.push_str(" (this finding has no place of its own: shown on its document, line 1)");
    }
    if !f.fix.is_empty() {
        text.push_str("\nFix: ");
        text.push_str(f.fix);
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.rule));
    if let Some(i) = all.iter().position(|x| x.id == f.rule) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(sarif_level(f.level)));
    r.insert("message".into(), json!({ "text": text }));
    if let Some(place) = f.place() {
        let line = if f.file.is_some() { f.line } else { None };
        let mut region = json!({"startLine": line.unwrap_or(1).max(1)});
        if let (Some(_), Some(c)) = (line, f.column) {
            region["startColumn"] = json!(c.max(1));
            region["endColumn"] = json!(c.max(1) + f.length.unwrap_or(1).max(1));
        }
        r.insert(
            "locations".into(),
            json!([{"physicalLocation": {"artifactLocation": artifact(place), "region": region}}]),
        );
    }
    r.insert(
        "partialFingerprints".into(),
        json!({"sddgateFinding/v1": f.fingerprint}),
    );
    if let Some(s) = f.suppression {
        r.insert(
            "suppressions".into(),
            json!([{
                "kind": "inSource",
                "status": "accepted",
                "justification": s.reason,
                "location": {"physicalLocation": {
                    "artifactLocation": artifact(&s.file),
                    "region": {"startLine": s.suppression_line.max(1)},
                }},
            }]),
        );
    }
    let mut props = Map::new();
    if let Some(id) = f.incident_id {
        props.insert("incident_id".into(), json!(id));
    }
    if let Some(d) = f.decision {
        props.insert("decision".into(), json!(d));
    }
    props.insert(
        "kind".into(),
        json!(match f.kind {
            Kind::Blocker => "blocker",
            Kind::Warning => "warning",
            Kind::Lint => "lint",
            Kind::Suppressed => "suppressed",
        }),
    );
    if let Some(v) = f.violation {
        if let Some(o) = &v.observed {
            props.insert("observed".into(), o.clone());
        }
        if let Some(t) = &v.threshold {
            props.insert("threshold".into(), t.clone());
        }
    }
    if let Some(s) = f.suppression.and_then(|s| s.observed.as_ref()) {
        props.insert("observed".into(), json!(s));
    }
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

fn error_notification(e: &super::ErrorReport) -> Value {
    let mut n = json!({
        "level": "error",
        "message": {"text": format!("could not be judged: {}", e.message)},
        "descriptor": {"id": "could_not_be_judged"},
    });
    if let Some(f) = &e.file {
        let mut region = json!({"startLine": e.line.unwrap_or(1).max(1)});
        if let (Some(_), Some(c)) = (e.line, e.column) {
            region["startColumn"] = json!(c.max(1));
        }
        n["locations"] =
            json!([{"physicalLocation": {"artifactLocation": artifact(f), "region": region}}]);
    }
    n
}

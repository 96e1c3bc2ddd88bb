//! `sddgate normalize` through the binary: the lesson's fixtures, real Grafana, Alertmanager and
//! PagerDuty V3 payloads, merging, conflicts, redaction, incident ids and the trace log.

mod common;
use common::*;
use serde_json::{Value, json};

const W: &str = "fixtures/webhooks";
const KEYS: [&str; 8] = [
    "incident_id",
    "service",
    "namespace",
    "pod",
    "severity",
    "window_minutes",
    "metric_context",
    "source_refs",
];

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo_root().join(W).join(name)).expect("fixture")
}

fn fx(name: &str) -> String {
    format!("{W}/{name}")
}

/// `normalize` with these arguments in this repository.
fn normalize(args: &[&str]) -> Run {
    let mut all = vec!["normalize"];
    all.extend_from_slice(args);
    run(sddgate(), &all)
}

fn normalize_in(dir: &std::path::Path, args: &[&str]) -> Run {
    let mut all = vec!["normalize"];
    all.extend_from_slice(args);
    run(sddgate_in(dir), &all)
}

/// The top-level keys of a JSON object text, in the order written.
fn key_order(text: &str) -> Vec<&'static str> {
    let mut found: Vec<(usize, &'static str)> = KEYS
        .iter()
        .filter_map(|k| text.find(&format!("\"{k}\":")).map(|i| (i, *k)))
        .collect();
    found.sort();
    found.into_iter().map(|(_, k)| k).collect()
}

/// The `- ` lines of stderr (diff lines, conflict lines).
fn items(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .collect()
}

#[test]
fn lesson_fixtures_reproduce_the_expected_event() {
    let r = normalize(&[
        "--grafana",
        &fx("webhook_grafana.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
        "--expected",
        &fx("incident_event.expected.json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected_text = fixture("incident_event.expected.json");
    let expected: Value = serde_json::from_str(&expected_text).unwrap();
    assert_eq!(json(&r), expected);
    assert_eq!(key_order(&r.stdout), KEYS);
    assert_eq!(key_order(&expected_text), KEYS);
    // Pretty, two-space indent, one trailing newline.
    assert!(
        r.stdout
            .starts_with("{\n  \"incident_id\": \"HM-2026-05-17-01\",\n")
    );
    assert!(r.stdout.ends_with("}\n") && !r.stdout.ends_with("\n\n"));
    assert!(items(&r.stderr).is_empty(), "{}", r.stderr);
    assert!(r.stderr.contains("MATCH"), "{}", r.stderr);
    for personal in ["Dana", "Whitfield", "dana.whitfield@example.com"] {
        assert!(!r.stdout.contains(personal) && !r.stderr.contains(personal));
    }
}

#[test]
fn modified_grafana_differs_in_exactly_window_and_memory() {
    let r = normalize(&[
        "--grafana",
        &fx("webhook_grafana_modified.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
        "--expected",
        &fx("incident_event.expected.json"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        items(&r.stderr),
        [
            "window_minutes: expected 10, got 5",
            "metric_context.memory_percent: expected 93, got 87",
        ],
        "{}",
        r.stderr
    );
    // Still a valid event, printed; identity fields unchanged.
    let e = json(&r);
    assert_eq!(e["window_minutes"], 5);
    assert_eq!(e["metric_context"], json!({"memory_percent": 87}));
    for k in ["incident_id", "service", "namespace", "pod"] {
        let expected: Value =
            serde_json::from_str(&fixture("incident_event.expected.json")).unwrap();
        assert_eq!(e[k], expected[k], "{k}");
    }
}

#[test]
fn numbers_compare_by_value_and_missing_or_extra_keys_are_named() {
    let dir = temp_repo(&[(
        "exp.json",
        r#"{"incident_id": "HM-2026-05-17-01", "service": "appointments-api", "namespace": "appointments-api",
            "pod": "api-7b4", "severity": "P1", "window_minutes": 10.0, "metric_context": {"memory_percent": 93.0},
            "source_refs": ["grafana.internal/d/api-mem"], "owner": "sre"}"#,
    )]);
    let g = repo_root().join(W).join("webhook_grafana.json");
    let p = repo_root().join(W).join("webhook_pagerduty.json");
    let r = normalize_in(
        dir.path(),
        &[
            "--grafana",
            g.to_str().unwrap(),
            "--pagerduty",
            p.to_str().unwrap(),
            "--expected",
            "exp.json",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        items(&r.stderr),
        [
            "source_refs[1]: unexpected (got \"https://pd.example.com/incidents/HM-2026-05-17-01\")",
            "owner: missing (expected \"sre\")",
        ],
        "{}",
        r.stderr
    );
}

#[test]
fn real_grafana_and_pagerduty_v3_give_the_expected_event() {
    let r = normalize(&[
        "--grafana",
        &fx("grafana_unified.json"),
        "--pagerduty",
        &fx("pagerduty_v3.json"),
        "--expected",
        &fx("incident_event_real.expected.json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected: Value =
        serde_json::from_str(&fixture("incident_event_real.expected.json")).unwrap();
    assert_eq!(json(&r), expected);
    // PagerDuty's display name "Appointments API" agrees with the label; the label is output.
    assert_eq!(json(&r)["service"], "appointments-api");
    // The refId `C` (the condition) is no metric; the assignee is never read.
    assert!(!r.stdout.contains("\"C\"") && !r.stdout.contains("Dana"));
}

#[test]
fn alertmanager_v4_with_the_lesson_pagerduty_gives_the_lesson_event() {
    let r = normalize(&[
        "--alertmanager",
        &fx("alertmanager_v4.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
        "--expected",
        &fx("incident_event.expected.json"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn alertmanager_version_3_is_an_error_naming_both_versions() {
    let r = normalize(&["--alertmanager", &fx("alertmanager_v3.json")]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(&format!(
            "error: {}:51:14: unsupported Alertmanager webhook version \"3\"; sddgate reads version \"4\"",
            fx("alertmanager_v3.json")
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn several_alerts_and_duplicate_deliveries_collapse_into_one_event() {
    let once = normalize(&[
        "--grafana",
        &fx("grafana_multi.json"),
        "--pagerduty",
        &fx("pagerduty_v3.json"),
    ]);
    let twice = normalize(&[
        "--grafana",
        &fx("grafana_multi.json"),
        "--grafana",
        &fx("grafana_multi.json"),
        "--pagerduty",
        &fx("pagerduty_v3.json"),
        "--pagerduty",
        &fx("pagerduty_v3.json"),
    ]);
    assert_eq!(once.code, 0, "{}", once.stderr);
    assert_eq!(twice.code, 0, "{}", twice.stderr);
    assert_eq!(once.stdout, twice.stdout);
    assert!(
        twice.stderr.contains("4 duplicate deliveries collapsed"),
        "{}",
        twice.stderr
    );
    let e = json(&once);
    // The earliest firing alert (HighMemory, 09:04, listed second) is primary: its window and
    // its memory_percent win over the later alert's 95.1; the resolved alert for api-9x2 is
    // left out, so it is no conflict.
    assert_eq!(e["pod"], "api-7b4");
    assert_eq!(e["window_minutes"], 10);
    assert_eq!(
        e["metric_context"],
        json!({"memory_percent": 93, "memory_growth_mib_per_min": 12.5})
    );
    assert_eq!(
        e["source_refs"],
        json!([
            "https://grafana.example.com/d/api-mem?orgId=1",
            "https://grafana.example.com/d/api-mem-growth?orgId=1",
            "https://acme.pagerduty.com/incidents/Q2ZL4M1RX9T0BC"
        ])
    );
    assert!(
        once.stderr.contains("1 resolved alert(s)"),
        "{}",
        once.stderr
    );
}

#[test]
fn the_same_lesson_file_twice_is_one_delivery() {
    let args = [
        "--grafana",
        &fx("webhook_grafana.json"),
        "--grafana",
        &fx("webhook_grafana.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
        "--expected",
        &fx("incident_event.expected.json"),
    ];
    let r = normalize(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn only_resolved_alerts_give_no_event_and_exit_1() {
    let r = normalize(&["--grafana", &fx("grafana_resolved.json")]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("NO-EVENT "), "{}", r.stderr);
    assert_eq!(
        items(&r.stderr),
        [format!(
            "{} alerts[0]: alert resolved (AppointmentsApiHighMemory)",
            fx("grafana_resolved.json")
        )]
    );
}

#[test]
fn a_later_resolved_delivery_resolves_the_alert() {
    let r = normalize(&[
        "--grafana",
        &fx("grafana_unified.json"),
        "--grafana",
        &fx("grafana_resolved.json"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.starts_with("NO-EVENT "), "{}", r.stderr);
}

#[test]
fn a_resolved_event_of_the_same_pagerduty_incident_resolves_it() {
    let resolved = fixture("pagerduty_v3.json")
        .replace("01EYK8Q6ZJ8V3B8Y4XJ1T0M2C7", "01EYK8Q6ZJ8V3B8Y4XJ1T0M2D1")
        .replace("incident.triggered", "incident.resolved")
        .replace("\"status\": \"triggered\"", "\"status\": \"resolved\"");
    let dir = temp_repo(&[
        ("triggered.json", &fixture("pagerduty_v3.json")),
        ("resolved.json", &resolved),
    ]);
    let r = normalize_in(dir.path(), &["--pagerduty", "triggered.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = normalize_in(
        dir.path(),
        &[
            "--pagerduty",
            "triggered.json",
            "--pagerduty",
            "resolved.json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        items(&r.stderr),
        [
            "triggered.json: incident resolved",
            "resolved.json: incident resolved"
        ]
    );
}

#[test]
fn sources_disagreeing_on_the_pod_are_a_conflict() {
    let r = normalize(&[
        "--grafana",
        &fx("webhook_grafana.json"),
        "--grafana",
        &fx("grafana_other_pod.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("CONFLICT "), "{}", r.stderr);
    assert_eq!(
        items(&r.stderr),
        [format!(
            "pod: \"api-7b4\" ({}) vs \"api-9x2\" ({})",
            fx("webhook_grafana.json"),
            fx("grafana_other_pod.json")
        )]
    );
}

#[test]
fn alerts_for_different_pods_in_one_payload_are_a_conflict() {
    let mut v: Value = serde_json::from_str(&fixture("alertmanager_v4.json")).unwrap();
    let mut second = v["alerts"][0].clone();
    second["labels"]["pod"] = json!("api-9x2");
    second["fingerprint"] = json!("1111222233334444");
    v["alerts"].as_array_mut().unwrap().push(second);
    let dir = temp_repo(&[("am.json", &v.to_string())]);
    let r = normalize_in(dir.path(), &["--alertmanager", "am.json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        items(&r.stderr),
        ["pod: \"api-7b4\" (am.json alerts[0]) vs \"api-9x2\" (am.json alerts[1])"]
    );
}

#[test]
fn incident_keys_and_services_must_agree() {
    let r = normalize(&[
        "--grafana",
        &fx("webhook_grafana.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
        "--pagerduty",
        &fx("pagerduty_v3_hashkey.json"),
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(
        items(&r.stderr),
        [format!(
            "incident_key: \"HM-2026-05-17-01\" ({}) vs \"baf7cf21b1da41b4b0221008339ff357\" ({})",
            fx("webhook_pagerduty.json"),
            fx("pagerduty_v3_hashkey.json")
        )]
    );

    let pd = fixture("pagerduty_v3.json").replace(
        "\"summary\": \"Appointments API\"",
        "\"summary\": \"Billing API\"",
    );
    let dir = temp_repo(&[
        ("pd.json", &pd),
        ("g.json", &fixture("webhook_grafana.json")),
    ]);
    let r = normalize_in(
        dir.path(),
        &["--grafana", "g.json", "--pagerduty", "pd.json"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        items(&r.stderr),
        ["service: \"appointments-api\" (g.json) vs \"Billing API\" (pd.json)"]
    );
}

#[test]
fn secrets_and_personal_data_never_reach_stdout_or_stderr() {
    let r = normalize(&[
        "--grafana",
        &fx("grafana_secrets.json"),
        "--pagerduty",
        &fx("pagerduty_v3_secrets.json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for planted in [
        "Dana",
        "Whitfield",
        "@example.com",
        "glsa_PlantedServiceAccountToken",
        "svc-alerts",
        "S3cr3tPlantedPass",
        "X-Amz",
        "AKIAPLANTEDKEY",
        "Bearer",
        "eyJhbGciOiJIUzI1NiJ9",
        "hunter2",
        "oncall:",
        "Pl4ntedPdPass",
        "pd_planted_access_token",
        "access_token",
        "pwd=",
        "token=",
    ] {
        assert!(
            !r.stdout.contains(planted),
            "{planted} in stdout:\n{}",
            r.stdout
        );
        assert!(
            !r.stderr.contains(planted),
            "{planted} in stderr:\n{}",
            r.stderr
        );
    }
    let e = json(&r);
    assert_eq!(
        e["source_refs"],
        json!([
            "https://grafana.example.com/d/api-mem?orgId=1&from=now-1h",
            "https://grafana.example.com/d/api-mem-growth?orgId=1",
            "https://snapshots.s3.amazonaws.com/api-7b4/heap.html",
            "https://acme.pagerduty.com/incidents/Q2ZL4M1RX9T0BC?utm_source=webhook"
        ])
    );
    // The alert whose pod label is an email address: the value is dropped, not compared.
    assert_eq!(e["pod"], "api-7b4");
    assert!(r.stderr.contains("dropped the pod value"), "{}", r.stderr);
    assert!(r.stderr.contains("dropped a link"), "{}", r.stderr);
}

#[test]
fn secrets_in_malformed_payloads_are_masked_in_errors() {
    let dir = temp_repo(&[(
        "g.json",
        r#"{"source": "grafana", "starts_at": "dana.whitfield@example.com", "labels": {"service": "a"}}"#,
    )]);
    let r = normalize_in(dir.path(), &["--grafana", "g.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: g.json:1:63: `starts_at`: expected an RFC 3339 time"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("dana"), "{}", r.stderr);
}

/// A repository with the real Grafana payload (no readable incident key anywhere) and a
/// config naming its alert as high_memory_usage.
fn derivation_repo(log: &str) -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("g.json", &fixture("grafana_unified.json")),
        ("pd.json", &fixture("pagerduty_v3_hashkey.json")),
        (
            ".sddgate.yml",
            "normalize:\n  incident_types:\n    high_memory_usage:\n      alertnames: [AppointmentsApiHighMemory]\n",
        ),
    ]);
    if !log.is_empty() {
        write(dir.path(), ".sddgate/trace.jsonl", log);
    }
    dir
}

fn record(id: &str, step: &str, reference: &str) -> String {
    format!(
        "{}\n",
        json!({"ts": "2026-05-17T10:00:00Z", "incident_id": id, "step": step, "ref": reference})
    )
}

#[test]
fn incident_id_is_derived_from_type_date_and_the_trace_log() {
    // No log: the first incident of the day. The hash incident key is not used.
    let dir = derivation_repo("");
    let r = normalize_in(
        dir.path(),
        &["--grafana", "g.json", "--pagerduty", "pd.json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["incident_id"], "HM-2026-05-17-01");

    // Other HM incidents of that day are counted; other prefixes and days are not.
    let log = [
        record("HM-2026-05-17-01", "webhook_received", "a.json"),
        record("HM-2026-05-17-01", "validate", "v.md"),
        record("HM-2026-05-17-02", "webhook_received", "b.json"),
        record("DF-2026-05-17-01", "webhook_received", "c.json"),
        record("HM-2026-05-18-01", "webhook_received", "d.json"),
    ]
    .concat();
    let dir = derivation_repo(&log);
    let args = ["--grafana", "g.json", "--pagerduty", "pd.json"];
    let first = normalize_in(dir.path(), &args);
    assert_eq!(
        json(&first)["incident_id"],
        "HM-2026-05-17-03",
        "{}",
        first.stderr
    );
    // Deterministic: same inputs and log, same id.
    let again = normalize_in(dir.path(), &args);
    assert_eq!(first.stdout, again.stdout);
}

#[test]
fn incident_type_label_and_unknown_types_give_prefixes() {
    let g = fixture("grafana_unified.json");
    let typed = g.replace(
        "\"alertname\": \"AppointmentsApiHighMemory\",\n        \"grafana_folder\"",
        "\"alertname\": \"AppointmentsApiHighMemory\",\n        \"incident_type\": \"disk_full\",\n        \"grafana_folder\"",
    );
    assert_ne!(typed, g);
    let dir = temp_repo(&[("typed.json", &typed), ("plain.json", &g)]);
    let r = normalize_in(dir.path(), &["--grafana", "typed.json"]);
    assert_eq!(json(&r)["incident_id"], "DF-2026-05-17-01", "{}", r.stderr);
    let r = normalize_in(dir.path(), &["--grafana", "plain.json"]);
    assert_eq!(json(&r)["incident_id"], "INC-2026-05-17-01", "{}", r.stderr);
    assert!(r.stderr.contains("no incident type"), "{}", r.stderr);
}

#[test]
fn a_logged_alert_keeps_its_id() {
    let dir = derivation_repo("");
    let log = dir.path().join(".sddgate/trace.jsonl");
    let log_s = log.to_str().unwrap();
    let first = normalize_in(
        dir.path(),
        &[
            "--grafana",
            "g.json",
            "--pagerduty",
            "pd.json",
            "--trace-log",
            log_s,
        ],
    );
    assert_eq!(json(&first)["incident_id"], "HM-2026-05-17-01");
    // Another incident of the same day is logged in between.
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str(&record(
        "HM-2026-05-17-02",
        "webhook_received",
        "other.json",
    ));
    std::fs::write(&log, text).unwrap();
    // The same Grafana alert again (PagerDuty not given): same id, not -03.
    let again = normalize_in(dir.path(), &["--grafana", "g.json"]);
    assert_eq!(
        json(&again)["incident_id"],
        "HM-2026-05-17-01",
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("reused"), "{}", again.stderr);
    // A different alert of that day gets the next free number.
    std::fs::write(
        dir.path().join("g2.json"),
        fixture("grafana_unified.json").replace("c5b8e0f2a91d4e37", "0123456789abcdef"),
    )
    .unwrap();
    let other = normalize_in(dir.path(), &["--grafana", "g2.json"]);
    assert_eq!(
        json(&other)["incident_id"],
        "HM-2026-05-17-03",
        "{}",
        other.stderr
    );
}

#[test]
fn incident_id_override_is_used_and_checked() {
    let base = [
        "--grafana",
        &fx("webhook_grafana.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
    ];
    let mut args = base.to_vec();
    args.extend(["--incident-id", "OPS-42"]);
    let r = normalize(&args);
    assert_eq!(r.code, 0);
    assert_eq!(json(&r)["incident_id"], "OPS-42");
    for bad in ["", "HM 42", "HM\t42"] {
        let mut args = base.to_vec();
        args.extend(["--incident-id", bad]);
        let r = normalize(&args);
        assert_eq!(r.code, 2, "{bad:?}");
        assert_eq!(r.stdout, "");
        assert!(r.stderr.contains("--incident-id"), "{}", r.stderr);
    }
}

#[test]
fn trace_log_records_each_payload_then_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.jsonl");
    let log_s = log.to_str().unwrap();
    let (g, p, e) = (
        fx("webhook_grafana.json"),
        fx("webhook_pagerduty.json"),
        fx("incident_event.expected.json"),
    );
    let r = normalize(&[
        "--grafana",
        &g,
        "--grafana",
        &g,
        "--pagerduty",
        &p,
        "--expected",
        &e,
        "--trace-log",
        log_s,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let parsed = sddgate::trace::parse("trace.jsonl", &std::fs::read(&log).unwrap()).unwrap();
    let got: Vec<(&str, &str, &str)> = parsed
        .records
        .iter()
        .map(|r| {
            (
                r.incident_id.as_str(),
                r.step.as_ref(),
                r.reference.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("HM-2026-05-17-01", "webhook_received", g.as_str()),
            ("HM-2026-05-17-01", "webhook_received", p.as_str()),
            ("HM-2026-05-17-01", "incident_event_normalized", e.as_str()),
        ]
    );

    // A mismatch is still a normalized event, but the ref is the event, not the reference file.
    let r = normalize(&[
        "--grafana",
        &fx("webhook_grafana_modified.json"),
        "--pagerduty",
        &p,
        "--expected",
        &e,
        "--trace-log",
        log_s,
    ]);
    assert_eq!(r.code, 1);
    let parsed = sddgate::trace::parse("trace.jsonl", &std::fs::read(&log).unwrap()).unwrap();
    let last = parsed.records.last().unwrap();
    assert_eq!(last.step, "incident_event_normalized");
    assert_eq!(
        last.reference.as_deref(),
        Some("event:HM-2026-05-17-01 sources=grafana:c5b8e0f2a91d4e37,pagerduty:HM-2026-05-17-01")
    );
    // The PagerDuty payload was already recorded by the first run (same incident, step and
    // ref): an append never writes a record the log already holds.
    assert_eq!(parsed.records.len(), 5);
}

#[test]
fn nothing_is_recorded_when_no_event_is_produced() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.jsonl");
    let log_s = log.to_str().unwrap();
    let conflict = normalize(&[
        "--grafana",
        &fx("webhook_grafana.json"),
        "--grafana",
        &fx("grafana_other_pod.json"),
        "--trace-log",
        log_s,
    ]);
    assert_eq!(conflict.code, 1);
    let resolved = normalize(&[
        "--grafana",
        &fx("grafana_resolved.json"),
        "--trace-log",
        log_s,
    ]);
    assert_eq!(resolved.code, 1);
    let broken = normalize(&[
        "--grafana",
        &fx("webhook_grafana.json"),
        "--pagerduty",
        &fx("webhook_grafana.json"),
        "--trace-log",
        log_s,
    ]);
    assert_eq!(broken.code, 2);
    let bad_expected = normalize(&[
        "--grafana",
        &fx("webhook_grafana.json"),
        "--expected",
        &fx("no_such_file.json"),
        "--trace-log",
        log_s,
    ]);
    assert_eq!(bad_expected.code, 2);
    assert!(!log.exists());
}

#[test]
fn malformed_json_is_reported_at_its_line_and_column() {
    let dir = temp_repo(&[(
        "broken.json",
        "{\n  \"source\": \"grafana\",\n  \"labels\": {\"pod\": \"api-7b4\",}\n}\n",
    )]);
    let r = normalize_in(dir.path(), &["--grafana", "broken.json"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with("error: broken.json:3:31: malformed JSON: trailing comma"),
        "{}",
        r.stderr
    );
}

#[test]
fn wrong_types_are_reported_with_their_json_path() {
    let dir = temp_repo(&[(
        "am.json",
        "{\"version\": \"4\",\n \"alerts\": [{\"labels\": {\"pod\": 5}}]}",
    )]);
    let r = normalize_in(dir.path(), &["--alertmanager", "am.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "error: am.json:2:32: `alerts[0].labels.pod`: invalid type: integer `5`, expected a string"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_payload_under_the_wrong_flag_is_an_error_naming_the_file() {
    let r = normalize(&["--grafana", &fx("webhook_pagerduty.json")]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(&format!(
            "error: {}:2:13: this is the lesson's PagerDuty payload",
            fx("webhook_pagerduty.json")
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pass it with --pagerduty"),
        "{}",
        r.stderr
    );

    let r = normalize(&["--alertmanager", &fx("grafana_unified.json")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pass it with --grafana"), "{}", r.stderr);

    let r = normalize(&["--pagerduty", &fx("alertmanager_v4.json")]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("expects a PagerDuty V3 webhook"),
        "{}",
        r.stderr
    );
}

#[test]
fn unsupported_payloads_are_named() {
    let dir = temp_repo(&[
        (
            "legacy.json",
            r#"{"ruleName": "High memory", "evalMatches": [], "state": "alerting"}"#,
        ),
        (
            "v2.json",
            r#"{"messages": [{"event": "incident.trigger"}]}"#,
        ),
        (
            "svc.json",
            r#"{"event": {"id": "E1", "event_type": "service.updated", "resource_type": "service", "data": {"id": "P1", "type": "service"}}}"#,
        ),
        ("other.json", r#"{"hello": "world"}"#),
    ]);
    for (flag, file, says) in [
        (
            "--grafana",
            "legacy.json",
            "legacy Grafana dashboard-alert webhook",
        ),
        ("--pagerduty", "v2.json", "PagerDuty V1/V2 webhook"),
        (
            "--pagerduty",
            "svc.json",
            "is about a service, not an incident",
        ),
        ("--grafana", "other.json", "a JSON object with keys hello"),
    ] {
        let r = normalize_in(dir.path(), &[flag, file]);
        assert_eq!(r.code, 2, "{file}");
        assert!(
            r.stderr.starts_with(&format!("error: {file}:")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains(says), "{file}: {}", r.stderr);
    }
}

#[test]
fn no_payload_is_a_usage_error() {
    let r = normalize(&[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no payload given"), "{}", r.stderr);
}

#[test]
fn a_payload_without_a_service_is_an_error() {
    let dir = temp_repo(&[(
        "g.json",
        r#"{"source": "grafana", "labels": {"namespace": "x", "pod": "y"}, "starts_at": "2026-05-17T09:04:00Z"}"#,
    )]);
    let r = normalize_in(dir.path(), &["--grafana", "g.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no payload names the service"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_format_prints_the_event_on_one_line() {
    let args = [
        "--grafana",
        &fx("webhook_grafana.json"),
        "--pagerduty",
        &fx("webhook_pagerduty.json"),
    ];
    let pretty = normalize(&args);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let compact = normalize(&json_args);
    assert_eq!(compact.code, 0);
    assert_eq!(compact.stdout.lines().count(), 1);
    assert!(compact.stdout.ends_with("}\n"));
    assert_eq!(json(&compact), json(&pretty));
    assert_eq!(key_order(&compact.stdout), KEYS);
}

#[test]
fn config_errors_in_normalize_point_at_the_key() {
    let dir = temp_repo(&[
        ("g.json", &fixture("webhook_grafana.json")),
        (
            ".sddgate.yml",
            "normalize:\n  incident_types:\n    high_memory_usage:\n      prefix: hm\n",
        ),
    ]);
    let r = normalize_in(dir.path(), &["--grafana", "g.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: .sddgate.yml:4:15: normalize.incident_types.high_memory_usage.prefix: `hm` is not a valid prefix"),
        "{}",
        r.stderr
    );
}

use super::*;

const OURS: &str = "---\nincident_id: HM-2026-05-17-01\nspec: specs/high_memory_usage/specify.md\nscores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\nevidence:\n  spec: specs/high_memory_usage/specify.md\n  verification: [a.md, b.md]\naudit_trace_coverage: 1.0\nstateful: false\nradius_of_impact: pod\ndry_run_verified: true\nrollback: specs/high_memory_usage/rollback.md\n---\n# body\n";

const LESSON: &str = r#"{
  "incident_id": "HM-2026-05-17-01",
  "stateful": false,
  "scores": {"spec": 5, "implementation": 4, "verification": 5, "process": 3, "security": 5},
  "checks": {
    "audit_trace_coverage": 0.7,
    "backup_verified": false,
    "rollback_condition_present": true,
    "blast_radius_known": true,
    "human_review_for_first_run": true
  },
  "pre_approved_action": "restart_pod",
  "notes": "unknown keys are kept and ignored"
}"#;

#[test]
fn our_shape_in_front_matter() {
    let r = parse("capstone/readiness.md", OURS).unwrap();
    assert_eq!(r.shape, Shape::Sddgate);
    assert_eq!(r.claimed_total(), 24);
    assert_eq!(r.incident_id.value, "HM-2026-05-17-01");
    assert_eq!(r.incident_id.line, 2);
    assert_eq!(r.evidence.len(), 3);
    assert_eq!(r.radius_of_impact.as_ref().unwrap().value, Radius::Pod);
    assert_eq!(r.audit_trace_coverage.line, 8);
    assert_eq!(r.score(Category::Security).line, 4);
}

#[test]
fn lesson_shape_in_json() {
    let r = parse("fixtures/readiness_block_audit.json", LESSON).unwrap();
    assert_eq!(r.shape, Shape::Lesson);
    assert_eq!(r.claimed_total(), 22);
    assert_eq!(r.audit_trace_coverage.value, 0.7);
    assert_eq!(
        (r.audit_trace_coverage.line, r.audit_trace_coverage.col),
        (6, 29)
    );
    assert!(r.rollback_condition_present.as_ref().unwrap().value);
}

fn err(file: &str, text: &str) -> String {
    parse(file, text).unwrap_err().to_string()
}

#[test]
fn malformed_values_name_file_line_and_expectation() {
    let e = err(
        "r.json",
        &LESSON.replace("\"security\": 5", "\"security\": 7"),
    );
    assert!(e.starts_with("r.json:4:"), "{e}");
    assert!(e.contains("score 7 is out of range"), "{e}");
    let e = err(
        "r.json",
        &LESSON.replace("\"process\": 3", "\"process\": 3.5"),
    );
    assert!(e.contains("not an integer"), "{e}");
    let e = err("r.json", &LESSON.replace("0.7", "1.3"));
    assert!(e.starts_with("r.json:6:"), "{e}");
    assert!(e.contains("coverage 1.3 is out of range"), "{e}");
    let e = err(
        "r.md",
        &OURS.replace("radius_of_impact: pod", "radius_of_impact: region"),
    );
    assert!(e.starts_with("r.md:10:"), "{e}");
    assert!(e.contains("unknown radius `region`"), "{e}");
    let e = err("r.md", &OURS.replace("scores: {spec: 5, ", "scores: {"));
    assert!(e.contains("missing required key `scores.spec`"), "{e}");
    let e = err("r.md", &OURS.replace("audit_trace_coverage: 1.0\n", ""));
    assert!(
        e.contains("missing required key `audit_trace_coverage`"),
        "{e}"
    );
    let e = err("r.md", &OURS.replace("stateful: false\n", ""));
    assert!(e.contains("missing required key `stateful`"), "{e}");
    let e = err("r.md", &OURS.replace("security: 5}", "securty: 5}"));
    assert!(e.contains("unknown field `securty`"), "{e}");
    let e = err(
        "r.md",
        &OURS.replace("  spec: specs/high", "  spce: specs/high"),
    );
    assert!(e.contains("unknown evidence category `spce`"), "{e}");
    let e = err("r.md", "# no front matter\n");
    assert!(e.contains("no YAML front matter"), "{e}");
    let e = err("r.yaml", "incident_id: [\n");
    assert!(e.starts_with("r.yaml:"), "{e}");
    let e = err("r.json", "{\"incident_id\": \"a b\"}");
    assert!(e.contains("not an identifier"), "{e}");
}

#[test]
fn both_shapes_at_once_take_the_less_favourable_fact() {
    let mixed = LESSON.replace(
        "\"stateful\": false,",
        "\"stateful\": false, \"audit_trace_coverage\": 1.0,",
    );
    let r = parse("m.json", &mixed).unwrap();
    assert_eq!(r.audit_trace_coverage.value, 0.7);
}

//! Unit tests: one per cap and per blocker of the decision rules.

use super::*;
use crate::parse::readiness;
use crate::profiles::builtin;

const BASE: &str = "incident_id: T-1\nscores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\naudit_trace_coverage: 1.0\nstateful: false\nradius_of_impact: pod\nrollback: restore the previous ReplicaSet\n";

fn doc(edit: &[(&str, &str)]) -> Readiness {
    let mut t = BASE.to_string();
    for (from, to) in edit {
        assert!(t.contains(from), "{from}");
        t = t.replace(from, to);
    }
    readiness::parse("r.yaml", &t).unwrap()
}

fn facts() -> Facts {
    Facts {
        rollback: RollbackFact::Present,
        ..Facts::default()
    }
}

fn eval_with(r: &Readiness, f: &Facts, profile: &str) -> Evaluation {
    evaluate(r, f, &builtin()[profile], None)
}

fn ids(e: &Evaluation) -> Vec<&'static str> {
    e.blockers.iter().map(|b| b.id).collect()
}

fn verified(e: &Evaluation, c: Category) -> u8 {
    e.categories[c.index()].verified
}

#[test]
fn clean_document_passes() {
    let e = eval_with(&doc(&[]), &facts(), "standard");
    assert_eq!(e.decision, Decision::Auto);
    assert_eq!(e.verified_total, 24);
    assert!(e.blockers.is_empty());
}

#[test]
fn audit_is_first_and_total_last() {
    let e = eval_with(
        &doc(&[
            ("coverage: 1.0", "coverage: 0.7"),
            ("process: 5", "process: 3"),
        ]),
        &facts(),
        "standard",
    );
    assert_eq!(ids(&e), ["audit_trace_incomplete", "score_below_threshold"]);
    assert_eq!(e.blockers[0].message, "audit_trace_coverage=0.7 < 1.0");
    assert_eq!(e.blockers[1].message, "score=22/25 below threshold 23");
    assert_eq!(e.decision, Decision::Block);
}

#[test]
fn computed_coverage_lowers_the_claim_never_raises_it() {
    let mut f = facts();
    f.trace = Some(TraceFact {
        log: "t.jsonl".into(),
        computed: 0.5,
        missing_steps: vec!["commit"],
    });
    let e = eval_with(&doc(&[]), &f, "standard");
    assert_eq!(e.audit_trace_coverage.counted, 0.5);
    assert_eq!(ids(&e), ["audit_trace_incomplete"]);
    assert_eq!(e.blockers[0].file.as_deref(), Some("t.jsonl"));
    f.trace = Some(TraceFact {
        log: "t.jsonl".into(),
        computed: 1.0,
        missing_steps: vec![],
    });
    let e = eval_with(&doc(&[("coverage: 1.0", "coverage: 0.8")]), &f, "standard");
    assert_eq!(e.audit_trace_coverage.counted, 0.8);
}

#[test]
fn stateful_needs_backup_and_raises_the_threshold() {
    let e = eval_with(
        &doc(&[("stateful: false", "stateful: true")]),
        &facts(),
        "standard",
    );
    assert_eq!(ids(&e), ["stateful_without_backup"]);
    let r = doc(&[
        ("stateful: false", "stateful: true\nbackup_verified: true"),
        ("spec: 5", "spec: 4"),
    ]);
    let e = eval_with(&r, &facts(), "standard");
    assert_eq!(e.verified_total, 23);
    assert_eq!(
        e.decision,
        Decision::SemiManual,
        "23 is below the stateful threshold 24"
    );
    assert_eq!(e.thresholds.auto_min, Some(24));
    assert!(
        e.blockers[0].message.contains("(stateful)"),
        "{}",
        e.blockers[0].message
    );
}

#[test]
fn spec_front_matter_can_make_it_stateful() {
    let mut f = facts();
    f.spec = Some(SpecFacts {
        file: "s.md".into(),
        stateful: Some(Located::new(true, 4, 11)),
        ..SpecFacts::default()
    });
    let e = eval_with(&doc(&[]), &f, "standard");
    assert_eq!(ids(&e), ["stateful_without_backup"]);
    assert_eq!(e.blockers[0].file.as_deref(), Some("s.md"));
}

#[test]
fn verification_and_security_blockers() {
    let e = eval_with(
        &doc(&[("verification: 5", "verification: 2")]),
        &facts(),
        "standard",
    );
    assert_eq!(ids(&e), ["verification_too_low", "score_below_threshold"]);
    let e = eval_with(
        &doc(&[("security: 5", "security: 0")]),
        &facts(),
        "standard",
    );
    assert_eq!(
        ids(&e),
        ["rollback_missing", "security_zero", "score_below_threshold"]
    );
    let mut p = builtin()["standard"].clone();
    p.category_floor = 4;
    let e = evaluate(
        &doc(&[
            ("security: 5", "security: 3"),
            ("implementation: 4", "implementation: 5"),
        ]),
        &facts(),
        &p,
        None,
    );
    assert_eq!(ids(&e), ["security_too_low"]);
}

#[test]
fn no_rollback_caps_security() {
    for rollback in [
        RollbackFact::Absent,
        RollbackFact::Denied { line: 3, col: 1 },
        RollbackFact::PathInvalid {
            path: "r.md".into(),
            status: EvidenceStatus::Missing,
            line: 6,
            col: 11,
        },
    ] {
        let f = Facts {
            rollback: rollback.clone(),
            ..Facts::default()
        };
        let e = eval_with(&doc(&[]), &f, "standard");
        assert_eq!(verified(&e, Category::Security), 2, "{rollback:?}");
        assert_eq!(
            ids(&e),
            ["rollback_missing", "score_below_threshold"],
            "{rollback:?}"
        );
    }
}

#[test]
fn radius_caps_implementation() {
    let wide = doc(&[("radius_of_impact: pod", "radius_of_impact: cluster")]);
    let e = eval_with(&wide, &facts(), "standard");
    assert_eq!(verified(&e, Category::Implementation), 2);
    assert_eq!(
        ids(&e),
        [
            "blast_radius_undefined",
            "implementation_too_low",
            "score_below_threshold"
        ]
    );
    let verified_dry = doc(&[(
        "radius_of_impact: pod",
        "radius_of_impact: cluster\ndry_run_verified: true",
    )]);
    assert_eq!(
        eval_with(&verified_dry, &facts(), "standard").decision,
        Decision::Auto
    );
    let missing = doc(&[("radius_of_impact: pod\n", "")]);
    assert_eq!(
        ids(&eval_with(&missing, &facts(), "standard"))[0],
        "blast_radius_undefined"
    );
    // deployment is fine for standard, too wide for high_risk.
    let dep = doc(&[("radius_of_impact: pod", "radius_of_impact: deployment")]);
    assert!(!ids(&eval_with(&dep, &facts(), "standard")).contains(&"blast_radius_undefined"));
    assert!(ids(&eval_with(&dep, &facts(), "high_risk")).contains(&"blast_radius_undefined"));
    // The spec's radius counts when wider.
    let mut f = facts();
    f.spec = Some(SpecFacts {
        file: "s.md".into(),
        blast_radius: Some(Located::new(Radius::Namespace, 5, 15)),
        ..SpecFacts::default()
    });
    assert!(ids(&eval_with(&doc(&[]), &f, "standard")).contains(&"blast_radius_undefined"));
}

#[test]
fn floors() {
    for (edit, id) in [
        (("spec: 5", "spec: 2"), "spec_too_low"),
        (("process: 5", "process: 2"), "process_too_low"),
        (
            ("implementation: 4", "implementation: 2"),
            "implementation_too_low",
        ),
    ] {
        let e = eval_with(&doc(&[edit]), &facts(), "standard");
        assert_eq!(ids(&e), [id, "score_below_threshold"]);
    }
}

#[test]
fn evidence_and_spec_facts_cap() {
    let r = doc(&[]);
    let mut f = facts();
    f.evidence.push(EvidenceFact {
        category: Category::Verification,
        path: Located::new("v.md".into(), 9, 3),
        status: EvidenceStatus::Missing,
    });
    let e = eval_with(&r, &f, "standard");
    assert_eq!(verified(&e, Category::Verification), 2);
    assert_eq!(
        ids(&e),
        [
            "verification_too_low",
            "evidence_missing",
            "score_below_threshold"
        ]
    );
    assert_eq!(
        (e.blockers[1].line, e.blockers[1].column),
        (Some(9), Some(3))
    );

    let mut f = facts();
    f.spec = Some(SpecFacts {
        file: "s.md".into(),
        commands: vec![(12, 5, 18, "kubectl delete pod".into())],
        ..SpecFacts::default()
    });
    let e = eval_with(&r, &f, "standard");
    assert_eq!(verified(&e, Category::Spec), 2);
    assert_eq!(
        ids(&e),
        [
            "spec_too_low",
            "concrete_command_in_spec",
            "score_below_threshold"
        ]
    );
    let cmd = &e.blockers[1];
    assert_eq!(
        (cmd.file.as_deref(), cmd.line, cmd.column, cmd.length),
        (Some("s.md"), Some(12), Some(5), Some(18))
    );

    let mut f = facts();
    f.spec = Some(SpecFacts {
        file: "s.md".into(),
        missing_sections: vec!["Constraints"],
        ..SpecFacts::default()
    });
    assert_eq!(verified(&eval_with(&r, &f, "standard"), Category::Spec), 2);

    // Any other error of the spec lint blocks and caps, whatever its rule: a rule added later
    // cannot be dropped on the way to the decision.
    let mut f = facts();
    let unresolved = Violation::new(
        "spec_unresolved_placeholder",
        Severity::Error,
        "unfilled template slot `[FEATURE NAME]`",
    )
    .at("s.md", 1, 3);
    f.spec = Some(SpecFacts {
        file: "s.md".into(),
        other_errors: vec![unresolved.clone()],
        ..SpecFacts::default()
    });
    let e = eval_with(&r, &f, "standard");
    assert_eq!(e.decision, Decision::Block);
    assert_eq!(verified(&e, Category::Spec), 2);
    assert!(e.blockers.contains(&unresolved), "{:?}", ids(&e));
}

#[test]
fn required_evidence_in_high_risk() {
    let e = eval_with(&doc(&[]), &facts(), "high_risk");
    assert!(e.categories.iter().all(|c| c.verified <= 2));
    assert!(ids(&e).contains(&"evidence_missing"));
}

#[test]
fn bands_per_profile() {
    let r21 = doc(&[
        ("spec: 5", "spec: 4"),
        ("verification: 5", "verification: 4"),
        ("process: 5", "process: 4"),
    ]);
    assert_eq!(
        eval_with(&r21, &facts(), "standard").decision,
        Decision::SemiManual
    );
    assert_eq!(
        eval_with(&r21, &facts(), "low_risk").decision,
        Decision::SemiManual
    );
    assert_eq!(
        eval_with(&doc(&[]), &facts(), "low_risk").decision,
        Decision::SemiManual,
        "low_risk never admits automatically"
    );
    let r19 = doc(&[
        ("spec: 5", "spec: 3"),
        ("verification: 5", "verification: 4"),
        ("process: 5", "process: 3"),
    ]);
    assert_eq!(
        eval_with(&r19, &facts(), "standard").decision,
        Decision::Block
    );
    assert_eq!(
        eval_with(&doc(&[]), &facts(), "high_risk").decision,
        Decision::Block
    );
}

#[test]
fn coverage_formatting() {
    assert_eq!(fmt_cov(0.7), "0.7");
    assert_eq!(fmt_cov(1.0), "1.0");
    assert_eq!(fmt_cov(0.5), "0.5");
    assert_eq!(fmt_cov(0.8333333), "0.83");
}

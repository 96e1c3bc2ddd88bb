//! The `readiness` target: the readiness parser (the fast YAML reader against serde_yaml) and
//! the decision under every built-in profile.

use super::*;

/// The readiness parser and the decision.
///
/// `data[0]` picks the file extension (`.md`, `.yaml`, `.yml`, `.json`), the rest is the
/// document. If it parses, it is judged under every built-in profile with several sets of
/// facts; checked: an admitted incident has no blocker, reaches its threshold, has coverage
/// 1.0, no category above its claim, and a spec command, a missing evidence file, a trace
/// below 1.0 or a stateful target without backup always block.
pub fn readiness(data: &[u8]) {
    if data.is_empty() || data.len() > MAX_INPUT {
        return;
    }
    let name = [
        "readiness.md",
        "readiness.yaml",
        "readiness.yml",
        "readiness.json",
    ][data[0] as usize % 4];
    let bytes = &data[1..];
    let text = match crate::repo::decode_text(bytes.to_vec(), name, CONFIG.max_file_size) {
        Ok(t) => t,
        Err(e) => return check_error(&e, name, bytes),
    };
    // The fast YAML reader (parse::yaml_fast) must read whatever it takes exactly as
    // serde_yaml does, as a generic value and as the typed readiness fields.
    let yaml_text = if name.ends_with(".md") {
        crate::parse::frontmatter::split(&text)
            .ok()
            .flatten()
            .map(|fm| fm.yaml)
    } else if name.ends_with(".json") {
        None
    } else {
        Some(text.as_str())
    };
    if let Some(y) = yaml_text
        && y.len() <= crate::parse::yaml::MAX_YAML_BYTES
    {
        if let Err(e) = crate::parse::yaml::fast_reader_agrees(y) {
            panic!("{e}");
        }
        if let Err(e) = readiness::fast_reader_agrees(y) {
            panic!("{e}");
        }
    }
    let first = readiness::parse(name, &text);
    let second = readiness::parse(name, &text);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "the readiness parser is not deterministic"
    );
    let r = match first {
        Ok(r) => r,
        Err(e) => return check_error(&e, name, text.as_bytes()),
    };
    assert_eq!(r.file, name);
    let lines = line_count(text.as_bytes()) as u32;
    assert!(
        r.incident_id.line <= lines,
        "incident_id on line {} of {lines}",
        r.incident_id.line
    );
    for s in &r.scores {
        assert!(s.value <= 5, "score {} above 5", s.value);
    }
    let cov = r.audit_trace_coverage.value;
    assert!((0.0..=1.0).contains(&cov), "coverage {cov} out of range");

    let clean = SpecFacts {
        file: SPEC_FILE.into(),
        ..SpecFacts::default()
    };
    for (name, profile) in crate::profiles::builtin() {
        let base = Facts {
            spec: Some(clean.clone()),
            ..all_present(&r)
        };
        check_evaluation(&r, &base, &profile, &name);

        let mut with_command = base.clone();
        if let Some(s) = with_command.spec.as_mut() {
            s.commands = vec![(1, 1, 7, "kubectl delete pod x".into())];
        }
        let e = check_evaluation(&r, &with_command, &profile, &name);
        assert_eq!(
            e.decision,
            Decision::Block,
            "a spec command was admitted ({name})"
        );

        let mut low_trace = base.clone();
        low_trace.trace = Some(TraceFact {
            log: TRACE_FILE.into(),
            computed: 0.5,
            missing_steps: vec!["dry_run"],
        });
        let e = check_evaluation(&r, &low_trace, &profile, &name);
        assert_eq!(
            e.decision,
            Decision::Block,
            "trace 0.5 was admitted ({name})"
        );

        if !r.evidence.is_empty() {
            let mut missing = base.clone();
            missing.evidence[0].status = EvidenceStatus::Missing;
            let e = check_evaluation(&r, &missing, &profile, &name);
            assert_eq!(
                e.decision,
                Decision::Block,
                "missing evidence was admitted ({name})"
            );
        }

        let mut no_rollback = base.clone();
        no_rollback.rollback = RollbackFact::Absent;
        let e = check_evaluation(&r, &no_rollback, &profile, &name);
        assert_eq!(
            e.decision,
            Decision::Block,
            "no rollback was admitted ({name})"
        );
    }
}

/// Decides and checks what must hold of any decision.
fn check_evaluation(
    r: &Readiness,
    facts: &Facts,
    profile: &crate::profiles::Profile,
    name: &str,
) -> decide::Evaluation {
    let e = decide::evaluate(r, facts, profile, None);
    let again = decide::evaluate(r, facts, profile, None);
    assert_eq!(e.decision, again.decision, "decision not deterministic");
    let mut total = 0u8;
    for c in &e.categories {
        assert!(
            c.verified <= c.claimed,
            "{} verified {} above claimed {} ({name})",
            c.category,
            c.verified,
            c.claimed
        );
        total += c.verified;
    }
    assert_eq!(
        total, e.verified_total,
        "verified total is not the sum ({name})"
    );
    if e.decision != Decision::Block {
        assert!(
            e.blockers.iter().all(|b| b.id == "score_below_threshold"),
            "admitted ({:?}) with blockers {:?} ({name})",
            e.decision,
            e.blockers.iter().map(|b| b.id).collect::<Vec<_>>()
        );
        assert!(
            e.audit_trace_coverage.counted >= 1.0,
            "admitted with coverage {} ({name})",
            e.audit_trace_coverage.counted
        );
        let stateful = r.stateful.value
            || facts
                .spec
                .as_ref()
                .and_then(|s| s.stateful.as_ref())
                .is_some_and(|s| s.value);
        assert!(
            !stateful || r.backup_verified.as_ref().is_some_and(|b| b.value),
            "admitted a stateful target without a verified backup ({name})"
        );
        assert!(
            e.categories.iter().all(|c| c.verified > 0),
            "admitted with a category at 0 ({name})"
        );
    }
    match e.decision {
        Decision::Auto => {
            assert!(e.blockers.is_empty(), "auto with blockers ({name})");
            let min = e.thresholds.auto_min.expect("auto needs a threshold");
            assert!(e.verified_total >= min, "auto below threshold ({name})");
        }
        Decision::SemiManual => {
            assert!(
                e.verified_total >= e.thresholds.semi_manual_min,
                "semi-manual below its minimum ({name})"
            );
        }
        Decision::Block => {}
    }
    e
}

//! Verified scores, blockers and the decision for one incident. Pure: every fact the file
//! system or the trace log could tell has already been gathered into [`Facts`].

use crate::model::{Category, Decision, MAX_TOTAL, Radius, Severity, Violation};
use crate::parse::readiness::Readiness;
use crate::profiles::Profile;
use crate::rules;
use crate::span::Located;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

/// What the gate could check about an incident beyond the readiness document's claims.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The spec, when one was found and read.
    pub spec: Option<SpecFacts>,
    pub evidence: Vec<EvidenceFact>,
    pub rollback: RollbackFact,
    /// Coverage computed from the trace log, when a log exists.
    pub trace: Option<TraceFact>,
}

#[derive(Debug, Clone, Default)]
pub struct SpecFacts {
    pub file: String,
    /// Required sections that are missing, by title.
    pub missing_sections: Vec<&'static str>,
    /// Unsuppressed concrete commands: (line, col, length, matched text).
    pub commands: Vec<(u32, u32, usize, String)>,
    /// Every other error the spec lint found (an unresolved placeholder …): each blocks and
    /// caps the spec score, so that no error finding of a spec is ever dropped on the way to
    /// the decision (a new error rule blocks without a change here).
    pub other_errors: Vec<Violation>,
    pub blast_radius: Option<Located<Radius>>,
    pub stateful: Option<Located<bool>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceFact {
    pub category: Category,
    pub path: Located<String>,
    pub status: EvidenceStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStatus {
    Present,
    Missing,
    Empty,
    /// Absolute, `..`, or a link leading out of the repository: never read.
    OutsideRepository,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum RollbackFact {
    /// A rollback file exists, or a description / a lesson flag states one.
    Present,
    #[default]
    Absent,
    /// Stated as false (`rollback_condition_present: false`, `rollback: false`).
    Denied { line: u32, col: u32 },
    /// `rollback:` names a file that is missing, empty or outside the repository.
    PathInvalid {
        path: String,
        status: EvidenceStatus,
        line: u32,
        col: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceFact {
    pub log: String,
    pub computed: f64,
    pub missing_steps: Vec<&'static str>,
}

/// The outcome for one incident. This is the versioned JSON decision object's core.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Evaluation {
    #[serde(skip)]
    pub incident_id: String,
    #[serde(skip)]
    pub decision: Decision,
    /// The profile the incident was judged by.
    pub profile: String,
    /// The weaker profile the document asked for, when `minimum_profile` raised it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_requested: Option<String>,
    #[serde(skip)]
    pub readiness: String,
    #[serde(skip)]
    pub spec: Option<String>,
    pub claimed_total: u8,
    pub verified_total: u8,
    pub max_total: u8,
    pub thresholds: Thresholds,
    pub categories: Vec<CategoryScore>,
    pub audit_trace_coverage: CoverageReport,
    /// Every blocking condition, audit first, the total last (reported beside, not inside).
    #[serde(skip)]
    pub blockers: Vec<Violation>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Thresholds {
    /// Automatic admission from this verified total; null = never automatic.
    pub auto_min: Option<u8>,
    pub semi_manual_min: u8,
    pub category_floor: u8,
    pub max_radius_without_dry_run: Radius,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CategoryScore {
    pub category: Category,
    pub claimed: u8,
    pub verified: u8,
    /// Why the verified score is lower than the claim.
    pub caps: Vec<Cap>,
    pub evidence: Vec<EvidenceReport>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Cap {
    pub limit: u8,
    pub rule: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvidenceReport {
    pub path: String,
    pub status: EvidenceStatus,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CoverageReport {
    pub claimed: f64,
    /// Computed from the trace log, when one exists.
    pub computed: Option<f64>,
    /// The one the decision used: the lower of the two.
    pub counted: f64,
}

/// The cap a failed fact puts on a category.
const FACT_CAP: u8 = 2;

pub fn evaluate(
    r: &Readiness,
    facts: &Facts,
    profile: &Profile,
    profile_requested: Option<String>,
) -> Evaluation {
    let file = r.file.as_str();
    let mut caps: [Vec<Cap>; 5] = Default::default();
    let mut blockers: Vec<Violation> = Vec::new();
    let cap = |caps: &mut [Vec<Cap>; 5], c: Category, rule: &'static str, reason: String| {
        caps[c.index()].push(Cap {
            limit: FACT_CAP,
            rule,
            reason,
        });
    };
    let at = |v: Violation, line: u32, col: u32| v.at(file, line, col);

    // 1. Audit trace: the claim, lowered to what the log shows.
    let claimed_cov = r.audit_trace_coverage.value;
    let computed = facts.trace.as_ref().map(|t| t.computed);
    let counted = computed.map_or(claimed_cov, |c| c.min(claimed_cov));
    if counted < 1.0 {
        let mut v = Violation::new(
            "audit_trace_incomplete",
            Severity::Error,
            format!("audit_trace_coverage={} < 1.0", fmt_cov(counted)),
        )
        .observed(counted)
        .threshold(1.0)
        .fix(rules::fix("audit_trace_incomplete"));
        match &facts.trace {
            Some(t) if t.computed < claimed_cov => {
                v.message = format!(
                    "audit_trace_coverage={} < 1.0: {} computes {} (missing: {}), the document claims {}",
                    fmt_cov(counted),
                    t.log,
                    fmt_cov(t.computed),
                    t.missing_steps.join(", "),
                    fmt_cov(claimed_cov)
                );
                v = v.at(&t.log, 0, 0);
            }
            _ => v = at(v, r.audit_trace_coverage.line, r.audit_trace_coverage.col),
        }
        blockers.push(v);
    }

    // 2. Stateful without a verified backup (the spec can make an action stateful, never the reverse).
    let spec_stateful = facts
        .spec
        .as_ref()
        .and_then(|s| s.stateful.as_ref())
        .filter(|s| s.value);
    let stateful = r.stateful.value || spec_stateful.is_some();
    let backup = r.backup_verified.as_ref().is_some_and(|b| b.value);
    if stateful && !backup {
        let (f, l, c, why) = match (r.stateful.value, spec_stateful, &facts.spec) {
            (false, Some(s), Some(spec)) => (
                spec.file.as_str(),
                s.line,
                s.col,
                format!(" (the spec says stateful: true although {file} says false)"),
            ),
            _ => (file, r.stateful.line, r.stateful.col, String::new()),
        };
        blockers.push(
            Violation::new(
                "stateful_without_backup",
                Severity::Error,
                format!("stateful workload without verified backup{why}: no total lifts this"),
            )
            .observed(json!({"stateful": true, "backup_verified": backup}))
            .threshold(json!({"backup_verified": true}))
            .fix(rules::fix("stateful_without_backup"))
            .at(f, l, c),
        );
    }

    // 3. Caps from checkable facts.
    let mut evidence_reports: [Vec<EvidenceReport>; 5] = Default::default();
    for e in &facts.evidence {
        evidence_reports[e.category.index()].push(EvidenceReport {
            path: e.path.value.clone(),
            status: e.status,
        });
        if e.status != EvidenceStatus::Present {
            let what = status_words(e.status);
            cap(
                &mut caps,
                e.category,
                "evidence_missing",
                format!("evidence {} {what}", e.path.value),
            );
            blockers.push(at(
                Violation::new(
                    "evidence_missing",
                    Severity::Error,
                    format!("{} evidence {} {what}", e.category, e.path.value),
                )
                .observed(e.path.value.clone())
                .threshold("an existing, non-empty file inside the repository")
                .fix(rules::fix("evidence_missing"))
                .length(e.path.value.chars().count()),
                e.path.line,
                e.path.col,
            ));
        }
    }
    if profile.require_evidence {
        for c in Category::ALL {
            if evidence_reports[c.index()].is_empty() && r.score(c).value > FACT_CAP {
                let s = r.score(c);
                cap(
                    &mut caps,
                    c,
                    "evidence_missing",
                    format!(
                        "profile {} requires evidence and none is listed",
                        profile.name
                    ),
                );
                blockers.push(at(
                    Violation::new(
                        "evidence_missing",
                        Severity::Error,
                        format!(
                            "{c} claims {} with no evidence listed; profile {} requires evidence",
                            s.value, profile.name
                        ),
                    )
                    .observed(json!(null))
                    .threshold(format!("evidence.{c}: a repository path"))
                    .fix(rules::fix("evidence_missing")),
                    s.line,
                    s.col,
                ));
            }
        }
    }
    if let Some(spec) = &facts.spec {
        if !spec.missing_sections.is_empty() {
            cap(
                &mut caps,
                Category::Spec,
                "spec_missing_section",
                format!("{} lacks {}", spec.file, spec.missing_sections.join(", ")),
            );
        }
        if !spec.commands.is_empty() {
            cap(
                &mut caps,
                Category::Spec,
                "concrete_command_in_spec",
                format!(
                    "{} names {} concrete command(s)",
                    spec.file,
                    spec.commands.len()
                ),
            );
        }
        for v in &spec.other_errors {
            cap(
                &mut caps,
                Category::Spec,
                v.id,
                format!("{}: {}", spec.file, v.message),
            );
            blockers.push(v.clone());
        }
        for (line, col, len, matched) in &spec.commands {
            blockers.push(
                Violation::new(
                    "concrete_command_in_spec",
                    Severity::Error,
                    format!("concrete command in spec: `{matched}`"),
                )
                .observed(matched.clone())
                .threshold("abstract action names only")
                .fix(rules::fix("concrete_command_in_spec"))
                .at(&spec.file, *line, *col)
                .length(*len),
            );
        }
    }
    let rollback_problem = match &facts.rollback {
        RollbackFact::Present => None,
        RollbackFact::Absent => Some((
            "no rollback stated (`rollback:` absent)".to_string(),
            r.scores_at,
        )),
        RollbackFact::Denied { line, col } => {
            Some(("rollback stated as absent".to_string(), (*line, *col)))
        }
        RollbackFact::PathInvalid {
            path,
            status,
            line,
            col,
        } => Some((
            format!("rollback {path} {}", status_words(*status)),
            (*line, *col),
        )),
    };
    if let Some((reason, _)) = &rollback_problem {
        cap(
            &mut caps,
            Category::Security,
            "rollback_missing",
            reason.clone(),
        );
    }
    let radius_problem = radius_problem(r, facts, profile);
    if let Some((reason, _, _)) = &radius_problem {
        cap(
            &mut caps,
            Category::Implementation,
            "blast_radius_undefined",
            reason.clone(),
        );
    }

    // 4. Verified scores.
    let categories: Vec<CategoryScore> = Category::ALL
        .into_iter()
        .map(|c| {
            let claimed = r.score(c).value;
            let verified = caps[c.index()]
                .iter()
                .map(|k| k.limit)
                .fold(claimed, u8::min);
            CategoryScore {
                category: c,
                claimed,
                verified,
                caps: std::mem::take(&mut caps[c.index()])
                    .into_iter()
                    .filter(|k| k.limit < claimed)
                    .collect(),
                // Kept to the end of the run for the report: no spare capacity.
                evidence: {
                    let mut e = std::mem::take(&mut evidence_reports[c.index()]);
                    e.shrink_to_fit();
                    e
                },
            }
        })
        .collect();
    let verified = |c: Category| categories[c.index()].verified;
    let floor = profile.category_floor;
    let score_at = |c: Category| (r.score(c).line, r.score(c).col);

    let floor_blocker =
        |id: &'static str, c: Category, message: String, threshold: serde_json::Value| {
            let (l, col) = score_at(c);
            at(
                Violation::new(id, Severity::Error, message)
                    .observed(verified(c))
                    .threshold(threshold)
                    .fix(rules::fix(id)),
                l,
                col,
            )
        };
    let cause = |c: Category| {
        let cs = &categories[c.index()];
        if cs.verified < cs.claimed {
            format!(
                " (claimed {}, capped: {})",
                cs.claimed,
                cs.caps
                    .iter()
                    .map(|k| k.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        } else {
            String::new()
        }
    };
    let v = verified(Category::Verification);
    if v <= FACT_CAP || v < floor {
        blockers.push(floor_blocker(
            "verification_too_low",
            Category::Verification,
            format!(
                "verification={v} {}{}",
                if v <= FACT_CAP {
                    "<= 2: validation failed or missing".to_string()
                } else {
                    format!("< floor {floor}")
                },
                cause(Category::Verification)
            ),
            json!(format!(">= {}", floor.max(FACT_CAP + 1))),
        ));
    }
    let s = verified(Category::Security);
    if s <= FACT_CAP {
        let (msg, (l, c)) = match &rollback_problem {
            Some((reason, pos)) => (format!("security={s} <= 2: {reason}"), *pos),
            None => (
                format!(
                    "security={s} <= 2: rollback cannot be relied on{}",
                    cause(Category::Security)
                ),
                score_at(Category::Security),
            ),
        };
        blockers.push(at(
            Violation::new("rollback_missing", Severity::Error, msg)
                .observed(s)
                .threshold(">= 3 with a rollback")
                .fix(rules::fix("rollback_missing")),
            l,
            c,
        ));
    }
    if s == 0 {
        blockers.push(floor_blocker(
            "security_zero",
            Category::Security,
            "security=0 is forbidden at any total".into(),
            json!(">= 1"),
        ));
    } else if s > FACT_CAP && s < floor {
        blockers.push(floor_blocker(
            "security_too_low",
            Category::Security,
            format!("security={s} < floor {floor}{}", cause(Category::Security)),
            json!(format!(">= {floor}")),
        ));
    }
    if let Some((reason, l, c)) = radius_problem {
        blockers.push(at(
            Violation::new("blast_radius_undefined", Severity::Error, format!("implementation capped at 2: {reason}"))
                .observed(json!({"radius_of_impact": r.radius_of_impact.as_ref().map(|x| x.value.as_str()), "dry_run_verified": r.dry_run_verified.as_ref().map(|d| d.value)}))
                .threshold(json!({"max_radius_without_dry_run": profile.max_radius_without_dry_run}))
                .fix(rules::fix("blast_radius_undefined")),
            l,
            c,
        ));
    }
    for (c, id) in [
        (Category::Implementation, "implementation_too_low"),
        (Category::Spec, "spec_too_low"),
        (Category::Process, "process_too_low"),
    ] {
        let x = verified(c);
        if x < floor {
            blockers.push(floor_blocker(
                id,
                c,
                format!("{c}={x} < floor {floor}{}", cause(c)),
                json!(format!(">= {floor}")),
            ));
        }
    }

    // 5. The total and the decision.
    let claimed_total: u8 = categories.iter().map(|c| c.claimed).sum();
    let verified_total: u8 = categories.iter().map(|c| c.verified).sum();
    let auto_min = profile.auto_min.map(|a| {
        if stateful {
            a.max(profile.stateful_auto_min)
        } else {
            a
        }
    });
    let hard_block = !blockers.is_empty();
    let below_auto = auto_min.is_none_or(|a| verified_total < a);
    if below_auto {
        let threshold = match auto_min {
            Some(a) => format!(
                "below threshold {a}{}",
                if stateful && profile.auto_min != auto_min {
                    " (stateful)"
                } else {
                    ""
                }
            ),
            None => format!("profile {} never admits automatically", profile.name),
        };
        let (l, c) = r.scores_at;
        blockers.push(at(
            Violation::new(
                "score_below_threshold",
                Severity::Error,
                format!("score={verified_total}/{MAX_TOTAL} {threshold}"),
            )
            .observed(verified_total)
            .threshold(auto_min.map_or(json!(null), |a| json!(a)))
            .fix(rules::fix("score_below_threshold")),
            l,
            c,
        ));
    }
    let decision = if hard_block {
        Decision::Block
    } else if !below_auto {
        Decision::Auto
    } else if verified_total >= profile.semi_manual_min {
        Decision::SemiManual
    } else {
        Decision::Block
    };
    blockers.sort_by_key(|b| (rules::order(b.id), b.file.clone(), b.line, b.column));

    Evaluation {
        incident_id: r.incident_id.value.clone(),
        decision,
        profile: profile.name.clone(),
        profile_requested,
        readiness: r.file.clone(),
        spec: facts.spec.as_ref().map(|s| s.file.clone()),
        claimed_total,
        verified_total,
        max_total: MAX_TOTAL,
        thresholds: Thresholds {
            auto_min,
            semi_manual_min: profile.semi_manual_min,
            category_floor: floor,
            max_radius_without_dry_run: profile.max_radius_without_dry_run,
        },
        categories,
        audit_trace_coverage: CoverageReport {
            claimed: claimed_cov,
            computed,
            counted,
        },
        blockers,
    }
}

/// Why the radius caps Implementation, and where to point: missing, unknown, or too wide
/// without a verified dry-run.
fn radius_problem(r: &Readiness, facts: &Facts, profile: &Profile) -> Option<(String, u32, u32)> {
    if let Some(k) = &r.blast_radius_known
        && !k.value
    {
        return Some(("blast_radius_known=false".into(), k.line, k.col));
    }
    let spec_radius = facts.spec.as_ref().and_then(|s| s.blast_radius.as_ref());
    // The wider of the two statements counts.
    let radius = match (&r.radius_of_impact, spec_radius) {
        (Some(a), Some(b)) if b.value > a.value => Some(b),
        (Some(a), _) => Some(a),
        (None, b) => b,
    };
    let dry_run = r.dry_run_verified.as_ref().is_some_and(|d| d.value);
    match radius {
        Some(rad) if rad.value > profile.max_radius_without_dry_run && !dry_run => Some((
            format!(
                "radius_of_impact={} is wider than {} without dry_run_verified=true",
                rad.value, profile.max_radius_without_dry_run
            ),
            rad.line,
            rad.col,
        )),
        Some(_) => None,
        None if r.blast_radius_known.as_ref().is_some_and(|k| k.value) => None,
        None => Some((
            "radius_of_impact is missing".into(),
            r.scores_at.0,
            r.scores_at.1,
        )),
    }
}

fn status_words(s: EvidenceStatus) -> &'static str {
    match s {
        EvidenceStatus::Present => "is present",
        EvidenceStatus::Missing => "does not exist",
        EvidenceStatus::Empty => "is empty",
        EvidenceStatus::OutsideRepository => "is outside the repository",
    }
}

/// Coverage as the lesson prints it: `0.7`, `1.0`.
pub fn fmt_cov(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests;

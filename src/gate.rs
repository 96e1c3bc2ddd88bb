//! One incident through the gate: read its readiness document and spec, gather the facts the
//! repository can confirm, lint the spec, and decide.

use crate::config::Config;
use crate::decide::{
    self, EvidenceFact, EvidenceStatus, Facts, RollbackFact, SpecFacts, TraceFact,
};
use crate::discover::Listed;
use crate::error::{Error, Result};
use crate::files::Files;
use crate::model::{Decision, Severity, Violation};
use crate::parse::readiness::{self, Readiness, RollbackValue};
use crate::parse::specify;
use crate::repo;
use crate::rules;
use crate::speclint::{self, SpecLint, Suppressed};
use crate::trace;
use schemars::JsonSchema;
use serde::Serialize;
use std::path::Path;

/// One incident in a report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IncidentReport {
    /// Null when a spec has no readiness document.
    pub incident_id: Option<String>,
    pub decision: Decision,
    pub readiness: Option<String>,
    pub spec: Option<String>,
    /// Every blocking condition, audit first, the total last.
    pub blockers: Vec<Violation>,
    /// Spec findings that do not block by themselves (warnings), and notes.
    pub warnings: Vec<Violation>,
    /// Spec findings a reasoned `sddgate-allow` silenced, with the suppression's line and
    /// reason; always present (empty when none) so that an audit can rely on the key.
    pub suppressed: Vec<Suppressed>,
    /// Scores, thresholds and coverage; absent when there is no readiness document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<decide::Evaluation>,
}

/// A spec read and linted once, shared by every readiness document that names it.
pub struct LintedSpec {
    pub file: String,
    pub spec: specify::Spec,
    pub lint: SpecLint,
    /// Whether the spec says anything ([`repo::has_substance`] of its first bytes): when a
    /// readiness document names its spec as evidence, the file is not read a second time.
    pub substance: bool,
}

pub fn lint_spec(config: &Config, shown: &str, path: &Path) -> Result<LintedSpec> {
    let text = config.files.read_text(path, shown, config.max_file_size)?;
    lint_spec_text(config, shown, text)
}

/// [`lint_spec`] of the spec at repository-relative `shown`, read as
/// [`repo::read_listed_text`] when the walk `listed` it ([`spec_path_unread`] took it without
/// a look).
pub fn lint_listed_spec(config: &Config, shown: &str, listed: &Listed) -> Result<LintedSpec> {
    if !is_listed(config, listed, shown) {
        return lint_spec(config, shown, &config.root.join(shown));
    }
    let text = repo::read_listed_text(&config.root, shown, shown, config.max_file_size)?;
    lint_spec_text(config, shown, text)
}

fn lint_spec_text(config: &Config, shown: &str, text: String) -> Result<LintedSpec> {
    // One Markdown pass serves the spec parser and the command lint.
    let md = crate::lint::Markdown::parse(&text);
    let spec = specify::parse_with(shown, &text, &md, config)?;
    let lint = speclint::lint_with(&spec, &text, &md, config);
    let head = &text.as_bytes()[..text.len().min(repo::SUBSTANCE_PREFIX)];
    Ok(LintedSpec {
        file: shown.to_string(),
        spec,
        lint,
        substance: repo::has_substance(head),
    })
}

/// The trace log, read once per run (git history is read later, only if a chain needs it).
pub fn load_trace(config: &Config) -> Result<Option<trace::Sources>> {
    load_trace_with(config, trace::parse)
}

/// [`load_trace`] without the records' `ref` and `ts`: enough for [`trace::Sources::present`],
/// and a tenth less memory for a `check` of thousands of incidents.
pub fn load_trace_steps(config: &Config) -> Result<Option<trace::Sources>> {
    load_trace_with(config, trace::parse_steps)
}

fn load_trace_with(
    config: &Config,
    parse: fn(&str, &[u8]) -> Result<trace::Log>,
) -> Result<Option<trace::Sources>> {
    let shown = config.trace_log.clone();
    let Some(path) = repo::resolve(&config.root, &shown) else {
        return Err(Error::Usage(format!(
            "trace_log `{shown}` is outside the repository"
        )));
    };
    match config
        .files
        .read_optional_within(&path, &shown, config.max_file_size)?
    {
        Some(bytes) => Ok(Some(trace::Sources::new(
            config.root.clone(),
            shown.clone(),
            parse(&shown, &bytes)?,
        ))),
        None => Ok(None),
    }
}

/// Parses a readiness document.
pub fn read_readiness(config: &Config, shown: &str, path: &Path) -> Result<Readiness> {
    let text = config.files.read_text(path, shown, config.max_file_size)?;
    readiness::parse(shown, &text)
}

/// [`read_readiness`] of a document a walk found (`check`): read as
/// [`repo::read_listed_text`], so a link put in its path since the walk cannot lead the read
/// out of the repository. A discovered path names a regular file (a link named on the command
/// line is discovered as its target), so no listing needs to be asked.
pub fn read_found_readiness(config: &Config, shown: &str) -> Result<Readiness> {
    if !(matches!(config.files, Files::Worktree) && repo::is_listed_spelling(shown)) {
        return read_readiness(config, shown, &config.root.join(shown));
    }
    let text = repo::read_listed_text(&config.root, shown, shown, config.max_file_size)?;
    readiness::parse(shown, &text)
}

/// The spec a readiness document belongs to: `spec:` (repository-relative), else a
/// `specify.md` (or the preset's `spec.md`) beside it. Returns the shown path, or an evidence fact when `spec:` is invalid.
pub fn spec_path_for(
    config: &Config,
    r: &Readiness,
) -> std::result::Result<Option<String>, EvidenceFact> {
    spec_path_by(
        config,
        r,
        |rel| config.files.status(&config.root, rel),
        |rel| config.files.is_file(&config.root, rel),
    )
}

/// [`spec_path_for`] for a caller that reads the spec in full next (`check`): a `spec:` naming
/// a regular file that is not empty is taken without its head being read, and the caller
/// applies [`spec_says_nothing`] to what it read (each spec is then read once, not twice). A
/// file the walk `listed` is taken without a look at it: the caller's read finds it empty if
/// it is, and [`spec_says_nothing`] then says what an empty file's status would have said.
pub fn spec_path_unread(
    config: &Config,
    r: &Readiness,
    listed: &Listed,
) -> std::result::Result<Option<String>, EvidenceFact> {
    spec_path_by(
        config,
        r,
        |rel| match is_listed(config, listed, rel) {
            true => EvidenceStatus::Present,
            false => config.files.status_unread(&config.root, rel),
        },
        |rel| is_listed(config, listed, rel) || config.files.is_file(&config.root, rel),
    )
}

/// Whether the walk `listed` `rel` as a regular file of the working tree the gate reads (the
/// index's content is another matter: there nothing is listed).
fn is_listed(config: &Config, listed: &Listed, rel: &str) -> bool {
    matches!(config.files, Files::Worktree)
        && !listed.is_empty()
        && repo::is_listed_spelling(rel)
        && listed.contains(rel)
}

/// The status of evidence at `rel`: by [`repo::listed_evidence_status`] when the walk
/// `listed` it, else as `config.files` finds it.
fn evidence_status(config: &Config, listed: &Listed, rel: &str) -> EvidenceStatus {
    if is_listed(config, listed, rel) {
        repo::listed_evidence_status(&config.root, rel)
    } else {
        config.files.status(&config.root, rel)
    }
}

/// The fact [`spec_path_for`] would have returned for a spec [`spec_path_unread`] let through
/// and whose text turned out to say nothing: `spec:` names an empty spec.
pub fn spec_says_nothing(r: &Readiness, spec: &LintedSpec) -> Option<EvidenceFact> {
    let named = r.spec.as_ref()?;
    (!spec.substance).then(|| EvidenceFact {
        category: crate::model::Category::Spec,
        path: named.clone(),
        status: EvidenceStatus::Empty,
    })
}

fn spec_path_by(
    config: &Config,
    r: &Readiness,
    status: impl Fn(&str) -> EvidenceStatus,
    is_file: impl Fn(&str) -> bool,
) -> std::result::Result<Option<String>, EvidenceFact> {
    if let Some(s) = &r.spec {
        let status = status(&s.value);
        if status != EvidenceStatus::Present {
            return Err(EvidenceFact {
                category: crate::model::Category::Spec,
                path: s.clone(),
                status,
            });
        }
        return Ok(Some(normalize_rel(&s.value)));
    }
    let dir = Path::new(&r.file).parent().unwrap_or(Path::new(""));
    // The preset's name first (`spec.md`), then sddgate's own.
    for name in [config.sibling_spec_name(), "specify.md"] {
        let shown = dir.join(name).to_string_lossy().replace('\\', "/");
        if is_file(&shown) {
            return Ok(Some(shown));
        }
    }
    Ok(None)
}

/// `./a//b` → `a/b`, so the same file is always shown the same way.
pub fn normalize_rel(p: &str) -> String {
    normalized(p).into_owned()
}

/// [`normalize_rel`], borrowed when `p` is already in that form (the common case: every
/// segment a name or `..`).
fn normalized(p: &str) -> std::borrow::Cow<'_, str> {
    if cfg!(unix) && is_normal(p.as_bytes()) {
        return std::borrow::Cow::Borrowed(p);
    }
    std::borrow::Cow::Owned(normalize_components(p))
}

/// Whether every `/`-separated segment of `p` is neither empty nor `.` (as
/// `repo::every_segment(p, |s| !s.is_empty() && s != b".")`): whether `/` + `p` + `/` holds
/// no `//` and no `/./`. Eight bytes at a time, with the two bytes before each word carried
/// over; the last word is padded with the closing `/` (and zeros, which are neither).
fn is_normal(p: &[u8]) -> bool {
    use crate::swar::{HIGH, eq, word};
    // The slashes and dots of the previous word; the opening `/` is its last byte.
    let (mut prev_s, mut prev_d) = (1u64 << 63, 0u64);
    let mut bad = 0u64;
    let mut check = |w: u64| {
        let (s, d) = (eq(w, b'/'), eq(w, b'.'));
        let before_s = s << 8 | prev_s >> 56;
        let before_d = d << 8 | prev_d >> 56;
        let two_before_s = s << 16 | prev_s >> 48;
        bad |= s & (before_s | before_d & two_before_s);
        (prev_s, prev_d) = (s, d);
    };
    let mut words = p.chunks_exact(8);
    for w in &mut words {
        check(word(w));
    }
    let rest = words.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] = b'/';
    check(word(&last));
    bad & HIGH == 0
}

fn normalize_components(p: &str) -> String {
    Path::new(p)
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// What the decision needs to know about one incident, read from the repository: evidence
/// status, the spec's findings, the rollback and the audit chain.
pub fn facts(
    config: &Config,
    r: &Readiness,
    spec: Option<&LintedSpec>,
    spec_problem: Option<EvidenceFact>,
    trace: Option<&trace::Sources>,
) -> Facts {
    let own = Own::new(&[Some(r.file.as_str()), spec.map(|s| s.file.as_str())]);
    let refs = own.references(r);
    let listed = Listed::default();
    facts_with(config, r, spec, spec_problem, trace, &own, &refs, &listed)
}

/// [`facts`] with the incident's [`Own`] and the [`Own::reference`] of each of its evidence
/// paths (`refs`, in `r.evidence` order), which [`evaluate`] shares with its notes, and the
/// files a walk `listed` (see [`evidence_status`]).
#[allow(clippy::too_many_arguments)]
fn facts_with(
    config: &Config,
    r: &Readiness,
    spec: Option<&LintedSpec>,
    spec_problem: Option<EvidenceFact>,
    trace: Option<&trace::Sources>,
    own: &Own<'_>,
    refs: &[Option<SelfRef>],
    listed: &Listed,
) -> Facts {
    // A document names the same file under several categories and as its rollback: each
    // path is looked up once.
    let mut seen: Vec<(&str, EvidenceStatus)> = Vec::with_capacity(r.evidence.len() + 1);
    // The status of `p`, whose self-reference is `reference`.
    let look = |p: &str, reference: Option<SelfRef>| match (reference, spec) {
        // The readiness document, or the repository root holding it, is never evidence.
        (Some(SelfRef::Readiness | SelfRef::Root), _) => EvidenceStatus::Empty,
        // The spec was just read, from the same place, and found to be a regular file inside
        // the repository.
        (Some(SelfRef::Spec), Some(s)) if s.substance => EvidenceStatus::Present,
        (Some(SelfRef::Spec), Some(_)) => EvidenceStatus::Empty,
        _ => evidence_status(config, listed, p),
    };
    let mut evidence: Vec<EvidenceFact> = Vec::with_capacity(r.evidence.len() + 1);
    evidence.extend(
        r.evidence
            .iter()
            .zip(refs)
            .map(|((c, p), &reference)| EvidenceFact {
                category: *c,
                path: p.clone(),
                // The spec is evidence of the spec, not of anything else.
                status: if *c != crate::model::Category::Spec && reference == Some(SelfRef::Spec) {
                    EvidenceStatus::Empty
                } else {
                    memo(&mut seen, &p.value, |p| look(p, reference))
                },
            }),
    );
    evidence.extend(spec_problem);
    let rollback = rollback_fact(r, |p| memo(&mut seen, p, |p| look(p, own.reference(p))));
    let spec_files: Vec<String> = spec.map(|s| s.file.clone()).into_iter().collect();
    let trace = trace.map(|sources| {
        let present = sources.present(&r.incident_id.value, &spec_files);
        TraceFact {
            log: sources.log_file.clone(),
            computed: trace::coverage(&present),
            missing_steps: trace::missing(&present),
        }
    });
    Facts {
        spec: spec.map(|s| spec_facts(&s.spec, &s.lint)),
        evidence,
        rollback,
        trace,
    }
}

/// What the decision needs from a linted spec. Missing sections and commands have their own
/// fields; any other error finding goes to `other_errors` (it blocks), whatever its rule.
pub fn spec_facts(spec: &specify::Spec, lint: &SpecLint) -> SpecFacts {
    const OWN_FIELDS: [&str; 2] = ["spec_missing_section", "concrete_command_in_spec"];
    SpecFacts {
        file: spec.file.clone(),
        missing_sections: lint.missing_sections.clone(),
        commands: lint.commands.clone(),
        other_errors: lint
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error && !OWN_FIELDS.contains(&f.id))
            .cloned()
            .collect(),
        blast_radius: spec.front.as_ref().and_then(|f| f.blast_radius.clone()),
        stateful: spec.front.as_ref().and_then(|f| f.stateful.clone()),
    }
}

/// Gathers the facts and decides one incident.
pub fn evaluate(
    config: &Config,
    r: &Readiness,
    spec: Option<&LintedSpec>,
    spec_problem: Option<EvidenceFact>,
    trace: Option<&trace::Sources>,
) -> Result<IncidentReport> {
    evaluate_listed(config, r, spec, spec_problem, trace, &Listed::default())
}

/// [`evaluate`] knowing the files a walk of the working tree `listed` (`check`): evidence the
/// walk listed is judged without resolving its path again.
pub fn evaluate_listed(
    config: &Config,
    r: &Readiness,
    spec: Option<&LintedSpec>,
    spec_problem: Option<EvidenceFact>,
    trace: Option<&trace::Sources>,
    listed: &Listed,
) -> Result<IncidentReport> {
    let requested = r.profile.as_ref().map(|p| p.value.as_str());
    let (profile, raised) = config.profile_for(requested).map_err(|m| {
        let p = r.profile.as_ref();
        Error::input(&r.file, p.map_or(1, |p| p.line), p.map_or(1, |p| p.col), m)
    })?;
    let spec_invalid = spec_problem.is_some();
    // The self-references of the evidence paths, found once for the facts and the notes.
    let own = Own::new(&[Some(r.file.as_str()), spec.map(|s| s.file.as_str())]);
    let refs = own.references(r);
    let facts = facts_with(config, r, spec, spec_problem, trace, &own, &refs, listed);
    let mut eval = decide::evaluate(r, &facts, profile, raised.clone());
    let mut warnings: Vec<Violation> = spec
        .map(|s| {
            s.lint
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if let Some(asked) = raised {
        let p = r.profile.as_ref();
        warnings.insert(
            0,
            Violation::new(
                "profile_below_minimum",
                Severity::Warning,
                format!(
                    "profile `{asked}` is ranked below minimum_profile `{}`: judged by `{}`",
                    profile.name, profile.name
                ),
            )
            .fix("Name the minimum profile or a stricter one.")
            .at(&r.file, p.map_or(0, |p| p.line), p.map_or(0, |p| p.col)),
        );
    }
    warnings.extend(notes_for_a_human(r, &refs, trace));
    if spec.is_none() && !spec_invalid {
        warnings.push(
            Violation::new("spec_not_checked", Severity::Warning, "no spec found (no `spec:` and no specify.md beside it): spec structure and commands were not checked")
                .fix("Name the spec with `spec: specs/<type>/specify.md`.")
                .at(&r.file, r.incident_id.line, r.incident_id.col),
        );
    }
    // The blockers move to the report (the evaluation's copy is not serialized).
    let blockers = std::mem::take(&mut eval.blockers);
    Ok(IncidentReport {
        incident_id: Some(eval.incident_id.clone()),
        decision: eval.decision,
        readiness: Some(r.file.clone()),
        spec: spec.map(|s| s.file.clone()),
        blockers,
        warnings,
        suppressed: spec.map(|s| s.lint.suppressed.clone()).unwrap_or_default(),
        gate: Some(eval),
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SelfRef {
    Readiness,
    Spec,
    Root,
}

/// Whether an evidence path names the readiness document itself, its spec, or the repository
/// root (`own` holds the readiness document and the spec, repository-relative).
pub fn self_reference(path: &str, own: &[Option<&str>; 2]) -> Option<SelfRef> {
    Own::new(own).reference(path)
}

/// The readiness document and the spec of one incident, normalized once for the many
/// [`self_reference`]s of its evidence.
struct Own<'a>([Option<std::borrow::Cow<'a, str>>; 2]);

impl<'a> Own<'a> {
    fn new(own: &[Option<&'a str>; 2]) -> Own<'a> {
        Own(own.map(|o| o.map(normalized)))
    }

    /// [`self_reference`] of `path`.
    fn reference(&self, path: &str) -> Option<SelfRef> {
        let p = normalized(path);
        let p = p.trim_end_matches('/');
        if p.is_empty() {
            return Some(SelfRef::Root);
        }
        if self.0[0].as_deref() == Some(p) {
            return Some(SelfRef::Readiness);
        }
        if self.0[1].as_deref() == Some(p) {
            return Some(SelfRef::Spec);
        }
        None
    }

    /// The [`Own::reference`] of each evidence path of `r`, in order.
    fn references(&self, r: &Readiness) -> Vec<Option<SelfRef>> {
        r.evidence
            .iter()
            .map(|(_, p)| self.reference(&p.value))
            .collect()
    }
}

/// Warnings that explain a decision the evidence table alone would not: evidence naming the
/// document itself, and an audit coverage claimed with no trace log to check it against.
/// `refs`: the [`Own::reference`] of each evidence path, in order (the readiness document and
/// its spec being `own`).
fn notes_for_a_human(
    r: &Readiness,
    refs: &[Option<SelfRef>],
    trace: Option<&trace::Sources>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for ((c, p), reference) in r.evidence.iter().zip(refs) {
        let what = match reference {
            Some(SelfRef::Readiness) => "the readiness document itself",
            Some(SelfRef::Root) => "the repository root",
            Some(SelfRef::Spec) if *c != crate::model::Category::Spec => "the spec itself",
            _ => continue,
        };
        out.push(
            Violation::new(
                "evidence_self_reference",
                Severity::Warning,
                format!(
                    "evidence.{} `{}` is {what}: not evidence, counted as empty",
                    c.as_str(),
                    p.value
                ),
            )
            .fix(rules::fix("evidence_self_reference"))
            .at(&r.file, p.line, p.col),
        );
    }
    if trace.is_none() && r.audit_trace_coverage.value > 0.0 {
        out.push(
            Violation::new(
                "audit_trace_unverified",
                Severity::Warning,
                format!(
                    "audit_trace_coverage={} is claimed but there is no trace log: the claim was not checked",
                    decide::fmt_cov(r.audit_trace_coverage.value)
                ),
            )
            .fix(rules::fix("audit_trace_unverified"))
            .at(&r.file, r.audit_trace_coverage.line, r.audit_trace_coverage.col),
        );
    }
    out
}

/// The status of `path`, looked up once per incident.
fn memo<'r>(
    seen: &mut Vec<(&'r str, EvidenceStatus)>,
    path: &'r str,
    look: impl FnOnce(&str) -> EvidenceStatus,
) -> EvidenceStatus {
    match seen.iter().find(|(p, _)| *p == path) {
        Some((_, s)) => *s,
        None => {
            let s = look(path);
            seen.push((path, s));
            s
        }
    }
}

fn rollback_fact<'r>(
    r: &'r Readiness,
    mut status: impl FnMut(&'r str) -> EvidenceStatus,
) -> RollbackFact {
    if let Some(p) = &r.rollback_condition_present
        && !p.value
    {
        return RollbackFact::Denied {
            line: p.line,
            col: p.col,
        };
    }
    match &r.rollback {
        Some(v) => match &v.value {
            RollbackValue::Flag(false) => RollbackFact::Denied {
                line: v.line,
                col: v.col,
            },
            RollbackValue::Flag(true) => RollbackFact::Present,
            RollbackValue::Text(t) if repo::looks_like_path(t) => match status(t.trim()) {
                EvidenceStatus::Present => RollbackFact::Present,
                status => RollbackFact::PathInvalid {
                    path: t.trim().to_string(),
                    status,
                    line: v.line,
                    col: v.col,
                },
            },
            RollbackValue::Text(_) => RollbackFact::Present,
        },
        None if r
            .rollback_condition_present
            .as_ref()
            .is_some_and(|p| p.value) =>
        {
            RollbackFact::Present
        }
        None => RollbackFact::Absent,
    }
}

/// A spec that no readiness document admits.
pub fn spec_without_readiness(spec: &LintedSpec) -> IncidentReport {
    let mut blockers = vec![
        Violation::new(
            "readiness_missing",
            Severity::Error,
            "no readiness document names this spec or sits beside it",
        )
        .fix(rules::fix("readiness_missing"))
        .at(&spec.file, 1, 1),
    ];
    blockers.extend(
        spec.lint
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .cloned(),
    );
    blockers.sort_by_key(|b| (rules::order(b.id), b.line, b.column));
    IncidentReport {
        incident_id: None,
        decision: Decision::Block,
        readiness: None,
        spec: Some(spec.file.clone()),
        blockers,
        warnings: spec
            .lint
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .cloned()
            .collect(),
        suppressed: spec.lint.suppressed.clone(),
        gate: None,
    }
}

#[cfg(test)]
mod normalize_tests {
    use super::{SelfRef, is_normal, normalize_components, normalize_rel, self_reference};
    use proptest::prelude::*;

    /// [`is_normal`] as it was: a segment at a time.
    fn is_normal_by_segments(p: &[u8]) -> bool {
        crate::repo::every_segment(p, |s| !s.is_empty() && s != b".")
    }

    #[test]
    fn is_normal_is_every_segment_on_every_short_spelling() {
        // Every string of up to 11 of these bytes: the three that matter, and bytes that
        // differ from `/` or `.` by one bit or sit at the edges of the per-byte arithmetic.
        let alphabet = [b'a', b'.', b'/'];
        let mut text = Vec::new();
        for len in 0..=11u32 {
            for mut n in 0..3usize.pow(len) {
                text.clear();
                for _ in 0..len {
                    text.push(alphabet[n % 3]);
                    n /= 3;
                }
                assert_eq!(is_normal(&text), is_normal_by_segments(&text), "{text:?}");
            }
        }
        for b in 0..=255u8 {
            for t in [
                vec![b],
                vec![b'/', b],
                vec![b, b'/'],
                vec![b'a', b'/', b, b'/', b'a'],
            ] {
                assert_eq!(is_normal(&t), is_normal_by_segments(&t), "{t:?}");
            }
        }
    }

    /// [`self_reference`] as first written: every side normalized into a new string.
    fn self_reference_by_strings(path: &str, own: &[Option<&str>; 2]) -> Option<SelfRef> {
        let p = normalize_components(path);
        let p = p.trim_end_matches('/');
        if p.is_empty() {
            return Some(SelfRef::Root);
        }
        if own[0].is_some_and(|r| normalize_components(r) == p) {
            return Some(SelfRef::Readiness);
        }
        if own[1].is_some_and(|s| normalize_components(s) == p) {
            return Some(SelfRef::Spec);
        }
        None
    }

    #[test]
    fn self_references() {
        let own = [Some("specs/a/readiness.md"), Some("specs/a/specify.md")];
        for (p, want) in [
            ("specs/a/readiness.md", Some(SelfRef::Readiness)),
            ("./specs//a/readiness.md", Some(SelfRef::Readiness)),
            ("specs/a/specify.md/", Some(SelfRef::Spec)),
            ("specs/a/./specify.md", Some(SelfRef::Spec)),
            ("specs/a/plan.md", None),
            ("specs/b/../a/specify.md", None),
            (".", Some(SelfRef::Root)),
            ("./", Some(SelfRef::Root)),
            ("", Some(SelfRef::Root)),
        ] {
            assert_eq!(self_reference(p, &own), want, "{p:?}");
            assert_eq!(self_reference_by_strings(p, &own), want, "{p:?}");
        }
        assert_eq!(
            self_reference("specs/a/specify.md", &[Some("r.md"), None]),
            None
        );
    }

    #[test]
    fn the_shortcut_agrees_with_the_components() {
        for p in [
            "a/b.md", "./a//b", "a/./b/", "a/..", "../a", "/a/b", ".", "", "a/b/.", "a//", "x",
        ] {
            assert_eq!(normalize_rel(p), normalize_components(p), "{p:?}");
        }
    }

    proptest! {
        /// Longer spellings, across several words, with non-ASCII and neighbours of `/` and
        /// `.` (`-`, `0`, `.` + 0x80 is not a byte of UTF-8 but `é` and `ꝯ` are).
        #[test]
        fn is_normal_agrees_on_long_paths(p in "([a./]|//|/\\./|\\.\\.|é|ꝯ|-|0|/\\.|specs/a\\.md){0,30}") {
            prop_assert_eq!(is_normal(p.as_bytes()), super::super::repo::every_segment(p.as_bytes(), |s| !s.is_empty() && s != b"."), "{:?}", p);
            prop_assert_eq!(normalize_rel(&p), normalize_components(&p));
        }

        #[test]
        fn any_spelling_agrees(p in "[a./]{0,12}") {
            prop_assert_eq!(normalize_rel(&p), normalize_components(&p));
        }

        #[test]
        fn self_references_agree(
            p in "[a./]{0,8}",
            r in prop::option::of("[a./]{0,8}"),
            s in prop::option::of("[a./]{0,8}"),
        ) {
            let own = [r.as_deref(), s.as_deref()];
            prop_assert_eq!(self_reference(&p, &own), self_reference_by_strings(&p, &own));
        }
    }
}

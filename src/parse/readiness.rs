//! Readiness documents: front matter of `readiness.md`, or a whole `.yaml`/`.yml`/`.json`
//! file, in our shape or in the lesson's (facts nested under `checks:`). Values are validated
//! while deserializing, so serde reports the exact position of a bad score or coverage.

use crate::error::{Error, Result};
use crate::model::{Category, Radius};
use crate::parse::{frontmatter, locate, yaml};
use crate::span::{LineIndex, Located};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// Which of the two accepted shapes a document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Facts at the top level (SPEC).
    Sddgate,
    /// Facts under `checks:` (the lesson's fixtures).
    Lesson,
}

/// A parsed readiness document. Every value keeps where it was written.
#[derive(Debug, Clone)]
pub struct Readiness {
    pub file: String,
    pub shape: Shape,
    pub incident_id: Located<String>,
    pub spec: Option<Located<String>>,
    pub profile: Option<Located<String>>,
    /// Claimed scores in [`Category::ALL`] order.
    pub scores: [Located<u8>; 5],
    pub evidence: Vec<(Category, Located<String>)>,
    /// The lowest coverage the document claims (top level and `checks:` both count).
    pub audit_trace_coverage: Located<f64>,
    pub stateful: Located<bool>,
    pub backup_verified: Option<Located<bool>>,
    pub radius_of_impact: Option<Located<Radius>>,
    /// The lesson's `checks.blast_radius_known`.
    pub blast_radius_known: Option<Located<bool>>,
    pub dry_run_verified: Option<Located<bool>>,
    /// `rollback:` as written: a path or a description; `None` when absent or empty.
    pub rollback: Option<Located<RollbackValue>>,
    /// The lesson's `checks.rollback_condition_present`.
    pub rollback_condition_present: Option<Located<bool>>,
    pub human_review_for_first_run: Option<Located<bool>>,
    /// `pre_approved_action` (one name or a list): the actions this readiness was scored for.
    /// Empty = not stated (every action of the spec).
    pub pre_approved_actions: Vec<Located<String>>,
    /// Position of `scores:`, for findings about the total.
    pub scores_at: (u32, u32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum RollbackValue {
    Text(String),
    Flag(bool),
}

/// A score: an integer 0..5, nothing else.
#[derive(Debug, Clone, Copy)]
struct Score(u8);

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Score;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer score from 0 to 5")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Score, E> {
                if v <= 5 {
                    Ok(Score(v as u8))
                } else {
                    Err(E::custom(format!(
                        "score {v} is out of range, expected an integer from 0 to 5"
                    )))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Score, E> {
                if v < 0 {
                    Err(E::custom(format!(
                        "score {v} is out of range, expected an integer from 0 to 5"
                    )))
                } else {
                    self.visit_u64(v as u64)
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Score, E> {
                Err(E::custom(format!(
                    "score {v} is not an integer, expected an integer from 0 to 5"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// A coverage: a number from 0.0 to 1.0.
#[derive(Debug, Clone, Copy)]
struct Coverage(f64);

impl<'de> Deserialize<'de> for Coverage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Coverage;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a coverage from 0.0 to 1.0")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Coverage, E> {
                if (0.0..=1.0).contains(&v) {
                    Ok(Coverage(v))
                } else {
                    Err(E::custom(format!(
                        "coverage {v} is out of range, expected a number from 0.0 to 1.0"
                    )))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Coverage, E> {
                self.visit_f64(v as f64)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Coverage, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(V)
    }
}

/// A radius name.
#[derive(Debug, Clone, Copy)]
struct RadiusValue(Radius);

impl<'de> Deserialize<'de> for RadiusValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Radius::parse(&s).map(RadiusValue).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown radius `{s}`, expected {}",
                Radius::expected()
            ))
        })
    }
}

/// A non-empty identifier without blanks or control characters.
#[derive(Debug, Clone)]
struct IncidentId(String);

impl<'de> Deserialize<'de> for IncidentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(de::Error::custom(format!(
                "incident_id `{s}` is not an identifier, expected a non-empty id without blanks such as HM-2026-05-17-01"
            )));
        }
        Ok(IncidentId(s))
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRollback {
    Flag(bool),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScores {
    spec: Option<Score>,
    implementation: Option<Score>,
    verification: Option<Score>,
    process: Option<Score>,
    security: Option<Score>,
}

#[derive(Debug, Deserialize)]
struct RawChecks {
    audit_trace_coverage: Option<Coverage>,
    backup_verified: Option<bool>,
    rollback_condition_present: Option<bool>,
    blast_radius_known: Option<bool>,
    human_review_for_first_run: Option<bool>,
    dry_run_verified: Option<bool>,
    radius_of_impact: Option<RadiusValue>,
    stateful: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct RawReadiness {
    incident_id: Option<IncidentId>,
    spec: Option<String>,
    profile: Option<String>,
    scores: Option<RawScores>,
    evidence: Option<BTreeMap<String, OneOrMany>>,
    audit_trace_coverage: Option<Coverage>,
    stateful: Option<bool>,
    backup_verified: Option<bool>,
    radius_of_impact: Option<RadiusValue>,
    dry_run_verified: Option<bool>,
    rollback: Option<RawRollback>,
    checks: Option<RawChecks>,
    #[serde(alias = "pre_approved_actions")]
    pre_approved_action: Option<OneOrMany>,
}

/// For the fuzz invariants: the typed readiness fields read with the fast YAML reader are
/// the ones the general parser reads, or both fail alike (`text` is YAML, e.g. the front
/// matter). `Err` describes a disagreement.
#[doc(hidden)]
pub fn fast_reader_agrees(text: &str) -> std::result::Result<(), String> {
    let fast = format!("{:?}", yaml::from_yaml::<RawReadiness>("r", text, 0));
    let general = format!(
        "{:?}",
        yaml::from_yaml_general::<RawReadiness>("r", text, 0)
    );
    if fast == general {
        Ok(())
    } else {
        Err(format!("fast {fast} / general {general} for {text:?}"))
    }
}

/// Parses a readiness document; `file` is the path shown in messages.
pub fn parse(file: &str, text: &str) -> Result<Readiness> {
    let lower = file.to_ascii_lowercase();
    let (raw, doc, line_offset): (RawReadiness, &str, u32) = if lower.ends_with(".json") {
        (yaml::from_json(file, text)?, text, 0)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        (parse_yaml(file, text, 0)?, text, 0)
    } else {
        let fm = frontmatter::split(text)
            .map_err(|m| Error::input(file, 1, 1, m))?
            .ok_or_else(|| {
                Error::input(
                    file,
                    1,
                    1,
                    "no YAML front matter: a readiness.md must start with a `---` block holding incident_id, scores and audit_trace_coverage",
                )
            })?;
        (
            parse_yaml(file, fm.yaml, fm.line_offset)?,
            fm.yaml,
            fm.line_offset,
        )
    };
    let keys = locate::Keys::new(doc);
    Resolver {
        file,
        doc,
        idx: std::cell::OnceCell::new(),
        places: Places::new(&keys),
        keys,
        line_offset,
    }
    .resolve(raw)
}

/// The top-level keys the resolver places.
const TOP: [&str; 14] = [
    "incident_id",
    "spec",
    "profile",
    "scores",
    "evidence",
    "audit_trace_coverage",
    "stateful",
    "backup_verified",
    "radius_of_impact",
    "dry_run_verified",
    "rollback",
    "checks",
    "pre_approved_action",
    "pre_approved_actions",
];
/// The keys under `scores:` and `evidence:`: the categories, in [`Category::ALL`] order.
const CATEGORIES: [&str; 5] = [
    "spec",
    "implementation",
    "verification",
    "process",
    "security",
];
/// The keys under `checks:` the resolver places.
const CHECKS: [&str; 8] = [
    "audit_trace_coverage",
    "backup_verified",
    "rollback_condition_present",
    "blast_radius_known",
    "human_review_for_first_run",
    "dry_run_verified",
    "radius_of_impact",
    "stateful",
];

/// The keys named `names` inside the value of the key `parent` (none when there is none).
fn inside<const N: usize>(
    keys: &locate::Keys<'_>,
    parent: Option<usize>,
    names: &[&str; N],
) -> [Option<usize>; N] {
    parent.map_or([None; N], |p| keys.find_all(Some(p), names))
}

/// The keys (indices into [`locate::Keys`]) of every path the resolver places, found with one
/// pass over the keys per mapping rather than one search per path: what
/// [`locate::Keys::key_offset`] finds for each path.
struct Places {
    top: [Option<usize>; TOP.len()],
    scores: [Option<usize>; CATEGORIES.len()],
    evidence: [Option<usize>; CATEGORIES.len()],
    checks: [Option<usize>; CHECKS.len()],
}

impl Places {
    fn new(keys: &locate::Keys<'_>) -> Self {
        let top = keys.find_all(None, &TOP);
        let at = |parent: &str| TOP.iter().position(|k| *k == parent).and_then(|i| top[i]);
        Places {
            scores: inside(keys, at("scores"), &CATEGORIES),
            evidence: inside(keys, at("evidence"), &CATEGORIES),
            checks: inside(keys, at("checks"), &CHECKS),
            top,
        }
    }

    /// The key of `path`: `Ok(None)` when the document has none, `Err` for a path not placed
    /// here.
    fn key(&self, path: &[&str]) -> std::result::Result<Option<usize>, ()> {
        let within = |names: &[&str], found: &[Option<usize>], name: &str| {
            names
                .iter()
                .position(|n| *n == name)
                .map(|i| found[i])
                .ok_or(())
        };
        match path {
            [name] => within(&TOP, &self.top, name),
            ["scores", name] => within(&CATEGORIES, &self.scores, name),
            ["evidence", name] => within(&CATEGORIES, &self.evidence, name),
            ["checks", name] => within(&CHECKS, &self.checks, name),
            _ => Err(()),
        }
    }
}

fn parse_yaml(file: &str, text: &str, line_offset: u32) -> Result<RawReadiness> {
    if yaml::is_blank_yaml(text) {
        return Err(Error::input(
            file,
            line_offset + 1,
            1,
            "empty readiness document: expected incident_id, scores and audit_trace_coverage",
        ));
    }
    yaml::from_yaml(file, text, line_offset)
}

struct Resolver<'a> {
    file: &'a str,
    doc: &'a str,
    /// Built only for a path not in `places` (an unknown evidence category).
    idx: std::cell::OnceCell<LineIndex>,
    keys: locate::Keys<'a>,
    places: Places,
    line_offset: u32,
}

impl Resolver<'_> {
    /// Line and column of the value at `path`, or of the document start when not found.
    fn at(&self, path: &[&str]) -> (u32, u32) {
        let (l, c) = match self.places.key(path) {
            Ok(key) => key
                .and_then(|k| self.keys.value_position(k))
                .map_or((1, 1), |(_, l, c)| (l, c)),
            Err(()) => self.at_by_search(path),
        };
        (l + self.line_offset, c)
    }

    /// [`Resolver::at`] by a search of the keys for `path` (before the line offset): the
    /// reference of `places`.
    fn at_by_search(&self, path: &[&str]) -> (u32, u32) {
        let off = self.keys.value_offset(path).unwrap_or(0);
        self.idx
            .get_or_init(|| LineIndex::new(self.doc))
            .position(self.doc, off)
    }

    fn loc<T>(&self, value: T, path: &[&str]) -> Located<T> {
        let (l, c) = self.at(path);
        Located::new(value, l, c)
    }

    fn missing(&self, path: &[&str], what: &str) -> Error {
        let (l, c) = if path.len() > 1 {
            self.at(&path[..path.len() - 1])
        } else {
            (1 + self.line_offset, 1)
        };
        Error::input(
            self.file,
            l,
            c,
            format!("missing required key `{}`: expected {what}", path.join(".")),
        )
    }

    fn resolve(&self, raw: RawReadiness) -> Result<Readiness> {
        let shape = if raw.checks.is_some() {
            Shape::Lesson
        } else {
            Shape::Sddgate
        };
        let incident_id = raw.incident_id.ok_or_else(|| {
            self.missing(&["incident_id"], "the incident id, e.g. HM-2026-05-17-01")
        })?;
        let scores = raw
            .scores
            .ok_or_else(|| self.missing(&["scores"], "a mapping of the five category scores (spec, implementation, verification, process, security), each 0..5"))?;
        let by_cat = [
            scores.spec,
            scores.implementation,
            scores.verification,
            scores.process,
            scores.security,
        ];
        let mut located = Vec::with_capacity(5);
        for (cat, s) in Category::ALL.into_iter().zip(by_cat) {
            let s = s.ok_or_else(|| {
                self.missing(&["scores", cat.as_str()], "an integer score from 0 to 5")
            })?;
            located.push(self.loc(s.0, &["scores", cat.as_str()]));
        }
        let scores: [Located<u8>; 5] = located
            .try_into()
            .map_err(|_| Error::Usage("internal: five scores".into()))?;

        let checks = raw.checks.as_ref();
        let cov_top = raw
            .audit_trace_coverage
            .map(|c| self.loc(c.0, &["audit_trace_coverage"]));
        let cov_checks = checks
            .and_then(|c| c.audit_trace_coverage)
            .map(|c| self.loc(c.0, &["checks", "audit_trace_coverage"]));
        let audit_trace_coverage = match (cov_top, cov_checks) {
            (Some(a), Some(b)) => {
                if b.value < a.value {
                    b
                } else {
                    a
                }
            }
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => {
                let path: &[&str] = if shape == Shape::Lesson {
                    &["checks", "audit_trace_coverage"]
                } else {
                    &["audit_trace_coverage"]
                };
                return Err(
                    self.missing(path, "the audit trace coverage, a number from 0.0 to 1.0")
                );
            }
        };
        // Conservative merge where both shapes state a fact: the less favourable value counts.
        let stateful = match (raw.stateful, checks.and_then(|c| c.stateful)) {
            (Some(a), Some(b)) => self.loc(a || b, &["stateful"]),
            (Some(a), None) => self.loc(a, &["stateful"]),
            (None, Some(b)) => self.loc(b, &["checks", "stateful"]),
            (None, None) => {
                return Err(self.missing(
                    &["stateful"],
                    "true or false: whether the action touches a stateful workload",
                ));
            }
        };
        let backup_verified = merge_flag(
            raw.backup_verified
                .map(|v| self.loc(v, &["backup_verified"])),
            checks
                .and_then(|c| c.backup_verified)
                .map(|v| self.loc(v, &["checks", "backup_verified"])),
        );
        let dry_run_verified = merge_flag(
            raw.dry_run_verified
                .map(|v| self.loc(v, &["dry_run_verified"])),
            checks
                .and_then(|c| c.dry_run_verified)
                .map(|v| self.loc(v, &["checks", "dry_run_verified"])),
        );
        let radius_of_impact = match (
            raw.radius_of_impact,
            checks.and_then(|c| c.radius_of_impact),
        ) {
            (Some(a), Some(b)) if b.0 > a.0 => Some(self.loc(b.0, &["checks", "radius_of_impact"])),
            (Some(a), _) => Some(self.loc(a.0, &["radius_of_impact"])),
            (None, Some(b)) => Some(self.loc(b.0, &["checks", "radius_of_impact"])),
            (None, None) => None,
        };
        let rollback = match raw.rollback {
            None => None,
            Some(RawRollback::Text(t)) if t.trim().is_empty() => None,
            Some(RawRollback::Text(t)) => Some(self.loc(RollbackValue::Text(t), &["rollback"])),
            Some(RawRollback::Flag(b)) => Some(self.loc(RollbackValue::Flag(b), &["rollback"])),
        };
        let mut evidence = Vec::new();
        for (key, paths) in raw.evidence.into_iter().flatten() {
            let Some(cat) = Category::parse(&key) else {
                let (l, c) = self.at(&["evidence", &key]);
                return Err(Error::input(
                    self.file,
                    l,
                    c,
                    format!(
                        "unknown evidence category `{key}`, expected one of spec, implementation, verification, process, security"
                    ),
                ));
            };
            let list = match paths {
                OneOrMany::One(p) => vec![p],
                OneOrMany::Many(v) => v,
            };
            for p in list {
                evidence.push((cat, self.loc(p, &["evidence", &key])));
            }
        }
        Ok(Readiness {
            file: self.file.to_string(),
            shape,
            incident_id: self.loc(incident_id.0, &["incident_id"]),
            spec: raw
                .spec
                .filter(|s| !s.trim().is_empty())
                .map(|s| self.loc(s, &["spec"])),
            profile: raw.profile.map(|p| self.loc(p, &["profile"])),
            scores,
            evidence,
            audit_trace_coverage,
            stateful,
            backup_verified,
            radius_of_impact,
            blast_radius_known: checks
                .and_then(|c| c.blast_radius_known)
                .map(|v| self.loc(v, &["checks", "blast_radius_known"])),
            dry_run_verified,
            rollback,
            rollback_condition_present: checks
                .and_then(|c| c.rollback_condition_present)
                .map(|v| self.loc(v, &["checks", "rollback_condition_present"])),
            human_review_for_first_run: checks
                .and_then(|c| c.human_review_for_first_run)
                .map(|v| self.loc(v, &["checks", "human_review_for_first_run"])),
            pre_approved_actions: match raw.pre_approved_action {
                None => vec![],
                Some(OneOrMany::One(a)) => vec![a],
                Some(OneOrMany::Many(v)) => v,
            }
            .into_iter()
            .map(|a| {
                let key = if matches!(self.places.key(&["pre_approved_actions"]), Ok(Some(_))) {
                    "pre_approved_actions"
                } else {
                    "pre_approved_action"
                };
                self.loc(a, &[key])
            })
            .collect(),
            scores_at: self.at(&["scores"]),
        })
    }
}

/// A positive fact stated twice counts only if both say true.
fn merge_flag(a: Option<Located<bool>>, b: Option<Located<bool>>) -> Option<Located<bool>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if !b.value { b } else { a }),
        (a, b) => a.or(b),
    }
}

impl Readiness {
    pub fn score(&self, c: Category) -> &Located<u8> {
        &self.scores[c.index()]
    }

    pub fn claimed_total(&self) -> u8 {
        self.scores.iter().map(|s| s.value).sum()
    }
}

#[cfg(test)]
mod fast_yaml_tests;

#[cfg(test)]
mod tests;

//! Risk profiles: every threshold of the decision rules, built in and user-definable.
//! The numbers live here and nowhere else.

use crate::model::{MAX_CATEGORY_SCORE, MAX_TOTAL, Radius};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// A resolved profile.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Profile {
    pub name: String,
    /// Strictness order; `minimum_profile` compares ranks.
    pub rank: i32,
    /// Lowest verified total admitted automatically; `None` = never automatic.
    pub auto_min: Option<u8>,
    /// Lowest verified total admitted with a human approval.
    pub semi_manual_min: u8,
    /// Every category must reach this verified score.
    pub category_floor: u8,
    /// The widest radius allowed without `dry_run_verified: true`.
    pub max_radius_without_dry_run: Radius,
    /// Automatic admission of a stateful action needs at least this total (and a verified backup).
    pub stateful_auto_min: u8,
    /// A claimed category score above the evidence cap needs an evidence path.
    pub require_evidence: bool,
    pub description: String,
}

/// A profile as written under `profiles:` in `.sddgate.yml`. Fields left out come from
/// `extends` (or from the built-in profile of the same name, or from `standard`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileSpec {
    pub extends: Option<String>,
    pub rank: Option<i32>,
    /// A number 0..25, or `never`.
    #[serde(deserialize_with = "auto_min")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub auto_min: Option<Option<u8>>,
    pub semi_manual_min: Option<u8>,
    pub category_floor: Option<u8>,
    pub max_radius_without_dry_run: Option<Radius>,
    pub stateful_auto_min: Option<u8>,
    pub require_evidence: Option<bool>,
    pub description: Option<String>,
}

fn auto_min<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u8>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        N(u8),
        S(String),
    }
    match Raw::deserialize(d) {
        Ok(Raw::N(n)) => Ok(Some(Some(n))),
        Ok(Raw::S(s)) if s == "never" => Ok(Some(None)),
        _ => Err(serde::de::Error::custom(
            "auto_min: expected a total 0..25 or `never`",
        )),
    }
}

/// The built-in profiles, from the course's threshold calibration table.
pub fn builtin() -> BTreeMap<String, Profile> {
    let p =
        |name: &str, rank, auto_min, semi, radius, require_evidence, description: &str| Profile {
            name: name.into(),
            rank,
            auto_min,
            semi_manual_min: semi,
            category_floor: 3,
            max_radius_without_dry_run: radius,
            stateful_auto_min: 24,
            require_evidence,
            description: description.into(),
        };
    [
        p(
            "low_risk",
            0,
            None,
            21,
            Radius::Deployment,
            false,
            "internal tools: never automatic, semi-manual from 21",
        ),
        p(
            "standard",
            1,
            Some(23),
            20,
            Radius::Deployment,
            false,
            "mixed production: automatic from 23, semi-manual 20-22",
        ),
        p(
            "high_risk",
            2,
            Some(24),
            22,
            Radius::Pod,
            true,
            "payments, healthcare: automatic from 24, semi-manual 22-23, evidence required",
        ),
    ]
    .into_iter()
    .map(|p| (p.name.clone(), p))
    .collect()
}

/// Error: (profile name, offending key if any, message).
pub type ResolveError = (String, Option<String>, String);

/// Merges user profiles over the built-ins and validates every number.
pub fn resolve(
    specs: &BTreeMap<String, ProfileSpec>,
) -> Result<BTreeMap<String, Profile>, ResolveError> {
    let builtins = builtin();
    let mut out = builtins.clone();
    let mut done = std::collections::BTreeSet::new();
    // Resolve in dependency order: a profile may extend one defined later in the file.
    let mut pending: Vec<&String> = specs.keys().collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|name| {
            let spec = &specs[*name];
            let base_name = match &spec.extends {
                Some(b) => b.clone(),
                None if builtins.contains_key(*name) => (*name).clone(),
                None => "standard".into(),
            };
            // A user-defined base must be resolved first (unless it is this very profile's builtin).
            let base_is_user = specs.contains_key(&base_name) && base_name != **name;
            if base_is_user && !done.contains(&base_name) {
                return true;
            }
            let base = if base_name == **name {
                builtins.get(&base_name)
            } else {
                out.get(&base_name)
            };
            let Some(base) = base.cloned() else {
                return true;
            };
            let p = Profile {
                name: (*name).clone(),
                rank: spec.rank.unwrap_or(base.rank),
                auto_min: spec.auto_min.unwrap_or(base.auto_min),
                semi_manual_min: spec.semi_manual_min.unwrap_or(base.semi_manual_min),
                category_floor: spec.category_floor.unwrap_or(base.category_floor),
                max_radius_without_dry_run: spec
                    .max_radius_without_dry_run
                    .unwrap_or(base.max_radius_without_dry_run),
                stateful_auto_min: spec.stateful_auto_min.unwrap_or(base.stateful_auto_min),
                require_evidence: spec.require_evidence.unwrap_or(base.require_evidence),
                description: spec.description.clone().unwrap_or(base.description),
            };
            out.insert((*name).clone(), p);
            done.insert((*name).clone());
            false
        });
        if pending.len() == before {
            let name = pending[0].clone();
            let base = specs[&name].extends.clone().unwrap_or_default();
            return Err((
                name,
                Some("extends".into()),
                format!(
                    "`extends: {base}` names no profile (or the profiles extend each other in a cycle)"
                ),
            ));
        }
    }
    for (name, p) in &out {
        validate(p).map_err(|(key, msg)| (name.clone(), Some(key.to_string()), msg))?;
    }
    Ok(out)
}

fn validate(p: &Profile) -> Result<(), (&'static str, String)> {
    if let Some(a) = p.auto_min
        && a > MAX_TOTAL
    {
        return Err((
            "auto_min",
            format!("auto_min {a} is above the maximum total {MAX_TOTAL}"),
        ));
    }
    if p.semi_manual_min > MAX_TOTAL {
        return Err((
            "semi_manual_min",
            format!("semi_manual_min {} is above {MAX_TOTAL}", p.semi_manual_min),
        ));
    }
    if let Some(a) = p.auto_min
        && p.semi_manual_min > a
    {
        return Err((
            "semi_manual_min",
            format!(
                "semi_manual_min {} is above auto_min {a}",
                p.semi_manual_min
            ),
        ));
    }
    if p.category_floor > MAX_CATEGORY_SCORE {
        return Err((
            "category_floor",
            format!(
                "category_floor {} is above {MAX_CATEGORY_SCORE}",
                p.category_floor
            ),
        ));
    }
    if p.stateful_auto_min > MAX_TOTAL {
        return Err((
            "stateful_auto_min",
            format!(
                "stateful_auto_min {} is above {MAX_TOTAL}",
                p.stateful_auto_min
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> BTreeMap<String, ProfileSpec> {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn builtin_numbers_match_the_calibration_table() {
        let b = builtin();
        assert_eq!(b["standard"].auto_min, Some(23));
        assert_eq!(b["standard"].semi_manual_min, 20);
        assert_eq!(b["standard"].category_floor, 3);
        assert_eq!(b["standard"].max_radius_without_dry_run, Radius::Deployment);
        assert_eq!(b["high_risk"].auto_min, Some(24));
        assert_eq!(b["low_risk"].auto_min, None);
        assert_eq!(b["low_risk"].semi_manual_min, 21);
        assert!(b.values().all(|p| p.stateful_auto_min == 24));
    }

    #[test]
    fn user_profiles_extend_and_override() {
        let r = resolve(&spec("payments: {extends: high_risk, rank: 3, auto_min: 25}\nstandard: {auto_min: 24}\nlax: {auto_min: never}\n")).unwrap();
        assert_eq!(r["payments"].auto_min, Some(25));
        assert_eq!(r["payments"].max_radius_without_dry_run, Radius::Pod);
        assert_eq!(r["standard"].auto_min, Some(24));
        assert_eq!(r["standard"].semi_manual_min, 20);
        assert_eq!(r["lax"].auto_min, None);
    }

    #[test]
    fn extends_a_profile_defined_later() {
        let r = resolve(&spec("a: {extends: b}\nb: {extends: high_risk, rank: 5}\n")).unwrap();
        assert_eq!(r["a"].rank, 5);
    }

    #[test]
    fn invalid_numbers_and_cycles_are_errors() {
        let e = resolve(&spec("x: {semi_manual_min: 24, auto_min: 23}\n")).unwrap_err();
        assert_eq!(e.1.as_deref(), Some("semi_manual_min"));
        let e = resolve(&spec("x: {extends: y}\ny: {extends: x}\n")).unwrap_err();
        assert_eq!(e.1.as_deref(), Some("extends"));
        let e = resolve(&spec("x: {extends: nope}\n")).unwrap_err();
        assert!(e.2.contains("nope"));
        assert!(
            serde_yaml::from_str::<BTreeMap<String, ProfileSpec>>("x: {auto_min: sometimes}")
                .is_err()
        );
    }
}

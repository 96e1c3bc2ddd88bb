//! Dry-run of one action against a spec: membership in the pre-approved list, then every
//! `requires` precondition against the runtime facts given. Nothing is ever executed; the
//! readiness gate that must come first is run by the command (`commands::dry_run`).

use crate::error::{Error, Result};
use crate::model::{Severity, Violation};
use crate::parse::specify::Spec;
use crate::parse::{locate, yaml};
use crate::rules;
use crate::span::LineIndex;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// A runtime fact: what was written, where, and its truth value when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Fact {
    pub value: String,
    /// `--context` or `FILE:LINE`.
    pub origin: String,
}

impl Fact {
    /// `true/yes/on/1` and `false/no/off/0`, any case; anything else is no truth value.
    pub fn truth(&self) -> Option<bool> {
        match self.value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Some(true),
            "false" | "no" | "off" | "0" => Some(false),
            _ => None,
        }
    }
}

/// The facts a dry-run judges preconditions by. Files are read first, in order; a later file
/// overrides an earlier one; `--context` overrides files.
#[derive(Debug, Default, Clone)]
pub struct Context {
    pub facts: BTreeMap<String, Fact>,
}

fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl Context {
    /// Adds a mapping of facts from a JSON or YAML file.
    pub fn add_file(&mut self, shown: &str, text: &str) -> Result<()> {
        let map: BTreeMap<String, serde_yaml::Value> = if shown.ends_with(".json") {
            yaml::from_json(shown, text)?
        } else if yaml::is_blank_yaml(text) {
            BTreeMap::new()
        } else {
            yaml::from_yaml(shown, text, 0)?
        };
        let idx = LineIndex::new(text);
        for (key, value) in map {
            let (line, col) = locate::value_offset(text, &[key.as_str()])
                .map(|o| idx.position(text, o))
                .unwrap_or((1, 1));
            let value = match value {
                serde_yaml::Value::Bool(b) => b.to_string(),
                serde_yaml::Value::Number(n) => n.to_string(),
                serde_yaml::Value::String(s) => s,
                _ => {
                    return Err(Error::input(
                        shown,
                        line,
                        col,
                        format!(
                            "context fact `{key}` must be a scalar (true/false, a number or a string)"
                        ),
                    ));
                }
            };
            if !valid_key(&key) {
                return Err(Error::input(
                    shown,
                    line,
                    col,
                    format!("`{key}` is not a fact name; expected an identifier such as stateless"),
                ));
            }
            self.facts.insert(
                key,
                Fact {
                    value,
                    origin: format!("{shown}:{line}"),
                },
            );
        }
        Ok(())
    }

    /// Adds `--context KEY=VALUE` arguments; the same key twice with different values is an
    /// error (which one would the operator have meant?).
    pub fn add_args(&mut self, args: &[String]) -> Result<()> {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for arg in args {
            let Some((k, v)) = arg.split_once('=') else {
                return Err(Error::Usage(format!(
                    "--context `{arg}`: expected KEY=VALUE, e.g. --context stateless=true"
                )));
            };
            let (k, v) = (k.trim(), v.trim());
            if !valid_key(k) {
                return Err(Error::Usage(format!(
                    "--context `{arg}`: `{k}` is not a fact name; expected an identifier such as stateless"
                )));
            }
            if let Some(prev) = seen.insert(k, v)
                && prev != v
            {
                return Err(Error::Usage(format!(
                    "--context gives `{k}` twice, as `{prev}` and as `{v}`"
                )));
            }
            self.facts.insert(
                k.to_string(),
                Fact {
                    value: v.to_string(),
                    origin: "--context".into(),
                },
            );
        }
        Ok(())
    }
}

/// One precondition as judged.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Precondition {
    pub name: String,
    /// The fact given, if any.
    pub fact: Option<Fact>,
    pub met: bool,
}

/// The outcome of the action checks (after the readiness gate).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ActionCheck {
    /// Whether the spec lists the action.
    pub pre_approved: bool,
    /// Empty when the action is not listed (its preconditions are unknown).
    pub preconditions: Vec<Precondition>,
    /// `action_not_pre_approved` or one `precondition_not_met` per unmet precondition.
    pub reasons: Vec<Violation>,
}

impl ActionCheck {
    pub fn passed(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Checks membership, then every precondition. A required fact whose value is not a truth
/// value is bad input (exit 2), not a silent "unmet".
pub fn check(spec: &Spec, action: &str, ctx: &Context) -> Result<ActionCheck> {
    let Some(a) = spec.action(action) else {
        let listed: Vec<&str> = spec.actions.iter().map(|a| a.name.as_str()).collect();
        let listed = if listed.is_empty() {
            "it lists none".to_string()
        } else {
            format!("it lists {}", listed.join(", "))
        };
        return Ok(ActionCheck {
            pre_approved: false,
            preconditions: vec![],
            reasons: vec![
                Violation::new(
                    "action_not_pre_approved",
                    Severity::Error,
                    format!(
                        "action `{action}` is not in the pre-approved actions of {} ({listed})",
                        spec.file
                    ),
                )
                .fix(rules::fix("action_not_pre_approved"))
                .at(&spec.file, 1, 1),
            ],
        });
    };
    let mut preconditions = Vec::new();
    let mut reasons = Vec::new();
    for name in &a.requires {
        let fact = ctx.facts.get(name).cloned();
        let met = match &fact {
            None => false,
            Some(f) => f.truth().ok_or_else(|| {
                Error::Usage(format!(
                    "precondition `{name}` of `{action}`: `{}` (from {}) is not a truth value; expected true or false",
                    f.value, f.origin
                ))
            })?,
        };
        if !met {
            let why = match &fact {
                None => "was not given (a missing fact is not met)".to_string(),
                Some(f) => format!("is `{}` (from {})", f.value, f.origin),
            };
            reasons.push(
                Violation::new(
                    "precondition_not_met",
                    Severity::Error,
                    format!("precondition `{name}` of `{action}` not met: `{name}` {why}"),
                )
                .fix(rules::fix("precondition_not_met"))
                .at(&spec.file, a.line, a.col),
            );
        }
        preconditions.push(Precondition {
            name: name.clone(),
            fact,
            met,
        });
    }
    Ok(ActionCheck {
        pre_approved: true,
        preconditions,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::PathBuf;

    fn spec() -> Spec {
        let cfg = Config::from_text(PathBuf::from("/r"), None, "").unwrap();
        let text = "## Why\nx\n## What\nx\n## Constraints\nx\n## Pre-approved actions\n- restart_pod\n- scale_up_replicas_one (requires: stateless, hpa_enabled)\n";
        crate::parse::specify::parse("s.md", text, &cfg).unwrap()
    }

    fn ctx(args: &[&str]) -> Context {
        let mut c = Context::default();
        c.add_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
        c
    }

    #[test]
    fn membership_then_each_precondition() {
        let s = spec();
        assert!(check(&s, "restart_pod", &ctx(&[])).unwrap().passed());
        let no = check(&s, "delete_namespace", &ctx(&[])).unwrap();
        assert!(!no.pre_approved);
        assert_eq!(no.reasons[0].id, "action_not_pre_approved");
        assert!(
            no.reasons[0]
                .message
                .contains("restart_pod, scale_up_replicas_one")
        );

        let c = check(
            &s,
            "scale_up_replicas_one",
            &ctx(&["stateless=false", "hpa_enabled=true"]),
        )
        .unwrap();
        assert!(
            c.pre_approved,
            "listed: blocked by the precondition, not the list"
        );
        let ids: Vec<_> = c.reasons.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(ids.len(), 1);
        assert!(ids[0].contains("`stateless` is `false`"), "{ids:?}");

        let missing = check(&s, "scale_up_replicas_one", &ctx(&[])).unwrap();
        assert_eq!(missing.reasons.len(), 2);
        assert!(missing.reasons[1].message.contains("hpa_enabled"));

        let ok = check(
            &s,
            "scale_up_replicas_one",
            &ctx(&["stateless=YES", "hpa_enabled=1"]),
        )
        .unwrap();
        assert!(ok.passed());
        assert!(check(&s, "scale_up_replicas_one", &ctx(&["stateless=maybe"])).is_err());
    }

    #[test]
    fn context_arguments_and_files() {
        let mut c = Context::default();
        assert!(c.add_args(&["novalue".into()]).is_err());
        assert!(c.add_args(&["9x=1".into()]).is_err());
        assert!(c.add_args(&["a=true".into(), "a=false".into()]).is_err());
        let mut c = Context::default();
        c.add_file(
            "f.yaml",
            "stateless: true\nhpa_enabled: \"no\"\nreplicas: 3\n",
        )
        .unwrap();
        assert_eq!(c.facts["hpa_enabled"].origin, "f.yaml:2");
        assert_eq!(c.facts["replicas"].value, "3");
        c.add_args(&["stateless=false".into()]).unwrap();
        assert_eq!(c.facts["stateless"].truth(), Some(false));
        let e = Context::default()
            .add_file("f.json", "{\n  \"a\": {\"b\": 1}\n}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f.json:2:"), "{e}");
    }
}

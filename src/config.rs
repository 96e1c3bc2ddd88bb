//! `.sddgate.yml`: read once, validated into a resolved [`Config`] before any checking starts.
//! Every number the gate uses comes from a [`Profile`] here; unknown keys are errors.

use crate::error::{Error, Result};
use crate::lint::{CommandPatterns, CommandsConfig};
use crate::model::Radius;
use crate::parse::{locate, yaml};
use crate::profiles::{self, Profile, ProfileSpec};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod presets;
pub use presets::Preset;

/// Names the config file may have at the repository root, in order of preference.
pub const CONFIG_NAMES: [&str; 2] = [".sddgate.yml", ".sddgate.yaml"];

/// The config file as written (`.sddgate.yml`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    /// Format version of this file; only 1 exists.
    pub version: Option<u32>,
    /// A spec convention to adopt: `spec-kit` (github/spec-kit `specs/NNN-feature/spec.md`:
    /// its section names, no pre-approved actions, unfilled template placeholders reported).
    /// Settings written in this file still win over the preset's defaults.
    #[schemars(with = "Option<Preset>")]
    pub preset: Option<String>,
    /// Profile used when a readiness document names none. Default `standard`.
    pub default_profile: Option<String>,
    /// No readiness document may be judged by a profile ranked below this one.
    pub minimum_profile: Option<String>,
    /// Extra profiles, or overrides of the built-in `low_risk`, `standard`, `high_risk`.
    pub profiles: BTreeMap<String, ProfileSpec>,
    pub discovery: DiscoverySpec,
    /// Extra heading aliases per section, e.g. `why: [Зачем]`.
    pub sections: SectionAliasSpec,
    /// Command patterns to add to or remove from the concrete-command lint.
    pub commands: CommandsConfig,
    /// Repository-relative path of the audit trace log.
    pub trace_log: Option<String>,
    pub limits: LimitsSpec,
    /// How `sddgate normalize` derives incident ids and reads payloads.
    pub normalize: crate::normalize::NormalizeSpec,
    /// The git hooks.
    pub hooks: HooksSpec,
    /// Who may approve a semi-manual incident in a pull request (`sddgate ci`): GitHub logins,
    /// or teams as `org/team-slug`. Read from the base branch, so a PR cannot add its author.
    pub approvers: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HooksSpec {
    /// Whether `hook run commit-msg` requires an `Incident-Id:` trailer. Default true.
    pub require_incident_id: Option<bool>,
    /// Globs of the files whose commits need the trailer. Default: any file in the directory of
    /// a spec or readiness document.
    pub incident_paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoverySpec {
    /// Globs (repository-relative) of spec files. Default `**/specify.md`.
    pub specs: Option<Vec<String>>,
    /// Globs of readiness documents.
    pub readiness: Option<Vec<String>>,
    /// Globs excluded from discovery (a path named on the command line is still checked).
    pub exclude: Vec<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SectionAliasSpec {
    pub why: Vec<String>,
    pub what: Vec<String>,
    pub constraints: Vec<String>,
    pub acceptance: Vec<String>,
    pub actions: Vec<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSpec {
    /// Largest document sddgate reads, in bytes. Default 4 MiB.
    pub max_file_size: Option<u64>,
}

/// The sections of a specify.md the gate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    Why,
    What,
    Constraints,
    Acceptance,
    Actions,
}

impl SectionKind {
    pub const ALL: [SectionKind; 5] = [
        SectionKind::Why,
        SectionKind::What,
        SectionKind::Constraints,
        SectionKind::Acceptance,
        SectionKind::Actions,
    ];
    pub const REQUIRED: [SectionKind; 3] = [
        SectionKind::Why,
        SectionKind::What,
        SectionKind::Constraints,
    ];

    pub fn title(self) -> &'static str {
        match self {
            SectionKind::Why => "Why",
            SectionKind::What => "What",
            SectionKind::Constraints => "Constraints",
            SectionKind::Acceptance => "Acceptance",
            SectionKind::Actions => "Pre-approved actions",
        }
    }

    fn builtin_aliases(self) -> &'static [&'static str] {
        match self {
            SectionKind::Why => &[
                "why",
                "purpose",
                "motivation",
                "зачем",
                "почему",
                "tại sao",
                "vì sao",
            ],
            SectionKind::What => &["what", "что", "cái gì", "mục tiêu"],
            SectionKind::Constraints => &[
                "constraints",
                "guardrails",
                "ограничения",
                "за границами",
                "ràng buộc",
            ],
            SectionKind::Acceptance => &[
                "acceptance",
                "acceptance criteria",
                "success criteria",
                "критерии успеха",
                "критерии приёмки",
                "tiêu chí chấp nhận",
            ],
            SectionKind::Actions => &[
                "pre-approved actions",
                "preapproved actions",
                "pre approved actions",
                "approved actions",
                "allowed actions",
                "предварительно одобренные действия",
                "разрешённые действия",
                "разрешенные действия",
                "hành động được phê duyệt trước",
            ],
        }
    }
}

/// The resolved configuration every command works from.
#[derive(Debug)]
pub struct Config {
    /// Repository root: every repo-relative path is resolved against it.
    pub root: PathBuf,
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    /// The spec convention adopted with `preset:`, if any.
    pub preset: Option<Preset>,
    pub profiles: BTreeMap<String, Profile>,
    pub default_profile: String,
    pub minimum_profile: Option<String>,
    pub spec_globs: Vec<String>,
    pub readiness_globs: Vec<String>,
    pub exclude_globs: Vec<String>,
    /// Lower-cased heading aliases per section.
    pub sections: BTreeMap<SectionKind, Vec<String>>,
    commands: std::sync::OnceLock<CommandPatterns>,
    pub trace_log: String,
    pub max_file_size: u64,
    /// Logins and `org/team` names whose approval passes a semi-manual incident in CI.
    pub approvers: Vec<String>,
    pub normalize: crate::normalize::NormalizeSpec,
    /// Where documents are read from: the working tree, or the git index for the pre-commit hook.
    pub files: crate::files::Files,
    pub hooks: HooksSpec,
}

pub const DEFAULT_TRACE_LOG: &str = ".sddgate/trace.jsonl";
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

impl Config {
    /// Finds the repository root from `start` (the nearest ancestor holding `.git`, else the
    /// nearest holding a config file, else `start`) and loads the config there, or `explicit`.
    pub fn discover(start: &Path, explicit: Option<&Path>) -> Result<Config> {
        let root = find_root(start);
        // The config is read before its own `limits` are known: the default limit applies to it.
        let read = |p: &Path| {
            crate::repo::read_text(p, &display_path(&root, p), DEFAULT_MAX_FILE_SIZE).map_err(|e| {
                match e {
                    Error::Input {
                        file,
                        line,
                        col,
                        message,
                    } if message.contains("raise `limits") => {
                        let head = message.split(": not read").next().unwrap_or(&message);
                        Error::input(
                            file,
                            line,
                            col,
                            format!(
                                "{head}: the config itself is always read within the default limit"
                            ),
                        )
                    }
                    e => e,
                }
            })
        };
        match explicit {
            Some(path) => {
                let text = read(path)?;
                Config::from_text(root, Some(path.to_path_buf()), &text)
            }
            None => {
                for name in CONFIG_NAMES {
                    let p = root.join(name);
                    // Anything at the name is the config: a directory, a FIFO or a link
                    // leading out of the repository is an error, never silently skipped.
                    if std::fs::symlink_metadata(&p).is_err() {
                        continue;
                    }
                    if crate::repo::resolve(&root, name).is_none() {
                        return Err(Error::input(
                            name,
                            1,
                            1,
                            "is a link leading outside the repository: expected the config file itself",
                        ));
                    }
                    let text = read(&p)?;
                    return Config::from_text(root, Some(p), &text);
                }
                Config::from_text(root, None, "")
            }
        }
    }

    /// Builds the config from the text of a config file (empty text = defaults).
    pub fn from_text(root: PathBuf, file: Option<PathBuf>, text: &str) -> Result<Config> {
        let shown = file
            .as_deref()
            .map(|p| display_path(&root, p))
            .unwrap_or_else(|| ".sddgate.yml".to_string());
        let raw: ConfigFile = if yaml::is_blank_yaml(text) {
            ConfigFile::default()
        } else {
            yaml::from_yaml(&shown, text, 0)?
        };
        let at = |path: &[&str], msg: String| {
            let off = locate::key_offset(text, path).unwrap_or(0);
            let (line, col) = crate::span::LineIndex::new(text).position(text, off);
            Error::input(&shown, line, col, msg)
        };
        if let Some(v) = raw.version
            && v != 1
        {
            return Err(at(
                &["version"],
                format!("unsupported config version {v}, expected 1"),
            ));
        }
        let preset = match raw.preset.as_deref() {
            None => None,
            Some(name) => Some(Preset::parse(name.trim()).ok_or_else(|| {
                at(
                    &["preset"],
                    format!(
                        "unknown preset `{name}`, expected one of {}",
                        Preset::expected()
                    ),
                )
            })?),
        };
        let profiles = profiles::resolve(&raw.profiles).map_err(|(name, key, msg)| {
            let path: Vec<&str> = ["profiles", name.as_str()]
                .into_iter()
                .chain(key.as_deref())
                .collect();
            at(&path, msg)
        })?;
        let known = |name: &str| profiles.contains_key(name);
        let default_profile = raw
            .default_profile
            .clone()
            .unwrap_or_else(|| "standard".into());
        if !known(&default_profile) {
            return Err(at(
                &["default_profile"],
                unknown_profile(&default_profile, &profiles),
            ));
        }
        if let Some(m) = &raw.minimum_profile
            && !known(m)
        {
            return Err(at(&["minimum_profile"], unknown_profile(m, &profiles)));
        }
        for (key, globs) in [
            ("specs", raw.discovery.specs.as_deref().unwrap_or(&[])),
            (
                "readiness",
                raw.discovery.readiness.as_deref().unwrap_or(&[]),
            ),
            ("exclude", &raw.discovery.exclude[..]),
        ] {
            for g in globs {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(at(&["discovery", key], format!("invalid glob `{g}`: {e}")));
                }
            }
        }
        for g in &raw.hooks.incident_paths {
            if let Err(e) = globset::Glob::new(g) {
                return Err(at(
                    &["hooks", "incident_paths"],
                    format!("invalid glob `{g}`: {e}"),
                ));
            }
        }
        // The built-in patterns are compiled on first use (commands that never lint a spec, and
        // hooks on commits touching none, skip the cost); a config that changes them is
        // compiled now, so its errors are reported with their line.
        let commands = std::sync::OnceLock::new();
        let c = &raw.commands;
        if !(c.aliases.is_empty() && c.add.is_empty() && c.remove.is_empty()) {
            let compiled = CommandPatterns::new(c).map_err(|e| at(&["commands"], e.to_string()))?;
            let _ = commands.set(compiled);
        }
        let mut approvers = Vec::new();
        for a in &raw.approvers {
            let name = a.trim().trim_start_matches('@');
            let ok_part = |p: &str| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            };
            let valid = match name.split_once('/') {
                Some((org, team)) => ok_part(org) && ok_part(team),
                None => {
                    ok_part(name) || name.ends_with("[bot]") && ok_part(&name[..name.len() - 5])
                }
            };
            if !valid {
                return Err(at(
                    &["approvers"],
                    format!("approver `{a}`: expected a GitHub login or `org/team-slug`"),
                ));
            }
            approvers.push(name.to_string());
        }
        let mut sections = BTreeMap::new();
        for kind in SectionKind::ALL {
            let extra = match kind {
                SectionKind::Why => &raw.sections.why,
                SectionKind::What => &raw.sections.what,
                SectionKind::Constraints => &raw.sections.constraints,
                SectionKind::Acceptance => &raw.sections.acceptance,
                SectionKind::Actions => &raw.sections.actions,
            };
            let mut all: Vec<String> = kind
                .builtin_aliases()
                .iter()
                .chain(preset.map_or(&[][..], |p| p.section_aliases(kind)))
                .map(|s| s.to_string())
                .collect();
            all.extend(extra.iter().map(|s| normalize_heading(s)));
            sections.insert(kind, all);
        }
        let max_file_size = raw.limits.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE);
        crate::files::raise_read_ceiling(max_file_size);
        Ok(Config {
            root,
            file,
            preset,
            profiles,
            default_profile,
            minimum_profile: raw.minimum_profile,
            // A preset adds its convention's specs to sddgate's own: adopting it never takes
            // a `specify.md` out of the gate.
            spec_globs: raw.discovery.specs.unwrap_or_else(|| {
                std::iter::once("**/specify.md")
                    .chain(preset.map_or(&[][..], |p| p.spec_globs()).iter().copied())
                    .map(String::from)
                    .collect()
            }),
            readiness_globs: raw.discovery.readiness.unwrap_or_else(|| {
                vec![
                    "**/readiness.md".into(),
                    "**/readiness*.yaml".into(),
                    "**/readiness*.yml".into(),
                    "**/readiness*.json".into(),
                ]
            }),
            exclude_globs: raw.discovery.exclude,
            sections,
            commands,
            trace_log: raw.trace_log.unwrap_or_else(|| DEFAULT_TRACE_LOG.into()),
            max_file_size,
            normalize: raw.normalize,
            files: crate::files::Files::Worktree,
            hooks: raw.hooks,
            approvers,
        })
    }

    /// The concrete-command patterns (built in, or as the config changed them).
    pub fn commands(&self) -> &CommandPatterns {
        self.commands.get_or_init(CommandPatterns::builtin)
    }

    /// Whether a spec must list pre-approved actions (not under a preset for feature specs).
    pub fn requires_actions(&self) -> bool {
        self.preset.is_none_or(|p| p.requires_actions())
    }

    /// Whether a rule that only a preset turns on is on.
    pub fn preset_rule(&self, id: &str) -> bool {
        self.preset.is_some_and(|p| p.rules().contains(&id))
    }

    /// File name of the spec that pairs with a readiness document beside it.
    pub fn sibling_spec_name(&self) -> &'static str {
        self.preset.map_or("specify.md", |p| p.spec_file_name())
    }

    /// Which headings the adopted convention uses for a section, for messages: empty, or
    /// ` (spec-kit: Edge Cases, Assumptions or Constraints)`.
    pub fn section_hint(&self, kind: SectionKind) -> String {
        match self.preset {
            Some(p) => format!(" ({}: {})", p.name(), p.section_hint(kind)),
            None => String::new(),
        }
    }

    /// The section a heading belongs to, if any.
    pub fn section_of(&self, heading: &str) -> Option<SectionKind> {
        let h = normalize_heading(heading);
        let first = h.as_bytes().first();
        // The map's order is `SectionKind::ALL`'s: the first kind with a matching alias wins.
        // An alias matches the whole heading or its start up to a character that is not a
        // letter or digit. Its first byte is compared before the rest (one heading is compared
        // with some thirty aliases, six headings a spec).
        self.sections.iter().find_map(|(kind, aliases)| {
            aliases
                .iter()
                .any(|alias| {
                    (alias.is_empty() || alias.as_bytes().first() == first)
                        && h.strip_prefix(alias.as_str()).is_some_and(|rest| {
                            rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
                        })
                })
                .then_some(*kind)
        })
    }

    /// The profile a readiness document is judged by: the one it names (or the default),
    /// raised to `minimum_profile` when ranked below it. Returns the profile and, when it was
    /// raised, the name that was asked for.
    pub fn profile_for(
        &self,
        requested: Option<&str>,
    ) -> std::result::Result<(&Profile, Option<String>), String> {
        let name = requested.unwrap_or(&self.default_profile);
        let profile = self
            .profiles
            .get(name)
            .ok_or_else(|| unknown_profile(name, &self.profiles))?;
        if let Some(min) = &self.minimum_profile {
            let floor = &self.profiles[min];
            if profile.rank < floor.rank {
                return Ok((floor, Some(name.to_string())));
            }
        }
        Ok((profile, None))
    }

    /// The widest radius a profile allows without a verified dry-run.
    pub fn max_radius(&self, profile: &Profile) -> Radius {
        profile.max_radius_without_dry_run
    }
}

fn unknown_profile(name: &str, profiles: &BTreeMap<String, Profile>) -> String {
    let names: Vec<&str> = profiles.keys().map(String::as_str).collect();
    format!(
        "unknown profile `{name}`, expected one of {}",
        names.join(", ")
    )
}

/// Lower-case, trimmed, without leading numbering ("2.", "2)") or trailing colon.
pub fn normalize_heading(s: &str) -> String {
    let t = s.trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')');
    let t = t.trim().trim_end_matches([':', '.']).trim();
    // ASCII (nearly every heading) has nothing for the replacements below to change.
    if t.is_ascii() {
        return t.to_ascii_lowercase();
    }
    let mut h = t.to_lowercase();
    // Rewritten only when present (each rewrite is a copy).
    if h.contains('ё') {
        h = h.replace('ё', "е");
    }
    if h.contains(['\u{2011}', '\u{2010}']) {
        h = h.replace(['\u{2011}', '\u{2010}'], "-");
    }
    h
}

/// Nearest ancestor with `.git`, else nearest with a config file, else `start` itself.
pub fn find_root(start: &Path) -> PathBuf {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    if let Some(d) = start.ancestors().find(|d| d.join(".git").exists()) {
        return d.to_path_buf();
    }
    if let Some(d) = start
        .ancestors()
        .find(|d| CONFIG_NAMES.iter().any(|n| d.join(n).is_file()))
    {
        return d.to_path_buf();
    }
    start
}

/// A path as shown to users: relative to the root when inside it, `/` separated.
pub fn display_path(root: &Path, p: &Path) -> String {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
    match abs.strip_prefix(root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => p.to_string_lossy().replace('\\', "/"),
    }
}

#[cfg(test)]
mod tests;

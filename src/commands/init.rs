//! `sddgate init [INCIDENT_TYPE]`: a starting point that validates and honestly blocks.
//!
//! Writes the config, the spec and its phase documents, a readiness document claiming 0 in
//! every category, and the two schemas the editor reads through the templates' modelines. A
//! file that exists is never touched (nor is a second config or readiness document written
//! beside one under another accepted name). Each file appears whole or not at all: it is
//! written to a temporary file, synced, then hard-linked to its name, which fails rather than
//! replace anything that appeared meanwhile.

use crate::cli::{ReadinessFormat, SchemaName};
use crate::error::Error;
use std::io::Write;
use std::path::Path;

const MAX_TYPE_LEN: usize = 64;

// The templates end in `.tmpl` so that this repository's own gate does not discover them as
// a spec and a readiness document (`**/specify.md`, `**/readiness*.yaml`).
const CONFIG: &str = include_str!("../templates/init/sddgate.yml.tmpl");
const SPECIFY: &str = include_str!("../templates/init/specify.md.tmpl");
const PLAN: &str = include_str!("../templates/init/plan.md.tmpl");
const TASKS: &str = include_str!("../templates/init/tasks.md.tmpl");
const VALIDATION: &str = include_str!("../templates/init/validation.md.tmpl");
const READINESS_MD: &str = include_str!("../templates/init/readiness.md.tmpl");
const READINESS_YAML: &str = include_str!("../templates/init/readiness.yaml.tmpl");

/// Names a readiness document beside the spec may have: one existing keeps init from adding
/// another for the same incident.
const READINESS_NAMES: [&str; 4] = [
    "readiness.md",
    "readiness.yaml",
    "readiness.yml",
    "readiness.json",
];

/// One file to scaffold: where (repository-relative, `/`-separated), what, and the other
/// names whose presence means it must not be written.
#[derive(Debug)]
pub struct Planned {
    pub path: String,
    pub text: String,
    pub blocked_by: Vec<String>,
}

pub fn run(incident_type: &str, format: ReadinessFormat) -> Result<i32, Error> {
    check_type(incident_type)?;
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    // The root `check` will use: the nearest ancestor with `.git` (or with a config), else here.
    let root = crate::config::find_root(&cwd);
    let mut out = std::io::stdout().lock();
    let mut say = |line: String| {
        // A closed stdout must not stop the scaffolding half-way.
        let _ = writeln!(out, "{line}");
    };
    say(format!(
        "sddgate init: incident type `{incident_type}` in {}",
        root.display()
    ));
    for p in plan(incident_type, format) {
        match write_new(&root, &p)? {
            Outcome::Written => say(format!("  wrote {}", p.path)),
            Outcome::Kept(by) if by == p.path => say(format!("  kept {} (exists)", p.path)),
            Outcome::Kept(by) => say(format!("  kept {}: not written ({by} exists)", p.path)),
        }
    }
    let spec = format!("specs/{incident_type}/specify.md");
    say(format!(
        "Next: describe the incident in {spec} (`sddgate lint {spec}`), then run `sddgate check`.\n\
         It blocks until the readiness document's scores are raised with evidence: every score \
         starts at 0."
    ));
    Ok(0)
}

/// A safe directory name: ASCII letters, digits, `_` and `-`, starting with a letter or digit
/// (so no separator, no `..`, no leading dash, nothing a shell or a filesystem reads specially).
pub fn check_type(t: &str) -> Result<(), Error> {
    let ok = !t.is_empty()
        && t.len() <= MAX_TYPE_LEN
        && t.starts_with(|c: char| c.is_ascii_alphanumeric())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        return Ok(());
    }
    let shown: String = t.chars().flat_map(char::escape_debug).take(80).collect();
    Err(Error::Usage(format!(
        "init: invalid incident type `{shown}`: expected 1 to {MAX_TYPE_LEN} ASCII letters, \
         digits, `_` or `-`, starting with a letter or digit, e.g. high_memory_usage \
         (it names the directory specs/<type>/)"
    )))
}

/// What `init` writes for a type, in order.
pub fn plan(incident_type: &str, format: ReadinessFormat) -> Vec<Planned> {
    let fill = |t: &str| {
        t.replace("{{incident_type}}", incident_type)
            .replace("{{incident_id}}", &format!("{incident_type}-draft"))
    };
    let dir = format!("specs/{incident_type}");
    let one = |path: String, text: String| Planned {
        blocked_by: vec![path.clone()],
        path,
        text,
    };
    let schema = |n: SchemaName| {
        one(
            format!(".sddgate/schemas/{}", crate::schema::file_name(n)),
            crate::schema::text(n),
        )
    };
    let (readiness_name, readiness) = match format {
        ReadinessFormat::Md => ("readiness.md", READINESS_MD),
        ReadinessFormat::Yaml => ("readiness.yaml", READINESS_YAML),
    };
    let readiness_path = format!("{dir}/{readiness_name}");
    let mut readiness_blocked_by = vec![readiness_path.clone()];
    readiness_blocked_by.extend(
        READINESS_NAMES
            .iter()
            .filter(|n| **n != readiness_name)
            .map(|n| format!("{dir}/{n}")),
    );
    let mut config_blocked_by: Vec<String> = crate::config::CONFIG_NAMES
        .iter()
        .map(|n| n.to_string())
        .collect();
    config_blocked_by.sort_by_key(|n| n != ".sddgate.yml");
    vec![
        Planned {
            path: ".sddgate.yml".into(),
            text: fill(CONFIG),
            blocked_by: config_blocked_by,
        },
        schema(SchemaName::Config),
        schema(SchemaName::Readiness),
        one(format!("{dir}/specify.md"), fill(SPECIFY)),
        one(format!("{dir}/plan.md"), fill(PLAN)),
        one(format!("{dir}/tasks.md"), fill(TASKS)),
        one(format!("{dir}/validation.md"), fill(VALIDATION)),
        Planned {
            path: readiness_path,
            text: fill(readiness),
            blocked_by: readiness_blocked_by,
        },
    ]
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Written,
    /// Not written: this path (the file itself, or a sibling under another accepted name)
    /// exists.
    Kept(String),
}

fn write_new(root: &Path, p: &Planned) -> Result<Outcome, Error> {
    // Anything at the name counts, a directory or a dangling link too: never followed.
    if let Some(by) = p
        .blocked_by
        .iter()
        .find(|b| std::fs::symlink_metadata(root.join(b)).is_ok())
    {
        return Ok(Outcome::Kept(by.clone()));
    }
    let dest = root.join(&p.path);
    let shown = p.path.as_str();
    let dir = dest.parent().unwrap_or(root);
    std::fs::create_dir_all(dir).map_err(|e| cannot(parent_shown(shown), e))?;
    // A directory on the way that is a link leading out of the repository is refused: init
    // writes inside the repository only.
    let real_root = std::fs::canonicalize(root).map_err(|e| cannot(".", e))?;
    let real_dir = std::fs::canonicalize(dir).map_err(|e| cannot(parent_shown(shown), e))?;
    if !real_dir.starts_with(&real_root) {
        return Err(Error::Usage(format!(
            "init: {} leads outside the repository (to {}): nothing written there",
            parent_shown(shown),
            real_dir.display()
        )));
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(
        ".{name}.sddgate-init-{}-{nanos}.tmp",
        std::process::id()
    ));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(p.text.as_bytes())?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(cannot(shown, e));
    }
    let linked = std::fs::hard_link(&tmp, &dest);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(Outcome::Written),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(Outcome::Kept(p.path.clone()))
        }
        // A filesystem without hard links: create the name itself, exclusively; a failed
        // write removes what it created.
        Err(_) => {
            let created = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dest);
            let mut f = match created {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Ok(Outcome::Kept(p.path.clone()));
                }
                Err(e) => return Err(cannot(shown, e)),
            };
            if let Err(e) = f.write_all(p.text.as_bytes()).and_then(|()| f.sync_all()) {
                drop(f);
                let _ = std::fs::remove_file(&dest);
                return Err(cannot(shown, e));
            }
            Ok(Outcome::Written)
        }
    }
}

/// A write that failed: which path, why, and that no file was left half-written.
fn cannot(shown: &str, e: std::io::Error) -> Error {
    Error::Usage(format!(
        "init: cannot write {shown}: {e} (every file listed as written is complete; none is half-written)"
    ))
}

fn parent_shown(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_type_names_only() {
        for good in [
            "example_incident",
            "high_memory_usage",
            "HM-2",
            "a",
            "9lives",
        ] {
            assert!(check_type(good).is_ok(), "{good}");
        }
        let long = "a".repeat(MAX_TYPE_LEN + 1);
        for bad in [
            "", "..", "../x", "a/b", "a\\b", "-x", "_x", ".hidden", "a b", "a.b", "é", "a\0b",
            "x\n", &long,
        ] {
            let e = check_type(bad).unwrap_err().to_string();
            assert!(e.contains("invalid incident type"), "{bad:?}: {e}");
        }
        let e = check_type("a\nb").unwrap_err().to_string();
        assert!(!e.contains('\n'), "one line: {e}");
    }

    #[test]
    fn every_placeholder_is_filled() {
        for f in [ReadinessFormat::Md, ReadinessFormat::Yaml] {
            for p in plan("disk_full", f) {
                assert!(!p.text.contains("{{"), "{} keeps a placeholder", p.path);
                assert!(p.blocked_by.contains(&p.path), "{}", p.path);
            }
        }
    }

    #[test]
    fn the_config_template_is_the_default_config() {
        let text = plan("example_incident", ReadinessFormat::Md)
            .into_iter()
            .find(|p| p.path == ".sddgate.yml")
            .unwrap()
            .text;
        let root = std::path::PathBuf::from("/nonexistent");
        let written = crate::config::Config::from_text(root.clone(), None, &text).unwrap();
        let default = crate::config::Config::from_text(root, None, "").unwrap();
        // Every value shown is the default: the template changes nothing by being there.
        assert_eq!(written.default_profile, default.default_profile);
        assert_eq!(written.minimum_profile, default.minimum_profile);
        assert_eq!(written.profiles, default.profiles);
        assert_eq!(written.spec_globs, default.spec_globs);
        assert_eq!(written.readiness_globs, default.readiness_globs);
        assert_eq!(written.exclude_globs, default.exclude_globs);
        assert_eq!(written.sections, default.sections);
        assert_eq!(written.trace_log, default.trace_log);
        assert_eq!(written.max_file_size, default.max_file_size);
        assert_eq!(written.approvers, default.approvers);
        assert_eq!(
            format!("{:?}", written.hooks.require_incident_id.unwrap_or(true)),
            format!("{:?}", default.hooks.require_incident_id.unwrap_or(true))
        );
        assert_eq!(written.hooks.incident_paths, default.hooks.incident_paths);
    }
}

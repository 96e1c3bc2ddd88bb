//! `rules`, `explain` and `schema`: documentation printed from the registry and the types.

use crate::cli::{Format, SchemaName};
use crate::error::Error;
use crate::model::Severity;
use crate::rules;
use std::io::Write;

pub fn rules(format: Format) -> i32 {
    let mut out = anstream::stdout().lock();
    let written = match format {
        Format::Json => {
            let all: Vec<_> = rules::all().collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&all).unwrap_or_default()
            )
        }
        other @ (Format::Sarif
        | Format::Github
        | Format::Markdown
        | Format::Junit
        | Format::Gitlab) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "error: {}",
                other.report_only("rules")
            );
            return super::EXIT_ERROR;
        }
        Format::Human => rules::all().try_for_each(|r| {
            let sev = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let scope = match r.scope {
                rules::Scope::Gate => "gate",
                rules::Scope::Spec => "spec",
                rules::Scope::Action => "dry-run",
            };
            writeln!(
                out,
                "{:<28} {scope:<7} {sev:<8} {}",
                r.id,
                first_sentence(r.summary)
            )
        }),
    };
    super::finish(written, 0)
}

fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

pub fn explain(id: &str) -> Result<i32, Error> {
    let Some(r) = rules::get(id) else {
        let close: Vec<&str> = rules::all()
            .map(|r| r.id)
            .filter(|x| x.contains(id) || id.contains(*x))
            .collect();
        let hint = if close.is_empty() {
            "run `sddgate rules` for the list".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        return Err(Error::Usage(format!("unknown rule `{id}`: {hint}")));
    };
    let mut out = anstream::stdout().lock();
    let indent = |s: &str| {
        s.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // The same fields and wording as the docs/rules/ pages (rules::docs), in a terminal layout.
    use rules::docs;
    let suppress = match docs::suppression(r) {
        Some(d) => format!("Suppress one occurrence with a reason, on the line before:\n    {d}"),
        None => "Cannot be suppressed.".to_string(),
    };
    let preset = docs::preset_note(r)
        .map(|n| format!("\n{n}"))
        .unwrap_or_default();
    let written = writeln!(
        out,
        "{id}\n{scope}: {meaning}; {severity}{preset}\n\nWhat it checks\n    {}\n\nWhy\n    {}\n\nFails\n{}\n\nPasses\n{}\n\nFix\n    {}\n\n{suppress}",
        r.summary,
        r.why,
        indent(r.fails),
        indent(r.passes),
        r.fix,
        id = r.id,
        scope = r.scope.label(),
        meaning = r.scope.meaning(),
        severity = docs::severity_label(r.severity),
    );
    Ok(super::finish(written, 0))
}

pub fn schema(name: SchemaName) -> i32 {
    let mut out = anstream::stdout().lock();
    let v = crate::schema::schema(name);
    super::finish(
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ),
        0,
    )
}

/// The completion script for `shell`, generated from the clap definitions (so it never lags
/// behind a new command or flag).
pub fn completions(shell: clap_complete::Shell) -> i32 {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "sddgate", &mut script);
    let mut out = std::io::stdout().lock();
    super::finish(out.write_all(&script).and_then(|()| out.flush()), 0)
}

/// The man page (roff), one page: the top-level command, then a section per subcommand.
pub fn man() -> i32 {
    let mut page = Vec::new();
    let written = write_man(&mut page);
    let mut out = std::io::stdout().lock();
    super::finish(
        written
            .and_then(|()| out.write_all(&page))
            .and_then(|()| out.flush()),
        0,
    )
}

fn write_man(out: &mut Vec<u8>) -> std::io::Result<()> {
    use clap::CommandFactory;
    use clap_mangen::roff::{Roff, bold, roman};
    let cmd = crate::cli::Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    // Every subcommand with its own options, not only a list of names: the one page is the
    // whole reference offline.
    let mut r = Roff::new();
    r.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands() {
        subcommand(&mut r, sub, "sddgate");
    }
    r.control("SH", ["EXIT STATUS"]);
    for (code, text) in [
        (
            "0",
            "pass: every incident admitted automatically (or nothing to gate)",
        ),
        (
            "1",
            "blocked: at least one incident blocked, or lint found an error",
        ),
        ("3", "semi-manual: the worst incident needs human approval"),
        (
            "2",
            "usage, config, input, I/O or internal error; never a verdict",
        ),
    ] {
        r.control("TP", []);
        r.text([bold(code)]);
        r.text([roman(text)]);
    }
    r.to_writer(out)?;
    man.render_version_section(out)
}

/// One `.SS` per subcommand (recursively: `hook install`, `trace append`), with its arguments,
/// their values and defaults.
fn subcommand(r: &mut clap_mangen::roff::Roff, cmd: &clap::Command, parent: &str) {
    use clap_mangen::roff::{bold, roman};
    let name = format!("{parent} {}", cmd.get_name());
    r.control("SS", [name.as_str()]);
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        r.text([roman(about.to_string())]);
    }
    for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let value = || {
            a.get_value_names()
                .map(|v| v.join(" "))
                .unwrap_or_else(|| a.get_id().as_str().to_uppercase())
        };
        let label = match a.get_long() {
            Some(l) if a.get_action().takes_values() => format!("--{l} <{}>", value()),
            Some(l) => format!("--{l}"),
            None => format!("<{}>", value()),
        };
        r.control("TP", []);
        r.text([bold(label)]);
        let mut help = a
            .get_long_help()
            .or(a.get_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            help.push_str(&format!(" [values: {}]", values.join(", ")));
        }
        if let Some(d) = a.get_default_values().first() {
            help.push_str(&format!(" [default: {}]", d.to_string_lossy()));
        }
        r.text([roman(help)]);
    }
    for sub in cmd.get_subcommands() {
        subcommand(r, sub, &name);
    }
}

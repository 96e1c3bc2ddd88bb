//! Each command is a function from parsed arguments to an exit code; this module is the one
//! place where results and errors become exit codes and output.

pub mod check;
#[cfg(feature = "github")]
mod ci;
pub(crate) mod dry_run;
pub mod hook;
mod info;
mod lint;
mod normalize;
pub mod readiness;
pub(crate) mod trace;

use crate::cli::{Cli, Command, Common, Format, HookAction, HookRun, TraceAction};
use crate::config::Config;
use crate::error::Error;
use crate::report::{Report, human};
use std::io::Write;

/// Exit code of any error.
pub const EXIT_ERROR: i32 = 2;

pub fn run(cli: Cli) -> i32 {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("sddgate: internal error{at}: {msg} (please report this; exit 2)");
    }));
    match std::panic::catch_unwind(|| dispatch(cli)) {
        Ok(code) => code,
        Err(_) => EXIT_ERROR,
    }
}

fn dispatch(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Check {
            paths,
            base,
            common,
        } => load_for(&common, &paths).map(|c| {
            emit(
                &check::check(&c, &paths, base.as_deref()),
                &c,
                common.format,
            )
        }),
        Command::Readiness { file, common } => {
            load_for(&common, std::slice::from_ref(&file))
                .map(|c| readiness::readiness(&c, &file, common.format))
        }
        Command::Lint { files, common } => {
            load_for(&common, &files).map(|c| emit(&lint::lint(&c, &files), &c, common.format))
        }
        Command::Normalize(args) => load(&args.common).and_then(|c| normalize::run(&c, &args)),
        Command::DryRun(args) => load(&args.common).and_then(|c| dry_run::run(&c, &args)),
        Command::Trace { action: None, show } => {
            load(&show.common).and_then(|c| trace::show(&c, &show))
        }
        Command::Trace {
            action:
                Some(TraceAction::Append {
                    incident,
                    step,
                    reference,
                    log,
                    common,
                }),
            ..
        } => load(&common)
            .and_then(|c| trace::append(&c, log.as_deref(), &incident, &step, &reference)),
        #[cfg(feature = "github")]
        Command::Ci { common } => ci::run(common.config.as_deref()),
        #[cfg(not(feature = "github"))]
        Command::Ci { .. } => Err(Error::Usage(
            "this sddgate was built without the `github` feature: `ci` is not available (install with default features)".into(),
        )),
        Command::Hook { action } => match action {
            HookAction::Install { kind, force, .. } => hook::install(kind, force),
            HookAction::Uninstall { kind, .. } => hook::uninstall(kind),
            HookAction::Run {
                hook: HookRun::PreCommit { common },
            } => load(&common).and_then(|c| hook::pre_commit(c, common.format)),
            HookAction::Run {
                hook: HookRun::CommitMsg { file, common },
            } => load(&common).and_then(|c| hook::commit_msg(c, &file)),
        },
        Command::Rules { common } => Ok(info::rules(common.format)),
        Command::Explain { rule } => info::explain(&rule),
        Command::Schema { name } => Ok(info::schema(name)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

fn load(common: &Common) -> Result<Config, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Config::discover(&cwd, common.config.as_deref())
}

/// The config of the repository the named paths are in (found from the first path, not from
/// the current directory: `sddgate check ../other-repo` must judge that repository's evidence
/// against its own root). Paths in another repository than the first one's are an error.
fn load_for(common: &Common, paths: &[std::path::PathBuf]) -> Result<Config, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let Some(first) = paths.first() else {
        return load(common);
    };
    let abs = |p: &std::path::Path| {
        let a = cwd.join(p);
        std::fs::canonicalize(&a).unwrap_or(a)
    };
    let start = abs(first);
    let start = if start.is_file() {
        start.parent().map(|d| d.to_path_buf()).unwrap_or(start)
    } else {
        start
    };
    let config = Config::discover(&start, common.config.as_deref())?;
    let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
    for p in paths {
        let a = abs(p);
        if !a.starts_with(&root) {
            return Err(Error::Usage(format!(
                "{} is not in the repository of {} (root {}): check one repository at a time",
                p.display(),
                first.display(),
                root.display()
            )));
        }
    }
    Ok(config)
}

/// Prints a report in the chosen format and returns its exit code.
fn emit(report: &Report, config: &Config, format: Format) -> i32 {
    // Block-buffered: Rust's stdout flushes at every line, one write(2) per line of a report
    // that can have 80,000 lines.
    let stdout = std::io::stdout();
    let choice = anstream::AutoStream::choice(&stdout);
    let buffered: Box<dyn Write> = Box::new(std::io::BufWriter::new(stdout.lock()));
    let mut out = anstream::AutoStream::new(buffered, choice);
    let written = match format {
        Format::Json => writeln!(out, "{}", report.to_json()),
        Format::Human => human::write(
            report,
            &mut human::Sources::new(&config.root, &config.files),
            &mut out,
        ),
    }
    .and_then(|()| out.flush());
    finish(written, report.exit_code)
}

/// A closed stdout (`| head`) is not an error of the gate: the decision's code still stands.
fn finish(written: std::io::Result<()>, code: i32) -> i32 {
    match written {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            eprintln!("error: writing output: {e}");
            EXIT_ERROR
        }
    }
}

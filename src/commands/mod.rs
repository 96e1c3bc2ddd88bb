//! Each command is a function from parsed arguments to an exit code; this module is the one
//! place where results and errors become exit codes and output.

pub mod check;
#[cfg(feature = "github")]
mod ci;
pub(crate) mod dry_run;
pub mod hook;
mod info;
mod init;
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

/// Panics seen by the hook, in any thread: a panic that some thread swallowed (a worker whose
/// result was dropped, a task of the `ci` runtime) still makes the exit code 2.
static PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn run(cli: Cli) -> i32 {
    std::panic::set_hook(Box::new(on_panic));
    guarded(|| dispatch(cli))
}

/// Runs a command: its exit code, or [`EXIT_ERROR`] when anything panicked meanwhile — in this
/// thread, or in another one (rayon passes a worker's panic on to the caller; a thread whose
/// panic is dropped is counted by the hook). Never 0 after a panic.
pub fn guarded(command: impl FnOnce() -> i32) -> i32 {
    use std::sync::atomic::Ordering;
    let before = PANICS.load(Ordering::SeqCst);
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(command));
    match code {
        Ok(code) if PANICS.load(Ordering::SeqCst) == before => code,
        _ => EXIT_ERROR,
    }
}

/// The panic hook: one line on stderr (never a second panic if stderr is gone: that would
/// abort with no exit code of ours).
fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let line = panic_line(info.payload(), info.location());
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// `sddgate: internal error at FILE:LINE: MESSAGE (please report this; exit 2)`, on one line
/// whatever the message holds.
fn panic_line(
    payload: &(dyn std::any::Any + Send),
    location: Option<&std::panic::Location<'_>>,
) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let msg: String = msg
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let at = location
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    format!("sddgate: internal error{at}: {msg} (please report this; exit 2)")
}

fn dispatch(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Check {
            paths,
            base,
            common,
        } => load_for(&common, &paths).map(|c| {
            let report = check::check(&c, &paths, base.as_deref());
            let code = emit(&report, &c, common.format);
            // Freeing every incident's report, one allocation at a time, just before the
            // process ends only costs time: the system takes the memory back at once. (The
            // config of `check` reads the working tree: no child process or file to close.)
            std::mem::forget(report);
            std::mem::forget(c);
            code
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
        Command::Init {
            incident_type,
            readiness_format,
        } => init::run(&incident_type, readiness_format),
        Command::Completions { shell } => Ok(info::completions(shell)),
        Command::Man => Ok(info::man()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Not `eprintln!`: it panics when stderr is a closed pipe (`2>&1 | head`).
            let _ = writeln!(std::io::stderr().lock(), "error: {e}");
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

/// Prints a report in the chosen format and returns its exit code (the decision's, whatever
/// the format). Machine formats are rendered whole first, then written in one piece.
fn emit(report: &Report, config: &Config, format: Format) -> i32 {
    let text = match format {
        Format::Human => {
            let mut out = crate::term::stdout();
            let written = human::write(
                report,
                &mut human::Sources::new(&config.root, &config.files)
                    .plain(!crate::term::stdout_styled()),
                &mut out,
            )
            .and_then(|()| out.flush());
            return finish(written, report.exit_code);
        }
        Format::Json => report.to_json() + "\n",
        Format::Sarif => crate::report::sarif::render(report) + "\n",
        Format::Github => crate::report::workflow_commands::render(report),
        Format::Markdown => crate::report::markdown::render(report),
        Format::Junit => crate::report::junit::render(report),
        Format::Gitlab => crate::report::gitlab::render(report) + "\n",
    };
    // Not through `term::stdout`: no colour stripping or terminal handling of machine text.
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    finish(written, report.exit_code)
}

/// A closed stdout (`| head`) is not an error of the gate: the decision's code still stands.
pub(crate) fn finish(written: std::io::Result<()>, code: i32) -> i32 {
    match written {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "error: writing output: {e}");
            EXIT_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    fn hook() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| std::panic::set_hook(Box::new(on_panic)));
    }

    #[test]
    fn a_panic_is_exit_2_wherever_it_happens() {
        hook();
        assert_eq!(guarded(|| panic!("boom")), EXIT_ERROR);
        // A rayon worker's panic reaches the caller.
        let in_worker = guarded(|| {
            (0..64u32).into_par_iter().for_each(|i| {
                if i == 37 {
                    panic!("worker {i}");
                }
            });
            0
        });
        assert_eq!(in_worker, EXIT_ERROR);
        // A thread whose panic is dropped still counts: a verdict after it is not trusted.
        let swallowed = guarded(|| {
            let _ = std::thread::spawn(|| panic!("lost")).join();
            0
        });
        assert_eq!(swallowed, EXIT_ERROR);
        // A blocked decision stays 1 when nothing panicked... (other tests may panic at the
        // same time only by failing, which makes this run fail anyway).
        assert_eq!(guarded(|| 1), 1);
    }

    #[test]
    fn the_panic_report_is_one_line() {
        let payload: Box<dyn std::any::Any + Send> = Box::new(String::from("bad\nthing\r\tx"));
        let line = panic_line(payload.as_ref(), None);
        assert_eq!(
            line,
            "sddgate: internal error: bad thing  x (please report this; exit 2)"
        );
        let payload: Box<dyn std::any::Any + Send> = Box::new(7u8);
        assert!(panic_line(payload.as_ref(), None).contains("unknown panic"));
    }

    #[test]
    fn a_closed_stdout_keeps_the_decision_and_a_full_disk_is_an_error() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(finish(Err(pipe), 1), 1);
        assert_eq!(finish(Ok(()), 3), 3);
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(finish(Err(full), 0), EXIT_ERROR);
    }
}

use clap::Parser;
use std::io::Write;

/// See Cargo.toml: mimalloc (v2, no transparent huge pages) for speed within the memory target.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = match sddgate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => std::process::exit(usage(&e)),
    };
    std::process::exit(sddgate::commands::run(cli));
}

/// `--help`, `--version` and usage errors, printed by clap: their exit code, unless the text
/// could not be written (a full disk is exit 2; a reader that stopped early, `| head`, is not
/// an error).
fn usage(e: &clap::Error) -> i32 {
    let code = e.exit_code();
    match e.print().and_then(|()| std::io::stdout().flush()) {
        Ok(()) => code,
        Err(w) if w.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(w) => {
            let _ = writeln!(std::io::stderr(), "error: writing output: {w}");
            sddgate::commands::EXIT_ERROR
        }
    }
}

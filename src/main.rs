use clap::Parser;
use std::io::Write;

/// See Cargo.toml: mimalloc (v2, no transparent huge pages) for speed within the memory target.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's own option API (the C library is linked in statically by libmimalloc-sys).
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

/// `mi_option_purge_delay` in mimalloc v2's `mi_option_e` (libmimalloc-sys 0.1.49, pinned in
/// Cargo.lock; a test checks the entry still holds the option's documented default).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Freed memory is given back to the system after 1 ms instead of mimalloc's default 10 ms: a
/// whole-repository check frees each spec's parse as it goes, and with the default delay the
/// peak RSS of 10,000 incidents varied from 62 to 69 MiB with thread scheduling (57-59 MiB
/// with 1 ms, for ~1.5 % more time; immediate purging cost ~4 %). See benches/README.md.
fn tune_allocator() {
    // SAFETY: a plain setter of an integer option, valid at any time, before or after
    // allocations; `MI_OPTION_PURGE_DELAY` is checked by `purge_delay_is_the_option_set` below.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 1) }
}

fn main() {
    tune_allocator();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Entry 15 of the linked mimalloc's options is the purge delay: it holds that option's
    /// documented default (10 ms) until set, and takes what is set.
    #[test]
    fn purge_delay_is_the_option_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: see `tune_allocator`.
            assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 10);
        }
        tune_allocator();
        // SAFETY: see `tune_allocator`.
        assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 1);
    }
}

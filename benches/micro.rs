//! Criterion micro-benchmarks of the hot paths (issue 6): `cargo bench --bench micro`.
//!
//! Groups (filter with `cargo bench --bench micro -- GROUP/`):
//!
//! - `spec/`: `parse::specify::parse` + `speclint::lint`, per byte, on a clean ~2 KB spec, the
//!   fixture with concrete commands (and a variant adding a fenced block and prose commands),
//!   the example spec and a 64 KB spec made by repeating sections. `warm` shares one `Config`
//!   (command patterns compiled once); `cold` gets a fresh `Config` per iteration, so the lazy
//!   compilation of the command patterns is paid each time, as in a fresh process.
//!   `spec/commands_first_use` is that compilation alone.
//! - `readiness/`: `parse::readiness::parse` per byte; `decide::evaluate` on prebuilt facts
//!   (the pure decision); and what `sddgate readiness FILE` does in process (read, trace log,
//!   spec lint, `gate::evaluate`), without printing.
//! - `hook/`: a temporary git repository (real git, built once) with 2,000 clean incidents and
//!   one incident's spec modified and staged: `gitdb::Repo::open` alone, plus `.staged()`, plus
//!   the staged blob reads, and the in-process work of `sddgate hook run pre-commit` (config
//!   load, staged changes, touched incidents, judge) without printing.
//! - `gate/`: `sddgate check specs capstone fixtures` in process: discovery alone, discovery +
//!   judge, and rendering the report (JSON and human) to a sink.
//!
//! `commands::check::judge` and `commands::hook::pre_commit` are not public (`commands` keeps
//! `check` and `hook` private, and `pre_commit` prints), so `judge` below mirrors
//! `src/commands/check.rs::judge` (without `--base`) using the public `gate`, `discover` and
//! `hooks::staged` functions. Keep it in step with the original until that is exported.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sddgate::config::Config;
use sddgate::decide::{self, Facts};
use sddgate::discover::{self, Found};
use sddgate::gate::{self, IncidentReport};
use sddgate::gitdb;
use sddgate::model::Severity;
use sddgate::parse::readiness::Readiness;
use sddgate::parse::specify;
use sddgate::report::{Report, human};
use sddgate::speclint;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn root() -> PathBuf {
    PathBuf::from(ROOT)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The built-in configuration (no `.sddgate.yml`), as the spec benchmarks are asked to use.
fn default_config() -> Config {
    Config::from_text(root(), None, "").expect("default config")
}

/// This repository's configuration, as the CLI run at its root loads it.
fn repo_config() -> Config {
    Config::discover(&root(), None).expect("the repository's .sddgate.yml")
}

fn quick(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    g.sample_size(50);
}

// ---------------------------------------------------------------------------------------------
// 1. spec parse + lint

const KUBECTL: &str = "fixtures/specs/kubectl_in_spec/specify.md";

/// The kubectl fixture with its two commands taken out: a clean spec of ~2 KB.
fn clean_spec() -> String {
    let text = read(KUBECTL);
    let clean = text
        .replace(
            "Remediation stays on the affected pod only: `kubectl delete pod api-7b4`, never the whole deployment.",
            "Remediation stays on the affected pod only, never the whole deployment.",
        )
        .replace(
            "the pod is restarted via `kubectl rollout restart`",
            "the pod is restarted in place",
        );
    assert_ne!(clean, text, "{KUBECTL} changed: update clean_spec()");
    clean
}

/// The kubectl fixture plus a fenced shell block and commands in prose.
fn mixed_commands_spec() -> String {
    let text = read(KUBECTL);
    let extra = "- When the pod does not recover, run kubectl scale deployment appointments-api --replicas=5 and page the owner.\n\n\
        ```sh\n\
        kubectl -n appointments-api get pods -o wide\n\
        helm rollback appointments-api 41\n\
        docker restart api-7b4\n\
        ```\n\n";
    let at = text.find("## Acceptance").expect("Acceptance section");
    format!("{}{extra}{}", &text[..at], &text[at..])
}

/// A 64 KB spec: the clean spec with its sections repeated under neutral level-3 headings
/// (`### Appendix N: Why`), so the structure stays valid and nothing is a command.
fn large_spec(clean: &str, target: usize) -> String {
    let start = clean.find("## Why").expect("Why section");
    let end = clean
        .find("## Pre-approved actions")
        .expect("actions section");
    let body = &clean[start..end];
    let mut out = clean[..end].to_string();
    let tail = &clean[end..];
    let mut k = 1;
    while out.len() + tail.len() < target {
        for line in body.lines() {
            match line.strip_prefix("## ") {
                Some(h) => out.push_str(&format!("### Appendix {k}: {h}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        k += 1;
    }
    out.push_str(tail);
    out
}

fn parse_lint(file: &str, text: &str, config: &Config) -> speclint::SpecLint {
    let spec = specify::parse(file, text, config).expect("spec parses");
    speclint::lint(&spec, text, config)
}

fn spec_benches(c: &mut Criterion) {
    let clean = clean_spec();
    let inputs: Vec<(&str, String)> = vec![
        ("clean_2k", clean.clone()),
        ("kubectl_in_spec", read(KUBECTL)),
        ("commands_code_and_prose", mixed_commands_spec()),
        (
            "high_memory_usage",
            read("specs/high_memory_usage/specify.md"),
        ),
        ("large_64k", large_spec(&clean, 64 * 1024)),
    ];
    // Sanity: the inputs are what their names say.
    let config = default_config();
    for (name, text) in &inputs {
        let l = parse_lint("specify.md", text, &config);
        let errors = l
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        eprintln!(
            "spec input {name}: {} bytes, {} findings ({errors} errors, {} commands)",
            text.len(),
            l.findings.len(),
            l.commands.len()
        );
        if name.starts_with("clean") || name.starts_with("large") {
            assert_eq!(errors, 0, "{name} is meant to be clean: {:?}", l.findings);
        } else if *name != "high_memory_usage" {
            assert!(!l.commands.is_empty(), "{name} is meant to name commands");
        }
    }

    let mut g = c.benchmark_group("spec/warm");
    quick(&mut g);
    let warm = default_config();
    let _ = warm.commands(); // compiled before timing: the steady state
    for (name, text) in &inputs {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse+lint", name), text, |b, text| {
            b.iter(|| parse_lint("specify.md", black_box(text), &warm))
        });
    }
    // The two halves, on the large spec.
    let (_, large) = inputs.last().expect("large spec");
    g.throughput(Throughput::Bytes(large.len() as u64));
    g.bench_function("parse/large_64k", |b| {
        b.iter(|| specify::parse("specify.md", black_box(large), &warm).expect("parses"))
    });
    let parsed = specify::parse("specify.md", large, &warm).expect("parses");
    g.bench_function("lint/large_64k", |b| {
        b.iter(|| speclint::lint(&parsed, black_box(large), &warm))
    });
    g.finish();

    // First use: a fresh Config per iteration (built outside the timing, dropped outside it
    // too), so the command patterns are compiled inside every timed call.
    let mut g = c.benchmark_group("spec/cold");
    quick(&mut g);
    g.sample_size(20);
    for (name, text) in inputs
        .iter()
        .filter(|(n, _)| matches!(*n, "clean_2k" | "large_64k"))
    {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse+lint", name), text, |b, text| {
            b.iter_batched(
                default_config,
                |config| {
                    let l = parse_lint("specify.md", black_box(text), &config);
                    (config, l)
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.throughput(Throughput::Elements(1));
    g.bench_function("commands_first_use", |b| {
        b.iter_batched(
            default_config,
            |config| {
                black_box(config.commands());
                config
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("config_from_text", |b| b.iter(default_config));
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// 2. readiness parse + decision

const READINESS: [&str; 3] = [
    "capstone/readiness.md",
    "fixtures/readiness/readiness_pass.json",
    "fixtures/readiness/readiness_block_command.yaml",
];

fn short(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// The facts `gate::evaluate` gathers, gathered once so the decision can be timed alone.
fn facts(config: &Config, r: &Readiness, trace: Option<&sddgate::trace::Sources>) -> Facts {
    let spec = match gate::spec_path_for(config, r) {
        Ok(Some(p)) => Some(gate::lint_spec(config, &p, &config.root.join(&p)).expect("spec")),
        _ => None,
    };
    gate::facts(config, r, spec.as_ref(), None, trace)
}

/// What `sddgate readiness FILE` does in process (src/commands/readiness.rs::judge), without
/// printing: read and parse, load the trace log, lint the spec, gather facts and decide.
fn readiness_judge(config: &Config, shown: &str) -> IncidentReport {
    sddgate::commands::readiness::judge(config, &config.root.join(shown), shown)
        .expect("judged")
        .0
}

fn readiness_benches(c: &mut Criterion) {
    let config = repo_config();
    let docs: Vec<(&str, String)> = READINESS.iter().map(|f| (*f, read(f))).collect();

    let mut g = c.benchmark_group("readiness");
    quick(&mut g);
    for (file, text) in &docs {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", short(file)), text, |b, text| {
            b.iter(|| sddgate::parse::readiness::parse(file, black_box(text)).expect("parses"))
        });
    }

    let trace = gate::load_trace(&config).expect("trace log");
    g.throughput(Throughput::Elements(1));
    for (file, text) in &docs {
        let r = sddgate::parse::readiness::parse(file, text).expect("parses");
        let f = facts(&config, &r, trace.as_ref());
        let requested = r.profile.as_ref().map(|p| p.value.as_str());
        let (profile, raised) = config.profile_for(requested).expect("profile");
        let e = decide::evaluate(&r, &f, profile, raised.clone());
        // The pure decision must agree with the whole path, or the facts above drifted.
        let whole = readiness_judge(&config, file);
        assert_eq!(e.decision, whole.decision, "{file}: facts mirror drifted");
        eprintln!(
            "readiness input {file}: {} bytes, {:?} {}/{}",
            text.len(),
            e.decision,
            e.verified_total,
            e.max_total
        );
        g.bench_function(BenchmarkId::new("decide", short(file)), |b| {
            b.iter(|| decide::evaluate(black_box(&r), &f, profile, raised.clone()))
        });
    }
    for (file, _) in &docs {
        g.bench_function(BenchmarkId::new("judge", short(file)), |b| {
            b.iter(|| readiness_judge(&config, black_box(file)))
        });
    }
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// 3. the pre-commit path on one staged incident

const HOOK_INCIDENTS: usize = 2_000;

fn git(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    for v in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.invalid")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.invalid");
    cmd
}

fn run_git(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn hook_spec(id: &str) -> String {
    format!(
        "---\nincident_type: inc_{id}\nservice: billing-api-{id}\nnamespace: billing\n\
         blast_radius: pod\nstateful: false\n---\n# inc_{id} - billing-api\n\n\
         ## Why\nA full disk stops writes and the service returns 500s.\n\n\
         ## What\nFree space on the affected pod without losing data.\n\n\
         ## Constraints\nNever touch a stateful volume; one pod at a time.\n\n\
         ## Acceptance\nGiven disk usage above 95%, when the action runs, then usage \
         falls below 80% within 10 minutes.\n\n\
         ## Pre-approved actions\n- restart_pod\n- rotate_logs (requires: log_volume_mounted)\n"
    )
}

fn hook_readiness(id: &str, dir: &str) -> String {
    format!(
        "---\nincident_id: DF-2026-06-01-{id}\nspec: {dir}/specify.md\n\
         scores: {{spec: 5, implementation: 4, verification: 5, process: 5, security: 5}}\n\
         evidence:\n  implementation: {dir}/tasks.md\naudit_trace_coverage: 1.0\n\
         stateful: false\nradius_of_impact: pod\ndry_run_verified: true\n\
         rollback: {dir}/rollback.md\n---\n# Readiness\n"
    )
}

/// The same repository as benches/hook.sh (N clean incidents of four files, one commit, written
/// with `git fast-import`), then one incident's spec edited and staged. Returns the staged spec.
fn hook_repo(dir: &Path, n: usize) -> String {
    use std::fmt::Write as _;
    run_git(dir, &["init", "-q", "-b", "main"]);
    run_git(dir, &["config", "core.autocrlf", "false"]);
    let mut s = String::new();
    let blob = |s: &mut String, mark: usize, data: &str| {
        let _ = write!(s, "blob\nmark :{mark}\ndata {}\n{data}\n", data.len());
    };
    blob(&mut s, 1, "# Tasks\n- T1 idempotent restart\n");
    blob(&mut s, 2, "# Rollback\nRestore the previous pod.\n");
    blob(&mut s, 3, "# bench repository\n");
    for i in 1..=n {
        let id = format!("{i:05}");
        let dir = format!("specs/inc_{id}");
        blob(&mut s, 2 * i + 2, &hook_spec(&id));
        blob(&mut s, 2 * i + 3, &hook_readiness(&id, &dir));
    }
    let msg = format!("{n} incidents\n");
    let _ = write!(
        s,
        "commit refs/heads/main\ncommitter bench <bench@example.invalid> 946684800 +0000\ndata {}\n{msg}\nM 100644 :3 README.md\n",
        msg.len()
    );
    for i in 1..=n {
        let dir = format!("specs/inc_{i:05}");
        let _ = writeln!(s, "M 100644 :{} {dir}/specify.md", 2 * i + 2);
        let _ = writeln!(s, "M 100644 :{} {dir}/readiness.md", 2 * i + 3);
        let _ = writeln!(s, "M 100644 :1 {dir}/tasks.md");
        let _ = writeln!(s, "M 100644 :2 {dir}/rollback.md");
    }
    s.push_str("done\n");
    let mut child = git(dir, &["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("piped");
        stdin.write_all(s.as_bytes()).expect("fast-import input");
    }
    assert!(child.wait().expect("fast-import").success());
    run_git(dir, &["checkout", "-q", "-f", "main"]);

    let spec = format!("specs/inc_{:05}/specify.md", n.div_ceil(2));
    let path = dir.join(&spec);
    let text = std::fs::read_to_string(&path).expect("spec checked out");
    let edited = text.replace("A full disk stops writes", "A full disk stops all writes");
    assert_ne!(text, edited);
    std::fs::write(&path, edited).expect("edit spec");
    run_git(dir, &["add", "--", &spec]);
    let staged = run_git(dir, &["diff", "--cached", "--name-only"]);
    assert_eq!(staged.trim(), spec, "exactly the edited spec is staged");
    spec
}

/// What `sddgate hook run pre-commit` does in process (src/commands/hook.rs::pre_commit): load
/// the config, read the index, the staged changes, the incidents they touch, and judge them.
/// The report is returned instead of printed.
fn pre_commit(root: &Path) -> Option<Report> {
    let config = Config::discover(root, None).expect("config");
    sddgate::commands::hook::pre_commit_report(config)
        .expect("the pre-commit path")
        .1
}

fn judge(config: &Config, found: &Found, look_elsewhere: bool, command: &'static str) -> Report {
    sddgate::commands::check::judge(config, found, None, look_elsewhere, command)
}

fn hook_benches(c: &mut Criterion) {
    for v in [
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_WORK_TREE",
    ] {
        assert!(
            std::env::var_os(v).is_none(),
            "{v} is set: gitdb would read another repository; run the benchmark outside git hooks"
        );
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().canonicalize().expect("tempdir path");
    let t0 = std::time::Instant::now();
    let spec = hook_repo(&dir, HOOK_INCIDENTS);
    let readiness = spec.replace("specify.md", "readiness.md");
    let index_bytes = std::fs::metadata(dir.join(".git/index"))
        .expect("index")
        .len();

    // Sanity: the in-process reader understands this repository and sees the one change, and
    // the hook's judgement is the passing one.
    let repo = gitdb::Repo::open(&dir).expect("gitdb understands the bench repository");
    let changes = repo.staged().expect("gitdb answers staged()");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].path, spec.as_bytes());
    let report = pre_commit(&dir).expect("the staged spec is judged");
    assert_eq!(report.summary.incidents, 1, "{}", report.to_json());
    assert_eq!(report.exit_code, 0, "{}", report.to_json());
    eprintln!(
        "hook repository: {HOOK_INCIDENTS} incidents, {} index entries, index {index_bytes} bytes, built in {:.1?}; staged {spec}",
        repo.index.len(),
        t0.elapsed()
    );
    drop(repo);

    let mut g = c.benchmark_group("hook");
    quick(&mut g);
    g.throughput(Throughput::Bytes(index_bytes));
    g.bench_function("gitdb_open", |b| {
        b.iter(|| gitdb::Repo::open(black_box(&dir)).expect("opens"))
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("gitdb_open+staged", |b| {
        b.iter(|| {
            let repo = gitdb::Repo::open(black_box(&dir)).expect("opens");
            let changes = repo.staged().expect("staged");
            (repo, changes)
        })
    });
    g.bench_function("gitdb_open+staged+blobs", |b| {
        b.iter(|| {
            let repo = gitdb::Repo::open(black_box(&dir)).expect("opens");
            let changes = repo.staged().expect("staged");
            let mut bytes = 0;
            for ch in &changes {
                let rel = std::str::from_utf8(&ch.path).expect("utf-8 path");
                bytes += repo.blob(rel).expect("readable").map_or(0, |b| b.len());
            }
            bytes += repo
                .blob(&readiness)
                .expect("readable")
                .map_or(0, |b| b.len());
            (repo, bytes)
        })
    });
    g.sample_size(30); // ~1.7 ms each: 50 samples do not fit in 2 s
    g.bench_function("pre_commit_in_process", |b| {
        b.iter(|| pre_commit(black_box(&dir)).expect("judged"))
    });
    g.finish();
    drop(tmp);
}

// ---------------------------------------------------------------------------------------------
// 4. the whole gate on this repository's examples

fn gate_benches(c: &mut Criterion) {
    let config = repo_config();
    let paths: Vec<PathBuf> = ["specs", "capstone", "fixtures"]
        .iter()
        .map(|p| root().join(p))
        .collect();
    let found = discover::discover(&config, &paths).expect("discovers");
    let report = judge(
        &config,
        &discover::discover(&config, &paths).expect("discovers"),
        true,
        "check",
    );
    eprintln!(
        "gate: {} specs, {} readiness documents; {} incidents (pass {}, semi-manual {}, block {}), {} errors, exit {}",
        found.specs.len(),
        found.readiness.len(),
        report.summary.incidents,
        report.summary.pass,
        report.summary.semi_manual,
        report.summary.block,
        report.summary.errors,
        report.exit_code
    );
    assert_eq!(report.exit_code, 1, "the fixtures block on purpose");

    let mut g = c.benchmark_group("gate");
    quick(&mut g);
    g.sample_size(20);
    g.throughput(Throughput::Elements(report.summary.incidents as u64));
    g.bench_function("discover", |b| {
        b.iter(|| discover::discover(&config, black_box(&paths)).expect("discovers"))
    });
    g.bench_function("check_in_process", |b| {
        b.iter(|| {
            let found = discover::discover(&config, black_box(&paths)).expect("discovers");
            judge(&config, &found, true, "check")
        })
    });
    g.bench_function("render_json", |b| b.iter(|| black_box(&report).to_json()));
    g.bench_function("render_human", |b| {
        b.iter(|| {
            let mut out = std::io::sink();
            human::write(
                black_box(&report),
                &mut human::Sources::new(&config.root, &config.files),
                &mut out,
            )
            .expect("writes")
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    spec_benches,
    readiness_benches,
    hook_benches,
    gate_benches
);
criterion_main!(benches);

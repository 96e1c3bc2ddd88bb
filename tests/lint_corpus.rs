//! Corpus test of the concrete-command lint.
//!
//! `tests/corpus/specs/` holds realistic specifications that must produce no hit at all;
//! `tests/corpus/runbooks/` and `tests/corpus/adversarial/` hold documents full of commands,
//! each `X.md` labelled by hand in `X.expected` (`LINE<TAB>TOOL` per concrete command, LINE being
//! the 1-based line of the command word). The test prints the figures
//! (`cargo test --test lint_corpus -- --nocapture`) and fails listing every missed or spurious
//! line, so a regression says exactly where to look.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sddgate::lint::{CommandPatterns, find_commands};

/// (1-based line, tool)
type Label = (usize, String);

struct Doc {
    path: PathBuf,
    source: String,
    expected: BTreeSet<Label>,
}

#[derive(Default)]
struct Figures {
    docs: usize,
    bytes: usize,
    labelled: usize,
    found: usize,
    spurious: usize,
    problems: Vec<String>,
    micros: u128,
}

impl Figures {
    fn recall(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.found as f64 / self.labelled as f64
        }
    }
}

fn corpus_dir(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus")
        .join(set)
}

fn load(set: &str, labelled: bool) -> Vec<Doc> {
    let dir = corpus_dir(set);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let source =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let expected = if labelled {
                read_labels(&path.with_extension("expected"))
            } else {
                BTreeSet::new()
            };
            Doc {
                path,
                source,
                expected,
            }
        })
        .collect()
}

fn read_labels(path: &Path) -> BTreeSet<Label> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (line, tool) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("{}: bad label {l:?}", path.display()));
            let line = line
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("{}: bad line number in {l:?}", path.display()));
            (line, tool.trim().to_string())
        })
        .collect()
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset].matches('\n').count() + 1
}

fn line_text(source: &str, line: usize) -> &str {
    source.lines().nth(line - 1).unwrap_or("").trim()
}

fn short_name(path: &Path) -> String {
    let set = path
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{set}/{file}")
}

fn evaluate(docs: &[Doc], pats: &CommandPatterns) -> Figures {
    let mut f = Figures {
        docs: docs.len(),
        ..Figures::default()
    };
    for doc in docs {
        let started = Instant::now();
        let hits = find_commands(&doc.source, pats);
        f.micros += started.elapsed().as_micros();
        f.bytes += doc.source.len();
        let name = short_name(&doc.path);
        let mut got: BTreeSet<Label> = BTreeSet::new();
        for h in &hits {
            assert!(
                h.start < h.end && h.end <= doc.source.len(),
                "{name}: bad range {h:?}"
            );
            assert!(
                doc.source.is_char_boundary(h.start) && doc.source.is_char_boundary(h.end),
                "{name}: range not on char boundaries {h:?}"
            );
            got.insert((line_of(&doc.source, h.start), h.tool.clone()));
        }
        f.labelled += doc.expected.len();
        for label in &doc.expected {
            if got.contains(label) {
                f.found += 1;
            } else {
                f.problems.push(format!(
                    "missed   {name}:{} [{}]  {}",
                    label.0,
                    label.1,
                    line_text(&doc.source, label.0)
                ));
            }
        }
        for label in got.difference(&doc.expected) {
            f.spurious += 1;
            let matched = hits
                .iter()
                .find(|h| line_of(&doc.source, h.start) == label.0 && h.tool == label.1)
                .map(|h| h.matched.as_str())
                .unwrap_or("");
            f.problems.push(format!(
                "spurious {name}:{} [{}] matched {matched:?}  {}",
                label.0,
                label.1,
                line_text(&doc.source, label.0)
            ));
        }
    }
    f
}

#[test]
fn corpus_figures() {
    let pats = CommandPatterns::builtin();
    let specs = evaluate(&load("specs", false), &pats);
    let runbooks = evaluate(&load("runbooks", true), &pats);
    let adversarial = evaluate(&load("adversarial", true), &pats);

    let mut table = String::new();
    let _ = writeln!(table, "\nconcrete-command lint corpus");
    let _ = writeln!(
        table,
        "{:<12} {:>5} {:>9} {:>9} {:>7} {:>8} {:>10}",
        "set", "docs", "labelled", "found", "recall", "spurious", "µs/KiB"
    );
    for (name, f) in [
        ("specs", &specs),
        ("runbooks", &runbooks),
        ("adversarial", &adversarial),
    ] {
        let per_kib = f.micros as f64 / (f.bytes.max(1) as f64 / 1024.0);
        let _ = writeln!(
            table,
            "{name:<12} {:>5} {:>9} {:>9} {:>6.1}% {:>8} {:>10.1}",
            f.docs,
            f.labelled,
            f.found,
            f.recall() * 100.0,
            f.spurious,
            per_kib
        );
    }
    println!("{table}");

    let mut failures = Vec::new();
    if specs.spurious > 0 {
        failures.push(format!("specs must have no hit, got {}", specs.spurious));
    }
    if runbooks.recall() < 0.95 {
        failures.push(format!("runbook recall {:.3} < 0.95", runbooks.recall()));
    }
    if runbooks.spurious > 0 {
        failures.push(format!("runbooks: {} spurious hits", runbooks.spurious));
    }
    if adversarial.recall() < 0.95 {
        failures.push(format!(
            "adversarial recall {:.3} < 0.95",
            adversarial.recall()
        ));
    }
    if adversarial.spurious > 0 {
        failures.push(format!(
            "adversarial: {} spurious hits",
            adversarial.spurious
        ));
    }
    let details: Vec<&String> = specs
        .problems
        .iter()
        .chain(&runbooks.problems)
        .chain(&adversarial.problems)
        .collect();
    for d in &details {
        println!("  {d}");
    }
    assert!(
        failures.is_empty(),
        "{}\n{}\nlines:\n  {}",
        table,
        failures.join("\n"),
        details
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

/// A label file must point at real lines: a stale label would silently lower recall.
#[test]
fn labels_point_at_lines() {
    for set in ["runbooks", "adversarial"] {
        for doc in load(set, true) {
            let lines = doc.source.lines().count();
            for (line, tool) in &doc.expected {
                assert!(
                    *line >= 1 && *line <= lines,
                    "{}: label {line} {tool} beyond the end",
                    doc.path.display()
                );
                assert!(
                    !line_text(&doc.source, *line).is_empty(),
                    "{}: label {line} {tool} on an empty line",
                    doc.path.display()
                );
            }
        }
    }
}

//! The fixtures' expected outcomes are written once, as a table in fixtures/README.md; this
//! test reads that table and holds `sddgate readiness` to every row.

mod common;
use common::*;
use std::collections::BTreeSet;

struct Row {
    file: String,
    verified: u8,
    blockers: BTreeSet<String>,
    decision: String,
    exit: i32,
}

fn backticked(s: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut base = 0;
    while let Some(a) = rest.find('`') {
        let Some(b) = rest[a + 1..].find('`') else {
            break;
        };
        out.push((base + a, rest[a + 1..a + 1 + b].to_string()));
        base += a + b + 2;
        rest = &rest[a + b + 2..];
    }
    out
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(repo_root().join("fixtures/README.md"))
        .expect("fixtures/README.md");
    let section = text
        .split("## Readiness documents")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("readiness table");
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 8, "row shape: {line}");
        let file = backticked(cells[0])[0].1.clone();
        let file = match file.strip_prefix("../") {
            Some(f) => f.to_string(),
            None => format!("fixtures/{file}"),
        };
        let verified: u8 = cells[3]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .expect("verified total");
        // Ids in the blockers cell, except those the cell explicitly rules out ("not `x`").
        let blockers = backticked(cells[5])
            .into_iter()
            .filter(|(at, _)| !cells[5][..*at].trim_end().ends_with("not"))
            .map(|(_, id)| id)
            .collect();
        rows.push(Row {
            file,
            verified,
            blockers,
            decision: cells[6].to_string(),
            exit: cells[7].parse().expect("exit"),
        });
    }
    assert!(
        rows.len() >= 15,
        "expected every fixture in the table, found {}",
        rows.len()
    );
    rows
}

#[test]
fn every_fixture_gives_the_documented_decision_blockers_and_exit_code() {
    let mut failures = Vec::new();
    for row in rows() {
        let r = run(sddgate(), &["readiness", &row.file, "--format", "json"]);
        let v = json(&r);
        let incident = &v["incidents"][0];
        let got: BTreeSet<String> = incident["blockers"]
            .as_array()
            .expect("blockers")
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_string())
            .collect();
        let decision = incident["decision"].as_str().unwrap_or("?");
        let verified = incident["gate"]["verified_total"].as_u64().unwrap_or(99) as u8;
        if r.code != row.exit
            || got != row.blockers
            || decision != row.decision
            || verified != row.verified
        {
            failures.push(format!(
                "{}: exit {} (want {}), decision {decision} (want {}), verified {verified} (want {}), blockers {got:?} (want {:?})",
                row.file, r.code, row.exit, row.decision, row.verified, row.blockers
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures disagree with fixtures/README.md:\n{}",
        failures.join("\n")
    );
}

#[test]
fn check_over_the_fixtures_reports_each_one_and_the_worst_exit_code_wins() {
    let r = run(
        sddgate(),
        &["check", "fixtures/readiness", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v = json(&r);
    let n = v["incidents"].as_array().unwrap().len();
    assert_eq!(
        n,
        rows()
            .iter()
            .filter(|r| r.file.starts_with("fixtures/readiness/"))
            .count()
    );
    assert_eq!(v["summary"]["pass"], 1);
    assert_eq!(v["summary"]["semi_manual"], 1);
    assert_eq!(v["decision"], "block");
}

/// The rows of a `| \`args\` | expected | exit |` table under `## {heading}` in fixtures/README.md.
fn command_rows(heading: &str) -> Vec<(String, String, i32)> {
    let text = std::fs::read_to_string(repo_root().join("fixtures/README.md"))
        .expect("fixtures/README.md");
    let section = text
        .split(&format!("## {heading}"))
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_else(|| panic!("no `## {heading}` table"));
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 3, "row shape: {line}");
            (
                backticked(cells[0])[0].1.clone(),
                cells[1].to_string(),
                cells[2].parse().expect("exit"),
            )
        })
        .collect()
}

#[test]
fn every_dry_run_row_gives_the_documented_outcome() {
    let rows = command_rows("Dry-run");
    assert!(rows.len() >= 7, "{rows:?}");
    let mut failures = Vec::new();
    for (args, expected, exit) in rows {
        let mut argv = vec!["dry-run", "--spec", "specs/high_memory_usage/specify.md"];
        argv.extend(args.split_whitespace());
        let r = run(sddgate(), &argv);
        let out = format!("{}{}", r.stdout, r.stderr);
        let word = expected
            .split([' ', ':', '`'])
            .find(|w| !w.is_empty())
            .unwrap();
        let first = out.lines().next().unwrap_or("");
        let mut problems = Vec::new();
        if r.code != exit {
            problems.push(format!("exit {} (want {exit})", r.code));
        }
        if !first.starts_with(word) {
            problems.push(format!("first line `{first}` (want {word} …)"));
        }
        // Every backticked token of the expected cell is in the output: the reason's id, the
        // precondition's name, the headline.
        for (_, token) in backticked(&expected) {
            if !out.contains(&token) {
                problems.push(format!("output lacks `{token}`"));
            }
        }
        if expected.contains("no admission") && !out.contains("no admission") {
            problems.push("does not say it is no admission".into());
        }
        if expected.contains("never consulted") && out.contains("action_not_pre_approved") {
            problems.push("consulted the action list after a readiness block".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{args}: {}\n{out}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

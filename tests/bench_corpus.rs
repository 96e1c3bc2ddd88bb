//! The benchmark corpus (examples/gen_corpus.rs) is judged as its generator planted it: every
//! incident's decision, the trace log read for every chain, and the planted trace gaps blocked.
//! The end-to-end benchmark only compares totals; this compares incident by incident, on a
//! corpus small enough for a debug build.

mod common;
use common::*;
use std::collections::BTreeMap;

#[allow(dead_code)]
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;

#[test]
fn every_generated_incident_gets_its_planted_decision() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("corpus");
    gen_corpus::run(400, &root, 7).expect("generate the corpus");
    let tsv = std::fs::read_to_string(root.join(".git/sddgate-corpus-expected.tsv")).expect("tsv");
    // readiness path -> (expected decision, missing trace link)
    let mut planted: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut lines = tsv.lines();
    assert_eq!(
        lines.next(),
        Some("dir\texpected\tcommands\tblocker\tsemi\ttrace_gap")
    );
    for line in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 6, "{line}");
        planted.insert(
            format!("{}/readiness.md", cols[0]),
            (cols[1].to_string(), cols[5].to_string()),
        );
    }
    assert_eq!(planted.len(), 400);
    let gaps = planted.values().filter(|(_, g)| g != "-").count();
    assert!(gaps > 0, "seed 7 plants no trace gap: pick another seed");

    let r = run(sddgate_in(&root), &["check", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "blocked incidents exit 1:\n{}", r.stderr);
    let report = json(&r);
    let incidents = report["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 400);
    assert_eq!(report["summary"]["errors"], 0);
    let ids = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .expect("list")
            .iter()
            .map(|v| v["id"].as_str().expect("id").to_string())
            .collect()
    };
    for i in incidents {
        let file = i["readiness"].as_str().expect("readiness");
        let (expected, gap) = &planted[file];
        assert_eq!(i["decision"], expected.as_str(), "{file}");
        // The log was read for every chain: no claim is left unchecked.
        assert!(
            !ids(&i["warnings"]).contains(&"audit_trace_unverified".into()),
            "{file}"
        );
        if gap != "-" {
            let blockers = ids(&i["blockers"]);
            assert!(
                blockers.contains(&"audit_trace_incomplete".into()),
                "{file}: {blockers:?}"
            );
        }
    }
}

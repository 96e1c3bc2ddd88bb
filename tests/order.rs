//! Property: a decision never depends on the order in which files are found or named.

mod common;
use common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// One generated readiness document's facts.
type Facts = ([u8; 5], u8, bool, bool, usize, bool, bool);

fn doc(id: usize, (s, cov, stateful, backup, radius, dry, rollback): Facts) -> String {
    let radius = ["pod", "deployment", "namespace", "cluster"][radius];
    format!(
        "{{\"incident_id\": \"INC-{id}\", \"stateful\": {stateful}, \"backup_verified\": {backup}, \"radius_of_impact\": \"{radius}\", \"dry_run_verified\": {dry}, {}\"scores\": {{\"spec\": {}, \"implementation\": {}, \"verification\": {}, \"process\": {}, \"security\": {}}}, \"audit_trace_coverage\": {}}}",
        if rollback {
            "\"rollback\": \"restore the previous ReplicaSet\", "
        } else {
            ""
        },
        s[0],
        s[1],
        s[2],
        s[3],
        s[4],
        f64::from(cov) / 10.0
    )
}

fn decisions(
    docs: &[String],
    names: &[usize],
    args: &[&str],
) -> BTreeMap<String, (String, Vec<String>)> {
    let repo = temp_repo(&[]);
    for (doc, n) in docs.iter().zip(names) {
        write(repo.path(), &format!("d{n}/readiness.json"), doc);
    }
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let r = run(sddgate_in(repo.path()), &all);
    json(&r)["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let ids = i["blockers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["id"].as_str().unwrap().to_string())
                .collect();
            (
                i["incident_id"].as_str().unwrap().to_string(),
                (i["decision"].as_str().unwrap().to_string(), ids),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn decisions_do_not_depend_on_file_order(
        raw in prop::collection::vec((prop::array::uniform5(0u8..=5), 5u8..=10, any::<bool>(), any::<bool>(), 0usize..4, any::<bool>(), any::<bool>()), 2..6),
        seed in any::<u64>(),
    ) {
        let docs: Vec<String> = raw.iter().enumerate().map(|(i, f)| doc(i, *f)).collect();
        let forward: Vec<usize> = (0..docs.len()).collect();
        let mut shuffled = forward.clone();
        // A deterministic shuffle from the seed: the file names (and so the walk order) change.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let a = decisions(&docs, &forward, &[]);
        let b = decisions(&docs, &shuffled, &[]);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.len(), docs.len());
    }
}

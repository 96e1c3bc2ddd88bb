//! The pre-approved actions block read with the fast YAML reader (`parse::yaml_fast`)
//! against the general parser, typed: the same actions, or the same error.
use super::*;
use proptest::prelude::*;

fn both(block: &str) -> (String, String) {
    let fast = yaml::from_yaml::<YamlActions>("s.md", block, 3);
    let general = yaml::from_yaml_general::<YamlActions>("s.md", block, 3);
    (format!("{fast:?}"), format!("{general:?}"))
}

fn value() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "restart_pod",
        "scale_up_replicas_one",
        "5",
        "true",
        "~",
        "'quoted'",
        "\"dq\"",
        "x y",
        "[stateless, hpa_enabled]",
        "[stateless]",
        "[]",
        "[5, x]",
        "stateless, hpa_enabled",
        "{a: 1}",
        "a # note",
    ])
}

fn item() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec!["name", "name", "requires", "requires", "other"]);
    prop_oneof![
        value().prop_map(|v| format!("- {v}")),
        prop::collection::vec((key, value()), 1..4).prop_map(|entries| {
            let lines: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("- {}", lines.join("\n  "))
        }),
    ]
}

fn block() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "actions:\n",
            "",
            "actions: # c\n",
            "other: 1\nactions:\n",
        ]),
        prop::sample::select(vec!["  ", "  ", "    ", ""]),
        prop::collection::vec(item(), 1..4),
    )
        .prop_map(|(head, pad, items)| {
            let mut out = head.to_string();
            let pad = if head.is_empty() { "" } else { pad };
            for i in items {
                for l in i.lines() {
                    out.push_str(&format!("{pad}{l}\n"));
                }
            }
            out
        })
}

/// The comparison means something only if the fast reader takes a fair share of them.
#[test]
fn the_generator_reaches_the_fast_reader() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = block();
    let taken = (0..1000)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            super::super::yaml_fast::parse(&text).is_some()
        })
        .count();
    assert!(taken >= 200, "only {taken} of 1000 generated blocks taken");
}

#[test]
fn the_blocks_of_the_corpus_shape_read_the_same() {
    let block = "actions:\n  - name: warm_cache_from_snapshot\n    requires: [snapshot_fresh]\n  - name: restart_cache_replica\n    requires: [replica_available]\n";
    assert!(super::super::yaml_fast::parse(block).is_some(), "taken");
    let (fast, general) = both(block);
    assert_eq!(fast, general);
    assert!(fast.contains("restart_cache_replica"), "{fast}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]
    #[test]
    fn generated_action_blocks_read_the_same(text in block()) {
        let (fast, general) = both(&text);
        prop_assert_eq!(fast, general, "{}", text);
    }
}

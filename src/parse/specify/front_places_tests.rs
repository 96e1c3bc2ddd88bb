//! The front matter positions found in one pass (`FrontPlaces`) against the search of the
//! keys for each one, placed by a line index.
use super::*;
use proptest::prelude::*;

fn line() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "incident_type",
        "service",
        "namespace",
        "blast_radius",
        "stateful",
        "owner",
        "\"service\"",
        "'namespace'",
        "  service",
        "  - stateful",
        "\tnamespace",
        "# service",
    ]);
    let value = prop::sample::select(vec![
        "",
        " pod",
        " high_memory_usage",
        "  appointments-api # service: x",
        " \"ledger: writer\"",
        " 'a'",
        " жук",
        " {service: a, stateful: true}",
        " [namespace, x]",
        "\tfalse",
        " \"open",
        " \\\"x\\\"",
        " ~",
    ]);
    (key, value).prop_map(|(k, v)| format!("{k}:{v}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn front_keys_are_placed_where_the_search_finds_them(
        lines in prop::collection::vec(line(), 0..10),
        crlf in any::<bool>(),
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let places = FrontPlaces::new(&text);
        for key in FRONT_KEYS.iter().chain(&["owner", "missing"]) {
            prop_assert_eq!(
                places.at(key),
                front_position_by_search(&text, key),
                "{:?} {}",
                text,
                key
            );
        }
    }
}

#[test]
fn front_keys_are_placed_on_their_lines() {
    let text = "incident_type: x\r\nservice:  жук\r\n  namespace: n\r\nnamespace: 'm'\r\n";
    let places = FrontPlaces::new(text);
    assert_eq!(places.at("incident_type"), (1, 16));
    assert_eq!(places.at("service"), (2, 11));
    assert_eq!(places.at("namespace"), (4, 12));
    assert_eq!(places.at("stateful"), (1, 1));
}

//! The hand-written item and `requires:` matchers against the regexes they implement.
use super::*;
use proptest::prelude::*;

fn by_regex(first: &str) -> Option<ItemName> {
    item_name_by_regex(first)
}

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "-",
        "*",
        "+",
        "1",
        "12",
        "٣",
        "0",
        ".",
        ")",
        " ",
        "  ",
        "\t",
        "\u{a0}",
        "\u{2003}",
        "\r",
        "[",
        "]",
        "[ ]",
        "[x]",
        "[X]",
        "[-]",
        "`",
        "``",
        "restart_pod",
        "a",
        "Z9",
        "_x",
        "x.y:z-w",
        "é",
        "—",
        "(",
        ":",
        "requires",
        "Requires",
        "REQUIREſ",
        "requireſ",
        "require",
        "re",
        "q",
        "\n",
        ",",
        "]",
        "(requires: a, b)",
        "requires:[x]",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]
    #[test]
    fn item_name_is_the_item_regex(parts in prop::collection::vec(piece(), 0..10)) {
        let text = parts.concat();
        let first = text.lines().next().unwrap_or("");
        prop_assert_eq!(item_name(first), by_regex(first), "{:?}", first);
    }

    #[test]
    fn requires_list_is_the_requires_regex(parts in prop::collection::vec(piece(), 0..12)) {
        let text = parts.concat();
        let expected = REQUIRES.captures(&text).map(|c| c.get(1).map_or("", |m| m.as_str()));
        prop_assert_eq!(requires_list(&text), expected, "{:?}", text);
    }
}

/// The generators reach matches, not only refusals.
#[test]
fn the_matchers_match_list_items() {
    for (first, name) in [
        ("- restart_pod (requires: a)", "restart_pod"),
        ("  12) [x] `drain_node` — x", "drain_node"),
        ("*\u{a0}a.b", "a.b"),
        ("٣. x", "x"),
    ] {
        let m = item_name(first).expect(first);
        assert_eq!(&first[m.name.clone()], name);
        assert_eq!(Some(m), by_regex(first));
    }
    assert_eq!(item_name("-x"), None);
    assert_eq!(requires_list("- a (REQUIREſ :\n [b, c])"), Some("b, c"));
    assert_eq!(requires_list("requires no: x requires: y"), Some("y"));
}

//! Property tests: `find_commands` never panics and its ranges are always valid.

use proptest::prelude::*;

use super::hits;

fn check(src: &str) {
    for h in hits(src) {
        assert!(h.start < h.end, "{h:?}");
        assert!(h.end <= src.len(), "{h:?}");
        assert!(
            src.is_char_boundary(h.start) && src.is_char_boundary(h.end),
            "{h:?}"
        );
    }
}

/// Pieces that exercise the interesting paths: tools, operators, quotes, Markdown, entities,
/// invisible and look-alike characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("kubectl".to_string()),
        Just("k".into()),
        Just(" delete ".into()),
        Just("pod".into()),
        Just("\n".into()),
        Just("```".into()),
        Just("`".into()),
        Just("\\".into()),
        Just("'".into()),
        Just("\"".into()),
        Just("$(".into()),
        Just(")".into()),
        Just("|".into()),
        Just("-X".into()),
        Just("curl".into()),
        Just("DELETE /api/v1/namespaces/x".into()),
        Just("DROP TABLE t;".into()),
        Just("&#107;".into()),
        Just("&".into()),
        Just("<!--".into()),
        Just("-->".into()),
        Just("\u{200B}".into()),
        Just("к".into()),
        Just("ｋ".into()),
        Just("**".into()),
        Just("---\n".into()),
        Just("    ".into()),
        Just("- ".into()),
        Just("[\"".into()),
        Just("\",".into()),
        Just("C:\\".into()),
        Just("alias kc=kubectl;".into()),
        Just("$K".into()),
        Just("K=kubectl;".into()),
        // Issue 7: escapes, expansions, overrides, tags, dialects.
        Just("$'".into()),
        Just("\\x6b".into()),
        Just("\\é".into()),
        Just("\\u00".into()),
        Just("${".into()),
        Just("${T:-".into()),
        Just("}".into()),
        Just("{".into()),
        Just(",".into()),
        Just("$@".into()),
        Just("\u{202E}".into()),
        Just("\u{202C}".into()),
        Just("&#x202E;".into()),
        Just("<span>".into()),
        Just("<img alt=\"".into()),
        Just("<td>".into()),
        Just("```powershell\n".into()),
        Just("```bat\n".into()),
        Just("^".into()),
        Just("é".into()),
        Just("\u{ABB6}".into()),
        Just("kc() {".into()),
        Just("export ".into()),
        Just("$(echo ".into()),
        Just("[t](u \"".into()),
        "\\PC{0,6}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings(src in "\\PC*") {
        check(&src);
    }

    #[test]
    fn arbitrary_bytes_as_text(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn structured_documents(pieces in proptest::collection::vec(piece(), 0..40)) {
        check(&pieces.concat());
    }
}

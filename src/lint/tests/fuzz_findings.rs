//! Wrong PASSes found by the `specify` fuzz target (issue 7; `fuzz/README.md`, "Fixed
//! findings"): suppression directives that silenced more than their own text. Each test names
//! the regression input it stands for.

use super::{hits, one};
use crate::lint::directives;

/// The command's hits in `src`: at least one, on the line holding `kubectl delete pod x`.
#[track_caller]
fn reported(src: &str) {
    let at = src
        .find("kubectl delete pod x")
        .expect("the test holds the command");
    let line = |off: usize| src[..off].matches('\n').count();
    let h = hits(src);
    assert!(
        h.iter()
            .any(|h| h.tool == "kubectl" && line(h.start) == line(at)),
        "the command is not reported in {src:?}; hits {h:#?}"
    );
}

/// `directive-in-html-block-drops-earlier-lines`: a directive on a later line of an HTML block
/// dropped the lines of the block before it (the block's end event starts before the
/// directive ends, so it was skipped with it and the block was never scanned), and a
/// directive anywhere on a line dropped the rest of that line.
#[test]
fn a_directive_in_an_html_block_keeps_the_rest_of_the_block() {
    let d = "<!-- sddgate-allow concrete_command_in_spec: quoting the postmortem -->";
    // Lines before the directive, in several kinds of HTML block.
    reported(&format!("<div>\nkubectl delete pod x\n{d}\n</div>\n"));
    reported(&format!(
        "<!t\n\n![sudo kubectl delete pod x](d.png)\n\n{d}\n"
    ));
    reported(&format!("<pre\n\n- sudo kubectl delete pod x\n{d}\n"));
    // The same line, before and after it.
    reported(&format!("<div>kubectl delete pod x {d}</div>\n"));
    reported(&format!("{d} kubectl delete pod x\n"));
    reported(&format!("<div>\n{d}kubectl delete pod x\n</div>\n"));
    // After a directive that spans lines, on its closing line.
    reported("<!-- sddgate-allow concrete_command_in_spec: quoting\n--> kubectl delete pod x\n");
    // The directive's own text stays skipped, in a block and inline.
    assert!(
        hits(
            "Text <!-- sddgate-allow concrete_command_in_spec: was kubectl delete pod x --> more.\n"
        )
        .is_empty()
    );
    assert!(hits(&format!("<div>\n{d}\n</div>\n")).is_empty());
    assert!(
        hits("<div>\n<!-- sddgate-allow concrete_command_in_spec: was kubectl delete pod x -->\n</div>\n")
            .is_empty()
    );
}

/// `directive-unclosed-in-comment`: a directive that never closes silenced the rest of the
/// file; it is an ordinary comment, and comments are scanned.
#[test]
fn an_unclosed_directive_silences_nothing() {
    reported("<!-- sddgate-allow concrete_command_in_spec: reason\n\nkubectl delete pod x\n");
    reported(
        "Text <!-- sddgate-allow concrete_command_in_spec: reason\n\nRun kubectl delete pod x.\n",
    );
    reported("<!--sddgate-allow\n\n```sh\nkubectl delete pod x\n```\n");
    reported(
        "Intro.\n\n<!--sddgate-allow concrete_command_in_spec: r\n\n> sudo kubectl delete pod x\n",
    );
    assert!(directives("<!-- sddgate-allow concrete_command_in_spec: r\n\ntext\n").is_empty());
}

/// `directive-closes-in-later-code-block`: the end of a directive was searched in the raw file,
/// so a `-->` in a later code block (or past the end of the blockquote the comment was opened
/// in) made everything up to it a directive, whole code blocks included. A comment ends with
/// its HTML block.
#[test]
fn a_directive_ends_with_its_html_block() {
    reported("><!--sddgate-allow\n\n```\n-->\n\n> sudo kubectl delete pod x\n```\n");
    reported("<tr <!--sddgate-allow\n\n```\n-->\n![kubectl delete pod x](diagram.png)\n```\n");
    reported(
        "<div>\n<!-- sddgate-allow concrete_command_in_spec: r\n\nkubectl delete pod x\n\n-->\n",
    );
    reported("> <!-- sddgate-allow concrete_command_in_spec: r\n\nsudo kubectl delete pod x -->\n");
    assert!(directives("><!--sddgate-allow\n\n```\n-->\n```\n").is_empty());
}

/// `directive-inside-unclosed-comment`: `<!-- old notes … <!-- sddgate-allow …` is one
/// comment whose first word is not the directive; it silenced the lines after it (to the end
/// of the file when nothing closed it).
#[test]
fn sddgate_allow_inside_another_comment_is_no_directive() {
    reported(
        "<!--\n<!--sddgate-allow\n\n[^r]: kubectl -n prod delete pod x\n\nkubectl delete pod x\n",
    );
    reported(
        "<!-- old approach:\n<!-- sddgate-allow concrete_command_in_spec: r\nkubectl delete pod x\n-->\n",
    );
    reported("<!-- old <!-- sddgate-allow concrete_command_in_spec: r kubectl delete pod x -->\n");
    reported(
        "Text <!-- old <!-- sddgate-allow concrete_command_in_spec: r kubectl delete pod x -->\n",
    );
    // `<!--` inside a tag's quoted value opens no comment: the directive after it is one.
    let after_tag = "<div title=\"<!--\">\n<!-- sddgate-allow concrete_command_in_spec: was kubectl delete pod x -->\n</div>\n";
    assert_eq!(directives(after_tag).len(), 1);
    assert!(hits(after_tag).is_empty());
    // A browser ends a comment at `--!>` and shows what follows: no directive.
    reported("<!-- sddgate-allow concrete_command_in_spec: r --!> kubectl delete pod x -->\n");
    reported("Text <!-- sddgate-allow concrete_command_in_spec: r --!> kubectl delete pod x -->\n");
    // Nor does a word that only starts like the directive.
    one("<!-- sddgate-allowed kubectl delete pod x -->\n", "kubectl");
}

/// Where the directives are: raw HTML comments whose first word is `sddgate-allow` and that
/// close in their HTML block or inline comment; the body is what follows the word.
#[test]
fn directives_are_closed_raw_html_comments() {
    let src = "Intro <!-- sddgate-allow a: inline -->.\n\n\
               <!-- sddgate-allow b: block -->\n\n\
               > <!-- sddgate-allow c: spans\n> two lines -->\n\n\
               `<!-- sddgate-allow d: code -->`\n\n\
               ```\n<!-- sddgate-allow e: code block -->\n```\n";
    let found: Vec<&str> = directives(src)
        .iter()
        .map(|d| src[d.body.clone()].trim())
        .collect();
    assert_eq!(found, ["a: inline", "b: block", "c: spans\n> two lines"]);
    // Empty comments close at once (`<!-->`, `<!--->`): the directive after them is one
    // (found by the fuzzer after the fix, as a panic: `regressions/specify/directive-empty-comment-panic`).
    let empty = "<!--> <!---> <!-- sddgate-allow a: b -->\n\n<!---->\n";
    assert_eq!(directives(empty).len(), 1);
    assert_eq!(directives("<!-->\n").len(), 0);
    for d in directives(src) {
        assert!(src[d.range.clone()].starts_with("<!--"));
        assert!(src[d.range].ends_with("-->"));
    }
}

/// The spec parser reads suppressions from the same directives: none from a comment that
/// never closes, closes past its block, or is inside another comment.
#[test]
fn the_parser_reads_the_same_directives() {
    let config = crate::config::Config::from_text("/r".into(), None, "").expect("config");
    let rules = |src: &str| -> Vec<Vec<String>> {
        crate::parse::specify::parse("s.md", src, &config)
            .expect("parses")
            .suppressions
            .into_iter()
            .map(|s| s.rules)
            .collect()
    };
    let c = || vec!["concrete_command_in_spec".to_string()];
    assert_eq!(
        rules("<!-- sddgate-allow concrete_command_in_spec: r -->\nkubectl delete pod x\n"),
        [c()]
    );
    assert_eq!(
        rules("Text <!-- sddgate-allow concrete_command_in_spec: r --> more\n"),
        [c()]
    );
    assert!(
        rules("<!-- sddgate-allow concrete_command_in_spec: r\n\nkubectl delete pod x\n")
            .is_empty()
    );
    assert!(
        rules("><!-- sddgate-allow concrete_command_in_spec: r\n\n```\n-->\nx\n```\n").is_empty()
    );
    assert!(rules("<!-- a\n<!-- sddgate-allow concrete_command_in_spec: r -->\n").is_empty());
    assert!(rules("`<!-- sddgate-allow concrete_command_in_spec: r` -->\n").is_empty());
}

/// `directive-after-an-unfollowable-tag` (issue 7, session 14 campaign): inside an HTML block,
/// a `<!-- sddgate-allow` that a browser reads as part of a tag (one whose quotes never close)
/// or of a processing instruction (`<?x … >`) is no comment at all, so what follows it is
/// shown; the lint took it for a directive and skipped the command behind it.
#[test]
fn a_comment_inside_a_tag_or_instruction_is_no_directive() {
    reported(
        "<?table>\n<x \"unclosed\n<!-- sddgate-allow concrete_command_in_spec: quoting\n- restart_pod: kubectl delete pod x\n-->\n",
    );
    reported("<?x <!-- sddgate-allow concrete_command_in_spec: y >\nkubectl delete pod x\n-->\n");
    reported("<!X <!-- sddgate-allow concrete_command_in_spec: y >\nkubectl delete pod x\n-->\n");
    // After a complete processing instruction or tag, a directive is one.
    assert!(
        hits("<?x?>\n<!-- sddgate-allow concrete_command_in_spec: was kubectl delete pod x -->\n")
            .is_empty()
    );
    assert!(
        hits("<div title=\"a\">\n<!-- sddgate-allow concrete_command_in_spec: was kubectl delete pod x -->\n</div>\n")
            .is_empty()
    );
    assert_eq!(directives("<?x\n<!-- sddgate-allow a: b -->\n").len(), 0);
    assert_eq!(directives("<?x>\n<!-- sddgate-allow a: b -->\n").len(), 1);
}

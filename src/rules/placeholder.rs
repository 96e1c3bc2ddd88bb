//! `spec_unresolved_placeholder` (preset `spec-kit`): what a spec template leaves for its
//! author to fill in, still there. A spec with an open `[NEEDS CLARIFICATION: …]` question or
//! an untouched `[FEATURE NAME]` has not been written yet, whatever its headings say.

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// One placeholder: its byte range in the spec and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Placeholder {
    pub range: Range<usize>,
    pub question: bool,
}

// A clarification marker always carries its question after a colon: the bare
// `[NEEDS CLARIFICATION]` of a review checklist ("no … markers remain") is a mention, not one.
static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[\s*needs\s+clarification\s*:[^\]\n]*\]?").expect("static regex")
});
static QUESTION_MENTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[\s*NEEDS\s+CLARIFICATION\s*\]$").expect("static regex"));
// Upper-case template slots (`[FEATURE NAME]`, `[DATE]`), the branch slot `[###-feature-name]`
// and the command argument spec-kit substitutes. Four characters at least: `[API]` or `[P]`
// (spec-kit's parallel-task mark) are words, not slots.
static SLOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[[A-Z][A-Z0-9 _/-]{2,}[A-Z0-9]\]|\[#{2,}[^\]\n]*\]|\$ARGUMENTS\b")
        .expect("static regex")
});

/// Placeholders outside code blocks and HTML comments (template guidance lives there and is
/// not the spec's text), in source order. Inline code is searched: spec-kit writes its branch
/// slot as `` `[###-feature-name]` ``. `code` holds the spec's code ranges (blocks and inline).
pub fn find(text: &str, code: &[Range<usize>]) -> Vec<Placeholder> {
    let blocks: Vec<&Range<usize>> = code
        .iter()
        .filter(|r| text.get((*r).clone()).is_some_and(|s| s.contains('\n')))
        .collect();
    let comments = html_comments(text);
    let hidden = |r: &Range<usize>| {
        blocks
            .iter()
            .copied()
            .chain(comments.iter())
            .any(|b| b.start <= r.start && r.start < b.end)
    };
    let mut out: Vec<Placeholder> = QUESTION
        .find_iter(text)
        .map(|m| Placeholder {
            range: m.range(),
            question: true,
        })
        .chain(
            SLOT.find_iter(text)
                .filter(|m| !QUESTION_MENTION.is_match(m.as_str()))
                .map(|m| Placeholder {
                    range: m.range(),
                    question: false,
                }),
        )
        .filter(|p| !hidden(&p.range) && !is_link(text, &p.range))
        .collect();
    out.sort_by_key(|p| p.range.start);
    out.dedup_by(|b, a| a.range.end > b.range.start);
    out
}

/// `[TEXT](…)`, `[TEXT][…]` or a reference definition `[TEXT]: …` at a line start.
fn is_link(text: &str, r: &Range<usize>) -> bool {
    if !text[r.clone()].starts_with('[') {
        return false;
    }
    let after = &text[r.end..];
    if after.starts_with('(') || after.starts_with('[') {
        return true;
    }
    let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
    after.starts_with(':') && text[line_start..r.start].trim().is_empty()
}

fn html_comments(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("<!--") {
        let start = from + i;
        let end = text[start + 4..]
            .find("-->")
            .map_or(text.len(), |j| start + 4 + j + 3);
        out.push(start..end);
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        find(text, &[])
            .iter()
            .map(|p| &text[p.range.clone()])
            .collect()
    }

    #[test]
    fn markers_and_slots_are_found_words_and_links_are_not() {
        let t = "# Feature Specification: [FEATURE NAME]\n**Created**: [DATE]\n- FR-6: sign-in via [NEEDS CLARIFICATION: which provider?]\n- no [NEEDS CLARIFICATION] markers remain\n- [P] runs in parallel; the [API] stays\n- see [RUNBOOK](x.md) and [GLOSSARY][g]\n[GLOSSARY]: g.md\nInput: \"$ARGUMENTS\" on `[###-feature-name]`\n";
        assert_eq!(
            found(t),
            [
                "[FEATURE NAME]",
                "[DATE]",
                "[NEEDS CLARIFICATION: which provider?]",
                "$ARGUMENTS",
                "[###-feature-name]",
            ]
        );
    }

    #[test]
    fn code_blocks_and_comments_are_not_searched() {
        let t = "<!-- replace [FEATURE NAME] -->\n```\n[NEEDS CLARIFICATION: x]\n```\n[DATE]\n";
        let block = t.find("```").unwrap()..t.find("[DATE]").unwrap();
        let got: Vec<&str> = find(t, &[block])
            .iter()
            .map(|p| &t[p.range.clone()])
            .collect();
        assert_eq!(got, ["[DATE]"]);
        // An unclosed comment hides the rest, as it does when rendered.
        assert!(found("<!-- [DATE]\n[FEATURE]\n").is_empty());
    }
}

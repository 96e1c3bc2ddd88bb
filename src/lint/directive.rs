//! Suppression directives (`<!-- sddgate-allow RULE: reason -->`): where they are.
//!
//! One definition for the two readers that must agree on it: the spec parser, which reads a
//! directive's rules and reason ([`crate::parse::specify`]), and the command lint, which
//! skips the directive's own text and nothing else ([`super::regions`]).
//!
//! A directive is an HTML comment, as the Markdown parser sees HTML, that
//! - is raw HTML (a comment in an HTML block, or an inline comment), not text or code;
//! - starts a comment: `<!--` inside another comment (`<!-- a <!-- sddgate-allow …`) is part
//!   of that comment, whose first word is not the directive;
//! - has `sddgate-allow` as its first word;
//! - holds no `--!>` (which ends a comment for a browser, showing what follows);
//! - is not inside a tag, a processing instruction (`<?…>`) or a declaration (`<!…>`) as a
//!   browser reads them: after a tag this reader cannot follow to its end, no comment of the
//!   same HTML block is a directive;
//! - closes (`-->`) inside the same HTML block or inline comment. A comment that never closes,
//!   or whose `-->` lies past the end of its HTML block (in a later code block, outside the
//!   blockquote it was opened in), is an ordinary comment: it silences nothing, and what it
//!   holds is scanned like any comment.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::regions::{html_tag, markdown_options};

/// The word that makes a comment a directive.
const DIRECTIVE: &str = "sddgate-allow";

/// One suppression directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// From `<!--` to just past `-->`, in the source.
    pub range: Range<usize>,
    /// What follows `sddgate-allow`, up to `-->` (the rules and the reason), in the source.
    pub body: Range<usize>,
}

/// Every directive of a Markdown file, in order (front matter is YAML: it holds none).
pub fn directives(source: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    if !source.contains(DIRECTIVE) {
        return out;
    }
    // The source ranges of the current HTML block's lines.
    let mut block: Option<Vec<Range<usize>>> = None;
    for (event, range) in Parser::new_ext(source, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some(Vec::new()),
            Event::Html(_) => {
                if let Some(lines) = block.as_mut() {
                    lines.push(range);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(lines) = block.take() {
                    block_directives(source, &lines, &mut out);
                }
            }
            Event::InlineHtml(_) => {
                let Some(raw) = source.get(range.clone()) else {
                    continue;
                };
                // An inline comment is one event, from `<!--` to its `-->`.
                if raw.starts_with("<!--")
                    && raw.len() >= 7
                    && raw.ends_with("-->")
                    && let Some(body) = directive_body(&raw[4..raw.len() - 3])
                {
                    out.push(Directive {
                        body: range.start + 4 + body.start..range.start + 4 + body.end,
                        range,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The directives of one HTML block, given the source ranges of its lines (a blockquote's
/// `>` markers and a list item's indentation lie between them, outside the block).
fn block_directives(source: &str, lines: &[Range<usize>], out: &mut Vec<Directive>) {
    let mut html = String::new();
    // (offset in `html`, offset in `source`) where each line starts.
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(lines.len());
    for r in lines {
        let Some(line) = source.get(r.clone()) else {
            return;
        };
        starts.push((html.len(), r.start));
        html.push_str(line);
    }
    let to_source = |p: usize| {
        let i = starts.partition_point(|&(h, _)| h <= p).saturating_sub(1);
        starts.get(i).map_or(p, |&(h, s)| s + (p - h))
    };
    let mut i = 0;
    while let Some(p) = html.get(i..).and_then(|rest| rest.find('<')) {
        let lt = i + p;
        let rest = &html[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            // `<!-->` and `<!--->` are whole (empty) comments.
            if after.starts_with('>') {
                i = lt + 5;
                continue;
            }
            if after.starts_with("->") {
                i = lt + 6;
                continue;
            }
            let Some(c) = after.find("-->") else {
                // Never closes in this block: an ordinary comment to the block's end.
                return;
            };
            let close = lt + 4 + c + 3;
            if let Some(body) = directive_body(&after[..c]) {
                out.push(Directive {
                    range: to_source(lt)..to_source(close - 1) + 1,
                    body: to_source(lt + 4 + body.start)..to_source(lt + 4 + body.end),
                });
            }
            i = close;
        } else if rest.starts_with("<?")
            || rest.starts_with("<!")
            || (rest.starts_with("</") && !rest[2..].starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            // A processing instruction, a declaration or a bogus end tag: a browser reads it
            // as a comment up to the first `>`, `<!--` included (`<?x <!-- sddgate-allow … >`
            // shows what follows the `>`). Without a `>` it runs to the end of the block.
            match rest.find('>') {
                Some(p) => i = lt + p + 1,
                None => return,
            }
        } else if rest.starts_with('<')
            && rest[1..]
                .trim_start_matches('/')
                .starts_with(|c: char| c.is_ascii_alphabetic())
        {
            // A tag: `<!--` inside it (a quoted attribute value, or anywhere before its `>`)
            // opens no comment. One this reader cannot follow to its end (a quote that never
            // closes, a tag longer than it reads) may end anywhere for a browser: no comment
            // after it in this block is taken for a directive, so what follows is scanned.
            match html_tag(rest) {
                Some(tag) => i = lt + tag.len,
                None => return,
            }
        } else {
            i = lt + 1;
        }
    }
}

/// If a comment's content (between `<!--` and `-->`) is a directive, the range of what
/// follows `sddgate-allow` in it.
fn directive_body(content: &str) -> Option<Range<usize>> {
    // A browser ends a comment at `--!>` as well: what follows it is shown, so a comment
    // holding one is no directive (it is scanned like any comment).
    if content.contains("--!>") {
        return None;
    }
    let lead = content.len() - content.trim_start().len();
    let after = content[lead..].strip_prefix(DIRECTIVE)?;
    // A whole word: not `sddgate-allowed`, `sddgate-allow-list`.
    if after
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let start = lead + DIRECTIVE.len();
    Some(start..content.len())
}

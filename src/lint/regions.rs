//! Markdown regions: splits a file into units of code and prose, normalized, with offset maps.
//!
//! Owns the decision of what counts as code (fenced, tilde and indented blocks, inline code
//! spans) and what is prose (everything a reader sees as text: headings, paragraphs, table
//! cells, link text, raw HTML, HTML comments, YAML front matter). Prose is assembled from the
//! parser's text events, so emphasis markers, backslash escapes and entities are already gone
//! and `kube**ctl**` reads as it renders. Raw HTML is read as it renders too: inline tags vanish
//! (`ku<span></span>bectl`), other tags separate words, `alt`/`title` values and link titles
//! are read, and a tag that is no HTML element (`<kubectl delete pod x>`) is read as written.
//! Front matter has its YAML escapes decoded. Suppression directives
//! (`<!-- sddgate-allow … -->`, as [`super::directive`] defines them) are skipped, and nothing
//! else: the text around them is read.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::Context;
use super::directive::directives;
use super::normalize::NormText;

/// How a unit's text is split into lines and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// A fenced or indented code block; `lang` is the lowercased first word of the info string.
    CodeBlock { lang: String },
    /// An inline code span: one logical line.
    CodeSpan,
    /// A paragraph, heading, list item text or table cell: line breaks are plain whitespace.
    Prose,
    /// Front matter and raw HTML blocks: every line stands alone.
    ProseLines,
}

/// A piece of the file scanned as a whole.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub(crate) kind: UnitKind,
    pub(crate) text: NormText,
}

impl Unit {
    pub(crate) fn context(&self) -> Context {
        match self.kind {
            UnitKind::CodeBlock { .. } | UnitKind::CodeSpan => Context::Code,
            UnitKind::Prose | UnitKind::ProseLines => Context::Prose,
        }
    }
}

/// The Markdown extensions a spec is read with (GitHub's, front matter as a YAML block).
pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// A file's Markdown events as the lint reads them ([`markdown_options`]), with their source
/// ranges, and the titles of its reference definitions. Parsed once per spec and shared with
/// the spec parser (`parse::specify`), which reads the same events where they are provably
/// the ones its own options would give.
pub struct Markdown<'a> {
    events: Vec<(Event<'a>, Range<usize>)>,
    /// Reference definition titles and the definitions' ranges, in the parser's order.
    titles: Vec<(String, Range<usize>)>,
}

impl<'a> Markdown<'a> {
    pub fn parse(source: &'a str) -> Markdown<'a> {
        let parser = Parser::new_ext(source, markdown_options()).into_offset_iter();
        let titles = parser
            .reference_definitions()
            .iter()
            .filter_map(|(_, def)| Some((def.title.as_deref()?.to_string(), def.span.clone())))
            .collect();
        // About one event per dozen bytes in prose-heavy specs: sized once, not grown.
        let mut events = Vec::with_capacity(source.len() / 12 + 8);
        events.extend(parser);
        Markdown { events, titles }
    }

    /// The events in source order, ranges absolute.
    pub(crate) fn events(&self) -> &[(Event<'a>, Range<usize>)] {
        &self.events
    }
}

/// Splits `source`, parsed as `md`, into units and hands each to `sink`, in source order (a
/// code span before the paragraph around it, as it is completed first). Empty units are
/// dropped. The units' buffers are reused, so a unit lives only as long as the call that
/// receives it.
pub(crate) fn each_unit(source: &str, md: &Markdown<'_>, sink: &mut dyn FnMut(&Unit)) {
    // The emptied buffers of the thread's previous file, so that a file's units do not grow
    // new ones from nothing.
    let mut spare = SPARE.with(|pool| std::mem::take(&mut *pool.borrow_mut()));
    let prose = spare.pop().unwrap_or_default();
    let mut b = Builder {
        source,
        sink,
        spare,
        prose,
        code: None,
    };
    let mut in_meta = false;
    let mut html: Option<NormText> = None;
    // The source ranges of the suppression directives, in order.
    let skipped: Vec<Range<usize>> = directives(source).into_iter().map(|d| d.range).collect();

    // Titles of reference definitions (`[ops]: https://… "title"`) show as tooltips.
    for (title, span) in &md.titles {
        b.title(title, span.clone());
    }
    for (event, range) in &md.events {
        let range = range.clone();
        if within(&skipped, &range) {
            continue;
        }
        match event {
            Event::Start(Tag::Link { title, .. } | Tag::Image { title, .. })
                if !title.is_empty() =>
            {
                b.title(title, range.clone());
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                b.flush_prose(UnitKind::Prose);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                b.code = Some((b.fresh(), lang));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((text, lang)) = b.code.take() {
                    b.push_unit(UnitKind::CodeBlock { lang }, text);
                }
            }
            Event::Start(Tag::MetadataBlock(_)) => {
                b.flush_prose(UnitKind::Prose);
                in_meta = true;
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                b.flush_prose(UnitKind::ProseLines);
                in_meta = false;
            }
            Event::Start(Tag::HtmlBlock) => {
                b.flush_prose(UnitKind::Prose);
                html = Some(b.fresh());
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(text) = html.take() {
                    b.push_unit(UnitKind::ProseLines, text);
                }
            }
            Event::Text(text) => {
                if let Some((code, _)) = b.code.as_mut() {
                    push_text(code, source, text, range, false);
                } else {
                    push_text(&mut b.prose, source, text, range, in_meta);
                }
            }
            Event::Code(_) => {
                b.prose.push_separator(' ', range.start);
                b.code_span(range);
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                if let Some(block) = html.as_mut() {
                    // A line of an HTML block: read without the directives in it (the text
                    // before and after one on the same line is read).
                    let parts = outside(&skipped, &range);
                    match parts.as_slice() {
                        [whole] if *whole == range => push_html(block, text, range.start),
                        _ => {
                            for r in parts {
                                if let Some(part) = source.get(r.clone()) {
                                    push_html(block, part, r.start);
                                }
                            }
                        }
                    }
                } else if text.trim_start().starts_with("<!--") {
                    // A comment inside a paragraph: scanned on its own, and the text around it
                    // is joined as it renders (`kube<!-- -->ctl` reads `kubectl`).
                    let mut unit = b.fresh();
                    unit.push_source(text, range.start, true);
                    b.push_unit(UnitKind::ProseLines, unit);
                } else if let Some(tag) = html_tag(text) {
                    // An inline tag renders as nothing (the text around it is joined), but
                    // what it says is read: `alt`/`title` values, and the whole of a tag that
                    // is no HTML element (`<kubectl delete pod x>`).
                    let mut unit = b.fresh();
                    if tag.class == TagClass::Unknown {
                        unit.push_source(text, range.start, true);
                    }
                    for r in &tag.values {
                        unit.push_separator(' ', range.start + r.start);
                        unit.push_source(&text[r.clone()], range.start + r.start, true);
                    }
                    b.push_unit(UnitKind::ProseLines, unit);
                }
            }
            Event::SoftBreak | Event::HardBreak => b.prose.push_separator('\n', range.start),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) | Event::Rule => {
                b.prose.push_separator(' ', range.start);
            }
            Event::Start(tag) if !is_inline(tag) => b.flush_prose(UnitKind::Prose),
            Event::End(tag) if !is_inline_end(tag) => b.flush_prose(UnitKind::Prose),
            _ => {}
        }
    }
    b.flush_prose(UnitKind::Prose);
    let mut spare = std::mem::take(&mut b.spare);
    let mut prose = std::mem::take(&mut b.prose);
    prose.clear();
    spare.push(prose);
    // A few buffers are kept, none that a huge file made huge.
    spare.retain(|t| t.capacity() <= SPARE_BYTES);
    spare.truncate(SPARE_COUNT);
    SPARE.with(|pool| *pool.borrow_mut() = spare);
}

/// How many emptied unit buffers a thread keeps from one file to the next, and the largest.
const SPARE_COUNT: usize = 8;
const SPARE_BYTES: usize = 1 << 20;

thread_local! {
    /// Emptied unit buffers ([`NormText::clear`]), for the next file.
    static SPARE: std::cell::RefCell<Vec<NormText>> = const { std::cell::RefCell::new(Vec::new()) };
}

struct Builder<'a> {
    source: &'a str,
    sink: &'a mut dyn FnMut(&Unit),
    /// Emptied buffers of units already handed over, for the next ones.
    spare: Vec<NormText>,
    prose: NormText,
    code: Option<(NormText, String)>,
}

impl Builder<'_> {
    /// An empty buffer for a unit.
    fn fresh(&mut self) -> NormText {
        self.spare.pop().unwrap_or_default()
    }

    fn flush_prose(&mut self, kind: UnitKind) {
        if self.prose.text.is_empty() {
            return;
        }
        let next = self.fresh();
        let text = std::mem::replace(&mut self.prose, next);
        self.push_unit(kind, text);
    }

    fn push_unit(&mut self, kind: UnitKind, text: NormText) {
        let unit = Unit { kind, text };
        if !unit.text.text.trim().is_empty() {
            (self.sink)(&unit);
        }
        let mut text = unit.text;
        text.clear();
        self.spare.push(text);
    }

    /// A link or image title written in `range` (inline, or in a reference definition):
    /// scanned on its own. A title that is not there verbatim (escaped, or the title of the
    /// reference definition a link uses) is left to where it is written.
    fn title(&mut self, title: &str, range: std::ops::Range<usize>) {
        let Some(p) = self.source.get(range.clone()).and_then(|s| s.rfind(title)) else {
            return;
        };
        let mut unit = self.fresh();
        unit.push_source(title, range.start + p, true);
        self.push_unit(UnitKind::ProseLines, unit);
    }

    /// The content of an inline code span, taken from the source between its backtick runs.
    fn code_span(&mut self, range: std::ops::Range<usize>) {
        let Some(raw) = self.source.get(range.clone()) else {
            return;
        };
        let ticks = raw.bytes().take_while(|&b| b == b'`').count();
        let inner_end = raw.len().saturating_sub(ticks);
        if inner_end <= ticks {
            return;
        }
        let Some(inner) = raw.get(ticks..inner_end) else {
            return;
        };
        let mut unit = self.fresh();
        unit.push_source(inner, range.start + ticks, false);
        self.push_unit(UnitKind::CodeSpan, unit);
    }
}

/// Appends a text event: verbatim when it matches the source, otherwise (an entity the parser
/// decoded) as a replacement for its whole source range.
fn push_text(
    out: &mut NormText,
    source: &str,
    text: &str,
    range: std::ops::Range<usize>,
    decode_entities: bool,
) {
    match source.get(range.clone()) {
        // Front matter: YAML escapes and entities are decoded.
        Some(raw) if raw == text && decode_entities => out.push_yaml(text, range.start),
        Some(raw) if raw == text => out.push_source(text, range.start, false),
        _ => out.push_decoded(text, range),
    }
}

/// Whether `r` lies inside one of the sorted, disjoint `ranges`.
fn within(ranges: &[Range<usize>], r: &Range<usize>) -> bool {
    let i = ranges.partition_point(|s| s.end <= r.start);
    ranges
        .get(i)
        .is_some_and(|s| s.start <= r.start && r.end <= s.end)
}

/// The parts of `r` outside the sorted, disjoint `ranges`.
fn outside(ranges: &[Range<usize>], r: &Range<usize>) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut from = r.start;
    let first = ranges.partition_point(|s| s.end <= r.start);
    for s in ranges[first..].iter().take_while(|s| s.start < r.end) {
        if s.start > from {
            parts.push(from..s.start);
        }
        from = from.max(s.end);
    }
    if from < r.end {
        parts.push(from..r.end);
    }
    parts
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// How a tag renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagClass {
    /// Inline formatting: renders as nothing, words on both sides join (`ku<span></span>bectl`).
    Inline,
    /// Any other HTML element: separates words like a space.
    Other,
    /// Not an HTML element name (`<kubectl delete pod x>`): the reader sees its text.
    Unknown,
}

/// A tag at the start of a string.
#[derive(Debug)]
pub(super) struct HtmlTag {
    /// Bytes up to and including the closing `>`.
    pub(super) len: usize,
    class: TagClass,
    /// Ranges of the `alt`, `title` and `aria-label` values (shown to the reader).
    values: Vec<std::ops::Range<usize>>,
}

const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "sup", "time", "tt", "u", "var", "wbr",
];

const OTHER_TAGS: &[&str] = &[
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "menu",
    "meta",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "path",
    "picture",
    "pre",
    "rp",
    "rt",
    "ruby",
    "script",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "video",
];

/// Parses the tag at the start of `s` (`<name attr="v">`, `</name>`).
pub(super) fn html_tag(s: &str) -> Option<HtmlTag> {
    let b = s.as_bytes();
    let mut i = 1 + usize::from(b.get(1) == Some(&b'/'));
    let name_start = i;
    if !b.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        i += 1;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut values = Vec::new();
    let mut attr_start = None;
    while i < b.len() && i < 2048 {
        match b[i] {
            b'>' => {
                let class = if INLINE_TAGS.contains(&name.as_str()) {
                    TagClass::Inline
                } else if OTHER_TAGS.contains(&name.as_str()) {
                    TagClass::Other
                } else {
                    TagClass::Unknown
                };
                return Some(HtmlTag {
                    len: i + 1,
                    class,
                    values,
                });
            }
            b'"' | b'\'' => {
                let q = b[i];
                let close = s[i + 1..].find(q as char).map(|p| i + 1 + p)?;
                let attr = attr_start.and_then(|a: usize| s.get(a..i));
                let shown = attr.is_some_and(|a| {
                    let a = a.trim_end().trim_end_matches('=').trim_end();
                    ["alt", "title", "aria-label"]
                        .iter()
                        .any(|n| a.eq_ignore_ascii_case(n))
                });
                if shown {
                    values.push(i + 1..close);
                }
                attr_start = None;
                i = close + 1;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
            }
            _ => {
                if attr_start.is_none() || (b[i - 1].is_ascii_whitespace() && b[i] != b'=') {
                    attr_start = Some(i);
                }
                i += 1;
            }
        }
    }
    None
}

/// Appends the text of a raw HTML block as it renders: inline tags vanish, other tags separate
/// words, `alt`/`title` values are read, comments and unknown tags stay as written.
fn push_html(out: &mut NormText, html: &str, at: usize) {
    let mut from = 0;
    let mut i = 0;
    while let Some(p) = html[i..].find('<') {
        let lt = i + p;
        if html[lt..].starts_with("<!--") {
            i = html[lt..].find("-->").map_or(html.len(), |c| lt + c + 3);
            continue;
        }
        let Some(tag) = html_tag(&html[lt..]) else {
            i = lt + 1;
            continue;
        };
        if tag.class != TagClass::Unknown {
            out.push_source(&html[from..lt], at + from, true);
            if tag.class == TagClass::Other || !tag.values.is_empty() {
                out.push_separator(' ', at + lt);
            }
            for r in &tag.values {
                out.push_source(&html[lt + r.start..lt + r.end], at + lt + r.start, true);
                out.push_separator(' ', at + lt + r.end);
            }
            from = lt + tag.len;
        }
        i = lt + tag.len;
    }
    out.push_source(&html[from..], at + from, true);
}

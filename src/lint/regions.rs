//! Markdown regions: splits a file into units of code and prose, normalized, with offset maps.
//!
//! Owns the decision of what counts as code (fenced, tilde and indented blocks, inline code
//! spans) and what is prose (everything a reader sees as text: headings, paragraphs, table
//! cells, link text, raw HTML, HTML comments, YAML front matter). Prose is assembled from the
//! parser's text events, so emphasis markers, backslash escapes and entities are already gone
//! and `kube**ctl**` reads as it renders. `<!-- sddgate-allow … -->` comments are skipped.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::Context;
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

const DIRECTIVE: &str = "sddgate-allow";

/// Splits `source` into units. Empty units are dropped.
pub(crate) fn units(source: &str) -> Vec<Unit> {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);

    let mut b = Builder {
        source,
        units: Vec::new(),
        prose: NormText::default(),
        code: None,
    };
    let mut in_meta = false;
    let mut html: Option<NormText> = None;
    // Events starting before this offset belong to a suppression directive.
    let mut suppressed_until = 0usize;

    for (event, range) in Parser::new_ext(source, opts).into_offset_iter() {
        if range.start < suppressed_until {
            continue;
        }
        match event {
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
                b.code = Some((NormText::default(), lang));
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
                html = Some(NormText::default());
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(text) = html.take() {
                    b.push_unit(UnitKind::ProseLines, text);
                }
            }
            Event::Text(text) => {
                if let Some((code, _)) = b.code.as_mut() {
                    push_text(code, source, &text, range, false);
                } else {
                    push_text(&mut b.prose, source, &text, range, in_meta);
                }
            }
            Event::Code(_) => {
                b.prose.push_separator(' ', range.start);
                b.code_span(range);
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                if let Some(end) = directive_end(source, &text, range.start) {
                    suppressed_until = end;
                    continue;
                }
                if let Some(block) = html.as_mut() {
                    block.push_source(&text, range.start, true);
                } else if text.trim_start().starts_with("<!--") {
                    // A comment inside a paragraph: scanned on its own, and the text around it
                    // is joined as it renders (`kube<!-- -->ctl` reads `kubectl`).
                    let mut unit = NormText::default();
                    unit.push_source(&text, range.start, true);
                    b.push_unit(UnitKind::ProseLines, unit);
                }
            }
            Event::SoftBreak | Event::HardBreak => b.prose.push_separator('\n', range.start),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) | Event::Rule => {
                b.prose.push_separator(' ', range.start);
            }
            Event::Start(tag) if !is_inline(&tag) => b.flush_prose(UnitKind::Prose),
            Event::End(tag) if !is_inline_end(&tag) => b.flush_prose(UnitKind::Prose),
            _ => {}
        }
    }
    b.flush_prose(UnitKind::Prose);
    b.units
}

struct Builder<'a> {
    source: &'a str,
    units: Vec<Unit>,
    prose: NormText,
    code: Option<(NormText, String)>,
}

impl Builder<'_> {
    fn flush_prose(&mut self, kind: UnitKind) {
        let text = std::mem::take(&mut self.prose);
        self.push_unit(kind, text);
    }

    fn push_unit(&mut self, kind: UnitKind, text: NormText) {
        if !text.text.trim().is_empty() {
            self.units.push(Unit { kind, text });
        }
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
        let mut unit = NormText::default();
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
        Some(raw) if raw == text => out.push_source(text, range.start, decode_entities),
        _ => out.push_decoded(text, range),
    }
}

/// If `html` opens a suppression directive, the source offset just past its `-->`.
fn directive_end(source: &str, html: &str, at: usize) -> Option<usize> {
    let open = html.find("<!--")?;
    if !html[open + 4..].trim_start().starts_with(DIRECTIVE) {
        return None;
    }
    let from = at + open;
    let rest = source.get(from..)?;
    Some(match rest.find("-->") {
        Some(close) => from + close + 3,
        None => source.len(),
    })
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

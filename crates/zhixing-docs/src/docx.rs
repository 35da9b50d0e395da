//! Filled paragraphs → DOCX bytes, in the layout Chinese courts use for their documents.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Footer, InstrNUMPAGES, InstrPAGE, InstrText,
    LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType,
};

use crate::DocError;
use crate::template::Style;

/// Title font (court name and document name).
pub const FONT_TITLE: &str = "方正小标宋简体";
/// Body font.
pub const FONT_BODY: &str = "仿宋_GB2312";
/// 二号 (22 pt) in half-points.
pub const SIZE_TITLE: usize = 44;
/// 三号 (16 pt) in half-points.
pub const SIZE_BODY: usize = 32;
/// 四号 (14 pt) in half-points: the page footer (`@footer` lines).
pub const SIZE_FOOTER: usize = 28;

/// Twips per millimetre is 1440 / 25.4 ≈ 56.69; the margins below are rounded.
const MARGIN_TOP: i32 = 2098; // 37 mm
const MARGIN_BOTTOM: i32 = 1984; // 35 mm
const MARGIN_LEFT: i32 = 1587; // 28 mm
const MARGIN_RIGHT: i32 = 1474; // 26 mm
/// A4 portrait in twips (210 × 297 mm).
const A4_WIDTH: u32 = 11906;
const A4_HEIGHT: u32 = 16838;
/// One 三号 character is 16 pt = 320 twips.
const CHAR_TWIPS: i32 = 320;
/// Fixed body line height: 28 pt (GB/T 9704: 22 lines per page on A4).
const LINE_TWIPS: i32 = 560;

/// A body paragraph with its placeholders filled in. `\n` in the text is a line break inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filled {
    pub style: Style,
    pub text: String,
}

/// A piece of a filled footer line. The page number and count are kept apart from the text (which
/// may hold anything a user typed) so that they can only come from `{{page}}` / `{{pages}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FooterPart {
    /// Literal text and filled fields; `\n` is a line break.
    Text(String),
    /// The current page number: a `PAGE` field.
    PageNumber,
    /// The total page count: a `NUMPAGES` field.
    PageCount,
}

/// A template filled in: the body paragraphs in order, and the `@footer` lines, which go into the
/// page footer (every page) rather than the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FilledDoc {
    pub body: Vec<Filled>,
    pub footer: Vec<Vec<FooterPart>>,
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(name)
        .ascii(name)
        .hi_ansi(name)
        .cs(name)
}

fn run(text: &str, font: &str, size: usize, bold: bool) -> Run {
    let mut run = Run::new().fonts(fonts(font)).size(size);
    if bold {
        run = run.bold();
    }
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn paragraph(filled: &Filled) -> Paragraph {
    let body_spacing = LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE_TWIPS);
    let text = filled.text.as_str();
    match filled.style {
        Style::Court => Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(text, FONT_TITLE, SIZE_TITLE, true)),
        Style::Title => Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(156).after(156))
            .add_run(run(text, FONT_TITLE, SIZE_TITLE, false)),
        Style::Number => Paragraph::new()
            .align(AlignmentType::Right)
            .line_spacing(body_spacing)
            .add_run(run(text, FONT_BODY, SIZE_BODY, false)),
        Style::Body => Paragraph::new()
            .align(AlignmentType::Both)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(2 * CHAR_TWIPS)),
                None,
                None,
            )
            .line_spacing(body_spacing)
            .add_run(run(text, FONT_BODY, SIZE_BODY, false)),
        Style::Left => Paragraph::new()
            .align(AlignmentType::Both)
            .line_spacing(body_spacing)
            .add_run(run(text, FONT_BODY, SIZE_BODY, false)),
        Style::Center => Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(body_spacing)
            .add_run(run(text, FONT_BODY, SIZE_BODY, false)),
        // Signature, court name, date and seal sit four characters in from the right margin.
        Style::Right | Style::Seal => Paragraph::new()
            .align(AlignmentType::Right)
            .indent(None, None, Some(4 * CHAR_TWIPS), None)
            .line_spacing(body_spacing)
            .add_run(run(text, FONT_BODY, SIZE_BODY, false)),
        Style::Blank => Paragraph::new()
            .line_spacing(body_spacing)
            .add_run(Run::new().fonts(fonts(FONT_BODY)).size(SIZE_BODY)),
        // `fill` puts `@footer` lines into `FilledDoc::footer`, never into the body; should one
        // get here, it is laid out like a footer line.
        Style::Footer => footer_paragraph(&[FooterPart::Text(filled.text.clone())]),
    }
}

/// A field (`PAGE`, `NUMPAGES`) in the footer's font and size, as Word writes one: a run each for
/// begin, instruction, separate, the cached result (「1」, replaced when the page is laid out) and
/// end, every run with the footer's run properties. Not docx-rs's `PageNum` / `NumPages`: they put
/// all of it in one run without properties, so the number comes out in the document's default
/// size (三号) beside 四号 text, and LibreOffice ignores run properties on such a one-run field.
fn add_field(paragraph: Paragraph, instr: InstrText) -> Paragraph {
    let styled = || Run::new().fonts(fonts(FONT_BODY)).size(SIZE_FOOTER);
    paragraph
        .add_run(styled().add_field_char(FieldCharType::Begin, false))
        .add_run(styled().add_instr_text(instr))
        .add_run(styled().add_field_char(FieldCharType::Separate, false))
        .add_run(styled().add_text("1"))
        .add_run(styled().add_field_char(FieldCharType::End, false))
}

/// A footer line: 仿宋_GB2312 四号, left aligned, no indent; Word / LibreOffice fill in the page
/// number and count on each page.
fn footer_paragraph(parts: &[FooterPart]) -> Paragraph {
    parts.iter().fold(
        Paragraph::new().align(AlignmentType::Left),
        |p, part| match part {
            FooterPart::Text(text) => p.add_run(run(text, FONT_BODY, SIZE_FOOTER, false)),
            FooterPart::PageNumber => add_field(p, InstrText::PAGE(InstrPAGE::new())),
            FooterPart::PageCount => add_field(p, InstrText::NUMPAGES(InstrNUMPAGES::new())),
        },
    )
}

/// Builds the DOCX file. The footer lines, if any, make one default footer (`word/footer1.xml`),
/// which Word and LibreOffice repeat on every page; without them there is no footer part at all.
pub(crate) fn build(doc: &FilledDoc) -> Result<Vec<u8>, DocError> {
    let margin = PageMargin::new()
        .top(MARGIN_TOP)
        .bottom(MARGIN_BOTTOM)
        .left(MARGIN_LEFT)
        .right(MARGIN_RIGHT)
        .header(851)
        .footer(992);
    let mut docx = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(margin)
        .default_fonts(fonts(FONT_BODY))
        .default_size(SIZE_BODY);
    for filled in &doc.body {
        docx = docx.add_paragraph(paragraph(filled));
    }
    if !doc.footer.is_empty() {
        let footer = doc.footer.iter().fold(Footer::new(), |f, line| {
            f.add_paragraph(footer_paragraph(line))
        });
        docx = docx.footer(footer);
    }
    let mut out = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| DocError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

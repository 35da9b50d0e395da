//! The template language: one paragraph per line, `@directive` lines for layout, `#` comments,
//! `{{field}}` placeholders. Parsing is separate from filling so that `required_fields` and the
//! renderers share one reading of a template.

use crate::{DocError, DocKind};

/// How a paragraph is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `@court`: the court's name, centered, bold, 方正小标宋简体 二号.
    Court,
    /// `@title`: the document's name, centered, 方正小标宋简体 二号.
    Title,
    /// `@number`: the case or document number, right aligned.
    Number,
    /// Ordinary lines (and `@body`): 仿宋_GB2312 三号, justified, two-character first-line indent.
    Body,
    /// `@left`: body font, no indent (addressees, party lines, attachments).
    Left,
    /// `@center`: body font, centered.
    Center,
    /// `@right`: body font, right aligned (signature, court name and date at the end).
    Right,
    /// `@seal`: where the court's seal goes; the text defaults to 「（院印）」.
    Seal,
    /// `@blank` or an empty line: an empty paragraph.
    Blank,
    /// `@footer`: a line of the page footer, printed at the foot of every page (仿宋_GB2312 四号)
    /// instead of in the body; the only style where `{{page}}` and `{{pages}}` may be used.
    Footer,
}

/// The directives a template may use, with the style each one gives.
pub(crate) const DIRECTIVES: [(&str, Style); 10] = [
    ("court", Style::Court),
    ("title", Style::Title),
    ("number", Style::Number),
    ("body", Style::Body),
    ("left", Style::Left),
    ("center", Style::Center),
    ("right", Style::Right),
    ("seal", Style::Seal),
    ("blank", Style::Blank),
    ("footer", Style::Footer),
];

/// The reserved placeholder for the current page number (a Word `PAGE` field).
const PAGE: &str = "page";
/// The reserved placeholder for the total page count (a Word `NUMPAGES` field).
const PAGES: &str = "pages";

/// Default text of `@seal`.
const SEAL_TEXT: &str = "（院印）";

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Text(String),
    /// A `{{field}}` placeholder, filled from the caller's fields.
    Field(String),
    /// `{{page}}`: the current page number. Only in `@footer` lines.
    PageNumber,
    /// `{{pages}}`: the total page count. Only in `@footer` lines.
    PageCount,
}

/// One paragraph of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Para {
    pub style: Style,
    pub parts: Vec<Part>,
}

/// Parses a template's source. Errors name the 1-based line.
pub(crate) fn parse(kind: DocKind, source: &str) -> Result<Vec<Para>, DocError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut paras = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        let line = index.saturating_add(1);
        let err = |message: String| DocError::Template {
            kind: kind.as_str(),
            line,
            message,
        };
        let trimmed = raw.trim_end();
        if trimmed.starts_with('#') {
            continue;
        }
        let (style, text) = match trimmed.strip_prefix('@') {
            Some(rest) => {
                let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let (name, text) = rest.split_at(name_end);
                let Some(style) = DIRECTIVES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
                else {
                    let known: Vec<String> =
                        DIRECTIVES.iter().map(|(n, _)| format!("@{n}")).collect();
                    return Err(err(format!(
                        "未知的格式指令“@{name}”，可用的指令为：{}",
                        known.join(" ")
                    )));
                };
                let text = text.trim();
                if style == Style::Blank && !text.is_empty() {
                    return Err(err("“@blank”表示空行，其后不能有文字".to_owned()));
                }
                if style == Style::Seal && text.is_empty() {
                    (style, SEAL_TEXT)
                } else {
                    (style, text)
                }
            }
            None if trimmed.trim().is_empty() => (Style::Blank, ""),
            None => (Style::Body, trimmed.trim_start()),
        };
        let parts = parse_parts(text).map_err(err)?;
        if style != Style::Footer
            && parts
                .iter()
                .any(|p| matches!(p, Part::PageNumber | Part::PageCount))
        {
            return Err(err(
                "{{page}}、{{pages}} 只能用于 @footer 行（页脚中的页码和总页数）".to_owned(),
            ));
        }
        paras.push(Para { style, parts });
    }
    Ok(paras)
}

/// Splits a line's text into literal text and `{{field}}` placeholders.
fn parse_parts(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let open = rest.find("{{");
        let close = rest.find("}}");
        match (open, close) {
            (None, None) => break,
            (None, Some(_)) => return Err("出现了多余的“}}”，没有与之对应的“{{”".to_owned()),
            (Some(o), Some(c)) if c < o => {
                return Err("出现了多余的“}}”，没有与之对应的“{{”".to_owned());
            }
            (Some(o), _) => {
                let (before, after_open) = rest.split_at(o);
                let after_open = after_open.get(2..).unwrap_or_default();
                let Some(end) = after_open.find("}}") else {
                    return Err(format!("“{{{{”没有对应的“}}}}”：{}", after_open.trim()));
                };
                let (name, after) = after_open.split_at(end);
                let name = name.trim();
                if !is_field_name(name) {
                    return Err(format!(
                        "字段名“{name}”无效：字段名只能由小写英文字母、数字和下划线组成，如 {{{{debtor_name}}}}"
                    ));
                }
                if !before.is_empty() {
                    parts.push(Part::Text(before.to_owned()));
                }
                parts.push(match name {
                    PAGE => Part::PageNumber,
                    PAGES => Part::PageCount,
                    _ => Part::Field(name.to_owned()),
                });
                rest = after.get(2..).unwrap_or_default();
            }
        }
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(parts)
}

fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// The placeholders of parsed paragraphs, in order of first appearance, without repeats. The
/// reserved `{{page}}` and `{{pages}}` are not fields: the word processor fills them.
pub(crate) fn fields_of(paras: &[Para]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for para in paras {
        for part in &para.parts {
            if let Part::Field(name) = part
                && !out.contains(name)
            {
                out.push(name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn parse_ok(src: &str) -> Vec<Para> {
        parse(DocKind::EnforcementNotice, src).unwrap()
    }

    fn parse_err(src: &str) -> (usize, String) {
        match parse(DocKind::EnforcementNotice, src) {
            Err(DocError::Template { line, message, .. }) => (line, message),
            other => panic!("expected a template error, got {other:?}"),
        }
    }

    #[test]
    fn directives_comments_and_placeholders() {
        let paras = parse_ok(
            "\u{feff}# comment\r\n@court {{court_name}}\n@title 执行通知书\n\n　　本院{{ case_number }}号。\n@seal\n",
        );
        assert_eq!(paras.len(), 5);
        assert_eq!(paras[0].style, Style::Court);
        assert_eq!(paras[0].parts, vec![Part::Field("court_name".into())]);
        assert_eq!(paras[1].parts, vec![Part::Text("执行通知书".into())]);
        assert_eq!(paras[2].style, Style::Blank);
        assert_eq!(paras[3].style, Style::Body);
        assert_eq!(
            paras[3].parts,
            vec![
                Part::Text("本院".into()),
                Part::Field("case_number".into()),
                Part::Text("号。".into())
            ]
        );
        assert_eq!(paras[4].parts, vec![Part::Text("（院印）".into())]);
    }

    #[test]
    fn errors_carry_the_line_number() {
        let (line, message) = parse_err("@court x\n# c\n@stamp 印\n");
        assert_eq!(line, 3);
        assert!(message.contains("@stamp"), "{message}");
        let (line, message) = parse_err("a\nb {{debtor_name\n");
        assert_eq!(line, 2);
        assert!(message.contains("{{"), "{message}");
        assert_eq!(parse_err("x }} y").0, 1);
        assert_eq!(parse_err("{{欠款}}").0, 1);
        assert_eq!(parse_err("{{}}").0, 1);
        assert_eq!(parse_err("@blank 文字").0, 1);
        // The list of known directives includes @footer.
        let (_, message) = parse_err("@stamp 印");
        assert!(message.contains("@blank @footer"), "{message}");
    }

    #[test]
    fn footer_lines_with_page_number_and_count() {
        let paras = parse_ok(
            "@title 笔录\n@footer 被询问人{{questioned_name}}（签名）：　第{{page}}页　共{{ pages }}页\n",
        );
        assert_eq!(paras.len(), 2);
        assert_eq!(paras[1].style, Style::Footer);
        assert_eq!(
            paras[1].parts,
            vec![
                Part::Text("被询问人".into()),
                Part::Field("questioned_name".into()),
                Part::Text("（签名）：　第".into()),
                Part::PageNumber,
                Part::Text("页　共".into()),
                Part::PageCount,
                Part::Text("页".into()),
            ]
        );
    }

    #[test]
    fn page_placeholders_outside_a_footer_are_errors() {
        for (src, line) in [
            ("@title 笔录\n第{{page}}页\n", 2),
            (
                "@title 笔录\n@footer 第{{page}}页\n@right 共{{pages}}页\n",
                3,
            ),
            ("@center {{pages}}", 1),
        ] {
            let (got, message) = parse_err(src);
            assert_eq!(got, line, "{src:?}");
            assert!(message.contains("@footer"), "{message}");
            assert!(message.contains("{{page}}"), "{message}");
        }
    }

    #[test]
    fn page_and_pages_are_not_fields() {
        let paras = parse_ok("{{a}}\n@footer {{b}}第{{page}}页共{{pages}}页{{a}}\n");
        assert_eq!(fields_of(&paras), vec!["a", "b"]);
    }

    #[test]
    fn fields_in_order_without_repeats() {
        let paras = parse_ok("{{b}}{{a}}\n{{b}} {{c}}");
        assert_eq!(fields_of(&paras), vec!["b", "a", "c"]);
    }
}

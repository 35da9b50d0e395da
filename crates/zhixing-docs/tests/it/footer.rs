//! `@footer` lines: a page footer with the per-page signature of a 笔录 and the page number and
//! count (Word fields `PAGE` / `NUMPAGES`) on every page.

use zhixing_docs::{DocError, DocKind, Templates, render, render_text, required_fields};

use crate::{document_xml, sample, scratch_dir, zip_part, zip_part_names};

/// The `word/footer*.xml` parts of a DOCX.
fn footer_parts(docx: &[u8]) -> Vec<String> {
    zip_part_names(docx)
        .into_iter()
        .filter(|n| n.starts_with("word/footer") && n.ends_with(".xml"))
        .collect()
}

/// The one footer of a DOCX, checked to be referenced from the document as the default footer.
fn the_footer(docx: &[u8]) -> String {
    let parts = footer_parts(docx);
    assert_eq!(parts.len(), 1, "one footer part expected: {parts:?}");
    let name = &parts[0];
    let target = name.trim_start_matches("word/");
    // document.xml → footerReference r:id → relationship whose target is the footer part.
    let rels = zip_part(docx, "word/_rels/document.xml.rels").unwrap();
    let rel = rels
        .split("<Relationship ")
        .find(|r| r.contains(&format!(r#"Target="{target}""#)))
        .unwrap_or_else(|| panic!("no relationship to {target}: {rels}"));
    assert!(rel.contains("relationships/footer"), "{rel}");
    let id = rel
        .split(r#"Id=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    let xml = document_xml(docx);
    let reference = xml
        .split("<w:footerReference ")
        .nth(1)
        .unwrap_or_else(|| panic!("document.xml has no footerReference"));
    let reference = reference.split("/>").next().unwrap();
    assert!(reference.contains(r#"w:type="default""#), "{reference}");
    assert!(
        reference.contains(&format!(r#"r:id="{id}""#)),
        "{reference}"
    );
    let types = zip_part(docx, "[Content_Types].xml").unwrap();
    assert!(types.contains(&format!("/{name}")), "{types}");
    zip_part(docx, name).unwrap()
}

/// `<w:instrText>NAME</w:instrText>` occurrences (docx-rs writes no spaces around the name).
fn fields(xml: &str, name: &str) -> usize {
    xml.matches(&format!("<w:instrText>{name}</w:instrText>"))
        .count()
}

#[test]
fn questioning_record_has_a_signature_and_page_numbers_on_every_page() {
    let docx = render(DocKind::QuestioningRecord, &sample(), &Templates::builtin()).unwrap();
    let footer = the_footer(&docx);
    assert!(footer.contains("被询问人（签名、捺印）："), "{footer}");
    assert_eq!(fields(&footer, "PAGE"), 1, "{footer}");
    assert_eq!(fields(&footer, "NUMPAGES"), 1, "{footer}");
    for piece in [
        "第",
        "页　共",
        "fldCharType=\"begin\"",
        "fldCharType=\"end\"",
    ] {
        assert!(footer.contains(piece), "footer lacks {piece}: {footer}");
    }
    // 仿宋_GB2312 四号, the field runs included.
    assert!(footer.contains("仿宋_GB2312"), "{footer}");
    let sizes = footer.matches(r#"<w:sz w:val="28" />"#).count()
        + footer.matches(r#"<w:sz w:val="28"/>"#).count();
    // Runs: text, PAGE field (begin, instruction, separate, result, end: five runs as Word writes
    // them), text, NUMPAGES field, text — each in 四号.
    assert_eq!(footer.matches("<w:r>").count(), 13, "{footer}");
    assert_eq!(sizes, 13, "a run not in 四号: {footer}");
    // The page fields are in the footer only, and the end-of-document signatures stay.
    let body = document_xml(&docx);
    assert_eq!(fields(&body, "PAGE") + fields(&body, "NUMPAGES"), 0);
    assert!(body.contains("被询问人（签名、捺印）："));
    assert!(body.contains("询问人（签名）："));
}

#[test]
fn search_record_has_the_searched_and_those_present_sign_every_page() {
    let docx = render(DocKind::SearchRecord, &sample(), &Templates::builtin()).unwrap();
    let footer = the_footer(&docx);
    for expected in ["被搜查人（签名）：", "其他在场人（签名）："] {
        assert!(
            footer.contains(expected),
            "footer lacks {expected}: {footer}"
        );
    }
    assert_eq!(fields(&footer, "PAGE"), 1, "{footer}");
    assert_eq!(fields(&footer, "NUMPAGES"), 1, "{footer}");
    assert_eq!(
        footer.matches("<w:p>").count() + footer.matches("<w:p ").count(),
        2
    );
    assert!(document_xml(&docx).contains("搜查人员（签名）："));
}

#[test]
fn kinds_without_footer_lines_have_no_footer_part() {
    for kind in DocKind::ALL {
        let docx = render(kind, &sample(), &Templates::builtin()).unwrap();
        let has_footer = kind.builtin_source().contains("\n@footer");
        assert_eq!(
            !footer_parts(&docx).is_empty(),
            has_footer,
            "{kind}: footer parts {:?}",
            footer_parts(&docx)
        );
        assert_eq!(
            document_xml(&docx).contains("footerReference"),
            has_footer,
            "{kind}"
        );
    }
    let docx = render(DocKind::EnforcementNotice, &sample(), &Templates::builtin()).unwrap();
    assert!(footer_parts(&docx).is_empty());
    let rels = zip_part(&docx, "word/_rels/document.xml.rels").unwrap();
    assert!(!rels.contains("footer"), "{rels}");
}

#[test]
fn plain_text_prints_the_footer_once_at_the_end_with_blank_page_numbers() {
    let text = render_text(DocKind::QuestioningRecord, &sample(), &Templates::builtin()).unwrap();
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        "被询问人（签名、捺印）：　　　　　　　　第　页　共　页"
    );
    assert_eq!(text.matches("第　页　共　页").count(), 1);
    // The date line comes right before it: the footer follows the whole body.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[lines.len() - 2], "二〇二六年十一月二十二日");
    let text = render_text(DocKind::SearchRecord, &sample(), &Templates::builtin()).unwrap();
    assert!(
        text.ends_with("第　页　共　页\n其他在场人（签名）：\n"),
        "{text}"
    );
}

#[test]
fn page_and_pages_are_not_required_fields() {
    for kind in [DocKind::QuestioningRecord, DocKind::SearchRecord] {
        let fields = required_fields(kind);
        assert!(
            !fields.iter().any(|f| f == "page" || f == "pages"),
            "{kind}: {fields:?}"
        );
    }
}

#[test]
fn fields_in_a_court_footer_are_filled_and_user_text_cannot_make_page_fields() {
    let dir = scratch_dir("footer");
    std::fs::write(
        dir.join("summons.txt"),
        "@court {{court_name}}\n@footer 被拘传人{{summoned_name}}（签名）：第{{page}}页／共{{pages}}页\n@title 拘传票\n@right {{date}}\n",
    )
    .unwrap();
    let templates = Templates::with_dir(&dir);
    assert_eq!(
        templates.required_fields(DocKind::Summons).unwrap(),
        vec!["court_name", "summoned_name", "date"]
    );
    // A value that looks like a placeholder, or has markup, is printed as it is.
    let fields = sample().set("summoned_name", "王五{{page}}<&>");
    let docx = render(DocKind::Summons, &fields, &templates).unwrap();
    let footer = the_footer(&docx);
    assert!(
        footer.contains("被拘传人王五{{page}}&lt;&amp;&gt;（签名）：第"),
        "{footer}"
    );
    assert_eq!(fields_count(&footer), (1, 1));
    let text = render_text(DocKind::Summons, &fields, &templates).unwrap();
    assert!(
        text.ends_with(
            "二〇二六年十一月二十二日\n被拘传人王五{{page}}<&>（签名）：第　页／共　页\n"
        ),
        "{text}"
    );
    // A footer field without a value is missing like any other.
    let mut fields = sample();
    fields.0.remove("summoned_name");
    assert!(matches!(
        render(DocKind::Summons, &fields, &templates),
        Err(DocError::MissingField { field, .. }) if field == "summoned_name"
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn fields_count(xml: &str) -> (usize, usize) {
    (fields(xml, "PAGE"), fields(xml, "NUMPAGES"))
}

#[test]
fn page_numbers_outside_a_footer_line_are_a_template_error() {
    let dir = scratch_dir("footer-err");
    std::fs::write(
        dir.join("summons.txt"),
        "# 注释\n@court {{court_name}}\n@footer 第{{page}}页\n@right 共{{pages}}页\n",
    )
    .unwrap();
    let err = render(DocKind::Summons, &sample(), &Templates::with_dir(&dir)).unwrap_err();
    assert!(
        matches!(
            err,
            DocError::Template {
                kind: "summons",
                line: 4,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("拘传票模板第4行有误：{{page}}、{{pages}} 只能用于 @footer 行"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

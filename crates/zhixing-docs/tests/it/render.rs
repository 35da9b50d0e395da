use zhixing_docs::{
    DocError, DocKind, Fields, Templates, date_zh, render, render_text, required_fields,
};

use crate::{document_xml, sample, scratch_dir};

#[test]
fn every_kind_renders_a_docx_with_the_case_names_and_amounts() {
    let fields = sample();
    for kind in DocKind::ALL {
        let docx = render(kind, &fields, &Templates::builtin()).unwrap();
        let xml = document_xml(&docx);
        let required = required_fields(kind);
        // The facts every document carries.
        for field in [
            "court_name",
            "applicant_name",
            "debtor_name",
            "claim_amount",
        ] {
            assert!(required.iter().any(|f| f == field), "{kind}: no {field}");
        }
        for expected in [
            "（2026）川0107执1234号",
            "张三",
            "四川某某建设工程有限公司",
            "12,345.67 元",
            "二〇二六年十一月二十二日",
        ] {
            assert!(
                xml.contains(expected),
                "{kind}: document.xml lacks {expected}"
            );
        }
        // Every placeholder's value is in the document (dates in court style).
        for field in &required {
            let value = fields.get(field).unwrap();
            let shown = if field == "date" || field.ends_with("_date") {
                date_zh(chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").unwrap())
            } else {
                value.to_owned()
            };
            // A value's line breaks become `<w:br/>`: each line is there.
            for line in shown.lines() {
                assert!(
                    xml.contains(line),
                    "{kind}: document.xml lacks {field} = {shown}"
                );
            }
        }
        assert!(!xml.contains("{{"), "{kind}: an unfilled placeholder");
        // The document's own name is printed.
        let text = render_text(kind, &fields, &Templates::builtin()).unwrap();
        let title = text.lines().nth(1).unwrap_or_default();
        assert!(
            !title.is_empty() && kind.name_zh().ends_with(title),
            "{kind}: title line is {title:?}"
        );
    }
}

#[test]
fn kind_specific_amounts_and_legal_citations_are_printed() {
    let fields = sample();
    let text = |kind| render_text(kind, &fields, &Templates::builtin()).unwrap();
    let fine = text(DocKind::FineDecision);
    assert!(fine.contains("罚款20,000.00 元"));
    assert!(fine.contains(
        "依照《中华人民共和国民事诉讼法》第二百五十二条、第一百一十八条、第一百一十九条的规定"
    ));
    assert!(fine.contains("申请复议一次。复议期间，不停止本决定的执行"));
    assert!(text(DocKind::DetentionDecision).contains("拘留十五日"));
    let xf = text(DocKind::ConsumptionRestriction);
    assert!(
        xf.contains("《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第一条、第三条")
    );
    for item in ["（一）", "（五）", "（九）乘坐G字头动车组列车全部座位"] {
        assert!(xf.contains(item), "限制消费令 lacks {item}");
    }
    assert!(text(DocKind::DishonestDecision).contains("第一条第（四）项"));
    assert!(text(DocKind::Summons).contains("不得超过八小时"));
    assert!(text(DocKind::Summons).contains("不得超过二十四小时"));
    assert!(text(DocKind::SearchWarrant).contains("第二百五十九条"));
    let questioning = text(DocKind::QuestioningRecord);
    assert!(questioning.contains("第一百一十四条、第二百五十二条"));
    assert!(questioning.contains("询问人：李四、钱七　　记录人：孙八"));
    assert!(text(DocKind::AssetReportOrder).contains("收到执行通知之日前一年"));
    assert!(text(DocKind::EnforcementNotice).contains("纳入失信被执行人名单"));
    assert!(text(DocKind::RewardNotice).contains("实际到位执行款的10%，最高不超过3,000.00 元"));
    assert!(text(DocKind::RewardNotice).contains("予以保密"));
    let referral = text(DocKind::ReferralLetter);
    assert!(referral.contains("《中华人民共和国刑法》第三百一十三条"));
    assert!(referral.contains("第三条第（四）项"));
}

#[test]
fn docx_has_a4_court_margins_and_chinese_fonts() {
    let docx = render(DocKind::FineDecision, &sample(), &Templates::builtin()).unwrap();
    let xml = document_xml(&docx);
    assert!(
        xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#),
        "not A4"
    );
    assert!(
        xml.contains(r#"w:top="2098""#) && xml.contains(r#"w:left="1587""#),
        "margins"
    );
    assert!(
        xml.contains("方正小标宋简体") && xml.contains("仿宋_GB2312"),
        "fonts"
    );
    assert!(
        xml.contains(r#"<w:sz w:val="44" />"#) || xml.contains(r#"<w:sz w:val="44"/>"#),
        "二号 title"
    );
    assert!(xml.contains(r#"w:firstLine="640""#), "two-character indent");
}

#[test]
fn markup_characters_in_values_survive() {
    let fields = sample().set("applicant_name", "张三 <A&B> \"引号\"");
    let docx = render(DocKind::EnforcementNotice, &fields, &Templates::builtin()).unwrap();
    let xml = document_xml(&docx);
    assert!(xml.contains("张三 &lt;A&amp;B&gt;"), "not escaped once");
    assert!(!xml.contains("&amp;lt;"), "escaped twice");
    let text = render_text(DocKind::EnforcementNotice, &fields, &Templates::builtin()).unwrap();
    assert!(text.contains("张三 <A&B> \"引号\""));
}

#[test]
fn a_missing_field_is_named() {
    let mut fields = sample();
    fields.0.remove("debtor_name");
    let err = render(DocKind::SearchWarrant, &fields, &Templates::builtin()).unwrap_err();
    match &err {
        DocError::MissingField { kind, field } => {
            assert_eq!(*kind, "search_warrant");
            assert_eq!(field, "debtor_name");
        }
        other => panic!("expected MissingField, got {other:?}"),
    }
    assert_eq!(err.to_string(), "生成搜查令缺少字段“debtor_name”");
    // A blank value counts as missing.
    let fields = sample().set("claim_amount", "  ");
    assert!(matches!(
        render_text(DocKind::FineDecision, &fields, &Templates::builtin()),
        Err(DocError::MissingField { field, .. }) if field == "claim_amount"
    ));
}

#[test]
fn a_date_must_be_iso() {
    let fields = sample().set("date", "2026年11月22日");
    match render(DocKind::Summons, &fields, &Templates::builtin()) {
        Err(DocError::InvalidField { field, .. }) => assert_eq!(field, "date"),
        other => panic!("expected InvalidField, got {other:?}"),
    }
}

#[test]
fn a_court_override_replaces_the_default_and_others_fall_back() {
    let dir = scratch_dir("override");
    std::fs::write(
        dir.join("summons.txt"),
        "# 本院修改版\r\n@court {{court_name}}\r\n@title 拘传票\r\n被拘传人{{summoned_name}}应于{{summons_time}}到案。本院自定义文字。\r\n@right {{date}}\r\n",
    )
    .unwrap();
    let templates = Templates::with_dir(&dir);
    assert_eq!(
        templates.required_fields(DocKind::Summons).unwrap(),
        vec!["court_name", "summoned_name", "summons_time", "date"]
    );
    let fields = Fields::new()
        .set("court_name", "四川省成都市武侯区人民法院")
        .set("summoned_name", "王五")
        .set("summons_time", "2026年11月25日上午9时")
        .set("date", "2026-11-22");
    let xml = document_xml(&render(DocKind::Summons, &fields, &templates).unwrap());
    assert!(xml.contains("本院自定义文字"));
    assert!(
        !xml.contains("第四百八十二条"),
        "the default text leaked in"
    );
    // No file for this kind in the directory: the default is used.
    assert_eq!(
        templates.source(DocKind::SearchWarrant).unwrap(),
        DocKind::SearchWarrant.builtin_source()
    );
    // A directory that does not exist at all behaves like builtin().
    let none = Templates::with_dir(dir.join("missing"));
    assert_eq!(
        none.source(DocKind::Summons).unwrap(),
        DocKind::Summons.builtin_source()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_override_reports_its_line() {
    let dir = scratch_dir("broken");
    std::fs::write(
        dir.join("fine_decision.txt"),
        "# 注释\n@court {{court_name}}\n@title 罚款决定书\n\n对{{sanctioned_name}罚款{{fine_amount}}。\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("detention_decision.txt"),
        "@court x\n@stamp 院印\n",
    )
    .unwrap();
    let templates = Templates::with_dir(&dir);
    assert!(Templates::builtin().check().is_ok());
    assert!(matches!(
        templates.check(),
        Err(DocError::Template {
            kind: "fine_decision",
            line: 5,
            ..
        })
    ));
    match render(DocKind::FineDecision, &sample(), &templates) {
        Err(DocError::Template {
            kind,
            line,
            message,
        }) => {
            assert_eq!(kind, "fine_decision");
            assert_eq!(line, 5);
            assert!(message.contains("{{"), "{message}");
        }
        other => panic!("expected Template, got {other:?}"),
    }
    let err = render_text(DocKind::DetentionDecision, &sample(), &templates).unwrap_err();
    assert!(matches!(err, DocError::Template { line: 2, .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("拘留决定书模板第2行有误"),
        "{err}"
    );
    assert!(err.to_string().contains("@stamp"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unreadable_override_is_an_io_error() {
    let dir = scratch_dir("io");
    // A directory where the file should be cannot be read as text.
    std::fs::create_dir(dir.join("reward_notice.txt")).unwrap();
    let err = Templates::with_dir(&dir)
        .source(DocKind::RewardNotice)
        .unwrap_err();
    assert!(
        matches!(err, DocError::Io(ref path, _) if path.ends_with("reward_notice.txt")),
        "{err:?}"
    );
    std::fs::write(dir.join("assist_notice.txt"), [0xff, 0xfe, 0x00]).unwrap();
    let err = Templates::with_dir(&dir)
        .source(DocKind::AssistNotice)
        .unwrap_err();
    assert!(matches!(err, DocError::Io(..)), "{err:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dates_in_court_style() {
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(date_zh(d(2026, 11, 22)), "二〇二六年十一月二十二日");
    assert_eq!(date_zh(d(2020, 10, 1)), "二〇二〇年十月一日");
    assert_eq!(date_zh(d(2019, 12, 31)), "二〇一九年十二月三十一日");
}

#[test]
fn multi_line_values_become_line_breaks() {
    let fields = sample().set(
        "assist_items",
        "一、冻结存款12,345.67 元；\n二、冻结期限一年",
    );
    let xml = document_xml(&render(DocKind::AssistNotice, &fields, &Templates::builtin()).unwrap());
    assert!(xml.contains("<w:br"), "no line break");
    assert!(xml.contains("一、冻结存款12,345.67 元；") && xml.contains("二、冻结期限一年"));
}

//! Integration tests of zhixing-docs: DOCX content, errors, court overrides, LibreOffice round trip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod footer;
mod libreoffice;
mod render;

use std::path::PathBuf;

use zhixing_docs::Fields;

/// Realistic values for every field any default template uses.
pub fn sample() -> Fields {
    Fields::new()
        .set("court_name", "四川省成都市武侯区人民法院")
        .set("case_number", "（2026）川0107执1234号")
        .set("document_number", "（2026）川0107执1234号之一")
        .set("date", "2026-11-22")
        .set("filing_date", "2026-10-09")
        .set("applicant_name", "张三")
        .set("debtor_name", "四川某某建设工程有限公司")
        .set("debtor_id_number", "91510107MA61234567")
        .set("basis_court", "四川省成都市武侯区人民法院")
        .set("basis_number", "（2026）川0107民初5678号民事判决书")
        .set("obligation", "被告四川某某建设工程有限公司于判决生效之日起十日内向原告张三支付工程款12,000.00元及逾期付款利息")
        .set("claim_amount", "12,345.67 元")
        .set("performance_days", "五")
        .set("report_days", "五")
        .set("contact", "执行员李四，电话028-85551234")
        .set("president_name", "赵六")
        .set("review_court", "四川省成都市中级人民法院")
        .set("restricted_persons", "被执行人四川某某建设工程有限公司及其法定代表人王五")
        .set("dishonest_facts", "收到报告财产令后无正当理由拒不报告财产情况，违反财产报告制度")
        .set("dishonest_ground", "第（四）项")
        .set("dishonest_term", "二年")
        .set("summoned_name", "王五")
        .set("summoned_id_number", "11010519491231002X")
        .set("summoned_role", "系被执行人四川某某建设工程有限公司的法定代表人")
        .set("summons_time", "2026年11月25日上午9时")
        .set("summons_place", "四川省成都市武侯区人民法院执行局")
        .set("sanctioned_name", "王五")
        .set("sanctioned_id_number", "11010519491231002X")
        .set("violation_facts", "被执行人四川某某建设工程有限公司的法定代表人王五收到报告财产令后，无正当理由拒不报告财产情况")
        .set("violation_basis", "第二百五十二条")
        .set("fine_amount", "20,000.00 元")
        .set("payment_days", "十")
        .set("detention_days", "十五")
        .set("detention_place", "成都市拘留所")
        .set("search_officers", "李四、钱七")
        .set("search_place", "四川省成都市武侯区某某路1号某某大厦12楼")
        .set("search_time", "2026年11月26日9时30分至11时10分")
        .set("warrant_number", "（2026）川0107执1234号之三")
        .set("search_present", "被执行人四川某某建设工程有限公司的法定代表人王五")
        .set("search_witness", "搜查对象为单位，无需基层组织派员")
        .set("search_female", "本次搜查未搜查妇女身体。")
        .set("search_findings", "在该公司财务室保险柜内发现现金52,000.00元，已当场扣押，另行制作扣押清单")
        .set("search_signatures", "搜查人员、被搜查人及其他在场人已在本笔录上签名。")
        .set("questioning_began", "2026年11月25日9时30分")
        .set("questioning_ended", "11时10分")
        .set("arrived_at", "2026年11月25日9时20分")
        .set("questioning_place", "四川省成都市武侯区人民法院执行局第二询问室")
        .set("questioners", "李四、钱七")
        .set("recorder", "孙八")
        .set("questioned_name", "王五")
        .set("questioned_id_number", "11010519491231002X")
        .set("questioning_qa", "问：你公司现有哪些银行账户和财产？\n答：公司在中国某某银行成都武侯支行有一个基本账户，另有一台挖掘机停放在双流区工地。\n问：为何收到报告财产令后不报告财产？\n答：以为公司没有钱就不用报告，现在愿意补充报告。")
        .set("questioning_confirmation", "以上笔录已交被询问人阅读，被询问人核对无误后签名（捺印）。询问人、记录人已签名。")
        .set("permit_applicant", "王五")
        .set("permit_role", "系被执行人四川某某建设工程有限公司的法定代表人")
        .set("restriction_number", "（2026）川0107执1234号之二")
        .set("permit_applied", "2026年11月20日")
        .set("permit_ground", "因私消费以个人财产实施")
        .set("permit_period", "2026年11月25日至2026年12月5日")
        .set("consumption_act", "乘坐交通工具时，选择飞机、列车软卧、轮船二等以上舱位")
        .set("permit_reason", "赴北京为子女就医，以本人工资支付机票")
        .set("decision_text", "经审查，申请人所述属实。依照《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条第二款的规定，决定如下：准许申请人于上述期间以个人财产实施上述消费行为。")
        .set("reward_amount", "实际到位执行款的10%，最高不超过3,000.00 元")
        .set("reward_contact", "联系人李四，电话028-85551234，或到四川省成都市武侯区人民法院执行局当面提供")
        .set("assist_unit", "中国某某银行股份有限公司成都武侯支行")
        .set("assist_basis", "《中华人民共和国民事诉讼法》第二百五十三条")
        .set("assist_items", "冻结被执行人四川某某建设工程有限公司在你行开立的账户内存款12,345.67 元，冻结期限一年")
        .set("ruling_number", "（2026）川0107执1234号")
        .set("referral_agency", "成都市公安局武侯区分局")
        .set("referral_facts", "被执行人四川某某建设工程有限公司的法定代表人王五在被罚款、拘留后仍拒不报告财产情况，并将公司账户资金转至他人名下")
        .set("referral_ground", "第三条第（四）项")
        .set("suspect_name", "王五")
}

/// A fresh directory under the system temp dir, unique to this process and call.
pub fn scratch_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!(
        "zhixing-docs-{tag}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The text of `word/document.xml` inside DOCX bytes.
pub fn document_xml(docx: &[u8]) -> String {
    zip_part(docx, "word/document.xml").unwrap()
}

/// The text of a part inside DOCX bytes, `None` if there is no such part.
pub fn zip_part(docx: &[u8], name: &str) -> Option<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut part = zip.by_name(name).ok()?;
    let mut xml = String::new();
    part.read_to_string(&mut xml).unwrap();
    Some(xml)
}

/// The names of the parts inside DOCX bytes.
pub fn zip_part_names(docx: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    zip.file_names().map(|n| n.unwrap().into_owned()).collect()
}

//! Pages of measures and credit punishment: a case's measures with the 院长's approval buttons,
//! execution and ending forms and document links, the 申请复议 form of a fine or detention, and
//! the case's 失信 correction requests (纠正申请) with their forms; the 院长's approval queue; the
//! higher court's 复议 to decide (`/reviews`); and the public portal's
//! lookup page (no login, masked).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use zhixing_app::AppError;
use zhixing_app::measures::{MeasureInput, PublicItem};
use zhixing_app::reviews::{ReviewInput, ReviewTerms};
use zhixing_domain::measure::{
    EndGround, MeasureKind, QuestioningRecord, SearchRecord, end_rule, parse_qa,
};
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;
use zhixing_store::measures::ReviewRow;

use crate::error::classify;
use crate::i18n::{Lang, fill};
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page, field};

/// Strings of the measures pages and of the public portal's lookups (zh default, en on request).
/// `{placeholders}` are filled in with `i18n::fill`.
pub struct TrM {
    pub title: &'static str,
    pub back: &'static str,
    pub measures: &'static str,
    pub none: &'static str,
    pub kind: &'static str,
    pub subject: &'static str,
    pub doc_no: &'static str,
    pub status: &'static str,
    pub dates: &'static str,
    pub actions: &'static str,
    pub approve: &'static str,
    pub refuse: &'static str,
    pub document: &'static str,
    pub search_record_doc: &'static str,
    pub exec_note: &'static str,
    pub family_notified: &'static str,
    pub detained_at: &'static str,
    /// 搜查笔录 fields (CPLI arts 495–498) and the record's label on the list.
    pub search_record: &'static str,
    pub search_warrant_shown: &'static str,
    pub search_present: &'static str,
    pub search_witness: &'static str,
    pub search_refused: &'static str,
    pub search_woman: &'static str,
    pub search_female: &'static str,
    pub search_findings: &'static str,
    pub search_signed: &'static str,
    pub search_refusal: &'static str,
    /// 询问笔录 of a 拘传 (CPLI art 482; CPL arts 133, 150): the DOCX link, the record's label on
    /// the list (`{name}`, `{questioners}`, `{recorder}`, `{count}`) and the form's fields.
    pub questioning_record_doc: &'static str,
    pub questioning_summary: &'static str,
    pub q_place: &'static str,
    pub q_began: &'static str,
    pub q_questioners: &'static str,
    pub q_recorder: &'static str,
    pub q_subject_name: &'static str,
    pub q_subject_id: &'static str,
    pub q_credentials: &'static str,
    pub q_rights: &'static str,
    pub q_warned: &'static str,
    pub q_qa: &'static str,
    pub q_qa_placeholder: &'static str,
    pub q_read_over: &'static str,
    pub q_read: &'static str,
    pub q_read_aloud: &'static str,
    pub q_signed: &'static str,
    pub q_refusal: &'static str,
    pub q_officers_signed: &'static str,
    pub execute: &'static str,
    pub end: &'static str,
    pub propose: &'static str,
    /// Put after a measure kind that needs the 院长's approval, with its brackets.
    pub needs_president: &'static str,
    pub amount: &'static str,
    pub days: &'static str,
    pub hours: &'static str,
    pub summoned_for: &'static str,
    pub ground: &'static str,
    /// The six grounds of 失信 listing (最高人民法院关于公布失信被执行人名单信息的若干规定第一条).
    pub grounds: [&'static str; 6],
    pub grace: &'static str,
    pub on_application: &'static str,
    pub place: &'static str,
    pub reason: &'static str,
    pub submit: &'static str,
    pub hint: &'static str,
    pub lists: &'static str,
    pub list: &'static str,
    pub conduct: &'static str,
    // Dates of a measure, joined by `date_sep`.
    pub on_proposed: &'static str,
    pub on_effective: &'static str,
    pub on_publish: &'static str,
    pub on_expires: &'static str,
    pub on_executed: &'static str,
    pub on_family_notified: &'static str,
    pub on_questioning_ended: &'static str,
    /// 拘传 execution form: arrival and end of the questioning.
    pub summons_arrived_at: &'static str,
    pub summons_ended_at: &'static str,
    pub on_ended: &'static str,
    pub date_sep: &'static str,
    // Status words of a measure.
    pub st_pending: &'static str,
    pub st_effective: &'static str,
    pub st_refused: &'static str,
    pub st_lifted: &'static str,
    pub st_expired: &'static str,
    pub st_deleted: &'static str,
    pub st_ended: &'static str,
    pub st_revoked: &'static str,
    // The case's list entries.
    pub list_dishonest: &'static str,
    pub list_restricted: &'static str,
    pub list_terminated: &'static str,
    pub published_from: &'static str,
    pub listed: &'static str,
    pub removed: &'static str,
    // The 院长's approval queue.
    pub approvals_title: &'static str,
    pub review: &'static str,
    // The public portal (no login): header and links shared by its pages.
    pub portal: &'static str,
    pub portal_sub: &'static str,
    pub nav_lists: &'static str,
    pub nav_rewards: &'static str,
    pub nav_tipoff: &'static str,
    pub nav_progress: &'static str,
    pub too_frequent: &'static str,
    pub too_long: &'static str,
    // The list lookup.
    pub lookup: &'static str,
    pub opt_dishonest: &'static str,
    pub opt_restricted: &'static str,
    pub opt_terminated: &'static str,
    pub ph_name: &'static str,
    pub ph_id: &'static str,
    pub search: &'static str,
    pub lookup_hint: &'static str,
    pub count: &'static str,
    pub count_latest: &'static str,
    pub not_found: &'static str,
    pub h_name: &'static str,
    pub h_id: &'static str,
    pub h_sex: &'static str,
    pub h_age: &'static str,
    pub h_case_number: &'static str,
    pub h_court: &'static str,
    pub h_basis: &'static str,
    pub h_obligation: &'static str,
    pub h_performance: &'static str,
    pub h_conduct: &'static str,
    pub h_filed_on: &'static str,
    pub h_listed_on: &'static str,
    pub legal_rep: &'static str,
    // A party's case progress.
    pub progress: &'static str,
    pub progress_sub: &'static str,
    pub ph_case_number: &'static str,
    pub ph_own_id: &'static str,
    pub ph_code: &'static str,
    pub code_hint: &'static str,
    pub wrong_code: &'static str,
    pub filed_on: &'static str,
    pub events: &'static str,
    pub compulsory: &'static str,
    pub disposals: &'static str,
    pub payouts: &'static str,
    pub span: &'static str,
    pub since: &'static str,
    pub until: &'static str,
    // 复议 (reconsideration) of a fine or detention: the form on the case page and the higher
    // court's page.
    pub nav_reviews: &'static str,
    pub review_apply: &'static str,
    pub review_applicant: &'static str,
    pub review_received_on: &'static str,
    pub review_applied_on: &'static str,
    pub review_reason: &'static str,
    pub review_hint: &'static str,
    /// Before a measure's review status.
    pub review_label: &'static str,
    pub rv_pending: &'static str,
    pub rv_upheld: &'static str,
    pub rv_revoked: &'static str,
    pub rv_changed: &'static str,
    pub review_applied: &'static str,
    pub reviews_title: &'static str,
    pub reviews_hint: &'static str,
    pub reviewed: &'static str,
    pub rejected_correction: &'static str,
    pub current: &'static str,
    pub days_n: &'static str,
    pub decide_by: &'static str,
    pub outcome: &'static str,
    pub out_upheld: &'static str,
    pub out_revoked: &'static str,
    pub out_changed: &'static str,
    pub decision_note: &'static str,
    pub new_amount: &'static str,
    pub new_days: &'static str,
    pub decide: &'static str,
    pub review_decided: &'static str,
    // 纠正申请 (correction requests against a 失信 entry, SX2017 arts 11–12) on the case page.
    pub corrections: &'static str,
    pub corrections_hint: &'static str,
    pub correction_request: &'static str,
    pub correction_entry: &'static str,
    pub correction_ground: &'static str,
    /// The grounds of a correction request, in the order of `CORRECTION_GROUNDS`.
    pub correction_grounds: [&'static str; 3],
    pub correction_statement: &'static str,
    pub correction_received_on: &'static str,
    pub correction_accept: &'static str,
    pub correction_reject: &'static str,
    pub cs_received: &'static str,
    pub cs_corrected: &'static str,
    pub cs_rejected: &'static str,
    // Dates of a decided request, joined by `date_sep`.
    pub on_decided: &'static str,
    pub on_correct_by: &'static str,
    pub correction_requested: &'static str,
    pub correction_corrected: &'static str,
    pub correction_rejected: &'static str,
    pub correction_review_received_on: &'static str,
    pub correction_review_hint: &'static str,
    // 消费许可 (permission to consume under a 限制消费令, XF2015 art 3 para 2 and art 8).
    pub cp_title: &'static str,
    pub cp_hint: &'static str,
    pub cp_apply: &'static str,
    pub cp_applicant: &'static str,
    pub cp_applicant_id: &'static str,
    pub cp_act: &'static str,
    pub cp_ground: &'static str,
    pub cp_reason: &'static str,
    pub cp_from: &'static str,
    pub cp_to: &'static str,
    pub cp_period: &'static str,
    pub cp_grant: &'static str,
    pub cp_refuse: &'static str,
    pub cp_note: &'static str,
    pub cp_applied: &'static str,
    pub cp_granted: &'static str,
    pub cp_refused: &'static str,
    pub cp_recorded: &'static str,
    pub cp_decided_grant: &'static str,
    pub cp_decided_refuse: &'static str,
}

const ZH: TrM = TrM {
    title: "强制措施与信用惩戒",
    back: "返回案件",
    measures: "已采取和待审批的措施",
    none: "暂无",
    kind: "措施",
    subject: "被采取措施人",
    doc_no: "文书编号",
    status: "状态",
    dates: "日期",
    actions: "操作",
    approve: "批准",
    refuse: "不批准",
    document: "下载文书（DOCX）",
    search_record_doc: "搜查笔录（DOCX）",
    exec_note: "执行情况",
    family_notified: "通知家属时间",
    detained_at: "拘留时间",
    search_record: "搜查笔录",
    search_warrant_shown: "已出示搜查令和工作证件",
    search_present: "到场人员（被执行人或其成年家属；单位为法定代表人或主要负责人）",
    search_witness: "基层组织到场人员（搜查公民时）",
    search_refused: "经通知拒不到场",
    search_woman: "搜查了妇女身体",
    search_female: "由女执行人员进行",
    search_findings: "搜查发现及查封、扣押的财产（未发现亦写明）",
    search_signed: "笔录已由搜查人员、被搜查人及在场人签名",
    search_refusal: "拒绝签名的情况",
    questioning_record_doc: "询问笔录（DOCX）",
    questioning_summary: "询问笔录：被询问人{name}；询问人{questioners}，记录人{recorder}；{count}问",
    q_place: "询问地点",
    q_began: "询问开始时间",
    q_questioners: "询问人（多人以“、”分隔）",
    q_recorder: "记录人（询问人以外的执行人员）",
    q_subject_name: "被询问人姓名",
    q_subject_id: "被询问人身份证号码",
    q_credentials: "已出示工作证件",
    q_rights: "已告知权利义务",
    q_warned: "已告知如实陈述义务及虚假陈述的法律后果",
    q_qa: "问答（每问一行“问：…”，其后一行“答：…”）",
    q_qa_placeholder: "问：你现在有哪些财产？\n答：……",
    q_read_over: "笔录核对方式",
    q_read: "交被询问人阅读",
    q_read_aloud: "向被询问人宣读",
    q_signed: "被询问人核对无误并签名",
    q_refusal: "拒绝签名的情况",
    q_officers_signed: "询问人、记录人已签名",
    execute: "记录执行",
    end: "删除/解除",
    propose: "提请采取措施",
    needs_president: "（须院长批准）",
    amount: "罚款金额（元）",
    days: "拘留天数",
    hours: "拘传询问小时",
    summoned_for: "传唤应到日期（拘传：经依法传唤拒不到场）",
    ground: "失信情形",
    grounds: [
        "（一）有履行能力而拒不履行",
        "（二）以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
        "（三）以虚假诉讼、虚假仲裁或隐匿、转移财产等方法规避执行",
        "（四）违反财产报告制度",
        "（五）违反限制消费令",
        "（六）无正当理由拒不履行执行和解协议",
    ],
    grace: "宽限期（月）",
    on_application: "依申请执行人申请",
    place: "地点/媒体",
    reason: "事实与理由",
    submit: "提交",
    hint: "拘传、罚款、拘留须经院长批准（民事诉讼法第一百一十九条）；搜查令、限制消费令、失信决定书由院长签发。",
    lists: "公布名单",
    list: "名单",
    conduct: "情形",
    on_proposed: "提请",
    on_effective: "生效",
    on_publish: "公布",
    on_expires: "届满",
    on_executed: "执行",
    on_family_notified: "通知家属",
    on_questioning_ended: "询问结束",
    summons_arrived_at: "到案（询问开始）时间",
    summons_ended_at: "询问结束时间",
    on_ended: "结束",
    date_sep: "；",
    st_pending: "待院长审批",
    st_effective: "已生效",
    st_refused: "未批准",
    st_lifted: "已解除",
    st_expired: "期满删除",
    st_deleted: "已删除",
    st_ended: "已结束",
    st_revoked: "复议撤销",
    list_dishonest: "失信被执行人",
    list_restricted: "限制消费",
    list_terminated: "终本案件",
    published_from: "{date} 起公布",
    listed: "公布中",
    removed: "{date} 删除：{reason}",
    approvals_title: "待院长审批的措施",
    review: "审批",
    portal: "执行信息公开",
    portal_sub: "失信被执行人 · 限制消费 · 终本案件查询",
    nav_lists: "名单查询",
    nav_rewards: "悬赏公告",
    nav_tipoff: "执行110 举报",
    nav_progress: "案件进度",
    too_frequent: "查询过于频繁，请稍后再试",
    too_long: "查询内容过长",
    lookup: "名单查询",
    opt_dishonest: "失信被执行人",
    opt_restricted: "限制消费人员",
    opt_terminated: "终结本次执行案件",
    ph_name: "姓名/名称",
    ph_id: "身份证号码/统一社会信用代码（可不填）",
    search: "查询",
    lookup_hint: "输入姓名（名称）；同时输入完整的证件号码可精确查询。仅按姓名查询时显示命中总数和最新 20 条；身份证号码出生月日已遮蔽。依据《最高人民法院关于公布失信被执行人名单信息的若干规定》第六条公布。",
    count: "共 {n} 条",
    count_latest: "，显示最新 20 条",
    not_found: "未查询到相关信息。",
    h_name: "姓名/名称",
    h_id: "证件号码",
    h_sex: "性别",
    h_age: "年龄",
    h_case_number: "执行案号",
    h_court: "执行法院",
    h_basis: "执行依据",
    h_obligation: "义务",
    h_performance: "履行情况",
    h_conduct: "失信情形",
    h_filed_on: "立案日期",
    h_listed_on: "发布日期",
    legal_rep: "法定代表人：",
    progress: "案件进度查询",
    progress_sub: "当事人案件进度查询",
    ph_case_number: "执行案号，如（2024）川1123执1188号",
    ph_own_id: "本人身份证号码/统一社会信用代码",
    ph_code: "查询码",
    code_hint: "查询码由执行法院随执行通知书告知当事人。",
    wrong_code: "案号、证件号码或查询码不正确",
    filed_on: "立案日期",
    events: "执行流程",
    compulsory: "强制措施",
    disposals: "财产处置",
    payouts: "案款发放",
    span: "（{since}{until}）",
    since: "{date} 起",
    until: "，{date} 结束",
    nav_reviews: "复议审查",
    review_apply: "申请复议",
    review_applicant: "复议申请人",
    review_received_on: "收到决定书日期",
    review_applied_on: "申请日期",
    review_reason: "复议理由",
    review_hint: "自收到决定书之日起三日内向上一级法院申请复议一次；复议期间不停止执行（民事诉讼法第一百一十九条，民诉法解释第一百八十五条）。",
    review_label: "复议：",
    rv_pending: "待 {court} 决定（{date} 前）",
    rv_upheld: "维持（{date}）",
    rv_revoked: "撤销（{date}）",
    rv_changed: "变更（{date}）",
    review_applied: "已登记复议申请，由 {court} 于 {date} 前决定。",
    reviews_title: "待本院决定的复议",
    reviews_hint: "罚款、拘留的复议自申请之日起五日内决定，驳回纠正申请的复议十五日内决定；复议期间不停止执行。变更只能减少罚款金额或拘留天数。",
    reviewed: "复议对象",
    rejected_correction: "驳回失信信息纠正申请",
    current: "现为 {value}",
    days_n: "{n} 日",
    decide_by: "决定期限",
    outcome: "复议结果",
    out_upheld: "维持",
    out_revoked: "撤销",
    out_changed: "变更（减少罚款金额或拘留天数）",
    decision_note: "决定理由",
    new_amount: "变更后罚款金额（元）",
    new_days: "变更后拘留天数",
    decide: "作出复议决定",
    review_decided: "复议决定已作出：{outcome}。",
    corrections: "纠正申请",
    corrections_hint: "被纳入失信名单的当事人认为不应纳入、记载有误或应删除的，可以向执行法院申请纠正：法院自收到书面申请之日起十五日内审查，理由成立的三个工作日内纠正，不成立的决定驳回；对驳回决定不服的，可以自收到之日起十日内向上一级法院申请复议（失信规定第十一条、第十二条）。",
    correction_request: "登记纠正申请",
    correction_entry: "名单信息",
    correction_ground: "纠正事由",
    correction_grounds: ["不应纳入", "记载有误", "应删除"],
    correction_statement: "申请理由",
    correction_received_on: "收到申请日期",
    correction_accept: "成立（予以纠正）",
    correction_reject: "驳回",
    cs_received: "待审查",
    cs_corrected: "成立，已纠正",
    cs_rejected: "已驳回",
    on_decided: "决定",
    on_correct_by: "纠正期限",
    correction_requested: "已登记纠正申请，应于 {date} 前审查决定。",
    correction_corrected: "纠正申请成立，已予纠正。",
    correction_rejected: "已驳回纠正申请；申请人可自收到驳回决定之日起十日内向上一级法院申请复议。",
    correction_review_received_on: "收到驳回决定日期",
    correction_review_hint: "自收到驳回决定之日起十日内向上一级法院申请复议，上一级法院十五日内决定（失信规定第十二条）。",
    cp_title: "消费许可申请",
    cp_hint: "单位被执行人的有关人员以个人财产因私消费的，审查属实应予准许（限制消费规定第三条第二款）；被执行人因生活或者经营必需进行禁止的消费，须获批准后方可进行（第八条）。由院长决定；不予准许须写明理由。",
    cp_apply: "申请消费许可",
    cp_applicant: "申请人",
    cp_applicant_id: "身份证号码/统一社会信用代码",
    cp_act: "消费行为",
    cp_ground: "事由",
    cp_reason: "理由",
    cp_from: "自",
    cp_to: "至",
    cp_period: "期间",
    cp_grant: "准许",
    cp_refuse: "不予准许",
    cp_note: "理由（不予准许时必填）",
    cp_applied: "待决定",
    cp_granted: "已准许",
    cp_refused: "不予准许",
    cp_recorded: "已登记消费许可申请，待院长决定。",
    cp_decided_grant: "已准许该消费。",
    cp_decided_refuse: "已决定不予准许。",
};

const EN: TrM = TrM {
    title: "Compulsory measures & credit punishment",
    back: "Back to case",
    measures: "Measures taken and awaiting approval",
    none: "None",
    kind: "Measure",
    subject: "Subject of the measure",
    doc_no: "Document no.",
    status: "Status",
    dates: "Dates",
    actions: "Actions",
    approve: "Approve",
    refuse: "Refuse",
    document: "Download document (DOCX)",
    search_record_doc: "Search record (DOCX)",
    exec_note: "What was done",
    family_notified: "Family notified at",
    detained_at: "Detained at",
    search_record: "Search record",
    search_warrant_shown: "Warrant and work certificates shown",
    search_present: "Present (the debtor or an adult family member; for an entity its legal representative or person in charge)",
    search_witness: "Present for the residents' / villagers' committee (searching a citizen)",
    search_refused: "Those notified refused to attend",
    search_woman: "A woman's body was searched",
    search_female: "by a female officer",
    search_findings: "Found, and seized or sealed (or that nothing was found)",
    search_signed: "Record signed by the searchers, the searched and those present",
    search_refusal: "Who refused to sign",
    questioning_record_doc: "Questioning record (DOCX)",
    questioning_summary: "Questioning record: {name} questioned by {questioners}, recorded by {recorder}; {count} question(s)",
    q_place: "Place of questioning",
    q_began: "Questioning began at",
    q_questioners: "Questioned by (several separated by 、 or commas)",
    q_recorder: "Recorded by (an officer other than the questioners)",
    q_subject_name: "Name of the person questioned",
    q_subject_id: "ID number of the person questioned",
    q_credentials: "Work certificates shown",
    q_rights: "Rights and obligations told",
    q_warned: "Duty to answer truthfully and consequences of a false statement told",
    q_qa: "Questions and answers (a line \"问：…\" per question, then a line \"答：…\")",
    q_qa_placeholder: "问：What assets do you have now?\n答：…",
    q_read_over: "Record confirmed by",
    q_read: "giving it to the person to read",
    q_read_aloud: "reading it out to the person",
    q_signed: "The person questioned confirmed it and signed",
    q_refusal: "Refusal to sign, as noted",
    q_officers_signed: "Questioners and recorder signed",
    execute: "Record execution",
    end: "Delete / lift",
    propose: "Propose a measure",
    needs_president: " (needs the court president's approval)",
    amount: "Fine (yuan)",
    days: "Days of detention",
    hours: "Hours of questioning under summons",
    summoned_for: "Summoned to appear on (拘传: lawfully summoned, did not come)",
    ground: "Ground of dishonesty",
    grounds: [
        "(1) Able to perform but refuses to",
        "(2) Obstructs or resists enforcement by forged evidence, violence, threats or similar means",
        "(3) Evades enforcement by sham litigation, sham arbitration, or hiding or transferring property",
        "(4) Violates the property reporting rules",
        "(5) Violates a consumption restriction order",
        "(6) Refuses without good reason to perform an enforcement settlement agreement",
    ],
    grace: "Grace period (months)",
    on_application: "On the applicant's application",
    place: "Place / media outlet",
    reason: "Facts and reasons",
    submit: "Submit",
    hint: "Summons, fines and detention need the court president's approval (Civil Procedure Law, art. 119); search warrants, consumption restriction orders and decisions to list a dishonest judgment debtor are signed by the court president.",
    lists: "Published lists",
    list: "List",
    conduct: "Conduct",
    on_proposed: "proposed",
    on_effective: "effective",
    on_publish: "published",
    on_expires: "expires",
    on_executed: "executed",
    on_family_notified: "family notified",
    on_questioning_ended: "questioning ended",
    summons_arrived_at: "Arrived (questioning began) at",
    summons_ended_at: "Questioning ended at",
    on_ended: "ended",
    date_sep: "; ",
    st_pending: "Awaiting the court president",
    st_effective: "In effect",
    st_refused: "Not approved",
    st_lifted: "Lifted",
    st_expired: "Deleted at expiry",
    st_deleted: "Deleted",
    st_ended: "Ended",
    st_revoked: "Revoked on reconsideration",
    list_dishonest: "List of dishonest judgment debtors",
    list_restricted: "Consumption restriction",
    list_terminated: "Case closed without full satisfaction (终本)",
    published_from: "published from {date}",
    listed: "Published",
    removed: "Deleted {date}: {reason}",
    approvals_title: "Measures awaiting the court president's approval",
    review: "Review",
    portal: "Enforcement information disclosure",
    portal_sub: "Dishonest judgment debtors · consumption restriction · cases closed without full satisfaction (终本)",
    nav_lists: "List lookup",
    nav_rewards: "Reward notices",
    nav_tipoff: "Enforcement 110 hotline",
    nav_progress: "Case progress",
    too_frequent: "Too many queries, please try again later",
    too_long: "The query is too long",
    lookup: "List lookup",
    opt_dishonest: "List of dishonest judgment debtors",
    opt_restricted: "Persons under consumption restriction",
    opt_terminated: "Cases closed without full satisfaction (终本)",
    ph_name: "Name of the person or entity",
    ph_id: "ID card number / unified social credit code (optional)",
    search: "Search",
    lookup_hint: "Enter the name of the person or entity; add the full ID number for an exact match. A search by name alone shows the number of matches and the latest 20; the month and day of birth in ID card numbers are masked. Published under article 6 of the Provisions of the Supreme People's Court on Publishing Information on the List of Dishonest Judgment Debtors (《最高人民法院关于公布失信被执行人名单信息的若干规定》).",
    count: "{n} found",
    count_latest: ", showing the latest 20",
    not_found: "No matching record found.",
    h_name: "Name",
    h_id: "ID number",
    h_sex: "Sex",
    h_age: "Age",
    h_case_number: "Enforcement case no.",
    h_court: "Enforcing court",
    h_basis: "Basis of enforcement",
    h_obligation: "Obligation",
    h_performance: "Performance",
    h_conduct: "Dishonest conduct",
    h_filed_on: "Filed on",
    h_listed_on: "Published on",
    legal_rep: "Legal representative: ",
    progress: "Case progress lookup",
    progress_sub: "Case progress lookup for parties",
    ph_case_number: "Enforcement case no., e.g. （2024）川1123执1188号",
    ph_own_id: "Your ID card number / unified social credit code",
    ph_code: "Query code",
    code_hint: "The enforcing court gives parties their query code with the enforcement notice (执行通知书).",
    wrong_code: "The case number, ID number or query code is incorrect",
    filed_on: "Filed on",
    events: "Enforcement process",
    compulsory: "Compulsory measures",
    disposals: "Disposal of property",
    payouts: "Payments of case funds",
    span: " ({since}{until})",
    since: "from {date}",
    until: ", ended {date}",
    nav_reviews: "Reconsiderations",
    review_apply: "Apply for reconsideration",
    review_applicant: "Applicant",
    review_received_on: "Decision received on",
    review_applied_on: "Applied on",
    review_reason: "Grounds for reconsideration",
    review_hint: "Reconsideration may be sought once from the next-higher court within three days of receiving the decision; execution is not stayed meanwhile (Civil Procedure Law, art. 119; Interpretation of the Civil Procedure Law, art. 185).",
    review_label: "Reconsideration: ",
    rv_pending: "awaiting {court}, due by {date}",
    rv_upheld: "upheld ({date})",
    rv_revoked: "revoked ({date})",
    rv_changed: "changed ({date})",
    review_applied: "Reconsideration registered; {court} decides by {date}.",
    reviews_title: "Reconsiderations awaiting this court's decision",
    reviews_hint: "A reconsideration of a fine or detention is decided within five days of the application, one of a rejected correction request within fifteen days; execution is not stayed meanwhile. A change may only lower the fine or shorten the detention.",
    reviewed: "Decision under reconsideration",
    rejected_correction: "Rejected request to correct a list entry",
    current: "now {value}",
    days_n: "{n} days",
    decide_by: "Decide by",
    outcome: "Outcome",
    out_upheld: "Uphold",
    out_revoked: "Revoke",
    out_changed: "Change (lower fine or fewer days)",
    decision_note: "Reasons for the decision",
    new_amount: "New fine (yuan)",
    new_days: "New days of detention",
    decide: "Record decision",
    review_decided: "Decision recorded: {outcome}.",
    corrections: "Correction requests",
    corrections_hint: "A person on the list of dishonest judgment debtors who holds that they should not have been listed, that the record is inaccurate or that it should be deleted may ask the enforcing court to correct it. The court decides within fifteen days of receiving the written request: if justified, it corrects the entry within three working days; if not, it rejects the request. A rejection may be taken to the next-higher court for reconsideration within ten days of its receipt (Provisions on the List of Dishonest Judgment Debtors, arts. 11–12).",
    correction_request: "Register a correction request",
    correction_entry: "List entry",
    correction_ground: "Ground",
    correction_grounds: [
        "Should not have been listed",
        "Record is inaccurate",
        "Should be deleted",
    ],
    correction_statement: "Applicant's statement",
    correction_received_on: "Request received on",
    correction_accept: "Justified (correct the entry)",
    correction_reject: "Reject",
    cs_received: "Awaiting decision",
    cs_corrected: "Justified, corrected",
    cs_rejected: "Rejected",
    on_decided: "decided",
    on_correct_by: "correct by",
    correction_requested: "Correction request registered; decide by {date}.",
    correction_corrected: "The request is justified; the entry has been corrected.",
    correction_rejected: "Correction request rejected; the applicant may apply to the next-higher court for reconsideration within ten days of receiving the rejection.",
    correction_review_received_on: "Rejection received on",
    correction_review_hint: "Reconsideration may be sought from the next-higher court within ten days of receiving the rejection; that court decides within fifteen days (Provisions on the List of Dishonest Judgment Debtors, art. 12).",
    cp_title: "Permissions to consume",
    cp_hint: "An entity debtor's bound person who consumes privately with their own assets is permitted once the court verifies it (Consumption Restriction Provisions, art. 3 para. 2); a debtor who must do a restricted act for living or business needs may do so only after approval (art. 8). The court president decides; a refusal states its reasons.",
    cp_apply: "Apply for permission to consume",
    cp_applicant: "Applicant",
    cp_applicant_id: "ID number / credit code",
    cp_act: "Act",
    cp_ground: "Ground",
    cp_reason: "Reason",
    cp_from: "From",
    cp_to: "To",
    cp_period: "Period",
    cp_grant: "Grant",
    cp_refuse: "Refuse",
    cp_note: "Reasons (required to refuse)",
    cp_applied: "Awaiting decision",
    cp_granted: "Granted",
    cp_refused: "Refused",
    cp_recorded: "Application recorded; the court president decides.",
    cp_decided_grant: "Permission granted.",
    cp_decided_refuse: "Permission refused.",
};

pub fn tr(lang: Lang) -> &'static TrM {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

pub struct Row {
    pub id: String,
    pub kind: String,
    pub kind_zh: String,
    pub source: String,
    pub subject: String,
    pub detail: String,
    pub doc_no: String,
    pub status: String,
    pub status_text: &'static str,
    pub status_class: &'static str,
    pub dates: String,
    pub can_decide: bool,
    pub can_execute: bool,
    pub can_end: bool,
    pub has_document: bool,
    /// A search carried out with its record: the 搜查笔录 DOCX can be printed.
    pub has_search_record: bool,
    /// A 拘传 carried out with its questioning record: the 询问笔录 DOCX can be printed.
    pub has_questioning_record: bool,
    pub grounds: Vec<(&'static str, &'static str)>,
    /// The measure's 复议 as it stands ("复议：待 川11 决定（… 前）"); empty when there is none.
    pub review: String,
    /// A fine or detention in effect (or ended) without a 复议 yet, and the user may register one.
    pub can_review: bool,
    /// A 限制消费 in effect, and the user may record an application to consume under it.
    pub can_apply_consumption: bool,
}

/// One application for permission to consume (消费许可) on the case page.
pub struct PermissionLine {
    pub id: String,
    pub applicant: String,
    /// The act and the ground as the regulation words them (data, in Chinese).
    pub act: String,
    pub ground: String,
    pub reason: String,
    pub period: String,
    /// applied | granted | refused
    pub status: String,
    pub status_text: &'static str,
    pub status_class: &'static str,
    /// "决定 …：note" once decided.
    pub decided: String,
    /// Still applied, and the user may decide it (院长 of the court).
    pub can_decide: bool,
}

/// A measure's status word in the page's language and its badge class.
fn status_text(m: &TrM, s: &str) -> (&'static str, &'static str) {
    match s {
        "pending_approval" => (m.st_pending, "yellow"),
        "effective" => (m.st_effective, "red"),
        "refused" => (m.st_refused, "muted"),
        "lifted" => (m.st_lifted, "done"),
        "expired" => (m.st_expired, "done"),
        "deleted" => (m.st_deleted, "done"),
        "ended" => (m.st_ended, "done"),
        "revoked" => (m.st_revoked, "done"),
        _ => ("", ""),
    }
}

/// One of the case's list entries.
pub struct EntryLine {
    pub id: String,
    pub list: String,
    pub subject: String,
    pub conduct: String,
    pub dates: String,
    pub status: String,
    /// A 失信 entry still listed, and the user may register a correction request against it.
    pub can_correct: bool,
}

/// The grounds of a correction request (SX2017 art 11), as `request_correction` takes them;
/// their words are `TrM::correction_grounds`, in this order.
const CORRECTION_GROUNDS: [&str; 3] = ["should_not_be_listed", "inaccurate", "should_be_deleted"];

/// One correction request (纠正申请) on the case page.
pub struct CorrectionLine {
    pub id: String,
    /// The entry's name and its list.
    pub name: String,
    pub list: String,
    pub ground: String,
    pub statement: String,
    pub received_on: String,
    pub decide_by: String,
    /// received | corrected | rejected
    pub status: String,
    pub status_text: String,
    pub status_class: &'static str,
    /// "决定 …；纠正期限 …" when decided; empty before.
    pub decided: String,
    /// The 复议 of the rejection as it stands; empty when there is none.
    pub review: String,
    /// Received and not decided yet, and the user may decide it.
    pub can_decide: bool,
    /// Rejected without a 复议 yet, and the user may register one.
    pub can_review: bool,
}

/// A list's name in the page's language.
fn list_name(tm: &TrM, list: &str) -> &'static str {
    match list {
        "dishonest" => tm.list_dishonest,
        "restricted" => tm.list_restricted,
        _ => tm.list_terminated,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "case_measures.html")]
pub struct CaseMeasuresPage {
    pub t: &'static crate::i18n::Tr,
    pub m: &'static TrM,
    pub lang: &'static str,
    pub nav: Nav,
    pub case_id: String,
    pub case_number: String,
    pub rows: Vec<Row>,
    pub kinds: Vec<(&'static str, &'static str, bool)>,
    pub debtors: Vec<(String, String)>,
    pub entries: Vec<EntryLine>,
    /// The case's correction requests (纠正申请), oldest first.
    pub corrections: Vec<CorrectionLine>,
    /// (code, name) of the grounds of a correction request, for the request form.
    pub correction_grounds: Vec<(&'static str, &'static str)>,
    /// The case's applications to consume under a 限制消费令, oldest first.
    pub permissions: Vec<PermissionLine>,
    /// (code, text) of the nine acts of XF2015 art 3 and of the two grounds, for the form.
    pub cp_acts: Vec<(&'static str, &'static str)>,
    pub cp_grounds: Vec<(&'static str, String)>,
    pub can_propose: bool,
    pub today: String,
    pub error: String,
    /// The outcome of the last form, after post/redirect/get.
    pub notice: String,
}

/// A measure's 复议 status in the page's language.
fn review_status(tm: &TrM, r: &ReviewRow) -> String {
    let on = r.decided_on.as_deref().unwrap_or_default();
    let s = match r.status.as_str() {
        "pending" => fill(
            tm.rv_pending,
            &[("court", &r.review_court), ("date", &r.decide_by)],
        ),
        "upheld" => fill(tm.rv_upheld, &[("date", on)]),
        "revoked" => fill(tm.rv_revoked, &[("date", on)]),
        "changed" => fill(tm.rv_changed, &[("date", on)]),
        other => other.to_owned(),
    };
    format!("{}{s}", tm.review_label)
}

async fn render_case(
    st: &AppState,
    staff: &Staff,
    id: &str,
    error: String,
    notice: String,
) -> Response {
    let lang = staff.lang;
    let tm = tr(lang);
    let a = &staff.actor;
    let detail = match st.app.case_detail(a, id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let (measures, (entries, corrections), reviews) = match (
        st.app.case_measures(a, id).await,
        st.app.case_list_entries(a, id).await,
        st.app.case_reviews(a, id).await,
    ) {
        (Ok(m), Ok(e), Ok(r)) => (m, e, r),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(lang, &e),
    };
    let permissions = match st.app.case_consumption_permissions(a, id).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let review_of: HashMap<&str, &ReviewRow> = reviews
        .iter()
        .filter(|r| r.subject == "measure")
        .map(|r| (r.measure_id.as_str(), r))
        .collect();
    let review_of_correction: HashMap<&str, &ReviewRow> = reviews
        .iter()
        .filter(|r| r.subject == "correction")
        .map(|r| (r.measure_id.as_str(), r))
        .collect();
    let writes = a.writes_in(&detail.case.court_code);
    let can_propose = writes && a.role.has(Permission::ProposeMeasure);
    let can_approve = writes && a.role.has(Permission::ApproveMeasure);
    let rows = measures
        .iter()
        .map(|v| {
            let m = &v.measure;
            let kind = MeasureKind::from_str_opt(&m.kind);
            let (sz, sc) = status_text(tm, &m.status);
            let mut detail = String::new();
            if let Some(a) = m.amount_fen {
                detail.push_str(&Fen::new(a).format_yuan());
            }
            if let Some(r) = m
                .search_record
                .as_deref()
                .and_then(|r| serde_json::from_str::<SearchRecord>(r).ok())
            {
                detail.push_str(&search_summary(tm, &r));
            }
            if let Some(r) = m
                .questioning_record
                .as_deref()
                .and_then(|r| serde_json::from_str::<QuestioningRecord>(r).ok())
            {
                detail.push_str(&fill(
                    tm.questioning_summary,
                    &[
                        ("name", &r.subject_name),
                        ("questioners", &r.questioners.join("、")),
                        ("recorder", &r.recorder),
                        ("count", &r.qa.len().to_string()),
                    ],
                ));
            }
            let dates = [
                (tm.on_proposed, Some(m.proposed_on.clone())),
                (tm.on_effective, m.effective_on.clone()),
                (tm.on_publish, m.publish_on.clone()),
                (tm.on_expires, m.expires_on.clone()),
                (
                    tm.on_executed,
                    m.executed_at.clone().or_else(|| m.executed_on.clone()),
                ),
                (tm.on_family_notified, m.family_notified_at.clone()),
                (tm.on_questioning_ended, m.questioning_ended_at.clone()),
                (tm.on_ended, m.ended_on.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
            .collect::<Vec<_>>()
            .join(tm.date_sep);
            let grounds = kind
                .map(|k| {
                    EndGround::ALL
                        .into_iter()
                        .filter(|g| *g != EndGround::TermExpired && end_rule(k, *g).is_some())
                        .map(|g| (g.as_str(), g.name_zh()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let review = review_of.get(m.id.as_str()).copied();
            Row {
                review: review.map(|r| review_status(tm, r)).unwrap_or_default(),
                can_review: can_propose
                    && review.is_none()
                    && matches!(m.kind.as_str(), "fine" | "detention")
                    && matches!(m.status.as_str(), "effective" | "ended"),
                can_apply_consumption: can_propose
                    && m.kind == "consumption_restriction"
                    && m.status == "effective",
                id: m.id.clone(),
                kind: m.kind.clone(),
                kind_zh: v.kind_zh.clone(),
                source: v.source.clone(),
                subject: m.subject_name.clone(),
                detail,
                doc_no: m.document_number.clone(),
                status: m.status.clone(),
                status_text: sz,
                status_class: sc,
                dates,
                can_decide: can_approve && m.status == "pending_approval",
                can_execute: can_propose
                    && m.status == "effective"
                    && m.executed_on.is_none()
                    && matches!(m.kind.as_str(), "summons" | "fine" | "detention" | "search"),
                can_end: can_propose && m.status == "effective" && !grounds.is_empty(),
                has_search_record: m.search_record.is_some(),
                has_questioning_record: m.questioning_record.is_some(),
                has_document: kind.and_then(MeasureKind::document).is_some()
                    && !matches!(m.status.as_str(), "pending_approval" | "refused"),
                grounds,
            }
        })
        .collect();
    CaseMeasuresPage {
        t: lang.tr(),
        m: tm,
        lang: lang.code(),
        nav: staff.nav(),
        case_id: detail.case.id.clone(),
        case_number: detail.case.case_number.clone(),
        rows,
        kinds: MeasureKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), k.name_zh(), k.needs_president_approval()))
            .collect(),
        debtors: detail
            .debtors
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        corrections: corrections
            .iter()
            .map(|c| {
                let entry = entries.iter().find(|e| e.id == c.entry_id);
                let (status_text, status_class) = match c.status.as_str() {
                    "received" => (tm.cs_received, "yellow"),
                    "corrected" => (tm.cs_corrected, "done"),
                    "rejected" => (tm.cs_rejected, "muted"),
                    _ => ("", ""),
                };
                let decided = [
                    (tm.on_decided, c.decided_on.as_deref()),
                    (tm.on_correct_by, c.correct_by.as_deref()),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
                .collect::<Vec<_>>()
                .join(tm.date_sep);
                let review = review_of_correction.get(c.id.as_str()).copied();
                CorrectionLine {
                    id: c.id.clone(),
                    name: entry.map(|e| e.name.clone()).unwrap_or_default(),
                    list: entry
                        .map(|e| list_name(tm, &e.list).to_owned())
                        .unwrap_or_default(),
                    ground: CORRECTION_GROUNDS
                        .iter()
                        .position(|g| *g == c.ground)
                        .map_or_else(|| c.ground.clone(), |i| tm.correction_grounds[i].to_owned()),
                    statement: c.statement.clone(),
                    received_on: c.received_on.clone(),
                    decide_by: c.decide_by.clone(),
                    status_text: if status_text.is_empty() {
                        c.status.clone()
                    } else {
                        status_text.to_owned()
                    },
                    status_class,
                    status: c.status.clone(),
                    decided,
                    review: review.map(|r| review_status(tm, r)).unwrap_or_default(),
                    can_decide: can_propose && c.status == "received",
                    can_review: can_propose && c.status == "rejected" && review.is_none(),
                }
            })
            .collect(),
        correction_grounds: CORRECTION_GROUNDS
            .into_iter()
            .zip(tm.correction_grounds)
            .collect(),
        permissions: permissions
            .iter()
            .map(|p| permission_line(tm, p, can_approve))
            .collect(),
        cp_acts: zhixing_domain::consumption::ACTS
            .iter()
            .map(|a| (a.code, a.text_zh))
            .collect(),
        cp_grounds: zhixing_domain::consumption::Ground::ALL
            .into_iter()
            .map(|g| (g.as_str(), format!("{}（{}）", g.name_zh(), g.article())))
            .collect(),
        entries: entries
            .iter()
            .map(|e| EntryLine {
                id: e.id.clone(),
                list: list_name(tm, &e.list).to_owned(),
                subject: e.name.clone(),
                conduct: e.conduct.clone(),
                dates: fill(tm.published_from, &[("date", &e.publish_on)]),
                status: if e.status == "listed" {
                    tm.listed.to_owned()
                } else {
                    fill(
                        tm.removed,
                        &[
                            ("date", e.deleted_on.as_deref().unwrap_or_default()),
                            ("reason", e.delete_reason.as_deref().unwrap_or_default()),
                        ],
                    )
                },
                can_correct: can_propose && e.list == "dishonest" && e.status == "listed",
            })
            .collect(),
        can_propose,
        today: zhixing_domain::time::china_date(st.now_ms())
            .format("%Y-%m-%d")
            .to_string(),
        error,
        notice,
    }
    .into_response()
}

/// An application to consume on the case page.
fn permission_line(
    tm: &TrM,
    p: &zhixing_store::consumption::PermissionRow,
    can_approve: bool,
) -> PermissionLine {
    use zhixing_domain::consumption::{ApplicantRole, Ground, act};
    let (status_text, status_class) = match p.status.as_str() {
        "applied" => (tm.cp_applied, "yellow"),
        "granted" => (tm.cp_granted, "done"),
        "refused" => (tm.cp_refused, "muted"),
        _ => ("", ""),
    };
    let role = ApplicantRole::from_str_opt(&p.applicant_role).map_or("", ApplicantRole::name_zh);
    let decided = match (&p.decided_on, &p.decision_note) {
        (Some(on), Some(n)) if !n.is_empty() => format!("{} {on}：{n}", tm.on_decided),
        (Some(on), _) => format!("{} {on}", tm.on_decided),
        _ => String::new(),
    };
    PermissionLine {
        id: p.id.clone(),
        applicant: format!("{}（{role}）", p.applicant_name),
        act: act(&p.act).map_or_else(|| p.act.clone(), |a| a.text_zh.to_owned()),
        ground: Ground::from_str_opt(&p.ground).map_or_else(
            || p.ground.clone(),
            |g| format!("{}（{}）", g.name_zh(), g.article()),
        ),
        reason: p.reason.clone(),
        period: format!("{} – {}", p.period_from, p.period_to),
        status: p.status.clone(),
        status_text,
        status_class,
        decided,
        can_decide: can_approve && p.status == "applied",
    }
}

async fn case_page(
    State(st): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/cases/{id}/measures");
    let (jar, notice, error) = take_flash(jar, &path);
    (jar, render_case(&st, &staff, &id, error, notice).await).into_response()
}

async fn after(st: &AppState, staff: &Staff, case_id: &str, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/cases/{case_id}/measures")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let msg = crate::ui::inline_error(&e);
            render_case(st, staff, case_id, msg, String::new()).await
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

fn num<T: std::str::FromStr>(
    form: &HashMap<String, String>,
    k: &str,
) -> Result<Option<T>, AppError> {
    let v = field(form, k);
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| AppError::invalid("number", k, "应为整数"))
}

/// The proposal form; a ticked "on application" box records the application as made `today`.
fn measure_input(form: &HashMap<String, String>, today: &str) -> Result<MeasureInput, AppError> {
    let amount = field(form, "amount_yuan");
    let amount_fen = if amount.is_empty() {
        None
    } else {
        Some(
            Fen::parse_yuan(&amount)
                .map_err(|e| AppError::Invalid(e.at("amount_yuan")))?
                .get(),
        )
    };
    let opt = |k: &str| Some(field(form, k)).filter(|s| !s.is_empty());
    Ok(MeasureInput {
        kind: field(form, "kind"),
        party_id: opt("party_id"),
        amount_fen,
        days: num(form, "days")?,
        hours: num(form, "hours")?,
        ground: num(form, "ground")?,
        grace_months: num(form, "grace_months")?,
        on_application: form.contains_key("on_application"),
        applied_on: form
            .contains_key("on_application")
            .then(|| today.to_owned()),
        place: opt("place"),
        reason: field(form, "reason"),
        summoned_for: opt("summoned_for"),
        ..Default::default()
    })
}

async fn propose_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let today = zhixing_domain::time::china_date(st.now_ms())
        .format("%Y-%m-%d")
        .to_string();
    let r = match measure_input(&form, &today) {
        Ok(input) => st
            .app
            .propose_measure(&staff.actor, &id, &input, st.now_ms())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&st, &staff, &id, r).await
}

async fn decision_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let back = field(&form, "back");
    let r = st
        .app
        .decide_measure(
            &staff.actor,
            &mid,
            field(&form, "decision") == "approve",
            &field(&form, "comment"),
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after(&st, &staff, &back, r).await
}

async fn execution_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let back = field(&form, "back");
    // The search form carries its record (搜查笔录); checkboxes are present only when ticked.
    let search = form.contains_key("search_form").then(|| {
        let ticked = |k: &str| form.get(k).is_some_and(|v| !v.is_empty());
        SearchRecord {
            warrant_shown: ticked("search_warrant_shown"),
            present: field(&form, "search_present"),
            witness: field(&form, "search_witness"),
            refused_to_attend: ticked("search_refused"),
            woman_body_searched: ticked("search_woman"),
            female_officer: ticked("search_female_officer"),
            findings: field(&form, "search_findings"),
            signed: ticked("search_signed"),
            refusal_note: field(&form, "search_refusal_note"),
        }
    });
    // The 拘传 form carries its questioning record (询问笔录); its end is the form's
    // `questioning_ended_at`, the questions and answers one textarea read by `parse_qa`.
    let questioning = match questioning_from_form(&form) {
        Ok(q) => q,
        Err(e) => return after(&st, &staff, &back, Err(e)).await,
    };
    let r = st
        .app
        .execute_measure_at(
            &staff.actor,
            &mid,
            &zhixing_app::measures::ExecutionInput {
                on: &field(&form, "on"),
                note: &field(&form, "note"),
                // A detention's form gives the times (CPLI art 180's 24 hours to the minute).
                at: Some(field(&form, "executed_at")).as_deref(),
                family_notified_on: Some(field(&form, "family_notified_on")).as_deref(),
                family_notified_at: Some(field(&form, "family_notified_at")).as_deref(),
                search: search.as_ref(),
                questioning_ended_at: Some(field(&form, "questioning_ended_at")).as_deref(),
                questioning: questioning.as_ref(),
            },
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after(&st, &staff, &back, r).await
}

/// The questioning record of the 拘传 form, when the form carries one (`questioning_form`).
/// Checkboxes are present only when ticked; questioners are split on 、，, and commas; the Q/A
/// textarea is read by [`parse_qa`], whose errors name `questioning.qa`.
fn questioning_from_form(
    form: &HashMap<String, String>,
) -> Result<Option<QuestioningRecord>, AppError> {
    if !form.contains_key("questioning_form") {
        return Ok(None);
    }
    let ticked = |k: &str| form.get(k).is_some_and(|v| !v.is_empty());
    let qa =
        parse_qa(&field(form, "questioning_qa"), "questioning.qa").map_err(AppError::Invalid)?;
    Ok(Some(QuestioningRecord {
        place: field(form, "questioning_place"),
        began_at: field(form, "questioning_began_at"),
        ended_at: field(form, "questioning_ended_at"),
        questioners: field(form, "questioning_questioners")
            .split(['、', '，', ',', ';', '；'])
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty())
            .collect(),
        recorder: field(form, "questioning_recorder"),
        subject_name: field(form, "questioning_subject_name"),
        subject_id_number: field(form, "questioning_subject_id"),
        credentials_shown: ticked("questioning_credentials"),
        rights_told: ticked("questioning_rights"),
        false_statement_warned: ticked("questioning_warned"),
        qa,
        read_over: field(form, "questioning_read_over"),
        signed: ticked("questioning_signed"),
        refusal_note: field(form, "questioning_refusal_note"),
        officers_signed: ticked("questioning_officers_signed"),
    }))
}

/// A search record in one line for the measures list.
fn search_summary(tm: &TrM, r: &SearchRecord) -> String {
    let mut parts = Vec::new();
    if r.refused_to_attend {
        parts.push(tm.search_refused.to_owned());
    } else {
        parts.push(r.present.clone());
        if !r.witness.is_empty() {
            parts.push(r.witness.clone());
        }
    }
    if r.woman_body_searched {
        parts.push(format!("{}，{}", tm.search_woman, tm.search_female));
    }
    parts.push(r.findings.clone());
    if !r.refusal_note.is_empty() {
        parts.push(r.refusal_note.clone());
    }
    format!("{}：{}", tm.search_record, parts.join("；"))
}

async fn end_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let back = field(&form, "back");
    let r = st
        .app
        .end_measure(
            &staff.actor,
            &mid,
            &field(&form, "ground"),
            &field(&form, "ground_on"),
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after(&st, &staff, &back, r).await
}

#[derive(Template, WebTemplate)]
#[template(path = "approvals.html")]
pub struct ApprovalsPage {
    pub t: &'static crate::i18n::Tr,
    pub lang: &'static str,
    pub m: &'static TrM,
    pub nav: Nav,
    /// (case id, kind, subject, document number, proposed on)
    pub rows: Vec<(String, String, String, String, String)>,
}

async fn approvals_page(State(st): State<AppState>, staff: Staff) -> Response {
    let lang = staff.lang;
    let rows = match st.app.approval_queue(&staff.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    ApprovalsPage {
        t: lang.tr(),
        lang: lang.code(),
        m: tr(lang),
        nav: staff.nav(),
        rows: rows
            .iter()
            .map(|r| {
                (
                    r.case_id.clone(),
                    MeasureKind::from_str_opt(&r.kind)
                        .map_or("", MeasureKind::name_zh)
                        .to_owned(),
                    r.subject_name.clone(),
                    r.document_number.clone(),
                    r.proposed_on.clone(),
                )
            })
            .collect(),
    }
    .into_response()
}

// ---- 复议 (reconsideration) -------------------------------------------------------------------

/// The cookie that carries a form's outcome across its redirect (post/redirect/get).
const FLASH_COOKIE: &str = "zx_flash";

/// Redirect to `to` (a path without query) with a message for the page there: a session cookie
/// scoped to that path, HttpOnly and SameSite=Strict, its text hex-encoded (cookie values are
/// ASCII), read and cleared by the next GET of the page. Messages never travel in the URL, so a
/// link cannot put words on a staff page.
pub(crate) fn redirect_with(st: &AppState, to: &str, ok: bool, msg: &str) -> Response {
    let mut c = Cookie::new(
        FLASH_COOKIE,
        format!("{}{}", if ok { 'o' } else { 'e' }, hex::encode(msg)),
    );
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_path(to.to_owned());
    c.set_secure(st.config.secure_cookies);
    (CookieJar::new().add(c), Redirect::to(to)).into_response()
}

/// The message left for the page at `path` by `redirect_with`: (jar clearing it, notice, error).
pub(crate) fn take_flash(jar: CookieJar, path: &str) -> (CookieJar, String, String) {
    let Some(v) = jar.get(FLASH_COOKIE).map(|c| c.value().to_owned()) else {
        return (jar, String::new(), String::new());
    };
    let mut gone = Cookie::from(FLASH_COOKIE);
    gone.set_path(path.to_owned());
    let jar = jar.remove(gone);
    let text = |hexed: &str| {
        hex::decode(hexed)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    };
    match v.split_at_checked(1) {
        Some(("o", rest)) => (jar, text(rest), String::new()),
        Some(("e", rest)) => (jar, String::new(), text(rest)),
        _ => (jar, String::new(), String::new()),
    }
}

/// A case id from a form's `back` field, fit for a path; None if it is anything else.
fn case_path(back: &str) -> Option<String> {
    (!back.is_empty()
        && back.len() <= 64
        && back.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    .then(|| format!("/cases/{back}/measures"))
}

/// After a 复议 or 纠正申请 form: back to `to` with the success text, or with the rule that refused it (shown
/// like the measure forms' errors); other errors (not found, forbidden) get the error page.
fn after_review(st: &AppState, staff: &Staff, to: &str, r: Result<String, AppError>) -> Response {
    match r {
        Ok(msg) => redirect_with(st, to, true, &msg),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            redirect_with(st, to, false, &crate::ui::inline_error(&e))
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

/// The common gate of the case page's 复议 and correction forms: the CSRF token, then the case
/// page to return to (from the form's `back` field).
fn case_form(staff: &Staff, form: &HashMap<String, String>) -> Result<String, Box<Response>> {
    if let Some(r) = staff.csrf_rejection(form) {
        return Err(Box::new(r));
    }
    case_path(&field(form, "back"))
        .ok_or_else(|| Box::new(error_page(staff.lang, &AppError::NotFound)))
}

/// A 复议 application as the case page's forms post it.
fn review_input(form: &HashMap<String, String>) -> ReviewInput {
    ReviewInput {
        applicant: field(form, "applicant"),
        received_on: field(form, "received_on"),
        applied_on: field(form, "applied_on"),
        reason: field(form, "reason"),
    }
}

/// "Registered; decided by <court> before <date>".
fn review_applied(tm: &TrM, r: &zhixing_store::measures::ReviewRow) -> String {
    fill(
        tm.review_applied,
        &[("court", &r.review_court), ("date", &r.decide_by)],
    )
}

/// The executing court registers a 复议 of a fine or detention (form on the case's measures page).
async fn review_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let to = match case_form(&staff, &form) {
        Ok(to) => to,
        Err(r) => return *r,
    };
    let tm = tr(staff.lang);
    let r = st
        .app
        .apply_review(&staff.actor, &mid, &review_input(&form), st.now_ms())
        .await
        .map(|r| review_applied(tm, &r));
    after_review(&st, &staff, &to, r)
}

/// Staff register a correction request (纠正申请, SX2017 art 11) against a 失信 entry (form on
/// the case's measures page).
async fn correction_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(eid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let to = match case_form(&staff, &form) {
        Ok(to) => to,
        Err(r) => return *r,
    };
    let tm = tr(staff.lang);
    let r = st
        .app
        .request_correction(
            &staff.actor,
            &eid,
            &field(&form, "ground"),
            &field(&form, "statement"),
            &field(&form, "received_on"),
            st.now_ms(),
        )
        .await
        .map(|c| fill(tm.correction_requested, &[("date", &c.decide_by)]));
    after_review(&st, &staff, &to, r)
}

/// Staff decide a correction request: justified (corrected at once) or rejected (SX2017 art 12).
async fn correction_decision_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(cid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let to = match case_form(&staff, &form) {
        Ok(to) => to,
        Err(r) => return *r,
    };
    let tm = tr(staff.lang);
    let accept = match two_way(
        &form,
        "accept",
        "reject",
        "决定应为 accept（成立）或 reject（驳回）",
    ) {
        Ok(b) => b,
        Err(e) => return after_review(&st, &staff, &to, Err(e)),
    };
    let r = st
        .app
        .decide_correction(&staff.actor, &cid, accept, st.now_ms())
        .await
        .map(|_| {
            if accept {
                tm.correction_corrected
            } else {
                tm.correction_rejected
            }
            .to_owned()
        });
    after_review(&st, &staff, &to, r)
}

/// The executing court registers a 复议 of its rejection of a correction request (SX2017 art 12).
async fn correction_review_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(cid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let to = match case_form(&staff, &form) {
        Ok(to) => to,
        Err(r) => return *r,
    };
    let tm = tr(staff.lang);
    let r = st
        .app
        .apply_correction_review(&staff.actor, &cid, &review_input(&form), st.now_ms())
        .await
        .map(|r| review_applied(tm, &r));
    after_review(&st, &staff, &to, r)
}

/// Staff record an application to consume under a 限制消费令 in effect (form under the measure).
async fn consumption_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let to = match case_form(&staff, &form) {
        Ok(to) => to,
        Err(r) => return *r,
    };
    let tm = tr(staff.lang);
    let input = zhixing_app::consumption::PermissionInput {
        applicant_name: field(&form, "applicant_name"),
        applicant_id_number: field(&form, "applicant_id_number"),
        act: field(&form, "act"),
        ground: field(&form, "ground"),
        reason: field(&form, "reason"),
        from: field(&form, "from"),
        to: field(&form, "to"),
    };
    let r = st
        .app
        .apply_consumption_permission(&staff.actor, &mid, &input, st.now_ms())
        .await
        .map(|_| tm.cp_recorded.to_owned());
    after_review(&st, &staff, &to, r)
}

/// The 院长 grants or refuses an application to consume (reasons required for a refusal).
async fn consumption_decision_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(pid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let to = match case_form(&staff, &form) {
        Ok(to) => to,
        Err(r) => return *r,
    };
    let tm = tr(staff.lang);
    let grant = match two_way(
        &form,
        "grant",
        "refuse",
        "决定应为 grant（准许）或 refuse（不予准许）",
    ) {
        Ok(b) => b,
        Err(e) => return after_review(&st, &staff, &to, Err(e)),
    };
    let r = st
        .app
        .decide_consumption_permission(
            &staff.actor,
            &pid,
            grant,
            &field(&form, "note"),
            st.now_ms(),
        )
        .await
        .map(|_| {
            if grant {
                tm.cp_decided_grant
            } else {
                tm.cp_decided_refuse
            }
            .to_owned()
        });
    after_review(&st, &staff, &to, r)
}

/// One review on the higher court's page.
pub struct ReviewLine {
    pub id: String,
    pub case_number: String,
    pub court: String,
    /// What is reviewed: the measure's kind, or a rejected correction request.
    pub what: String,
    pub kind: String,
    pub subject_name: String,
    /// The fine or days as they stand ("现为 20,000.00 元").
    pub current: String,
    pub applicant: String,
    pub received_on: String,
    pub applied_on: String,
    pub reason: String,
    pub decide_by: String,
    /// `changed` (变更) applies to fines and detentions only.
    pub can_change: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews.html")]
pub struct ReviewsPage {
    pub t: &'static crate::i18n::Tr,
    pub lang: &'static str,
    pub m: &'static TrM,
    pub nav: Nav,
    pub rows: Vec<ReviewLine>,
    pub error: String,
    pub notice: String,
}

const REVIEWS_PATH: &str = "/reviews";

/// The higher court's 院长: the 复议 to decide, each with its decision form.
async fn reviews_page(State(st): State<AppState>, staff: Staff, jar: CookieJar) -> Response {
    let lang = staff.lang;
    let tm = tr(lang);
    let rows = match st.app.reviews_to_decide_detail(&staff.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let (jar, notice, error) = take_flash(jar, REVIEWS_PATH);
    let rows = rows
        .into_iter()
        .map(|p| {
            let kind = p.kind.clone().unwrap_or_default();
            let current = match (p.amount_fen, p.days) {
                (Some(a), _) if kind == "fine" => Some(Fen::new(a).format_yuan()),
                (_, Some(d)) if kind == "detention" => {
                    Some(fill(tm.days_n, &[("n", &d.to_string())]))
                }
                _ => None,
            }
            .map(|v| fill(tm.current, &[("value", &v)]))
            .unwrap_or_default();
            let r = p.review;
            ReviewLine {
                what: if r.subject == "measure" {
                    MeasureKind::from_str_opt(&kind)
                        .map_or("", MeasureKind::name_zh)
                        .to_owned()
                } else {
                    tm.rejected_correction.to_owned()
                },
                can_change: r.subject == "measure" && matches!(kind.as_str(), "fine" | "detention"),
                kind,
                subject_name: p.subject_name.unwrap_or_default(),
                current,
                case_number: p.case_number,
                id: r.id,
                court: r.court_code,
                applicant: r.applicant,
                received_on: r.received_on,
                applied_on: r.applied_on,
                reason: r.reason,
                decide_by: r.decide_by,
            }
        })
        .collect();
    (
        jar,
        ReviewsPage {
            t: lang.tr(),
            lang: lang.code(),
            m: tm,
            nav: staff.nav(),
            rows,
            error,
            notice,
        },
    )
        .into_response()
}

/// The new terms of a 变更 from the decision form: the fine in 元 (parsed exactly to 分, as the
/// proposal form does) or the days; nothing for the other outcomes.
fn review_terms(form: &HashMap<String, String>) -> Result<ReviewTerms, AppError> {
    if field(form, "outcome") != "changed" {
        return Ok(ReviewTerms::default());
    }
    let amount = field(form, "amount_yuan");
    let amount_fen = if amount.is_empty() {
        None
    } else {
        Some(
            Fen::parse_yuan(&amount)
                .map_err(|e| AppError::Invalid(e.at("amount_yuan")))?
                .get(),
        )
    };
    Ok(ReviewTerms {
        amount_fen,
        days: num(form, "days")?,
    })
}

async fn review_decision_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(rid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let tm = tr(staff.lang);
    let outcome = field(&form, "outcome");
    let r = match review_terms(&form) {
        Ok(terms) => st
            .app
            .decide_review(
                &staff.actor,
                &rid,
                &outcome,
                &field(&form, "note"),
                terms,
                st.now_ms(),
            )
            .await
            .map(|r| {
                let word = match r.status.as_str() {
                    "upheld" => tm.rv_upheld,
                    "revoked" => tm.rv_revoked,
                    _ => tm.rv_changed,
                };
                let on = r.decided_on.as_deref().unwrap_or_default();
                fill(
                    tm.review_decided,
                    &[("outcome", &fill(word, &[("date", on)]))],
                )
            }),
        Err(e) => Err(e),
    };
    after_review(&st, &staff, REVIEWS_PATH, r)
}

#[derive(Template, WebTemplate)]
#[template(path = "public.html")]
pub struct PublicPage {
    pub t: &'static crate::i18n::Tr,
    pub m: &'static TrM,
    pub lang: &'static str,
    pub list: String,
    pub name: String,
    pub id: String,
    pub searched: bool,
    pub items: Vec<PublicItem>,
    /// "共 n 条" (with "，显示最新 20 条" above 20) after a search by name alone.
    pub count: Option<String>,
    pub error: String,
}

/// The page language of a public (no login) request, from the `zx_lang` cookie.
pub(crate) fn public_lang(headers: &axum::http::HeaderMap) -> Lang {
    crate::ui::lang_of(&axum_extra::extract::cookie::CookieJar::from_headers(
        headers,
    ))
}

/// The public portal (no login): look up the three published lists.
async fn public_page(State(st): State<AppState>, req: Request) -> Response {
    let lang = public_lang(req.headers());
    let tm = tr(lang);
    let q: HashMap<String, String> = Query::try_from_uri(req.uri())
        .map(|Query(q)| q)
        .unwrap_or_default();
    let list = match q.get("list").map(String::as_str) {
        Some("restricted") => "restricted",
        Some("terminated") => "terminated",
        _ => "dishonest",
    };
    let name = q.get("name").cloned().unwrap_or_default();
    let id = q.get("id").cloned().unwrap_or_default();
    let searched = !name.is_empty() || !id.is_empty();
    let mut error = String::new();
    let mut items = Vec::new();
    let mut count = None;
    if searched {
        let key = crate::api_measures::client_key(req.extensions());
        let now = st.now_ms();
        if !st.public_limiter.allow(key, now) {
            error = tm.too_frequent.into();
        } else if name.len() > 200 || id.len() > 64 {
            error = tm.too_long.into();
        } else {
            let r = if id.trim().is_empty() {
                match st
                    .app
                    .public_search_name(list, &name, &st.config.id_mask, now)
                    .await
                {
                    Ok(r) => {
                        let mut c = fill(tm.count, &[("n", &r.count.to_string())]);
                        if r.count > 20 {
                            c.push_str(tm.count_latest);
                        }
                        count = Some(c);
                        Ok(r.items)
                    }
                    Err(e) => Err(e),
                }
            } else {
                st.app
                    .public_lookup(list, &name, &id, &st.config.id_mask, now)
                    .await
            };
            match r {
                Ok(v) => items = v,
                Err(e) => error = classify(&e).3,
            }
        }
    }
    PublicPage {
        t: lang.tr(),
        m: tm,
        lang: lang.code(),
        list: list.into(),
        name: name.chars().take(50).collect(),
        id: id.chars().take(18).collect(),
        searched,
        items,
        count,
        error,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "progress.html")]
pub struct ProgressPage {
    pub t: &'static crate::i18n::Tr,
    pub m: &'static TrM,
    pub lang: &'static str,
    pub case_number: String,
    pub id: String,
    pub progress: Option<zhixing_app::measures::CaseProgress>,
    /// One line per compulsory measure: its name with the dates it ran.
    pub measure_lines: Vec<String>,
    pub error: String,
}

/// "拘留（2024-10-01 起，2024-10-15 结束）" in the page's language.
fn measure_line(
    tm: &TrM,
    (name, _, since, until): &(String, String, Option<String>, Option<String>),
) -> String {
    let since = since
        .as_deref()
        .map(|d| fill(tm.since, &[("date", d)]))
        .unwrap_or_default();
    let mut until = until
        .as_deref()
        .map(|d| fill(tm.until, &[("date", d)]))
        .unwrap_or_default();
    if since.is_empty() && until.starts_with(", ") {
        until = until.split_off(2);
    }
    let span = fill(tm.span, &[("since", &since), ("until", &until)]);
    format!("{name}{span}")
}

/// A party's case progress (执行公开), by case number + own ID + query code.
async fn progress_page(State(st): State<AppState>, req: Request) -> Response {
    let lang = public_lang(req.headers());
    let tm = tr(lang);
    let q: HashMap<String, String> = Query::try_from_uri(req.uri())
        .map(|Query(q)| q)
        .unwrap_or_default();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let (case_number, id, code) = (get("case_number"), get("id"), get("code"));
    let mut error = String::new();
    let mut progress = None;
    if !case_number.is_empty() {
        let key = crate::api_measures::client_key(req.extensions());
        if !st.public_limiter.allow(key, st.now_ms()) {
            error = tm.too_frequent.into();
        } else if case_number.len() > 100 || id.len() > 64 || code.len() > 32 {
            error = tm.too_long.into();
        } else {
            match st.app.public_case_progress(&case_number, &id, &code).await {
                Ok(p) => progress = Some(p),
                Err(AppError::NotFound) => error = tm.wrong_code.into(),
                Err(e) => error = classify(&e).3,
            }
        }
    }
    ProgressPage {
        t: lang.tr(),
        m: tm,
        lang: lang.code(),
        case_number: case_number.chars().take(40).collect(),
        id: id.chars().take(18).collect(),
        measure_lines: progress
            .iter()
            .flat_map(|p| p.measures.iter().map(|x| measure_line(tm, x)))
            .collect(),
        progress,
        error,
    }
    .into_response()
}

/// A form's two-way `decision` field: `yes` → true, `no` → false, anything else refused with
/// `message` naming the field.
fn two_way(
    form: &HashMap<String, String>,
    yes: &str,
    no: &str,
    message: &str,
) -> Result<bool, AppError> {
    match field(form, "decision").as_str() {
        d if d == yes => Ok(true),
        d if d == no => Ok(false),
        _ => Err(AppError::invalid("decision", "decision", message)),
    }
}

/// A measure's legal document, a search's 搜查笔录 or a 拘传's 询问笔录, as DOCX for a signed-in user (the page's
/// links; the `/api/v1/…` routes take a bearer token, which a browser does not send).
async fn document_download(
    State(st): State<AppState>,
    staff: Staff,
    Path((mid, which)): Path<(String, String)>,
) -> Response {
    let d = match which.as_str() {
        "document" => st.app.measure_document(&staff.actor, &mid).await,
        "search-record" => st.app.search_record_document(&staff.actor, &mid).await,
        "questioning-record" => st.app.questioning_record_document(&staff.actor, &mid).await,
        _ => Err(AppError::NotFound),
    };
    docx_or_page(&staff, d)
}

/// A consumption permission's decision as DOCX, for a signed-in user.
async fn permission_document(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let d = st
        .app
        .consumption_permission_document(&staff.actor, &id)
        .await;
    docx_or_page(&staff, d)
}

fn docx_or_page(staff: &Staff, d: Result<zhixing_app::documents::Document, AppError>) -> Response {
    match d.map(crate::api_measures::docx_response) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => e.into_response(),
        Err(e) => error_page(staff.lang, &e),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/measures", get(case_page).post(propose_submit))
        .route("/measures/{id}/{which}", get(document_download))
        .route(
            "/consumption-permissions/{id}/document",
            get(permission_document),
        )
        .route("/measures/{id}/decision", post(decision_submit))
        .route("/measures/{id}/execution", post(execution_submit))
        .route("/measures/{id}/end", post(end_submit))
        .route("/measures/{id}/review", post(review_submit))
        .route("/list-entries/{id}/corrections", post(correction_submit))
        .route(
            "/corrections/{id}/decision",
            post(correction_decision_submit),
        )
        .route("/corrections/{id}/review", post(correction_review_submit))
        .route(
            "/measures/{id}/consumption-permissions",
            post(consumption_submit),
        )
        .route(
            "/consumption-permissions/{id}/decision",
            post(consumption_decision_submit),
        )
        .route("/approvals", get(approvals_page))
        .route(REVIEWS_PATH, get(reviews_page))
        .route("/reviews/{id}/decision", post(review_decision_submit))
        .route("/public", get(public_page))
        .route("/public/progress", get(progress_page))
}

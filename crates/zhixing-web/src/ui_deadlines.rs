//! Staff pages of the deadline engine: a case's process nodes and deadlines ("why this date"), the
//! due list, the 红黄蓝 board with its chart, and the inbox.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use zhixing_app::AppError;
use zhixing_app::deadlines::{DeadlineView, EventInput, ExcludedInput, unit_zh};
use zhixing_domain::deadline::builtin_nodes;
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_datetime_text;

use crate::i18n::Lang;
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page};

/// Strings of these pages (zh default, en on request).
pub struct TrD {
    pub nav_due: &'static str,
    pub nav_board: &'static str,
    pub nav_inbox: &'static str,
    pub case_deadlines: &'static str,
    pub deadlines: &'static str,
    pub node: &'static str,
    pub rule: &'static str,
    pub start: &'static str,
    pub due: &'static str,
    pub status: &'static str,
    pub level: &'static str,
    pub why: &'static str,
    pub events: &'static str,
    pub date: &'static str,
    pub note: &'static str,
    pub actor: &'static str,
    pub record_event: &'static str,
    pub submit: &'static str,
    pub excluded: &'static str,
    pub kind: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub extension: &'static str,
    pub length: &'static str,
    pub reason: &'static str,
    pub approve: &'static str,
    pub refuse: &'static str,
    pub supervision: &'static str,
    pub reply_due: &'static str,
    pub reply: &'static str,
    pub open_supervision: &'static str,
    pub due_list: &'static str,
    pub none: &'static str,
    pub case_number: &'static str,
    pub board: &'static str,
    pub blue: &'static str,
    pub yellow: &'static str,
    pub red: &'static str,
    pub court: &'static str,
    pub team: &'static str,
    pub handler: &'static str,
    pub items: &'static str,
    pub inbox: &'static str,
    pub time: &'static str,
    pub title: &'static str,
    pub mark_read: &'static str,
    pub back: &'static str,
}

const ZH: TrD = TrD {
    nav_due: "我的期限",
    nav_board: "红黄蓝看板",
    nav_inbox: "消息",
    case_deadlines: "流程节点与期限",
    deadlines: "节点期限",
    node: "流程节点",
    rule: "规则",
    start: "起算",
    due: "届满日",
    status: "状态",
    level: "预警",
    why: "为何是这一天",
    events: "已记录的流程节点",
    date: "日期",
    note: "备注",
    actor: "记录人",
    record_event: "记录流程节点",
    submit: "提交",
    excluded: "扣除期间",
    kind: "类型",
    from: "起日",
    to: "止日",
    extension: "延长执行期限",
    length: "长度",
    reason: "理由",
    approve: "批准",
    refuse: "不批准",
    supervision: "督办",
    reply_due: "回复期限",
    reply: "回复",
    open_supervision: "发起督办",
    due_list: "我的期限（14 日内届满及已超期）",
    none: "暂无",
    case_number: "案号",
    board: "红黄蓝预警看板",
    blue: "蓝色预警",
    yellow: "黄色预警",
    red: "红色预警（超期）",
    court: "法院",
    team: "团队",
    handler: "承办人",
    items: "件数",
    inbox: "消息",
    time: "时间",
    title: "内容",
    mark_read: "标为已读",
    back: "返回案件",
};

const EN: TrD = TrD {
    nav_due: "My deadlines",
    nav_board: "Warning board",
    nav_inbox: "Inbox",
    case_deadlines: "Process nodes & deadlines",
    deadlines: "Node deadlines",
    node: "Node",
    rule: "Rule",
    start: "Start",
    due: "Due",
    status: "Status",
    level: "Warning",
    why: "Why this date",
    events: "Recorded nodes",
    date: "Date",
    note: "Note",
    actor: "Recorded by",
    record_event: "Record a node",
    submit: "Submit",
    excluded: "Excluded periods",
    kind: "Kind",
    from: "From",
    to: "To",
    extension: "Extend the case term",
    length: "Length",
    reason: "Reason",
    approve: "Approve",
    refuse: "Refuse",
    supervision: "Supervision (督办)",
    reply_due: "Reply by",
    reply: "Reply",
    open_supervision: "Open supervision",
    due_list: "My deadlines (due within 14 days or overdue)",
    none: "None",
    case_number: "Case number",
    board: "Red-yellow-blue board",
    blue: "Blue",
    yellow: "Yellow",
    red: "Red (overdue)",
    court: "Court",
    team: "Team",
    handler: "Handler",
    items: "Items",
    inbox: "Inbox",
    time: "Time",
    title: "Message",
    mark_read: "Mark read",
    back: "Back to case",
};

pub fn tr(lang: Lang) -> &'static TrD {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

fn level_text(t: &TrD, l: Option<&str>) -> &'static str {
    match l {
        Some("blue") => t.blue,
        Some("yellow") => t.yellow,
        Some("red") => t.red,
        _ => "",
    }
}

fn status_text(lang: Lang, s: &str) -> &'static str {
    match (lang, s) {
        (Lang::Zh, "done") => "已完成",
        (Lang::Zh, "overdue") => "已超期",
        (Lang::Zh, _) => "进行中",
        (Lang::En, "done") => "done",
        (Lang::En, "overdue") => "overdue",
        (Lang::En, _) => "pending",
    }
}

/// "Why this date", step by step, from the stored derivation.
pub fn why_lines(lang: Lang, derivation: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(derivation) else {
        return Vec::new();
    };
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let node_name = |id: &str| {
        zhixing_domain::deadline::find_node(id).map_or_else(|| id.to_owned(), |n| n.name_zh.clone())
    };
    let unit = s("unit");
    let mut out = Vec::new();
    match lang {
        Lang::Zh => {
            out.push(format!(
                "起算：「{}」于 {}，当日不计入（民事诉讼法第八十五条）",
                node_name(&s("start_event")),
                s("start_on")
            ));
            out.push(format!(
                "期间：{} {} → {}（{}）",
                v["length"],
                unit_zh(&unit),
                s("raw_end"),
                s("rule_source")
            ));
        }
        Lang::En => {
            out.push(format!(
                "Starts: {} on {} (that day not counted, CPL art 85)",
                s("start_event"),
                s("start_on")
            ));
            out.push(format!(
                "Term: {} {unit} → {} ({})",
                v["length"],
                s("raw_end"),
                s("rule_source")
            ));
        }
    }
    for e in v["exclusions"].as_array().into_iter().flatten() {
        let added = e["days_added"].as_i64().unwrap_or(0);
        out.push(match lang {
            Lang::Zh => format!(
                "扣除期间（{}）{} 至 {}：顺延 {added} 日",
                e["kind"].as_str().unwrap_or_default(),
                e["from"].as_str().unwrap_or_default(),
                e["to"].as_str().unwrap_or_default()
            ),
            Lang::En => format!(
                "Excluded ({}) {} to {}: +{added} days",
                e["kind"].as_str().unwrap_or_default(),
                e["from"].as_str().unwrap_or_default(),
                e["to"].as_str().unwrap_or_default()
            ),
        });
    }
    for e in v["extensions"].as_array().into_iter().flatten() {
        out.push(match lang {
            Lang::Zh => format!(
                "延长 {} {}（{} 批准）：{} → {}",
                e["length"],
                unit_zh(e["unit"].as_str().unwrap_or_default()),
                e["approved_on"].as_str().unwrap_or_default(),
                e["from"].as_str().unwrap_or_default(),
                e["to"].as_str().unwrap_or_default()
            ),
            Lang::En => format!(
                "Extended {} {} (approved {}): {} → {}",
                e["length"],
                e["unit"].as_str().unwrap_or_default(),
                e["approved_on"].as_str().unwrap_or_default(),
                e["from"].as_str().unwrap_or_default(),
                e["to"].as_str().unwrap_or_default()
            ),
        });
    }
    if let Some(r) = v["roll_over"].as_object() {
        let from = r.get("from").and_then(|x| x.as_str()).unwrap_or_default();
        let to = r.get("to").and_then(|x| x.as_str()).unwrap_or_default();
        out.push(match lang {
            Lang::Zh => format!("{from} 为节假日，顺延至 {to}（民事诉讼法第八十五条）"),
            Lang::En => format!("{from} is a rest day: moved to {to} (CPL art 85)"),
        });
    }
    if let Some(d) = v["deferred_to"].as_str() {
        out.push(match lang {
            Lang::Zh => format!("经批准延期至 {d}（执行局长/院长审批）"),
            Lang::En => format!("Deferred to {d} (approved)"),
        });
    }
    if v["calendar_provisional"].as_bool() == Some(true) {
        out.push(match lang {
            Lang::Zh => "涉及尚未公布放假安排的年份：暂按周末及固定日期节日计算，新版节假日表发布后自动重算".to_owned(),
            Lang::En => "Touches a year whose holiday notice is not published yet: provisional (weekends and fixed-date holidays); recomputed when the calendar is updated".to_owned(),
        });
    }
    out.push(match lang {
        Lang::Zh => format!(
            "规则 {} 第 {} 版；法定节假日表 {}",
            s("rule_id"),
            v["rule_version"],
            s("calendar_version")
        ),
        Lang::En => format!(
            "Rule {} v{}; holiday calendar {}",
            s("rule_id"),
            v["rule_version"],
            s("calendar_version")
        ),
    });
    out
}

pub struct DeadlineLine {
    pub node: String,
    pub key: bool,
    pub rule: String,
    pub source: String,
    pub start: String,
    pub due: String,
    pub status: &'static str,
    pub status_class: String,
    pub level: &'static str,
    pub level_class: String,
    pub why: Vec<String>,
}

fn deadline_line(lang: Lang, v: &DeadlineView) -> DeadlineLine {
    let t = tr(lang);
    DeadlineLine {
        node: v.node_name.clone(),
        key: v.row.key_node,
        rule: v.row.rule_id.clone(),
        source: v.rule_source.clone(),
        start: v.row.start_on.clone(),
        due: v.row.due_on.clone(),
        status: status_text(lang, v.status),
        status_class: format!("st-{}", v.status),
        level: level_text(t, v.level),
        level_class: v.level.map(|l| format!("lv-{l}")).unwrap_or_default(),
        why: why_lines(lang, &v.row.derivation),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "case_deadlines.html")]
pub struct CaseDeadlinesPage {
    pub t: &'static crate::i18n::Tr,
    pub d: &'static TrD,
    pub lang: &'static str,
    pub nav: Nav,
    pub case_id: String,
    pub case_number: String,
    pub deadlines: Vec<DeadlineLine>,
    /// (date, node name, note, actor)
    pub events: Vec<(String, String, String, String)>,
    /// (id, name)
    pub nodes: Vec<(String, String)>,
    /// (kind, name, from, to)
    pub excluded: Vec<(String, String, String, String)>,
    /// (id, requested_on, length text, reason, status)
    pub extensions: Vec<(String, String, String, String, String)>,
    /// (id, opener court, reason, reply due, status, reply)
    pub supervisions: Vec<(String, String, String, String, String, String)>,
    pub can_record: bool,
    pub can_supervise: bool,
    pub can_approve: bool,
    pub today: String,
    pub error: String,
}

async fn render_case_deadlines(st: &AppState, staff: &Staff, id: &str, error: String) -> Response {
    let lang = staff.lang;
    let a = &staff.actor;
    let now = st.now_ms();
    let detail = match st.app.case_detail(a, id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let (deadlines, events, excluded, extensions, supervisions) = match (
        st.app.case_deadlines(a, id, now).await,
        st.app.case_events(a, id).await,
        st.app.case_excluded(a, id).await,
        st.app.case_extensions(a, id).await,
        st.app.case_supervisions(a, id).await,
    ) {
        (Ok(d), Ok(e), Ok(x), Ok(ext), Ok(s)) => (d, e, x, ext, s),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), ..) | (.., Err(e), _) | (.., Err(e)) => {
            return error_page(lang, &e);
        }
    };
    let writes = a.writes_in(&detail.case.court_code);
    CaseDeadlinesPage {
        t: lang.tr(),
        d: tr(lang),
        lang: lang.code(),
        nav: staff.nav(),
        case_id: detail.case.id.clone(),
        case_number: detail.case.case_number.clone(),
        deadlines: deadlines.iter().map(|v| deadline_line(lang, v)).collect(),
        events: events
            .iter()
            .map(|e| {
                (
                    e.on_date.clone(),
                    zhixing_domain::deadline::find_node(&e.node)
                        .map_or_else(|| e.node.clone(), |n| n.name_zh.clone()),
                    e.note.clone(),
                    e.actor_name.clone().unwrap_or_else(|| e.actor_id.clone()),
                )
            })
            .collect(),
        nodes: builtin_nodes()
            .iter()
            .map(|n| (n.id.clone(), n.name_zh.clone()))
            .collect(),
        excluded: excluded
            .iter()
            .map(|x| {
                let name = serde_json::from_value::<zhixing_domain::deadline::ExclusionKind>(
                    serde_json::Value::String(x.kind.clone()),
                )
                .map(|k| k.name_zh().to_owned())
                .unwrap_or_else(|_| x.kind.clone());
                (x.kind.clone(), name, x.from_on.clone(), x.to_on.clone())
            })
            .collect(),
        extensions: extensions
            .iter()
            .map(|x| {
                (
                    x.id.clone(),
                    x.requested_on.clone(),
                    format!("{} {}", x.length, unit_zh(&x.unit)),
                    x.reason.clone(),
                    x.status.clone(),
                )
            })
            .collect(),
        supervisions: supervisions
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    s.opener_court.clone(),
                    s.reason.clone(),
                    s.reply_due_on.clone(),
                    s.status.clone(),
                    s.reply.clone().unwrap_or_default(),
                )
            })
            .collect(),
        can_record: writes && a.role.has(Permission::RecordEvents),
        can_supervise: a.role.has(Permission::Supervise),
        can_approve: writes && a.role.has(Permission::ApproveExtension),
        today: zhixing_domain::time::china_date(now)
            .format("%Y-%m-%d")
            .to_string(),
        error,
    }
    .into_response()
}

async fn case_deadlines_page(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    render_case_deadlines(&st, &staff, &id, String::new()).await
}

/// After a form post: back to the page, or the page again with the error beside the forms.
async fn after_post(
    st: &AppState,
    staff: &Staff,
    case_id: &str,
    r: Result<(), AppError>,
) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/cases/{case_id}/deadlines")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let msg = crate::ui::inline_error(&e);
            render_case_deadlines(st, staff, case_id, msg).await
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

async fn event_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let input = EventInput {
        node: field(&form, "node"),
        on: field(&form, "on"),
        note: field(&form, "note"),
    };
    let r = st
        .app
        .record_event(&staff.actor, &id, &input, st.now_ms())
        .await
        .map(|_| ());
    after_post(&st, &staff, &id, r).await
}

async fn excluded_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let input = ExcludedInput {
        kind: field(&form, "kind"),
        from: field(&form, "from"),
        to: field(&form, "to"),
        note: field(&form, "note"),
    };
    let r = st
        .app
        .add_excluded_period(&staff.actor, &id, &input, st.now_ms())
        .await
        .map(|_| ());
    after_post(&st, &staff, &id, r).await
}

async fn extension_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let length = match field(&form, "length").trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            return after_post(
                &st,
                &staff,
                &id,
                Err(AppError::invalid("integer", "length", "长度应为正整数")),
            )
            .await;
        }
    };
    let r = st
        .app
        .request_extension(
            &staff.actor,
            &id,
            length,
            &field(&form, "unit"),
            &field(&form, "reason"),
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after_post(&st, &staff, &id, r).await
}

async fn decision_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path((id, ext)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let approve = field(&form, "decision") == "approve";
    let r = st
        .app
        .decide_extension(&staff.actor, &ext, approve, st.now_ms())
        .await
        .map(|_| ());
    after_post(&st, &staff, &id, r).await
}

async fn supervise_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let r = st
        .app
        .open_supervision(
            &staff.actor,
            &id,
            &field(&form, "reason"),
            &field(&form, "reply_due_on"),
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after_post(&st, &staff, &id, r).await
}

async fn reply_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path((id, sup)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let r = st
        .app
        .reply_supervision(&staff.actor, &sup, &field(&form, "reply"), st.now_ms())
        .await
        .map(|_| ());
    after_post(&st, &staff, &id, r).await
}

// ---- due list ---------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "due.html")]
pub struct DuePage {
    pub t: &'static crate::i18n::Tr,
    pub d: &'static TrD,
    pub lang: &'static str,
    pub nav: Nav,
    /// (case id, case number, line)
    pub items: Vec<(String, String, DeadlineLine)>,
}

async fn due_page(State(st): State<AppState>, staff: Staff) -> Response {
    let lang = staff.lang;
    match st.app.due_list(&staff.actor, 14, st.now_ms()).await {
        Ok(items) => DuePage {
            t: lang.tr(),
            d: tr(lang),
            lang: lang.code(),
            nav: staff.nav(),
            items: items
                .iter()
                .map(|(n, v)| (v.row.case_id.clone(), n.clone(), deadline_line(lang, v)))
                .collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, &e),
    }
}

// ---- board ------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "board.html")]
pub struct BoardPage {
    pub t: &'static crate::i18n::Tr,
    pub d: &'static TrD,
    pub lang: &'static str,
    pub nav: Nav,
    pub blue: i64,
    pub yellow: i64,
    pub red: i64,
    /// Inline SVG made by charts-rs on the server (no script, no CDN).
    pub chart: String,
    /// (court, team, handler, blue, yellow, red)
    pub rows: Vec<(String, String, String, i64, i64, i64)>,
}

/// Rows grouped by (court, team, handler) with the three levels side by side.
type Grouped = BTreeMap<(String, String, String), [i64; 3]>;

fn level_idx(l: &str) -> usize {
    match l {
        "blue" => 0,
        "yellow" => 1,
        _ => 2,
    }
}

/// The board chart: one group of three bars (blue, yellow, red) per court (higher courts) or per
/// team (one court).
pub fn board_chart(t: &TrD, groups: &BTreeMap<String, [i64; 3]>) -> String {
    let labels: Vec<&String> = groups.keys().collect();
    let series = |i: usize| -> Vec<i64> { groups.values().map(|v| v[i]).collect() };
    let option = serde_json::json!({
        "width": 760, "height": 300,
        "title_text": t.board,
        "legend_align": "right",
        "series_colors": ["#1e4e8c", "#d6a300", "#b71c1c"],
        "series_list": [
            {"name": t.blue, "data": series(0), "label_show": true},
            {"name": t.yellow, "data": series(1), "label_show": true},
            {"name": t.red, "data": series(2), "label_show": true},
        ],
        "x_axis_data": labels,
    });
    charts_rs::BarChart::from_json(&option.to_string())
        .and_then(|c| c.svg())
        .unwrap_or_default()
}

async fn board_page(State(st): State<AppState>, staff: Staff) -> Response {
    let lang = staff.lang;
    let t = tr(lang);
    let b = match st.app.board(&staff.actor, None).await {
        Ok(b) => b,
        Err(e) => return error_page(lang, &e),
    };
    let mut grouped: Grouped = BTreeMap::new();
    let many_courts = b
        .rows
        .iter()
        .any(|r| r.court_code != staff.actor.court_code);
    let mut chart_groups: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    for r in &b.rows {
        let key = (
            format!("{}（{}）", r.court_name, r.court_code),
            r.team_name.clone().unwrap_or_else(|| "—".into()),
            r.handler_name.clone().unwrap_or_else(|| "—".into()),
        );
        let i = level_idx(&r.level);
        if let Some(x) = grouped.entry(key.clone()).or_default().get_mut(i) {
            *x += r.items;
        }
        let ck = if many_courts { key.0 } else { key.1 };
        if let Some(x) = chart_groups.entry(ck).or_default().get_mut(i) {
            *x += r.items;
        }
    }
    let total = |l: &str| b.totals.get(l).copied().unwrap_or(0);
    BoardPage {
        t: lang.tr(),
        d: t,
        lang: lang.code(),
        nav: staff.nav(),
        blue: total("blue"),
        yellow: total("yellow"),
        red: total("red"),
        chart: board_chart(t, &chart_groups),
        rows: grouped
            .into_iter()
            .map(|((c, tm, h), v)| (c, tm, h, v[0], v[1], v[2]))
            .collect(),
    }
    .into_response()
}

// ---- inbox ------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub t: &'static crate::i18n::Tr,
    pub d: &'static TrD,
    pub lang: &'static str,
    pub nav: Nav,
    /// (id, time, title, body, level class, case id, read)
    pub items: Vec<(String, String, String, String, String, String, bool)>,
}

async fn inbox_page(State(st): State<AppState>, staff: Staff) -> Response {
    let lang = staff.lang;
    match st.app.notifications(&staff.actor, 200).await {
        Ok(list) => InboxPage {
            t: lang.tr(),
            d: tr(lang),
            lang: lang.code(),
            nav: staff.nav(),
            items: list
                .iter()
                .map(|n| {
                    (
                        n.id.clone(),
                        china_datetime_text(n.created_at),
                        n.title.clone(),
                        n.body.clone(),
                        n.level
                            .as_deref()
                            .map(|l| format!("lv-{l}"))
                            .unwrap_or_default(),
                        n.case_id.clone().unwrap_or_default(),
                        n.read_at.is_some(),
                    )
                })
                .collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, &e),
    }
}

async fn inbox_read(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    match st.app.mark_read(&staff.actor, &id, st.now_ms()).await {
        Ok(()) => Redirect::to("/inbox").into_response(),
        Err(e) => error_page(staff.lang, &e),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/deadlines", get(case_deadlines_page))
        .route("/cases/{id}/events", post(event_submit))
        .route("/cases/{id}/excluded", post(excluded_submit))
        .route("/cases/{id}/extension", post(extension_submit))
        .route("/cases/{id}/extension/{ext}", post(decision_submit))
        .route("/cases/{id}/supervise", post(supervise_submit))
        .route("/cases/{id}/supervisions/{sup}/reply", post(reply_submit))
        .route("/deadlines", get(due_page))
        .route("/board", get(board_page))
        .route("/inbox", get(inbox_page))
        .route("/inbox/{id}/read", post(inbox_read))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn chart_escapes_names_and_shows_every_group() {
        let mut g = BTreeMap::new();
        g.insert("<script>alert(1)</script>".to_owned(), [1, 2, 3]);
        g.insert("速执一组".to_owned(), [4, 0, 0]);
        let svg = board_chart(tr(Lang::Zh), &g);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("速执一组"));
    }

    #[test]
    fn why_lines_tell_the_whole_derivation() {
        let der = serde_json::json!({
            "rule_id": "closing_6m", "rule_version": 1, "rule_source": "DL2006 art 1", "start_event": "filing",
            "start_on": "2024-09-27", "length": 6, "unit": "months", "raw_end": "2025-03-27",
            "exclusions": [{"kind": "suspension", "from": "2024-10-10", "to": "2024-10-19", "days_added": 10}],
            "extensions": [], "roll_over": {"from": "2025-04-06", "to": "2025-04-07"}, "calendar_version": "v1"
        });
        let lines = why_lines(Lang::Zh, &der.to_string());
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert!(lines[0].contains("立案") && lines[0].contains("2024-09-27"));
        assert!(lines[1].contains("6 个月") && lines[1].contains("2025-03-27"));
        assert!(lines[2].contains("顺延 10 日"));
        assert!(lines[3].contains("顺延至 2025-04-07"));
        assert!(lines[4].contains("closing_6m"));
    }
}

//! The durable scheduler, notifications, SMS, the 红黄蓝 board and 督办.
//!
//! Timers are rows: every pending deadline and open supervision item carries `fire_at`, the instant
//! of its next change, indexed. [`App::run_once`] takes the rows with `fire_at <= now` (at most
//! [`TICK_BATCH`]), and in ONE transaction sets each row's new level and next `fire_at`, moves the
//! board counters, writes the inbox notifications and the SMS outbox rows. A crash before commit
//! leaves the rows due, so the next tick fires them; after commit they are no longer due, so nothing
//! fires twice. On PostgreSQL the due rows are locked `FOR UPDATE SKIP LOCKED`, so several server
//! processes can tick at once. SMS leave through [`App::deliver_sms`] from the outbox.
//!
//! When the scheduler was down across several level changes, the change to the CURRENT level is
//! fired once (a stale blue warning for a deadline already red would be noise); the notification
//! names the level reached.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;

use chrono::NaiveDate;
use zhixing_domain::calendar::LegalCalendar;
use zhixing_domain::case::parse_date;
use zhixing_domain::deadline::{Level, find_node, level_windows};
use zhixing_domain::role::{Permission, Role};
use zhixing_domain::time::{china_date, china_midnight_ms};
use zhixing_store::batch::{self, Stmt};
use zhixing_store::courts;
use zhixing_store::deadlines::{
    self as store, BoardRow, DueItem, DueWho, NotificationRow, SmsRow, SupervisionRow,
};

use crate::admin::audit as write_audit;
use crate::deadlines::{DeadlineView, court_rules, level_name_zh, view};
use crate::{Actor, App, AppError, new_id};

/// At most this many timers fire per tick (bounded work per transaction).
pub const TICK_BATCH: i64 = 2000;
/// Statements per database call inside a tick.
const STMTS_PER_CALL: usize = 8;
/// Rows per multi-row statement inside a tick (≤ 10 parameters each: at most 2,000 parameters).
const ROWS_PER_STATEMENT: usize = 50;

/// An SMS is retried this many times before it is left for an operator.
pub const SMS_MAX_ATTEMPTS: i64 = 5;

/// The SMS gateway (关键节点短信预警, seed 003). The default writes to a file; an HTTP gateway
/// lives in the binary, configured by URL.
pub trait SmsGateway: Send + Sync {
    fn send(&self, phone: &str, body: &str) -> impl Future<Output = Result<(), String>> + Send;
}

/// Appends each message as a JSON line to a file (the default sink; a log an operator can read or
/// a relay can forward).
#[derive(Debug, Clone)]
pub struct FileSms {
    pub path: PathBuf,
}

impl SmsGateway for FileSms {
    async fn send(&self, phone: &str, body: &str) -> Result<(), String> {
        use std::io::Write;
        let line = serde_json::json!({"phone": phone, "body": body}).to_string();
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        writeln!(f, "{line}").map_err(|e| e.to_string())
    }
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// Deadlines whose level changed (notifications written).
    pub fired: usize,
    /// Timers looked at (fired or rescheduled).
    pub examined: usize,
    /// Supervision items escalated.
    pub escalated: usize,
    /// True when the batch was full: call again.
    pub more: bool,
}

#[allow(clippy::too_many_arguments)]
fn notification(
    court: &str,
    user: &str,
    case_id: Option<&str>,
    kind: &str,
    source: &str,
    level: Option<&str>,
    title: String,
    body: String,
    now_ms: i64,
) -> Stmt {
    store::insert_notification_stmt(&NotificationRow {
        court_code: court.to_owned(),
        id: new_id(),
        user_id: user.to_owned(),
        case_id: case_id.map(str::to_owned),
        source_kind: kind.to_owned(),
        source_id: source.to_owned(),
        level: level.map(str::to_owned),
        title,
        body,
        created_at: now_ms,
        read_at: None,
    })
}

fn sms(court: &str, user: &str, phone: &str, body: String, now_ms: i64) -> Stmt {
    store::insert_sms_stmt(&SmsRow {
        court_code: court.to_owned(),
        id: new_id(),
        user_id: user.to_owned(),
        phone: phone.to_owned(),
        body,
        created_at: now_ms,
        attempts: 0,
    })
}

/// 红黄蓝 board: counts by court, team, handler and level.
#[derive(Debug, Clone, Default)]
pub struct Board {
    pub rows: Vec<BoardRow>,
    pub totals: HashMap<String, i64>,
}

/// A supervision item with its case number.
#[derive(Debug, Clone)]
pub struct SupervisionView {
    pub row: SupervisionRow,
    pub case_number: String,
}

impl App {
    /// One scheduler step at `now_ms` (tests drive it with a fake clock).
    pub async fn run_once(&self, now_ms: i64) -> Result<Tick, AppError> {
        let mut conn = self.db.conn().await?;
        if !store::any_due(&mut conn, now_ms).await? {
            return Ok(Tick::default());
        }
        drop(conn);
        let today = china_date(now_ms);
        let cal = LegalCalendar::builtin();
        let mut tx = self.db.begin().await?;
        let due = store::due_deadlines(&mut tx, now_ms, TICK_BATCH).await?;
        let case_ids: Vec<&str> = due.iter().map(|d| d.case_id.as_str()).collect();
        let numbers = store::case_numbers(&mut tx, &case_ids).await?;
        let mut blue: HashMap<String, u32> = HashMap::new();
        let mut command: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
        let handler_ids: Vec<String> = {
            let mut v: Vec<String> = due.iter().filter_map(|d| d.handler_id.clone()).collect();
            v.sort();
            v.dedup();
            v
        };
        let phones: HashMap<String, Option<String>> = store::phones_of(&mut tx, &handler_ids)
            .await?
            .into_iter()
            .collect();
        // Collected per tick and written as a few multi-row statements: the new level and next
        // fire instant of every timer, the board deltas summed per counter, the notifications.
        let mut levels: Vec<(String, String, Option<&'static str>, Option<i64>)> = Vec::new();
        let mut board: HashMap<(String, String, String, String), i64> = HashMap::new();
        let mut notes: Vec<NotificationRow> = Vec::new();
        let mut stmts = Vec::new();
        let mut tick = Tick {
            examined: due.len(),
            more: i64::try_from(due.len()).unwrap_or(i64::MAX) >= TICK_BATCH,
            ..Tick::default()
        };
        let key = |d: &zhixing_store::deadlines::DeadlineRow, l: &str| {
            (
                d.court_code.clone(),
                d.team_id.clone().unwrap_or_default(),
                d.handler_id.clone().unwrap_or_default(),
                l.to_owned(),
            )
        };
        for d in &due {
            if d.status != "pending" || d.kind == "minimum" {
                let keep = d
                    .level
                    .as_deref()
                    .and_then(Level::from_str_opt)
                    .map(Level::as_str);
                levels.push((d.court_code.clone(), d.id.clone(), keep, None));
                continue;
            }
            if !blue.contains_key(&d.court_code) {
                let n = store::blue_working_days(&mut tx, &d.court_code).await?;
                blue.insert(d.court_code.clone(), u32::try_from(n).unwrap_or(3));
            }
            let n = blue.get(&d.court_code).copied().unwrap_or(3);
            let due_on = NaiveDate::parse_from_str(&d.due_on, "%Y-%m-%d")
                .map_err(|e| AppError::Internal(format!("deadline {}: {e}", d.id)))?;
            let w = level_windows(due_on, n, cal).map_err(|e| AppError::Internal(e.message))?;
            let new = w.level_on(today).map(Level::as_str);
            if new != d.level.as_deref() {
                if let Some(old) = d.level.as_deref() {
                    *board.entry(key(d, old)).or_default() -= 1;
                }
                if let Some(l) = new {
                    *board.entry(key(d, l)).or_default() += 1;
                    tick.fired += 1;
                    let number = numbers.get(&d.case_id).cloned().unwrap_or_default();
                    let node = find_node(&d.node).map_or(d.node.as_str(), |x| x.name_zh.as_str());
                    let title = format!("{number} {node}：{}", level_name_zh(l));
                    let body = format!("期限 {}（规则 {}）", d.due_on, d.rule_id);
                    // The handler; a case without one goes to the command center.
                    let recipients: Vec<(String, Option<String>)> = match &d.handler_id {
                        Some(h) => vec![(h.clone(), phones.get(h).cloned().flatten())],
                        None => {
                            if !command.contains_key(&d.court_code) {
                                let users =
                                    store::users_with_role(&mut tx, &d.court_code, "command")
                                        .await?;
                                command.insert(d.court_code.clone(), users);
                            }
                            command.get(&d.court_code).cloned().unwrap_or_default()
                        }
                    };
                    for (uid, phone) in recipients {
                        notes.push(NotificationRow {
                            court_code: d.court_code.clone(),
                            id: new_id(),
                            user_id: uid.clone(),
                            case_id: Some(d.case_id.clone()),
                            source_kind: "deadline.level".into(),
                            source_id: d.id.clone(),
                            level: Some(l.to_owned()),
                            title: title.clone(),
                            body: body.clone(),
                            created_at: now_ms,
                            read_at: None,
                        });
                        if d.key_node
                            && let Some(p) = phone
                        {
                            stmts.push(sms(
                                &d.court_code,
                                &uid,
                                &p,
                                format!("【执行指挥中心】{title}，{body}"),
                                now_ms,
                            ));
                        }
                    }
                }
            }
            levels.push((
                d.court_code.clone(),
                d.id.clone(),
                new,
                w.next_change_after(today).map(china_midnight_ms),
            ));
        }
        for chunk in levels.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<store::LevelSet<'_>> = chunk
                .iter()
                .map(|(c, i, l, f)| (c.as_str(), i.as_str(), *l, *f))
                .collect();
            stmts.extend(store::set_levels_stmt(&rows, now_ms));
        }
        let mut deltas: Vec<(String, String, String, String, i64)> = board
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((c, t, h, l), n)| (c, t, h, l, n))
            .collect();
        deltas.sort();
        for chunk in deltas.chunks(ROWS_PER_STATEMENT) {
            stmts.extend(store::board_deltas_stmt(chunk));
        }
        // 督办 items past their reply date escalate to the bureau director(s) and the opener.
        let sups = store::due_supervisions(&mut tx, now_ms, TICK_BATCH).await?;
        let sup_cases: Vec<&str> = sups.iter().map(|s| s.case_id.as_str()).collect();
        let sup_numbers = store::case_numbers(&mut tx, &sup_cases).await?;
        for s in &sups {
            stmts.push(store::escalate_supervision_stmt(
                &s.court_code,
                &s.id,
                now_ms,
            ));
            if s.status != "open" {
                continue;
            }
            tick.escalated += 1;
            let number = sup_numbers.get(&s.case_id).cloned().unwrap_or_default();
            let title = format!("{number} 督办逾期未回复，已升级");
            let body = format!("回复期限 {}：{}", s.reply_due_on, s.reason);
            let mut to = store::users_with_role(&mut tx, &s.court_code, "director").await?;
            to.push((s.opened_by.clone(), None));
            for (uid, phone) in to {
                stmts.push(notification(
                    &s.court_code,
                    &uid,
                    Some(&s.case_id),
                    "supervision.escalated",
                    &s.id,
                    Some("red"),
                    title.clone(),
                    body.clone(),
                    now_ms,
                ));
                if let Some(p) = phone {
                    stmts.push(sms(
                        &s.court_code,
                        &uid,
                        &p,
                        format!("【执行指挥中心】{title}"),
                        now_ms,
                    ));
                }
            }
        }
        tick.examined += sups.len();

        // 不明款 past (or on the last day of) their claim period: warn the court's command center
        // — yellow on the last day, red the day after (then no more timer).
        let claims = zhixing_store::funds::due_claims(&mut tx, now_ms, TICK_BATCH).await?;
        for (court, id, claim_by, amount, payer, reference, status) in &claims {
            let by = claim_by
                .as_deref()
                .and_then(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").ok());
            let (level, next) = match by {
                _ if status != "unidentified" => (None, None),
                Some(b) if today == b => (Some("yellow"), b.succ_opt().map(china_midnight_ms)),
                Some(b) if today > b => (Some("red"), None),
                // Not yet due (clock moved back): look again on the last day.
                Some(b) => (None, Some(china_midnight_ms(b))),
                None => (None, None),
            };
            stmts.push(zhixing_store::funds::set_claim_fire_stmt(court, id, next));
            let Some(level) = level else { continue };
            tick.fired += 1;
            if !command.contains_key(court) {
                let users = store::users_with_role(&mut tx, court, "command").await?;
                command.insert(court.clone(), users);
            }
            let yuan = zhixing_domain::money::Fen::new(*amount).format_yuan();
            let title = if level == "red" {
                format!("不明款逾期未认领：{payer} {yuan}")
            } else {
                format!("不明款今日认领期满：{payer} {yuan}")
            };
            let body = format!(
                "银行流水 {reference}，认领期限 {}",
                claim_by.clone().unwrap_or_default()
            );
            for (uid, _) in command.get(court).cloned().unwrap_or_default() {
                notes.push(NotificationRow {
                    court_code: court.clone(),
                    id: new_id(),
                    user_id: uid,
                    case_id: None,
                    source_kind: "funds.unidentified".into(),
                    source_id: id.clone(),
                    level: Some(level.to_owned()),
                    title: title.clone(),
                    body: body.clone(),
                    created_at: now_ms,
                    read_at: None,
                });
            }
        }
        tick.examined += claims.len();
        tick.more |= i64::try_from(claims.len()).unwrap_or(i64::MAX) >= TICK_BATCH;
        for chunk in notes.chunks(ROWS_PER_STATEMENT) {
            stmts.extend(store::insert_notifications_stmt(chunk));
        }
        tick.more |= i64::try_from(sups.len()).unwrap_or(i64::MAX) >= TICK_BATCH;
        let mut rest = stmts;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(STMTS_PER_CALL));
            batch::run(&mut tx, rest).await?;
            rest = tail;
        }
        tx.commit().await?;
        Ok(tick)
    }

    /// Ticks until nothing is due at `now_ms` (bounded: at most `max_ticks`).
    pub async fn run_due(&self, now_ms: i64, max_ticks: usize) -> Result<Tick, AppError> {
        let mut total = Tick::default();
        for _ in 0..max_ticks {
            let t = self.run_once(now_ms).await?;
            total.fired += t.fired;
            total.examined += t.examined;
            total.escalated += t.escalated;
            total.more = t.more;
            if !t.more {
                break;
            }
        }
        Ok(total)
    }

    /// Deliver pending SMS through `gateway` (at most `limit`); returns (sent, failed).
    pub async fn deliver_sms<G: SmsGateway>(
        &self,
        gateway: &G,
        now_ms: i64,
        limit: i64,
    ) -> Result<(usize, usize), AppError> {
        let mut conn = self.db.conn().await?;
        let pending = store::pending_sms(&mut conn, limit, SMS_MAX_ATTEMPTS).await?;
        let (mut sent, mut failed) = (0, 0);
        for m in pending {
            match gateway.send(&m.phone, &m.body).await {
                Ok(()) => {
                    store::sms_attempt(&mut conn, &m.court_code, &m.id, now_ms, None).await?;
                    sent += 1;
                }
                Err(e) => {
                    store::sms_attempt(&mut conn, &m.court_code, &m.id, now_ms, Some(&e)).await?;
                    failed += 1;
                }
            }
        }
        Ok((sent, failed))
    }

    /// The actor's inbox, newest first.
    pub async fn notifications(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<NotificationRow>, AppError> {
        let mut conn = self.db.conn().await?;
        Ok(store::notifications_of(&mut conn, &actor.user_id, limit.clamp(1, 500)).await?)
    }

    /// Mark one of the actor's notifications read (404 when not theirs).
    pub async fn mark_read(&self, actor: &Actor, id: &str, now_ms: i64) -> Result<(), AppError> {
        let mut conn = self.db.conn().await?;
        if store::mark_read(&mut conn, &actor.user_id, id, now_ms).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The actor's due list: deadlines due within `days` calendar days or overdue — their own
    /// cases for a judge, their team's for an assistant or clerk, the court's for the command
    /// center, director and president.
    pub async fn due_list(
        &self,
        actor: &Actor,
        days: i64,
        now_ms: i64,
    ) -> Result<Vec<(String, DeadlineView)>, AppError> {
        actor.require(Permission::ReadCases)?;
        let until = china_date(now_ms)
            .checked_add_days(chrono::Days::new(
                u64::try_from(days.clamp(0, 366)).unwrap_or(0),
            ))
            .unwrap_or(NaiveDate::MAX)
            .format("%Y-%m-%d")
            .to_string();
        let who = match actor.role {
            Role::Judge => DueWho::Handler(&actor.user_id),
            Role::Assistant | Role::Clerk => match &actor.team_id {
                Some(t) => DueWho::Team(t),
                None => return Ok(Vec::new()),
            },
            Role::Command | Role::Director | Role::President | Role::Police => DueWho::Court,
            Role::Supervisor | Role::Admin | Role::Bank | Role::Partner => return Ok(Vec::new()),
        };
        let mut conn = self.db.conn().await?;
        let items: Vec<DueItem> =
            store::due_list(&mut conn, &actor.court_code, who, &until, 500).await?;
        let rules = court_rules(&mut conn, &actor.court_code).await?;
        let today = china_date(now_ms);
        items
            .into_iter()
            .map(|i| {
                Ok((
                    i.case_number,
                    view(i.deadline, rules.blue_working_days, today, &rules)?,
                ))
            })
            .collect()
    }

    /// The 红黄蓝 board: the actor's court, or — for a higher court — every court below it (or
    /// `court` when given and within reach).
    pub async fn board(&self, actor: &Actor, court: Option<&str>) -> Result<Board, AppError> {
        actor.require(Permission::ViewBoard)?;
        let mut conn = self.db.conn().await?;
        let rows = match (actor.role, court.map(str::trim).filter(|c| !c.is_empty())) {
            (Role::Supervisor, Some(c)) => {
                let row = courts::find(&mut conn, c)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if !(row.path == actor.court_path
                    || row.path.starts_with(&format!("{}/", actor.court_path)))
                {
                    return Err(AppError::NotFound);
                }
                store::board(&mut conn, c, Some(&row.path)).await?
            }
            (Role::Supervisor, None) => {
                store::board(&mut conn, &actor.court_code, Some(&actor.court_path)).await?
            }
            (_, Some(c)) if c != actor.court_code => return Err(AppError::NotFound),
            _ => store::board(&mut conn, &actor.court_code, None).await?,
        };
        let mut totals: HashMap<String, i64> = HashMap::new();
        for r in &rows {
            *totals.entry(r.level.clone()).or_default() += r.items;
        }
        Ok(Board { rows, totals })
    }

    /// Open a 督办 item on a case: the command center, director or president of the case's court, or
    /// a higher court's supervisor. The handler (or the command center) is notified.
    pub async fn open_supervision(
        &self,
        actor: &Actor,
        case_id: &str,
        reason: &str,
        reply_due_on: &str,
        now_ms: i64,
    ) -> Result<SupervisionRow, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        drop(conn);
        actor.require(Permission::Supervise)?;
        if actor.role != Role::Supervisor && actor.court_code != case.court_code {
            return Err(AppError::forbidden(
                "court_scope",
                "只能督办本院或下级法院案件",
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid(
                "required",
                "reason",
                "须填写督办事项（500 字以内）",
            ));
        }
        let due =
            parse_date(reply_due_on.trim()).map_err(|e| AppError::Invalid(e.at("reply_due_on")))?;
        let today = china_date(now_ms);
        if due < today {
            return Err(AppError::invalid(
                "date_past",
                "reply_due_on",
                format!("回复期限 {due} 早于今天 {today}"),
            ));
        }
        let row = SupervisionRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            opened_by: actor.user_id.clone(),
            opener_court: actor.court_code.clone(),
            reason: reason.to_owned(),
            reply_due_on: due.format("%Y-%m-%d").to_string(),
            status: "open".into(),
            reply: None,
            replied_by: None,
            replied_at: None,
            escalated_at: None,
            fire_at: None,
            created_at: now_ms,
        };
        // Overdue from the first day after the reply date.
        let fire_at = due.succ_opt().map_or(i64::MAX, china_midnight_ms);
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let mut stmts = vec![store::insert_supervision_stmt(&row, fire_at)];
        let to: Vec<String> = match &case.handler_id {
            Some(h) => vec![h.clone()],
            None => store::users_with_role(&mut tx, &case.court_code, "command")
                .await?
                .into_iter()
                .map(|u| u.0)
                .collect(),
        };
        for uid in to {
            stmts.push(notification(
                &case.court_code,
                &uid,
                Some(&case.id),
                "supervision.opened",
                &row.id,
                None,
                format!("{} 收到督办（{}）", case.case_number, actor.name),
                format!("请于 {} 前回复：{reason}", row.reply_due_on),
                now_ms,
            ));
        }
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "case.supervise",
            "supervision",
            &row.id,
            Some(&case.id),
            None,
            Some(
                serde_json::json!({"case_court": case.court_code, "reason": reason, "reply_due_on": row.reply_due_on})
                    .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The handler (or the case's team, command center or director) replies to a 督办 item.
    pub async fn reply_supervision(
        &self,
        actor: &Actor,
        supervision_id: &str,
        reply: &str,
        now_ms: i64,
    ) -> Result<SupervisionRow, AppError> {
        let mut conn = self.db.conn().await?;
        let sup = store::find_supervision(&mut conn, supervision_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self.visible_case(&mut conn, actor, &sup.case_id).await?;
        drop(conn);
        actor.require(Permission::RecordEvents)?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能回复本院案件的督办"));
        }
        if sup.status == "replied" {
            return Err(AppError::Conflict {
                code: "already_replied",
                field: None,
                message: "该督办事项已回复".into(),
            });
        }
        let reply = reply.trim();
        if reply.is_empty() || reply.chars().count() > 2000 {
            return Err(AppError::invalid(
                "required",
                "reply",
                "须填写回复内容（2000 字以内）",
            ));
        }
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let rows = batch::run(
            &mut tx,
            vec![
                store::reply_supervision_stmt(
                    &sup.court_code,
                    &sup.id,
                    reply,
                    &actor.user_id,
                    now_ms,
                ),
                notification(
                    &sup.court_code,
                    &sup.opened_by,
                    Some(&case.id),
                    "supervision.replied",
                    &sup.id,
                    None,
                    format!("{} 督办已回复（{}）", case.case_number, actor.name),
                    reply.to_owned(),
                    now_ms,
                ),
            ],
        )
        .await?;
        if !batch::returned(&rows, "replied_supervision") {
            return Err(AppError::Conflict {
                code: "already_replied",
                field: None,
                message: "该督办事项已回复".into(),
            });
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            "case.supervision_reply",
            "supervision",
            &sup.id,
            Some(&case.id),
            Some(serde_json::json!({"status": sup.status}).to_string()),
            Some(serde_json::json!({"status": "replied", "reply": reply}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        let mut sup = sup;
        sup.status = "replied".into();
        sup.reply = Some(reply.to_owned());
        sup.replied_by = Some(actor.user_id.clone());
        sup.replied_at = Some(now_ms);
        sup.fire_at = None;
        Ok(sup)
    }

    /// 督办 items of a case.
    pub async fn case_supervisions(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<SupervisionRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok(store::supervisions_of_case(&mut conn, &case.court_code, &case.id).await?)
    }

    /// Board counters that disagree with the deadlines (empty when consistent).
    pub async fn board_mismatches(
        &self,
    ) -> Result<Vec<(String, String, String, String, i64, i64)>, AppError> {
        let mut conn = self.db.conn().await?;
        Ok(store::board_mismatches(&mut conn).await?)
    }
}

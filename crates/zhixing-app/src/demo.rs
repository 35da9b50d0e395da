//! Realistic demo data: several real courts of different levels, "1 + N" teams, staff, and N cases.
//!
//! Deterministic for a given seed. Cases are generated in memory with the same domain rules as
//! filing (numbering per court/year/type, 繁简分流 by the court's threshold, least-loaded assignment)
//! and written in bulk in one transaction per court, with one chained audit record per case.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zhixing_domain::audit::{AuditRecord, GENESIS};
use zhixing_domain::case::Track;
use zhixing_domain::case_number::{CaseNumber, TypeCode};
use zhixing_domain::credit_code::CreditCode;
use zhixing_domain::id_number::IdNumber;
use zhixing_domain::money::Fen;
use zhixing_domain::time::{china_date, days_before};
use zhixing_domain::triage::{TriageRule, triage};
use zhixing_store::audit::{self, StoredAudit};
use zhixing_store::cases::{self, CaseRow, PartyRow};
use zhixing_store::courts;
use zhixing_store::deadlines as dl;

use crate::admin::NewUser;
use crate::{Actor, App, AppError, new_id};

/// Password of every demo account (printed by `zhixing demo`).
pub const DEMO_PASSWORD: &str = "zhixing2024";

/// Demo courts: (code, username prefix, share of cases in ‰, fast teams, standard teams, judges per team).
pub const DEMO_COURTS: [(&str, &str, u32, usize, usize, usize); 5] = [
    ("川1123", "jw", 300, 2, 2, 3),  // 犍为县人民法院 (basic)
    ("川1102", "lsz", 250, 2, 1, 3), // 乐山市市中区人民法院 (basic)
    ("川11", "ls", 150, 1, 2, 2),    // 乐山市中级人民法院 (intermediate)
    ("鄂2823", "lc", 200, 2, 1, 3),  // 利川市人民法院 (basic)
    ("甘0104", "gl", 100, 1, 1, 2),  // 兰州市安宁区人民法院 (basic)
];

/// Account summary printed for the newcomer.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: String,
    pub court: String,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "高", "林", "谢", "唐", "邓", "冯", "曾", "彭", "蒋", "田", "向", "谭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建国", "志强", "晓东", "春梅", "海燕", "德华", "红",
    "小龙",
];
const FIRM_WORDS: &[&str] = &[
    "嘉州", "岷江", "峨眉", "清溪", "金石", "宏达", "鑫源", "天府", "恒通", "瑞丰", "远航", "兴业",
];
const FIRM_KINDS: &[&str] = &[
    "建筑工程有限公司",
    "商贸有限公司",
    "农业开发有限公司",
    "机械制造有限公司",
    "房地产开发有限公司",
    "物流有限公司",
    "食品有限公司",
    "化工有限公司",
];
const DOC_TYPES: &[&str] = &[
    "民事判决书",
    "民事判决书",
    "民事判决书",
    "民事调解书",
    "民事调解书",
    "民事裁定书",
    "仲裁裁决书",
    "公证债权文书",
    "支付令",
];

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    let i = rng.random_range(0..xs.len());
    &xs[i]
}

fn person_name(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

struct Party {
    name: String,
    kind: &'static str,
    id_number: Option<String>,
    credit_code: Option<String>,
    legal_rep: Option<String>,
    phone: Option<String>,
}

fn make_person(rng: &mut StdRng, region: &str, today: NaiveDate) -> Result<Party, AppError> {
    let year = rng.random_range(1955..=2000);
    let birth = NaiveDate::from_ymd_opt(year, rng.random_range(1..=12), rng.random_range(1..=28))
        .unwrap_or(today);
    let id = IdNumber::from_parts(region, birth, rng.random_range(1..=999))
        .map_err(|e| AppError::Internal(e.message))?;
    Ok(Party {
        name: person_name(rng),
        kind: "person",
        id_number: Some(id.as_str().to_owned()),
        credit_code: None,
        legal_rep: None,
        phone: Some(format!(
            "1{}{:09}",
            pick(rng, &["3", "5", "8", "9"]),
            rng.random_range(0..1_000_000_000u32)
        )),
    })
}

fn make_entity(rng: &mut StdRng, region: &str) -> Result<Party, AppError> {
    let body = format!("{:08}", rng.random_range(10_000_000..99_999_999u32));
    let cc = CreditCode::from_parts('9', '1', region, &body)
        .map_err(|e| AppError::Internal(e.message))?;
    Ok(Party {
        name: format!(
            "{}{}{}",
            region_name(region),
            pick(rng, FIRM_WORDS),
            pick(rng, FIRM_KINDS)
        ),
        kind: "entity",
        id_number: None,
        credit_code: Some(cc.as_str().to_owned()),
        legal_rep: Some(person_name(rng)),
        phone: None,
    })
}

fn region_name(region: &str) -> &'static str {
    match region.get(..4) {
        Some("5111") => "乐山",
        Some("4228") => "恩施",
        Some("6201") => "兰州",
        _ => "",
    }
}

fn region_of(court: &str) -> &'static str {
    match court {
        "川1123" => "511123",
        "川1102" => "511102",
        "川11" => "511100",
        "鄂2823" => "422802",
        _ => "620105",
    }
}

impl App {
    /// Set up the demo courts (teams and staff; idempotent by username) and generate `n_cases` cases.
    /// `progress(done)` is called as cases are written.
    pub async fn demo(
        &self,
        n_cases: u64,
        seed: u64,
        now_ms: i64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<DemoAccount>, AppError> {
        let mut rng = StdRng::seed_from_u64(seed);
        // One shared demo password: hash it once (argon2id is deliberately slow, ~40 ms per hash).
        let demo_hash = tokio::task::spawn_blocking(|| crate::auth::hash_password(DEMO_PASSWORD))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        let today = china_date(now_ms);
        let mut accounts = Vec::new();
        let mut done = 0u64;
        // A pool of repeat debtors, so the same-debtor hint has something to show across courts.
        // Sized so a repeat debtor has 2–3 open cases on average (8 % of cases draw from it).
        let pool = usize::try_from(n_cases / 30)
            .unwrap_or(4000)
            .clamp(40, 4000);
        let mut repeat: Vec<Party> = Vec::with_capacity(pool);
        for i in 0..pool {
            let region = region_of(DEMO_COURTS[i % DEMO_COURTS.len()].0);
            repeat.push(if i % 2 == 0 {
                make_person(&mut rng, region, today)?
            } else {
                make_entity(&mut rng, region)?
            });
        }
        let mut remaining = n_cases;
        for (ci, (court, prefix, share, fast_n, std_n, judges)) in DEMO_COURTS.iter().enumerate() {
            let mut conn = self.db.conn().await?;
            let row = courts::find(&mut conn, court)
                .await?
                .ok_or(AppError::NotFound)?;
            drop(conn);
            let sys = Actor::system(court, &row.path);
            let existing = self.teams(court).await?;
            let mut team_specs = vec![("指挥中心".to_owned(), "command")];
            for i in 1..=*fast_n {
                team_specs.push((format!("速执{}组", zh_num(i)), "fast"));
            }
            for i in 1..=*std_n {
                team_specs.push((format!("精执{}组", zh_num(i)), "standard"));
            }
            let mut users_to_add: Vec<(String, String, Option<String>)> = vec![
                (format!("{prefix}_admin"), "admin".into(), None),
                (
                    format!("{prefix}_command"),
                    "command".into(),
                    Some("指挥中心".into()),
                ),
                (format!("{prefix}_director"), "director".into(), None),
                (format!("{prefix}_president"), "president".into(), None),
                (format!("{prefix}_police"), "police".into(), None),
                (format!("{prefix}_partner"), "partner".into(), None),
            ];
            for (name, track) in &team_specs {
                if !existing.iter().any(|t| &t.name == name) {
                    self.add_team(&sys, court, name, track, now_ms).await?;
                }
                if *track != "command" {
                    for j in 1..=*judges {
                        let tn = team_specs.iter().position(|t| &t.0 == name).unwrap_or(0);
                        users_to_add.push((
                            format!("{prefix}_judge{tn}{j}"),
                            "judge".into(),
                            Some(name.clone()),
                        ));
                    }
                    users_to_add.push((
                        format!(
                            "{prefix}_clerk{}",
                            team_specs.iter().position(|t| &t.0 == name).unwrap_or(0)
                        ),
                        "clerk".into(),
                        Some(name.clone()),
                    ));
                }
            }
            if *court == "川11" {
                users_to_add.push((format!("{prefix}_supervisor"), "supervisor".into(), None));
            }
            if ci == 0 {
                // The court's bank (执行款专户), so the demo shows case funds.
                users_to_add.push((format!("{prefix}_bank"), "bank".into(), None));
            }
            for (username, role, team) in users_to_add {
                let mut conn = self.db.conn().await?;
                let exists = zhixing_store::users::find_user_by_username(&mut conn, &username)
                    .await?
                    .is_some();
                drop(conn);
                if !exists {
                    let name = person_name(&mut rng);
                    self.add_user_hashed(
                        &sys,
                        NewUser {
                            court: (*court).into(),
                            role: role.clone(),
                            username: username.clone(),
                            name,
                            team,
                            password: DEMO_PASSWORD.into(),
                        },
                        Some(demo_hash.clone()),
                        now_ms,
                    )
                    .await?;
                }
                accounts.push(DemoAccount {
                    username,
                    role,
                    court: (*court).into(),
                });
            }

            // Cases for this court.
            let n = if ci + 1 == DEMO_COURTS.len() {
                remaining
            } else {
                (n_cases * u64::from(*share) / 1000).min(remaining)
            };
            remaining -= n;
            let written = self
                .demo_cases(
                    court,
                    &row.path,
                    row.triage_fast_max_fen,
                    n,
                    &mut rng,
                    &repeat,
                    today,
                    now_ms,
                    &mut |k| progress(done + k),
                )
                .await?;
            done += written;
            progress(done);
            if ci == 0 {
                self.demo_receipts(court, &format!("{prefix}_bank"), now_ms)
                    .await?;
                self.demo_measures(court, prefix, now_ms).await?;
                self.demo_duty(court, prefix, now_ms).await?;
            }
        }
        // The demo receipts went through the real booking, which starts disbursement deadlines:
        // one scheduler pass fires their warnings so board and inboxes start consistent.
        self.run_due(now_ms, 100).await?;
        Ok(accounts)
    }

    /// Measures in the first demo court, through the real use cases: 失信 listings approved by the
    /// 院长 (published on the portal and in the partner feed), fines and detentions awaiting
    /// approval, a 限制消费令. Skipped when the court already has measures (idempotent).
    async fn demo_measures(&self, court: &str, prefix: &str, now_ms: i64) -> Result<(), AppError> {
        let mut conn = self.db.conn().await?;
        let existing: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM measures WHERE court_code = $1",
        )
        .bind(court)
        .fetch_one(&mut *conn)
        .await?;
        let find = async |conn: &mut zhixing_store::Conn, u: &str| {
            zhixing_store::users::find_user_by_username(conn, u).await
        };
        let (Some(cmd), Some(pres)) = (
            find(&mut conn, &format!("{prefix}_command")).await?,
            find(&mut conn, &format!("{prefix}_president")).await?,
        ) else {
            return Ok(());
        };
        if existing > 0 {
            return Ok(());
        }
        // Open cases with an adult natural-person debtor, oldest first.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.id, p.id FROM cases c JOIN parties p ON p.court_code = c.court_code AND p.case_id = c.id \
             WHERE c.court_code = $1 AND c.status <> 'closed' AND p.role = 'debtor' AND p.kind = 'person' \
             ORDER BY c.case_number LIMIT 40",
        )
        .bind(court)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let cmd = self.actor_for(&cmd).await?;
        let pres = self.actor_for(&pres).await?;
        for (i, (case_id, party_id)) in rows.iter().enumerate() {
            let input = match i % 4 {
                0 | 1 => crate::measures::MeasureInput {
                    kind: "dishonest".into(),
                    party_id: Some(party_id.clone()),
                    ground: Some(if i % 8 == 0 { 1 } else { 4 }),
                    reason: "被执行人未按执行通知履行义务，且拒不报告财产".into(),
                    ..Default::default()
                },
                2 => crate::measures::MeasureInput {
                    kind: "consumption_restriction".into(),
                    party_id: Some(party_id.clone()),
                    reason: "未按执行通知书指定的期间履行给付义务".into(),
                    ..Default::default()
                },
                _ => crate::measures::MeasureInput {
                    kind: "fine".into(),
                    party_id: Some(party_id.clone()),
                    amount_fen: Some(1_000_000 + i64::try_from(i).unwrap_or(0) * 50_000),
                    reason: "拒不报告财产（民事诉讼法第二百五十二条）".into(),
                    ..Default::default()
                },
            };
            // A debtor the validation refuses (a minor) is simply skipped in the demo.
            let Ok(m) = self.propose_measure(&cmd, case_id, &input, now_ms).await else {
                continue;
            };
            // Most are decided; every fourth stays in the 院长's queue.
            if i % 4 != 3 && i < 32 {
                self.decide_measure(&pres, &m.id, true, "同意", now_ms)
                    .await?;
            }
        }
        // A permission to consume under one of those 限制消费令 (XF2015 art 8: the debtor's
        // necessity), applied for and granted, so the measures page and the partners' bulk check
        // show one.
        let mut conn = self.db.conn().await?;
        let restricted: Option<(String, String, String)> = sqlx::query_as(
            "SELECT id, subject_name, subject_id_number FROM measures WHERE court_code = $1 \
             AND kind = 'consumption_restriction' AND status = 'effective' AND subject_kind = 'person' \
             ORDER BY created_at, id LIMIT 1",
        )
        .bind(court)
        .fetch_optional(&mut *conn)
        .await?;
        drop(conn);
        if let Some((mid, name, id_number)) = restricted {
            let day = |n: u64| {
                zhixing_domain::time::china_date(now_ms)
                    .checked_add_days(chrono::Days::new(n))
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            };
            let p = self
                .apply_consumption_permission(
                    &cmd,
                    &mid,
                    &crate::consumption::PermissionInput {
                        applicant_name: name,
                        applicant_id_number: id_number,
                        act: "premium_transport".into(),
                        ground: "necessity".into(),
                        reason: "其母在外地住院手术，须乘飞机前往照料，附医院证明".into(),
                        from: day(1),
                        to: day(10),
                    },
                    now_ms,
                )
                .await?;
            self.decide_consumption_permission(&pres, &p.id, true, "经核实属实", now_ms)
                .await?;
        }
        // A search carried out with its 搜查笔录 and a 拘传 with its questioning and 询问笔录, so
        // the measures page shows both records (and both DOCX records can be printed).
        let today = zhixing_domain::time::china_date(now_ms);
        let day = today.format("%Y-%m-%d").to_string();
        if let Some((case_id, party_id)) = rows.get(32) {
            let search = crate::measures::MeasureInput {
                kind: "search".into(),
                party_id: Some(party_id.clone()),
                place: Some("被执行人住所及其经营的门市".into()),
                reason: "被执行人隐匿财产，经责令拒不交出（民诉法解释第四百九十四条）".into(),
                ..Default::default()
            };
            if let Ok(m) = self.propose_measure(&cmd, case_id, &search, now_ms).await {
                self.decide_measure(&pres, &m.id, true, "同意", now_ms)
                    .await?;
                let record = zhixing_domain::measure::SearchRecord {
                    warrant_shown: true,
                    present: "被执行人的成年子女（成年家属）".into(),
                    witness: "所在社区居民委员会工作人员".into(),
                    refused_to_attend: false,
                    woman_body_searched: false,
                    female_officer: false,
                    findings: "门市收银台抽屉内现金 8,600 元，已当场扣押，另制扣押清单".into(),
                    signed: true,
                    refusal_note: String::new(),
                };
                self.execute_measure_at(
                    &cmd,
                    &m.id,
                    &crate::measures::ExecutionInput {
                        on: &day,
                        note: "依搜查令搜查被执行人住所及门市",
                        search: Some(&record),
                        ..Default::default()
                    },
                    now_ms,
                )
                .await?;
            }
        }
        if let Some((case_id, party_id)) = rows.get(33) {
            let summons = crate::measures::MeasureInput {
                kind: "summons".into(),
                party_id: Some(party_id.clone()),
                hours: Some(8),
                summoned_for: today
                    .checked_sub_days(chrono::Days::new(3))
                    .map(|d| d.format("%Y-%m-%d").to_string()),
                place: Some("本院执行局".into()),
                reason: "经依法传唤无正当理由拒不到场接受调查询问".into(),
                ..Default::default()
            };
            // The questioning of a working morning (arrival 9:20, questions 9:30 to 10:50) when
            // the demo runs after 11:00; earlier in the day, from midnight to at most two hours
            // later as the clock allows (a demo run in the first minutes of the day skips it).
            let now_minute = zhixing_domain::time::china_datetime(now_ms);
            let at = |h: u32, min: u32| today.and_hms_opt(h, min, 0);
            let times = match (at(11, 0), at(9, 20), at(9, 30), at(10, 50), at(0, 0)) {
                (Some(eleven), Some(a), Some(b), Some(e), _) if now_minute >= eleven => {
                    Some((a, b, e))
                }
                (_, _, _, _, Some(midnight)) => Some((
                    midnight,
                    midnight + chrono::Duration::minutes(5),
                    (midnight + chrono::Duration::hours(2)).min(now_minute),
                )),
                _ => None,
            };
            if let Some((arrived, began, end)) = times
                && end > began
                && let Ok(m) = self.propose_measure(&cmd, case_id, &summons, now_ms).await
            {
                self.decide_measure(&pres, &m.id, true, "同意", now_ms)
                    .await?;
                let text = zhixing_domain::time::minute_text;
                let (at, began, end) = (text(arrived), text(began), text(end));
                let qa = [
                    (
                        "我们是本院执行局的执行人员，现依法对你进行调查询问。你应当如实回答，如实报告财产情况；拒绝报告、虚假报告或者作虚假陈述的，本院可以根据情节轻重予以罚款、拘留，构成犯罪的，依法追究刑事责任。听清楚了吗？",
                        "听清楚了。",
                    ),
                    (
                        "本院依法传唤你到庭接受调查询问，你为何没有到庭？",
                        "当时在外地打工，以为不来也没关系。",
                    ),
                    (
                        "你现在有哪些财产？包括银行存款、房屋、车辆、股权和别人欠你的钱。",
                        "农业银行卡里有三千多元工资，名下没有房子，有一辆电动三轮车。",
                    ),
                    (
                        "收到执行通知之日前一年至今，你的财产有无转让、赠与或者大额支出？",
                        "去年把一辆小货车以两万元卖给了同村的人，钱用来还了别的欠款。",
                    ),
                    (
                        "你对履行本案义务有何打算？",
                        "愿意先交五千元，剩下的每月还两千元，请法院跟申请人说一下。",
                    ),
                    ("以上所说是否属实？还有无补充？", "属实，没有补充。"),
                ]
                .into_iter()
                .map(|(q, a)| zhixing_domain::measure::QuestionAnswer {
                    question: q.into(),
                    answer: a.into(),
                })
                .collect();
                let record = zhixing_domain::measure::QuestioningRecord {
                    place: "本院执行局询问室".into(),
                    began_at: began,
                    ended_at: end.clone(),
                    questioners: vec!["张伟".into(), "李明".into()],
                    recorder: "刘洋".into(),
                    subject_name: m.subject_name.clone(),
                    subject_id_number: m.subject_id_number.clone(),
                    credentials_shown: true,
                    rights_told: true,
                    false_statement_warned: true,
                    qa,
                    read_over: zhixing_domain::measure::READ_BY_SUBJECT.into(),
                    signed: true,
                    refusal_note: String::new(),
                    officers_signed: true,
                };
                self.execute_measure_at(
                    &cmd,
                    &m.id,
                    &crate::measures::ExecutionInput {
                        on: &day,
                        note: "拘传到院接受调查询问，如实陈述了财产情况",
                        at: Some(&at),
                        questioning_ended_at: Some(&end),
                        questioning: Some(&record),
                        ..Default::default()
                    },
                    now_ms,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Duty work in the first demo court, through the real use cases, so its pages are not empty:
    /// three 拒执 referrals at different steps (drafted; transferred to the police; 立案, then
    /// 不起诉, a 自诉 and its settlement), a published reward notice (悬赏) and a public 执行110
    /// tip-off. Skipped when the court already has referrals (idempotent).
    async fn demo_duty(&self, court: &str, prefix: &str, now_ms: i64) -> Result<(), AppError> {
        use crate::duty::{ReferralInput, RewardInput, TipoffInput, ViolationInput};
        let mut conn = self.db.conn().await?;
        let existing: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM refusal_referrals WHERE court_code = $1",
        )
        .bind(court)
        .fetch_one(&mut *conn)
        .await?;
        let find = async |conn: &mut zhixing_store::Conn, u: &str| {
            zhixing_store::users::find_user_by_username(conn, u).await
        };
        let (Some(cmd), Some(pres)) = (
            find(&mut conn, &format!("{prefix}_command")).await?,
            find(&mut conn, &format!("{prefix}_president")).await?,
        ) else {
            return Ok(());
        };
        if existing > 0 {
            return Ok(());
        }
        // Open cases with a natural-person debtor, after the ones the measures demo used.
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.id, c.case_number, p.name FROM cases c JOIN parties p ON p.court_code = c.court_code \
             AND p.case_id = c.id WHERE c.court_code = $1 AND c.status <> 'closed' AND p.role = 'debtor' \
             AND p.kind = 'person' ORDER BY c.case_number LIMIT 5 OFFSET 40",
        )
        .bind(court)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let cmd = self.actor_for(&cmd).await?;
        let pres = self.actor_for(&pres).await?;
        let input = |facts: &str, kind: &str, what: &str| ReferralInput {
            suspect_name: String::new(),
            facts: facts.into(),
            violations: vec![ViolationInput {
                on: crate::deadlines::ymd(zhixing_domain::time::china_date(
                    now_ms - 20 * 86_400_000,
                )),
                kind: kind.into(),
                description: what.into(),
            }],
        };
        for (i, (case_id, _, _)) in rows.iter().take(3).enumerate() {
            let r = self
                .create_referral(
                    &cmd,
                    case_id,
                    &input(
                        "被执行人有能力履行而拒不履行生效判决确定的给付义务，情节严重",
                        if i == 1 { "asset_transfer" } else { "other" },
                        if i == 1 {
                            "判决生效后将名下车辆无偿过户给其亲属"
                        } else {
                            "拒不配合执行、隐匿行踪"
                        },
                    ),
                    now_ms,
                )
                .await?;
            let id = r.referral.id;
            if i >= 1 {
                self.refer_referral(&cmd, &id, "县公安局经济犯罪侦查大队", "", now_ms)
                    .await?;
            }
            if i == 2 {
                self.police_decision(&cmd, &id, true, "", "", now_ms)
                    .await?;
                self.referral_dropped(
                    &cmd,
                    &id,
                    "procuratorate",
                    "",
                    "犯罪情节轻微，检察院决定不起诉",
                    now_ms,
                )
                .await?;
                self.private_prosecution(
                    &cmd,
                    &id,
                    "",
                    "本院刑事审判庭",
                    "判决书、执行通知书、车辆过户登记及转账记录",
                    now_ms,
                )
                .await?;
                self.private_prosecution_end(
                    &cmd,
                    &id,
                    "settled",
                    "",
                    "被告人当庭履行全部执行义务，自诉人与其和解",
                    now_ms,
                )
                .await?;
            }
        }
        if let Some((case_id, case_number, debtor)) = rows.get(3) {
            let reward = self
                .apply_reward(
                    &cmd,
                    case_id,
                    &RewardInput {
                        applicant_name: "申请执行人".into(),
                        amount_fen: None,
                        formula: Some("执行到位金额的 10%".into()),
                        promise_to_pay: true,
                        publish_via: "全国法院执行悬赏公告平台、本院微信公众号".into(),
                        channel: "执行指挥中心 12368".into(),
                        applied_on: String::new(),
                        debtor_party_id: None,
                    },
                    now_ms,
                )
                .await?;
            let id = reward.notice.id;
            self.decide_reward(&pres, &id, true, "同意发布悬赏公告", "", now_ms)
                .await?;
            self.publish_reward(&cmd, &id, "", now_ms).await?;
            self.submit_public_tipoff(
                &TipoffInput {
                    court: court.into(),
                    case_number: Some(case_number.clone()),
                    debtor_name: debtor.clone(),
                    kind: "whereabouts".into(),
                    urgent: true,
                    content: "被执行人今晚在小区门口的茶楼打牌".into(),
                    location: "城区某小区门口茶楼".into(),
                    reporter_name: "热心群众".into(),
                    reporter_phone: "13800138000".into(),
                },
                now_ms,
            )
            .await?;
        }
        Ok(())
    }

    /// A few bank receipts in the first demo court: to the first cases' accounts (some arrived over
    /// 30 days ago, so the overdue query has something to show) and two unidentified ones.
    /// Skipped when the court already has them: their arrival times follow the clock, so a later
    /// run's receipts would differ under the same idempotency keys (and be refused as such).
    async fn demo_receipts(&self, court: &str, bank: &str, now_ms: i64) -> Result<(), AppError> {
        let mut conn = self.db.conn().await?;
        let Some(user) = zhixing_store::users::find_user_by_username(&mut conn, bank).await? else {
            return Ok(());
        };
        let booked: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM fund_receipts WHERE court_code = $1 AND idempotency_key = $2",
        )
        .bind(court)
        .bind(format!("demo-{court}-u0"))
        .fetch_one(&mut *conn)
        .await?;
        if booked > 0 {
            return Ok(());
        }
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM cases WHERE court_code = $1 ORDER BY case_number LIMIT 10",
        )
        .bind(court)
        .fetch_all(&mut *conn)
        .await?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(c) = cases::find_case(&mut conn, id).await? {
                rows.push(c);
            }
        }
        drop(conn);
        let actor = self.actor_for(&user).await?;
        let day_ms = 86_400_000i64;
        for (i, case) in rows.iter().enumerate() {
            let step = i64::try_from(i).unwrap_or(0);
            let at = now_ms - (step * 7 + 1) * day_ms;
            let input = crate::funds::ReceiptInput {
                idempotency_key: format!("demo-{court}-{i}"),
                account_number: crate::funds::account_number_of(case)?.as_str().to_owned(),
                amount_fen: (case.claim_fen / 3).max(100),
                payer_name: case
                    .debtor_name
                    .clone()
                    .unwrap_or_else(|| "被执行人".into()),
                payer_account: format!("62220200{:011}", 4_000_000 + step),
                received_at: rfc3339(at),
                bank_reference: format!("DEMO{court}{i:04}"),
            };
            self.post_receipt(&actor, &input, now_ms).await?;
        }
        for i in 0..2i64 {
            let input = crate::funds::ReceiptInput {
                idempotency_key: format!("demo-{court}-u{i}"),
                account_number: String::new(),
                amount_fen: 88_800 * (i + 1),
                payer_name: "未备注付款人".into(),
                payer_account: format!("62170000{:011}", 9_000_000 + i),
                received_at: rfc3339(now_ms - (i + 1) * day_ms),
                bank_reference: format!("DEMO{court}U{i}"),
            };
            self.post_receipt(&actor, &input, now_ms).await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn demo_cases(
        &self,
        court: &str,
        _path: &str,
        fast_max_fen: i64,
        n: u64,
        rng: &mut StdRng,
        repeat: &[Party],
        today: NaiveDate,
        now_ms: i64,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64, AppError> {
        if n == 0 {
            return Ok(0);
        }
        let mut conn = self.db.conn().await?;
        let mut judges: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut by_track = Vec::new();
        for track in ["fast", "standard"] {
            let cands = cases::assignment_candidates(&mut conn, court, track, "9999-12-31").await?;
            for (t, js) in &cands {
                judges.insert(
                    t.id.clone(),
                    js.iter().map(|h| (h.id.clone(), h.name.clone())).collect(),
                );
            }
            by_track.push(cands.into_iter().map(|(t, _)| t).collect::<Vec<_>>());
        }
        let std_teams = by_track.pop().unwrap_or_default();
        let teams = by_track.pop().unwrap_or_default();
        let mut serial: HashMap<(i32, &'static str), i64> = HashMap::new();
        for (year, specialty, tc, last) in cases::serials_of(&mut conn, court).await? {
            if let (true, Some(t), Ok(y)) = (
                specialty.is_empty(),
                TypeCode::from_code(&tc),
                i32::try_from(year),
            ) {
                serial.insert((y, t.code()), last);
            }
        }
        let head = audit::head(&mut conn, court).await?;
        let rules = crate::deadlines::court_rules(&mut conn, court).await?;
        drop(conn);
        let cal = zhixing_domain::calendar::LegalCalendar::builtin();
        let mut deadline_rows: Vec<dl::DeadlineRow> = Vec::new();
        let mut event_rows: Vec<dl::EventRow> = Vec::new();
        let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_owned()));
        let rule = TriageRule {
            fast_max: Fen::new(fast_max_fen),
        };
        let region = region_of(court);
        // Filing dates over the last ~2 years, in order, so serials follow filing order.
        let mut dates: Vec<NaiveDate> = (0..n)
            .map(|_| days_before(today, rng.random_range(0..730)))
            .collect();
        dates.sort();
        let mut load: HashMap<String, i64> = HashMap::new();
        let mut case_rows = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        let mut party_rows = Vec::new();
        let mut keys = Vec::new();
        let mut audits = Vec::new();
        const BATCH: usize = 10_000;
        let mut written = 0u64;
        let mut pending: Option<tokio::task::JoinHandle<Result<u64, AppError>>> = None;
        for (i, filed_on) in dates.into_iter().enumerate() {
            let type_code = match rng.random_range(0..100) {
                0..=84 => TypeCode::FirstEnforcement,
                85..=94 => TypeCode::ResumedEnforcement,
                _ => TypeCode::PreservationEnforcement,
            };
            let claim = Fen::new(match rng.random_range(0..100) {
                0..=44 => rng.random_range(100_000..2_000_000),
                45..=84 => rng.random_range(2_000_000..50_000_000),
                85..=97 => rng.random_range(50_000_000..1_000_000_000),
                _ => 0,
            });
            let s = serial
                .entry((filed_on.year(), type_code.code()))
                .or_insert(0);
            *s += 1;
            let number = CaseNumber::new(
                filed_on.year(),
                court,
                None,
                type_code,
                u32::try_from(*s).unwrap_or(u32::MAX),
            )
            .map_err(|e| AppError::Internal(e.message))?;
            let decision = triage(rule, type_code, claim);
            let pool = if decision.track == Track::Fast {
                &teams
            } else {
                &std_teams
            };
            let team = pool
                .iter()
                .min_by_key(|t| (load.get(&t.id).copied().unwrap_or(0), t.name.clone()));
            let (team_id, handler_id, reason) = match team {
                Some(t) => {
                    *load.entry(t.id.clone()).or_insert(0) += 1;
                    let hs = judges.get(&t.id).cloned().unwrap_or_default();
                    let h = hs
                        .iter()
                        .min_by_key(|h| (load.get(&h.0).copied().unwrap_or(0), h.1.clone()))
                        .cloned();
                    if let Some(h) = &h {
                        *load.entry(h.0.clone()).or_insert(0) += 1;
                    }
                    (
                        Some(t.id.clone()),
                        h.as_ref().map(|h| h.0.clone()),
                        format!("「{}」在办案件最少（演示数据）", t.name),
                    )
                }
                None => (None, None, "待指挥中心人工分案".to_owned()),
            };
            let age_days = (today - filed_on).num_days();
            let status = if team_id.is_none() {
                "pending_assignment"
            } else if age_days > 200 && rng.random_range(0..100) < 85
                || age_days > 60 && rng.random_range(0..100) < 45
            {
                "closed"
            } else {
                "in_progress"
            };
            let id = new_id();
            // Unique per court (seq is), so the duplicate-filing keys below are real keys.
            let basis_serial = 10_000 + seq;
            let doc_type = *pick(rng, DOC_TYPES);
            let basis_year = filed_on.year() - i32::from(rng.random_range(0..2u8));
            let basis_number = match doc_type {
                "仲裁裁决书" => format!("乐仲裁字〔{basis_year}〕第{basis_serial}号"),
                "公证债权文书" => format!("（{basis_year}）川乐公证字第{basis_serial}号"),
                "支付令" => format!("（{basis_year}）{court}民督{basis_serial}号"),
                _ => format!("（{basis_year}）{court}民初{basis_serial}号"),
            };
            let at = now_ms - (today - filed_on).num_milliseconds();
            let row = CaseRow {
                court_code: court.to_owned(),
                id: id.clone(),
                case_number: number.to_string(),
                year: i64::from(filed_on.year()),
                specialty_code: String::new(),
                type_code: type_code.code().to_owned(),
                serial: *s,
                filed_on: filed_on.format("%Y-%m-%d").to_string(),
                basis_court: court.to_owned(),
                basis_document_number: basis_number.clone(),
                basis_document_type: doc_type.to_owned(),
                claim_fen: claim.get(),
                track: decision.track.as_str().to_owned(),
                triage_reason: decision.reason,
                team_id,
                handler_id,
                assignment_reason: reason,
                status: status.to_owned(),
                created_at: at,
                created_by: "system".into(),
                updated_at: at,
                team_name: None,
                handler_name: None,
                applicant_name: None,
                debtor_name: None,
            };
            let applicant = if rng.random_range(0..100) < 70 {
                make_person(rng, region, today)?
            } else {
                make_entity(rng, region)?
            };
            let mut debtors = vec![if rng.random_range(0..100) < 8 {
                let p = pick(rng, repeat);
                Party {
                    name: p.name.clone(),
                    kind: p.kind,
                    id_number: p.id_number.clone(),
                    credit_code: p.credit_code.clone(),
                    legal_rep: p.legal_rep.clone(),
                    phone: p.phone.clone(),
                }
            } else if rng.random_range(0..100) < 60 {
                make_person(rng, region, today)?
            } else {
                make_entity(rng, region)?
            }];
            if rng.random_range(0..100) < 25 {
                debtors.push(make_person(rng, region, today)?);
            }
            let mut push = |p: &Party, role: &str, pos: i64| {
                party_rows.push(PartyRow {
                    court_code: court.to_owned(),
                    id: new_id(),
                    case_id: id.clone(),
                    role: role.to_owned(),
                    position: pos,
                    kind: p.kind.to_owned(),
                    name: p.name.clone(),
                    id_number: p.id_number.clone(),
                    credit_code: p.credit_code.clone(),
                    legal_representative: p.legal_rep.clone(),
                    phone: p.phone.clone(),
                    address: None,
                });
            };
            push(&applicant, "applicant", 0);
            for (k, d) in debtors.iter().enumerate() {
                push(d, "debtor", i64::try_from(k).unwrap_or(0));
                let key = d
                    .id_number
                    .clone()
                    .or_else(|| d.credit_code.clone())
                    .unwrap_or_default();
                keys.push((
                    court.to_owned(),
                    type_code.code().to_owned(),
                    basis_number.clone(),
                    key,
                    id.clone(),
                ));
            }
            seq += 1;
            let rec = AuditRecord {
                court_code: court.to_owned(),
                seq,
                at_ms: at,
                actor_id: "system".into(),
                actor_name: "演示数据生成".into(),
                action: "case.file".into(),
                target_kind: "case".into(),
                target_id: id.clone(),
                case_id: Some(id.clone()),
                before: None,
                after: Some(format!("{{\"case_number\":\"{}\"}}", row.case_number)),
            };
            let hash = rec.chain_hash(&prev);
            audits.push(StoredAudit {
                record: rec,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            });
            if status != "closed" {
                // The case's node deadlines as if it had been worked: most deadlines already due
                // were met (a node event on or before the date), the rest are open with today's
                // warning level; the board counters are rebuilt from them below.
                let (mut evs, mut dls) = crate::deadlines::filing_plan(&rules, &row, "system", at)?;
                for d in &mut dls {
                    if d.status != "pending" || d.kind == "minimum" {
                        continue;
                    }
                    let due = NaiveDate::parse_from_str(&d.due_on, "%Y-%m-%d")
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    if due < today && rng.random_range(0..100) < 80 {
                        let done = days_before(due, rng.random_range(0..3)).max(filed_on);
                        let done_s = done.format("%Y-%m-%d").to_string();
                        d.status = "done".into();
                        d.done_on = Some(done_s.clone());
                        d.fire_at = None;
                        evs.push(dl::EventRow {
                            court_code: court.to_owned(),
                            id: new_id(),
                            case_id: id.clone(),
                            node: d.node.clone(),
                            on_date: done_s,
                            note: String::new(),
                            actor_id: row.handler_id.clone().unwrap_or_else(|| "system".into()),
                            created_at: at,
                            actor_name: None,
                        });
                    } else {
                        let w = zhixing_domain::deadline::level_windows(
                            due,
                            rules.blue_working_days,
                            cal,
                        )
                        .map_err(|e| AppError::Internal(e.message))?;
                        let level = w
                            .level_on(today)
                            .map(zhixing_domain::deadline::Level::as_str);
                        d.level = level.map(str::to_owned);
                        d.fire_at = crate::deadlines::next_fire(&w, level, today);
                    }
                }
                deadline_rows.extend(dls);
                event_rows.append(&mut evs);
            }
            case_rows.push(row);
            if case_rows.len() >= BATCH || i + 1 == usize::try_from(n).unwrap_or(usize::MAX) {
                // Write this batch on its own task while the next one is generated (2 cores: one
                // generates, SQLite's worker writes). Batches stay in order: the previous write is
                // awaited before the next starts.
                if let Some(p) = pending.take() {
                    written += p.await.map_err(|e| AppError::Internal(e.to_string()))??;
                    progress(written);
                }
                let batch = (
                    std::mem::take(&mut case_rows),
                    std::mem::take(&mut party_rows),
                    std::mem::take(&mut keys),
                    std::mem::take(&mut audits),
                    std::mem::take(&mut deadline_rows),
                    std::mem::take(&mut event_rows),
                    serial
                        .iter()
                        .map(|((y, t), l)| (i64::from(*y), *t, *l))
                        .collect::<Vec<_>>(),
                );
                let db = self.db.clone();
                let court_code = court.to_owned();
                pending = Some(tokio::spawn(async move {
                    let (c, p, k, a, dls, evs, serials) = batch;
                    let mut tx = db.begin().await?;
                    cases::insert_cases(&mut tx, &c).await?;
                    cases::insert_parties(&mut tx, &p).await?;
                    cases::insert_filing_keys(&mut tx, &k).await?;
                    audit::insert_chained(&mut tx, &a).await?;
                    dl::insert_deadlines(&mut tx, &dls).await?;
                    dl::insert_events(&mut tx, &evs).await?;
                    for (year, tc, last) in serials {
                        cases::set_serial(&mut tx, &court_code, year, "", tc, last).await?;
                    }
                    tx.commit().await?;
                    Ok::<u64, AppError>(u64::try_from(c.len()).unwrap_or(0))
                }));
            }
        }
        if let Some(p) = pending.take() {
            written += p.await.map_err(|e| AppError::Internal(e.to_string()))??;
            progress(written);
        }
        // The bulk path bypasses file_case, so rebuild the 分案 counters from the rows written.
        let mut tx = self.db.begin().await?;
        cases::recompute_workloads(&mut tx, court).await?;
        dl::recompute_board(&mut tx, court).await?;
        tx.commit().await?;
        Ok(written)
    }
}

fn zh_num(i: usize) -> &'static str {
    ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
        .get(i)
        .copied()
        .unwrap_or("十")
}

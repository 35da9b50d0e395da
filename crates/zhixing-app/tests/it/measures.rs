//! Measures end to end on both databases: the 院长's approval is a real gate (a refused or
//! missing approval stops the measure); legal limits are refused with the field; a 失信 listing
//! publishes a masked entry and a feed record; full performance starts the 3-working-day deletion
//! duty (skipping the National Day holidays); deletion, term expiry and corrections take the entry
//! off the public list and tell partners.

use zhixing_app::deadlines::EventInput;
use zhixing_app::measures::{ExecutionInput, MeasureInput};
use zhixing_app::{Actor, App};
use zhixing_domain::measure::DEFAULT_ID_MASK;
use zhixing_domain::time::china_midnight_ms;
use zhixing_store::cases::CaseRow;
use zhixing_testkit::{NOW_MS, backends, debtor_id, entity, filing, person, seed_court};

use crate::common::{add_user, expect_conflict, expect_forbidden, expect_invalid, rows};

fn at(date: &str) -> i64 {
    china_midnight_ms(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()) + 10 * 3_600_000
}

async fn case_with(app: &App, actor: &Actor, debtor: zhixing_domain::party::PartyInput) -> CaseRow {
    app.file_case(actor, &filing("川1123", 7, debtor, 1_234_567), NOW_MS)
        .await
        .unwrap()
        .case
}

fn input(kind: &str, party: &str) -> MeasureInput {
    MeasureInput {
        kind: kind.into(),
        party_id: Some(party.into()),
        ..Default::default()
    }
}

async fn deadline(
    app: &App,
    actor: &Actor,
    case: &CaseRow,
    rule: &str,
    now: i64,
) -> (String, &'static str) {
    let d = app.case_deadlines(actor, &case.id, now).await.unwrap();
    let d = d
        .iter()
        .find(|d| d.row.rule_id == rule)
        .unwrap_or_else(|| panic!("no deadline {rule}"));
    (d.row.due_on.clone(), d.status)
}

#[tokio::test]
async fn a_measure_without_the_presidents_approval_cannot_take_effect() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "m").await;
        let case = case_with(app, &f.command, person("赵六", 11)).await;
        let judge = &f.judges[0];
        let handler = if case.handler_id.as_deref() == Some(judge.user_id.as_str()) {
            judge
        } else {
            &f.command
        };
        let party = debtor_id(app, &case).await;
        let mut fine = input("fine", &party);
        fine.amount_fen = Some(5_000_000);
        fine.reason = "将已查封的车辆转移隐藏（民事诉讼法第一百一十四条第一款第三项）".into();
        // Above the 10 万元 limit for an individual: refused, naming the field.
        let mut over = fine.clone();
        over.amount_fen = Some(10_000_001);
        let e = expect_invalid(
            app.propose_measure(handler, &case.id, &over, NOW_MS).await,
            "fine over limit",
        );
        assert_eq!((e.code, e.field.as_str()), ("fine_limit", "amount"));
        // Detention over 15 days: refused.
        let mut det = input("detention", &party);
        det.days = Some(16);
        det.reason = "暴力抗拒执行".into();
        let e = expect_invalid(
            app.propose_measure(handler, &case.id, &det, NOW_MS).await,
            "detention 16 days",
        );
        assert_eq!((e.code, e.field.as_str()), ("detention_limit", "days"));

        let m = app
            .propose_measure(handler, &case.id, &fine, NOW_MS)
            .await
            .unwrap();
        assert_eq!(m.status, "pending_approval");
        assert!(
            m.document_number
                .starts_with(case.case_number.trim_end_matches('号'))
        );
        assert!(
            m.document_number == format!("{}之一", case.case_number),
            "{}",
            m.document_number
        );
        // Not effective: cannot be carried out.
        let (code, _, _) = expect_conflict(
            app.execute_measure(handler, &m.id, "2024-09-27", "罚款已缴纳", None, NOW_MS)
                .await,
            "execute before approval",
        );
        assert_eq!(code, "not_effective");
        // Only the 院长 decides.
        let (code, _, _) = expect_forbidden(
            app.decide_measure(&f.director, &m.id, true, "", NOW_MS)
                .await,
            "director approving",
        );
        assert_eq!(code, "permission_denied");
        // A refusal stops it for good.
        let refused = app
            .decide_measure(&f.president, &m.id, false, "事实不清", NOW_MS)
            .await
            .unwrap();
        assert_eq!(refused.status, "refused");
        expect_conflict(
            app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
                .await,
            "second decision",
        );
        expect_conflict(
            app.execute_measure(handler, &m.id, "2024-09-27", "罚款已缴纳", None, NOW_MS)
                .await,
            "execute refused",
        );
        // A new proposal, approved, takes effect and can be carried out.
        let m2 = app
            .propose_measure(handler, &case.id, &fine, NOW_MS)
            .await
            .unwrap();
        assert!(
            m2.document_number == format!("{}之二", case.case_number),
            "{}",
            m2.document_number
        );
        let ok = app
            .decide_measure(&f.president, &m2.id, true, "同意", NOW_MS)
            .await
            .unwrap();
        assert_eq!(ok.status, "effective");
        assert_eq!(ok.effective_on.as_deref(), Some("2024-09-27"));
        let done = app
            .execute_measure(
                handler,
                &m2.id,
                "2024-09-27",
                "被罚款人当场缴纳罚款",
                None,
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(done.executed_on.as_deref(), Some("2024-09-27"));
        // Detention: the family notice must be recorded (CPLI art 180); the release date follows.
        det.days = Some(10);
        let d = app
            .propose_measure(handler, &case.id, &det, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &d.id, true, "", NOW_MS)
            .await
            .unwrap();
        let e = expect_invalid(
            app.execute_measure(&f.police, &d.id, "2024-09-27", "已送拘留所", None, NOW_MS)
                .await,
            "no family notice",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("family_notice", "family_notified_on")
        );
        let e = expect_invalid(
            app.execute_measure(
                &f.police,
                &d.id,
                "2024-09-27",
                "已送拘留所",
                Some("2024-09-26"),
                NOW_MS,
            )
            .await,
            "notice before detention",
        );
        assert_eq!(e.code, "family_notice");
        let d = app
            .execute_measure(
                &f.police,
                &d.id,
                "2024-09-27",
                "已送拘留所，当日电话通知其妻",
                Some("2024-09-27"),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d.expires_on.as_deref(), Some("2024-10-07"));
        assert_eq!(app.expire_measures(at("2024-10-07"), 100).await.unwrap(), 1);
        let (_, d) = app.measure(&f.president, &d.id).await.unwrap();
        assert_eq!(
            (d.status.as_str(), d.end_reason.as_deref()),
            ("ended", Some("served"))
        );
        // With the times recorded, the 24 hours are checked to the minute: a notice the next day
        // but 24 h 1 min after the detention is refused, which the day rule would have let pass.
        let d2 = app
            .propose_measure(handler, &case.id, &det, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &d2.id, true, "", NOW_MS)
            .await
            .unwrap();
        let later = NOW_MS + 30 * 3_600_000; // 2024-09-28 16:00
        let timed = |at: &'static str, notified: &'static str| ExecutionInput {
            on: "",
            note: "已送拘留所",
            at: Some(at),
            family_notified_on: None,
            family_notified_at: Some(notified),
            search: None,
            questioning_ended_at: None,
            questioning: None,
        };
        for (input, code, field) in [
            (
                timed("2024-09-27 15:00", "2024-09-28 15:01"),
                "family_notice",
                "family_notified_at",
            ),
            (
                timed("2024-09-27 15:00", "2024-09-27 14:59"),
                "family_notice",
                "family_notified_at",
            ),
            (
                timed("2024-09-27 15:00", "2024-09-28 17:00"),
                "date_in_future",
                "family_notified_at",
            ),
            (
                timed("2024-09-27 25:00", "2024-09-28 10:00"),
                "datetime",
                "executed_at",
            ),
            (
                ExecutionInput {
                    on: "2024-09-28",
                    ..timed("2024-09-27 15:00", "2024-09-28 10:00")
                },
                "executed_at_day",
                "executed_at",
            ),
            (
                ExecutionInput {
                    on: "2024-09-27",
                    at: None,
                    ..timed("", "2024-09-28 10:00")
                },
                "required",
                "executed_at",
            ),
        ] {
            let e = expect_invalid(
                app.execute_measure_at(&f.police, &d2.id, &input, later)
                    .await,
                field,
            );
            assert_eq!((e.code, e.field.as_str()), (code, field), "{input:?}");
        }
        let d2 = app
            .execute_measure_at(
                &f.police,
                &d2.id,
                &timed("2024-09-27T15:00", "2024-09-28 14:50"),
                later,
            )
            .await
            .unwrap();
        assert_eq!(
            (
                d2.executed_on.as_deref(),
                d2.executed_at.as_deref(),
                d2.family_notified_at.as_deref(),
                d2.expires_on.as_deref()
            ),
            (
                Some("2024-09-27"),
                Some("2024-09-27 15:00"),
                Some("2024-09-28 14:50"),
                Some("2024-10-07")
            )
        );
        // Every write is audited.
        assert!(rows(&app.db, "audit_log").await >= 8);
        t.cleanup().await;
    }
}

/// In a money case the 执行通知 takes the 报告财产令 with it (INV art 3): one proposal, both in
/// effect with consecutive document numbers and both process nodes recorded; a second notice does
/// not issue a second order.
#[tokio::test]
async fn an_enforcement_notice_goes_out_with_the_asset_report_order() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "n").await;
        let case = case_with(app, &f.command, person("郑十", 14)).await;
        let handler = case
            .handler_id
            .as_deref()
            .and_then(|h| f.judges.iter().find(|j| j.user_id == h))
            .unwrap_or(&f.command);
        let party = debtor_id(app, &case).await;
        let mut notice = input("enforcement_notice", &party);
        notice.reason = "责令被执行人履行生效判决确定的给付义务".into();
        let m = app
            .propose_measure(handler, &case.id, &notice, NOW_MS)
            .await
            .unwrap();
        assert_eq!(m.status, "effective");
        let list = app.case_measures(handler, &case.id).await.unwrap();
        let kinds: Vec<(&str, &str, &str)> = list
            .iter()
            .map(|v| {
                (
                    v.measure.kind.as_str(),
                    v.measure.status.as_str(),
                    v.measure.document_number.as_str(),
                )
            })
            .collect();
        let order = format!("{}之二", case.case_number);
        assert!(
            kinds.contains(&(
                "enforcement_notice",
                "effective",
                m.document_number.as_str()
            )) && kinds.contains(&("asset_report_order", "effective", order.as_str())),
            "{kinds:?}"
        );
        // The order is a document of its own.
        let order_id = list
            .iter()
            .find(|v| v.measure.kind == "asset_report_order")
            .map(|v| v.measure.id.clone())
            .unwrap();
        let doc = app.measure_document(handler, &order_id).await.unwrap();
        assert!(doc.text.contains("报告财产令"), "{}", doc.text);
        // Both process nodes are recorded, so both deadlines of the 红黄蓝 board are met.
        let nodes: Vec<String> = app
            .case_events(handler, &case.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.node)
            .collect();
        assert!(
            nodes.iter().any(|n| n == "enforcement_notice")
                && nodes.iter().any(|n| n == "asset_report_order"),
            "{nodes:?}"
        );
        // A second notice (e.g. re-served) does not issue a second order to the same debtor.
        app.propose_measure(handler, &case.id, &notice, NOW_MS)
            .await
            .unwrap();
        let orders = app
            .case_measures(handler, &case.id)
            .await
            .unwrap()
            .iter()
            .filter(|v| v.measure.kind == "asset_report_order")
            .count();
        assert_eq!(orders, 1);
        t.cleanup().await;
    }
}

/// A case with no money claim (行为执行): the 执行通知 goes out alone (no 报告财产令 to go with it,
/// INV art 3 concerns money claims) and the documents say 非金钱给付 instead of "0.00 元".
#[tokio::test]
async fn a_case_without_a_money_claim_has_no_order_and_no_zero_amount() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "z").await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 8, person("冯十二", 15), 0),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let handler = case
            .handler_id
            .as_deref()
            .and_then(|h| f.judges.iter().find(|j| j.user_id == h))
            .unwrap_or(&f.command);
        let party = debtor_id(app, &case).await;
        let mut notice = input("enforcement_notice", &party);
        notice.reason = "责令被执行人迁出房屋".into();
        let m = app
            .propose_measure(handler, &case.id, &notice, NOW_MS)
            .await
            .unwrap();
        let kinds: Vec<String> = app
            .case_measures(handler, &case.id)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.measure.kind)
            .collect();
        assert_eq!(kinds, ["enforcement_notice"]);
        let doc = app.measure_document(handler, &m.id).await.unwrap();
        assert!(
            doc.text.contains("非金钱给付") && !doc.text.contains("0.00 元"),
            "{}",
            doc.text
        );
        t.cleanup().await;
    }
}

/// A 拘传 is carried out with its questioning's times: from the arrival to the end within the
/// approved hours (CPLI art 482: 8, or 24 where detention may follow), to the minute; the end is
/// required for a 拘传 and refused for anything else.
#[tokio::test]
async fn a_summons_questioning_stays_within_its_hours() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "q").await;
        let case = case_with(app, &f.command, person("吴九", 13)).await;
        let handler = case
            .handler_id
            .as_deref()
            .and_then(|h| f.judges.iter().find(|j| j.user_id == h))
            .unwrap_or(&f.command);
        let party = debtor_id(app, &case).await;
        let mut summons = input("summons", &party);
        summons.hours = Some(8);
        summons.place = Some("2024-09-27 09:00 本院执行局".into());
        summons.reason = "经依法传唤无正当理由拒不到场".into();
        // CPLI art 482: a 拘传 follows an unanswered lawful summons, whose day has come.
        let e = expect_invalid(
            app.propose_measure(handler, &case.id, &summons, NOW_MS)
                .await,
            "summons without a prior summons",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("summons_first", "summoned_for")
        );
        summons.summoned_for = Some("2024-09-28".into());
        let e = expect_invalid(
            app.propose_measure(handler, &case.id, &summons, NOW_MS)
                .await,
            "summoned for a day still ahead",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("summons_first", "summoned_for")
        );
        summons.summoned_for = Some("2024-09-25".into());
        let m = app
            .propose_measure(handler, &case.id, &summons, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        let later = NOW_MS + 30 * 3_600_000; // 2024-09-28 16:00
        let record = questioning_record(&m, "2024-09-27 09:10", "2024-09-27 17:00");
        let exec = |at: Option<&'static str>, end: Option<&'static str>| ExecutionInput {
            on: "2024-09-27",
            note: "拘传到院接受调查询问",
            at,
            questioning_ended_at: end,
            questioning: Some(&record),
            ..ExecutionInput::default()
        };
        for (input, code, field) in [
            (
                exec(Some("2024-09-27 09:00"), None),
                "required",
                "questioning_ended_at",
            ),
            (
                exec(None, Some("2024-09-27 12:00")),
                "required",
                "executed_at",
            ),
            (
                exec(Some("2024-09-27 09:00"), Some("2024-09-27 17:01")),
                "summons_limit",
                "questioning_ended_at",
            ),
            (
                exec(Some("2024-09-27 09:00"), Some("2024-09-27 08:59")),
                "questioning_time",
                "questioning_ended_at",
            ),
        ] {
            let e = expect_invalid(
                app.execute_measure_at(&f.police, &m.id, &input, later)
                    .await,
                field,
            );
            assert_eq!((e.code, e.field.as_str()), (code, field), "{input:?}");
        }
        let done = app
            .execute_measure_at(
                &f.police,
                &m.id,
                &exec(Some("2024-09-27T09:00"), Some("2024-09-27T17:00")),
                later,
            )
            .await
            .unwrap();
        assert_eq!(
            (
                done.executed_on.as_deref(),
                done.executed_at.as_deref(),
                done.questioning_ended_at.as_deref()
            ),
            (
                Some("2024-09-27"),
                Some("2024-09-27 09:00"),
                Some("2024-09-27 17:00")
            )
        );
        // Only a 拘传 takes a questioning end.
        let mut fine = input("fine", &party);
        fine.amount_fen = Some(1_000_000);
        fine.reason = "拒不到场接受询问".into();
        let fm = app
            .propose_measure(handler, &case.id, &fine, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &fm.id, true, "", NOW_MS)
            .await
            .unwrap();
        let e = expect_invalid(
            app.execute_measure_at(
                &f.police,
                &fm.id,
                &exec(Some("2024-09-27 09:00"), Some("2024-09-27 10:00")),
                later,
            )
            .await,
            "questioning end on a fine",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("not_a_summons", "questioning_ended_at")
        );
        t.cleanup().await;
    }
}

/// A full 询问笔录 for the 拘传 `m`, from `began` to `ended` (`YYYY-MM-DD HH:MM`).
fn questioning_record(
    m: &zhixing_store::measures::MeasureRow,
    began: &str,
    ended: &str,
) -> zhixing_domain::measure::QuestioningRecord {
    use zhixing_domain::measure::{QuestionAnswer, QuestioningRecord, READ_BY_SUBJECT};
    QuestioningRecord {
        place: "本院执行局第二询问室".into(),
        began_at: began.into(),
        ended_at: ended.into(),
        questioners: vec!["李四".into(), "钱七".into()],
        recorder: "孙八".into(),
        subject_name: m.subject_name.clone(),
        subject_id_number: m.subject_id_number.clone(),
        credentials_shown: true,
        rights_told: true,
        false_statement_warned: true,
        qa: vec![
            QuestionAnswer {
                question: "你现在有哪些财产？".into(),
                answer: "农业银行卡里有三千多元工资，名下有一辆电动三轮车。".into(),
            },
            QuestionAnswer {
                question: "收到执行通知前一年内有无转让财产？".into(),
                answer: "去年卖了一辆小货车，得款两万元。".into(),
            },
        ],
        read_over: READ_BY_SUBJECT.into(),
        signed: true,
        refusal_note: String::new(),
        officers_signed: true,
    }
}

/// A 拘传 is carried out with its 询问笔录 (CPLI art 482; CPL arts 133, 150): the questioning
/// from the arrival to the recorded end, the person summoned questioned, two officers, what was
/// told, each question answered, read over and signed; errors name the record's field; the
/// stored record prints as a DOCX; nothing else takes a record; a 拘传 executed before records
/// were kept still loads and has no 询问笔录 (409 no_record).
#[tokio::test]
async fn a_summons_is_carried_out_with_its_questioning_record() {
    use zhixing_domain::measure::{QuestionAnswer, QuestioningRecord};
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "qr").await;
        let case = case_with(app, &f.command, person("郑十", 17)).await;
        let handler = case
            .handler_id
            .as_deref()
            .and_then(|h| f.judges.iter().find(|j| j.user_id == h))
            .unwrap_or(&f.command);
        let party = debtor_id(app, &case).await;
        let mut summons = input("summons", &party);
        summons.hours = Some(8);
        summons.summoned_for = Some("2024-09-25".into());
        summons.place = Some("2024-09-27 09:00 本院执行局".into());
        summons.reason = "经依法传唤无正当理由拒不到场".into();
        let m = app
            .propose_measure(handler, &case.id, &summons, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        let later = NOW_MS + 30 * 3_600_000; // 2024-09-28 16:00
        let ok = questioning_record(&m, "2024-09-27T09:30", "2024-09-27 11:10");
        fn exec(r: Option<&QuestioningRecord>) -> ExecutionInput<'_> {
            ExecutionInput {
                on: "2024-09-27",
                note: "拘传到院接受调查询问",
                at: Some("2024-09-27 09:20"),
                questioning_ended_at: Some("2024-09-27 11:10"),
                questioning: r,
                ..ExecutionInput::default()
            }
        }
        let early = QuestioningRecord {
            began_at: "2024-09-27 09:19".into(),
            ..ok.clone()
        };
        let other_end = QuestioningRecord {
            ended_at: "2024-09-27 11:30".into(),
            ..ok.clone()
        };
        let stranger = QuestioningRecord {
            subject_name: "郑十一".into(),
            ..ok.clone()
        };
        let alone = QuestioningRecord {
            questioners: vec!["孙八".into()],
            ..ok.clone()
        };
        let mut unanswered = ok.clone();
        unanswered.qa.push(QuestionAnswer {
            question: "还有无补充？".into(),
            answer: " ".into(),
        });
        let unwarned = QuestioningRecord {
            false_statement_warned: false,
            ..ok.clone()
        };
        let unsigned = QuestioningRecord {
            signed: false,
            ..ok.clone()
        };
        for (r, code, field) in [
            (None, "required", "questioning"),
            (Some(&early), "questioning_time", "questioning.began_at"),
            (Some(&other_end), "questioning_time", "questioning.ended_at"),
            (
                Some(&stranger),
                "questioning_subject",
                "questioning.subject_name",
            ),
            (Some(&alone), "questioning_officers", "questioning.recorder"),
            (Some(&unanswered), "required", "questioning.qa[2].answer"),
            (
                Some(&unwarned),
                "rights_not_told",
                "questioning.false_statement_warned",
            ),
            (
                Some(&unsigned),
                "questioning_signature",
                "questioning.refusal_note",
            ),
        ] {
            let e = expect_invalid(
                app.execute_measure_at(&f.police, &m.id, &exec(r), later)
                    .await,
                field,
            );
            assert_eq!((e.code, e.field.as_str()), (code, field));
        }
        // Nothing was recorded by the refusals.
        let (_, still) = app.measure(&f.police, &m.id).await.unwrap();
        assert_eq!((still.executed_on, still.questioning_record), (None, None));
        let done = app
            .execute_measure_at(&f.police, &m.id, &exec(Some(&ok)), later)
            .await
            .unwrap();
        let stored: QuestioningRecord =
            serde_json::from_str(done.questioning_record.as_deref().unwrap()).unwrap();
        assert_eq!(
            stored,
            QuestioningRecord {
                began_at: "2024-09-27 09:30".into(),
                ..ok.clone()
            }
        );
        // The 询问笔录 prints what was recorded, as courts write the times.
        let doc = app
            .questioning_record_document(&f.police, &m.id)
            .await
            .unwrap();
        assert!(doc.file_name.starts_with("询问笔录-"), "{}", doc.file_name);
        assert!(doc.docx.starts_with(b"PK"));
        for want in [
            "询问笔录",
            "时间：2024年9月27日9时30分至11时10分",
            "地点：本院执行局第二询问室",
            "询问人：李四、钱七",
            "记录人：孙八",
            &format!("被询问人：郑十，身份证号码：{}", m.subject_id_number),
            "于2024年9月27日9时20分到案",
            "问：你现在有哪些财产？",
            "答：去年卖了一辆小货车，得款两万元。",
            "以上笔录已交被询问人阅读，被询问人核对无误后签名（捺印）。",
            "二〇二四年九月二十七日",
            &m.document_number,
        ] {
            assert!(doc.text.contains(want), "{want}: {}", doc.text);
        }
        // A record on anything but a 拘传 is refused; such a measure has no 询问笔录.
        let mut fine = input("fine", &party);
        fine.amount_fen = Some(1_000_000);
        fine.reason = "拒不到场接受询问".into();
        let fm = app
            .propose_measure(handler, &case.id, &fine, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &fm.id, true, "", NOW_MS)
            .await
            .unwrap();
        let e = expect_invalid(
            app.execute_measure_at(
                &f.police,
                &fm.id,
                &ExecutionInput {
                    on: "2024-09-27",
                    note: "罚款已缴纳",
                    questioning: Some(&ok),
                    ..ExecutionInput::default()
                },
                later,
            )
            .await,
            "record on a fine",
        );
        assert_eq!((e.code, e.field.as_str()), ("not_a_summons", "questioning"));
        let (code, _, _) = expect_conflict(
            app.questioning_record_document(&f.police, &fm.id).await,
            "a fine has no questioning record",
        );
        assert_eq!(code, "no_record");
        // A 拘传 executed before records were kept (the column NULL) still loads; it has no
        // 询问笔录 to print.
        sqlx::query(
            "UPDATE measures SET questioning_record = NULL WHERE court_code = $1 AND id = $2",
        )
        .bind("川1123")
        .bind(&m.id)
        .execute(t.db().pool())
        .await
        .unwrap();
        let (_, old) = app.measure(&f.police, &m.id).await.unwrap();
        assert_eq!(
            (old.executed_at.as_deref(), old.questioning_record),
            (Some("2024-09-27 09:20"), None)
        );
        let (code, _, _) = expect_conflict(
            app.questioning_record_document(&f.police, &m.id).await,
            "an old 拘传 has no questioning record",
        );
        assert_eq!(code, "no_record");
        t.cleanup().await;
    }
}

/// A search is carried out only with its 搜查笔录 (民诉法解释 arts 495–498): warrant shown, who
/// attended (and the 基层组织 for a citizen), a woman's body only by a female officer, what was
/// found, signatures or who refused; errors name the record's field; nothing else takes a record.
#[tokio::test]
async fn a_search_is_recorded_as_the_law_requires_of_its_record() {
    use zhixing_domain::measure::SearchRecord;
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "s").await;
        let case = case_with(app, &f.command, person("孙八", 12)).await;
        let handler = case
            .handler_id
            .as_deref()
            .and_then(|h| f.judges.iter().find(|j| j.user_id == h))
            .unwrap_or(&f.command);
        let party = debtor_id(app, &case).await;
        let mut search = input("search", &party);
        search.place = Some("乐山市犍为县玉津镇某小区 3 栋 2 单元 501 室".into());
        search.reason = "被执行人隐匿财产，拒不交出（民诉法解释第四百九十四条）".into();
        let m = app
            .propose_measure(handler, &case.id, &search, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        let record = SearchRecord {
            warrant_shown: true,
            present: "被执行人孙八之妻（成年家属）".into(),
            witness: "玉津镇某社区居委会 王某".into(),
            refused_to_attend: false,
            woman_body_searched: true,
            female_officer: false,
            findings: "卧室衣柜内现金 52,000 元，已扣押".into(),
            signed: false,
            refusal_note: String::new(),
        };
        fn exec(r: Option<&SearchRecord>) -> ExecutionInput<'_> {
            ExecutionInput {
                on: "2024-09-27",
                note: "依搜查令搜查被执行人住所",
                search: r,
                ..ExecutionInput::default()
            }
        }
        let no_witness = SearchRecord {
            witness: " ".into(),
            ..record.clone()
        };
        let unsigned = SearchRecord {
            female_officer: true,
            ..record.clone()
        };
        for (input, code, field) in [
            (exec(None), "required", "search"),
            (
                exec(Some(&no_witness)),
                "search_attendance",
                "search.witness",
            ),
            (
                exec(Some(&record)),
                "female_officer",
                "search.female_officer",
            ),
            (
                exec(Some(&unsigned)),
                "search_signature",
                "search.refusal_note",
            ),
        ] {
            let e = expect_invalid(
                app.execute_measure_at(&f.police, &m.id, &input, NOW_MS)
                    .await,
                field,
            );
            assert_eq!((e.code, e.field.as_str()), (code, field));
        }
        let ok = SearchRecord {
            female_officer: true,
            refusal_note: "被执行人之妻拒绝在笔录上签名".into(),
            ..record
        };
        let done = app
            .execute_measure_at(&f.police, &m.id, &exec(Some(&ok)), NOW_MS)
            .await
            .unwrap();
        let stored: SearchRecord =
            serde_json::from_str(done.search_record.as_deref().unwrap()).unwrap();
        assert_eq!(stored, ok);
        // The 搜查笔录 prints what was recorded, for signature.
        let doc = app.search_record_document(&f.police, &m.id).await.unwrap();
        assert!(doc.file_name.starts_with("搜查笔录-"), "{}", doc.file_name);
        assert!(doc.docx.starts_with(b"PK"));
        for want in [
            "搜查笔录",
            "被执行人孙八之妻（成年家属）",
            "玉津镇某社区居委会 王某",
            "搜查妇女身体，由女执行人员进行。",
            "卧室衣柜内现金 52,000 元，已扣押",
            "签名情况：被执行人之妻拒绝在笔录上签名",
            "搜查时间：2024年9月27日",
            &m.document_number,
        ] {
            assert!(doc.text.contains(want), "{want}: {}", doc.text);
        }
        // A record on anything but a search is refused.
        let mut fine = input("fine", &party);
        fine.amount_fen = Some(1_000_000);
        fine.reason = "拒不交出隐匿的财产".into();
        let fm = app
            .propose_measure(handler, &case.id, &fine, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &fm.id, true, "", NOW_MS)
            .await
            .unwrap();
        let e = expect_invalid(
            app.execute_measure_at(&f.police, &fm.id, &exec(Some(&ok)), NOW_MS)
                .await,
            "record on a fine",
        );
        assert_eq!((e.code, e.field.as_str()), ("not_a_search", "search"));
        let (code, _, _) = expect_conflict(
            app.search_record_document(&f.police, &fm.id).await,
            "a fine has no search record",
        );
        assert_eq!(code, "no_record");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_minor_cannot_be_listed_and_an_entity_restriction_names_its_persons() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "n").await;
        // person(…, 38) is born 2008-03-11: 16 on 2024-09-27.
        let minor = case_with(app, &f.command, person("小明", 38)).await;
        let party = debtor_id(app, &minor).await;
        let mut m = input("dishonest", &party);
        m.ground = Some(4);
        let e = expect_invalid(
            app.propose_measure(&f.command, &minor.id, &m, NOW_MS).await,
            "minor",
        );
        assert_eq!(e.code, "dishonest_minor");
        assert_eq!(rows(&app.db, "measures").await, 0);

        let co = case_with(app, &f.command, entity("四川某某建设工程有限公司", 5)).await;
        let party = debtor_id(app, &co).await;
        let m = input("consumption_restriction", &party);
        let e = expect_invalid(
            app.propose_measure(&f.command, &co.id, &m, NOW_MS).await,
            "no persons",
        );
        assert_eq!((e.code, e.field.as_str()), ("persons_required", "persons"));
        let mut m = input("consumption_restriction", &party);
        let rep = zhixing_testkit::person("王五", 77).id_number.unwrap();
        m.persons = vec![zhixing_domain::measure::BoundPerson {
            role: zhixing_domain::measure::PersonRole::LegalRepresentative,
            name: "王五".into(),
            id_number: rep.clone(),
        }];
        let r = app
            .propose_measure(&f.command, &co.id, &m, NOW_MS)
            .await
            .unwrap();
        app.decide_measure(&f.president, &r.id, true, "", NOW_MS)
            .await
            .unwrap();
        // The entity and its legal representative are both on the public 限制消费 list.
        let found = app
            .public_lookup("restricted", "王五", &rep, DEFAULT_ID_MASK, NOW_MS)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert!(
            found[0].conduct.contains("法定代表人"),
            "{}",
            found[0].conduct
        );
        assert!(found[0].id_masked.contains("****"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn dishonest_listing_publication_feed_and_deletion_after_full_performance() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "p").await;
        let partner = add_user(app, "川1123", "partner", "p-bank", None).await;
        let case = case_with(app, &f.command, person("钱七", 12)).await;
        let party = debtor_id(app, &case).await;
        let id_number = person("钱七", 12).id_number.unwrap();
        let mut m = input("dishonest", &party);
        m.ground = Some(4);
        m.on_application = true;
        m.applied_on = Some("2024-09-27".into());
        m.reason = "被执行人拒不报告财产".into();
        let m = app
            .propose_measure(&f.command, &case.id, &m, NOW_MS)
            .await
            .unwrap();
        // The 15-day decision duty of SX2017 art 5 runs from the application.
        assert_eq!(
            deadline(app, &f.command, &case, "dishonest_decision_15d", NOW_MS).await,
            ("2024-10-12".into(), "pending")
        );
        // Not on the public list before approval.
        assert!(
            app.public_lookup("dishonest", "钱七", &id_number, DEFAULT_ID_MASK, NOW_MS)
                .await
                .unwrap()
                .is_empty()
        );
        let decided = app
            .decide_measure(&f.president, &m.id, true, "同意", NOW_MS)
            .await
            .unwrap();
        assert_eq!(
            decided.expires_on.as_deref(),
            Some("2026-09-27"),
            "2-year term (SX2017 art 2)"
        );
        assert_eq!(
            deadline(app, &f.command, &case, "dishonest_decision_15d", NOW_MS)
                .await
                .1,
            "done"
        );
        // XF2015 art 1: the 限制消费令 is prepared for the 院长 at once.
        let ms = app.case_measures(&f.command, &case.id).await.unwrap();
        assert!(
            ms.iter()
                .any(|v| v.measure.kind == "consumption_restriction"
                    && v.measure.status == "pending_approval")
        );
        // Published, masked, with the SX2017 art 6 fields.
        let found = app
            .public_lookup(
                "dishonest",
                " 钱七 ",
                &id_number.to_lowercase(),
                DEFAULT_ID_MASK,
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        let item = &found[0];
        assert_eq!(item.case_number, case.case_number);
        assert_eq!(item.id_masked.len(), 18);
        assert_eq!(&item.id_masked[10..14], "****");
        assert_ne!(item.id_masked, id_number);
        assert_eq!(item.conduct, "违反财产报告制度");
        // The basis names the issuing court, not its code (SX2017 art 6).
        assert!(
            item.basis
                .starts_with("犍为县人民法院 （2024）川1123民初7号"),
            "{}",
            item.basis
        );
        assert!(item.sex.is_some() && item.age.is_some());
        // By name alone: the exact count and the newest entries; one character is refused.
        let r = app
            .public_search_name("dishonest", "钱七", DEFAULT_ID_MASK, NOW_MS)
            .await
            .unwrap();
        assert_eq!((r.count, r.items.len()), (1, 1));
        assert_eq!(r.items[0].id_masked, item.id_masked);
        let e = expect_invalid(
            app.public_search_name("dishonest", "钱", DEFAULT_ID_MASK, NOW_MS)
                .await,
            "one character",
        );
        assert_eq!(e.code, "name_length");
        // A wrong name or a malformed number finds nothing / is refused.
        assert!(
            app.public_lookup("dishonest", "钱八", &id_number, DEFAULT_ID_MASK, NOW_MS)
                .await
                .unwrap()
                .is_empty()
        );
        let e = expect_invalid(
            app.public_lookup("dishonest", "钱七", "5111%", DEFAULT_ID_MASK, NOW_MS)
                .await,
            "wildcard id",
        );
        assert_eq!(e.field, "id");

        // Full performance on Monday 2024-09-30: deletion due within 3 working days; 10-01..07 are
        // the National Day holidays, so the days are 10-08, 10-09, 10-10.
        let now = at("2024-10-08");
        app.record_event(
            &f.command,
            &case.id,
            &EventInput {
                node: "payment_complete".into(),
                on: "2024-09-30".into(),
                note: "全部履行".into(),
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(
            deadline(app, &f.command, &case, "delete_dishonest_3wd", now).await,
            ("2024-10-10".into(), "pending")
        );
        // A fine is not a measure that ends on performance.
        let e = expect_invalid(
            app.end_measure(&f.command, &m.id, "served", "2024-09-30", now)
                .await,
            "wrong ground",
        );
        assert_eq!(e.code, "ground_not_applicable");
        let ended = app
            .end_measure(&f.command, &m.id, "full_performance", "2024-09-30", now)
            .await
            .unwrap();
        assert_eq!(ended.status, "deleted");
        assert_eq!(
            deadline(app, &f.command, &case, "delete_dishonest_3wd", now)
                .await
                .1,
            "done"
        );
        assert!(
            app.public_lookup("dishonest", "钱七", &id_number, DEFAULT_ID_MASK, now)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            app.public_search_name("dishonest", "钱七", DEFAULT_ID_MASK, now)
                .await
                .unwrap()
                .count,
            0
        );
        // The feed: partners only; add then delete, in order, after the settle window.
        expect_forbidden(
            app.list_changes(&f.command, "", 100, now + 10_000).await,
            "staff feed",
        );
        let ch = app
            .list_changes(&partner, "", 100, now + 10_000)
            .await
            .unwrap();
        let ops: Vec<(&str, &str)> = ch
            .iter()
            .map(|c| (c.list.as_str(), c.op.as_str()))
            .collect();
        assert_eq!(ops, vec![("dishonest", "add"), ("dishonest", "delete")]);
        assert!(ch[0].payload.contains(&id_number));
        // The cursor moves on: nothing after the last change.
        let last = ch.last().unwrap().id.clone();
        assert!(
            app.list_changes(&partner, &last, 100, now + 10_000)
                .await
                .unwrap()
                .is_empty()
        );
        // Within the settle window a fresh change is not served yet: at `now` only the old add.
        let early = app.list_changes(&partner, "", 100, now).await.unwrap();
        assert_eq!(early.len(), 1);
        assert_eq!(early[0].op, "add");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn term_expiry_and_correction_take_entries_off_the_list() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "q").await;
        let a = case_with(app, &f.command, person("孙八", 13)).await;
        let b = app
            .file_case(
                &f.command,
                &filing("川1123", 8, person("周九", 14), 2_000_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let mut ids = Vec::new();
        for case in [&a, &b] {
            let party = debtor_id(app, case).await;
            let mut m = input("dishonest", &party);
            m.ground = Some(5);
            let m = app
                .propose_measure(&f.command, &case.id, &m, NOW_MS)
                .await
                .unwrap();
            app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
                .await
                .unwrap();
            ids.push(m.id);
        }
        // Nothing expires before the term ends.
        assert_eq!(app.expire_measures(at("2026-09-26"), 100).await.unwrap(), 0);
        // Correction of b: should not have been listed.
        let (entries, _) = app.case_list_entries(&f.command, &b.id).await.unwrap();
        let entry = entries.iter().find(|e| e.list == "dishonest").unwrap();
        let c = app
            .request_correction(
                &f.command,
                &entry.id,
                "should_not_be_listed",
                "已提供担保",
                "2024-09-27",
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(c.decide_by, "2024-10-12");
        let e = expect_invalid(
            app.request_correction(&f.command, &entry.id, "because", "x", "2024-09-27", NOW_MS)
                .await,
            "bad ground",
        );
        assert_eq!(e.field, "ground");
        // Two decisions at once: one wins, the other changes nothing (409).
        let (x, y) = tokio::join!(
            app.decide_correction(&f.command, &c.id, true, NOW_MS),
            app.decide_correction(&f.command, &c.id, true, NOW_MS)
        );
        let c = match (x, y) {
            (Ok(c), Err(e)) | (Err(e), Ok(c)) => {
                assert!(
                    matches!(&e, zhixing_app::AppError::Conflict { code, .. } if *code == "already_decided"),
                    "{e:?}"
                );
                c
            }
            other => panic!("exactly one decision must win: {other:?}"),
        };
        assert_eq!(c.status, "corrected");
        let (_, mb) = app.measure(&f.command, &ids[1]).await.unwrap();
        assert_eq!(
            (mb.status.as_str(), mb.end_reason.as_deref()),
            ("deleted", Some("corrected"))
        );
        // a expires on 2026-09-27 and is deleted by the scheduler that day.
        assert_eq!(app.expire_measures(at("2026-09-27"), 100).await.unwrap(), 1);
        let (_, ma) = app.measure(&f.command, &ids[0]).await.unwrap();
        assert_eq!(ma.status, "expired");
        let (entries, _) = app.case_list_entries(&f.command, &a.id).await.unwrap();
        assert!(
            entries
                .iter()
                .all(|e| e.list != "dishonest" || e.status == "deleted")
        );
        // Run again: nothing more to do.
        assert_eq!(app.expire_measures(at("2026-09-28"), 100).await.unwrap(), 0);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn each_effective_measure_produces_its_document_with_the_names_and_amounts() {
    let t = zhixing_testkit::sqlite().await;
    let app = &t.app;
    let f = seed_court(app, "川1123", "r").await;
    let case = case_with(app, &f.command, person("吴十", 15)).await;
    let party = debtor_id(app, &case).await;
    let mut fine = input("fine", &party);
    fine.amount_fen = Some(3_000_000);
    fine.reason = "拒不履行生效判决".into();
    let m = app
        .propose_measure(&f.command, &case.id, &fine, NOW_MS)
        .await
        .unwrap();
    // No document before the approval.
    expect_conflict(
        app.measure_document(&f.command, &m.id).await,
        "unapproved document",
    );
    app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
        .await
        .unwrap();
    let d = app.measure_document(&f.command, &m.id).await.unwrap();
    assert!(d.docx.starts_with(b"PK"), "a DOCX is a zip");
    for want in [
        "罚款决定书",
        "吴十",
        "30,000.00 元",
        &case.case_number,
        &m.document_number,
        "张三",
        "乐山市中级人民法院",
    ] {
        assert!(d.text.contains(want), "missing {want} in\n{}", d.text);
    }
    // Every document kind of the domain exists as a template.
    for k in zhixing_domain::measure::MeasureKind::ALL {
        if let Some(doc) = k.document() {
            assert!(zhixing_docs::DocKind::from_str_opt(doc).is_some(), "{doc}");
        }
    }
    t.cleanup().await;
}

#[tokio::test]
async fn a_grace_period_keeps_the_entry_off_the_portal_until_its_publication_date() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "s").await;
        let case = case_with(app, &f.command, person("冯二", 17)).await;
        let party = debtor_id(app, &case).await;
        let id_number = person("冯二", 17).id_number.unwrap();
        // Loaded before the listing: the refresh after the decision keeps it current.
        app.load_public_lists(NOW_MS).await.unwrap();
        let mut m = input("dishonest", &party);
        m.ground = Some(4);
        m.grace_months = Some(1);
        let m = app
            .propose_measure(&f.command, &case.id, &m, NOW_MS)
            .await
            .unwrap();
        let m = app
            .decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(m.publish_on.as_deref(), Some("2024-10-27"));
        assert_eq!(m.expires_on.as_deref(), Some("2026-10-27"));
        let find = async |now: i64| {
            app.public_lookup("dishonest", "冯二", &id_number, DEFAULT_ID_MASK, now)
                .await
                .unwrap()
                .len()
        };
        assert_eq!(find(NOW_MS).await, 0, "not before the grace period ends");
        // Nor in the partners' feed: no partner restricts before the court publishes.
        let partner = add_user(app, "川1123", "partner", "s-feed", None).await;
        let feed = app
            .list_changes(&partner, "", 100, NOW_MS + 10_000)
            .await
            .unwrap();
        assert!(feed.iter().all(|c| c.op != "add"), "{feed:?}");
        assert_eq!(
            app.publish_due_feed(at("2024-10-26"), 100).await.unwrap(),
            0
        );
        // The scheduler's step on the day sends the feed's 'add' (once) and the portal shows it.
        app.refresh_public_lists(at("2024-10-26")).await.unwrap();
        assert_eq!(find(at("2024-10-26")).await, 0);
        assert_eq!(app.expire_measures(at("2024-10-27"), 100).await.unwrap(), 0);
        assert_eq!(find(at("2024-10-27")).await, 1);
        assert_eq!(
            app.publish_due_feed(at("2024-10-27"), 100).await.unwrap(),
            0
        );
        let feed = app
            .list_changes(&partner, "", 100, at("2024-10-27") + 10_000)
            .await
            .unwrap();
        let adds: Vec<_> = feed.iter().filter(|c| c.op == "add").collect();
        assert_eq!(adds.len(), 1, "{feed:?}");
        assert!(adds[0].payload.contains(&id_number));
        t.cleanup().await;
    }
}

/// An entry deleted inside its grace period (宽限期) was never published: the partners' feed
/// carries neither its listing nor its deletion (a 'delete' would name a debtor the court never
/// published: SX2017 art 8 publishes from the publication date), the publication date announces
/// nothing, the portal never shows it, and the feed's cursor still moves past the change it
/// does not send.
#[tokio::test]
async fn an_entry_deleted_in_its_grace_period_is_never_announced() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "g").await;
        let case = case_with(app, &f.command, person("褚三", 23)).await;
        let party = debtor_id(app, &case).await;
        let id_number = person("褚三", 23).id_number.unwrap();
        app.load_public_lists(NOW_MS).await.unwrap();
        let mut m = input("dishonest", &party);
        m.ground = Some(4);
        m.grace_months = Some(1);
        let m = app
            .propose_measure(&f.command, &case.id, &m, NOW_MS)
            .await
            .unwrap();
        let m = app
            .decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(m.publish_on.as_deref(), Some("2024-10-27"));
        app.end_measure(&f.command, &m.id, "full_performance", "2024-09-27", NOW_MS)
            .await
            .unwrap();
        let partner = add_user(app, "川1123", "partner", "g-feed", None).await;
        let names = |items: &[zhixing_store::measures::ListChangeRow]| {
            items
                .iter()
                .filter(|c| c.payload.contains(&id_number))
                .map(|c| c.op.clone())
                .collect::<Vec<_>>()
        };
        let (items, _) = app
            .list_changes_page(&partner, "", 100, NOW_MS + 10_000)
            .await
            .unwrap();
        assert_eq!(names(&items), Vec::<String>::new(), "{items:?}");
        // The change is there (the portal's own refresh reads it), one page of it moves the
        // partners' cursor on and sends nothing.
        let (page, next) = app
            .list_changes_page(&partner, "", 1, NOW_MS + 10_000)
            .await
            .unwrap();
        assert!(page.is_empty() && !next.is_empty(), "{page:?} {next}");
        let (rest, last) = app
            .list_changes_page(&partner, &next, 100, NOW_MS + 10_000)
            .await
            .unwrap();
        assert!(rest.is_empty() && last == next, "{rest:?}");
        // The publication date announces nothing and the portal shows nothing.
        assert_eq!(
            app.publish_due_feed(at("2024-10-27"), 100).await.unwrap(),
            0
        );
        app.refresh_public_lists(at("2024-10-27")).await.unwrap();
        assert_eq!(
            app.public_lookup(
                "dishonest",
                "褚三",
                &id_number,
                DEFAULT_ID_MASK,
                at("2024-10-27")
            )
            .await
            .unwrap()
            .len(),
            0
        );
        let (items, _) = app
            .list_changes_page(&partner, "", 100, at("2024-10-27") + 10_000)
            .await
            .unwrap();
        assert_eq!(names(&items), Vec::<String>::new(), "{items:?}");
        t.cleanup().await;
    }
}

/// A double submit (the same 院长 approving twice at once, two clerks recording the same
/// execution or ending): one request wins, the other is 409 and adds nothing — one list entry,
/// one feed record, one execution.
#[tokio::test]
async fn racing_decisions_on_a_measure_take_effect_once() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "u").await;
        let case = case_with(app, &f.command, person("卫七", 45)).await;
        let party = debtor_id(app, &case).await;
        let mut listing = input("dishonest", &party);
        listing.ground = Some(5);
        let m = app
            .propose_measure(&f.command, &case.id, &listing, NOW_MS)
            .await
            .unwrap();
        let (x, y) = tokio::join!(
            app.decide_measure(&f.president, &m.id, true, "", NOW_MS),
            app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
        );
        let one_wins = |x: bool, y: bool| x != y;
        assert!(one_wins(x.is_ok(), y.is_ok()), "{x:?} / {y:?}");
        for r in [&x, &y] {
            if let Err(e) = r {
                assert!(
                    matches!(e, zhixing_app::AppError::Conflict { code, .. } if *code == "already_decided"),
                    "{e:?}"
                );
            }
        }
        let (entries, _) = app.case_list_entries(&f.command, &case.id).await.unwrap();
        assert_eq!(
            entries.iter().filter(|e| e.list == "dishonest").count(),
            1,
            "{entries:?}"
        );
        let partner = add_user(app, "川1123", "partner", "u-feed", None).await;
        let adds = app
            .list_changes(&partner, "", 100, NOW_MS + 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.list == "dishonest" && c.op == "add")
            .count();
        assert_eq!(adds, 1);
        // Ending it twice at once: one 409.
        let (x, y) = tokio::join!(
            app.end_measure(&f.command, &m.id, "full_performance", "2024-09-27", NOW_MS),
            app.end_measure(&f.command, &m.id, "full_performance", "2024-09-27", NOW_MS)
        );
        assert!(one_wins(x.is_ok(), y.is_ok()), "{x:?} / {y:?}");
        t.cleanup().await;
    }
}

//! Filing validation: each broken rule is reported at the right field path with the right code, and
//! nothing is written.

use zhixing_domain::case::NewCaseInput;
use zhixing_testkit::{NOW_MS, backends, entity, filing, person, seed_court};

use crate::common::{bad_checksum, expect_invalid, snapshot};

type Mutation = fn(&mut NewCaseInput);

/// (what, how to break a valid filing, field, code)
fn table() -> Vec<(&'static str, Mutation, &'static str, &'static str)> {
    vec![
        (
            "bad ID checksum",
            |i| {
                i.debtors[0].id_number =
                    Some(bad_checksum(i.debtors[0].id_number.as_deref().unwrap()))
            },
            "debtors[0].id_number",
            "id_number_checksum",
        ),
        (
            "bad applicant ID",
            |i| {
                i.applicants[0].id_number =
                    Some(bad_checksum(i.applicants[0].id_number.as_deref().unwrap()))
            },
            "applicants[0].id_number",
            "id_number_checksum",
        ),
        (
            "short ID",
            |i| i.debtors[0].id_number = Some("51112319700101".into()),
            "debtors[0].id_number",
            "id_number_length",
        ),
        (
            "person without ID",
            |i| i.debtors[0].id_number = None,
            "debtors[0].id_number",
            "required",
        ),
        (
            "entity without credit code",
            |i| {
                i.debtors[0] = entity("某公司", 5);
                i.debtors[0].credit_code = Some("  ".into());
            },
            "debtors[0].credit_code",
            "required",
        ),
        (
            "entity without legal representative",
            |i| {
                i.debtors[0] = entity("某公司", 5);
                i.debtors[0].legal_representative = None;
            },
            "debtors[0].legal_representative",
            "required",
        ),
        (
            "bad phone",
            |i| i.debtors[0].phone = Some("12345".into()),
            "debtors[0].phone",
            "phone_format",
        ),
        (
            "bad phone of second debtor",
            |i| {
                i.debtors.push(person("王五", 77));
                i.debtors[1].phone = Some("1380013800".into());
            },
            "debtors[1].phone",
            "phone_format",
        ),
        (
            "unknown party kind",
            |i| i.debtors[0].kind = "robot".into(),
            "debtors[0].kind",
            "party_kind",
        ),
        (
            "future filed_on",
            |i| i.filed_on = "2024-09-28".into(),
            "filed_on",
            "date_in_future",
        ),
        (
            "bad filed_on",
            |i| i.filed_on = "2024/09/27".into(),
            "filed_on",
            "date_format",
        ),
        (
            "unknown type code",
            |i| i.type_code = "民初".into(),
            "type_code",
            "case_type_code",
        ),
        (
            "empty applicants",
            |i| i.applicants.clear(),
            "applicants",
            "required",
        ),
        (
            "empty debtors",
            |i| i.debtors.clear(),
            "debtors",
            "required",
        ),
        (
            "negative claim",
            |i| i.claim_fen = Some(-1),
            "claim_fen",
            "money_negative",
        ),
        (
            "missing claim",
            |i| i.claim_fen = None,
            "claim_fen",
            "required",
        ),
        (
            "bad basis number",
            |i| i.basis_document_number = "民初第456号".into(),
            "basis.document_number",
            "case_number_format",
        ),
        (
            "empty basis number",
            |i| i.basis_document_number = " ".into(),
            "basis.document_number",
            "required",
        ),
        (
            "basis after filing year",
            |i| i.basis_document_number = "（2025）川1123民初1号".into(),
            "basis.document_number",
            "basis_after_filing",
        ),
        (
            "bad basis document type",
            |i| i.basis_document_type = "起诉状".into(),
            "basis.document_type",
            "basis_document_type",
        ),
        (
            "same party on both sides",
            |i| i.debtors = i.applicants.clone(),
            "debtors[0]",
            "party_both_sides",
        ),
        (
            "debtor twice",
            |i| i.debtors.push(i.debtors[0].clone()),
            "debtors[1]",
            "party_duplicate",
        ),
        (
            "malformed basis court",
            |i| i.basis_court = "川123".into(),
            "basis.court",
            "court_code_format",
        ),
        (
            "unknown basis court",
            |i| {
                i.basis_court = "川9999".into();
                i.basis_document_number = "（2024）川9999民初1号".into();
            },
            "basis.court",
            "unknown_court",
        ),
        (
            "malformed court",
            |i| i.court = "四川".into(),
            "court",
            "court_code_format",
        ),
    ]
}

#[tokio::test]
async fn validation_errors_carry_field_and_code() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "v").await;
        let before = snapshot(t.db()).await;
        for (what, mutate, field, code) in table() {
            let mut input = filing("川1123", 456, person("李四", 1), 100_000);
            mutate(&mut input);
            let e = expect_invalid(app.file_case(&f.command, &input, NOW_MS).await, what);
            assert_eq!(
                (e.field.as_str(), e.code),
                (field, code),
                "{:?} {what}: {}",
                t.backend,
                e.message
            );
            assert!(!e.message.is_empty(), "{what}");
        }
        assert_eq!(
            snapshot(t.db()).await,
            before,
            "{:?}: a refused filing wrote rows",
            t.backend
        );
        // The unbroken filing is accepted (so each row above failed for its own reason).
        app.file_case(
            &f.command,
            &filing("川1123", 456, person("李四", 1), 100_000),
            NOW_MS,
        )
        .await
        .unwrap();
        t.cleanup().await;
    }
}

#[tokio::test]
async fn filed_on_is_bounded_by_the_date_in_china() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "v").await;
        // NOW_MS is 2024-09-27 10:00 in Beijing; 09-28 begins 14 hours later (16:00 UTC).
        let midnight = NOW_MS + 14 * 3600 * 1000;
        let mut input = filing("川1123", 1, person("李四", 1), 100);
        input.filed_on = "2024-09-28".into();
        let e = expect_invalid(
            app.file_case(&f.command, &input, midnight - 1).await,
            "23:59:59.999",
        );
        assert_eq!((e.field.as_str(), e.code), ("filed_on", "date_in_future"));
        let d = app.file_case(&f.command, &input, midnight).await.unwrap();
        assert_eq!(
            (d.case.filed_on.as_str(), d.case.created_at),
            ("2024-09-28", midnight),
            "{:?}",
            t.backend
        );
        let mut early = filing("川1123", 2, person("李四", 2), 100);
        early.filed_on = "1999-12-31".into();
        early.basis_document_number = "（1999）川1123民初2号".into();
        let e = expect_invalid(app.file_case(&f.command, &early, NOW_MS).await, "1999");
        assert_eq!((e.field.as_str(), e.code), ("filed_on", "date_too_early"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn identity_numbers_are_compared_normalised() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "v").await;
        // A debtor whose ID number ends in the check character X, typed in lower case the second time.
        let debtor = (1..2000)
            .map(|n| person("李四", n))
            .find(|p| p.id_number.as_deref().unwrap().ends_with('X'))
            .unwrap();
        let first = app
            .file_case(
                &f.command,
                &filing("川1123", 5, debtor.clone(), 100),
                NOW_MS,
            )
            .await
            .unwrap();
        assert!(
            first.debtors[0]
                .id_number
                .as_deref()
                .unwrap()
                .ends_with('X')
        );
        let mut lower = debtor.clone();
        lower.id_number = Some(format!(
            " {} ",
            debtor.id_number.as_deref().unwrap().to_lowercase()
        ));
        let (code, _, message) = crate::common::expect_conflict(
            app.file_case(&f.command, &filing("川1123", 5, lower.clone(), 100), NOW_MS)
                .await,
            "lower x",
        );
        assert_eq!(code, "duplicate_filing", "{:?}", t.backend);
        assert!(message.contains(&first.case.case_number));
        // …and search finds the case by the lower-case form too.
        let q = zhixing_app::cases::ListQuery {
            q: lower.id_number.clone(),
            ..Default::default()
        };
        let page = app.list_cases(&f.command, &q).await.unwrap();
        assert_eq!(
            page.cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            vec![first.case.id.as_str()]
        );
        // A bad court filter is an input error, not an empty answer.
        let q = zhixing_app::cases::ListQuery {
            court: Some("川11234".into()),
            ..Default::default()
        };
        let e = expect_invalid(app.list_cases(&f.command, &q).await, "court filter");
        assert_eq!(e.field, "court");
        t.cleanup().await;
    }
}

//! The demo data shows what a court's pages need: here, the 拘传 with its stored questioning and
//! the search with its 搜查笔录, both printable. The demo skips a step whose use case refuses it
//! (`if let Ok(…)`), so without this test a rule change could silently empty those pages.

use zhixing_testkit::{NOW_MS, backends};

#[tokio::test]
async fn the_demo_has_a_questioning_record_and_a_search_record_that_print() {
    for t in backends().await {
        let app = &t.app;
        // Enough cases that every demo court has the 34 open cases the measures demo walks.
        app.demo(1000, 3, NOW_MS, &|_| {}).await.unwrap();
        let mut conn = t.db().conn().await.unwrap();
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, court_code, kind FROM measures WHERE \
             (kind = 'summons' AND questioning_record IS NOT NULL) OR \
             (kind = 'search' AND search_record IS NOT NULL) ORDER BY kind, id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        let kinds: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
        assert!(
            kinds.contains(&"summons") && kinds.contains(&"search"),
            "{:?}: the demo lacks an executed 拘传 with its questioning or a search with its record: {kinds:?}",
            t.backend
        );
        for (id, court, kind) in &rows {
            let prefix = zhixing_app::demo::DEMO_COURTS
                .iter()
                .find(|c| c.0 == court)
                .map(|c| c.1)
                .unwrap();
            let mut conn = t.db().conn().await.unwrap();
            let user = zhixing_store::users::find_user_by_username(
                &mut conn,
                &format!("{prefix}_command"),
            )
            .await
            .unwrap()
            .unwrap();
            drop(conn);
            let actor = app.actor_for(&user).await.unwrap();
            let doc = if kind == "summons" {
                app.questioning_record_document(&actor, id).await.unwrap()
            } else {
                app.search_record_document(&actor, id).await.unwrap()
            };
            assert!(doc.docx.starts_with(b"PK"), "{kind}: not a DOCX (zip) file");
            let want: &[&str] = if kind == "summons" {
                &[
                    "询问笔录",
                    "询问人：张伟、李明",
                    "记录人：刘洋",
                    "问：你现在有哪些财产？",
                    "答：农业银行卡里有三千多元工资",
                    "被询问人（签名、捺印）",
                ]
            } else {
                &[
                    "搜查笔录",
                    "门市收银台抽屉内现金 8,600 元",
                    "所在社区居民委员会工作人员",
                ]
            };
            for w in want {
                assert!(
                    doc.text.contains(w),
                    "{:?} {kind} {id}: the printed record lacks {w}:\n{}",
                    t.backend,
                    doc.text
                );
            }
        }
    }
}

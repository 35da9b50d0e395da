use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use zhixing_testkit::{CourtFixture, NOW_MS, TestDb, seed_court};
use zhixing_web::{Clock, WebConfig};

/// The real router over a fresh database, with the clock pinned to NOW_MS.
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
    pub court: CourtFixture,
    /// Bearer tokens by role name: command, judge (速执一组 judge1), judge3 (精执一组), police, admin.
    pub tokens: std::collections::HashMap<&'static str, String>,
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        let court = seed_court(&db.app, "川1123", "w").await;
        let mut tokens = std::collections::HashMap::new();
        for (k, a) in [
            ("command", &court.command),
            ("judge", &court.judges[0]),
            ("judge3", &court.judges[2]),
            ("police", &court.police),
            ("admin", &court.admin),
            ("director", &court.director),
        ] {
            tokens.insert(
                k,
                db.app
                    .issue_token(&a.username, "test", NOW_MS)
                    .await
                    .unwrap(),
            );
        }
        let router = zhixing_web::router(
            db.app.clone(),
            WebConfig {
                secure_cookies: false,
                clock: Clock::Fixed(NOW_MS),
                ..Default::default()
            },
        );
        TestApp {
            db,
            router,
            court,
            tokens,
        }
    }

    pub async fn call(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, headers, body)
    }

    pub async fn json(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(s) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(s.to_owned()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let (status, _, bytes) = self.call(req).await;
        let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, v)
    }

    pub fn token(&self, who: &str) -> String {
        self.tokens[who].clone()
    }
}

/// A valid filing body; `n` varies the basis document number and debtor.
pub fn filing_body(n: u32, claim_fen: i64) -> String {
    let debtor = zhixing_testkit::person("李四", n);
    serde_json::json!({
        "court": "川1123", "type_code": "执", "filed_on": "2024-09-27",
        "basis": {"court": "川1123", "document_number": format!("（2024）川1123民初{n}号"), "document_type": "民事判决书"},
        "applicants": [{"kind": "person", "name": "张三", "id_number": zhixing_testkit::person("张三", 900_001).id_number}],
        "debtors": [{"kind": "person", "name": "李四", "id_number": debtor.id_number}],
        "claim_fen": claim_fen
    })
    .to_string()
}

/// A `SELECT … AS n` count on the test database.
pub async fn count_sql(t: &TestApp, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(t.db.db().pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

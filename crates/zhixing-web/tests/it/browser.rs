//! A real browser (Debian's chromium + chromedriver, headless) logs in, files a case through the
//! form and finds it in the list. Fails — never skips — when chromedriver is missing: the test
//! command (scripts/test.sh) installs it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use zhixing_testkit::{NOW_MS, PASSWORD, seed_court};
use zhixing_web::{Clock, WebConfig};

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening on 127.0.0.1:{port} within 10 s");
}

/// Polls until the browser's URL satisfies `ok`: a click that submits a form may return before
/// the next page has loaded, so every navigation is awaited explicitly (bounded: 20 s).
/// `ok` sees the path and the query string.
async fn wait_for_url(c: &fantoccini::Client, what: &str, ok: impl Fn(&str, &str) -> bool) {
    let mut last = None;
    for _ in 0..200 {
        if let Ok(u) = c.current_url().await {
            if ok(u.path(), u.query().unwrap_or_default()) {
                return;
            }
            last = Some(u);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("browser never reached {what} within 20 s; last URL {last:?}");
}

/// Waits (bounded: 20 s) for an element of the newly loaded page.
async fn wait_for(c: &fantoccini::Client, loc: Locator<'_>) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(loc)
        .await
        .unwrap_or_else(|e| panic!("element {loc:?} did not appear within 20 s: {e}"))
}

#[tokio::test]
async fn browser_login_file_and_find() {
    tokio::time::timeout(Duration::from_secs(180), run())
        .await
        .expect("browser test timed out after 180 s");
}

async fn run() {
    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&chromedriver).exists(),
        "{chromedriver} not found: install Debian's chromium and chromium-driver (scripts/test.sh does)"
    );

    let db = zhixing_testkit::sqlite().await;
    let fixture = seed_court(&db.app, "川1123", "b").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = zhixing_web::router(
        db.app.clone(),
        WebConfig {
            secure_cookies: false,
            clock: Clock::Fixed(NOW_MS),
            ..Default::default()
        },
    );
    let server =
        tokio::spawn(
            async move { zhixing_web::serve(listener, router, std::future::pending()).await },
        );

    let port = free_port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for_port(port).await;

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--window-size=1366,768", "--lang=zh-CN"]}),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");

    // Log in.
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("bcommand")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "the case list after login", |path, _| {
        path.ends_with("/cases")
    })
    .await;

    // File a case through the form.
    wait_for(&c, Locator::Id("nav-file"))
        .await
        .click()
        .await
        .unwrap();
    let applicant = zhixing_testkit::person("张三", 900_001).id_number.unwrap();
    let debtor = zhixing_testkit::entity("犍为县岷江建材有限公司", 4242)
        .credit_code
        .unwrap();
    for (id, v) in [
        ("claim", "15000"),
        ("basis_document_number", "（2024）川1123民初321号"),
        ("a_name", "张三"),
        ("a_ident", applicant.as_str()),
    ] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(v)
            .await
            .unwrap();
    }
    c.find(Locator::Id("d0_kind"))
        .await
        .unwrap()
        .select_by_value("entity")
        .await
        .unwrap();
    c.find(Locator::Id("d0_name"))
        .await
        .unwrap()
        .send_keys("犍为县岷江建材有限公司")
        .await
        .unwrap();
    c.find(Locator::Id("d0_ident"))
        .await
        .unwrap()
        .send_keys(&debtor)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=d0_legal_rep]"))
        .await
        .unwrap()
        .send_keys("王五")
        .await
        .unwrap();
    c.find(Locator::Id("file-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "the new case's page", |path, _| {
        path.starts_with("/cases/") && !path.ends_with("/new")
    })
    .await;
    let number = wait_for(&c, Locator::Id("case-number"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        number.contains("（2024）川1123执1号"),
        "case page shows {number:?}"
    );

    // Find it in the list.
    c.goto(&format!("{base}/cases")).await.unwrap();
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("岷江建材")
        .await
        .unwrap();
    c.find(Locator::Id("search-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "the search results", |_, query| query.contains("q=")).await;
    wait_for(&c, Locator::Css("a.case-link")).await;
    let links = c.find_all(Locator::Css("a.case-link")).await.unwrap();
    let mut texts = Vec::new();
    for l in &links {
        texts.push(l.text().await.unwrap());
    }
    assert_eq!(texts, vec!["（2024）川1123执1号".to_owned()]);

    // Keep a picture of the list for people (and the README).
    let png = c.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("case-list.png"), png).unwrap();

    // The case's process nodes and deadlines, with "why this date".
    links[0].clone().click().await.unwrap();
    wait_for(&c, Locator::Id("case-deadlines-link"))
        .await
        .click()
        .await
        .unwrap();
    let table = wait_for(&c, Locator::Id("deadlines")).await;
    let text = table.text().await.unwrap();
    assert!(
        text.contains("发出执行通知书") && text.contains("2024-09-30"),
        "{text}"
    );
    c.find(Locator::Css("details.why summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    std::fs::write(
        dir.join("case-deadlines.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // One scheduler pass, then the command center's 红黄蓝 board with its chart.
    db.app.run_once(NOW_MS).await.unwrap();
    wait_for(&c, Locator::Id("nav-board"))
        .await
        .click()
        .await
        .unwrap();
    wait_for(&c, Locator::Css("#board-chart svg")).await;
    let blue = c
        .find(Locator::Css("#kpi-blue strong"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(blue, "2", "two deadlines due on 09-30 are blue on 09-27");
    std::fs::write(dir.join("board.png"), c.screenshot().await.unwrap()).unwrap();

    // Measures: a 失信 listing proposed through the form waits for the 院长; once approved it is
    // on the public portal, masked where a person's number would be.
    let case_id: String = sqlx::query_scalar("SELECT id FROM cases ORDER BY case_number LIMIT 1")
        .fetch_one(db.db().pool())
        .await
        .unwrap();
    c.goto(&format!("{base}/cases/{case_id}/measures"))
        .await
        .unwrap();
    wait_for(&c, Locator::Id("measure-form")).await;
    c.find(Locator::Css("#measure-kind option[value=dishonest]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("select[name=ground] option[value='4']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("measure-reason"))
        .await
        .unwrap()
        .send_keys("被执行人拒不报告财产")
        .await
        .unwrap();
    c.find(Locator::Id("measure-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let table = wait_for(&c, Locator::Id("measures")).await;
    let text = table.text().await.unwrap();
    assert!(text.contains("待院长审批"), "{text}");
    let m = db
        .app
        .case_measures(&fixture.command, &case_id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.measure.kind == "dishonest")
        .unwrap();
    db.app
        .decide_measure(&fixture.president, &m.measure.id, true, "同意", NOW_MS)
        .await
        .unwrap();
    c.refresh().await.unwrap();
    let table = wait_for(&c, Locator::Id("measures")).await;
    assert!(table.text().await.unwrap().contains("已生效"));
    std::fs::write(dir.join("case-measures.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!(
        "{base}/public?list=dishonest&name={}&id={}",
        crate::api::urlencode("犍为县岷江建材有限公司"),
        debtor
    ))
    .await
    .unwrap();
    let results = wait_for(&c, Locator::Id("public-results")).await;
    assert!(
        results
            .text()
            .await
            .unwrap()
            .contains("犍为县岷江建材有限公司")
    );
    std::fs::write(dir.join("public.png"), c.screenshot().await.unwrap()).unwrap();

    c.close().await.unwrap();
    server.abort();
    db.cleanup().await;
}

//! The `zhixing` binary's command contract, run as a subprocess.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod crash;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn zhixing(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhixing"))
        .args(args)
        .env("CI", "1")
        .env_remove("ZHIXING_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn check_commands() {
    // (args, exit code, expected fields)
    let table: Vec<(Vec<&str>, i32, Value)> = vec![
        (
            vec!["check", "id", "511123199001010019"],
            0,
            serde_json::json!({"valid": true, "birth_date": "1990-01-01", "sex": "M", "region": "511123"}),
        ),
        (
            vec!["check", "id", "51112319900101002x"],
            1,
            serde_json::json!({"valid": false}),
        ),
        (
            vec!["check", "id", "511123900101001"],
            1,
            serde_json::json!({"valid": false}),
        ),
        (
            vec!["check", "uscc", "91350100M000100Y43"],
            0,
            serde_json::json!({"valid": true, "normalized": "91350100M000100Y43"}),
        ),
        (
            vec!["check", "uscc", "91350100M000100Y44"],
            1,
            serde_json::json!({"valid": false}),
        ),
        (
            vec!["check", "case-number", "(2024)川1123执1188号"],
            0,
            serde_json::json!({"valid": true, "year": 2024, "court_code": "川1123", "specialty_code": null, "type_code": "执", "serial": 1188, "normalized": "（2024）川1123执1188号"}),
        ),
        (
            vec!["check", "case-number", "〔2018〕沪73知民初1号"],
            0,
            serde_json::json!({"valid": true, "specialty_code": "知", "type_code": "民初"}),
        ),
        (
            vec!["check", "case-number", "2024川1123执1188号"],
            1,
            serde_json::json!({"valid": false}),
        ),
    ];
    for (args, code, want) in table {
        let o = zhixing(&args, None);
        assert_eq!(
            o.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let v = json_out(&o);
        for (k, w) in want.as_object().unwrap() {
            assert_eq!(&v[k], w, "{args:?} field {k}: {v}");
        }
        if code == 1 {
            assert!(
                v["error"]["code"].as_str().is_some_and(|c| !c.is_empty()),
                "{v}"
            );
            assert!(
                v["error"]["message"]
                    .as_str()
                    .is_some_and(|c| !c.is_empty()),
                "{v}"
            );
        }
    }
}

/// migrate → team add → user add → token issue on a fresh database, then demo and audit verify,
/// on SQLite and (when configured) PostgreSQL.
#[tokio::test]
async fn setup_commands_demo_and_audit_verify() {
    let dir = std::env::temp_dir().join(format!("zx-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.join("fresh.db").display())];
    let pg = zhixing_testkit::postgres().await;
    if let Some(p) = &pg {
        urls.push(p.url.clone());
    }
    for url in &urls {
        let db = url.as_str();
        let o = zhixing(&["migrate", "--db", db], None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = zhixing(
            &[
                "team",
                "add",
                "--db",
                db,
                "--court",
                "鄂2823",
                "--name",
                "速执一组",
                "--track",
                "fast",
            ],
            None,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(json_out(&o)["track"], "fast");
        let o = zhixing(
            &[
                "team",
                "add",
                "--db",
                db,
                "--court",
                "鄂2823",
                "--name",
                "速执一组",
                "--track",
                "fast",
            ],
            None,
        );
        assert!(!o.status.success(), "duplicate team must fail");
        assert!(String::from_utf8_lossy(&o.stderr).contains("team_exists"));
        let o = zhixing(
            &[
                "team", "add", "--db", db, "--court", "鄂2823", "--name", "x", "--track", "slow",
            ],
            None,
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("\"field\":\"track\""),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let add = [
            "user",
            "add",
            "--db",
            db,
            "--court",
            "鄂2823",
            "--role",
            "judge",
            "--username",
            "lc_zhang",
            "--name",
            "张三",
            "--team",
            "速执一组",
            "--password-stdin",
        ];
        let o = zhixing(&add, Some("short\n"));
        assert!(String::from_utf8_lossy(&o.stderr).contains("password_policy"));
        let o = zhixing(&add, Some("Lichuan2024\n"));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = zhixing(
            &["token", "issue", "--db", db, "--username", "lc_zhang"],
            None,
        );
        assert!(o.status.success());
        let token = String::from_utf8(o.stdout).unwrap();
        assert_eq!(token.lines().count(), 1, "only the token, on one line");
        assert_eq!(token.trim().len(), 64);
        let o = zhixing(
            &["token", "issue", "--db", db, "--username", "nobody"],
            None,
        );
        assert!(!o.status.success());

        // Demo data on the same database, then the audit chains verify.
        let o = zhixing(&["demo", "--db", db, "--cases", "300", "--seed", "7"], None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("jw_command"));
        // A second run a second later adds cases and books nothing twice (its receipts would
        // carry other arrival times under the same idempotency keys: they are skipped).
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let o = zhixing(&["demo", "--db", db, "--cases", "10", "--seed", "8"], None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = zhixing(&["audit", "verify", "--db", db], None);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        let v = json_out(&o);
        assert!(v["records"].as_u64().unwrap() > 300);
        assert_eq!(v["broken"], Value::Null);
        // The demo booked receipts in 犍为 through the bank role; the ledger agrees with itself.
        let o = zhixing(&["funds", "verify", "--db", db], None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
        assert_eq!(json_out(&o)["court"], "川1123");

        // The deadline engine from the command line: board counters consistent, a tick years
        // later fires every open deadline's red warning once, and the counters stay consistent.
        let o = zhixing(&["deadlines", "check", "--db", db], None);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        let sms = dir.join("sms.jsonl");
        let tick = [
            "deadlines",
            "tick",
            "--db",
            db,
            "--at",
            "2030-01-02T09:00:00+08:00",
            "--sms-file",
            sms.to_str().unwrap(),
        ];
        let o = zhixing(&tick, None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v = json_out(&o);
        assert!(v["fired"].as_u64().unwrap() > 0, "{v}");
        assert_eq!(json_out(&zhixing(&tick, None))["fired"], 0, "fired once");
        let o = zhixing(&["deadlines", "check", "--db", db], None);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        let o = zhixing(
            &["deadlines", "tick", "--db", db, "--at", "yesterday"],
            None,
        );
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("RFC 3339"));

        // An inspector's copy of a chain segment verifies offline; an edited copy does not.
        let seg = dir.join("segment.jsonl");
        let o = zhixing(
            &[
                "audit",
                "export",
                "--db",
                db,
                "--court",
                "川1123",
                "--from",
                "2000-01-01",
                "--to",
                "2100-12-31",
                "--out",
                seg.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = zhixing(&["audit", "verify-export", seg.to_str().unwrap()], None);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(json_out(&o)["records"].as_u64().unwrap() > 10);
        let text = std::fs::read_to_string(&seg).unwrap();
        let edited = text.replacen("演示数据生成", "篡改者", 1);
        assert_ne!(edited, text);
        std::fs::write(&seg, edited).unwrap();
        let o = zhixing(&["audit", "verify-export", seg.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(2));
        assert!(json_out(&o)["broken"]["seq"].as_i64().unwrap() >= 1);
        let o = zhixing(
            &[
                "audit",
                "export",
                "--db",
                db,
                "--court",
                "川1123",
                "--from",
                "2024-02-30",
                "--to",
                "2024-03-01",
            ],
            None,
        );
        assert!(String::from_utf8_lossy(&o.stderr).contains("\"field\":\"from\""));

        // Tamper with one record directly in SQL: verify names it and exits non-zero.
        let pool = zhixing_store::Db::connect(db).await.unwrap();
        sqlx::query(
            "UPDATE audit_log SET actor_name = '篡改' WHERE court_code = '川1123' AND seq = 5",
        )
        .execute(pool.pool())
        .await
        .unwrap();
        pool.close().await;
        let o = zhixing(&["audit", "verify", "--db", db], None);
        assert_eq!(o.status.code(), Some(2));
        let v = json_out(&o);
        assert_eq!(v["broken"]["court"], "川1123");
        assert_eq!(v["broken"]["seq"], 5);
    }
    if let Some(p) = pg {
        p.cleanup().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Special courts come from configuration; afterwards their codes work like built-in ones.
#[test]
fn special_courts_by_configuration() {
    let dir = std::env::temp_dir().join(format!("zx-cli-special-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("s.db").display());
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../zhixing-domain/data/special_courts.example.tsv"
    );
    // Unknown until configured.
    let o = zhixing(
        &[
            "team",
            "add",
            "--db",
            &db,
            "--court",
            "沪72",
            "--name",
            "速执一组",
            "--track",
            "fast",
        ],
        None,
    );
    assert!(!o.status.success());
    let o = zhixing(&["court", "add-special", "--db", &db, "--file", file], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json_out(&o)["courts"], 7);
    // Idempotent.
    let o = zhixing(&["court", "add-special", "--db", &db, "--file", file], None);
    assert!(o.status.success());
    let o = zhixing(&["court", "show", "--db", &db, "沪72"], None);
    let v = json_out(&o);
    assert_eq!(v["name"], "上海海事法院");
    assert_eq!(v["path"], "最高法/沪/沪72");
    let o = zhixing(
        &[
            "team",
            "add",
            "--db",
            &db,
            "--court",
            "沪72",
            "--name",
            "速执一组",
            "--track",
            "fast",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A malformed line is refused with its rule.
    let bad = dir.join("bad.tsv");
    std::fs::write(&bad, "沪7X\t坏法院\tintermediate\t沪\n").unwrap();
    let o = zhixing(
        &[
            "court",
            "add-special",
            "--db",
            &db,
            "--file",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads HTTP/1.1 requests on one connection (bounded: 100 requests, 10 s idle) and answers each
/// with `status`; returns the JSON bodies received.
async fn sms_gateway_conn(mut sock: tokio::net::TcpStream, status: &'static str) -> Vec<Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut got = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    for _ in 0..100 {
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            let n = match tokio::time::timeout(
                std::time::Duration::from_secs(10),
                sock.read(&mut chunk),
            )
            .await
            {
                Ok(Ok(n)) if n > 0 => n,
                _ => return got,
            };
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            let n = sock.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                return got;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        got.push(serde_json::from_slice(&buf[head_end..head_end + len]).unwrap());
        buf.drain(..head_end + len);
        let resp = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
        if sock.write_all(resp.as_bytes()).await.is_err() {
            return got;
        }
    }
    got
}

#[tokio::test]
async fn key_node_sms_go_through_an_http_gateway_once() {
    use zhixing_testkit::{NOW_MS, filing, person, seed_court};
    let t = zhixing_testkit::sqlite().await;
    let f = seed_court(&t.app, "川1123", "g").await;
    let case = t
        .app
        .file_case(
            &f.command,
            &filing("川1123", 1, person("李四", 1), 1_500_000),
            NOW_MS,
        )
        .await
        .unwrap()
        .case;
    sqlx::query("UPDATE users SET phone = '13900000001' WHERE id = $1")
        .bind(case.handler_id.clone().unwrap())
        .execute(t.db().pool())
        .await
        .unwrap();
    let url = t.url.clone();
    // First the gateway refuses (503): the message stays in the outbox; the next tick delivers it.
    for (status, want_sent, want_failed) in [("503 Service Unavailable", 0, 1), ("200 OK", 1, 0)] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (sock, _) =
                tokio::time::timeout(std::time::Duration::from_secs(30), listener.accept())
                    .await
                    .unwrap()
                    .unwrap();
            sms_gateway_conn(sock, status).await
        });
        let sms_url = format!("http://{addr}/sms");
        let out = tokio::task::spawn_blocking({
            let url = url.clone();
            move || {
                zhixing(
                    &[
                        "deadlines",
                        "tick",
                        "--db",
                        &url,
                        "--at",
                        "2024-09-27T10:00:00+08:00",
                        "--sms-url",
                        &sms_url,
                    ],
                    None,
                )
            }
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json_out(&out);
        assert_eq!(
            (v["sms_sent"].as_u64(), v["sms_failed"].as_u64()),
            (Some(want_sent), Some(want_failed)),
            "{v}"
        );
        let bodies = server.await.unwrap();
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0]["phone"], "13900000001");
        assert!(
            bodies[0]["body"]
                .as_str()
                .unwrap()
                .contains("发出执行通知书")
        );
    }
    t.cleanup().await;
}

#[test]
fn fee_prints_exactly_claim_and_fee() {
    // (claim, fee) per 诉讼费用交纳办法 art 14(1).
    for (claim, fee) in [
        (0i64, 5000i64),
        (1_000_000, 5000),
        (10_000_000, 140_000),
        (2_000_000_000, 8_740_000),
    ] {
        let o = zhixing(&["fee", "--claim-fen", &claim.to_string()], None);
        assert!(o.status.success(), "{o:?}");
        assert_eq!(
            String::from_utf8(o.stdout).unwrap(),
            format!("{{\"claim_fen\":{claim},\"fee_fen\":{fee}}}\n")
        );
    }
    let o = zhixing(&["fee", "--claim-fen", "-1"], None);
    assert!(!o.status.success());
    let o = zhixing(&["fee", "--claim-fen", "1.5"], None);
    assert!(!o.status.success());
}

#[test]
fn funds_import_verify_and_report() {
    let dir = std::env::temp_dir().join(format!("zhixing-cli-funds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("f.db").display());
    let header = "bank_reference,received_at,amount_fen,payer_name,payer_account,account_number\n";
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!("{header}R1,2024-09-27 10:00:00,100,甲,1,x\nR2,2024-09-27 10:00:00,1.5,乙,2,y\n"),
    )
    .unwrap();
    let o = zhixing(
        &[
            "funds",
            "import",
            "--db",
            &db,
            "--court",
            "川1123",
            "--file",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    let err = json_out(&o);
    assert_eq!(
        (
            err["error"]["line"].as_u64(),
            err["error"]["field"].as_str()
        ),
        (Some(3), Some("amount_fen"))
    );
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        format!("{header}R1,2024-09-27 10:00:00,100,甲,1,x\nR2,2024-09-27 11:00:00,250,乙,2,y\n"),
    )
    .unwrap();
    let o = zhixing(
        &[
            "funds",
            "import",
            "--db",
            &db,
            "--court",
            "川1123",
            "--file",
            good.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json_out(&o);
    assert_eq!(
        (
            r["lines"].as_u64(),
            r["unidentified"].as_u64(),
            r["amount_fen"].as_i64()
        ),
        (Some(2), Some(2), Some(350))
    );
    let o = zhixing(
        &[
            "funds",
            "settings",
            "--db",
            &db,
            "--court",
            "川1123",
            "--claim-days",
            "7",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json_out(&o)["claim_days"], 7);
    let o = zhixing(
        &[
            "funds",
            "settings",
            "--db",
            &db,
            "--court",
            "川1123",
            "--claim-days",
            "99",
        ],
        None,
    );
    assert!(!o.status.success());
    let o = zhixing(&["funds", "verify", "--db", &db], None);
    assert!(o.status.success());
    assert_eq!(json_out(&o)["ok"], true);
    let xlsx = dir.join("r.xlsx");
    let o = zhixing(
        &[
            "funds",
            "report",
            "--db",
            &db,
            "--today",
            "2024-10-01",
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rep = json_out(&o);
    assert_eq!(rep["court"], "川1123");
    assert_eq!(rep["unidentified"]["0_30"]["fen"], 350);
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let _ = std::fs::remove_dir_all(&dir);
}

//! Crash test: the real `zhixing serve` binary is killed with SIGKILL at random moments while a
//! client streams receipts, disbursement approvals and payment confirmations; after each restart the
//! client replays every unacknowledged callback. At the end not one fen may be lost or doubled:
//! every receipt key is booked exactly once, the bank account equals receipts minus confirmed
//! payments, and the stored balances agree with the journal. Runs on SQLite and, when
//! ZHIXING_TEST_PG is set, PostgreSQL.
//!
//! Kills per backend: `ZHIXING_CRASH_KILLS` (default 30; CI). For hundreds:
//! `ZHIXING_CRASH_KILLS=300 cargo test -p zhixing-cli --test it crash -- --nocapture`.
//! `ZHIXING_CRASH_SEED` fixes the random schedule (the seed is printed).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use zhixing_app::admin::NewUser;
use zhixing_app::funds::account_number_of;
use zhixing_testkit::{NOW_MS, PASSWORD, TestDb, backends, filing, person, seed_court};

/// xorshift64*: a small deterministic generator for the schedule.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One HTTP/1.1 request over loopback (`Connection: close`); Err on any transport failure, which
/// the caller treats as "not acknowledged".
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Result<(u16, Value), String> {
    let mut s =
        TcpStream::connect_timeout(&addr, Duration::from_millis(500)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("truncated response")?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    // Bodies here are small and sent with Content-Length (axum), so the rest is the JSON.
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn start(db_url: &str, addr: SocketAddr) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhixing"))
        .args(["serve", "--db", db_url, "--addr", &addr.to_string()])
        .env("ZHIXING_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut b = String::new();
            if s.read_to_string(&mut b).is_ok() && b.contains("200") {
                return child;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("zhixing serve did not start on {addr}");
}

struct Tokens {
    bank: String,
    command: String,
    director: String,
}

async fn prepare(t: &TestDb) -> (Tokens, Vec<(String, String)>) {
    let f = seed_court(&t.app, "川1123", "c").await;
    let sys = zhixing_app::Actor::system("川1123", "最高法/川/川11/川1123");
    t.app
        .add_user(
            &sys,
            NewUser {
                court: "川1123".into(),
                role: "bank".into(),
                username: "cbank".into(),
                name: "银行".into(),
                team: None,
                password: PASSWORD.into(),
            },
            NOW_MS,
        )
        .await
        .unwrap();
    let tokens = Tokens {
        bank: t.app.issue_token("cbank", "crash", NOW_MS).await.unwrap(),
        command: t
            .app
            .issue_token(&f.command.username, "crash", NOW_MS)
            .await
            .unwrap(),
        director: t
            .app
            .issue_token(&f.director.username, "crash", NOW_MS)
            .await
            .unwrap(),
    };
    let mut cases = Vec::new();
    for i in 0..4u32 {
        let d = t
            .app
            .file_case(
                &f.command,
                &filing("川1123", 500 + i, person("李四", i + 10), 100_000_000),
                NOW_MS,
            )
            .await
            .unwrap();
        cases.push((
            d.case.id.clone(),
            account_number_of(&d.case).unwrap().as_str().to_owned(),
        ));
    }
    (tokens, cases)
}

/// What the client has sent and what it knows was acknowledged.
#[derive(Default)]
struct Model {
    /// key → (body, acknowledged)
    receipts: BTreeMap<String, (String, bool)>,
    /// disbursement id → (amount, approved acknowledged, confirmed acknowledged)
    disbursements: BTreeMap<String, (i64, bool, bool)>,
}

/// Bring every unacknowledged callback to an acknowledged state (replays are idempotent).
fn replay(addr: SocketAddr, tk: &Tokens, m: &mut Model) -> Result<(), String> {
    for (body, acked) in m.receipts.values_mut().filter(|(_, a)| !*a) {
        let (s, v) = http(addr, "POST", "/api/v1/funds/receipts", &tk.bank, body)?;
        assert_eq!(s, 201, "replay refused: {v}");
        *acked = true;
    }
    for (id, (_, approved, confirmed)) in m.disbursements.iter_mut() {
        if !*approved {
            let (s, v) = http(
                addr,
                "POST",
                &format!("/api/v1/funds/disbursements/{id}/approve"),
                &tk.director,
                "",
            )?;
            // 409 disbursement_not_proposed: the approval committed before the kill.
            assert!(
                s == 200 || (s == 409 && v["error"]["code"] == "disbursement_not_proposed"),
                "{s} {v}"
            );
            *approved = true;
        }
        if !*confirmed {
            let body = json!({"bank_reference": format!("PAY-{id}")}).to_string();
            let (s, v) = http(
                addr,
                "POST",
                &format!("/api/v1/funds/disbursements/{id}/confirm"),
                &tk.bank,
                &body,
            )?;
            assert_eq!(s, 200, "{v}");
            *confirmed = true;
        }
    }
    Ok(())
}

/// One burst of traffic until the transport fails (the server was killed) or `n` operations ran.
fn traffic(
    addr: SocketAddr,
    tk: &Tokens,
    cases: &[(String, String)],
    m: &mut Model,
    rng: &mut Rng,
    n: u64,
) -> Result<(), String> {
    for _ in 0..n {
        if rng.below(8) == 0 {
            // Propose (command), approve (director), confirm (bank) a payment out of one case.
            let (case_id, _) = &cases[usize::try_from(rng.below(4)).unwrap()];
            let (_, f) = http(
                addr,
                "GET",
                &format!("/api/v1/cases/{case_id}/funds"),
                &tk.command,
                "",
            )?;
            let balance = f["balance_fen"].as_i64().unwrap_or(0);
            if balance <= 0 {
                continue;
            }
            let amount = balance.min(1 + i64::try_from(rng.below(50_000)).unwrap());
            let body = json!({"lines": [{"kind": "applicant", "payee_name": "张三", "payee_account": "6", "amount_fen": amount}]})
                .to_string();
            let (s, d) = http(
                addr,
                "POST",
                &format!("/api/v1/cases/{case_id}/disbursements"),
                &tk.command,
                &body,
            )?;
            assert_eq!(s, 201, "{d}");
            let id = d["id"].as_str().unwrap().to_owned();
            m.disbursements.insert(id, (amount, false, false));
            replay(addr, tk, m)?;
        } else {
            let key = format!("k{}", m.receipts.len());
            let account = if rng.below(5) == 0 {
                "unknown".to_owned()
            } else {
                cases[usize::try_from(rng.below(4)).unwrap()].1.clone()
            };
            let body = json!({
                "idempotency_key": key, "account_number": account,
                "amount_fen": 1 + rng.below(1_000_000), "payer_name": "李四", "payer_account": "6222",
                "received_at": "2024-09-27T10:00:00+08:00", "bank_reference": format!("BR-{key}"),
            })
            .to_string();
            m.receipts.insert(key.clone(), (body.clone(), false));
            let (s, v) = http(addr, "POST", "/api/v1/funds/receipts", &tk.bank, &body)?;
            assert_eq!(s, 201, "{v}");
            if let Some(r) = m.receipts.get_mut(&key) {
                r.1 = true;
            }
        }
    }
    Ok(())
}

async fn check(t: &TestDb, m: &Model) {
    let expected_in: i64 = m
        .receipts
        .values()
        .map(|(b, _)| {
            serde_json::from_str::<Value>(b).unwrap()["amount_fen"]
                .as_i64()
                .unwrap()
        })
        .sum();
    let expected_out: i64 = m.disbursements.values().map(|(a, _, _)| *a).sum();
    let pool = t.db().pool();
    let (n, sum): (i64, i64) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM fund_receipts")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        (n, sum),
        (i64::try_from(m.receipts.len()).unwrap(), expected_in),
        "{:?}: receipts lost or doubled",
        t.backend
    );
    let mut conn = t.db().conn().await.unwrap();
    let bank = zhixing_store::funds::raw_balance(
        &mut conn,
        "川1123",
        &zhixing_domain::funds::Account::BankClearing,
    )
    .await
    .unwrap();
    drop(conn);
    assert_eq!(
        bank,
        expected_in - expected_out,
        "{:?}: bank balance",
        t.backend
    );
    let problems = t.app.verify_funds("川1123").await.unwrap();
    assert!(problems.is_empty(), "{:?}: {problems:?}", t.backend);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loses_and_doubles_nothing() {
    let kills: u32 = std::env::var("ZHIXING_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("ZHIXING_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()) | 1);
    eprintln!("crash test: {kills} kills per backend, ZHIXING_CRASH_SEED={seed}");
    for t in backends().await {
        let (tk, cases) = prepare(&t).await;
        let mut rng = Rng(seed);
        let mut model = Model::default();
        let addr = free_addr();
        let started = Instant::now();
        for _ in 0..kills {
            let mut child = start(&t.url, addr);
            // Kill after a random delay while traffic flows.
            let delay = Duration::from_millis(20 + rng.below(300));
            let killed = Arc::new(AtomicBool::new(false));
            let pid = child.id();
            let flag = killed.clone();
            let killer = std::thread::spawn(move || {
                std::thread::sleep(delay);
                // SIGKILL: no shutdown handler runs.
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                flag.store(true, Ordering::SeqCst);
            });
            let r = replay(addr, &tk, &mut model)
                .and_then(|()| traffic(addr, &tk, &cases, &mut model, &mut rng, 10_000));
            killer.join().unwrap();
            assert!(killed.load(Ordering::SeqCst));
            let _ = child.wait();
            assert!(r.is_err(), "traffic outlived the server");
        }
        // Final run: replay what is left, then check.
        let mut child = start(&t.url, addr);
        replay(addr, &tk, &mut model).unwrap();
        child.kill().unwrap();
        let _ = child.wait();
        eprintln!(
            "{:?}: {kills} kills, {} receipts, {} disbursements in {:.1} s",
            t.backend,
            model.receipts.len(),
            model.disbursements.len(),
            started.elapsed().as_secs_f64()
        );
        assert!(
            model.receipts.len() > usize::try_from(kills).unwrap(),
            "too little traffic to mean anything"
        );
        check(&t, &model).await;
        t.cleanup().await;
    }
}

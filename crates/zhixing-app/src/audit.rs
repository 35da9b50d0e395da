//! Verifying the SM3 audit chains (全程留痕): any edited, removed or reordered record is found.

use zhixing_domain::audit::GENESIS;
use zhixing_store::audit;

use crate::{App, AppError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrokenRecord {
    pub court: String,
    pub seq: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub courts: usize,
    pub records: u64,
    /// The first broken record, if any.
    pub broken: Option<BrokenRecord>,
}

const PAGE: i64 = 5000;

impl App {
    /// Recompute every court's chain from the genesis hash.
    pub async fn verify_audit(&self) -> Result<VerifyReport, AppError> {
        let mut conn = self.db.conn().await?;
        let courts = audit::chained_courts(&mut conn).await?;
        let mut records = 0u64;
        for court in &courts {
            let mut expect_seq = 1i64;
            let mut prev = GENESIS.to_owned();
            loop {
                let page = audit::chain_page(&mut conn, court, expect_seq - 1, PAGE).await?;
                if page.is_empty() {
                    break;
                }
                for s in &page {
                    let broken = |reason: String| BrokenRecord {
                        court: court.clone(),
                        seq: s.record.seq,
                        reason,
                    };
                    if s.record.seq != expect_seq {
                        return Ok(VerifyReport {
                            courts: courts.len(),
                            records,
                            broken: Some(BrokenRecord {
                                court: court.clone(),
                                seq: expect_seq,
                                reason: format!(
                                    "记录缺失或顺序被改动：应为第 {expect_seq} 条，实际为第 {} 条",
                                    s.record.seq
                                ),
                            }),
                        });
                    }
                    if s.prev_hash != prev {
                        return Ok(VerifyReport {
                            courts: courts.len(),
                            records,
                            broken: Some(broken("prev_hash 与上一条记录的哈希不符".into())),
                        });
                    }
                    let h = s.record.chain_hash(&prev);
                    if h != s.hash {
                        return Ok(VerifyReport {
                            courts: courts.len(),
                            records,
                            broken: Some(broken("记录内容与其 SM3 哈希不符（被修改）".into())),
                        });
                    }
                    prev = h;
                    expect_seq += 1;
                    records += 1;
                }
            }
        }
        Ok(VerifyReport {
            courts: courts.len(),
            records,
            broken: None,
        })
    }
}

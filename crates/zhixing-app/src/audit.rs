//! Verifying the SM3 audit chains (全程留痕): any edited, removed or reordered record is found.

use chrono::NaiveDate;
use zhixing_domain::audit::{ChainedRecord, GENESIS};
use zhixing_domain::time::china_midnight_ms;
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

    /// A court's chain segment with records dated `from..=to` (China dates), for an inspector to
    /// verify offline: the records with their hashes, the hash before the first record and the
    /// head hash after the last. The segment runs over consecutive sequence numbers from the first
    /// to the last record in the period, so nothing inside it can be left out.
    pub async fn export_audit(
        &self,
        court: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<AuditSegment, AppError> {
        if to < from {
            return Err(AppError::invalid(
                "date_range",
                "to",
                format!("止日 {to} 早于起日 {from}"),
            ));
        }
        let from_ms = china_midnight_ms(from);
        let to_ms = to.succ_opt().map_or(i64::MAX, china_midnight_ms);
        let mut conn = self.db.conn().await?;
        let Some((first, last)) = audit::seq_range(&mut conn, court, from_ms, to_ms).await? else {
            return Ok(AuditSegment {
                court: court.to_owned(),
                first_prev: String::new(),
                head_hash: String::new(),
                records: Vec::new(),
            });
        };
        let mut records = Vec::new();
        let mut after = first.saturating_sub(1);
        while after < last {
            let page = audit::chain_page(&mut conn, court, after, PAGE.min(last - after)).await?;
            let Some(end) = page.last().map(|s| s.record.seq) else {
                break;
            };
            records.extend(page.into_iter().map(|s| ChainedRecord {
                record: s.record,
                prev_hash: s.prev_hash,
                hash: s.hash,
            }));
            after = end;
        }
        Ok(AuditSegment {
            court: court.to_owned(),
            first_prev: records
                .first()
                .map(|r| r.prev_hash.clone())
                .unwrap_or_default(),
            head_hash: records.last().map(|r| r.hash.clone()).unwrap_or_default(),
            records,
        })
    }
}

/// An exported chain segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSegment {
    pub court: String,
    /// `prev_hash` of the first record (the genesis hash when the segment starts the chain).
    pub first_prev: String,
    /// Hash of the last record: publish it separately (a signed letter, the court's gazette) so a
    /// truncated or altered file is detected.
    pub head_hash: String,
    pub records: Vec<ChainedRecord>,
}

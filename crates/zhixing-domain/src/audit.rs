//! 全程留痕: the audit record and its SM3 hash chain.
//!
//! Each court has one chain. `hash_n = SM3(hash_{n-1} ‖ canonical(record_n))` where the canonical
//! encoding is fixed-order and length-prefixed (never ad-hoc JSON, whose key order and escaping vary).
//! SM3 is GB/T 32905-2016, the hash Chinese government systems must use (GM/T 0054 等保/密评).
//! The genesis `prev_hash` of every chain is 64 zeros.

use sm3::{Digest, Sm3};

/// `prev_hash` of the first record of a court's chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record, as hashed. `before`/`after` are JSON texts of the changed values (or None).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditRecord {
    pub court_code: String,
    pub seq: i64,
    pub at_ms: i64,
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub case_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

fn put(buf: &mut Vec<u8>, field: Option<&str>) {
    match field {
        // u64 length prefix, then the UTF-8 bytes; absent fields are a distinct marker.
        Some(s) => {
            buf.push(1);
            buf.extend_from_slice(&u64::try_from(s.len()).unwrap_or(u64::MAX).to_be_bytes());
            buf.extend_from_slice(s.as_bytes());
        }
        None => buf.push(0),
    }
}

impl AuditRecord {
    /// Fixed-order, length-prefixed encoding of every field.
    pub fn canonical(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(256);
        b.extend_from_slice(b"zhixing-audit-v1");
        put(&mut b, Some(&self.court_code));
        b.extend_from_slice(&self.seq.to_be_bytes());
        b.extend_from_slice(&self.at_ms.to_be_bytes());
        put(&mut b, Some(&self.actor_id));
        put(&mut b, Some(&self.actor_name));
        put(&mut b, Some(&self.action));
        put(&mut b, Some(&self.target_kind));
        put(&mut b, Some(&self.target_id));
        put(&mut b, self.case_id.as_deref());
        put(&mut b, self.before.as_deref());
        put(&mut b, self.after.as_deref());
        b
    }

    /// The chained hash (lower-case hex) of this record after `prev_hash`.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sm3::new();
        h.update(prev_hash.as_bytes());
        h.update(self.canonical());
        hex::encode(h.finalize())
    }
}

/// One line of an exported chain segment: the record with its chain hashes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainedRecord {
    #[serde(flatten)]
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// Where a chain segment breaks: the record's `seq` and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentBreak {
    pub seq: i64,
    pub reason: String,
}

/// Verify an exported chain segment offline: consecutive `seq`, each `prev_hash` equal to the
/// previous record's `hash` (the first to `first_prev`), each `hash` recomputed, all one court, and
/// the last hash equal to the published `head_hash`.
pub fn verify_segment(
    records: &[ChainedRecord],
    first_prev: &str,
    head_hash: &str,
) -> Result<(), SegmentBreak> {
    let mut prev = first_prev.to_owned();
    let mut expect_seq: Option<i64> = None;
    let court = records.first().map(|r| r.record.court_code.clone());
    for r in records {
        let seq = r.record.seq;
        let brk = |reason: &str| SegmentBreak {
            seq,
            reason: reason.to_owned(),
        };
        if Some(&r.record.court_code) != court.as_ref() {
            return Err(brk("记录不属于同一法院的链"));
        }
        if let Some(e) = expect_seq
            && seq != e
        {
            return Err(SegmentBreak {
                seq: e,
                reason: format!("记录缺失或顺序被改动：应为第 {e} 条，实际为第 {seq} 条"),
            });
        }
        if r.prev_hash != prev {
            return Err(brk("prev_hash 与上一条记录的哈希不符"));
        }
        if r.record.chain_hash(&prev) != r.hash {
            return Err(brk("记录内容与其 SM3 哈希不符（内容被改动）"));
        }
        prev = r.hash.clone();
        expect_seq = Some(seq.saturating_add(1));
    }
    if prev != head_hash {
        return Err(SegmentBreak {
            seq: expect_seq.unwrap_or(0),
            reason: "链段末条哈希与公布的链头哈希不符（记录被截去或追加）".into(),
        });
    }
    Ok(())
}

/// SM3 of arbitrary bytes, lower-case hex (token hashes, evidence digests).
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// HMAC-SM3 (RFC 2104 over GB/T 32905) of `msg` under `key`, hex. Signs the partner feed.
pub fn hmac_sm3_hex(key: &[u8], msg: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    match <hmac::Hmac<Sm3> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(msg);
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm is unreachable in practice.
        Err(_) => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {

    #[test]
    fn hmac_sm3_matches_the_rfc_2104_construction() {
        let key = b"partner-key";
        let msg = "失信名单变更".as_bytes();
        let mut k = [0u8; 64];
        k[..key.len()].copy_from_slice(key);
        let inner: Vec<u8> = k
            .iter()
            .map(|b| b ^ 0x36)
            .chain(msg.iter().copied())
            .collect();
        let inner_hash = hex::decode(sm3_hex(&inner)).unwrap();
        let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).chain(inner_hash).collect();
        assert_eq!(hmac_sm3_hex(key, msg), sm3_hex(&outer));
        assert_ne!(hmac_sm3_hex(b"other", msg), hmac_sm3_hex(key, msg));
    }

    use super::*;

    #[test]
    fn sm3_standard_vector() {
        // GB/T 32905-2016 Appendix A, example 1.
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn chain_changes_when_any_field_changes() {
        let r = AuditRecord {
            court_code: "川1123".into(),
            seq: 1,
            at_ms: 1,
            actor_id: "u".into(),
            actor_name: "张三".into(),
            action: "case.file".into(),
            target_kind: "case".into(),
            target_id: "c1".into(),
            case_id: Some("c1".into()),
            before: None,
            after: Some("{}".into()),
        };
        let h = r.chain_hash(GENESIS);
        let mut r2 = r.clone();
        r2.after = None;
        assert_ne!(h, r2.chain_hash(GENESIS));
        let mut r3 = r.clone();
        r3.case_id = None; // None vs Some("c1") must differ even though both lengths would be small
        assert_ne!(h, r3.chain_hash(GENESIS));
        assert_ne!(h, r.chain_hash(&h));
        // field boundaries are unambiguous: moving a character between fields changes the hash
        let mut a = r.clone();
        a.actor_id = "uX".into();
        a.actor_name = "张三".into();
        let mut b = r.clone();
        b.actor_id = "u".into();
        b.actor_name = "X张三".into();
        assert_ne!(a.chain_hash(GENESIS), b.chain_hash(GENESIS));
    }

    fn segment(n: i64) -> Vec<ChainedRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let record = AuditRecord {
                    court_code: "川1123".into(),
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor_id: "u".into(),
                    actor_name: "甲".into(),
                    action: "case.event".into(),
                    target_kind: "case".into(),
                    target_id: format!("c{seq}"),
                    case_id: Some(format!("c{seq}")),
                    before: None,
                    after: Some("{}".into()),
                };
                let hash = record.chain_hash(&prev);
                let r = ChainedRecord {
                    record,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                r
            })
            .collect()
    }

    #[test]
    fn segment_verification_detects_each_kind_of_tampering() {
        let seg = segment(5);
        let head = seg[4].hash.clone();
        assert_eq!(verify_segment(&seg, GENESIS, &head), Ok(()));
        // A later sub-segment verifies from its own first prev_hash.
        assert_eq!(verify_segment(&seg[2..], &seg[1].hash, &head), Ok(()));
        // Edited content.
        let mut edited = seg.clone();
        edited[2].record.after = Some("{\"x\":1}".into());
        assert_eq!(verify_segment(&edited, GENESIS, &head).unwrap_err().seq, 3);
        // Removed record.
        let mut removed = seg.clone();
        removed.remove(1);
        assert_eq!(verify_segment(&removed, GENESIS, &head).unwrap_err().seq, 2);
        // Reordered.
        let mut swapped = seg.clone();
        swapped.swap(1, 2);
        assert!(verify_segment(&swapped, GENESIS, &head).is_err());
        // Truncated at the end: the head no longer matches.
        assert!(verify_segment(&seg[..4], GENESIS, &head).is_err());
        // JSON round trip keeps every field (the export format).
        let line = serde_json::to_string(&seg[0]).unwrap();
        let back: ChainedRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(back, seg[0]);
    }
}

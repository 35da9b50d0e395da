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
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// SM3 of arbitrary bytes, lower-case hex (token hashes, evidence digests).
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
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
}

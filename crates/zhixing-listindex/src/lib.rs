//! zhixing-listindex: an in-memory index of the public enforcement lists (失信被执行人名单, 限制消费,
//! 终本), for the public lookup `GET /api/v1/public/dishonest?name=…&id=…`.
//!
//! Pure: no I/O, no async, no SQL, no HTTP. The caller keeps the full records in its own `Vec` and
//! gives each row its index as [`DocId`]; the index answers with `DocId`s.
//!
//! Layout (memory at 10 M entries is measured in `bench/RESULTS.md` §7):
//! - **Records** are a dense `Vec` indexed by `DocId` (so memory follows the largest `DocId`; the
//!   caller's ids are indexes into its own `Vec`, hence dense). Names and keys live in one text
//!   arena, not one allocation each.
//! - **By key** (ID number / credit code, normalised by [`normalize_key`]): an open-addressing
//!   table of 32-byte slots (tag of the key's hash + doc, the key itself in 20 bytes when it is
//!   at most 20 characters of 0-9 A-Z, as every ID number and credit code is — case folded
//!   bytes from 16 characters on, 6 bits per character below — and the entry's `listed_on`),
//!   at most 3/4 full, so a lookup is one probe of the table and
//!   several hits are ordered without reading their records. Keys that do not pack are compared with their text, so hash collisions can
//!   never leak. One control byte per slot (empty, or 7 bits of the tag) lets a probe skip
//!   slots that cannot match, so a miss reads only the control bytes (16 MiB at 10 M entries,
//!   cache-sized) and never the slots; [`ListIndex::by_keys_with`] pipelines a batch of
//!   lookups with prefetches so that their DRAM misses overlap.
//! - **By name**: for every distinct character bigram and trigram of a name, a posting list of
//!   `(listed_on, doc)` packed in a `u64` with a `u64` mask of the character positions where the
//!   gram starts in that name, kept sorted newest first in chunks of at most [`CHUNK_MAX`] (so
//!   an insert moves at most a few KiB, whatever the list's length). A 2- or 3-character query is
//!   one list: its count is the list's length and its newest hits are the list's first elements.
//!   A longer query is covered by trigrams at offsets 0, 3, 6, … and n − 3; their lists are
//!   intersected (the smallest drives, the others are galloped) and each candidate's masks,
//!   shifted by the trigrams' offsets, must share a start position: an exact substring test
//!   without touching the name (names longer than 63 characters fall back to the text). Counts
//!   are exact, and because every list is in answer order the first hits are the newest.
//!
//! Removal is real (records, key chain and postings), so a lookup can never return a removed doc.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The caller's handle for a row: the index into the caller's own `Vec` of full records.
pub type DocId = u32;

/// One row of a list, as indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub doc: DocId,
    /// 被执行人姓名/名称. Stored trimmed.
    pub name: String,
    /// 身份证号码/组织机构代码/统一社会信用代码. Stored as [`normalize_key`] gives it; an empty key is not
    /// indexed by key.
    pub key: String,
    /// Publication date (发布时间), days since 1970-01-01.
    pub listed_on: i32,
}

/// The answer of [`ListIndex::by_name`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameHits {
    /// Exact number of live entries whose name contains the query.
    pub count: usize,
    /// At most `limit` of them, newest first: `listed_on` descending, then `doc` descending.
    pub newest: Vec<DocId>,
}

/// Shortest and longest name query in characters; others match nothing.
pub const MIN_QUERY_CHARS: usize = 2;
pub const MAX_QUERY_CHARS: usize = 50;

/// How many keys ahead [`ListIndex::by_keys_with`] prefetches.
pub const BATCH_AHEAD: usize = 16;

/// Whether [`ListIndex::by_keys_with`] reads the control bytes before prefetching slots.
const BATCH_TWO_STAGE: bool = true;

/// Posting chunks are split when they grow past this many elements.
pub const CHUNK_MAX: usize = 512;

/// Trim and upper-case ASCII letters ('x' == 'X' in an ID number's check character).
pub fn normalize_key(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

// ---------------------------------------------------------------------------------------------
// Hashing: the maps' keys are already well mixed u64 values.

/// splitmix64's finaliser: a bijective mix of all 64 bits.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64-bit hash of a key's bytes (FNV-1a, then mixed).
fn hash_bytes(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// The hash of [`normalize_key`]`(s)` for an already trimmed `s`, without building the string.
fn hash_key(trimmed: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in trimmed.as_bytes() {
        h = (h ^ u64::from(x.to_ascii_uppercase())).wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// Hasher for u64 map keys: one mix, no per-byte work.
#[derive(Default)]
struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(bytes) ^ self.0.rotate_left(5);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = mix64(n ^ self.0);
    }
}

type U64Map<V> = HashMap<u64, V, BuildHasherDefault<U64Hasher>>;

// ---------------------------------------------------------------------------------------------
// Posting keys: (listed_on, doc) in one u64 whose numeric order is the answer order.

fn posting(listed_on: i32, doc: DocId) -> u64 {
    // Flip the sign bit so that i32 order becomes u32 order.
    let day = listed_on.cast_unsigned() ^ 0x8000_0000;
    (u64::from(day) << 32) | u64::from(doc)
}

fn posting_doc(p: u64) -> DocId {
    let b = p.to_be_bytes();
    u32::from_be_bytes([b[4], b[5], b[6], b[7]])
}

/// A bigram or trigram as one u64: 21 bits per scalar value (all of Unicode), bit 63 set for a
/// bigram so that the two kinds never collide.
fn gram(chars: &[char]) -> u64 {
    let packed = chars
        .iter()
        .fold(0u64, |acc, &c| (acc << 21) | u64::from(u32::from(c)));
    if chars.len() == 2 {
        packed | 1 << 63
    } else {
        packed
    }
}

/// Bit of a position mask meaning "an occurrence at position >= 63" (not exact: verify by text).
const OVERFLOW: u64 = 1 << 63;

/// Distinct bigrams and trigrams of a string, each with the mask of the character positions
/// where it starts (bit p for p < 63, else [`OVERFLOW`]).
fn grams(s: &str) -> Vec<(u64, u64)> {
    let chars: Vec<char> = s.chars().collect();
    let bit =
        |p: usize| u32::try_from(p).map_or(OVERFLOW, |p| if p < 63 { 1u64 << p } else { OVERFLOW });
    let mut g: Vec<(u64, u64)> = chars
        .windows(2)
        .enumerate()
        .map(|(p, w)| (gram(w), bit(p)))
        .chain(chars.windows(3).enumerate().map(|(p, w)| (gram(w), bit(p))))
        .collect();
    g.sort_unstable_by_key(|&(k, _)| k);
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(g.len());
    for (k, m) in g {
        match out.last_mut() {
            Some(last) if last.0 == k => last.1 |= m,
            _ => out.push((k, m)),
        }
    }
    out
}

/// One posting list: `(posting, position mask)` in descending posting order, split into chunks
/// (each descending, each chunk's elements above the next chunk's), none empty.
#[derive(Debug, Default, Clone)]
struct Postings {
    chunks: Vec<Vec<(u64, u64)>>,
    len: usize,
}

impl Postings {
    /// The chunk that holds (or would hold) `k`.
    fn chunk_for(&self, k: u64) -> usize {
        // First chunk whose smallest element is <= k; past the end, the last chunk.
        let i = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|m| m.0 > k));
        i.min(self.chunks.len().saturating_sub(1))
    }

    fn insert(&mut self, k: u64, mask: u64) -> bool {
        if self.chunks.is_empty() {
            self.chunks.push(vec![(k, mask)]);
            self.len = 1;
            return true;
        }
        let ci = self.chunk_for(k);
        let Some(chunk) = self.chunks.get_mut(ci) else {
            return false;
        };
        let pos = chunk.partition_point(|x| x.0 > k);
        if chunk.get(pos).is_some_and(|x| x.0 == k) {
            return false;
        }
        chunk.insert(pos, (k, mask));
        self.len += 1;
        if chunk.len() > CHUNK_MAX {
            let tail = chunk.split_off(chunk.len() / 2);
            self.chunks.insert(ci + 1, tail);
        }
        true
    }

    fn remove(&mut self, k: u64) -> bool {
        if self.chunks.is_empty() {
            return false;
        }
        let ci = self.chunk_for(k);
        let Some(chunk) = self.chunks.get_mut(ci) else {
            return false;
        };
        let pos = chunk.partition_point(|x| x.0 > k);
        if chunk.get(pos).is_none_or(|x| x.0 != k) {
            return false;
        }
        chunk.remove(pos);
        self.len -= 1;
        if chunk.is_empty() {
            self.chunks.remove(ci);
        }
        true
    }

    fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.chunks.iter().flatten().copied()
    }

    fn shrink_to_fit(&mut self) {
        for c in &mut self.chunks {
            c.shrink_to_fit();
        }
        self.chunks.shrink_to_fit();
    }
}

/// A forward-only search position in a descending [`Postings`].
struct Cursor<'a> {
    p: &'a Postings,
    ci: usize,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(p: &'a Postings) -> Self {
        Cursor { p, ci: 0, i: 0 }
    }

    /// The position mask of `k` if `k` is in the list. Keys must be asked in descending order.
    fn seek(&mut self, k: u64) -> Option<u64> {
        let chunks = &self.p.chunks;
        // Skip whole chunks whose smallest element is still above k.
        if chunks
            .get(self.ci)
            .and_then(|c| c.last())
            .is_some_and(|m| m.0 > k)
        {
            let rest = chunks.get(self.ci + 1..).unwrap_or(&[]);
            self.ci += 1 + rest.partition_point(|c| c.last().is_some_and(|m| m.0 > k));
            self.i = 0;
        }
        let chunk = chunks.get(self.ci)?;
        // Gallop from the current position, then binary search the bracket.
        let rest = chunk.get(self.i..).unwrap_or(&[]);
        let mut step = 1;
        while rest.get(step - 1).is_some_and(|x| x.0 > k) {
            step *= 2;
        }
        let lo = step / 2;
        let hi = step.min(rest.len());
        let within = rest.get(lo..hi).unwrap_or(&[]);
        self.i += lo + within.partition_point(|x| x.0 > k);
        chunk.get(self.i).filter(|x| x.0 == k).map(|x| x.1)
    }
}

// ---------------------------------------------------------------------------------------------

/// Longest key that packs into a slot.
const PACK_MAX: usize = 20;

/// Digit of a key byte for [`pack_key`]: '0'..='9' → 1..=10, 'A'..='Z' and 'a'..='z' → 11..=36
/// (a key is normalised on the fly), any other byte 0. (`as` because `From` is not usable in a
/// const; every value is below 256.)
#[allow(clippy::as_conversions)]
const KEY_DIGIT: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 10 {
        t[b'0' as usize + c] = 1 + c as u8;
        c += 1;
    }
    c = 0;
    while c < 26 {
        t[b'A' as usize + c] = 11 + c as u8;
        t[b'a' as usize + c] = 11 + c as u8;
        c += 1;
    }
    t
};

/// A key as a slot stores it, decided by equality alone: `v == 0` when the key does not pack
/// (its text decides). Two forms, which can never be equal to each other (see [`pack_key`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct KeyCode {
    v: u128,
    head: u32,
}

impl KeyCode {
    fn is_packed(self) -> bool {
        self.v != 0
    }
}

/// The code of a normalised key of 1..=[`PACK_MAX`] characters from 0-9 A-Z (every ID number
/// and credit code; lower-case ASCII as upper-case), `v == 0` for any other key:
/// - 16..=20 characters (every ID number and credit code): the last 16 bytes as they are with
///   bit 5 cleared (`v`, so 'x' is 'X'), the first 0–4 likewise (`head`, zero-extended). This
///   is a byte compare, not a packing, so a lookup spends ~25 instructions on it in SSE2
///   registers instead of ~75 ([`wide20`]; bench/RESULTS.md §7, sixth and seventh sessions).
///   Folding is one-to-one on the 62 key characters, and every folded byte is 0x10 or more;
/// - 1..=15 characters: 6 bits per character with digits 1..=36, i.e. base 64 with no zero
///   digit, at most 90 bits, so never equal to a 16-byte form (whose top byte is 0x10 or more).
///
/// Distinct keys give distinct codes.
#[inline]
fn pack_key(trimmed: &str) -> KeyCode {
    let b = trimmed.as_bytes();
    let n = b.len();
    if n > PACK_MAX || n == 0 {
        return KeyCode::default();
    }
    if n >= GROUP {
        return wide20(b).unwrap_or_default();
    }
    KeyCode {
        v: pack_key_scalar(b),
        head: 0,
    }
}

/// The 16..=20-byte form of [`pack_key`], if every byte of `b` is a key character (0-9 A-Z
/// a-z): the last 16 bytes with bit 5 cleared as a little-endian u128 (first byte lowest), and
/// the first `len − 16` likewise as a little-endian u32 padded with zero bytes. SSE2 through
/// `safe_arch` (baseline on x86-64): the first and the last 16 bytes are loaded (they overlap
/// unless the key has 32 bytes), checked and folded together, so no byte is handled alone.
#[cfg(target_arch = "x86_64")]
#[inline]
fn wide20(b: &[u8]) -> Option<KeyCode> {
    use safe_arch::{
        add_i8_m128i, bitand_m128i, bitor_m128i, cmp_lt_mask_i8_m128i, load_unaligned_m128i,
        move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let n = b.len();
    let keep = HEAD_KEEP.get(n.checked_sub(GROUP)?)?;
    let first: &[u8; GROUP] = b.get(..GROUP)?.try_into().ok()?;
    let last: &[u8; GROUP] = b.get(n - GROUP..)?.try_into().ok()?;
    let splat = |x: u8| set_splat_i8_m128i(i8::from_ne_bytes([x]));
    // `lo <= x < lo + len` for every byte as one signed compare: `x − lo + 0x80` is below
    // `0x80 + len` (as a signed byte) exactly then; everything else wraps to a larger value.
    let within = |x, lo: u8, len: u8| {
        cmp_lt_mask_i8_m128i(
            add_i8_m128i(x, splat(0x80u8.wrapping_sub(lo))),
            splat(0x80 + len),
        )
    };
    // A byte is a key character if it is a digit or, with bit 5 cleared, an upper-case letter
    // (clearing bit 5 makes a letter of nothing else). The folded bytes are the code.
    let check = |v| {
        let folded = bitand_m128i(v, splat(0xDF));
        (
            folded,
            bitor_m128i(within(v, b'0', 10), within(folded, b'A', 26)),
        )
    };
    let (f, f_ok) = check(load_unaligned_m128i(first));
    let (l, l_ok) = check(load_unaligned_m128i(last));
    if move_mask_i8_m128i(bitand_m128i(f_ok, l_ok)) != 0xFFFF {
        return None;
    }
    let [lo, hi]: [u64; 2] = l.into();
    let [head, _]: [u64; 2] = f.into();
    Some(KeyCode {
        v: (u128::from(hi) << 64) | u128::from(lo),
        head: u32::try_from(head & keep).ok()?,
    })
}

/// For a key of `16 + i` bytes, the mask of its first `i` bytes in a little-endian word.
const HEAD_KEEP: [u64; PACK_MAX - GROUP + 1] = [0, 0xFF, 0xFFFF, 0xFF_FFFF, 0xFFFF_FFFF];

/// [`wide20`] a byte at a time (other targets, and the reference it is tested against).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn wide20_scalar(b: &[u8]) -> Option<KeyCode> {
    let n = b.len();
    if !(GROUP..=PACK_MAX).contains(&n) {
        return None;
    }
    let mut folded = [0u8; PACK_MAX];
    for (o, &c) in folded.iter_mut().zip(b) {
        if KEY_DIGIT[usize::from(c)] == 0 {
            return None;
        }
        *o = c & 0xDF;
    }
    let (head_bytes, tail) = folded.get(..n)?.split_at(n - GROUP);
    let mut head = [0u8; 4];
    head.get_mut(..head_bytes.len())?
        .copy_from_slice(head_bytes);
    Some(KeyCode {
        v: u128::from_le_bytes(tail.try_into().ok()?),
        head: u32::from_le_bytes(head),
    })
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn wide20(b: &[u8]) -> Option<KeyCode> {
    wide20_scalar(b)
}

/// The 6-bit form of [`pack_key`] (keys of 1..=[`PACK_MAX`] bytes; `pack_key` uses it below
/// 16). The two halves are independent shift-or chains.
#[inline]
fn pack_key_scalar(b: &[u8]) -> u128 {
    if b.is_empty() || b.len() > PACK_MAX {
        return 0;
    }
    let (head, tail) = b.split_at(b.len().saturating_sub(PACK_MAX / 2));
    let (hi, hi_ok) = pack6(head);
    let (lo, lo_ok) = pack6(tail);
    if !(hi_ok && lo_ok) {
        return 0;
    }
    (u128::from(hi) << (6 * tail.len())) | u128::from(lo)
}

/// 6-bit digits of at most 10 key bytes, and whether every byte was a key character.
#[inline]
fn pack6(b: &[u8]) -> (u64, bool) {
    b.iter().fold((0u64, true), |(v, ok), &c| {
        let d = KEY_DIGIT[usize::from(c)];
        ((v << 6) | u64::from(d), ok & (d != 0))
    })
}

/// `s.trim()`, skipping the Unicode scan when both ends are visible ASCII (every well-formed
/// key and nearly every query).
#[inline]
fn trim_fast(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Clears bit 5 of every byte: 'a'..='z' hash as 'A'..='Z', and digits stay distinct.
const FOLD: u64 = 0xDFDF_DFDF_DFDF_DFDF;

/// The high and low halves of a 64 × 64-bit product, xored (one `mul`): a cheap mixer whose
/// every output bit depends on every input bit of both factors.
#[inline]
fn mum(a: u64, b: u64) -> u64 {
    let m = u128::from(a) * u128::from(b);
    u64::try_from(m >> 64).unwrap_or(0) ^ u64::try_from(m & u128::from(u64::MAX)).unwrap_or(0)
}

/// The table hash of a key of 16..=[`PACK_MAX`] bytes (every ID number and credit code),
/// from its raw bytes with ASCII case folded: the first 4 and the last 16 bytes (overlapping
/// when the key is shorter than 20, which is still a function of the key) and its length.
/// It needs no packing, so a lookup starts its memory accesses after ~20 instructions and
/// packs the key for the comparison while they are in flight; the earlier the access in a
/// lookup's instructions, the more lookups the CPU overlaps (bench/RESULTS.md §7, sixth
/// session). `None` for other lengths.
#[inline]
fn hash16(b: &[u8]) -> Option<u64> {
    let n = b.len();
    if !(GROUP..=PACK_MAX).contains(&n) {
        return None;
    }
    let word = |at: usize| {
        b.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    let first = b
        .get(..4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map(u32::from_le_bytes)?;
    let a = word(n - GROUP)? & FOLD;
    let c = word(n - 8)? & FOLD;
    let head = (u64::from(first) & FOLD) << 8 | u64::try_from(n).unwrap_or(0);
    let x = mum(a ^ 0x2d35_8dcc_aa6c_78a5, c ^ 0x8bb8_4b93_962e_acc9);
    Some(mum(x ^ head, 0x4b33_a62e_d433_d4a3))
}

/// The table hash and the packed key of a trimmed key. A key of 16–20 bytes that packs is
/// hashed by [`hash16`]; another key that packs from its packed value (two multiplications)
/// instead of byte by byte; any other key by its bytes. Insertion, removal and every lookup
/// use this, so the three agree.
#[inline]
fn key_hash(trimmed: &str) -> (u64, KeyCode) {
    let code = pack_key(trimmed);
    if !code.is_packed() {
        return (hash_key(trimmed), code);
    }
    if let Some(h) = hash16(trimmed.as_bytes()) {
        return (h, code);
    }
    let lo = u64::try_from(code.v & u128::from(u64::MAX)).unwrap_or(0);
    let hi = u64::try_from(code.v >> 64).unwrap_or(0);
    (mix64(lo ^ hi.wrapping_mul(0x9e37_79b9_7f4a_7c15)), code)
}

/// One slot of the key table: `head` = occupied bit | 31-bit tag of the key hash | doc, the
/// packed key (0 when the key does not pack) and the entry's `listed_on`, so most lookups are
/// decided and ordered inside the slot (reading each hit's record to order a relisted debtor's
/// entries cost a DRAM miss per hit, the largest cost left in a bulk check: bench/RESULTS.md §7).
/// Stored as [`SLOT_BYTES`] little-endian bytes ([`Slot::read`], [`Slot::to_bytes`]), so a
/// slot never straddles two cache lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Slot {
    head: u64,
    /// [`KeyCode::v`].
    key: u128,
    listed_on: i32,
    /// [`KeyCode::head`].
    key_head: u32,
}

/// Bytes of a stored slot: `head` (0..8), `key` (8..24), `listed_on` (24..28), `key_head`
/// (28..32).
const SLOT_BYTES: usize = 32;

/// `N` bytes of `b` from `at` (constant offsets into a fixed array: one load, no check left
/// after inlining).
#[inline(always)]
fn field<const N: usize>(b: &[u8; SLOT_BYTES], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = b.get(at..at + N) {
        out.copy_from_slice(src);
    }
    out
}

impl Slot {
    #[inline(always)]
    fn read(b: &[u8; SLOT_BYTES]) -> Slot {
        Slot {
            head: u64::from_le_bytes(field(b, 0)),
            key: u128::from_le_bytes(field(b, 8)),
            listed_on: i32::from_le_bytes(field(b, 24)),
            key_head: u32::from_le_bytes(field(b, 28)),
        }
    }

    fn to_bytes(self) -> [u8; SLOT_BYTES] {
        let mut out = [0u8; SLOT_BYTES];
        for (at, part) in [
            (0, &self.head.to_le_bytes()[..]),
            (8, &self.key.to_le_bytes()[..]),
            (24, &self.listed_on.to_le_bytes()[..]),
            (28, &self.key_head.to_le_bytes()[..]),
        ] {
            if let Some(dst) = out.get_mut(at..at + part.len()) {
                dst.copy_from_slice(part);
            }
        }
        out
    }

    fn code(&self) -> KeyCode {
        KeyCode {
            v: self.key,
            head: self.key_head,
        }
    }
}

/// Key lookup table: open addressing with linear probing, at most 3/4 full. The tag also gives
/// the home slot, so the table can grow without the keys. Deletion shifts the following entries
/// back (no tombstones). A packed key decides a match exactly; a key that does not pack is
/// compared with the real key text by the caller.
///
/// Beside the slots runs one control byte per slot (0 = empty, else 0x80 | 7 bits of the tag
/// that the home slot does not use), as in SwissTable: a probe walks the control bytes and
/// reads a 32-byte slot only where the byte matches. At 10 M entries the control bytes are
/// 16 MiB and can stay in the last-level cache while the slots (512 MiB) cannot, so a key that is
/// not on the list (most lookups: banks and the public check people who are not listed) is
/// answered without a DRAM miss (bench/RESULTS.md §7).
#[derive(Debug, Default, Clone)]
struct KeyTable {
    /// [`SLOT_BYTES`] per slot.
    slots: Table,
    /// One byte per slot.
    ctrl: Table,
    len: usize,
}

/// Tables at least this large live in a huge-page mapping (smaller ones in a `Vec`).
const MAPPED_FROM_BYTES: usize = 4 << 20;

/// Zero-filled bytes: a `Vec`, or for a large table an anonymous mapping advised
/// `MADV_HUGEPAGE`. With 4 KiB pages a probe into a 400 MB table (10 M entries) is a TLB miss
/// and, in a VM, a nested page walk on top of the DRAM miss; 2 MiB pages make the page walk
/// nearly free (bench/RESULTS.md §7). An all-zero slot is an empty one. Where the kernel gives
/// no huge pages (THP `never`), the mapping simply uses small pages. Bytes rather than typed
/// values, so that a lookup's view of the table is two pointers and lengths with no alignment
/// check (bench/RESULTS.md §7, seventh session).
enum Table {
    Heap(Vec<u8>),
    Mapped(memmap2::MmapMut),
}

impl Default for Table {
    fn default() -> Self {
        Table::Heap(Vec::new())
    }
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Table::Heap(_) => "heap",
            Table::Mapped(_) => "mapped",
        };
        write!(f, "Table({kind}, {} bytes)", self.bytes().len())
    }
}

impl Clone for Table {
    fn clone(&self) -> Self {
        let mut copy = Table::zeroed(self.bytes().len());
        copy.bytes_mut().copy_from_slice(self.bytes());
        copy
    }
}

impl Table {
    fn zeroed(bytes: usize) -> Table {
        if bytes >= MAPPED_FROM_BYTES
            && let Ok(map) = memmap2::MmapMut::map_anon(bytes)
        {
            // Advice only: if the kernel refuses it, small pages still work.
            let _ = map.advise(memmap2::Advice::HugePage);
            return Table::Mapped(map);
        }
        Table::Heap(vec![0; bytes])
    }

    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        match self {
            Table::Heap(v) => v,
            Table::Mapped(m) => m,
        }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        match self {
            Table::Heap(v) => v,
            Table::Mapped(m) => m,
        }
    }
}

const OCCUPIED: u64 = 1 << 63;

/// A prefetch hint for the cache line of `r` (nothing on other architectures).
#[inline(always)]
fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    safe_arch::prefetch_t0(r);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

fn tag_of(h: u64) -> u64 {
    h >> 33
}

/// The tag stored in a slot's head.
fn slot_tag(head: u64) -> u64 {
    (head & !OCCUPIED) >> 32
}

/// The control byte of a tag: occupied bit and the tag's top 7 bits (of 31), which choose the
/// home slot only in tables of more than 2^24 slots.
fn ctrl_of(tag: u64) -> u8 {
    0x80 | u8::try_from((tag >> 24) & 0x7f).unwrap_or(0)
}

impl KeyTable {
    fn with_capacity(n: usize) -> Self {
        let cap = (n.saturating_mul(4) / 3 + 1)
            .max(16)
            .checked_next_power_of_two()
            .unwrap_or(16);
        KeyTable {
            slots: Table::zeroed(cap.saturating_mul(SLOT_BYTES)),
            ctrl: Table::zeroed(cap),
            len: 0,
        }
    }

    /// Number of slots.
    fn cap(&self) -> usize {
        self.ctrl.bytes().len()
    }

    fn mask(&self) -> usize {
        self.cap().saturating_sub(1)
    }

    fn home(&self, tag: u64) -> usize {
        usize::try_from(tag).unwrap_or(0) & self.mask()
    }

    /// The stored slots.
    #[inline(always)]
    fn slot_bytes(&self) -> &[[u8; SLOT_BYTES]] {
        self.slots.bytes().as_chunks().0
    }

    fn slot_bytes_mut(&mut self) -> &mut [[u8; SLOT_BYTES]] {
        self.slots.bytes_mut().as_chunks_mut().0
    }

    fn place(&mut self, slot: Slot) {
        let mask = self.mask();
        let tag = slot_tag(slot.head);
        let mut i = self.home(tag);
        let ctrl = self.ctrl.bytes_mut();
        while ctrl.get(i).is_some_and(|&c| c != 0) {
            i = (i + 1) & mask;
        }
        if let Some(c) = ctrl.get_mut(i) {
            *c = ctrl_of(tag);
        }
        if let Some(s) = self.slot_bytes_mut().get_mut(i) {
            *s = slot.to_bytes();
        }
    }

    fn insert(&mut self, h: u64, doc: DocId, code: KeyCode, listed_on: i32) {
        if (self.len + 1) * 4 > self.cap() * 3 {
            let old = std::mem::replace(self, KeyTable::with_capacity((self.len + 1) * 2));
            for s in old
                .slot_bytes()
                .iter()
                .map(Slot::read)
                .filter(|s| s.head & OCCUPIED != 0)
            {
                self.place(s);
            }
            self.len = old.len;
        }
        self.place(Slot {
            head: OCCUPIED | (tag_of(h) << 32) | u64::from(doc),
            key: code.v,
            listed_on,
            key_head: code.head,
        });
        self.len += 1;
    }

    /// The table as two borrowed slices, taken once per lookup or per batch: two pointers and
    /// lengths, no check.
    #[inline(always)]
    fn view(&self) -> KeyView<'_> {
        let ctrl = self.ctrl.bytes();
        KeyView {
            ctrl,
            slots: self.slot_bytes(),
            mask: ctrl.len().wrapping_sub(1),
        }
    }

    fn remove(&mut self, h: u64, doc: DocId) {
        let want = OCCUPIED | (tag_of(h) << 32) | u64::from(doc);
        let mask = self.mask();
        let home = |tag: u64| usize::try_from(tag).unwrap_or(0) & mask;
        let mut j = home(tag_of(h));
        let KeyTable { slots, ctrl, .. } = self;
        let slots = slots.bytes_mut().as_chunks_mut::<SLOT_BYTES>().0;
        let ctrl = ctrl.bytes_mut();
        let head = |s: &[u8; SLOT_BYTES]| Slot::read(s).head;
        loop {
            match slots.get(j) {
                Some(s) if head(s) == want => break,
                Some(s) if head(s) & OCCUPIED != 0 => j = (j + 1) & mask,
                _ => return,
            }
        }
        // Backward shift: move each following entry into the hole if the hole lies between
        // its home and where it sits.
        let mut k = j;
        loop {
            k = (k + 1) & mask;
            let Some(&s) = slots.get(k) else { break };
            if head(&s) & OCCUPIED == 0 {
                break;
            }
            let home = home(slot_tag(head(&s)));
            if (k.wrapping_sub(home) & mask) >= (k.wrapping_sub(j) & mask) {
                if let Some(hole) = slots.get_mut(j) {
                    *hole = s;
                }
                let c = ctrl.get(k).copied().unwrap_or(0);
                if let Some(hole) = ctrl.get_mut(j) {
                    *hole = c;
                }
                j = k;
            }
        }
        if let Some(hole) = slots.get_mut(j) {
            *hole = [0; SLOT_BYTES];
        }
        if let Some(hole) = ctrl.get_mut(j) {
            *hole = 0;
        }
        self.len -= 1;
    }
}

/// A read-only view of a [`KeyTable`].
#[derive(Clone, Copy)]
struct KeyView<'a> {
    ctrl: &'a [u8],
    slots: &'a [[u8; SLOT_BYTES]],
    mask: usize,
}

impl KeyView<'_> {
    fn home(&self, tag: u64) -> usize {
        usize::try_from(tag).unwrap_or(0) & self.mask
    }

    /// Ask the CPU to start loading the control byte, the home slot of `h` and the cache line
    /// after the home slot's, without waiting: a hint, with no effect on any answer. With linear
    /// probing a key often sits a slot or two past its home, i.e. in the next 64-byte line
    /// (two slots per line), which would otherwise be a second DRAM miss after the control bytes
    /// are read (bench/RESULTS.md §7, seventh session).
    #[inline]
    fn prefetch(&self, h: u64) {
        let home = self.home(tag_of(h));
        if let Some(c) = self.ctrl.get(home) {
            prefetch(c);
        }
        // `home + 2` is in the next line whether `home` is its line's first slot or second.
        if let Some([s, _, next]) = self.slots.get(home..home + 3).and_then(|w| w.first_chunk()) {
            prefetch(s);
            prefetch(next);
        }
    }

    /// Ask the CPU to start loading the control bytes of `h`'s probe, without waiting: a hint,
    /// with no effect on any answer.
    #[inline]
    fn prefetch_ctrl(&self, h: u64) {
        if let Some(c) = self.ctrl.get(self.home(tag_of(h))) {
            prefetch(c);
        }
    }

    /// Read `h`'s control bytes (already near, after [`KeyView::prefetch_ctrl`]) and ask the CPU
    /// to start loading the slots they name: a key that is not in the table costs no DRAM
    /// access at all.
    #[inline]
    fn prefetch_slots(&self, h: u64) {
        let tag = tag_of(h);
        let want = ctrl_of(tag);
        let start = self.home(tag);
        for i in (0..self.ctrl.len())
            .map(|n| (start + n) & self.mask)
            .take_while(|&i| self.ctrl.get(i).is_some_and(|&c| c != 0))
            .filter(|&i| self.ctrl.get(i) == Some(&want))
        {
            if let Some(s) = self.slots.get(i) {
                prefetch(s);
            }
        }
    }

    /// The common answer of a key that packs (`q`), decided without the general probe's
    /// iterators: the control-byte group from the home slot holds the probe's end, and at most
    /// two slots hold the key (a debtor listed once or twice). Pushes those docs, newest first,
    /// and returns true; returns false, having pushed nothing, when the group does not hold the
    /// end or the key has three slots or more, for [`ListIndex::key_hits`] to answer. Fewer instructions per lookup
    /// let the CPU start the next lookup's memory access while this one waits
    /// (bench/RESULTS.md §7, sixth session).
    #[inline]
    fn packed_hits(&self, h: u64, q: KeyCode, hits: &mut Vec<DocId>) -> bool {
        let tag = tag_of(h);
        let start = self.home(tag);
        let Some(mut bits) = group_matches(self.ctrl, start, ctrl_of(tag)) else {
            return false;
        };
        // No candidate or one (nearly every lookup: a 7-bit control byte rarely matches by
        // chance): one compare, no loop state.
        if bits & bits.wrapping_sub(1) == 0 {
            if bits != 0
                && let Some(s) = self
                    .slots
                    .get(start + usize::try_from(bits.trailing_zeros()).unwrap_or(0))
                    .map(Slot::read)
                && slot_tag(s.head) == tag
                && s.code() == q
            {
                hits.push(posting_doc(s.head));
            }
            return true;
        }
        // As postings, whose numeric order is the answer order (newest first when descending).
        let (mut first, mut second) = (None, None);
        while bits != 0 {
            let at = start + usize::try_from(bits.trailing_zeros()).unwrap_or(0);
            bits &= bits - 1;
            if let Some(s) = self.slots.get(at).map(Slot::read)
                && slot_tag(s.head) == tag
                && s.code() == q
            {
                let p = posting(s.listed_on, posting_doc(s.head));
                match (first, second) {
                    (None, _) => first = Some(p),
                    (Some(_), None) => second = Some(p),
                    // Three listings or more: the general path sorts them.
                    (Some(_), Some(_)) => return false,
                }
            }
        }
        match (first, second) {
            (Some(a), Some(b)) => {
                // A debtor listed twice (10 % of rows in the benchmark are such relistings).
                let (newer, older) = if a > b { (a, b) } else { (b, a) };
                hits.extend([posting_doc(newer), posting_doc(older)]);
            }
            (Some(a), None) => hits.push(posting_doc(a)),
            _ => {}
        }
        true
    }

    /// `(doc, packed key)` of the slots whose tag is the tag of `h` (candidates). Only the
    /// control bytes are read until one matches: the 16 from the home slot at once where they
    /// hold the end of the probe (nearly always, at most 3/4 full), else one by one.
    #[inline]
    fn candidates(&self, h: u64) -> impl Iterator<Item = (DocId, KeyCode, i32)> + '_ {
        let tag = tag_of(h);
        let want = ctrl_of(tag);
        let start = self.home(tag);
        let (ctrl, slots, mask) = (self.ctrl, self.slots, self.mask);
        let at = match group_matches(ctrl, start, want) {
            Some(bits) => Probe::Group(Bits(bits).map(move |b| start + b)),
            None => Probe::Scan(
                (0..ctrl.len())
                    .map(move |n| (start + n) & mask)
                    .take_while(|&i| ctrl.get(i).is_some_and(|&c| c != 0))
                    .filter(move |&i| ctrl.get(i) == Some(&want)),
            ),
        };
        at.filter_map(|i| slots.get(i).map(Slot::read))
            .filter(move |s| slot_tag(s.head) == tag)
            .map(|s| (posting_doc(s.head), s.code(), s.listed_on))
    }
}

/// Control bytes compared at once by [`group_matches`].
const GROUP: usize = 16;

/// The offsets from `start` of the control bytes equal to `want` that come before the first
/// empty one, when `ctrl[start..start + 16]` holds an empty byte (the probe ends inside the
/// group); `None` when it does not, or the group would run past the table's end, and the probe
/// must walk byte by byte. Two SSE2 compares instead of a loop with a branch per byte: a
/// lookup runs fewer instructions, so the CPU reaches the next lookup's memory access while
/// this one's is still in flight (bench/RESULTS.md §7, fourth session).
#[cfg(target_arch = "x86_64")]
#[inline]
fn group_matches(ctrl: &[u8], start: usize, want: u8) -> Option<u32> {
    use safe_arch::set_splat_i8_m128i;
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i};
    let g: &[u8; GROUP] = ctrl
        .get(start..start.checked_add(GROUP)?)?
        .try_into()
        .ok()?;
    let v = load_unaligned_m128i(g);
    let eq = |b: u8| {
        let m = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(
            v,
            set_splat_i8_m128i(i8::from_ne_bytes([b])),
        ));
        u32::try_from(m).unwrap_or(0)
    };
    let empty = eq(0);
    if empty == 0 {
        return None;
    }
    let before = (1u32 << empty.trailing_zeros()) - 1;
    Some(eq(want) & before)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn group_matches(_ctrl: &[u8], _start: usize, _want: u8) -> Option<u32> {
    None
}

/// The set bits of a mask, lowest first, as offsets.
struct Bits(u32);

impl Iterator for Bits {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        usize::try_from(b).ok()
    }
}

/// One of two probe orders, as one iterator type.
enum Probe<A, B> {
    Group(A),
    Scan(B),
}

impl<T, A: Iterator<Item = T>, B: Iterator<Item = T>> Iterator for Probe<A, B> {
    type Item = T;
    #[inline]
    fn next(&mut self) -> Option<T> {
        match self {
            Probe::Group(a) => a.next(),
            Probe::Scan(b) => b.next(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Rec {
    /// Name then key, back to back in the arena.
    off: usize,
    name_len: u32,
    key_len: u32,
    listed_on: i32,
    live: bool,
}

/// The index. `Send + Sync`; build it, then share it behind an `Arc` (or an `RwLock` for updates).
#[derive(Debug, Default, Clone)]
pub struct ListIndex {
    recs: Vec<Rec>,
    text: String,
    /// Bytes of `text` no live record refers to.
    garbage: usize,
    live: usize,
    keys: KeyTable,
    names: U64Map<Postings>,
}

fn idx(doc: DocId) -> usize {
    usize::try_from(doc).unwrap_or(usize::MAX)
}

fn u32_len(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}

fn usize_of(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl ListIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `n` entries with dense ids `0..n`.
    pub fn with_capacity(n: usize) -> Self {
        ListIndex {
            recs: Vec::with_capacity(n),
            text: String::with_capacity(n.saturating_mul(24)),
            keys: KeyTable::with_capacity(n),
            ..Self::default()
        }
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn rec(&self, doc: DocId) -> Option<&Rec> {
        self.recs.get(idx(doc)).filter(|r| r.live)
    }

    fn name_of(&self, r: &Rec) -> &str {
        let end = r.off.saturating_add(usize_of(r.name_len));
        self.text.get(r.off..end).unwrap_or("")
    }

    fn key_of(&self, r: &Rec) -> &str {
        let start = r.off.saturating_add(usize_of(r.name_len));
        let end = start.saturating_add(usize_of(r.key_len));
        self.text.get(start..end).unwrap_or("")
    }

    /// Add an entry. Inserting a doc that is already live replaces it.
    pub fn insert(&mut self, e: Entry) {
        if self.rec(e.doc).is_some() {
            self.remove(e.doc);
        }
        let name = e.name.trim();
        let key = normalize_key(&e.key);
        let i = idx(e.doc);
        if i >= self.recs.len() {
            self.recs.resize(i.saturating_add(1), Rec::default());
        }
        let off = self.text.len();
        self.text.push_str(name);
        self.text.push_str(&key);
        let rec = Rec {
            off,
            name_len: u32_len(name),
            key_len: u32_len(&key),
            listed_on: e.listed_on,
            live: true,
        };
        if !key.is_empty() {
            let (h, packed) = key_hash(&key);
            self.keys.insert(h, e.doc, packed, e.listed_on);
        }
        let p = posting(e.listed_on, e.doc);
        for (g, mask) in grams(name) {
            self.names.entry(g).or_default().insert(p, mask);
        }
        if let Some(slot) = self.recs.get_mut(i) {
            *slot = rec;
            self.live += 1;
        }
    }

    /// Delete an entry from the list. `false` if it was not there.
    pub fn remove(&mut self, doc: DocId) -> bool {
        let Some(rec) = self.rec(doc).copied() else {
            return false;
        };
        let name = self.name_of(&rec).to_owned();
        let key = self.key_of(&rec).to_owned();
        if !key.is_empty() {
            self.keys.remove(key_hash(&key).0, doc);
        }
        let p = posting(rec.listed_on, doc);
        for (g, _) in grams(&name) {
            if let Some(list) = self.names.get_mut(&g) {
                list.remove(p);
                if list.len == 0 {
                    self.names.remove(&g);
                }
            }
        }
        if let Some(r) = self.recs.get_mut(idx(doc)) {
            *r = Rec::default();
        }
        self.live -= 1;
        self.garbage += name.len() + key.len();
        if self.garbage > 1 << 20 && self.garbage > self.text.len() / 2 {
            self.compact_text();
        }
        true
    }

    /// Rewrite the text arena without the removed entries' bytes.
    fn compact_text(&mut self) {
        let mut text = String::with_capacity(self.text.len() - self.garbage);
        for r in self.recs.iter_mut().filter(|r| r.live) {
            let end = r
                .off
                .saturating_add(usize_of(r.name_len))
                .saturating_add(usize_of(r.key_len));
            let off = text.len();
            text.push_str(self.text.get(r.off..end).unwrap_or(""));
            r.off = off;
        }
        self.text = text;
        self.garbage = 0;
    }

    /// Give back spare capacity (after a bulk load).
    pub fn shrink_to_fit(&mut self) {
        self.recs.shrink_to_fit();
        self.text.shrink_to_fit();
        for p in self.names.values_mut() {
            p.shrink_to_fit();
        }
        self.names.shrink_to_fit();
    }

    /// Entries whose key equals `key` after [`normalize_key`], newest first (`listed_on`
    /// descending, then `doc` descending). An empty key matches nothing.
    pub fn by_key(&self, key: &str) -> Vec<DocId> {
        let mut hits = Vec::new();
        self.by_key_into(key, &mut hits);
        hits
    }

    /// [`ListIndex::by_key`] into a caller's buffer (cleared first), so a server or a loop of
    /// lookups allocates nothing per lookup.
    ///
    /// Inlined into the caller (another crate), so a loop of lookups keeps its registers
    /// across calls instead of saving six and reloading its arguments per lookup (143 instead
    /// of 164 instructions per lookup in a loop: bench/RESULTS.md §7, seventh session).
    #[inline]
    pub fn by_key_into(&self, key: &str, hits: &mut Vec<DocId>) {
        hits.clear();
        // Normalised on the fly: stored keys are upper-case, so an ASCII case-insensitive
        // comparison with the trimmed query is a comparison with its normalised form.
        // An ID number or credit code: the memory accesses start before the key is packed
        // ([`hash16`]), and the common answer is decided in [`KeyView::packed_hits`]. Not
        // trimmed first: a key of 16–20 key characters has no blank to trim, and any other
        // (blanks included) goes to the general path, which trims.
        let b = key.as_bytes();
        if let Some(h) = hash16(b) {
            let view = self.keys.view();
            // The home slot's DRAM miss starts while the control bytes are read.
            view.prefetch(h);
            // [`pack_key`]'s code for a key of 16–20 key characters, without its length dispatch.
            if let Some(q) = wide20(b)
                && view.packed_hits(h, q, hits)
            {
                return;
            }
        }
        self.by_key_general(trim_fast(key), hits);
    }

    /// Everything [`ListIndex::by_key_into`]'s common path does not answer: other key
    /// lengths, keys that do not pack, a relisted debtor's several slots, a probe that runs
    /// past its 16 control bytes. Kept out of line so that the common path is short and
    /// needs few registers (a lookup's instruction count bounds how many the CPU overlaps:
    /// bench/RESULTS.md §7, sixth session).
    #[cold]
    #[inline(never)]
    fn by_key_general(&self, k: &str, hits: &mut Vec<DocId>) {
        if k.is_empty() {
            return;
        }
        let view = self.keys.view();
        let (h, q) = key_hash(k);
        view.prefetch(h);
        self.key_hits(view, k, h, q, hits);
    }

    /// [`ListIndex::by_key`] for many keys at once (a partner's bulk check): `f(i, answer)` for
    /// every `keys[i]`, in order, with the same answer `by_key(keys[i])` gives. The slots of the
    /// keys [`BATCH_AHEAD`] places ahead are prefetched, so up to that many DRAM misses are in
    /// flight at once instead of one (bench/RESULTS.md §7).
    pub fn by_keys_with<S: AsRef<str>>(&self, keys: &[S], f: impl FnMut(usize, &[DocId])) {
        self.pipelined::<S, BATCH_AHEAD>(keys, BATCH_TWO_STAGE, f);
    }

    /// [`ListIndex::by_keys_with`] with another prefetch distance (8, 16, 32 or 64; others
    /// round up to the next) and pipeline shape, for the benchmark's sweep that chose the
    /// defaults (bench/RESULTS.md §7). Same answers whatever the settings.
    #[doc(hidden)]
    pub fn by_keys_tuned<S: AsRef<str>>(
        &self,
        keys: &[S],
        ahead: usize,
        two_stage: bool,
        f: impl FnMut(usize, &[DocId]),
    ) {
        match ahead {
            0..=8 => self.pipelined::<S, 8>(keys, two_stage, f),
            9..=16 => self.pipelined::<S, 16>(keys, two_stage, f),
            17..=32 => self.pipelined::<S, 32>(keys, two_stage, f),
            _ => self.pipelined::<S, 64>(keys, two_stage, f),
        }
    }

    /// The batch pipeline over a ring of the `AHEAD` keys ahead. One stage: hash a key and
    /// prefetch its control bytes and home slot `AHEAD` keys ahead, then probe. Two stages:
    /// hash and prefetch only the control bytes `AHEAD` keys ahead; `AHEAD / 2` keys ahead read
    /// those bytes and prefetch only the slots they name (a miss then costs no DRAM access);
    /// then probe.
    fn pipelined<S: AsRef<str>, const AHEAD: usize>(
        &self,
        keys: &[S],
        two_stage: bool,
        mut f: impl FnMut(usize, &[DocId]),
    ) {
        let slots_ahead = AHEAD / 2;
        let view = self.keys.view();
        let prep = |key: &S| {
            let k = trim_fast(key.as_ref());
            (!k.is_empty()).then(|| {
                let (h, q) = key_hash(k);
                if two_stage {
                    view.prefetch_ctrl(h);
                } else {
                    view.prefetch(h);
                }
                (h, q)
            })
        };
        let mut ring: [Option<(u64, KeyCode)>; AHEAD] = [None; AHEAD];
        for (r, key) in ring.iter_mut().zip(keys) {
            *r = prep(key);
        }
        if two_stage {
            for r in ring.iter().take(slots_ahead).flatten() {
                view.prefetch_slots(r.0);
            }
        }
        let mut hits = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            if two_stage
                && i + slots_ahead < keys.len()
                && let Some(Some((h, _))) = ring.get((i + slots_ahead) % AHEAD)
            {
                view.prefetch_slots(*h);
            }
            let next = keys.get(i + AHEAD).and_then(prep);
            let cur = ring
                .get_mut(i % AHEAD)
                .and_then(|r| std::mem::replace(r, next));
            hits.clear();
            if let Some((h, q)) = cur
                && !(q.is_packed() && view.packed_hits(h, q, &mut hits))
            {
                self.key_hits(view, trim_fast(key.as_ref()), h, q, &mut hits);
            }
            f(i, &hits);
        }
    }

    /// [`ListIndex::by_keys_with`], collecting the answers.
    pub fn by_keys<S: AsRef<str>>(&self, keys: &[S]) -> Vec<Vec<DocId>> {
        let mut out = Vec::with_capacity(keys.len());
        self.by_keys_with(keys, |_, hits| out.push(hits.to_vec()));
        out
    }

    /// The live docs whose key is the trimmed, non-empty `k` (hash `h`, packed `q`), newest
    /// first, into `hits`.
    #[inline]
    fn key_hits(&self, view: KeyView<'_>, k: &str, h: u64, q: KeyCode, hits: &mut Vec<DocId>) {
        // A packed query is decided by the slot alone; otherwise only unpacked stored keys can
        // be equal, and their text decides. Only live docs are in the table.
        // The first hit goes straight to `hits`; only a relisted debtor's several entries are
        // gathered (as postings, so their numeric order is the answer order) and sorted.
        let mut first = None;
        let mut more: Vec<u64> = Vec::new();
        for (doc, stored, listed_on) in view.candidates(h) {
            let equal = if q.is_packed() {
                stored == q
            } else {
                !stored.is_packed()
                    && self.rec(doc).is_some_and(|r| {
                        self.key_of(r).as_bytes().eq_ignore_ascii_case(k.as_bytes())
                    })
            };
            if equal {
                let p = posting(listed_on, doc);
                if first.is_none() {
                    first = Some(p);
                } else {
                    more.push(p);
                }
            }
        }
        match first {
            Some(p) if more.is_empty() => hits.push(posting_doc(p)),
            Some(p) => {
                more.push(p);
                more.sort_unstable_by(|a, b| b.cmp(a));
                hits.extend(more.iter().map(|&p| posting_doc(p)));
            }
            None => {}
        }
    }

    /// Entries whose name (trimmed) equals `name` (trimmed) and whose key equals `key`
    /// (normalised), newest first.
    pub fn by_name_and_key(&self, name: &str, key: &str) -> Vec<DocId> {
        let name = name.trim();
        self.by_key(key)
            .into_iter()
            .filter(|&d| self.rec(d).is_some_and(|r| self.name_of(r) == name))
            .collect()
    }

    /// Entries whose name contains `query` (trimmed; 2..=50 characters, else nothing; no
    /// character is a wildcard): the exact count and the `limit` newest.
    pub fn by_name(&self, query: &str, limit: usize) -> NameHits {
        let q = query.trim();
        let n = q.chars().count();
        if !(MIN_QUERY_CHARS..=MAX_QUERY_CHARS).contains(&n) {
            return NameHits::default();
        }
        // A 2-character query is one bigram; a longer one is covered by trigrams at offsets
        // 0, 3, 6, … and n − 3 (position masks make a cover enough). `at[i]` is the distinct
        // gram at `offsets[i]`.
        let qchars: Vec<char> = q.chars().collect();
        let offsets: Vec<usize> = if n == 2 {
            vec![0]
        } else {
            let mut o: Vec<usize> = (0..=n - 3).step_by(3).collect();
            if o.last().is_some_and(|&l| l != n - 3) {
                o.push(n - 3);
            }
            o
        };
        let width = if n == 2 { 2 } else { 3 };
        let mut distinct: Vec<(u64, &Postings)> = Vec::new();
        let mut at: Vec<usize> = Vec::with_capacity(offsets.len());
        for &o in &offsets {
            let g = gram(qchars.get(o..o + width).unwrap_or(&[]));
            if let Some(j) = distinct.iter().position(|d| d.0 == g) {
                at.push(j);
                continue;
            }
            let Some(list) = self.names.get(&g) else {
                return NameHits::default();
            };
            at.push(distinct.len());
            distinct.push((g, list));
        }
        // One gram covering the whole query: every posting is a hit.
        if n <= 3 {
            let Some((_, list)) = distinct.first() else {
                return NameHits::default();
            };
            return NameHits {
                count: list.len,
                newest: list
                    .iter()
                    .take(limit)
                    .map(|(p, _)| posting_doc(p))
                    .collect(),
            };
        }
        // The smallest list drives; the others are galloped in step.
        let Some(driver) =
            (0..distinct.len()).min_by_key(|&j| distinct.get(j).map_or(0, |d| d.1.len))
        else {
            return NameHits::default();
        };
        let mut cursors: Vec<Option<Cursor<'_>>> = distinct
            .iter()
            .enumerate()
            .map(|(j, d)| (j != driver).then(|| Cursor::new(d.1)))
            .collect();
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        let mut masks = vec![0u64; distinct.len()];
        let mut hits = NameHits::default();
        let Some((_, driver_list)) = distinct.get(driver) else {
            return hits;
        };
        'candidates: for (p, mask) in driver_list.iter() {
            for (j, c) in cursors.iter_mut().enumerate() {
                let m = match c {
                    Some(c) => match c.seek(p) {
                        Some(m) => m,
                        None => continue 'candidates,
                    },
                    None => mask,
                };
                if let Some(slot) = masks.get_mut(j) {
                    *slot = m;
                }
            }
            // The trigrams cover the query, so the name contains it iff some start s has the
            // trigram at[i] at s + offsets[i] for every i: shift each mask back by its offset
            // and intersect. Exact unless a position overflowed the mask; then the text decides.
            let mut acc = u64::MAX;
            let mut overflow = false;
            for (&o, &j) in offsets.iter().zip(&at) {
                let m = masks.get(j).copied().unwrap_or(0);
                overflow |= m & OVERFLOW != 0;
                acc &= (m & !OVERFLOW)
                    .checked_shr(u32::try_from(o).unwrap_or(u32::MAX))
                    .unwrap_or(0);
            }
            let doc = posting_doc(p);
            let hit = if overflow {
                self.rec(doc)
                    .is_some_and(|r| finder.find(self.name_of(r).as_bytes()).is_some())
            } else {
                acc != 0
            };
            if hit {
                hits.count += 1;
                if hits.newest.len() < limit {
                    hits.newest.push(doc);
                }
            }
        }
        hits
    }

    /// Number of distinct 2- and 3-character grams indexed (for sizing reports).
    pub fn gram_count(&self) -> usize {
        self.names.len()
    }

    /// Number of postings over all grams (for sizing reports).
    pub fn posting_count(&self) -> usize {
        self.names.values().map(|p| p.len).sum()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;

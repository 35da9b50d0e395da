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
//!   table of 24-byte slots (tag of the key's hash + doc, and the key itself packed into 128 bits
//!   when it is at most 24 characters of 0-9 A-Z, as every ID number and credit code is), at
//!   most 3/4 full, so a lookup is one probe of the table; the record is read only to order
//!   several hits. Keys that do not pack are compared with their text, so hash collisions can
//!   never leak.
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

/// A normalised key of 1..=24 characters from 0-9 A-Z (every ID number and credit code) packed
/// into a u128: base 37 with digits 1..=36, so distinct keys give distinct values; 0 for any
/// other key. Lower-case ASCII is packed as upper-case (the key is normalised on the fly).
fn pack_key(trimmed: &str) -> u128 {
    let b = trimmed.as_bytes();
    if b.is_empty() || b.len() > 24 {
        return 0;
    }
    // Two independent base-37 halves of at most 12 digits (37^12 < 2^63), so the CPU works on
    // both at once, then one u128 step: the same value as one 24-step u128 chain, at a fraction
    // of the latency in front of the table probe (bench/RESULTS.md §7).
    let split = b.len().saturating_sub(12);
    let (head, tail) = b.split_at(split);
    let (Some(hi), Some(lo)) = (base37(head), base37(tail)) else {
        return 0;
    };
    let scale = (0..tail.len()).fold(1u128, |m, _| m * 37);
    u128::from(hi) * scale + u128::from(lo)
}

/// Base-37 value of at most 12 key characters (digits 1..=36), `None` for any other character.
fn base37(b: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    for &c in b {
        let d = match c.to_ascii_uppercase() {
            c @ b'0'..=b'9' => c - b'0' + 1,
            c @ b'A'..=b'Z' => c - b'A' + 11,
            _ => return None,
        };
        v = v * 37 + u64::from(d);
    }
    Some(v)
}

/// The table hash and the packed key of a trimmed key. A key that packs is hashed from its
/// packed value (two multiplications) instead of byte by byte; any other key by its bytes.
fn key_hash(trimmed: &str) -> (u64, u128) {
    let packed = pack_key(trimmed);
    if packed == 0 {
        return (hash_key(trimmed), 0);
    }
    let lo = u64::try_from(packed & u128::from(u64::MAX)).unwrap_or(0);
    let hi = u64::try_from(packed >> 64).unwrap_or(0);
    (mix64(lo ^ hi.wrapping_mul(0x9e37_79b9_7f4a_7c15)), packed)
}

/// One slot of the key table: `head` = occupied bit | 31-bit tag of the key hash | doc, and the
/// packed key (0 when the key does not pack), so most lookups are decided inside the slot.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Slot {
    head: u64,
    key_hi: u64,
    key_lo: u64,
}

impl Slot {
    fn packed(&self) -> u128 {
        (u128::from(self.key_hi) << 64) | u128::from(self.key_lo)
    }
}

/// Key lookup table: open addressing with linear probing, at most 3/4 full. The tag also gives
/// the home slot, so the table can grow without the keys. Deletion shifts the following entries
/// back (no tombstones). A packed key decides a match exactly; a key that does not pack is
/// compared with the real key text by the caller.
#[derive(Debug, Default, Clone)]
struct KeyTable {
    slots: Slots,
    len: usize,
}

/// Tables at least this large live in a huge-page mapping (smaller ones in a `Vec`).
const MAPPED_FROM_BYTES: usize = 4 << 20;

/// The slot array: a `Vec`, or for a large table an anonymous mapping advised `MADV_HUGEPAGE`.
/// With 4 KiB pages a probe into a 400 MB table (10 M entries) is a TLB miss and, in a VM, a
/// nested page walk on top of the DRAM miss; 2 MiB pages make the page walk nearly free
/// (bench/RESULTS.md §7). The mapping is zero-filled, and an all-zero slot is an empty one. Where
/// the kernel gives no huge pages (THP `never`), the mapping simply uses small pages.
enum Slots {
    Heap(Vec<Slot>),
    Mapped(memmap2::MmapMut),
}

impl Default for Slots {
    fn default() -> Self {
        Slots::Heap(Vec::new())
    }
}

impl std::fmt::Debug for Slots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Slots::Heap(_) => "heap",
            Slots::Mapped(_) => "mapped",
        };
        write!(f, "Slots({kind}, {})", self.len())
    }
}

impl Clone for Slots {
    fn clone(&self) -> Self {
        let mut copy = Slots::zeroed(self.len());
        copy.as_mut_slice().copy_from_slice(self.as_slice());
        copy
    }
}

impl Slots {
    fn zeroed(n: usize) -> Slots {
        let bytes = n.saturating_mul(std::mem::size_of::<Slot>());
        if bytes >= MAPPED_FROM_BYTES
            && let Ok(map) = memmap2::MmapMut::map_anon(bytes)
        {
            // Advice only: if the kernel refuses it, small pages still work.
            let _ = map.advise(memmap2::Advice::HugePage);
            let mapped = Slots::Mapped(map);
            // A mapping is page-aligned, so the cast cannot fail; check anyway.
            if mapped.as_slice().len() == n {
                return mapped;
            }
        }
        Slots::Heap(vec![Slot::default(); n])
    }

    fn as_slice(&self) -> &[Slot] {
        match self {
            Slots::Heap(v) => v,
            Slots::Mapped(m) => bytemuck::try_cast_slice(&m[..]).unwrap_or(&[]),
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Slot] {
        match self {
            Slots::Heap(v) => v,
            Slots::Mapped(m) => bytemuck::try_cast_slice_mut(&mut m[..]).unwrap_or(&mut []),
        }
    }

    fn len(&self) -> usize {
        self.as_slice().len()
    }
}

const OCCUPIED: u64 = 1 << 63;

fn tag_of(h: u64) -> u64 {
    h >> 33
}

impl KeyTable {
    fn with_capacity(n: usize) -> Self {
        let cap = (n.saturating_mul(4) / 3 + 1)
            .max(16)
            .checked_next_power_of_two()
            .unwrap_or(16);
        KeyTable {
            slots: Slots::zeroed(cap),
            len: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len().saturating_sub(1)
    }

    fn home(&self, tag: u64) -> usize {
        usize::try_from(tag).unwrap_or(0) & self.mask()
    }

    fn place(&mut self, slot: Slot) {
        let mask = self.mask();
        let mut i = self.home((slot.head & !OCCUPIED) >> 32);
        let slots = self.slots.as_mut_slice();
        while slots.get(i).is_some_and(|s| s.head & OCCUPIED != 0) {
            i = (i + 1) & mask;
        }
        if let Some(s) = slots.get_mut(i) {
            *s = slot;
        }
    }

    fn insert(&mut self, h: u64, doc: DocId, packed: u128) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let old = std::mem::replace(self, KeyTable::with_capacity((self.len + 1) * 2));
            for s in old
                .slots
                .as_slice()
                .iter()
                .filter(|s| s.head & OCCUPIED != 0)
            {
                self.place(*s);
            }
            self.len = old.len;
        }
        let b = packed.to_be_bytes();
        let mut hi = [0u8; 8];
        let mut lo = [0u8; 8];
        hi.copy_from_slice(b.get(..8).unwrap_or(&[0; 8]));
        lo.copy_from_slice(b.get(8..).unwrap_or(&[0; 8]));
        self.place(Slot {
            head: OCCUPIED | (tag_of(h) << 32) | u64::from(doc),
            key_hi: u64::from_be_bytes(hi),
            key_lo: u64::from_be_bytes(lo),
        });
        self.len += 1;
    }

    /// `(doc, packed key)` of the slots whose tag is the tag of `h` (candidates).
    fn candidates(&self, h: u64) -> impl Iterator<Item = (DocId, u128)> + '_ {
        let tag = tag_of(h);
        let start = self.home(tag);
        let slots = self.slots.as_slice();
        let mask = slots.len().saturating_sub(1);
        (0..slots.len())
            .map(move |n| slots.get((start + n) & mask).copied().unwrap_or_default())
            .take_while(|s| s.head & OCCUPIED != 0)
            .filter(move |s| (s.head & !OCCUPIED) >> 32 == tag)
            .map(|s| (posting_doc(s.head), s.packed()))
    }

    fn remove(&mut self, h: u64, doc: DocId) {
        let want = OCCUPIED | (tag_of(h) << 32) | u64::from(doc);
        let mask = self.mask();
        let home = |tag: u64| usize::try_from(tag).unwrap_or(0) & mask;
        let mut j = home(tag_of(h));
        let slots = self.slots.as_mut_slice();
        loop {
            match slots.get(j) {
                Some(s) if s.head == want => break,
                Some(s) if s.head & OCCUPIED != 0 => j = (j + 1) & mask,
                _ => return,
            }
        }
        // Backward shift: move each following entry into the hole if the hole lies between
        // its home and where it sits.
        let mut k = j;
        loop {
            k = (k + 1) & mask;
            let Some(&s) = slots.get(k) else { break };
            if s.head & OCCUPIED == 0 {
                break;
            }
            let home = home((s.head & !OCCUPIED) >> 32);
            if (k.wrapping_sub(home) & mask) >= (k.wrapping_sub(j) & mask) {
                if let Some(hole) = slots.get_mut(j) {
                    *hole = s;
                }
                j = k;
            }
        }
        if let Some(hole) = slots.get_mut(j) {
            *hole = Slot::default();
        }
        self.len -= 1;
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
            self.keys.insert(h, e.doc, packed);
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
        // Normalised on the fly: stored keys are upper-case, so an ASCII case-insensitive
        // comparison with the trimmed query is a comparison with its normalised form.
        let k = key.trim();
        if k.is_empty() {
            return Vec::new();
        }
        // A packed query is decided by the slot alone; otherwise only unpacked stored keys can
        // be equal, and their text decides. Only live docs are in the table.
        let (h, q) = key_hash(k);
        let mut hits: Vec<DocId> = Vec::new();
        for (doc, stored) in self.keys.candidates(h) {
            let equal = if q != 0 {
                stored == q
            } else {
                stored == 0
                    && self.rec(doc).is_some_and(|r| {
                        self.key_of(r).as_bytes().eq_ignore_ascii_case(k.as_bytes())
                    })
            };
            if equal {
                hits.push(doc);
            }
        }
        if hits.len() > 1 {
            hits.sort_unstable_by_key(|&d| {
                std::cmp::Reverse(posting(self.recs.get(idx(d)).map_or(0, |r| r.listed_on), d))
            });
        }
        hits
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

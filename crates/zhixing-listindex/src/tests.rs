use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn e(doc: DocId, name: &str, key: &str, listed_on: i32) -> Entry {
    Entry {
        doc,
        name: name.to_owned(),
        key: key.to_owned(),
        listed_on,
    }
}

fn sample() -> ListIndex {
    let mut ix = ListIndex::new();
    ix.insert(e(0, "张伟", "11010519491231002X", 100));
    ix.insert(e(1, "张伟明", "110105194912310037", 300));
    ix.insert(e(2, "李张伟", "110105194912310045", 200));
    ix.insert(e(3, "成都市建设工程有限公司", "91510100MA61234567", 300));
    ix.insert(e(4, "张伟", "11010519491231002x", 50));
    ix.insert(e(5, "王芳", "", 400));
    ix
}

#[test]
fn normalize_key_trims_and_uppercases_ascii() {
    assert_eq!(normalize_key(" 11010519491231002x\t"), "11010519491231002X");
    assert_eq!(normalize_key("91510100ma61234567"), "91510100MA61234567");
}

#[test]
fn by_key_is_case_insensitive_and_newest_first() {
    let ix = sample();
    assert_eq!(ix.by_key("11010519491231002x"), vec![0, 4]);
    assert_eq!(ix.by_key(" 11010519491231002X "), vec![0, 4]);
    assert_eq!(ix.by_key("91510100ma61234567"), vec![3]);
    assert!(ix.by_key("110105194912310053").is_empty());
    assert!(ix.by_key("").is_empty());
}

#[test]
fn by_name_is_a_substring_match_newest_first() {
    let ix = sample();
    let h = ix.by_name("张伟", 20);
    assert_eq!(h.count, 4);
    assert_eq!(h.newest, vec![1, 2, 0, 4]);
    let h = ix.by_name("张伟", 2);
    assert_eq!((h.count, h.newest), (4, vec![1, 2]));
    assert_eq!(ix.by_name("张伟明", 20).newest, vec![1]);
    assert_eq!(ix.by_name(" 建设工程 ", 20).newest, vec![3]);
    assert_eq!(ix.by_name("建设工程有限公司", 20).count, 1);
    assert_eq!(ix.by_name("工程建设", 20).count, 0);
    assert_eq!(ix.by_name("伟明张", 20).count, 0);
}

#[test]
fn by_name_refuses_short_long_and_treats_wildcards_literally() {
    let ix = sample();
    assert_eq!(ix.by_name("张", 20), NameHits::default());
    assert_eq!(ix.by_name("  张 ", 20), NameHits::default());
    assert_eq!(ix.by_name(&"张".repeat(51), 20), NameHits::default());
    assert_eq!(ix.by_name("张%", 20).count, 0);
    assert_eq!(ix.by_name("%伟", 20).count, 0);
    assert_eq!(ix.by_name("张_", 20).count, 0);
    assert_eq!(ix.by_name("**", 20).count, 0);
    let mut ix = ix;
    ix.insert(e(9, "100%_公司*", "", 1));
    assert_eq!(ix.by_name("0%_公", 20).newest, vec![9]);
    assert_eq!(ix.by_name("司*", 20).newest, vec![9]);
}

#[test]
fn by_name_and_key_needs_both() {
    let ix = sample();
    assert_eq!(ix.by_name_and_key("张伟", "11010519491231002x"), vec![0, 4]);
    assert_eq!(
        ix.by_name_and_key(" 张伟 ", "11010519491231002X"),
        vec![0, 4]
    );
    assert!(
        ix.by_name_and_key("张伟明", "11010519491231002X")
            .is_empty()
    );
    assert!(ix.by_name_and_key("王芳", "").is_empty());
}

#[test]
fn removed_entries_are_never_returned_and_can_come_back() {
    let mut ix = sample();
    assert_eq!(ix.len(), 6);
    assert!(ix.remove(0));
    assert!(!ix.remove(0));
    assert!(!ix.remove(77));
    assert_eq!(ix.len(), 5);
    assert_eq!(ix.by_key("11010519491231002X"), vec![4]);
    assert_eq!(ix.by_name("张伟", 20).newest, vec![1, 2, 4]);
    assert!(ix.remove(4));
    assert!(ix.by_key("11010519491231002X").is_empty());
    ix.insert(e(0, "张伟", "11010519491231002X", 999));
    assert_eq!(ix.by_key("11010519491231002X"), vec![0]);
    assert_eq!(ix.by_name("张伟", 20).newest, vec![0, 1, 2]);
    // Re-inserting a live doc replaces it.
    ix.insert(e(0, "赵六", "X", 1));
    assert!(ix.by_key("11010519491231002X").is_empty());
    assert_eq!(ix.by_name("张伟", 20).count, 2);
    assert_eq!(ix.by_name("赵六", 20).newest, vec![0]);
    assert_eq!(ix.len(), 5);
    for d in 0..6 {
        ix.remove(d);
    }
    assert!(ix.is_empty());
    assert_eq!(ix.gram_count(), 0);
    assert_eq!(ix.by_name("张伟", 20), NameHits::default());
}

#[test]
fn long_posting_lists_split_into_chunks_and_stay_ordered() {
    let mut ix = ListIndex::with_capacity(4000);
    // Listing days in a scrambled order, so inserts land all over the lists.
    for d in 0..4000u32 {
        let day = i32::try_from((d * 7919) % 4001).unwrap() - 2000;
        let name = if d % 3 == 0 { "张伟明" } else { "张伟" };
        ix.insert(e(d, name, &format!("K{}", d % 10), day));
    }
    let all = ix.by_name("张伟", 5000);
    assert_eq!(all.count, 4000);
    let keyed: Vec<(i32, u32)> = all
        .newest
        .iter()
        .map(|&d| (ix.rec(d).unwrap().listed_on, d))
        .collect();
    let mut sorted = keyed.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keyed, sorted);
    assert_eq!(ix.by_name("张伟明", 5000).count, 1334);
    assert_eq!(ix.by_name("伟明", 10).count, 1334);
    assert_eq!(ix.by_key("k3").len(), 400);
    for d in (0..4000).step_by(2) {
        assert!(ix.remove(d));
    }
    assert_eq!(ix.by_name("张伟", 1).count, 2000);
    assert_eq!(ix.by_name("张伟明", 5000).count, 667);
}

#[test]
fn names_longer_than_the_position_masks_are_still_exact() {
    let mut ix = ListIndex::new();
    let pad = "填".repeat(70);
    ix.insert(e(0, &format!("{pad}张伟明"), "", 1));
    ix.insert(e(1, &format!("张伟{pad}伟明"), "", 2));
    ix.insert(e(2, &format!("伟明{pad}张伟"), "", 3));
    ix.insert(e(
        3,
        &format!("{}张伟明{}", "填".repeat(61), "填".repeat(3)),
        "",
        4,
    ));
    assert_eq!(ix.by_name("张伟明", 20).newest, vec![3, 0]);
    assert_eq!(ix.by_name("填张伟", 20).newest, vec![3, 2, 0]);
    assert_eq!(ix.by_name("填伟明", 20).newest, vec![1]);
    assert_eq!(ix.by_name("填填填", 20).count, 4);
}

#[test]
fn keys_pack_injectively_and_others_use_their_text() {
    assert!(!pack_key("").is_packed());
    assert_eq!(pack_key("1").v, 2);
    assert_ne!(pack_key("10"), pack_key("A"));
    assert_ne!(pack_key("0"), pack_key("00"));
    assert_eq!(
        pack_key("11010519491231002x"),
        pack_key("11010519491231002X")
    );
    assert!(pack_key(&"Z".repeat(20)).is_packed());
    assert_ne!(pack_key(&"Z".repeat(20)), pack_key(&"Z".repeat(19)));
    assert_ne!(pack_key(&"Z".repeat(16)), pack_key(&"Z".repeat(15)));
    assert!(!pack_key(&"Z".repeat(21)).is_packed());
    assert!(!pack_key("12345678\u{7f}9").is_packed());
    assert_eq!(trim_fast(" 1 "), "1");
    assert_eq!(trim_fast("\u{3000}1"), "1");
    assert_eq!(trim_fast("1"), "1");
    assert!(!pack_key("1234-5678").is_packed());
    let mut ix = ListIndex::new();
    ix.insert(e(0, "甲", "12345678-9", 1));
    ix.insert(e(1, "乙", "123456789", 2));
    ix.insert(e(2, "丙", "张三的号", 3));
    ix.insert(e(3, "丁", &"9".repeat(30), 4));
    assert_eq!(ix.by_key("12345678-9"), vec![0]);
    assert_eq!(ix.by_key("123456789"), vec![1]);
    assert_eq!(ix.by_key(" 张三的号 "), vec![2]);
    assert_eq!(ix.by_key(&"9".repeat(30)), vec![3]);
    assert!(ix.by_key(&"9".repeat(29)).is_empty());
}

#[test]
fn is_send_sync_default() {
    fn check<T: Send + Sync + Default>() {}
    check::<ListIndex>();
}

// --- property test against a brute-force oracle --------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Insert(Entry),
    Remove(DocId),
}

/// A small alphabet so that substrings, shared bigrams and repeated keys are common.
fn arb_short_name() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            '张', '伟', '明', '王', '芳', '公', '司', '%', '_', 'a', ' ',
        ]),
        0..8,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Mostly short names; some pushed past the 63 positions of the bigram masks, and some with
/// the same short name on both sides of that boundary.
fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => arb_short_name(),
        1 => (arb_short_name(), 55usize..70, arb_short_name())
            .prop_map(|(a, pad, b)| format!("{a}{}{b}", "填".repeat(pad))),
    ]
}

fn arb_key() -> impl Strategy<Value = String> {
    // Packable keys (0-9 A-Z after upper-casing) and keys compared by their text; short ones,
    // and ID numbers and credit codes (16–20 bytes, hashed from their raw bytes by `hash16`)
    // in either case, with blanks, one character apart, with a byte that does not pack, and
    // at the lengths around that path's bounds.
    prop::sample::select(vec![
        "",
        "1x",
        "1X",
        " 1x ",
        "2",
        "3Y",
        "3y",
        "k",
        "1-x",
        "1-X",
        "张",
        " 张 ",
        "11010519491231002X",
        "11010519491231002x",
        " 11010519491231002x ",
        "110105194912310027",
        "1101051949123100-X",
        "1101051949123100-x",
        "91510100MA61234567",
        "91510100ma61234567",
        "123456789012345",
        "1234567890123456",
        "12345678901234567890",
        "123456789012345678901",
        "1234567890张1234567",
    ])
    .prop_map(String::from)
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u32..24, arb_name(), arb_key(), -3i32..4).prop_map(|(doc, name, key, listed_on)| {
            Op::Insert(Entry { doc, name, key, listed_on })
        }),
        1 => (0u32..24).prop_map(Op::Remove),
    ]
}

#[derive(Default)]
struct Oracle {
    rows: BTreeMap<DocId, Entry>,
}

impl Oracle {
    fn apply(&mut self, op: &Op) -> Option<bool> {
        match op {
            Op::Insert(e) => {
                self.rows.insert(e.doc, e.clone());
                None
            }
            Op::Remove(d) => Some(self.rows.remove(d).is_some()),
        }
    }

    fn newest_first(&self, mut v: Vec<&Entry>) -> Vec<DocId> {
        v.sort_by_key(|e| std::cmp::Reverse((e.listed_on, e.doc)));
        v.into_iter().map(|e| e.doc).collect()
    }

    fn by_key(&self, key: &str) -> Vec<DocId> {
        let k = normalize_key(key);
        if k.is_empty() {
            return Vec::new();
        }
        self.newest_first(
            self.rows
                .values()
                .filter(|e| normalize_key(&e.key) == k)
                .collect(),
        )
    }

    fn by_name(&self, q: &str, limit: usize) -> NameHits {
        let q = q.trim();
        let n = q.chars().count();
        if !(2..=50).contains(&n) {
            return NameHits::default();
        }
        let all = self.newest_first(self.rows.values().filter(|e| e.name.contains(q)).collect());
        NameHits {
            count: all.len(),
            newest: all.into_iter().take(limit).collect(),
        }
    }

    fn by_name_and_key(&self, name: &str, key: &str) -> Vec<DocId> {
        self.by_key(key)
            .into_iter()
            .filter(|d| {
                self.rows
                    .get(d)
                    .is_some_and(|e| e.name.trim() == name.trim())
            })
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn matches_a_brute_force_oracle(
        ops in prop::collection::vec(arb_op(), 0..80),
        queries in prop::collection::vec(arb_name(), 1..12),
        keys in prop::collection::vec(arb_key(), 1..6),
        limit in 0usize..6,
    ) {
        let mut ix = ListIndex::new();
        let mut oracle = Oracle::default();
        for op in &ops {
            let expected = oracle.apply(op);
            match op {
                Op::Insert(e) => ix.insert(e.clone()),
                Op::Remove(d) => prop_assert_eq!(Some(ix.remove(*d)), expected),
            }
        }
        prop_assert_eq!(ix.len(), oracle.rows.len());
        prop_assert_eq!(ix.is_empty(), oracle.rows.is_empty());
        for q in &queries {
            prop_assert_eq!(ix.by_name(q, limit), oracle.by_name(q, limit), "query {:?}", q);
            prop_assert_eq!(ix.by_name(q, 100), oracle.by_name(q, 100), "query {:?}", q);
        }
        // Every stored name's own substrings (the hit-rich queries).
        for e in oracle.rows.values() {
            let chars: Vec<char> = e.name.chars().collect();
            for w in 2..=chars.len().min(4) {
                for s in chars.windows(w) {
                    let q: String = s.iter().collect();
                    prop_assert_eq!(ix.by_name(&q, limit), oracle.by_name(&q, limit), "query {:?}", q);
                }
            }
        }
        for k in &keys {
            prop_assert_eq!(ix.by_key(k), oracle.by_key(k), "key {:?}", k);
            for q in &queries {
                prop_assert_eq!(ix.by_name_and_key(q, k), oracle.by_name_and_key(q, k));
            }
        }
    }

    #[test]
    fn chunked_postings_match_a_sorted_vec(
        ops in prop::collection::vec((any::<bool>(), 0u64..3000), 0..3000),
    ) {
        let mut p = Postings::default();
        let mut model: Vec<u64> = Vec::new();
        for (ins, k) in ops {
            if ins {
                let added = p.insert(k, k ^ 7);
                let pos = model.partition_point(|&x| x > k);
                let absent = model.get(pos) != Some(&k);
                if absent {
                    model.insert(pos, k);
                }
                prop_assert_eq!(added, absent);
            } else {
                let pos = model.partition_point(|&x| x > k);
                let present = model.get(pos) == Some(&k);
                if present {
                    model.remove(pos);
                }
                prop_assert_eq!(p.remove(k), present);
            }
        }
        prop_assert_eq!(p.len, model.len());
        prop_assert_eq!(p.iter().map(|x| x.0).collect::<Vec<_>>(), model.clone());
        prop_assert!(p.iter().all(|(k, m)| m == k ^ 7));
        prop_assert!(p.chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK_MAX));
        // Cursor seeks in descending order agree with membership.
        let mut c = Cursor::new(&p);
        for k in (0u64..3000).rev().step_by(3) {
            prop_assert_eq!(c.seek(k), model.binary_search_by(|x| k.cmp(x)).is_ok().then_some(k ^ 7));
        }
    }
}

proptest! {
    #[test]
    fn key_table_matches_a_model(
        ops in prop::collection::vec((any::<bool>(), 0u32..40, 0usize..7), 0..400),
    ) {
        // Few distinct hashes whose homes sit at the end of a small table, so probes wrap and
        // deletions shift entries across the end; several docs share each hash. Two hashes
        // share a home and a control byte but not a tag (bit 20), two share a home but not a
        // control byte (bit 27).
        let hashes: [u64; 7] = [
            15u64 << 33,
            14u64 << 33,
            (15u64 | 1 << 20) << 33,
            (15u64 | 1 << 27) << 33,
            31u64 << 33,
            0,
            u64::MAX,
        ];
        let mut t = KeyTable::default();
        let mut model: Vec<(u64, DocId)> = Vec::new();
        for (ins, doc, hi) in ops {
            let h = hashes[hi];
            let present = model.contains(&(h, doc));
            if ins && !present {
                t.insert(h, doc, KeyCode { v: u128::from(doc) * 3 + 1, head: doc }, i32::try_from(doc).unwrap() % 7);
                model.push((h, doc));
            } else if !ins && present {
                t.remove(h, doc);
                model.retain(|&x| x != (h, doc));
            }
            prop_assert_eq!(t.len, model.len());
            assert_ctrl_mirrors_slots(&t);
            for &h in &hashes {
                let code = |d: DocId| KeyCode { v: u128::from(d) * 3 + 1, head: d };
                prop_assert!(t.view().candidates(h).all(|(d, p, l)| p == code(d) && l == i32::try_from(d).unwrap() % 7));
                let mut got: Vec<DocId> = t.view().candidates(h).map(|(d, _, _)| d).collect();
                got.sort_unstable();
                let mut want: Vec<DocId> = model
                    .iter()
                    .filter(|(mh, _)| tag_of(*mh) == tag_of(h))
                    .map(|&(_, d)| d)
                    .collect();
                want.sort_unstable();
                prop_assert_eq!(got, want);
            }
        }
    }
}

/// A table past `MAPPED_FROM_BYTES` lives in the huge-page mapping: growth into it, lookups,
/// removals (backward shift) and a clone behave exactly as in the heap table.
#[test]
fn a_large_key_table_is_mapped_and_behaves_the_same() {
    let n: u32 = 200_000;
    let key = |i: u32| format!("{:018}", u64::from(i) * 7_919 + 11);
    let mut ix = ListIndex::new();
    for i in 0..n {
        ix.insert(e(i, "某某", &key(i), i32::try_from(i % 5000).unwrap()));
    }
    assert!(
        matches!(ix.keys.slots, Table::Mapped(_)),
        "{:?}",
        ix.keys.slots
    );
    for i in (0..n).step_by(2) {
        assert!(ix.remove(i));
    }
    let copy = ix.clone();
    assert!(matches!(copy.keys.slots, Table::Mapped(_)));
    for i in (0..n).step_by(997) {
        let want: Vec<DocId> = if i % 2 == 0 { vec![] } else { vec![i] };
        assert_eq!(ix.by_key(&key(i)), want, "{i}");
        assert_eq!(copy.by_key(&key(i)), want, "{i} (clone)");
    }
    assert!(ix.by_key(&key(n + 1)).is_empty());
    assert_eq!(ix.keys.len, usize::try_from(n / 2).unwrap());
    assert_ctrl_mirrors_slots(&ix.keys);
    assert_ctrl_mirrors_slots(&copy.keys);
}

/// Every control byte says exactly what its slot holds: 0 for an empty slot, else the byte of
/// the slot's tag (the probe trusts a 0 to end a chain).
fn assert_ctrl_mirrors_slots(t: &KeyTable) {
    let (slots, ctrl) = (t.slot_bytes(), t.ctrl.bytes());
    assert_eq!(slots.len(), ctrl.len());
    let mut live = 0;
    for (i, (s, &c)) in slots.iter().map(Slot::read).zip(ctrl).enumerate() {
        if s.head & OCCUPIED == 0 {
            assert_eq!(c, 0, "slot {i} is empty");
        } else {
            live += 1;
            assert_eq!(c, ctrl_of(slot_tag(s.head)), "slot {i}");
        }
    }
    assert_eq!(live, t.len);
}

proptest! {
    /// Packing is injective on keys of 0-9 A-Z (either case) and refuses everything else, so a
    /// slot's packed key decides equality exactly.
    #[test]
    fn packed_keys_are_equal_exactly_when_the_keys_are(
        a in "[0-9A-Za-z]{1,22}",
        b in "[0-9A-Za-z]{1,22}",
        junk in "[0-9A-Z]{0,9}[^0-9A-Za-z][0-9A-Z]{0,9}",
    ) {
        let (pa, pb) = (pack_key(&a), pack_key(&b));
        prop_assert_eq!(pa.is_packed(), a.len() <= PACK_MAX);
        if pa.is_packed() && pb.is_packed() {
            prop_assert_eq!(pa == pb, a.eq_ignore_ascii_case(&b));
        }
        prop_assert!(!pack_key(&junk).is_packed());
        // The same key in another case, and one character changed: equal, and not.
        let flipped: String = a
            .chars()
            .enumerate()
            .map(|(i, c)| if i % 2 == 0 { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() })
            .collect();
        prop_assert_eq!(pack_key(&flipped), pa);
        if let Some(last) = a.chars().last() {
            let other = if last.eq_ignore_ascii_case(&'7') { '8' } else { '7' };
            let changed = format!("{}{other}", &a[..a.len() - 1]);
            if pa.is_packed() {
                prop_assert_ne!(pack_key(&changed), pa);
            }
        }
        if let Some(first) = a.chars().next() {
            let other = if first.eq_ignore_ascii_case(&'7') { '8' } else { '7' };
            let changed = format!("{other}{}", &a[1..]);
            if pa.is_packed() {
                prop_assert_ne!(pack_key(&changed), pa);
            }
        }
    }

    /// The check and fold of the first and last 16 bytes at once (SSE2) gives the byte-at-a-time
    /// answer for every string:
    /// keys of 16–20 characters (where it runs), mixed case, a junk byte anywhere (including
    /// bytes ≥ 0x80, which are negative to its signed compares) and the characters just outside
    /// each range; a junk byte anywhere, head or tail, refuses the key.
    #[test]
    fn sixteen_at_once_packs_as_one_at_a_time(
        s in "[0-9A-Za-z/:@\\[`{\u{7f}é\u{0}\u{10}\u{19}]{0,24}",
        clean in "[0-9A-Za-z]{16,20}",
        at in 0usize..20,
        // 0x10 and 0x19 fold to the folded digits '0' and '9' (bit 5 cleared).
        bad in prop::sample::select(vec!['/', ':', '@', '[', '`', '{', '\u{7f}', 'é', '\u{0}', '\u{10}', '\u{19}', ' ', '-']),
    ) {
        for n in GROUP..=PACK_MAX {
            for w in s.as_bytes().windows(n).chain([clean.as_bytes()]) {
                prop_assert_eq!(wide20(w), wide20_scalar(w));
            }
        }
        prop_assert!(pack_key(&clean).is_packed());
        let mut dirty: Vec<char> = clean.chars().collect();
        let i = at % dirty.len();
        if let Some(c) = dirty.get_mut(i) {
            *c = bad;
        }
        let dirty: String = dirty.into_iter().collect();
        prop_assert!(!pack_key(&dirty).is_packed());
    }
}

/// A bulk check answers exactly as one lookup per key, in order, for batches shorter and longer
/// than the prefetch distance: hits with several listings, lower case, blanks, keys that do not
/// pack, removed entries, misses and repeats.
#[test]
fn a_bulk_check_answers_as_single_lookups() {
    let mut ix = ListIndex::new();
    let key = |i: u32| format!("{:017}X", u64::from(i) * 104_729 + 3);
    for i in 0..300u32 {
        ix.insert(e(i, "某某", &key(i % 200), i32::try_from(i).unwrap()));
    }
    ix.insert(e(300, "甲", "12345678-9", 5));
    ix.insert(e(301, "乙", "", 5));
    for i in (0..300).step_by(7) {
        assert!(ix.remove(i));
    }
    let mut queries: Vec<String> = Vec::new();
    for i in 0..260u32 {
        queries.push(match i % 6 {
            0 => key(i).to_ascii_lowercase(),
            1 => format!(" {} ", key(i)),
            2 => key(i + 1000),
            3 => String::new(),
            4 => "12345678-9".to_owned(),
            _ => key(i % 3),
        });
    }
    for n in [
        0,
        1,
        BATCH_AHEAD / 2 - 1,
        BATCH_AHEAD,
        BATCH_AHEAD + 1,
        100,
        260,
    ] {
        let batch = &queries[..n];
        let want: Vec<Vec<DocId>> = batch.iter().map(|q| ix.by_key(q)).collect();
        assert_eq!(ix.by_keys(batch), want, "batch of {n}");
        let mut seen = Vec::new();
        ix.by_keys_with(batch, |i, _| seen.push(i));
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        for ahead in [8, 16, 32, 64] {
            for two_stage in [false, true] {
                let mut got = Vec::new();
                ix.by_keys_tuned(batch, ahead, two_stage, |_, h| got.push(h.to_vec()));
                assert_eq!(
                    got, want,
                    "batch of {n}, {ahead} ahead, two stages {two_stage}"
                );
            }
        }
    }
    // The answers are real: repeats of a relisted key come newest first.
    assert_eq!(ix.by_keys(&[key(1)]), vec![vec![201, 1]]);
    assert!(ix.by_keys(&[key(7)])[0].iter().all(|&d| d % 7 != 0));
}

proptest! {
    /// The 16-byte group probe names exactly the slots the byte-by-byte walk would, and
    /// declines only where the walk has to go on past the group or the table's end.
    #[test]
    fn the_group_probe_agrees_with_the_byte_walk(
        ctrl in prop::collection::vec(prop::sample::select(vec![0u8, 0x80, 0x81, 0x85, 0xff]), 1..64),
        start in 0usize..64,
        want in prop::sample::select(vec![0x80u8, 0x81, 0x85, 0xff]),
    ) {
        let start = start % ctrl.len();
        let walk: Vec<usize> = (start..ctrl.len())
            .take_while(|&i| ctrl[i] != 0)
            .filter(|&i| ctrl[i] == want)
            .map(|i| i - start)
            .collect();
        let window_has_end = start + GROUP <= ctrl.len() && ctrl[start..start + GROUP].contains(&0);
        match group_matches(&ctrl, start, want) {
            Some(bits) => {
                prop_assert!(window_has_end);
                prop_assert_eq!(Bits(bits).collect::<Vec<_>>(), walk);
            }
            None => prop_assert!(!window_has_end || !cfg!(target_arch = "x86_64")),
        }
    }
}

//! A published list entry as the public portal keeps it in memory ([`crate::lists`]).
//!
//! A [`ListEntryRow`] holds 23 strings, each its own heap allocation: a lookup that shows one
//! entry touched the row (nine cache lines) and then a dozen scattered strings, each a cache
//! miss on a list of millions, and copied every one. [`Published`] keeps all the text of an
//! entry in one allocation, the fields the portal shows first, with the field boundaries as
//! offsets: a lookup reads one run of adjacent cache lines and copies nothing
//! ([`Published::public_ref`]). The memory of an entry falls from ~1.3 KB to its text plus
//! ~150 bytes.
//!
//! It converts back to the row losslessly ([`Published::to_row`]), which the partners' bulk
//! check uses.

use chrono::NaiveDate;
use zhixing_store::measures::ListEntryRow;

use crate::measures::{MaskedId, PublicItemRef, birth_date};

/// The text fields' positions, in storage order: those the portal shows first (SX2017 art 6),
/// then the rest.
mod f {
    pub const NAME: usize = 0;
    pub const ID_NUMBER: usize = 1;
    pub const SEX: usize = 2;
    pub const LEGAL_REPRESENTATIVE: usize = 3;
    pub const CASE_NUMBER: usize = 4;
    pub const COURT_NAME: usize = 5;
    pub const BASIS: usize = 6;
    pub const OBLIGATION: usize = 7;
    pub const PERFORMANCE: usize = 8;
    pub const CONDUCT: usize = 9;
    pub const FILED_ON: usize = 10;
    pub const LISTED_ON: usize = 11;
    pub const BIRTH_DATE: usize = 12;
    pub const COURT_CODE: usize = 13;
    pub const ID: usize = 14;
    pub const LIST: usize = 15;
    pub const MEASURE_ID: usize = 16;
    pub const CASE_ID: usize = 17;
    pub const SUBJECT_KIND: usize = 18;
    pub const PUBLISH_ON: usize = 19;
    pub const STATUS: usize = 20;
    pub const DELETED_ON: usize = 21;
    pub const DELETE_REASON: usize = 22;
}

const FIELDS: usize = f::DELETE_REASON + 1;

/// One published entry: its text in one allocation (see the module note).
#[derive(Debug, Clone)]
pub(crate) struct Published {
    text: Box<str>,
    /// End offset of each field in `text` (a field starts where the previous one ends).
    ends: [u32; FIELDS],
    /// Bit `f` set: the optional field `f` is present (`Some`, possibly empty).
    present: u32,
    /// The birth date read once at load (the age is computed per lookup, on the day).
    birth: Option<NaiveDate>,
    updated_at: i64,
    feed_sent: i64,
}

impl Published {
    pub(crate) fn new(r: &ListEntryRow) -> Published {
        fn opt(o: &Option<String>) -> Option<&str> {
            o.as_deref()
        }
        let fields: [(usize, Option<&str>); FIELDS] = [
            (f::NAME, Some(&r.name)),
            (f::ID_NUMBER, Some(&r.id_number)),
            (f::SEX, opt(&r.sex)),
            (f::LEGAL_REPRESENTATIVE, opt(&r.legal_representative)),
            (f::CASE_NUMBER, Some(&r.case_number)),
            (f::COURT_NAME, Some(&r.court_name)),
            (f::BASIS, Some(&r.basis)),
            (f::OBLIGATION, Some(&r.obligation)),
            (f::PERFORMANCE, Some(&r.performance)),
            (f::CONDUCT, Some(&r.conduct)),
            (f::FILED_ON, Some(&r.filed_on)),
            (f::LISTED_ON, Some(&r.listed_on)),
            (f::BIRTH_DATE, opt(&r.birth_date)),
            (f::COURT_CODE, Some(&r.court_code)),
            (f::ID, Some(&r.id)),
            (f::LIST, Some(&r.list)),
            (f::MEASURE_ID, opt(&r.measure_id)),
            (f::CASE_ID, Some(&r.case_id)),
            (f::SUBJECT_KIND, Some(&r.subject_kind)),
            (f::PUBLISH_ON, Some(&r.publish_on)),
            (f::STATUS, Some(&r.status)),
            (f::DELETED_ON, opt(&r.deleted_on)),
            (f::DELETE_REASON, opt(&r.delete_reason)),
        ];
        let mut text =
            String::with_capacity(fields.iter().map(|(_, v)| v.map_or(0, str::len)).sum());
        let mut ends = [0u32; FIELDS];
        let mut present = 0u32;
        for (i, (f, v)) in fields.iter().enumerate() {
            debug_assert_eq!(*f, i);
            if let Some(v) = v {
                text.push_str(v);
                present |= 1 << i;
            }
            // A row's text is far below 4 GiB (the database's columns are bounded); saturate
            // rather than wrap if it ever were not.
            ends[i] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        Published {
            text: text.into_boxed_str(),
            ends,
            present,
            birth: birth_date(r.birth_date.as_deref()),
            updated_at: r.updated_at,
            feed_sent: r.feed_sent,
        }
    }

    fn get(&self, field: usize) -> &str {
        let end = |i: usize| {
            self.ends
                .get(i)
                .map_or(0, |&e| usize::try_from(e).unwrap_or(0))
        };
        let start = if field == 0 { 0 } else { end(field - 1) };
        self.text.get(start..end(field)).unwrap_or("")
    }

    fn opt(&self, field: usize) -> Option<&str> {
        (self.present & (1 << field) != 0).then(|| self.get(field))
    }

    pub(crate) fn name(&self) -> &str {
        self.get(f::NAME)
    }

    /// The public view (SX2017 art 6), borrowed: nothing is copied.
    pub(crate) fn public_ref<'a>(&'a self, mask: &str, today: NaiveDate) -> PublicItemRef<'a> {
        PublicItemRef {
            name: self.get(f::NAME),
            id_masked: MaskedId::new(self.get(f::ID_NUMBER), mask),
            sex: self.opt(f::SEX),
            age: self
                .birth
                .map(|b| zhixing_domain::id_number::age_between(b, today)),
            legal_representative: self.opt(f::LEGAL_REPRESENTATIVE),
            case_number: self.get(f::CASE_NUMBER),
            court: self.get(f::COURT_NAME),
            basis: self.get(f::BASIS),
            obligation: self.get(f::OBLIGATION),
            performance: self.get(f::PERFORMANCE),
            conduct: self.get(f::CONDUCT),
            filed_on: self.get(f::FILED_ON),
            listed_on: self.get(f::LISTED_ON),
        }
    }

    /// The row back, field for field.
    pub(crate) fn to_row(&self) -> ListEntryRow {
        let s = |field: usize| self.get(field).to_owned();
        let o = |field: usize| self.opt(field).map(str::to_owned);
        ListEntryRow {
            court_code: s(f::COURT_CODE),
            id: s(f::ID),
            list: s(f::LIST),
            measure_id: o(f::MEASURE_ID),
            case_id: s(f::CASE_ID),
            subject_kind: s(f::SUBJECT_KIND),
            name: s(f::NAME),
            id_number: s(f::ID_NUMBER),
            sex: o(f::SEX),
            birth_date: o(f::BIRTH_DATE),
            legal_representative: o(f::LEGAL_REPRESENTATIVE),
            case_number: s(f::CASE_NUMBER),
            court_name: s(f::COURT_NAME),
            basis: s(f::BASIS),
            obligation: s(f::OBLIGATION),
            performance: s(f::PERFORMANCE),
            conduct: s(f::CONDUCT),
            filed_on: s(f::FILED_ON),
            listed_on: s(f::LISTED_ON),
            publish_on: s(f::PUBLISH_ON),
            status: s(f::STATUS),
            deleted_on: o(f::DELETED_ON),
            delete_reason: o(f::DELETE_REASON),
            updated_at: self.updated_at,
            feed_sent: self.feed_sent,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;
    use zhixing_domain::measure::{DEFAULT_ID_MASK, mask_id};

    use super::*;
    use crate::measures::PublicItem;

    /// The public view as it was built before `Published`: every field copied from the row.
    fn reference_item(e: &ListEntryRow, mask: &str, today: NaiveDate) -> PublicItem {
        PublicItem {
            name: e.name.clone(),
            id_masked: mask_id(&e.id_number, mask),
            sex: e.sex.clone(),
            age: e
                .birth_date
                .as_deref()
                .and_then(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").ok())
                .map(|b| zhixing_domain::id_number::age_between(b, today)),
            legal_representative: e.legal_representative.clone(),
            case_number: e.case_number.clone(),
            court: e.court_name.clone(),
            basis: e.basis.clone(),
            obligation: e.obligation.clone(),
            performance: e.performance.clone(),
            conduct: e.conduct.clone(),
            filed_on: e.filed_on.clone(),
            listed_on: e.listed_on.clone(),
        }
    }

    fn text() -> impl Strategy<Value = String> {
        // Empty, ASCII, and Chinese text with JSON's special characters.
        prop_oneof![
            Just(String::new()),
            "[a-zA-Z0-9 \"\\\\/\\n]{0,12}",
            "[张王李伟（）〔〕号执川0-9]{1,20}",
        ]
    }

    fn opt_text() -> impl Strategy<Value = Option<String>> {
        prop_oneof![Just(None), text().prop_map(Some)]
    }

    fn id_number() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{17}[0-9X]",
            "[0-9]{17}[中é]",
            "[0-9A-HJ-NP-RTUWXY]{18}",
            "[0-9]{16,19}",
            text(),
        ]
    }

    fn birth() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some("1985-02-29".to_owned())),
            (1930i32..2020, 1u32..13, 1u32..29)
                .prop_map(|(y, m, d)| Some(format!("{y:04}-{m:02}-{d:02}"))),
            text().prop_map(Some),
        ]
    }

    prop_compose! {
        fn row()(
            a in prop::collection::vec(text(), 17),
            o in prop::collection::vec(opt_text(), 5),
            id_number in id_number(),
            birth_date in birth(),
            updated_at in any::<i64>(),
            feed_sent in 0i64..2,
        ) -> ListEntryRow {
            ListEntryRow {
                court_code: a[0].clone(),
                id: a[1].clone(),
                list: a[2].clone(),
                measure_id: o[0].clone(),
                case_id: a[3].clone(),
                subject_kind: a[4].clone(),
                name: a[5].clone(),
                id_number,
                sex: o[1].clone(),
                birth_date,
                legal_representative: o[2].clone(),
                case_number: a[6].clone(),
                court_name: a[7].clone(),
                basis: a[8].clone(),
                obligation: a[9].clone(),
                performance: a[10].clone(),
                conduct: a[11].clone(),
                filed_on: a[12].clone(),
                listed_on: a[13].clone(),
                publish_on: a[14].clone(),
                status: a[15].clone(),
                deleted_on: o[3].clone(),
                delete_reason: o[4].clone(),
                updated_at,
                feed_sent,
            }
        }
    }

    fn pattern() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(DEFAULT_ID_MASK.to_owned()),
            "[#*]{18}",
            "[#*]{0,17}",
            "[#*x]{19}",
        ]
    }

    proptest! {
        #[test]
        fn a_row_comes_back_field_for_field(r in row()) {
            prop_assert_eq!(Published::new(&r).to_row(), r);
        }

        #[test]
        fn the_public_view_is_the_copied_one_and_serialises_alike(
            r in row(),
            mask in pattern(),
            days in 0i64..40_000,
        ) {
            let today = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(days);
            let p = Published::new(&r);
            let view = p.public_ref(&mask, today);
            let expected = reference_item(&r, &mask, today);
            prop_assert_eq!(
                serde_json::to_string(&view).unwrap(),
                serde_json::to_string(&expected).unwrap()
            );
            prop_assert_eq!(view.to_item(), expected.clone());
            // The partners' check shows rows through `public_item`: the same view.
            prop_assert_eq!(crate::measures::public_item(&r, &mask, today), expected);
        }
    }

    #[test]
    fn the_default_mask_hides_birth_month_and_day_without_copying() {
        let m = MaskedId::new("511123198507150270", DEFAULT_ID_MASK);
        assert!(matches!(m, MaskedId::Inline(_)));
        assert_eq!(m.as_str(), "5111231985****0270");
        // A credit code is public (SX2017 art 6): shown as it is, borrowed.
        let c = MaskedId::new("91511123MA62A0XY4K", DEFAULT_ID_MASK);
        assert!(matches!(c, MaskedId::Other(std::borrow::Cow::Borrowed(_))));
        assert_eq!(c.as_str(), "91511123MA62A0XY4K");
    }
}

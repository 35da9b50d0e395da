//! The published lists in memory for the public portal: one `ListIndex` per list (失信, 限制消费,
//! 终本) over the `public_list_entries` rows, fed by the same `list_changes` the partners pull.
//!
//! - Loaded on first use (or by `App::load_public_lists` at start), page by page.
//! - `refresh` applies every change from the settled cursor on (idempotently: an entry is
//!   replaced or removed by its id), then moves the cursor to the last change older than the settle
//!   window, so a slower concurrent commit elsewhere (another server of a province) is picked up by
//!   a later refresh. Use cases that change a list refresh right after their commit; the scheduler
//!   refreshes every tick.
//! - An entry whose publication date is still ahead (宽限期) waits outside the index until it comes.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{Datelike, NaiveDate};
use zhixing_domain::time::china_date;
use zhixing_listindex::{DocId, Entry, ListIndex};
use zhixing_store::measures::{self as store, ListEntryRow};

use crate::measures::{FEED_SETTLE_MS, PublicItem, PublicItemRef};
use crate::published::Published;
use crate::{App, AppError};

/// The three public lists.
pub const LISTS: [&str; 3] = ["dishonest", "restricted", "terminated"];

#[derive(Default)]
struct List {
    index: ListIndex,
    rows: Vec<Option<Published>>,
    by_entry: HashMap<String, DocId>,
}

impl List {
    fn remove(&mut self, entry_id: &str) {
        if let Some(doc) = self.by_entry.remove(entry_id) {
            self.index.remove(doc);
            if let Some(slot) = usize::try_from(doc).ok().and_then(|i| self.rows.get_mut(i)) {
                *slot = None;
            }
        }
    }

    fn insert(&mut self, row: ListEntryRow) {
        self.remove(&row.id);
        let Ok(doc) = DocId::try_from(self.rows.len()) else {
            return;
        };
        self.index.insert(Entry {
            doc,
            name: row.name.clone(),
            key: row.id_number.clone(),
            listed_on: day_number(&row.listed_on),
        });
        self.by_entry.insert(row.id.clone(), doc);
        self.rows.push(Some(Published::new(&row)));
    }

    fn row(&self, doc: DocId) -> Option<&Published> {
        usize::try_from(doc)
            .ok()
            .and_then(|i| self.rows.get(i))
            .and_then(Option::as_ref)
    }
}

fn day_number(ymd: &str) -> i32 {
    NaiveDate::parse_from_str(ymd, "%Y-%m-%d")
        .map(|d| d.num_days_from_ce() - 719_163)
        .unwrap_or(0)
}

#[derive(Default)]
struct State {
    loaded: bool,
    lists: HashMap<&'static str, List>,
    /// Entries not yet published (grace period), by entry id.
    pending: HashMap<String, ListEntryRow>,
    cursor: String,
}

impl State {
    fn list(&mut self, name: &str) -> Option<&mut List> {
        let key = LISTS.into_iter().find(|l| *l == name)?;
        Some(self.lists.entry(key).or_default())
    }

    fn put(&mut self, row: ListEntryRow, today: &str) {
        let id = row.id.clone();
        let list = row.list.clone();
        self.pending.remove(&id);
        if let Some(l) = self.list(&list) {
            l.remove(&id);
        }
        if row.status != "listed" {
            return;
        }
        if row.publish_on.as_str() > today {
            self.pending.insert(id, row);
        } else if let Some(l) = self.list(&list) {
            l.insert(row);
        }
    }

    fn publish_due(&mut self, today: &str) {
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, r)| r.publish_on.as_str() <= today)
            .map(|(k, _)| k.clone())
            .collect();
        for id in due {
            if let Some(row) = self.pending.remove(&id) {
                self.put(row, today);
            }
        }
    }
}

/// The in-memory public lists (shared by clones of an [`App`]).
#[derive(Default)]
pub struct PublicLists {
    state: RwLock<State>,
    refreshing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for PublicLists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicLists")
            .field("sizes", &self.sizes())
            .finish()
    }
}

/// A name search: the exact number of matching published entries and the 20 newest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct NameResult {
    pub count: usize,
    pub items: Vec<PublicItem>,
}

/// Most items a public answer carries (issue 4 §3: bounded result sizes).
pub const PUBLIC_LIMIT: usize = 20;

impl PublicLists {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_loaded(&self) -> bool {
        self.read().loaded
    }

    /// Live entries per list.
    pub fn sizes(&self) -> Vec<(&'static str, usize)> {
        let s = self.read();
        LISTS
            .into_iter()
            .map(|l| (l, s.lists.get(l).map_or(0, |x| x.index.len())))
            .collect()
    }

    /// Exact name and ID number / credit code: `f` sees the public views (at most
    /// [`PUBLIC_LIMIT`], newest first) borrowed from the list under its read lock, so an answer
    /// can be written without copying an entry. Keep `f` short: writers wait for it.
    pub fn with_name_and_key<R>(
        &self,
        list: &str,
        name: &str,
        key: &str,
        mask: &str,
        today: NaiveDate,
        f: impl FnOnce(&[PublicItemRef<'_>]) -> R,
    ) -> R {
        let s = self.read();
        let Some(l) = s.lists.get(list) else {
            return f(&[]);
        };
        // The index's `by_name_and_key` reads each candidate's name from its own storage; the
        // entry's text (read anyway to answer) holds the same name, so compare there: two fewer
        // dependent cache misses per lookup. Same rule: trimmed names equal.
        let name = name.trim();
        let items: Vec<PublicItemRef<'_>> = l
            .index
            .by_key(key)
            .into_iter()
            .filter_map(|d| l.row(d))
            .filter(|r| r.name().trim() == name)
            .take(PUBLIC_LIMIT)
            .map(|r| r.public_ref(mask, today))
            .collect();
        f(&items)
    }

    /// A partner's bulk check: for each normalised key, its published entries on `list`
    /// (newest first, every one: the caller shows at most [`PUBLIC_LIMIT`] but weighs all when it
    /// reads permissions), in the order of `keys`; one batched probe of the key index
    /// (`ListIndex::by_keys_with`).
    pub fn check_keys(&self, list: &str, keys: &[String]) -> Vec<Vec<ListEntryRow>> {
        let s = self.read();
        let Some(l) = s.lists.get(list) else {
            return vec![Vec::new(); keys.len()];
        };
        let mut out = Vec::with_capacity(keys.len());
        l.index.by_keys_with(keys, |_, docs| {
            out.push(
                docs.iter()
                    .filter_map(|&d| l.row(d))
                    .map(Published::to_row)
                    .collect(),
            );
        });
        out
    }

    /// Name substring: the count and the 20 newest.
    pub fn by_name(&self, list: &str, name: &str, mask: &str, today: NaiveDate) -> NameResult {
        let s = self.read();
        let Some(l) = s.lists.get(list) else {
            return NameResult {
                count: 0,
                items: Vec::new(),
            };
        };
        let hits = l.index.by_name(name, PUBLIC_LIMIT);
        NameResult {
            count: hits.count,
            items: hits
                .newest
                .into_iter()
                .filter_map(|d| l.row(d))
                .map(|r| r.public_ref(mask, today).to_item())
                .collect(),
        }
    }
}

impl App {
    /// Load the published lists into memory (idempotent; `zhixing serve` calls it at start, a
    /// lookup on first use).
    pub async fn load_public_lists(&self, now_ms: i64) -> Result<(), AppError> {
        if self.lists.is_loaded() {
            return Ok(());
        }
        let _guard = self.lists.refreshing.lock().await;
        if self.lists.is_loaded() {
            return Ok(());
        }
        let today = china_date(now_ms).format("%Y-%m-%d").to_string();
        let mut conn = self.db.conn().await?;
        // The cursor first: changes committed while the pages are read are re-applied by the
        // first refresh (idempotent), none is missed.
        let cursor =
            store::settled_cursor(&mut conn, now_ms.saturating_sub(FEED_SETTLE_MS)).await?;
        let mut state = State::default();
        let mut after: Option<(String, String)> = None;
        loop {
            let page = store::listed_page(
                &mut conn,
                after.as_ref().map(|(c, i)| (c.as_str(), i.as_str())),
                5_000,
            )
            .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.court_code.clone(), last.id.clone()));
            let full = page.len() < 5_000;
            for row in page {
                state.put(row, &today);
            }
            if full {
                break;
            }
        }
        drop(conn);
        state.cursor = cursor;
        state.loaded = true;
        *self.lists.write() = state;
        // (The refresh takes the same lock: release it first.)
        drop(_guard);
        self.refresh_public_lists(now_ms).await
    }

    /// Apply the list changes since the settled cursor (see the module note).
    pub async fn refresh_public_lists(&self, now_ms: i64) -> Result<(), AppError> {
        if !self.lists.is_loaded() {
            return Ok(());
        }
        let _guard = self.lists.refreshing.lock().await;
        let today = china_date(now_ms).format("%Y-%m-%d").to_string();
        let cursor = self.lists.read().cursor.clone();
        let settle = now_ms.saturating_sub(FEED_SETTLE_MS);
        let mut conn = self.db.conn().await?;
        let mut after = cursor.clone();
        let mut new_cursor = cursor;
        let mut rows: Vec<(String, String, Option<ListEntryRow>)> = Vec::new();
        loop {
            let changes = store::changes_after(&mut conn, &after, i64::MAX, 1_000).await?;
            let Some(last) = changes.last() else { break };
            after = last.id.clone();
            let n = changes.len();
            for c in changes {
                if c.created_at < settle {
                    new_cursor = c.id.clone();
                }
                // A consumption-permission event changes no list entry (the partners' check reads
                // permissions from the database).
                if c.kind() != "entry" {
                    continue;
                }
                let row = store::find_entry(&mut conn, &c.entry_id).await?;
                rows.push((c.entry_id, c.list, row));
            }
            if n < 1_000 {
                break;
            }
        }
        drop(conn);
        let mut s = self.lists.write();
        for (entry_id, list, row) in rows {
            match row {
                Some(r) => s.put(r, &today),
                None => {
                    if let Some(l) = s.list(&list) {
                        l.remove(&entry_id);
                    }
                }
            }
        }
        s.publish_due(&today);
        s.cursor = new_cursor;
        Ok(())
    }

    /// Refresh after a use case changed a list; a failure is logged, not returned (the write is
    /// committed; the next refresh catches up).
    pub(crate) async fn lists_changed(&self, now_ms: i64) {
        if let Err(e) = self.refresh_public_lists(now_ms).await {
            tracing::error!("public list refresh failed: {e}");
        }
    }
}

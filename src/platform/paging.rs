//! Reading a list page by page (`offset` until the answer's `total`, reference
//! §8 item 14), within bounds on the pages asked for, the items kept and the
//! bytes read: a server that never ends a list (a `total` of 10^12, pages of
//! megabytes) costs a known amount of time and memory, and a listing a bound
//! stopped says where. Each answer's own size is capped as it is read (`http`).
//! Every paged read goes through `Pager`; the callers only send and parse.

use serde::Serialize;

/// What the commands' lists hold, as a listing that stopped names them.
pub const APPLICATIONS: &str = "client applications";
pub const API_INSTANCES: &str = "API instances";

/// How much of one list is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Pages asked for.
    pub pages: usize,
    /// Items kept.
    pub items: usize,
    /// Bytes of answer bodies read, over all pages.
    pub bytes: u64,
}

const MIB: u64 = 1024 * 1024;

/// A list a command prints or searches (client applications, API
/// instances): far above a real organization's (a client application is
/// about 1 KB of JSON), far below what would strain a laptop.
pub const LISTING: Bounds = Bounds {
    pages: 1000,
    items: 20_000,
    bytes: 32 * MIB,
};

/// Which bound stopped a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Pages,
    Items,
    Bytes,
}

/// Where a bound stopped a listing, and what had been read by then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cut {
    pub stopped_by: Bound,
    /// The bound's value: pages, items or bytes.
    pub limit: u64,
    pub items_read: usize,
    pub pages_read: usize,
    pub bytes_read: u64,
    /// The list's size as the answers gave it (their `total`), when they did.
    pub total: Option<u64>,
}

impl Cut {
    /// One sentence: `anypoint-doctor stopped reading it at its bound of 32
    /// MiB read, after 8190 client applications in 9 page(s) (33.4 MiB); the
    /// answers counted 1000000000000`.
    pub fn describe(&self, items: &str) -> String {
        let bound = match self.stopped_by {
            Bound::Pages => format!("{} pages", self.limit),
            Bound::Items => format!("{} {items}", self.limit),
            Bound::Bytes => format!("{} read", mib(self.limit)),
        };
        let total = self
            .total
            .map_or(String::new(), |t| format!("; the answers counted {t}"));
        format!(
            "anypoint-doctor stopped reading it at its bound of {bound}, after {} {items} in {} page(s) ({}){total}",
            self.items_read,
            self.pages_read,
            mib(self.bytes_read)
        )
    }
}

/// `32 MiB`, `33.4 MiB`.
fn mib(bytes: u64) -> String {
    let shown = format!("{:.1}", bytes as f64 / MIB as f64);
    format!("{} MiB", shown.trim_end_matches(".0"))
}

/// One page as its caller read it.
pub struct Page<T> {
    /// What the page holds, as the caller keeps it.
    pub items: Vec<T>,
    /// How far it moves the `offset`: its entries (an API Manager page's
    /// entries are assets, each with instances).
    pub entries: usize,
    /// The answer's `total`, in entries.
    pub total: Option<u64>,
    /// The size of the answer's body.
    pub bytes: usize,
}

/// How a list's reading ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The total reached, or an empty page (or a short one, where a short page ends the list).
    Complete,
    /// An empty page before the total the answers gave.
    ShortOfTotal { total: u64 },
    /// A bound stopped it.
    Cut(Cut),
}

/// The reading of one list: `next_offset` says which page to ask for next
/// (none once the list has ended), `take` counts the page read.
pub struct Pager<T> {
    bounds: Bounds,
    items: Vec<T>,
    offset: usize,
    pages: usize,
    bytes: u64,
    total: Option<u64>,
    /// Without a total, a page with fewer entries than this is the last.
    short_page: Option<usize>,
    end: Option<End>,
}

impl<T> Pager<T> {
    pub fn new(bounds: Bounds) -> Pager<T> {
        Pager {
            bounds,
            items: Vec::new(),
            offset: 0,
            pages: 0,
            bytes: 0,
            total: None,
            short_page: None,
            end: None,
        }
    }

    /// Without a total, a page of fewer than `size` entries ends the list
    /// (for a list whose server gives the whole page asked for).
    pub fn short_page_ends(mut self, size: usize) -> Pager<T> {
        self.short_page = Some(size);
        self
    }

    /// The `offset` of the next page to ask for; `None` once the list has
    /// ended, or a bound stops it before another page.
    pub fn next_offset(&mut self) -> Option<usize> {
        if self.end.is_some() {
            return None;
        }
        if self.pages >= self.bounds.pages {
            self.end = Some(End::Cut(self.cut(Bound::Pages)));
            return None;
        }
        Some(self.offset)
    }

    /// Counts one page: its items are kept up to the items bound.
    pub fn take(&mut self, page: Page<T>) {
        self.pages += 1;
        self.bytes = self.bytes.saturating_add(page.bytes as u64);
        self.offset = self.offset.saturating_add(page.entries);
        self.total = page.total.or(self.total);
        let room = self.bounds.items.saturating_sub(self.items.len());
        let dropped = page.items.len() > room;
        self.items.extend(page.items.into_iter().take(room));
        let last = match page.total {
            Some(total) => self.offset as u64 >= total,
            None => page.entries == 0 || self.short_page.is_some_and(|size| page.entries < size),
        };
        self.end = if dropped || (!last && self.items.len() >= self.bounds.items) {
            Some(End::Cut(self.cut(Bound::Items)))
        } else if last {
            Some(End::Complete)
        } else if page.entries == 0 {
            // Not the last by the total, yet nothing more comes.
            Some(End::ShortOfTotal {
                total: self.total.unwrap_or_default(),
            })
        } else if self.bytes >= self.bounds.bytes {
            Some(End::Cut(self.cut(Bound::Bytes)))
        } else {
            None
        };
    }

    /// The items kept and how the reading ended.
    pub fn finish(self) -> (Vec<T>, End) {
        (self.items, self.end.unwrap_or(End::Complete))
    }

    /// The items kept, and the bound that stopped the reading if one did;
    /// an empty page before the total ends the list as well.
    pub fn listing(self) -> Listing<T> {
        let (items, end) = self.finish();
        let cut = match end {
            End::Cut(cut) => Some(cut),
            End::Complete | End::ShortOfTotal { .. } => None,
        };
        Listing { items, cut }
    }

    fn cut(&self, stopped_by: Bound) -> Cut {
        Cut {
            stopped_by,
            limit: match stopped_by {
                Bound::Pages => self.bounds.pages as u64,
                Bound::Items => self.bounds.items as u64,
                Bound::Bytes => self.bounds.bytes,
            },
            items_read: self.items.len(),
            pages_read: self.pages,
            bytes_read: self.bytes,
            total: self.total,
        }
    }
}

/// A list as read: its items, and where a bound stopped it (`None`: the whole list).
#[derive(Debug)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub cut: Option<Cut>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Bounds = Bounds {
        pages: 5,
        items: 10,
        bytes: 1000,
    };

    /// Reads pages of `per_page` items, `bytes` each, of a list of `total`.
    fn read(bounds: Bounds, per_page: usize, bytes: usize, total: Option<u64>) -> (usize, End) {
        let mut pager = Pager::new(bounds);
        let mut asked = 0;
        while let Some(offset) = pager.next_offset() {
            asked += 1;
            let left = total.map_or(per_page, |t| (t as usize).saturating_sub(offset));
            let entries = per_page.min(left);
            pager.take(Page {
                items: vec![(); entries],
                entries,
                total,
                bytes,
            });
        }
        let (items, end) = pager.finish();
        assert!(items.len() <= bounds.items);
        assert!(asked <= bounds.pages);
        (items.len(), end)
    }

    #[test]
    fn a_list_within_the_bounds_is_read_to_its_total() {
        assert_eq!(read(SMALL, 3, 10, Some(8)), (8, End::Complete));
        assert_eq!(read(SMALL, 3, 10, Some(0)), (0, End::Complete));
    }

    #[test]
    fn each_bound_stops_a_list_that_never_ends_and_says_which() {
        let cut = |end: End| match end {
            End::Cut(cut) => (cut.stopped_by, cut.items_read, cut.pages_read),
            other => panic!("not cut: {other:?}"),
        };
        let endless = Some(1_000_000_000_000);
        assert_eq!(cut(read(SMALL, 4, 10, endless).1), (Bound::Items, 10, 3));
        assert_eq!(cut(read(SMALL, 1, 10, endless).1), (Bound::Pages, 5, 5));
        assert_eq!(cut(read(SMALL, 1, 400, endless).1), (Bound::Bytes, 3, 3));
        // Exactly the items bound, and the list ends there: whole.
        assert_eq!(read(SMALL, 5, 10, Some(10)), (10, End::Complete));
    }

    #[test]
    fn without_a_total_an_empty_page_ends_the_list_or_a_short_one_if_asked() {
        let mut pager = Pager::new(SMALL).short_page_ends(3);
        assert_eq!(pager.next_offset(), Some(0));
        pager.take(Page {
            items: vec![1, 2],
            entries: 2,
            total: None,
            bytes: 10,
        });
        assert_eq!(pager.next_offset(), None);
        assert_eq!(pager.finish(), (vec![1, 2], End::Complete));
        let mut pager = Pager::new(SMALL);
        pager.take(Page {
            items: vec![1],
            entries: 1,
            total: Some(5),
            bytes: 10,
        });
        assert_eq!(pager.next_offset(), Some(1));
        pager.take(Page {
            items: Vec::new(),
            entries: 0,
            total: Some(5),
            bytes: 10,
        });
        assert_eq!(pager.finish(), (vec![1], End::ShortOfTotal { total: 5 }));
    }

    #[test]
    fn a_cut_names_its_bound_and_what_was_read() {
        let cut = Cut {
            stopped_by: Bound::Bytes,
            limit: 32 * MIB,
            items_read: 8190,
            pages_read: 9,
            bytes_read: 35_000_000,
            total: Some(1_000_000_000_000),
        };
        assert_eq!(
            cut.describe("client application(s)"),
            "anypoint-doctor stopped reading it at its bound of 32 MiB read, after 8190 client application(s) in 9 page(s) (33.4 MiB); the answers counted 1000000000000"
        );
    }
}

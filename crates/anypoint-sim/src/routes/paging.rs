//! Pages of the lists the endpoints answer: the `offset` and `limit` they
//! take and the page size when a request names none.

use std::collections::HashMap;

/// A page of a list whose request names no `limit`: the legacy client
/// application list's default (§8.14, [C3] S27), taken for API Manager's
/// and Exchange v2's lists too [I].
pub const LIST_DEFAULT_LIMIT: usize = 100;

/// One page of a list: the `offset` and `limit` query parameters the list
/// endpoints take (§8.14). A value that is not a number counts as absent [I].
pub struct Paging {
    pub offset: usize,
    pub limit: usize,
}

impl Paging {
    pub fn of(query: &HashMap<String, String>, default_limit: usize) -> Paging {
        let number = |key: &str| query.get(key).and_then(|v| v.parse::<usize>().ok());
        Paging {
            offset: number("offset").unwrap_or(0),
            limit: number("limit").unwrap_or(default_limit),
        }
    }

    /// At most `max` items a page, whatever the request asks.
    pub fn capped(self, max: usize) -> Paging {
        Paging {
            limit: self.limit.min(max),
            ..self
        }
    }

    pub fn page<I: IntoIterator>(&self, items: I) -> impl Iterator<Item = I::Item> {
        items.into_iter().skip(self.offset).take(self.limit)
    }
}

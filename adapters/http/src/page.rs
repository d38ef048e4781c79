//! Cursor pagination of lists: `?limit=&after=` in, `{"items": [...], "next": "…"}` out.
//!
//! Every list answers one page: at most `limit` items (100 unless asked, at most
//! [`MAX_LIMIT`]) after the cursor `after`, and `next`, the cursor to ask the following
//! page with, while more items follow. The store reads the page as a keyset query, so a
//! page costs the same however long the list is.

use poem::http::StatusCode;
use vnum_app::model::{Page, PageRequest};

use crate::problem::{ApiResult, Problem};

/// The page length when a request does not say.
pub(crate) const DEFAULT_LIMIT: u32 = 100;

/// The longest page.
pub(crate) const MAX_LIMIT: u32 = PageRequest::MAX_LIMIT;

/// The page `limit` and `after` of a query ask for.
///
/// # Errors
/// A 422 problem for a limit outside 1 to [`MAX_LIMIT`] or a cursor this API did not give.
pub(crate) fn page(limit: Option<u32>, after: Option<&str>) -> ApiResult<PageRequest> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`limit` is {limit}: expected 1 to {MAX_LIMIT} items a page"),
        ));
    }
    let request = PageRequest::first(limit);
    match after {
        None => Ok(request),
        Some(cursor) => match cursor.parse::<i64>() {
            Ok(after) if after > 0 => Ok(request.after(after)),
            _ => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("`after` is {cursor:?}: expected the `next` cursor of the previous page"),
            )),
        },
    }
}

/// One page of `items`, a whole list read from the application, in increasing order of
/// `key` (an id) after sorting: the items whose key is past the cursor, at most the page's
/// limit of them, and the cursor of the next page while more follow.
///
/// The lists paged here are a customer's own resources (its numbers, documents, keys, …)
/// or the operator's catalogue, which the application reads whole; the answer is bounded
/// all the same, and a store can read them a page at a time later without changing the
/// wire.
pub(crate) fn slice<T>(mut items: Vec<T>, page: PageRequest, key: impl Fn(&T) -> i64) -> Page<T> {
    items.sort_by_key(|item| key(item));
    let rows = usize::try_from(page.rows()).unwrap_or(usize::MAX);
    let rows: Vec<T> = items
        .into_iter()
        .filter(|item| page.after.is_none_or(|after| key(item) > after))
        .take(rows)
        .collect();
    Page::of_rows(rows, page, key)
}

/// The wire form of a cursor.
pub(crate) fn cursor(next: Option<i64>) -> Option<String> {
    next.map(|id| id.to_string())
}

/// Declares the page object of a list: `$name { items: Vec<$item>, next: Option<String> }`.
macro_rules! page_of {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug, poem_openapi::Object)]
        pub(crate) struct $name {
            /// The items of this page, in the list's order.
            pub(crate) items: Vec<$item>,
            /// The cursor of the next page (`?after=`), while more items follow; absent on
            /// the last page.
            #[oai(skip_serializing_if_is_none)]
            pub(crate) next: Option<String>,
        }

        impl From<vnum_app::model::Page<$item>> for $name {
            fn from(page: vnum_app::model::Page<$item>) -> Self {
                Self {
                    next: $crate::page::cursor(page.next),
                    items: page.items,
                }
            }
        }
    };
}

pub(crate) use page_of;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_sliced_by_its_keys_after_the_cursor() {
        let items = vec![5, 1, 4, 2, 3];
        let first = slice(items.clone(), PageRequest::first(2), |i| *i);
        assert_eq!((first.items, first.next), (vec![1, 2], Some(2)));
        let last = slice(items.clone(), PageRequest::first(2).after(4), |i| *i);
        assert_eq!((last.items, last.next), (vec![5], None));
        let whole = slice(items, PageRequest::first(5), |i| *i);
        assert_eq!((whole.items.len(), whole.next), (5, None));
    }

    #[test]
    fn a_page_is_100_items_unless_asked_and_a_bad_limit_or_cursor_is_422() {
        assert_eq!(page(None, None).unwrap(), PageRequest::first(100));
        assert_eq!(
            page(Some(500), Some("42")).unwrap(),
            PageRequest::first(500).after(42)
        );
        for (limit, after) in [
            (Some(0), None),
            (Some(501), None),
            (None, Some("x")),
            (None, Some("-1")),
        ] {
            let problem = page(limit, after).unwrap_err();
            assert_eq!(problem.status, 422, "{}", problem.detail);
        }
        assert!(
            page(Some(501), None)
                .unwrap_err()
                .detail
                .contains("1 to 500")
        );
    }
}

//! Cursor pagination of lists: `?limit=&after=` in, `{"items": [...], "next": "…"}` out.
//!
//! Every list answers one page: at most `limit` items (100 unless asked, at most
//! [`MAX_LIMIT`]) after the cursor `after`, and `next`, the cursor to ask the following
//! page with, while more items follow. The store reads the page as a keyset query, so a
//! page costs the same however long the list is.

use poem::http::StatusCode;
use vnum_app::model::PageRequest;

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
    };
}

pub(crate) use page_of;

#[cfg(test)]
mod tests {
    use super::*;

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

//! Wire types more than one family of the API speaks: each family module (`numbers.rs`,
//! `orders.rs`, …) holds its operations and the shapes only it uses, and imports shared
//! shapes from here, never from another family (`tests/layout.rs` holds that).

pub(crate) mod call;
pub(crate) mod document;
pub(crate) mod hold;
pub(crate) mod ledger;
pub(crate) mod number;
pub(crate) mod offer;
pub(crate) mod sms;
pub(crate) mod trial;

//! The HTTP API as a client sees it: requests through the whole poem route the server
//! mounts (`vnum_http::api_with`), on the application of `vnum_app::testing`, answered
//! in process by `poem::test::TestClient`. Statuses and bodies are what spec/RULES.md and
//! HTTP say they must be.

// Test code: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod support;

mod auth;
mod document;
mod holds;
mod keys;
mod money;
mod orders;
mod payments;
mod problems;
mod renewals;
mod webhooks;

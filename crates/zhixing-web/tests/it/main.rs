//! HTTP-level tests of zhixing-web: the JSON API contract, the UI flows, and a real browser.
//! One integration binary; add modules here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod api_deadlines;
mod api_duty;
mod api_measures;
mod browser;
mod common;
mod consumption;
mod funds;
mod ui;
mod ui_duty_pages;
mod ui_funds;

//! The app contract suite: every test runs on SQLite and, when ZHIXING_TEST_PG is set, PostgreSQL.
//! One integration binary per crate (link time on 2 cores); add modules, not files in tests/.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod assignment;
mod audit_chain;
mod auth;
mod common;
mod consumption;
mod deadlines;
mod demo;
mod duplicates;
mod duty;
mod filing;
mod funds;
mod group_commit;
mod measures;
mod numbering;
mod reviews;
mod scope;
mod search;
mod statement;
mod validation;
mod workloads;

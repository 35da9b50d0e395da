//! The store contract suite: schema parity between SQLite and PostgreSQL, the append-only migration
//! set, the built-in court table, idempotent migration. Runs on SQLite and, when ZHIXING_TEST_PG is
//! set, PostgreSQL. One integration binary: add modules, not files in tests/.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod migrations;
mod schema;

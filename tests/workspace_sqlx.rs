//! `usso::sqlx` on real databases, SQLite and PostgreSQL, with one body of
//! tests (`workspace_sqlx/suite.rs`, compiled once per backend): workspace
//! isolation of every statement, `created_by` stamps, scope filters as
//! bound parameters, typed columns, and `#[workspace_scoped]` handlers of
//! `examples/workspace.rs` on a real router with real tokens.
//!
//! The Postgres half starts a throwaway cluster (`tests/support/postgres.rs`)
//! and fails, saying why, when it can't.

// The suite is loaded once per backend, on purpose.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/workspace.rs"]
mod example;

#[path = "support/postgres.rs"]
mod pg;

#[path = "workspace_sqlx/sqlite.rs"]
mod sqlite;

#[path = "workspace_sqlx/postgres.rs"]
mod postgres;

//! The suite on SQLite: one in-memory database per test.

pub(crate) use sqlx::Sqlite as Db;
use sqlx::sqlite::SqlitePool;

use crate::example;

#[path = "suite.rs"]
mod suite;

/// The example's schema, in a database of the test's own.
async fn connect() -> SqlitePool {
    example::memory_db().await.unwrap()
}

/// The example's database as `DATABASE_URL` unset gives it: embedded SQLite.
async fn example_db() -> example::Db {
    let db = example::Db::connect(None).await.unwrap();
    assert!(matches!(db, example::Db::Sqlite(_)), "{db:?}");
    db
}

/// SQLite's placeholders are `?`, as written.
fn numbered(sql: &str) -> String {
    sql.to_owned()
}

const DOCS_SCHEMA: &str = "CREATE TABLE docs (id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL, tenant_id TEXT NOT NULL, workspace_id TEXT NOT NULL)";

/// SQLite stores a UUID as a 16-byte blob and a timestamp as text.
const EVENTS_SCHEMA: &str = "CREATE TABLE events (id BLOB PRIMARY KEY, at TEXT NOT NULL,
    attempts INTEGER NOT NULL, workspace_id TEXT NOT NULL, created_by TEXT)";

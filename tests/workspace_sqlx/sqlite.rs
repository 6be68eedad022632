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

/// `DATABASE_URL` naming another database is a start-up error that says so.
#[tokio::test]
async fn database_url_of_another_kind_is_refused() {
    for url in ["mysql://u@127.0.0.1/app", "127.0.0.1:5432"] {
        let err = example::Db::connect(Some(url)).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "DATABASE_URL must start with postgres://, postgresql:// or sqlite:",
            "{url}"
        );
    }
    // A file URL is SQLite, created on first use.
    let dir = std::env::temp_dir().join(format!("usso-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("app.db").display());
    let db = example::Db::connect(Some(&url)).await.unwrap();
    assert!(matches!(db, example::Db::Sqlite(_)), "{db:?}");
    assert!(dir.join("app.db").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

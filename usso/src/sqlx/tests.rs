//! The SQL each builder writes, and the mistakes it refuses.

use ::sqlx::{Database, FromRow, QueryBuilder};

use super::table::is_ident;
use super::*;
use crate::Workspace;
use crate::scope::FilterMap;

struct Doc;

impl WorkspaceTable for Doc {
    const TABLE: &'static str = "app.docs";
    const COLUMNS: &'static [&'static str] = &["id", "title"];
    const FILTER_COLUMNS: &'static [(&'static str, &'static str)] =
        &[("user_id", "owner"), ("tenant_id", "tenant")];
}

fn f(pairs: &[(&str, &str)]) -> FilterMap {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn sql<DB: Database>(qb: Result<QueryBuilder<'_, DB>, ScopedError>) -> String {
    qb.unwrap().into_sql()
}

#[test]
fn sqlite_statements() {
    use ::sqlx::Sqlite;
    let ws = Workspace::trusted("ws", None);
    let s = Doc::scoped(&ws);
    assert_eq!(
        sql(s
            .select::<Sqlite>()
            .and_eq("kind", "x")
            .scope_filters(&[
                f(&[("user_id", "u1"), ("tenant_id", "t")]),
                f(&[("user_id", "u2")])
            ])
            .order_by("title", Order::Desc)
            .order_by("id", Order::Asc)
            .offset(20)
            .into_builder()),
        "SELECT id, title FROM app.docs WHERE workspace_id = ? AND kind = ? \
         AND ((tenant = ? AND owner = ?) OR (owner = ?)) \
         ORDER BY title DESC, id ASC LIMIT 9223372036854775807 OFFSET 20"
    );
    assert_eq!(
        sql(s.get::<Sqlite, _>(7).limit(1).into_builder()),
        "SELECT id, title FROM app.docs WHERE workspace_id = ? AND id = ? LIMIT 1"
    );
    // An empty filter among the alternatives: no narrowing.
    assert_eq!(
        sql(s
            .delete_where::<Sqlite>()
            .scope_filters(&[f(&[("user_id", "u1")]), FilterMap::new()])
            .scope_filter(Some(&FilterMap::new()))
            .into_builder()),
        "DELETE FROM app.docs WHERE workspace_id = ?"
    );
    assert_eq!(
        sql(s
            .update::<Sqlite>()
            .set("title", "t")
            .set("body", "b")
            .by_id(3)
            .into_builder()),
        "UPDATE app.docs SET title = ?, body = ? WHERE workspace_id = ? AND id = ?"
    );
    // No user on a trusted workspace: no `created_by` stamp.
    assert_eq!(
        sql(s.insert::<Sqlite>().value("title", "t").into_builder()),
        "INSERT INTO app.docs (workspace_id, title) VALUES (?, ?)"
    );
    let insert = s.insert::<Sqlite>().value("title", "t");
    assert_eq!(
        insert.sql(),
        "INSERT INTO app.docs (workspace_id, title) VALUES (?, ?)"
    );
    // The first mistake wins and nothing is built.
    let Err(err) = s
        .select::<Sqlite>()
        .and_eq("bad col", 1)
        .scope_filter(Some(&f(&[("team", "x")])))
        .into_builder()
    else {
        panic!("built");
    };
    assert!(
        matches!(err, ScopedError::InvalidColumn("bad col")),
        "{err}"
    );
}

#[cfg(feature = "postgres")]
mod postgres {
    use ::sqlx::Postgres;
    use ::sqlx::postgres::{PgPool, PgRow};

    use super::*;

    impl FromRow<'_, PgRow> for Doc {
        fn from_row(_: &PgRow) -> ::sqlx::Result<Self> {
            Ok(Self)
        }
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        let ws = Workspace::trusted("ws", None);
        let s = Doc::scoped(&ws);
        assert_eq!(
            sql(s
                .select::<Postgres>()
                .and_eq("kind", "x")
                .scope_filter(Some(&f(&[("user_id", "u1")])))
                .into_builder()),
            "SELECT id, title FROM app.docs WHERE workspace_id = $1 AND kind = $2 AND (owner = $3)"
        );
        assert_eq!(
            sql(s
                .update::<Postgres>()
                .set("title", "t")
                .by_id(3_i64)
                .into_builder()),
            "UPDATE app.docs SET title = $1 WHERE workspace_id = $2 AND id = $3"
        );
        assert_eq!(
            sql(s.insert::<Postgres>().value("title", "t").into_builder()),
            "INSERT INTO app.docs (workspace_id, title) VALUES ($1, $2)"
        );
    }

    /// Compiles only if every runner works on Postgres and is `Send` (axum needs it).
    #[allow(dead_code)]
    fn runners_are_send(pool: &PgPool, ws: &Workspace) {
        fn send<F: Send>(_: F) {}
        let s = Doc::scoped(ws);
        send(s.select().fetch_all(pool));
        send(s.get(1_i64).fetch_optional(pool));
        send(s.insert().value("title", "t").fetch_one(pool));
        send(s.insert().value("title", "t").execute(pool));
        send(s.delete(1_i64).execute(pool));
        send(s.update().set("title", "t").by_id(1_i64).execute(pool));
    }
}

#[test]
fn identifiers() {
    for ok in ["id", "workspace_id", "_x1", "billing.invoices", "A.b_2"] {
        assert!(is_ident(ok), "{ok}");
    }
    for bad in [
        "", "1a", "a b", "a;", "a.", ".a", "a..b", "a-b", "\"a\"", "a'--", "é",
    ] {
        assert!(!is_ident(bad), "{bad}");
    }
}

//! Workspace-scoped queries on [sqlx](https://docs.rs/sqlx/0.8) 0.8 (features `sqlx`, `postgres`).
//!
//! Every statement built here is bound to one [`Workspace`](crate::Workspace), which only comes
//! from a verified token (the extractor or `#[workspace_scoped]`):
//!
//! - `SELECT`, `UPDATE` and `DELETE` always end in `WHERE workspace_id = ?`,
//!   with the workspace id as a bound parameter;
//! - `INSERT` always stamps `workspace_id` and `created_by` (the token's
//!   `user_id`, else `sub`); neither can be set by hand;
//! - the caller's scope filters ([`ScopeEngine::get_scope_filters`],
//!   [`ScopeEngine::broadest_scope_filter`]) become a parameterised `WHERE`:
//!   a filter key reaches SQL only through the table's allow-list
//!   [`WorkspaceTable::FILTER_COLUMNS`], and every value is bound.
//!
//! Table and column names come from code: the [`WorkspaceTable`] constants
//! are checked at compile time to be plain identifiers (`name` or
//! `schema.name`), and the `&'static str` columns passed to the builders are
//! checked when the statement is built. Nothing from a request is ever
//! pasted into the SQL text.
//!
//! The builders ([`Select`], [`Update`], [`Write`], [`Insert`]) work on any
//! [`sqlx::Database`]; they run directly on a [`Backend`] (SQLite with the
//! `sqlx` feature, Postgres with `postgres`). For another database take the
//! finished [`sqlx::QueryBuilder`] with `into_builder()`. A builder never
//! panics: a mistake (unknown filter key, bad column, …) is kept and returned
//! as a [`ScopedError`] when the statement runs.
//!
//! Your application must use sqlx **0.8** (the version these types come from).
//!
//! # Example: a workspace-scoped repository
//!
//! The Rust twin of the Python SDK's `list_projects` / `create_project`: each
//! call names the workspace, and the table can't be reached without one.
//!
//! ```
//! use sqlx::sqlite::{SqlitePool, SqlitePoolOptions, SqliteRow};
//! use sqlx::{FromRow, Row};
//! use usso::scope::{FilterMap, ScopeEngine};
//! use usso::sqlx::{Order, ScopedError, WorkspaceTable};
//! use usso::Workspace;
//!
//! #[derive(Debug, PartialEq)]
//! struct Project {
//!     id: i64,
//!     name: String,
//!     workspace_id: String,
//! }
//!
//! impl WorkspaceTable for Project {
//!     const TABLE: &'static str = "projects";
//!     // Scope filters may only name these keys; `?user_id=u1` means `created_by = 'u1'`.
//!     const FILTER_COLUMNS: &'static [(&'static str, &'static str)] =
//!         &[("workspace_id", "workspace_id"), ("user_id", "created_by")];
//! }
//!
//! impl FromRow<'_, SqliteRow> for Project {
//!     fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
//!         Ok(Self {
//!             id: row.try_get("id")?,
//!             name: row.try_get("name")?,
//!             workspace_id: row.try_get("workspace_id")?,
//!         })
//!     }
//! }
//!
//! /// Every method takes the caller's workspace; none takes a workspace id.
//! struct Projects(SqlitePool);
//!
//! impl Projects {
//!     async fn list(&self, ws: &Workspace, filters: &[FilterMap]) -> Result<Vec<Project>, ScopedError> {
//!         Project::scoped(ws)
//!             .select()
//!             .scope_filters(filters)
//!             .order_by("id", Order::Asc)
//!             .fetch_all(&self.0)
//!             .await
//!     }
//!
//!     async fn create(&self, ws: &Workspace, name: &str) -> Result<Project, ScopedError> {
//!         Project::scoped(ws).insert().value("name", name.to_owned()).fetch_one(&self.0).await
//!     }
//!
//!     async fn get(&self, ws: &Workspace, id: i64) -> Result<Option<Project>, ScopedError> {
//!         Project::scoped(ws).get(id).fetch_optional(&self.0).await
//!     }
//!
//!     async fn delete(&self, ws: &Workspace, id: i64) -> Result<bool, ScopedError> {
//!         Ok(Project::scoped(ws).delete(id).execute(&self.0).await? == 1)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // One connection that never closes: `sqlite::memory:` is per connection.
//! let pool = SqlitePoolOptions::new()
//!     .max_connections(1)
//!     .idle_timeout(None)
//!     .max_lifetime(None)
//!     .connect("sqlite::memory:")
//!     .await?;
//! sqlx::query(
//!     "CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
//!      workspace_id TEXT NOT NULL, created_by TEXT)",
//! )
//! .execute(&pool)
//! .await?;
//! let repo = Projects(pool);
//!
//! // In a handler these come from the verified token (`ws: Workspace`).
//! let (a, b) = (Workspace::trusted("ws_a", None), Workspace::trusted("ws_b", None));
//! let alpha = repo.create(&a, "alpha").await?;
//! repo.create(&b, "beta").await?;
//! assert_eq!(alpha.workspace_id, "ws_a");
//!
//! // An unfiltered `read:projects` scope: the whole workspace, and only it.
//! let all = ScopeEngine::strict().get_scope_filters("read", "projects", &["read:projects"])?;
//! assert_eq!(repo.list(&a, &all).await?, [alpha]);
//!
//! // ws_b can neither see nor delete ws_a's project.
//! assert_eq!(repo.get(&b, 1).await?, None);
//! assert!(!repo.delete(&b, 1).await?);
//! assert!(repo.delete(&a, 1).await?);
//!
//! // A filter key the table doesn't map is refused, not ignored.
//! let odd = ScopeEngine::strict().get_scope_filters("read", "projects", &["read:projects?team=red"])?;
//! assert!(matches!(repo.list(&a, &odd).await, Err(ScopedError::UnknownFilterKey(k)) if k == "team"));
//! # Ok(()) }
//! ```
//!
//! [`ScopeEngine::get_scope_filters`]: crate::scope::ScopeEngine::get_scope_filters
//! [`ScopeEngine::broadest_scope_filter`]: crate::scope::ScopeEngine::broadest_scope_filter

mod backend;
mod builders;
mod scoped;
mod sql;
mod table;
#[cfg(test)]
mod tests;

pub use backend::Backend;
pub use builders::{Insert, Select, Update, Write};
pub use scoped::Scoped;
pub use table::WorkspaceTable;

/// A value the builders bind into a statement as a parameter: anything
/// sqlx encodes for `DB` (implemented for every such type).
pub trait Bind<'a, DB: ::sqlx::Database>: 'a + ::sqlx::Encode<'a, DB> + ::sqlx::Type<DB> {}

impl<'a, DB: ::sqlx::Database, V: 'a + ::sqlx::Encode<'a, DB> + ::sqlx::Type<DB>> Bind<'a, DB>
    for V
{
}

/// Why a scoped statement was not run, or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScopedError {
    /// A scope filter names a key missing from [`WorkspaceTable::FILTER_COLUMNS`].
    /// Treat it as "forbidden": the caller's access can't be expressed on this table.
    #[error("scope filter key `{0}` is not mapped to a column of this table")]
    UnknownFilterKey(String),
    /// A scope filter value is a glob (`*`, `?`, `[`), which has no exact SQL
    /// equivalent here. Treat it as "forbidden".
    #[error("scope filter `{0}` has a glob value, which can't be applied in SQL")]
    GlobFilterValue(String),
    /// A column name given to a builder is not a plain SQL identifier.
    #[error("`{0}` is not a plain SQL identifier")]
    InvalidColumn(&'static str),
    /// The workspace or `created_by` column was assigned by hand.
    #[error("column `{0}` is set by the workspace helpers, not by hand")]
    ProtectedColumn(&'static str),
    /// The table has a [`WorkspaceTable::TENANT_COLUMN`] and the workspace
    /// no tenant (its token had no `tenant_id`): no row is reachable.
    /// Treat it as "forbidden".
    #[error("this table is keyed by tenant and the token has no `tenant_id`")]
    TenantRequired,
    /// An `UPDATE` without any [`Update::set`].
    #[error("an update needs at least one column to set")]
    EmptyUpdate,
    /// The database (or encoding a bound value) failed.
    #[error(transparent)]
    Database(#[from] ::sqlx::Error),
}

impl ScopedError {
    /// Whether the caller's scope filters, not the code or the database,
    /// stopped the statement: answer 403.
    #[must_use]
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            Self::UnknownFilterKey(_) | Self::GlobFilterValue(_) | Self::TenantRequired
        )
    }
}

/// Sort direction for [`Select::order_by`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    /// `ASC`
    Asc,
    /// `DESC`
    Desc,
}

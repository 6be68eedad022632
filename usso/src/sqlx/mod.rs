//! Workspace-scoped queries on [sqlx](https://docs.rs/sqlx/0.8) 0.8 (features `sqlx`, `postgres`).
//!
//! Every statement built here is bound to one [`Workspace`], which only comes
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

use std::fmt;
use std::marker::PhantomData;

use ::sqlx::{Arguments, Database, Encode, Executor, FromRow, IntoArguments, QueryBuilder, Type};

use crate::Workspace;
use crate::scope::FilterMap;

/// A table whose rows belong to workspaces. Implement it on the row type.
///
/// Every name is a plain SQL identifier (`[A-Za-z_][A-Za-z0-9_]*`, optionally
/// `schema.name`), written unquoted; a constant that isn't one fails the
/// build where the table is first used with [`Scoped`]:
///
/// ```compile_fail
/// use usso::Workspace;
/// use usso::sqlx::WorkspaceTable;
///
/// struct Bad;
///
/// impl WorkspaceTable for Bad {
///     const TABLE: &'static str = "t; DROP TABLE users"; // error: not a plain SQL identifier
/// }
///
/// let ws = Workspace::trusted("ws", None);
/// let _ = Bad::scoped(&ws);
/// ```
///
/// ```
/// use usso::sqlx::WorkspaceTable;
///
/// struct Invoice;
///
/// impl WorkspaceTable for Invoice {
///     const TABLE: &'static str = "billing.invoices";
///     const ID_COLUMN: &'static str = "invoice_id";
///     const WORKSPACE_COLUMN: &'static str = "ws";
///     const CREATED_BY_COLUMN: Option<&'static str> = None;
///     const COLUMNS: &'static [&'static str] = &["invoice_id", "ws", "total"];
///     const FILTER_COLUMNS: &'static [(&'static str, &'static str)] = &[("workspace_id", "ws")];
/// }
/// ```
pub trait WorkspaceTable {
    /// The table name.
    const TABLE: &'static str;
    /// The primary key, used by [`Scoped::get`], [`Scoped::delete`] and [`Update::by_id`].
    const ID_COLUMN: &'static str = "id";
    /// The column holding the workspace id, filtered on by every statement.
    const WORKSPACE_COLUMN: &'static str = "workspace_id";
    /// The column holding the tenant (the token's `tenant_id`), or `None`.
    ///
    /// **Set it for multi-tenant schemas.** Workspace ids are only unique
    /// within a tenant unless your issuer guarantees otherwise: with one
    /// issuer serving tenants `org_a` and `org_b`, a token of `org_b` whose
    /// `workspace_id` equals a workspace name of `org_a` would reach
    /// `org_a`'s rows. With a tenant column every statement is keyed by
    /// (tenant, workspace): it filters on both, `INSERT` stamps both, and a
    /// workspace without a tenant reaches no row
    /// ([`ScopedError::TenantRequired`]). Defaults to `None` (single-tenant).
    const TENANT_COLUMN: Option<&'static str> = None;
    /// The column stamped with the acting user on insert (`user_id`, else
    /// `sub`), or `None`. A [`Workspace::trusted`] one has no user: the
    /// column is left to its SQL default.
    const CREATED_BY_COLUMN: Option<&'static str> = Some("created_by");
    /// The columns selected (and returned by [`Insert::fetch_one`]); empty means `*`.
    const COLUMNS: &'static [&'static str] = &[];
    /// The allow-list of scope-filter keys: `(filter key, column)`. A filter
    /// with any other key is refused ([`ScopedError::UnknownFilterKey`]).
    /// Empty by default: no scope filter can be applied until you map it.
    ///
    /// Filter values are bound as text and compared with `=`, so map keys to
    /// text columns (Postgres won't compare an integer column with text).
    const FILTER_COLUMNS: &'static [(&'static str, &'static str)] = &[];

    /// The statements of this table in `workspace`.
    fn scoped(workspace: &Workspace) -> Scoped<'_, Self>
    where
        Self: Sized,
    {
        Scoped::new(workspace)
    }
}

/// A database the builders run on directly: SQLite (feature `sqlx`) and
/// Postgres (feature `postgres`). Sealed.
///
/// The builders themselves work on any [`Database`]; elsewhere run the
/// result of `into_builder()` yourself.
pub trait Backend: Database + sealed::Sealed {
    /// Shortens the lifetime of bound arguments (they are covariant).
    #[doc(hidden)]
    fn shorten_arguments<'a: 'q, 'q>(args: Self::Arguments<'a>) -> Self::Arguments<'q>;

    /// The number of rows a statement changed.
    #[doc(hidden)]
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

mod sealed {
    pub trait Sealed {}
}

impl sealed::Sealed for ::sqlx::Sqlite {}

impl Backend for ::sqlx::Sqlite {
    fn shorten_arguments<'a: 'q, 'q>(
        args: ::sqlx::sqlite::SqliteArguments<'a>,
    ) -> ::sqlx::sqlite::SqliteArguments<'q> {
        args
    }

    fn rows_affected(result: &::sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

#[cfg(feature = "postgres")]
impl sealed::Sealed for ::sqlx::Postgres {}

#[cfg(feature = "postgres")]
impl Backend for ::sqlx::Postgres {
    fn shorten_arguments<'a: 'q, 'q>(
        args: ::sqlx::postgres::PgArguments,
    ) -> ::sqlx::postgres::PgArguments {
        args
    }

    fn rows_affected(result: &::sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }
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

/// The statements of table `T` in one workspace. Get one with
/// [`WorkspaceTable::scoped`] or [`Scoped::new`].
pub struct Scoped<'w, T> {
    workspace: &'w Workspace,
    table: PhantomData<fn() -> T>,
}

impl<T> Clone for Scoped<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Scoped<'_, T> {}

impl<T> fmt::Debug for Scoped<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scoped")
            .field("table", &std::any::type_name::<T>())
            .field("workspace", &self.workspace)
            .finish()
    }
}

impl<'w, T: WorkspaceTable> Scoped<'w, T> {
    /// The statements of `T` in `workspace`.
    #[must_use]
    pub fn new(workspace: &'w Workspace) -> Self {
        const { assert_table::<T>() };
        Self {
            workspace,
            table: PhantomData,
        }
    }

    /// The workspace every statement is bound to.
    #[must_use]
    pub fn workspace(&self) -> &'w Workspace {
        self.workspace
    }

    /// `SELECT <columns> FROM <table> WHERE <workspace> = ?`: the workspace's rows.
    pub fn select<'a, DB>(&self) -> Select<'a, DB, T>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
    {
        let mut q = Sql::new(format!("SELECT {} FROM {}", columns::<T>(), T::TABLE));
        q.push_workspace::<T>(self.workspace);
        Select {
            q,
            order: Vec::new(),
            limit: None,
            offset: None,
            table: PhantomData,
        }
    }

    /// The row with primary key `id`, if it is in the workspace.
    pub fn get<'a, DB, Id>(&self, id: Id) -> Select<'a, DB, T>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
        Id: 'a + Encode<'a, DB> + Type<DB>,
    {
        self.select().and_eq(T::ID_COLUMN, id)
    }

    /// `INSERT INTO <table>`, stamped with the workspace and `created_by`.
    pub fn insert<'a, DB>(&self) -> Insert<'a, DB, T>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
    {
        let mut insert = Insert {
            columns: String::new(),
            q: Sql::new(String::new()),
            returning: false,
            table: PhantomData,
        };
        insert.push_value(T::WORKSPACE_COLUMN, self.workspace.id().to_owned());
        if let Some(column) = T::TENANT_COLUMN {
            match self.workspace.tenant_id() {
                Some(tenant) => insert.push_value(column, tenant.to_owned()),
                None => insert.q.fail(ScopedError::TenantRequired),
            }
        }
        if let (Some(column), Some(user)) = (T::CREATED_BY_COLUMN, self.workspace.user_id()) {
            insert.push_value(column, user.to_owned());
        }
        insert
    }

    /// `UPDATE <table> SET …`: add columns with [`Update::set`], then choose
    /// the rows with [`Update::by_id`] or [`Update::in_workspace`].
    pub fn update<'a, DB>(&self) -> Update<'a, DB, T>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
    {
        Update {
            q: Sql::new(format!("UPDATE {} SET ", T::TABLE)),
            workspace: self.workspace.clone(),
            sets: 0,
            table: PhantomData,
        }
    }

    /// `DELETE` of the row with primary key `id`, if it is in the workspace.
    pub fn delete<'a, DB, Id>(&self, id: Id) -> Write<'a, DB, T>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
        Id: 'a + Encode<'a, DB> + Type<DB>,
    {
        self.delete_where().and_eq(T::ID_COLUMN, id)
    }

    /// `DELETE` of the workspace's rows; narrow it with `and_eq` or the scope filters.
    pub fn delete_where<'a, DB>(&self) -> Write<'a, DB, T>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
    {
        let mut q = Sql::new(format!("DELETE FROM {}", T::TABLE));
        q.push_workspace::<T>(self.workspace);
        Write {
            q,
            table: PhantomData,
        }
    }

    /// For a hand-written [`QueryBuilder`] (a join, an aggregate): pushes
    /// `<table>.<workspace column> = ?` and binds the workspace id (and
    /// ` AND <table>.<tenant column> = ?` for a table keyed by tenant, or
    /// ` AND 1 = 0` when the workspace has no tenant). Put it
    /// right after `WHERE`, and refer to the table by its name, not an alias.
    ///
    /// ```
    /// # use usso::{Workspace, sqlx::WorkspaceTable};
    /// # struct Project;
    /// # impl WorkspaceTable for Project { const TABLE: &'static str = "projects"; }
    /// let ws = Workspace::trusted("ws_a", None);
    /// let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT COUNT(*) FROM projects WHERE ");
    /// Project::scoped(&ws).push_workspace_condition(&mut qb);
    /// assert_eq!(qb.sql(), "SELECT COUNT(*) FROM projects WHERE projects.workspace_id = ?");
    /// ```
    pub fn push_workspace_condition<'q, 'a, DB>(
        &self,
        qb: &'q mut QueryBuilder<'a, DB>,
    ) -> &'q mut QueryBuilder<'a, DB>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
    {
        qb.push(format_args!("{}.{} = ", T::TABLE, T::WORKSPACE_COLUMN))
            .push_bind(self.workspace.id().to_owned());
        if let Some(column) = T::TENANT_COLUMN {
            match self.workspace.tenant_id() {
                Some(tenant) => {
                    qb.push(format_args!(" AND {}.{column} = ", T::TABLE))
                        .push_bind(tenant.to_owned());
                }
                // No tenant: the condition matches no row.
                None => {
                    qb.push(" AND 1 = 0");
                }
            }
        }
        qb
    }

    /// For a hand-written [`QueryBuilder`]: pushes the scope filters as one
    /// boolean expression, with the rules of [`Select::scope_filters`]: `1 = 0`
    /// for no filters, `1 = 1` when one is empty, else
    /// `((<table>.<col> = ? AND …) OR …)`. Put it after `WHERE … AND `.
    ///
    /// # Errors
    /// [`ScopedError::UnknownFilterKey`] or [`ScopedError::GlobFilterValue`],
    /// before anything is pushed.
    pub fn push_scope_filters<'a, DB>(
        &self,
        qb: &mut QueryBuilder<'a, DB>,
        filters: &[FilterMap],
    ) -> Result<(), ScopedError>
    where
        DB: Database,
        String: Encode<'a, DB> + Type<DB>,
    {
        if filters.is_empty() {
            qb.push("1 = 0");
            return Ok(());
        }
        if filters.iter().any(FilterMap::is_empty) {
            qb.push("1 = 1");
            return Ok(());
        }
        check_filters::<T>(filters)?;
        qb.push("(");
        for (i, filter) in filters.iter().enumerate() {
            qb.push(if i == 0 { "(" } else { " OR (" });
            for (j, (key, value)) in filter.iter().enumerate() {
                let column = filter_column::<T>(key).ok_or_else(|| unknown(key))?;
                if j > 0 {
                    qb.push(" AND ");
                }
                qb.push(format_args!("{}.{column} = ", T::TABLE))
                    .push_bind(value.clone());
            }
            qb.push(")");
        }
        qb.push(")");
        Ok(())
    }
}

/// A `SELECT` bound to a workspace. Narrow it, then run it with
/// [`fetch_all`](Self::fetch_all) or [`fetch_optional`](Self::fetch_optional).
#[must_use = "a statement does nothing until it is run"]
pub struct Select<'a, DB: Database, T> {
    q: Sql<'a, DB>,
    order: Vec<(&'static str, Order)>,
    limit: Option<u64>,
    offset: Option<u64>,
    table: PhantomData<fn() -> T>,
}

/// An `UPDATE … WHERE` or `DELETE … WHERE` bound to a workspace. Narrow it,
/// then run it with [`execute`](Self::execute).
#[must_use = "a statement does nothing until it is run"]
pub struct Write<'a, DB: Database, T> {
    q: Sql<'a, DB>,
    table: PhantomData<fn() -> T>,
}

/// The `SET` list of an `UPDATE`; it runs only after [`by_id`](Self::by_id)
/// or [`in_workspace`](Self::in_workspace) bound it to the workspace.
#[must_use = "an update runs only after `by_id` or `in_workspace`"]
pub struct Update<'a, DB: Database, T> {
    q: Sql<'a, DB>,
    workspace: Workspace,
    sets: usize,
    table: PhantomData<fn() -> T>,
}

/// An `INSERT` of one row, already carrying the workspace and `created_by`.
#[must_use = "a statement does nothing until it is run"]
pub struct Insert<'a, DB: Database, T> {
    columns: String,
    q: Sql<'a, DB>,
    returning: bool,
    table: PhantomData<fn() -> T>,
}

/// The narrowing methods shared by [`Select`] and [`Write`].
macro_rules! where_methods {
    () => {
        /// Adds `AND <column> = ?`. `column` must be a plain identifier.
        pub fn and_eq<V>(mut self, column: &'static str, value: V) -> Self
        where
            V: 'a + Encode<'a, DB> + Type<DB>,
        {
            if self.q.check_column(column) {
                self.q.push(" AND ");
                self.q.push(column);
                self.q.push(" = ");
                self.q.bind(value);
            }
            self
        }

        /// Adds the row with primary key `id`: `AND <id column> = ?`.
        pub fn id<V>(self, id: V) -> Self
        where
            V: 'a + Encode<'a, DB> + Type<DB>,
        {
            self.and_eq(T::ID_COLUMN, id)
        }

        /// Adds one scope filter, as [`ScopeEngine::broadest_scope_filter`]
        /// returns it: `None` (no scope grants the access) matches no row
        /// (`AND 1 = 0`); an empty filter adds nothing; otherwise
        /// `AND (<col> = ? AND …)`, each key mapped through
        /// [`WorkspaceTable::FILTER_COLUMNS`].
        ///
        /// [`ScopeEngine::broadest_scope_filter`]: crate::scope::ScopeEngine::broadest_scope_filter
        pub fn scope_filter(mut self, filter: Option<&FilterMap>) -> Self {
            match filter {
                None => {
                    self.q.push(" AND 1 = 0");
                }
                Some(filter) => {
                    if !filter.is_empty() && self.q.check_filters::<T>(std::slice::from_ref(filter))
                    {
                        self.q.push(" AND ");
                        self.q.push_filter::<T>(filter);
                    }
                }
            }
            self
        }

        /// Adds the scope filters of every scope that grants the access, such as
        /// [`ScopeEngine::get_scope_filters`] returns: a row matches if it
        /// matches any of them.
        ///
        /// - no filters at all (no scope grants the access): no row matches (`AND 1 = 0`);
        /// - an empty filter (a scope without `?…`): nothing is added;
        /// - otherwise `AND ((<col> = ? AND …) OR …)`, and any key outside
        ///   [`WorkspaceTable::FILTER_COLUMNS`] or any glob value is an error.
        ///
        /// [`ScopeEngine::get_scope_filters`]: crate::scope::ScopeEngine::get_scope_filters
        pub fn scope_filters(mut self, filters: &[FilterMap]) -> Self {
            if filters.is_empty() {
                self.q.push(" AND 1 = 0");
            } else if !filters.iter().any(FilterMap::is_empty) && self.q.check_filters::<T>(filters)
            {
                self.q.push(" AND (");
                for (i, filter) in filters.iter().enumerate() {
                    if i > 0 {
                        self.q.push(" OR ");
                    }
                    self.q.push_filter::<T>(filter);
                }
                self.q.push(")");
            }
            self
        }
    };
}

impl<'a, DB: Database, T: WorkspaceTable> Select<'a, DB, T>
where
    String: Encode<'a, DB> + Type<DB>,
{
    where_methods!();

    /// Adds a sort key (`ORDER BY`), after any earlier ones.
    pub fn order_by(mut self, column: &'static str, order: Order) -> Self {
        if self.q.check_column(column) {
            self.order.push((column, order));
        }
        self
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(n);
        self
    }
}

impl<'a, DB: Database, T: WorkspaceTable> Select<'a, DB, T> {
    /// The SQL so far (without `ORDER BY`, `LIMIT` and `OFFSET`), for logs and tests.
    #[must_use]
    pub fn sql(&self) -> &str {
        &self.q.text
    }

    fn finish(mut self) -> Result<Sql<'a, DB>, ScopedError> {
        for (i, (column, order)) in self.order.iter().enumerate() {
            self.q.push(if i == 0 { " ORDER BY " } else { ", " });
            self.q.push(column);
            self.q.push(match order {
                Order::Asc => " ASC",
                Order::Desc => " DESC",
            });
        }
        match (self.limit, self.offset) {
            (None, None) => {}
            (limit, offset) => {
                // SQLite needs a LIMIT before OFFSET; i64::MAX works in both.
                let limit = limit.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
                self.q.push(&format!(" LIMIT {limit}"));
                if let Some(offset) = offset {
                    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
                    self.q.push(&format!(" OFFSET {offset}"));
                }
            }
        }
        self.q.finish()
    }

    /// The finished statement, to run on a database that isn't a [`Backend`].
    ///
    /// # Errors
    /// The first mistake made while building, such as [`ScopedError::UnknownFilterKey`].
    pub fn into_builder(self) -> Result<QueryBuilder<'a, DB>, ScopedError>
    where
        DB::Arguments<'a>: IntoArguments<'a, DB>,
    {
        self.finish().map(Sql::into_builder)
    }
}

impl<'a, DB: Backend, T: WorkspaceTable> Select<'a, DB, T> {
    /// Runs the query and returns every row.
    ///
    /// # Errors
    /// A building mistake (see [`ScopedError`]) or the database's error.
    pub async fn fetch_all<'c, E>(self, executor: E) -> Result<Vec<T>, ScopedError>
    where
        E: Executor<'c, Database = DB>,
        T: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    {
        let Sql { text, args, .. } = self.finish()?;
        let args = DB::shorten_arguments(args);
        Ok(::sqlx::query_as_with::<DB, T, _>(&text, args)
            .fetch_all(executor)
            .await?)
    }

    /// Runs the query and returns the first row, if any.
    ///
    /// # Errors
    /// A building mistake (see [`ScopedError`]) or the database's error.
    pub async fn fetch_optional<'c, E>(self, executor: E) -> Result<Option<T>, ScopedError>
    where
        E: Executor<'c, Database = DB>,
        T: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    {
        let Sql { text, args, .. } = self.finish()?;
        let args = DB::shorten_arguments(args);
        Ok(::sqlx::query_as_with::<DB, T, _>(&text, args)
            .fetch_optional(executor)
            .await?)
    }
}

impl<'a, DB: Database, T: WorkspaceTable> Write<'a, DB, T>
where
    String: Encode<'a, DB> + Type<DB>,
{
    where_methods!();

    /// The SQL so far, for logs and tests.
    #[must_use]
    pub fn sql(&self) -> &str {
        &self.q.text
    }

    /// The finished statement, to run on a database that isn't a [`Backend`].
    ///
    /// # Errors
    /// The first mistake made while building, such as [`ScopedError::UnknownFilterKey`].
    pub fn into_builder(self) -> Result<QueryBuilder<'a, DB>, ScopedError>
    where
        DB::Arguments<'a>: IntoArguments<'a, DB>,
    {
        self.q.finish().map(Sql::into_builder)
    }
}

impl<'a, DB: Backend, T: WorkspaceTable> Write<'a, DB, T> {
    /// Runs the statement and returns how many rows it changed (0 when the
    /// row is missing or belongs to another workspace).
    ///
    /// # Errors
    /// A building mistake (see [`ScopedError`]) or the database's error.
    pub async fn execute<'c, E>(self, executor: E) -> Result<u64, ScopedError>
    where
        E: Executor<'c, Database = DB>,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    {
        execute(self.q.finish()?, executor).await
    }
}

impl<'a, DB: Database, T: WorkspaceTable> Update<'a, DB, T>
where
    String: Encode<'a, DB> + Type<DB>,
{
    /// Adds `<column> = ?` to the `SET` list. The workspace and `created_by`
    /// columns can't be set ([`ScopedError::ProtectedColumn`]).
    pub fn set<V>(mut self, column: &'static str, value: V) -> Self
    where
        V: 'a + Encode<'a, DB> + Type<DB>,
    {
        if self.q.check_writable::<T>(column) {
            if self.sets > 0 {
                self.q.push(", ");
            }
            self.q.push(column);
            self.q.push(" = ");
            self.q.bind(value);
            self.sets += 1;
        }
        self
    }

    /// Updates the row with primary key `id`, if it is in the workspace.
    pub fn by_id<V>(self, id: V) -> Write<'a, DB, T>
    where
        V: 'a + Encode<'a, DB> + Type<DB>,
    {
        self.in_workspace().and_eq(T::ID_COLUMN, id)
    }

    /// Updates the workspace's rows; narrow it with `and_eq` or the scope filters.
    pub fn in_workspace(self) -> Write<'a, DB, T> {
        let mut q = self.q;
        if self.sets == 0 {
            q.fail(ScopedError::EmptyUpdate);
        }
        q.push_workspace::<T>(&self.workspace);
        Write {
            q,
            table: PhantomData,
        }
    }
}

impl<'a, DB: Database, T: WorkspaceTable> Insert<'a, DB, T> {
    /// Adds a column and its value. The workspace and `created_by` columns
    /// are stamped already ([`ScopedError::ProtectedColumn`]).
    pub fn value<V>(mut self, column: &'static str, value: V) -> Self
    where
        V: 'a + Encode<'a, DB> + Type<DB>,
    {
        if self.q.check_writable::<T>(column) {
            self.push_value(column, value);
        }
        self
    }

    fn push_value<V>(&mut self, column: &'static str, value: V)
    where
        V: 'a + Encode<'a, DB> + Type<DB>,
    {
        if !self.columns.is_empty() {
            self.columns.push_str(", ");
            self.q.push(", ");
        }
        self.columns.push_str(column);
        self.q.bind(value);
    }

    fn finish(self) -> Result<Sql<'a, DB>, ScopedError> {
        let Sql { text, args, error } = self.q;
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ({text})",
            T::TABLE,
            self.columns
        );
        if self.returning {
            sql.push_str(" RETURNING ");
            sql.push_str(&columns::<T>());
        }
        Sql {
            text: sql,
            args,
            error,
        }
        .finish()
    }

    /// The statement as it will be sent, for logs and tests.
    #[must_use]
    pub fn sql(&self) -> String {
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            T::TABLE,
            self.columns,
            self.q.text
        )
    }

    /// The finished statement, to run on a database that isn't a [`Backend`].
    ///
    /// # Errors
    /// The first mistake made while building, such as [`ScopedError::ProtectedColumn`].
    pub fn into_builder(self) -> Result<QueryBuilder<'a, DB>, ScopedError>
    where
        DB::Arguments<'a>: IntoArguments<'a, DB>,
    {
        self.finish().map(Sql::into_builder)
    }
}

impl<'a, DB: Backend, T: WorkspaceTable> Insert<'a, DB, T> {
    /// Inserts the row and returns how many rows were inserted (1).
    ///
    /// # Errors
    /// A building mistake (see [`ScopedError`]) or the database's error.
    pub async fn execute<'c, E>(self, executor: E) -> Result<u64, ScopedError>
    where
        E: Executor<'c, Database = DB>,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    {
        execute(self.finish()?, executor).await
    }

    /// Inserts the row and returns it as stored (`RETURNING`, SQLite ≥ 3.35
    /// and Postgres), with its generated id.
    ///
    /// # Errors
    /// A building mistake (see [`ScopedError`]) or the database's error.
    pub async fn fetch_one<'c, E>(mut self, executor: E) -> Result<T, ScopedError>
    where
        E: Executor<'c, Database = DB>,
        T: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    {
        self.returning = true;
        let Sql { text, args, .. } = self.finish()?;
        let args = DB::shorten_arguments(args);
        Ok(::sqlx::query_as_with::<DB, T, _>(&text, args)
            .fetch_one(executor)
            .await?)
    }
}

async fn execute<'c, DB, E>(q: Sql<'_, DB>, executor: E) -> Result<u64, ScopedError>
where
    DB: Backend,
    E: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
{
    let Sql { text, args, .. } = q;
    let args = DB::shorten_arguments(args);
    let done = ::sqlx::query_with::<DB, _>(&text, args)
        .execute(executor)
        .await?;
    Ok(DB::rows_affected(&done))
}

/// SQL text, its bound arguments and the first building mistake.
struct Sql<'a, DB: Database> {
    text: String,
    args: DB::Arguments<'a>,
    error: Option<ScopedError>,
}

impl<'a, DB: Database> Sql<'a, DB> {
    fn new(text: String) -> Self {
        Self {
            text,
            args: Default::default(),
            error: None,
        }
    }

    fn push(&mut self, sql: &str) {
        self.text.push_str(sql);
    }

    fn bind<V>(&mut self, value: V)
    where
        V: 'a + Encode<'a, DB> + Type<DB>,
    {
        if self.error.is_some() {
            return;
        }
        match self.args.add(value) {
            Ok(()) => {
                if self.args.format_placeholder(&mut self.text).is_err() {
                    self.fail(::sqlx::Error::Protocol("cannot format a placeholder".into()).into());
                }
            }
            Err(e) => self.fail(::sqlx::Error::Encode(e).into()),
        }
    }

    fn fail(&mut self, error: ScopedError) {
        self.error.get_or_insert(error);
    }

    /// ` WHERE <workspace> = ?`, and ` AND <tenant> = ?` for a table keyed
    /// by tenant.
    fn push_workspace<T: WorkspaceTable>(&mut self, workspace: &Workspace)
    where
        String: Encode<'a, DB> + Type<DB>,
    {
        self.push(" WHERE ");
        self.push(T::WORKSPACE_COLUMN);
        self.push(" = ");
        self.bind(workspace.id().to_owned());
        if let Some(column) = T::TENANT_COLUMN {
            match workspace.tenant_id() {
                Some(tenant) => {
                    self.push(" AND ");
                    self.push(column);
                    self.push(" = ");
                    self.bind(tenant.to_owned());
                }
                None => self.fail(ScopedError::TenantRequired),
            }
        }
    }

    fn check_column(&mut self, column: &'static str) -> bool {
        if is_ident(column) {
            true
        } else {
            self.fail(ScopedError::InvalidColumn(column));
            false
        }
    }

    fn check_writable<T: WorkspaceTable>(&mut self, column: &'static str) -> bool {
        if column == T::WORKSPACE_COLUMN
            || Some(column) == T::CREATED_BY_COLUMN
            || Some(column) == T::TENANT_COLUMN
        {
            self.fail(ScopedError::ProtectedColumn(column));
            return false;
        }
        self.check_column(column)
    }

    /// Whether every key is mapped and every value is exact; records the first failure.
    fn check_filters<T: WorkspaceTable>(&mut self, filters: &[FilterMap]) -> bool {
        match check_filters::<T>(filters) {
            Ok(()) => true,
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// `(<col> = ? AND …)` for a checked, non-empty filter.
    fn push_filter<T: WorkspaceTable>(&mut self, filter: &FilterMap)
    where
        String: Encode<'a, DB> + Type<DB>,
    {
        self.push("(");
        for (i, (key, value)) in filter.iter().enumerate() {
            if i > 0 {
                self.push(" AND ");
            }
            let Some(column) = filter_column::<T>(key) else {
                self.fail(unknown(key));
                return;
            };
            self.push(column);
            self.push(" = ");
            self.bind(value.clone());
        }
        self.push(")");
    }

    fn finish(self) -> Result<Self, ScopedError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }

    fn into_builder(self) -> QueryBuilder<'a, DB>
    where
        DB::Arguments<'a>: IntoArguments<'a, DB>,
    {
        QueryBuilder::with_arguments(self.text, self.args)
    }
}

/// Every key mapped, every value exact (no glob).
fn check_filters<T: WorkspaceTable>(filters: &[FilterMap]) -> Result<(), ScopedError> {
    for (key, value) in filters.iter().flatten() {
        if filter_column::<T>(key).is_none() {
            return Err(unknown(key));
        }
        if value.contains(['*', '?', '[']) {
            return Err(ScopedError::GlobFilterValue(key.clone()));
        }
    }
    Ok(())
}

fn unknown(key: &str) -> ScopedError {
    ScopedError::UnknownFilterKey(key.to_owned())
}

fn filter_column<T: WorkspaceTable>(key: &str) -> Option<&'static str> {
    T::FILTER_COLUMNS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, column)| *column)
}

fn columns<T: WorkspaceTable>() -> String {
    if T::COLUMNS.is_empty() {
        "*".to_owned()
    } else {
        T::COLUMNS.join(", ")
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, optionally dotted once per part (`schema.table`).
const fn is_ident(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    let mut start = true;
    while i < b.len() {
        let c = b[i];
        let ok = match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => true,
            b'0'..=b'9' => !start,
            b'.' => !start && i + 1 < b.len(),
            _ => false,
        };
        if !ok {
            return false;
        }
        start = c == b'.';
        i += 1;
    }
    true
}

/// Fails the build (post-monomorphisation) for a table whose names aren't identifiers.
const fn assert_table<T: WorkspaceTable>() {
    assert!(
        is_ident(T::TABLE),
        "WorkspaceTable::TABLE must be a plain SQL identifier"
    );
    assert!(
        is_ident(T::ID_COLUMN),
        "WorkspaceTable::ID_COLUMN must be a plain SQL identifier"
    );
    assert!(
        is_ident(T::WORKSPACE_COLUMN),
        "WorkspaceTable::WORKSPACE_COLUMN must be a plain SQL identifier"
    );
    if let Some(c) = T::CREATED_BY_COLUMN {
        assert!(
            is_ident(c),
            "WorkspaceTable::CREATED_BY_COLUMN must be a plain SQL identifier"
        );
    }
    if let Some(c) = T::TENANT_COLUMN {
        assert!(
            is_ident(c),
            "WorkspaceTable::TENANT_COLUMN must be a plain SQL identifier"
        );
    }
    let mut i = 0;
    while i < T::COLUMNS.len() {
        assert!(
            is_ident(T::COLUMNS[i]),
            "WorkspaceTable::COLUMNS must be plain SQL identifiers"
        );
        i += 1;
    }
    let mut i = 0;
    while i < T::FILTER_COLUMNS.len() {
        assert!(
            is_ident(T::FILTER_COLUMNS[i].1),
            "WorkspaceTable::FILTER_COLUMNS columns must be plain SQL identifiers"
        );
        i += 1;
    }
}

impl<DB: Database> fmt::Debug for Sql<'_, DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sql")
            .field("text", &self.text)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<DB: Database, T> fmt::Debug for Select<'_, DB, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("sql", &self.q)
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .finish()
    }
}

impl<DB: Database, T> fmt::Debug for Write<'_, DB, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Write").field("sql", &self.q).finish()
    }
}

impl<DB: Database, T> fmt::Debug for Update<'_, DB, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Update")
            .field("sql", &self.q)
            .field("sets", &self.sets)
            .finish_non_exhaustive()
    }
}

impl<DB: Database, T> fmt::Debug for Insert<'_, DB, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Insert")
            .field("columns", &self.columns)
            .field("values", &self.q)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

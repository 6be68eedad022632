//! The statement builders: [`Select`], [`Write`], [`Update`], [`Insert`].

use std::fmt;
use std::marker::PhantomData;

use ::sqlx::{Database, Encode, Executor, FromRow, IntoArguments, QueryBuilder, Type};

use crate::Workspace;
use crate::scope::FilterMap;

use super::sql::Sql;
use super::table::columns;
use super::{Backend, Order, ScopedError, WorkspaceTable};

/// A `SELECT` bound to a workspace. Narrow it, then run it with
/// [`fetch_all`](Self::fetch_all) or [`fetch_optional`](Self::fetch_optional).
#[must_use = "a statement does nothing until it is run"]
pub struct Select<'a, DB: Database, T> {
    pub(super) q: Sql<'a, DB>,
    pub(super) order: Vec<(&'static str, Order)>,
    pub(super) limit: Option<u64>,
    pub(super) offset: Option<u64>,
    pub(super) table: PhantomData<fn() -> T>,
}

/// An `UPDATE … WHERE` or `DELETE … WHERE` bound to a workspace. Narrow it,
/// then run it with [`execute`](Self::execute).
#[must_use = "a statement does nothing until it is run"]
pub struct Write<'a, DB: Database, T> {
    pub(super) q: Sql<'a, DB>,
    pub(super) table: PhantomData<fn() -> T>,
}

/// The `SET` list of an `UPDATE`; it runs only after [`by_id`](Self::by_id)
/// or [`in_workspace`](Self::in_workspace) bound it to the workspace.
#[must_use = "an update runs only after `by_id` or `in_workspace`"]
pub struct Update<'a, DB: Database, T> {
    pub(super) q: Sql<'a, DB>,
    pub(super) workspace: Workspace,
    pub(super) sets: usize,
    pub(super) table: PhantomData<fn() -> T>,
}

/// An `INSERT` of one row, already carrying the workspace and `created_by`.
#[must_use = "a statement does nothing until it is run"]
pub struct Insert<'a, DB: Database, T> {
    pub(super) columns: String,
    pub(super) q: Sql<'a, DB>,
    pub(super) returning: bool,
    pub(super) table: PhantomData<fn() -> T>,
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
        // The first row is all that is asked for: the database stops there.
        let mut first = self;
        first.limit = Some(1);
        Ok(first.fetch_all(executor).await?.into_iter().next())
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

    pub(super) fn push_value<V>(&mut self, column: &'static str, value: V)
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

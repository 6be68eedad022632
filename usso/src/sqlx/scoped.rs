//! [`Scoped`]: the statements of one table in one workspace.

use std::fmt;
use std::marker::PhantomData;

use ::sqlx::{Database, Encode, QueryBuilder, Type};

use crate::Workspace;
use crate::scope::FilterMap;

use super::sql::Sql;
use super::table::{assert_table, check_filters, columns, filter_column, unknown};
use super::{Bind, Insert, ScopedError, Select, Update, WorkspaceTable, Write};

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
    pub fn select<'a, DB: Database>(&self) -> Select<'a, DB, T>
    where
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
    pub fn get<'a, DB: Database, Id: Bind<'a, DB>>(&self, id: Id) -> Select<'a, DB, T>
    where
        String: Bind<'a, DB>,
    {
        self.select().and_eq(T::ID_COLUMN, id)
    }

    /// `INSERT INTO <table>`, stamped with the workspace and `created_by`.
    pub fn insert<'a, DB: Database>(&self) -> Insert<'a, DB, T>
    where
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
    pub fn update<'a, DB: Database>(&self) -> Update<'a, DB, T>
    where
        String: Encode<'a, DB> + Type<DB>,
    {
        Update {
            q: Sql::new(format!("UPDATE {} SET ", T::TABLE)),
            workspace: self.workspace.clone(),
            sets: 0,
            table: PhantomData,
        }
    }

    /// `DELETE` of the workspace's rows; narrow it with `and_eq` or the scope filters.
    pub fn delete_where<'a, DB: Database>(&self) -> Write<'a, DB, T>
    where
        String: Encode<'a, DB> + Type<DB>,
    {
        let mut q = Sql::new(format!("DELETE FROM {}", T::TABLE));
        q.push_workspace::<T>(self.workspace);
        Write {
            q,
            table: PhantomData,
        }
    }

    /// `DELETE` of the row with primary key `id`, if it is in the workspace.
    pub fn delete<'a, DB: Database, Id: Bind<'a, DB>>(&self, id: Id) -> Write<'a, DB, T>
    where
        String: Bind<'a, DB>,
    {
        self.delete_where().and_eq(T::ID_COLUMN, id)
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
    pub fn push_workspace_condition<'q, 'a, DB: Database>(
        &self,
        qb: &'q mut QueryBuilder<'a, DB>,
    ) -> &'q mut QueryBuilder<'a, DB>
    where
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
    pub fn push_scope_filters<'a, DB: Database>(
        &self,
        qb: &mut QueryBuilder<'a, DB>,
        filters: &[FilterMap],
    ) -> Result<(), ScopedError>
    where
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

//! The SQL text and bound arguments of one statement, with the first
//! mistake kept for when it runs.

use std::fmt;

use ::sqlx::{Arguments, Database, Encode, IntoArguments, QueryBuilder, Type};

use crate::Workspace;
use crate::scope::FilterMap;

use super::table::{check_filters, filter_column, is_ident, unknown};
use super::{ScopedError, WorkspaceTable};

/// SQL text, its bound arguments and the first building mistake.
pub(super) struct Sql<'a, DB: Database> {
    pub(super) text: String,
    pub(super) args: DB::Arguments<'a>,
    pub(super) error: Option<ScopedError>,
}

impl<'a, DB: Database> Sql<'a, DB> {
    pub(super) fn new(text: String) -> Self {
        Self {
            text,
            args: Default::default(),
            error: None,
        }
    }

    pub(super) fn push(&mut self, sql: &str) {
        self.text.push_str(sql);
    }

    pub(super) fn bind<V>(&mut self, value: V)
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

    pub(super) fn fail(&mut self, error: ScopedError) {
        self.error.get_or_insert(error);
    }

    /// ` WHERE <workspace> = ?`, and ` AND <tenant> = ?` for a table keyed
    /// by tenant.
    pub(super) fn push_workspace<T: WorkspaceTable>(&mut self, workspace: &Workspace)
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

    pub(super) fn check_column(&mut self, column: &'static str) -> bool {
        if is_ident(column) {
            true
        } else {
            self.fail(ScopedError::InvalidColumn(column));
            false
        }
    }

    pub(super) fn check_writable<T: WorkspaceTable>(&mut self, column: &'static str) -> bool {
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
    pub(super) fn check_filters<T: WorkspaceTable>(&mut self, filters: &[FilterMap]) -> bool {
        match check_filters::<T>(filters) {
            Ok(()) => true,
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// `(<col> = ? AND …)` for a checked, non-empty filter.
    pub(super) fn push_filter<T: WorkspaceTable>(&mut self, filter: &FilterMap)
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

    pub(super) fn finish(self) -> Result<Self, ScopedError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }

    pub(super) fn into_builder(self) -> QueryBuilder<'a, DB>
    where
        DB::Arguments<'a>: IntoArguments<'a, DB>,
    {
        QueryBuilder::with_arguments(self.text, self.args)
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

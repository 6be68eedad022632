//! [`WorkspaceTable`]: a table's names, checked to be plain SQL identifiers
//! at compile time, and the scope-filter allow-list.

use crate::Workspace;
use crate::scope::FilterMap;

use super::{Scoped, ScopedError};

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
    /// The primary key, used by [`Scoped::get`], [`Scoped::delete`] and [`Update::by_id`](crate::sqlx::Update::by_id).
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
    /// The columns selected (and returned by [`Insert::fetch_one`](crate::sqlx::Insert::fetch_one)); empty means `*`.
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

/// Every key mapped, every value exact (no glob).
pub(super) fn check_filters<T: WorkspaceTable>(filters: &[FilterMap]) -> Result<(), ScopedError> {
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

pub(super) fn unknown(key: &str) -> ScopedError {
    ScopedError::UnknownFilterKey(key.to_owned())
}

pub(super) fn filter_column<T: WorkspaceTable>(key: &str) -> Option<&'static str> {
    T::FILTER_COLUMNS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, column)| *column)
}

pub(super) fn columns<T: WorkspaceTable>() -> String {
    if T::COLUMNS.is_empty() {
        "*".to_owned()
    } else {
        T::COLUMNS.join(", ")
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, optionally dotted once per part (`schema.table`).
pub(super) const fn is_ident(s: &str) -> bool {
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
pub(super) const fn assert_table<T: WorkspaceTable>() {
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

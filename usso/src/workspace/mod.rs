use std::fmt;

use crate::{Claims, UserData};

/// The workspace a request is bound to, taken from verified claims only.
///
/// There is no public constructor from a string: a handler gets a
/// `Workspace` from the extractor (or `#[workspace_scoped]`), which reads
/// `workspace_id` out of a verified token. Tests and background jobs that
/// really need one use the explicitly named [`Workspace::trusted`].
///
/// As an extractor it verifies the token (reusing an earlier verification)
/// and rejects with 403 [`AuthError::WorkspaceRequired`](crate::AuthError::WorkspaceRequired)
/// when the token has no `workspace_id`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Workspace {
    id: String,
    tenant_id: Option<String>,
    user_id: Option<String>,
}

impl Workspace {
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn from_claims(claims: &UserData) -> Option<Self> {
        let id = claims.workspace_id.as_deref().filter(|w| !w.is_empty())?;
        Some(Self {
            id: id.to_owned(),
            tenant_id: claims.tenant_id.clone(),
            user_id: claims.user_id().map(str::to_owned),
        })
    }

    /// **Escape hatch** for tests and background jobs: a workspace that did
    /// not come from a verified token. Never build one from request input.
    pub fn trusted(id: impl Into<String>, tenant_id: Option<String>) -> Self {
        Self {
            id: id.into(),
            tenant_id,
            user_id: None,
        }
    }

    /// The workspace id (`workspace_id` claim).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The tenant (`tenant_id` claim), if the token had one.
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant_id.as_deref()
    }

    /// The acting user (`user_id` claim, else `sub`), for `created_by` stamps.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }
}

impl fmt::Debug for Workspace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workspace")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

/// A marker for claims types that carry a workspace. [`UserData`] does; implement it
/// (one empty `impl`) for your own claims type to use it with
/// `#[workspace_scoped]` and [`Workspace`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not declare a workspace, so `#[workspace_scoped]` can't use it",
    note = "add `impl usso::WorkspaceClaims for {Self} {{}}` (its `workspace_id` comes from the flattened `UserData`)"
)]
pub trait WorkspaceClaims: Claims {}

// `do_not_recommend` keeps the compile error for a custom type on the
// user's `impl` suggestion instead of listing usso's own impls.
#[diagnostic::do_not_recommend]
impl WorkspaceClaims for UserData {}

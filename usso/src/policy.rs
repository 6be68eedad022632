use crate::{AuthError, UserData};

/// One authorization rule, as data. The macros compile
/// `#[require(all(scope("write:posts"), any(role("editor"), role("admin"))))]`
/// into exactly this, and typed policies declare it by hand.
///
/// ```
/// use usso::{Requirement, UserData};
///
/// const EDIT: Requirement = Requirement::All(&[
///     Requirement::Scope("write:posts"),
///     Requirement::Any(&[Requirement::Role("editor"), Requirement::Role("admin")]),
/// ]);
/// let user = UserData::new("u1").with_scopes(["write:posts"]).with_roles(["editor"]);
/// assert!(EDIT.check(&user).is_ok());
/// let viewer = UserData::new("u2").with_scopes(["read:posts"]);
/// assert_eq!(EDIT.check(&viewer).unwrap_err().code(), "insufficient_scope");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Requirement {
    /// Any valid token.
    Authenticated,
    /// The token holds this scope.
    Scope(&'static str),
    /// The token holds this role.
    Role(&'static str),
    /// The token is bound to a workspace (`workspace_id`).
    Workspace,
    /// Every rule holds.
    All(&'static [Self]),
    /// At least one rule holds.
    Any(&'static [Self]),
    /// The rule does not hold.
    Not(&'static Self),
}

impl Requirement {
    /// Checks the rule against verified claims. The error says what was
    /// missing: [`AuthError::InsufficientScope`] (listing every missing
    /// scope), [`AuthError::InsufficientRole`], [`AuthError::WorkspaceRequired`]
    /// or [`AuthError::Forbidden`].
    ///
    /// # Errors
    /// When the rule does not hold.
    pub fn check(&self, claims: &UserData) -> Result<(), AuthError> {
        self.check_with(claims, &|c: &UserData, s: &str| c.has_scope(s))
    }

    pub(crate) fn check_with(
        &self,
        claims: &UserData,
        has_scope: &dyn Fn(&UserData, &str) -> bool,
    ) -> Result<(), AuthError> {
        match *self {
            Self::Authenticated => Ok(()),
            Self::Scope(scope) if has_scope(claims, scope) => Ok(()),
            Self::Scope(scope) => Err(AuthError::InsufficientScope {
                required: vec![scope.to_owned()],
            }),
            Self::Role(role) if claims.has_role(role) => Ok(()),
            Self::Role(role) => Err(AuthError::InsufficientRole {
                required: vec![role.to_owned()],
            }),
            Self::Workspace
                if claims
                    .workspace_id
                    .as_deref()
                    .is_some_and(|w| !w.is_empty()) =>
            {
                Ok(())
            }
            Self::Workspace => Err(AuthError::WorkspaceRequired),
            Self::All(rules) => {
                let mut first = None;
                let mut scopes: Vec<String> = Vec::new();
                for rule in rules {
                    match rule.check_with(claims, has_scope) {
                        Ok(()) => {}
                        Err(AuthError::InsufficientScope { required }) => scopes.extend(required),
                        Err(other) => {
                            first.get_or_insert(other);
                        }
                    }
                }
                match (scopes.is_empty(), first) {
                    (false, _) => Err(AuthError::InsufficientScope { required: scopes }),
                    (true, Some(err)) => Err(err),
                    (true, None) => Ok(()),
                }
            }
            Self::Any(rules) => {
                let mut errors = Vec::with_capacity(rules.len());
                for rule in rules {
                    match rule.check_with(claims, has_scope) {
                        Ok(()) => return Ok(()),
                        Err(e) => errors.push(e),
                    }
                }
                Err(merge_alternatives(errors))
            }
            Self::Not(rule) => match rule.check_with(claims, has_scope) {
                Ok(()) => Err(AuthError::Forbidden {
                    reason: "a rule that must not hold holds".into(),
                }),
                Err(_) => Ok(()),
            },
        }
    }
}

/// For `any(...)`: when every alternative failed the same way, list all of
/// them (`required` then reads "any of these"); otherwise the first failure.
fn merge_alternatives(errors: Vec<AuthError>) -> AuthError {
    let mut scopes = Vec::new();
    let mut roles = Vec::new();
    let mut other = None;
    for e in errors {
        match e {
            AuthError::InsufficientScope { required } => scopes.extend(required),
            AuthError::InsufficientRole { required } => roles.extend(required),
            e => {
                other.get_or_insert(e);
            }
        }
    }
    match (other, scopes.is_empty(), roles.is_empty()) {
        (None, false, true) => AuthError::InsufficientScope { required: scopes },
        (None, true, false) => AuthError::InsufficientRole { required: roles },
        (None, false, false) => AuthError::InsufficientScope { required: scopes },
        (Some(e), _, _) => e,
        (None, true, true) => AuthError::Forbidden {
            reason: "no alternative of an `any(...)` rule holds".into(),
        },
    }
}

/// A named authorization rule: the Rust twin of Django's
/// `USSOAuthMixin.required_scopes`. Check it with the
/// [`Authorized`](crate::Authorized) extractor; the usso macros generate
/// zero-sized types implementing it.
///
/// ```
/// use usso::{Policy, Requirement};
///
/// /// Editors and admins who may write posts.
/// struct PostEditors;
/// impl Policy for PostEditors {
///     const REQUIREMENT: Requirement = Requirement::All(&[
///         Requirement::Scope("write:posts"),
///         Requirement::Any(&[Requirement::Role("editor"), Requirement::Role("admin")]),
///     ]);
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a usso policy",
    note = "implement `usso::Policy` for it: `impl usso::Policy for {Self} {{ const REQUIREMENT: usso::Requirement = ...; }}`"
)]
pub trait Policy: Send + Sync + 'static {
    /// The rule.
    const REQUIREMENT: Requirement;
}

/// The policy that only asks for a valid token.
#[derive(Debug, Clone, Copy, Default)]
pub struct Authenticated;

impl Policy for Authenticated {
    const REQUIREMENT: Requirement = Requirement::Authenticated;
}

//! The framework-neutral half of the extractors: the [`Authorized`] type,
//! the verification a request remembers, and the policy check. `axum/` and
//! `actix/` implement their frameworks' extractor traits on top.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::policy::Policy;
use crate::{AuthRejection, Claims, UserData, UssoAuth};

/// Verified claims of type `C`, authorized by policy `P`: the typed-policy
/// extractor, twin of Django's `USSOAuthMixin.required_scopes`, and the one
/// place where usso checks policies (the macros expand to it). It is an
/// extractor in axum (feature `axum`) and in actix-web (feature `actix`).
///
/// It verifies the token (once per request: later extractors and the layer
/// share the result), then checks `P::REQUIREMENT`, and rejects with 401 or
/// 403 before the handler, and before any body extractor, runs.
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use usso::{Authorized, Policy, Requirement, UserData, UssoAuth};
///
/// struct ReadData;
/// impl Policy for ReadData {
///     const REQUIREMENT: Requirement = Requirement::Scope("read:data");
/// }
///
/// async fn protected(Authorized(user, _): Authorized<UserData, ReadData>) -> String {
///     format!("Protected data for {}", user.sub.unwrap_or_default())
/// }
///
/// # fn app(auth: UssoAuth) -> Router {
/// Router::new().route("/data", get(protected)).with_state(auth)
/// # }
/// ```
pub struct Authorized<C = UserData, P = crate::Authenticated>(pub C, pub PhantomData<P>);

impl<C, P> Authorized<C, P> {
    /// The claims.
    pub fn into_inner(self) -> C {
        self.0
    }
}

impl<C, P> Deref for Authorized<C, P> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

impl<C, P> DerefMut for Authorized<C, P> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.0
    }
}

impl<C: fmt::Debug, P> fmt::Debug for Authorized<C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Authorized")
            .field(&self.0)
            .field(&std::any::type_name::<P>())
            .finish()
    }
}

impl<C: Clone, P> Clone for Authorized<C, P> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

/// What the macros inject before a handler's parameters: verifies the
/// token into `C` and checks policy `P`, like [`Authorized`], but hands the
/// handler nothing, so the claims are never copied for it. The handler's own
/// claims parameter (`Authorized(user, _)`) then reuses this verification.
#[doc(hidden)]
pub struct Guard<C, P>(PhantomData<fn() -> (C, P)>);

impl<C, P> Guard<C, P> {
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

impl<C, P> fmt::Debug for Guard<C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Guard")
            .field(&std::any::type_name::<P>())
            .finish()
    }
}

/// Claims of any type, seen as their standard claims.
pub(crate) trait AnyClaims: Any + Send + Sync {
    fn user_data(&self) -> &UserData;
}

impl<C: Claims> AnyClaims for C {
    fn user_data(&self) -> &UserData {
        Claims::user_data(self)
    }
}

/// Claims verified earlier in this request (by the layer, the middleware or
/// another extractor), shared rather than copied; private so nothing
/// outside usso can forge it.
#[derive(Clone)]
pub(crate) struct Verified {
    /// The authenticator that verified them ([`UssoAuth::id`]).
    by: usize,
    claims: Arc<dyn AnyClaims>,
}

impl Verified {
    pub(crate) fn new<C: Claims>(by: &UssoAuth, claims: Arc<C>) -> Self {
        Self {
            by: by.id(),
            claims,
        }
    }

    /// The claims as `C`, if `auth` verified them. Reuse only a
    /// verification made by this very authenticator: an outer layer with
    /// looser rules (another audience) must not vouch for a router that
    /// configured stricter ones.
    pub(crate) fn claims<C: Claims>(&self, auth: &UssoAuth) -> Option<Arc<C>> {
        if self.by != auth.id() {
            return None;
        }
        let any: Arc<dyn Any + Send + Sync> =
            Arc::clone(&self.claims) as Arc<dyn Any + Send + Sync>;
        match any.downcast::<C>() {
            Ok(claims) => Some(claims),
            // The standard claims of a custom type (`UserData`, `Workspace`
            // next to a handler's own claims type).
            Err(_) => {
                let user: &dyn Any = self.claims.user_data();
                user.downcast_ref::<C>().map(|c| Arc::new(c.clone()))
            }
        }
    }

    /// The standard claims, if `auth` verified them.
    pub(crate) fn user_data(&self, auth: &UssoAuth) -> Option<&UserData> {
        (self.by == auth.id()).then(|| self.claims.user_data())
    }
}

/// Checks policy `P` on verified claims.
pub(crate) fn authorize<C: Claims, P: Policy>(
    claims: &C,
    auth: &UssoAuth,
) -> Result<(), AuthRejection> {
    auth.check_requirement(&P::REQUIREMENT, claims.user_data())
        .map_err(|e| AuthRejection::new(e, auth))
}

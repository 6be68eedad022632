use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use super::AuthRejection;
use crate::policy::{Authenticated, Policy};
use crate::{AuthError, Claims, UserData, UssoAuth};

/// Verified claims of type `C`, authorized by policy `P`: the typed-policy
/// extractor, twin of Django's `USSOAuthMixin.required_scopes`, and the one
/// place where usso checks policies (the macros expand to it).
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
pub struct Authorized<C = UserData, P = Authenticated>(pub C, pub PhantomData<P>);

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

/// Claims verified earlier in this request (by the layer or another
/// extractor); private so nothing outside usso can forge it.
#[derive(Clone)]
pub(crate) struct Verified<C>(pub(crate) usize, pub(crate) C);

/// Routers without state (`Router<()>`) find their authenticator in the
/// request extensions; this placeholder makes the `FromRef` bound hold and
/// reports [`AuthError::MissingAuthenticator`] when there is none.
impl FromRef<()> for UssoAuth {
    fn from_ref((): &()) -> Self {
        Self::unconfigured()
    }
}

/// The authenticator for this request: the router state's, when it has one
/// (the most specific configuration wins over an outer layer's), else the
/// one a layer or `Extension` put in the request.
pub(crate) fn authenticator<S>(parts: &Parts, state: &S) -> Result<UssoAuth, AuthRejection>
where
    UssoAuth: FromRef<S>,
{
    let from_state = UssoAuth::from_ref(state);
    if from_state.is_configured() {
        return Ok(from_state);
    }
    parts
        .extensions
        .get::<UssoAuth>()
        .cloned()
        .ok_or_else(|| AuthRejection::bare(AuthError::MissingAuthenticator))
}

/// Verifies the request's credential into `C`, reusing an earlier result.
pub(crate) async fn verified<C: Claims, S>(
    parts: &mut Parts,
    state: &S,
) -> Result<(C, UssoAuth), AuthRejection>
where
    UssoAuth: FromRef<S>,
{
    let auth = authenticator(parts, state)?;
    // Reuse only a verification made by this very authenticator: an outer
    // layer with looser rules (another audience) must not vouch for a
    // router that configured stricter ones.
    if let Some(Verified(by, claims)) = parts.extensions.get::<Verified<C>>()
        && *by == auth.id()
    {
        return Ok((claims.clone(), auth));
    }
    let (method, uri, headers) = (&parts.method, &parts.uri, &parts.headers);
    let claims = if reported(&mut parts.extensions, auth.id()) {
        auth.reauthenticate_parts::<C>(method, uri, headers).await
    } else {
        auth.authenticate_parts::<C>(method, uri, headers).await
    }
    .map_err(|e| AuthRejection::new(e, &auth))?;
    remember_verified(&mut parts.extensions, auth.id(), &claims);
    Ok((claims, auth))
}

/// This request's authentication by authenticator `.0` has been counted
/// and reported to its audit hook.
#[derive(Clone, Copy)]
pub(crate) struct Reported(pub(crate) usize);

/// Whether authenticator `by` already reported this request; marks it
/// reported either way, so that the layer and every extractor of one
/// request make one audit event between them.
pub(crate) fn reported(extensions: &mut http::Extensions, by: usize) -> bool {
    extensions
        .insert(Reported(by))
        .is_some_and(|Reported(was)| was == by)
}

/// Records a verification made by authenticator `by` for the rest of the
/// request (extractors and layer alike).
pub(crate) fn remember_verified<C: Claims>(
    extensions: &mut http::Extensions,
    by: usize,
    claims: &C,
) {
    extensions.insert(Verified(by, claims.clone()));
    // Extractors of the standard claims (`Workspace`, `UserData`) reuse
    // this verification too, even when the handler's type is a custom one.
    if std::any::TypeId::of::<C>() != std::any::TypeId::of::<UserData>() {
        extensions.insert(Verified(by, claims.user_data().clone()));
    }
}

fn authorize<C: Claims, P: Policy>(claims: &C, auth: &UssoAuth) -> Result<(), AuthRejection> {
    auth.check_requirement(&P::REQUIREMENT, claims.user_data())
        .map_err(|e| AuthRejection::new(e, auth))
}

impl<S: Send + Sync, C: Claims, P: Policy> FromRequestParts<S> for Authorized<C, P>
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let (claims, auth) = verified::<C, S>(parts, state).await?;
        authorize::<C, P>(&claims, &auth)?;
        Ok(Self(claims, PhantomData))
    }
}

impl<S: Send + Sync, C: Claims, P: Policy> OptionalFromRequestParts<S> for Authorized<C, P>
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Maybe<Self> {
        match verified::<C, S>(parts, state).await {
            Ok((claims, auth)) => {
                authorize::<C, P>(&claims, &auth)?;
                Ok(Some(Self(claims, PhantomData)))
            }
            Err(rejection) if *rejection.error() == AuthError::TokenNotFound => Ok(None),
            Err(rejection) => Err(rejection),
        }
    }
}

/// What an optional extractor answers: `None` only for "no token at all".
type Maybe<T> = Result<Option<T>, AuthRejection>;

/// `user: UserData` in a handler: any valid token (the Python SDK's
/// `user: UserData = Depends(authenticator)`).
impl<S: Send + Sync> FromRequestParts<S> for UserData
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        verified::<Self, S>(parts, state)
            .await
            .map(|(claims, _)| claims)
    }
}

/// `user: Option<UserData>`: `None` without a token, 401 with a bad one.
impl<S: Send + Sync> OptionalFromRequestParts<S> for UserData
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Maybe<Self> {
        <Authorized<Self, Authenticated> as OptionalFromRequestParts<S>>::from_request_parts(
            parts, state,
        )
        .await
        .map(|found| found.map(Authorized::into_inner))
    }
}

/// `ws: Workspace` in a handler: the workspace of a valid token, or a 403
/// `workspace_required` (the workspace helpers take it).
impl<S: Send + Sync> FromRequestParts<S> for crate::Workspace
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let (claims, auth) = verified::<UserData, S>(parts, state).await?;
        Self::from_claims(&claims)
            .ok_or_else(|| AuthRejection::new(AuthError::WorkspaceRequired, &auth))
    }
}

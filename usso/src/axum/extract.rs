use std::marker::PhantomData;
use std::sync::Arc;

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::audit::Reported;
use crate::authorized::{Guard, Verified, authorize};
use crate::policy::{Authenticated, Policy};
use crate::request::HttpHead;
use crate::{AuthError, AuthRejection, Authorized, Claims, UserData, UssoAuth};

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
) -> Result<(Arc<C>, UssoAuth), AuthRejection>
where
    UssoAuth: FromRef<S>,
{
    let auth = authenticator(parts, state)?;
    if let Some(claims) = parts
        .extensions
        .get::<Verified>()
        .and_then(|v| v.claims::<C>(&auth))
    {
        return Ok((claims, auth));
    }
    let head = HttpHead {
        method: &parts.method,
        uri: &parts.uri,
        headers: &parts.headers,
    };
    // One audit event per request: the layer and the other extractors of
    // this request share the first report.
    let claims = if reported(&mut parts.extensions, auth.id()) {
        auth.reauthenticate_shared::<C, _>(&head).await
    } else {
        auth.authenticate_shared::<C, _>(&head).await
    }
    .map_err(|e| AuthRejection::new(e, &auth))?;
    parts
        .extensions
        .insert(Verified::new(&auth, Arc::clone(&claims)));
    Ok((claims, auth))
}

/// Whether authenticator `by` already reported this request; marks it
/// reported either way.
pub(crate) fn reported(extensions: &mut http::Extensions, by: usize) -> bool {
    extensions
        .insert(Reported(by))
        .is_some_and(|Reported(was)| was == by)
}

async fn authorized<C: Claims, P: Policy, S>(
    parts: &mut Parts,
    state: &S,
) -> Result<Authorized<C, P>, AuthRejection>
where
    UssoAuth: FromRef<S>,
{
    let (claims, auth) = verified::<C, S>(parts, state).await?;
    authorize::<C, P>(&claims, &auth)?;
    Ok(Authorized(Arc::unwrap_or_clone(claims), PhantomData))
}

impl<S: Send + Sync, C: Claims, P: Policy> FromRequestParts<S> for Authorized<C, P>
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        authorized(parts, state).await
    }
}

impl<S: Send + Sync, C: Claims, P: Policy> OptionalFromRequestParts<S> for Authorized<C, P>
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Maybe<Self> {
        match optional(verified::<C, S>(parts, state).await)? {
            Some((claims, auth)) => {
                authorize::<C, P>(&claims, &auth)?;
                Ok(Some(Self(Arc::unwrap_or_clone(claims), PhantomData)))
            }
            None => Ok(None),
        }
    }
}

/// The macros' guard: verified and authorized, nothing copied.
impl<S: Send + Sync, C: Claims, P: Policy> FromRequestParts<S> for Guard<C, P>
where
    UssoAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let (claims, auth) = verified::<C, S>(parts, state).await?;
        authorize::<C, P>(&claims, &auth)?;
        Ok(Self::new())
    }
}

/// What an optional extractor answers: `None` only for "no token at all".
fn optional<T>(found: Result<T, AuthRejection>) -> Result<Option<T>, AuthRejection> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(rejection) if *rejection.error() == AuthError::TokenNotFound => Ok(None),
        Err(rejection) => Err(rejection),
    }
}

/// What an optional extractor answers.
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
            .map(|(claims, _)| Arc::unwrap_or_clone(claims))
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
        let auth = authenticator(parts, state)?;
        // Only the standard claims are read: no copy of a custom type.
        let reused = parts
            .extensions
            .get::<Verified>()
            .and_then(|v| v.user_data(&auth).map(Self::from_claims));
        let workspace = match reused {
            Some(workspace) => workspace,
            None => {
                let (claims, _) = verified::<UserData, S>(parts, state).await?;
                Self::from_claims(&claims)
            }
        };
        workspace.ok_or_else(|| AuthRejection::new(AuthError::WorkspaceRequired, &auth))
    }
}

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::gate;
use super::head::ActixHead;
use crate::authorized::{Guard, Verified, authorize};
use crate::policy::Policy;
use crate::{AuthError, AuthRejection, Authorized, Claims, UserData, UssoAuth, Workspace};

/// The extractors' future (actix-web's futures need not be `Send`).
type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, AuthRejection>>>>;

/// The authenticator for this request: the app data's (a
/// `web::Data<UssoAuth>` or the `UssoAuth` itself; the innermost scope's
/// wins), else the one [`UssoMiddleware`](super::UssoMiddleware) put in
/// the request.
pub(super) fn authenticator(req: &HttpRequest) -> Result<UssoAuth, AuthRejection> {
    if let Some(auth) = req.app_data::<web::Data<UssoAuth>>() {
        return Ok(UssoAuth::clone(auth));
    }
    if let Some(auth) = req.app_data::<UssoAuth>() {
        return Ok(auth.clone());
    }
    req.extensions()
        .get::<UssoAuth>()
        .cloned()
        .ok_or_else(|| AuthRejection::bare(AuthError::MissingAuthenticator))
}

/// Verifies the request's credential into `C`, reusing an earlier result.
async fn verified<C: Claims>(req: &HttpRequest) -> Result<(Arc<C>, UssoAuth), AuthRejection> {
    let auth = authenticator(req)?;
    let reused = req
        .extensions()
        .get::<Verified>()
        .and_then(|v| v.claims::<C>(&auth));
    if let Some(claims) = reused {
        return Ok((claims, auth));
    }
    let head = ActixHead(req.head());
    // One audit event per request: the middleware and the other extractors
    // of this request share the first report.
    let claims = if reported(req, auth.id()) {
        auth.reauthenticate_shared::<C, _>(&head).await
    } else {
        auth.authenticate_shared::<C, _>(&head).await
    }
    .map_err(|e| AuthRejection::new(e, &auth))?;
    req.extensions_mut()
        .insert(Verified::new(&auth, Arc::clone(&claims)));
    Ok((claims, auth))
}

/// Whether authenticator `by` already reported this request; marks it
/// reported either way.
pub(crate) fn reported(req: &HttpRequest, by: usize) -> bool {
    req.extensions_mut()
        .insert(crate::audit::Reported(by))
        .is_some_and(|crate::audit::Reported(was)| was == by)
}

/// Runs `decide` with the request's body held back until it succeeds.
fn gated<T: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    decide: impl AsyncFnOnce(HttpRequest) -> Result<T, AuthRejection> + 'static,
) -> Extracting<T> {
    let gate = gate::hold(payload);
    let req = req.clone();
    Box::pin(async move {
        let decided = decide(req).await?;
        if let Some(gate) = gate {
            gate.open();
        }
        Ok(decided)
    })
}

/// `Authorized<C, P>` in an actix-web handler: the token verified into `C`
/// and policy `P` checked, before the handler and before the body is read.
impl<C: Claims, P: Policy + 'static> FromRequest for Authorized<C, P> {
    type Error = AuthRejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        gated(req, payload, async |req| {
            let (claims, auth) = verified::<C>(&req).await?;
            authorize::<C, P>(&claims, &auth)?;
            Ok(Self(Arc::unwrap_or_clone(claims), PhantomData))
        })
    }
}

/// The macros' guard: verified and authorized, nothing copied.
impl<C: Claims, P: Policy + 'static> FromRequest for Guard<C, P> {
    type Error = AuthRejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        gated(req, payload, async |req| {
            let (claims, auth) = verified::<C>(&req).await?;
            authorize::<C, P>(&claims, &auth)?;
            Ok(Self::new())
        })
    }
}

/// `user: UserData` in an actix-web handler: any valid token.
impl FromRequest for UserData {
    type Error = AuthRejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        gated(req, payload, async |req| {
            verified::<Self>(&req)
                .await
                .map(|(claims, _)| Arc::unwrap_or_clone(claims))
        })
    }
}

/// `ws: Workspace` in an actix-web handler: the workspace of a valid token,
/// or a 403 `workspace_required`.
impl FromRequest for Workspace {
    type Error = AuthRejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        gated(req, payload, async |req| {
            let auth = authenticator(&req)?;
            // Only the standard claims are read: no copy of a custom type.
            let reused = req
                .extensions()
                .get::<Verified>()
                .and_then(|v| v.user_data(&auth).map(Self::from_claims));
            let workspace = match reused {
                Some(workspace) => workspace,
                None => {
                    let (claims, _) = verified::<UserData>(&req).await?;
                    Self::from_claims(&claims)
                }
            };
            workspace.ok_or_else(|| AuthRejection::new(AuthError::WorkspaceRequired, &auth))
        })
    }
}

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum_core::response::{IntoResponse, Response};
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use super::extract::reported;
use crate::authorized::Verified;
use crate::request::HttpHead;
use crate::{AuthError, AuthRejection, Claims, UserData, UssoAuth};

/// Tower middleware that authenticates every request: the twin of the
/// Django `USSOAuthMiddleware` (`request.usso_user`).
///
/// It puts the [`UssoAuth`] and the verified claims (`C`, by default
/// [`UserData`]) into the request extensions, so handlers can take
/// `Extension<UserData>`, or any usso extractor, which then reuses the
/// verified claims instead of verifying again.
///
/// * [`required`](Self::required): a request without a valid token is
///   rejected (401/503) before reaching the inner service.
/// * [`optional`](Self::optional): a request without a token passes through
///   unauthenticated; a request with an invalid token is still a 401.
///
/// ```no_run
/// use axum::{Extension, Router, routing::get};
/// use usso::{UserData, UssoAuth, UssoLayer};
///
/// async fn me(Extension(user): Extension<UserData>) -> String {
///     user.sub.unwrap_or_default()
/// }
///
/// # fn app(auth: UssoAuth) -> Router {
/// Router::new()
///     .route("/me", get(me))
///     .layer(UssoLayer::required(auth))
/// # }
/// ```
#[must_use]
pub struct UssoLayer<C = UserData> {
    auth: UssoAuth,
    required: bool,
    claims: PhantomData<fn() -> C>,
}

impl UssoLayer<UserData> {
    /// Every request must carry a valid token.
    pub fn required(auth: UssoAuth) -> Self {
        Self::new(auth, true)
    }

    /// Requests without a token pass through; invalid tokens are rejected.
    pub fn optional(auth: UssoAuth) -> Self {
        Self::new(auth, false)
    }
}

impl<C> UssoLayer<C> {
    fn new(auth: UssoAuth, required: bool) -> Self {
        Self {
            auth,
            required,
            claims: PhantomData,
        }
    }

    /// Verifies into a custom claims type instead of [`UserData`].
    pub fn with_claims<D: Claims>(self) -> UssoLayer<D> {
        UssoLayer::new(self.auth, self.required)
    }
}

impl<C> Clone for UssoLayer<C> {
    fn clone(&self) -> Self {
        Self::new(self.auth.clone(), self.required)
    }
}

impl<C> fmt::Debug for UssoLayer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UssoLayer")
            .field("auth", &self.auth)
            .field("required", &self.required)
            .finish()
    }
}

impl<C, I> Layer<I> for UssoLayer<C> {
    type Service = UssoService<I, C>;

    fn layer(&self, inner: I) -> Self::Service {
        UssoService {
            inner,
            auth: self.auth.clone(),
            required: self.required,
            claims: PhantomData,
        }
    }
}

/// The service made by [`UssoLayer`].
pub struct UssoService<I, C = UserData> {
    inner: I,
    auth: UssoAuth,
    required: bool,
    claims: PhantomData<fn() -> C>,
}

impl<I: Clone, C> Clone for UssoService<I, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            auth: self.auth.clone(),
            required: self.required,
            claims: PhantomData,
        }
    }
}

impl<I, C> fmt::Debug for UssoService<I, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UssoService")
            .field("auth", &self.auth)
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

impl<I, B, C> Service<Request<B>> for UssoService<I, C>
where
    I: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    I::Future: Send + 'static,
    B: Send + 'static,
    C: Claims,
{
    type Response = Response;
    type Error = I::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, I::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The ready service is the one that was polled: take it and leave a
        // fresh clone behind for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth = self.auth.clone();
        let required = self.required;
        Box::pin(async move {
            // One audit event per request: the extractors after this layer
            // reuse its report (and a second layer with the same
            // authenticator does too).
            let again = reported(request.extensions_mut(), auth.id());
            let head = HttpHead {
                method: request.method(),
                uri: request.uri(),
                headers: request.headers(),
            };
            let result = if again {
                auth.reauthenticate_shared::<C, _>(&head).await
            } else {
                auth.authenticate_shared::<C, _>(&head).await
            };
            match result {
                Ok(claims) => {
                    let owned = C::clone(&claims);
                    request
                        .extensions_mut()
                        .insert(Verified::new(&auth, claims));
                    request.extensions_mut().insert(owned);
                }
                Err(AuthError::TokenNotFound) if !required => {}
                Err(error) => return Ok(AuthRejection::new(error, &auth).into_response()),
            }
            request.extensions_mut().insert(auth);
            inner.call(request).await
        })
    }
}

impl UssoAuth {
    /// A [`UssoLayer`] requiring a valid token on every request.
    pub fn layer(&self) -> UssoLayer {
        UssoLayer::required(self.clone())
    }
}

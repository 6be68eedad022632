use std::fmt;
use std::future::{Future, Ready, ready};
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage, ResponseError};

use super::head::ActixHead;
use crate::authorized::Verified;
use crate::{AuthError, AuthRejection, Claims, UserData, UssoAuth};

/// actix-web middleware that authenticates every request: the twin of
/// axum's [`UssoLayer`](crate::UssoLayer) and of the Django
/// `USSOAuthMiddleware` (`request.usso_user`).
///
/// It puts the [`UssoAuth`] and the verified claims (`C`, by default
/// [`UserData`]) into the request extensions, so handlers can read
/// `req.extensions().get::<UserData>()`, or take any usso extractor, which
/// then reuses the verified claims instead of verifying again.
///
/// * [`required`](Self::required): a request without a valid token is
///   rejected (401/503) before reaching the inner service.
/// * [`optional`](Self::optional): a request without a token passes through
///   unauthenticated; a request with an invalid token is still a 401.
///
/// ```no_run
/// use actix_web::{App, web};
/// use usso::actix::UssoMiddleware;
/// use usso::{UserData, UssoAuth};
///
/// async fn me(user: UserData) -> String {
///     user.sub.unwrap_or_default()
/// }
///
/// # fn app(auth: UssoAuth) {
/// let app = App::new()
///     .route("/me", web::get().to(me))
///     .wrap(UssoMiddleware::required(auth));
/// # let _ = app;
/// # }
/// ```
#[must_use]
pub struct UssoMiddleware<C = UserData> {
    auth: UssoAuth,
    required: bool,
    claims: PhantomData<fn() -> C>,
}

impl UssoMiddleware<UserData> {
    /// Every request must carry a valid token.
    pub fn required(auth: UssoAuth) -> Self {
        Self::new(auth, true)
    }

    /// Requests without a token pass through; invalid tokens are rejected.
    pub fn optional(auth: UssoAuth) -> Self {
        Self::new(auth, false)
    }
}

impl<C> UssoMiddleware<C> {
    fn new(auth: UssoAuth, required: bool) -> Self {
        Self {
            auth,
            required,
            claims: PhantomData,
        }
    }

    /// Verifies into a custom claims type instead of [`UserData`].
    pub fn with_claims<D: Claims>(self) -> UssoMiddleware<D> {
        UssoMiddleware::new(self.auth, self.required)
    }
}

impl<C> Clone for UssoMiddleware<C> {
    fn clone(&self) -> Self {
        Self::new(self.auth.clone(), self.required)
    }
}

impl<C> fmt::Debug for UssoMiddleware<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UssoMiddleware")
            .field("auth", &self.auth)
            .field("required", &self.required)
            .finish()
    }
}

impl<S, B, C> Transform<S, ServiceRequest> for UssoMiddleware<C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    C: Claims,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = UssoMiddlewareService<S, C>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(UssoMiddlewareService {
            service: Rc::new(service),
            auth: self.auth.clone(),
            required: self.required,
            claims: PhantomData,
        }))
    }
}

/// The service made by [`UssoMiddleware`].
pub struct UssoMiddlewareService<S, C = UserData> {
    service: Rc<S>,
    auth: UssoAuth,
    required: bool,
    claims: PhantomData<fn() -> C>,
}

impl<S, C> fmt::Debug for UssoMiddlewareService<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UssoMiddlewareService")
            .field("auth", &self.auth)
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

impl<S, B, C> Service<ServiceRequest> for UssoMiddlewareService<S, C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    C: Claims,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let auth = self.auth.clone();
        let required = self.required;
        Box::pin(async move {
            // One audit event per request: the extractors after this
            // middleware reuse its report.
            let again = super::extract::reported(req.request(), auth.id());
            let head = ActixHead(req.head());
            let verified = if again {
                auth.reauthenticate_shared::<C, _>(&head).await
            } else {
                auth.authenticate_shared::<C, _>(&head).await
            };
            match verified {
                Ok(claims) => {
                    let owned = C::clone(&claims);
                    let mut extensions = req.extensions_mut();
                    extensions.insert(Verified::new(&auth, claims));
                    extensions.insert(owned);
                }
                Err(AuthError::TokenNotFound) if !required => {}
                Err(error) => {
                    let response = AuthRejection::new(error, &auth).error_response();
                    return Ok(req.into_response(response).map_into_right_body());
                }
            }
            req.extensions_mut().insert(auth);
            service
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};

use crate::rejection::{ErrorParts, log};
use crate::{AuthError, AuthRejection, UssoAuth};

/// A function that turns an [`AuthError`] into your own actix-web
/// response, set with [`UssoAuth::on_error`].
pub type ErrorHandler = Arc<dyn Fn(&AuthError) -> HttpResponse + Send + Sync>;

/// The same response as axum's `IntoResponse`: status, RFC 6750
/// `WWW-Authenticate`, `Retry-After` and the JSON body, or the
/// authenticator's `on_error` handler's.
impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.error().status().as_u16())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        log(self.error());
        match self.handler::<OnError>() {
            Some(OnError(handler)) => handler(self.error()),
            None => from_parts(self.parts()),
        }
    }
}

/// usso's standard response, in actix-web's types.
fn from_parts(parts: ErrorParts) -> HttpResponse {
    let status = StatusCode::from_u16(parts.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.insert_header((CONTENT_TYPE, "application/json"));
    if let Some(challenge) = parts.www_authenticate {
        response.insert_header((WWW_AUTHENTICATE, challenge));
    }
    if let Some(secs) = parts.retry_after {
        response.insert_header((RETRY_AFTER, secs));
    }
    response.body(parts.body)
}

impl crate::rejection::sealed::Sealed for HttpResponse {}

/// `UssoAuth::on_error(|e| … -> actix_web::HttpResponse)`.
impl crate::ErrorResponse for HttpResponse {
    fn install<F>(auth: UssoAuth, handler: F) -> UssoAuth
    where
        F: Fn(&AuthError) -> Self + Send + Sync + 'static,
    {
        auth.with_extension(OnError(Arc::new(handler)))
    }
}

/// [`UssoAuth::on_error`]'s actix-web handler, as the authenticator stores it.
#[derive(Clone)]
struct OnError(ErrorHandler);

use std::sync::Arc;

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};

use crate::rejection::{ErrorParts, log};
use crate::{AuthError, AuthRejection, ErrorFormat, UssoAuth};

/// A function that turns an [`AuthError`] into your own response, set with
/// [`UssoAuth::on_error`]. The Python SDK's custom exception handlers.
pub type ErrorHandler = Arc<dyn Fn(&AuthError) -> Response + Send + Sync>;

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        log(self.error());
        match self.handler::<OnError>() {
            Some(OnError(handler)) => handler(self.error()),
            None => from_parts(self.parts()),
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        log(&self);
        from_parts(ErrorParts::new(&self, "usso", ErrorFormat::Usso))
    }
}

/// usso's standard response, in axum's types.
fn from_parts(parts: ErrorParts) -> Response {
    let status = StatusCode::from_u16(parts.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, parts.body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(challenge) = parts.www_authenticate
        && let Ok(value) = HeaderValue::from_str(&challenge)
    {
        headers.insert(WWW_AUTHENTICATE, value);
    }
    if let Some(secs) = parts.retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

impl crate::rejection::sealed::Sealed for Response {}

/// `UssoAuth::on_error(|e| … -> axum::response::Response)`.
impl crate::ErrorResponse for Response {
    fn install<F>(auth: UssoAuth, handler: F) -> UssoAuth
    where
        F: Fn(&AuthError) -> Self + Send + Sync + 'static,
    {
        auth.with_extension(OnError(Arc::new(handler)))
    }
}

/// [`UssoAuth::on_error`]'s handler, as the authenticator stores it.
#[derive(Clone)]
struct OnError(ErrorHandler);

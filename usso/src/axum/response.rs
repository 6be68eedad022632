use std::fmt;
use std::sync::Arc;

use axum_core::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};

use crate::{AuthError, ErrorFormat, UssoAuth};

/// A function that turns an [`AuthError`] into your own response, set with
/// [`UssoAuth::on_error`]. The Python SDK's custom exception handlers.
pub type ErrorHandler = Arc<dyn Fn(&AuthError) -> Response + Send + Sync>;

/// The rejection of the usso extractors and layer: an [`AuthError`] plus
/// the authenticator's realm and custom error handler.
///
/// Its response follows RFC 6750: 401 with
/// `WWW-Authenticate: Bearer realm="…", error="invalid_token", error_description="…"`
/// (a bare `Bearer realm="…"` when no token was sent), 403 with
/// `error="insufficient_scope"` and the required `scope`, 503 with
/// `Retry-After`; the body is `{"error": "<code>", "detail": "<text>"}`, or
/// the Python package's body with [`ErrorFormat::UssoPy`].
pub struct AuthRejection {
    error: AuthError,
    realm: Arc<str>,
    format: ErrorFormat,
    handler: Option<ErrorHandler>,
}

impl AuthRejection {
    pub(crate) fn new(error: AuthError, auth: &UssoAuth) -> Self {
        Self {
            error,
            realm: Arc::clone(&auth.inner.realm),
            format: auth.inner.error_format,
            handler: auth
                .inner
                .extensions
                .get::<OnError>()
                .map(|on_error| Arc::clone(&on_error.0)),
        }
    }

    pub(crate) fn bare(error: AuthError) -> Self {
        Self {
            error,
            realm: "usso".into(),
            format: ErrorFormat::Usso,
            handler: None,
        }
    }

    /// The underlying error.
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// Takes the underlying error.
    pub fn into_error(self) -> AuthError {
        self.error
    }
}

impl fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRejection")
            .field("error", &self.error)
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for AuthRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<AuthError> for AuthRejection {
    fn from(error: AuthError) -> Self {
        Self::bare(error)
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        log(&self.error);
        match &self.handler {
            Some(handler) => handler(&self.error),
            None => formatted_response(&self.error, &self.realm, self.format),
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        log(&self);
        standard_response(&self, "usso")
    }
}

fn log(error: &AuthError) {
    if error.status().is_server_error() {
        tracing::warn!(code = error.code(), detail = %error, "usso: request not authorized");
    } else {
        tracing::debug!(code = error.code(), detail = %error, "usso: request not authorized");
    }
}

/// RFC 6750 §3 quoted-string values may not hold `"` or `\`, and must be
/// printable ASCII.
fn quoted(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .collect()
}

/// The response usso sends for `error` when no custom handler is set:
/// status, RFC 6750 `WWW-Authenticate`, `Retry-After` for 503, and the
/// JSON body `{"error", "detail"}`.
pub(crate) fn standard_response(error: &AuthError, realm: &str) -> Response {
    formatted_response(error, realm, ErrorFormat::Usso)
}

/// [`standard_response`] with the body in `format`; the status and headers
/// don't depend on it.
pub(crate) fn formatted_response(error: &AuthError, realm: &str, format: ErrorFormat) -> Response {
    let body = format.body(error);
    let mut response = (error.status(), body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let status = error.status().as_u16();
    if status == 401 || status == 403 {
        let mut challenge = format!("Bearer realm=\"{}\"", quoted(realm));
        if let Some(code) = error.rfc6750_error() {
            challenge.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                quoted(&error.to_string())
            ));
        }
        if let AuthError::InsufficientScope { required } = error {
            challenge.push_str(&format!(", scope=\"{}\"", quoted(&required.join(" "))));
        }
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(WWW_AUTHENTICATE, value);
        }
    }
    if let Some(retry_after) = error.retry_after() {
        let secs = retry_after.as_secs().max(1);
        headers.insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

impl UssoAuth {
    /// Replaces usso's standard error responses with your own (the Python SDK's
    /// `@app.exception_handler(TokenExpired)` and friends). The handler
    /// sees every rejection of the extractors, the layer and the macros.
    ///
    /// ```
    /// use axum::Json;
    /// use axum::http::StatusCode;
    /// use axum::response::IntoResponse;
    /// use usso::{AuthError, UserData, UssoAuth};
    ///
    /// let auth = UssoAuth::mock(UserData::new("u")).on_error(|err: &AuthError| {
    ///     let title = match err {
    ///         AuthError::TokenExpired => "Token expired",
    ///         AuthError::InsufficientScope { .. } => "Insufficient permissions",
    ///         _ => "Invalid token",
    ///     };
    ///     (err.status(), Json(serde_json::json!({"error": title, "detail": err.to_string()})))
    ///         .into_response()
    /// });
    /// # let _ = auth;
    /// ```
    #[must_use]
    pub fn on_error<F>(self, handler: F) -> Self
    where
        F: Fn(&AuthError) -> Response + Send + Sync + 'static,
    {
        self.with_extension(OnError(Arc::new(handler)))
    }
}

/// [`UssoAuth::on_error`]'s handler, as the authenticator stores it.
#[derive(Clone)]
struct OnError(ErrorHandler);

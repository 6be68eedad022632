//! The rejection of the framework adapters, and what its response is made
//! of. Each adapter (`axum/`, `actix/`) turns [`ErrorParts`] into its own
//! response type, so both answer with the same status, headers and body.

use std::fmt;

use crate::{AuthError, ErrorFormat, UssoAuth};

/// The rejection of the usso extractors, layer and middleware: an
/// [`AuthError`] plus the authenticator's realm, error format and custom
/// error handler.
///
/// Its response follows RFC 6750: 401 with
/// `WWW-Authenticate: Bearer realm="…", error="invalid_token", error_description="…"`
/// (a bare `Bearer realm="…"` when no token was sent), 403 with
/// `error="insufficient_scope"` and the required `scope`, 503 with
/// `Retry-After`; the body is `{"error": "<code>", "detail": "<text>"}`, or
/// the Python package's body with [`ErrorFormat::UssoPy`]. It is the same
/// response in axum (`IntoResponse`) and actix-web (`ResponseError`).
///
/// ```
/// use usso::{AuthError, AuthRejection};
///
/// let rejection = AuthRejection::from(AuthError::TokenNotFound);
/// assert_eq!(rejection.error().code(), "token_not_found");
/// ```
pub struct AuthRejection {
    error: AuthError,
    /// The authenticator whose settings shape the response (`None`: the
    /// defaults, e.g. when there is no authenticator at all).
    auth: Option<UssoAuth>,
}

impl AuthRejection {
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn new(error: AuthError, auth: &UssoAuth) -> Self {
        Self {
            error,
            auth: Some(auth.clone()),
        }
    }

    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn bare(error: AuthError) -> Self {
        Self { error, auth: None }
    }

    /// The underlying error.
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// Takes the underlying error.
    pub fn into_error(self) -> AuthError {
        self.error
    }

    /// The custom error handler of type `H` the authenticator holds, if any.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn handler<H: Clone + Send + Sync + 'static>(&self) -> Option<&H> {
        self.auth.as_ref()?.inner.extensions.get::<H>()
    }

    /// Logs the rejection and says what its standard response is made of.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn parts(&self) -> ErrorParts {
        let (realm, format) = match &self.auth {
            Some(auth) => (auth.realm(), auth.error_format()),
            None => ("usso", ErrorFormat::Usso),
        };
        ErrorParts::new(&self.error, realm, format)
    }
}

impl fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRejection")
            .field("error", &self.error)
            .field(
                "realm",
                &self.auth.as_ref().map_or("usso", |auth| auth.realm()),
            )
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

/// Logs a rejected request: server-side causes (503, 500) at warn, the
/// client's at debug.
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
pub(crate) fn log(error: &AuthError) {
    if error.status().is_server_error() {
        tracing::warn!(code = error.code(), detail = %error, "usso: request not authorized");
    } else {
        tracing::debug!(code = error.code(), detail = %error, "usso: request not authorized");
    }
}

/// usso's standard error response, framework-neutral: status, RFC 6750
/// `WWW-Authenticate` (401 and 403), `Retry-After` (503) and the JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorParts {
    pub(crate) status: u16,
    pub(crate) www_authenticate: Option<String>,
    pub(crate) retry_after: Option<u64>,
    pub(crate) body: String,
}

impl ErrorParts {
    pub(crate) fn new(error: &AuthError, realm: &str, format: ErrorFormat) -> Self {
        let status = error.status().as_u16();
        let www_authenticate = (status == 401 || status == 403).then(|| {
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
            challenge
        });
        let retry_after = error.retry_after().map(|d| d.as_secs().max(1));
        Self {
            status,
            www_authenticate,
            retry_after,
            body: format.body(error).to_string(),
        }
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

/// A framework's response type that [`UssoAuth::on_error`] can install a
/// handler for: axum's `Response` (feature `axum`) and actix-web's
/// `HttpResponse` (feature `actix`). Sealed.
pub trait ErrorResponse: sealed::Sealed + Sized + 'static {
    /// Stores `handler` among the authenticator's adapter settings.
    #[doc(hidden)]
    fn install<F>(auth: UssoAuth, handler: F) -> UssoAuth
    where
        F: Fn(&AuthError) -> Self + Send + Sync + 'static;
}

pub(crate) mod sealed {
    /// Only usso implements [`ErrorResponse`](super::ErrorResponse).
    pub trait Sealed {}
}

impl UssoAuth {
    /// Replaces usso's standard error responses with your own (the Python SDK's
    /// `@app.exception_handler(TokenExpired)` and friends). The handler
    /// sees every rejection of the extractors, the layer, the middleware
    /// and the macros of the framework whose response type it returns
    /// (axum's `Response` or actix-web's `HttpResponse`); set one of each to
    /// serve both frameworks.
    ///
    /// ```
    /// use axum::Json;
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
    pub fn on_error<F, R>(self, handler: F) -> Self
    where
        F: Fn(&AuthError) -> R + Send + Sync + 'static,
        R: ErrorResponse,
    {
        R::install(self, handler)
    }
}

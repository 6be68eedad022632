//! The JSON body of error responses: usso's own, or the Python package's.
//! Framework-neutral: every framework adapter renders [`ErrorFormat::body`].

use std::borrow::Cow;

use serde_json::{Value, json};

use crate::AuthError;

/// The JSON body of usso's error responses. Set with
/// [`UssoAuth::with_error_format`](crate::UssoAuth::with_error_format); defaults to [`ErrorFormat::Usso`].
///
/// The status code and the RFC 6750 `WWW-Authenticate` header are the same
/// in every format; only the body changes.
///
/// | | [`Usso`](Self::Usso) (default) | [`UssoPy`](Self::UssoPy) |
/// |---|---|---|
/// | shape | `{"error", "detail"}` | `{"message": {"en", …}, "error_code", "detail"}` |
/// | bad or missing token (401) | a precise code per cause (`token_expired`, …) | `error_code: "Unauthorized"`, the cause in `detail` |
/// | policy refusal (403) | `insufficient_scope`, `insufficient_role`, … | `error_code: "permission_denied"` |
///
/// ```
/// use usso::{AuthError, ErrorFormat};
///
/// let err = AuthError::TokenExpired;
/// assert_eq!(
///     ErrorFormat::Usso.body(&err),
///     serde_json::json!({"error": "token_expired", "detail": "the token has expired"})
/// );
/// assert_eq!(
///     ErrorFormat::UssoPy.body(&err),
///     serde_json::json!({
///         "message": {"en": "JWT has expired"},
///         "error_code": "Unauthorized",
///         "detail": "JWT has expired",
///     })
/// );
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorFormat {
    /// `{"error": "<code>", "detail": "<text>"}` with usso's stable
    /// [`AuthError::code`] and its [`Display`](std::fmt::Display) text.
    #[default]
    Usso,
    /// The body of the Python package `usso` (0.33.5) and its FastAPI
    /// handler, so that clients of a fleet mixing Python and Rust services
    /// parse one format: `{"message": {"en": …}, "error_code": …, "detail": …}`.
    ///
    /// Every token failure (401) has `error_code` `Unauthorized` and the
    /// package's `detail` text (`JWT has expired`, `JWT signature is
    /// invalid`, `No token provided`, …; see [`python_detail`](Self::python_detail));
    /// every policy refusal (403) has `error_code` `permission_denied` and
    /// the package's message "Permission denied" in English and Persian.
    /// Errors the package has no answer for keep usso's code:
    /// `keys_unavailable` (503), `unknown_tenant` (400); a missing
    /// authenticator is the package's `internal_error` (500).
    ///
    /// The package filters `message` by `Accept-Language`; usso always
    /// sends every language it has.
    UssoPy,
}

/// The Python package's `PermissionDenied` message (`message_fa`).
const PERMISSION_DENIED_FA: &str = "مجوز دسترسی ندارید";

impl ErrorFormat {
    /// The JSON body for `error` in this format.
    pub fn body(self, error: &AuthError) -> Value {
        match self {
            Self::Usso => json!({ "error": error.code(), "detail": error.to_string() }),
            Self::UssoPy => {
                let code = Self::python_error_code(error);
                let detail = Self::python_detail(error);
                let message = if code == "permission_denied" {
                    json!({ "en": "Permission denied", "fa": PERMISSION_DENIED_FA })
                } else {
                    json!({ "en": detail })
                };
                json!({ "message": message, "error_code": code, "detail": detail })
            }
        }
    }

    /// The Python package's `error_code` for `error`: `Unauthorized` for
    /// every 401, `permission_denied` for every 403, `internal_error` for a
    /// missing authenticator, else usso's own [`AuthError::code`].
    ///
    /// ```
    /// use usso::{AuthError, ErrorFormat};
    ///
    /// assert_eq!(ErrorFormat::python_error_code(&AuthError::InvalidSignature), "Unauthorized");
    /// assert_eq!(ErrorFormat::python_error_code(&AuthError::WorkspaceRequired), "permission_denied");
    /// ```
    pub fn python_error_code(error: &AuthError) -> &'static str {
        match error.status().as_u16() {
            401 => "Unauthorized",
            403 => "permission_denied",
            500 => "internal_error",
            _ => error.code(),
        }
    }

    /// The Python package's `detail` text for `error`: the message of the
    /// matching `usso_jwt` exception for token failures ("JWT has expired",
    /// "JWT signature is invalid", "JWT has an invalid format", …), "No
    /// token provided" when there is no token, and usso's own text where
    /// the package has none (policy refusals, a missing required claim).
    ///
    /// Where usso has one variant for two of the package's exceptions, the
    /// first text is used: a missing `aud` is "JWT audience claim is
    /// invalid" (not "…is required but missing"), and a token older than
    /// `max_age` is "JWT has expired" (not "JWT is older than the maximum
    /// age").
    ///
    /// ```
    /// use usso::{AuthError, ErrorFormat};
    ///
    /// let refresh = AuthError::InvalidTokenType {
    ///     expected: vec!["access".into()],
    ///     provided: Some("refresh".into()),
    /// };
    /// assert_eq!(
    ///     ErrorFormat::python_detail(&refresh),
    ///     "JWT token type claim is invalid (expected: access, provided: refresh)"
    /// );
    /// assert_eq!(ErrorFormat::python_detail(&AuthError::TokenNotFound), "No token provided");
    /// ```
    pub fn python_detail(error: &AuthError) -> Cow<'static, str> {
        let text = match error {
            AuthError::TokenNotFound => "No token provided",
            AuthError::TokenExpired => "JWT has expired",
            AuthError::TokenNotYetValid => "JWT is not valid yet",
            AuthError::InvalidSignature => "JWT signature is invalid",
            AuthError::InvalidAudience => "JWT audience claim is invalid",
            AuthError::InvalidIssuer => "JWT issuer claim is invalid",
            AuthError::UnknownKey { .. } => "JWK with the specified kid is not found",
            AuthError::InvalidTokenType { expected, provided } => {
                // `usso_jwt.exceptions.JWTInvalidTokenTypeError`'s wording.
                let mut text = String::from("JWT token type claim is invalid");
                let expected = expected.join(", ");
                match (expected.is_empty(), provided) {
                    (false, Some(p)) => {
                        text.push_str(&format!(
                            " (expected: {expected}, provided: {})",
                            crate::untrusted::Untrusted(p)
                        ));
                    }
                    (false, None) => text.push_str(&format!(" (expected: {expected})")),
                    (true, Some(p)) => {
                        text.push_str(&format!(" (provided: {})", crate::untrusted::Untrusted(p)))
                    }
                    (true, None) => {}
                }
                return text.into();
            }
            AuthError::MissingClaim { claim } => {
                return format!("JWT {claim} claim is required but missing").into();
            }
            AuthError::TokenInvalid { reason } if reason.contains("issued in the future") => {
                "JWT is issued in the future"
            }
            // The package has one text for every malformed token (and
            // crashes with a 500 on several of them; usso does not).
            AuthError::TokenInvalid { .. } => "JWT has an invalid format",
            other => return other.to_string().into(),
        };
        text.into()
    }
}

mod format;

pub use format::ErrorFormat;

use std::borrow::Cow;
use std::time::Duration;

use http::StatusCode;

use crate::untrusted::Untrusted;

/// Why a request was not authorized. Returned by
/// [`UssoAuth::verify_token`](crate::UssoAuth::verify_token) and, with the
/// `axum` feature, turned into an RFC 6750 response.
///
/// Every variant has a [`status`](Self::status) (401, 403, 503, …), a stable
/// machine [`code`](Self::code) such as `token_expired`, and a human
/// [`Display`](std::fmt::Display) detail. No variant ever holds the token.
///
/// | Python SDK exception | usso |
/// |---|---|
/// | `TokenNotFound` | [`AuthError::TokenNotFound`] |
/// | `TokenExpired` | [`AuthError::TokenExpired`] |
/// | `TokenInvalid` | [`AuthError::TokenInvalid`], [`AuthError::InvalidSignature`], [`AuthError::InvalidAudience`], [`AuthError::InvalidIssuer`], [`AuthError::InvalidTokenType`], [`AuthError::MissingClaim`], [`AuthError::UnknownKey`], [`AuthError::TokenNotYetValid`] |
/// | `InsufficientScope` | [`AuthError::InsufficientScope`] (and [`AuthError::InsufficientRole`], [`AuthError::WorkspaceRequired`], [`AuthError::Forbidden`]) |
/// | `USSOException` | `AuthError` itself: match on it, or use [`status`](Self::status) and [`code`](Self::code) |
///
/// ```
/// use usso::AuthError;
///
/// let err = AuthError::TokenExpired;
/// assert_eq!(err.status().as_u16(), 401);
/// assert_eq!(err.code(), "token_expired");
/// assert_eq!(err.to_string(), "the token has expired");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The request carried no token in any configured source, or an empty one. 401.
    #[error("no access token was provided")]
    TokenNotFound,
    /// The token's `exp` (plus leeway) has passed, or it is older than the
    /// configured `max_age`. 401.
    #[error("the token has expired")]
    TokenExpired,
    /// The token's `nbf` (minus leeway) is still in the future. 401.
    #[error("the token is not valid yet")]
    TokenNotYetValid,
    /// The token is malformed or breaks a rule: bad encoding, a wrong claim
    /// type, a forbidden algorithm, an unknown critical header… 401.
    #[error("the token is invalid: {}", Untrusted(reason))]
    TokenInvalid {
        /// What exactly was wrong, for the `error_description`. It may quote
        /// the token; `Display` escapes control characters.
        reason: Cow<'static, str>,
    },
    /// The signature does not verify with the token's key. 401.
    #[error("the token signature is invalid")]
    InvalidSignature,
    /// The token's `aud` contains none of the accepted audiences, or is missing. 401.
    #[error("the token audience is not accepted")]
    InvalidAudience,
    /// The token's `iss` is not an accepted issuer, or is missing. 401.
    #[error("the token issuer is not accepted")]
    InvalidIssuer,
    /// The token's `token_type` claim is not an accepted one (see
    /// [`JwtConfigBuilder::token_types`](crate::JwtConfigBuilder::token_types)),
    /// or it is missing while
    /// [`require_token_type`](crate::JwtConfigBuilder::require_token_type)
    /// is on. A USSO refresh token sent as an access token lands here. 401.
    #[error(
        "the token type is not accepted here (expected: {}{})",
        expected.join(", "),
        provided.as_deref().map(|p| format!(", provided: {}", Untrusted(p))).unwrap_or_default()
    )]
    InvalidTokenType {
        /// The accepted types.
        expected: Vec<String>,
        /// The token's `token_type` (truncated to 32 characters; attacker
        /// controlled, escaped when displayed), `None` when it has none.
        provided: Option<String>,
    },
    /// A claim required by
    /// [`JwtConfigBuilder::require_claims`](crate::JwtConfigBuilder::require_claims)
    /// is missing or `null`. 401.
    #[error("the token has no `{claim}` claim")]
    MissingClaim {
        /// The claim's name (from the configuration, not the token).
        claim: String,
    },
    /// A revocation rule refuses the token: its `jti`, its session, or its
    /// subject before its `iat` (see [`Revocations`](crate::Revocations)). 401.
    #[error("the token has been revoked")]
    TokenRevoked,
    /// No key with the token's `kid` is known, even after a refresh. 401.
    #[error("no signing key with id `{}` is known", Untrusted(kid))]
    UnknownKey {
        /// The `kid` from the token header (truncated; attacker controlled:
        /// `Display` escapes its control characters).
        kid: String,
    },
    /// The token lacks required scopes. 403 with `insufficient_scope`.
    #[error("missing required scope: {}", required.join(" "))]
    InsufficientScope {
        /// The scopes the policy asked for.
        required: Vec<String>,
    },
    /// The token lacks a required role. 403.
    #[error("missing required role: {}", required.join(" or "))]
    InsufficientRole {
        /// The roles the policy asked for (any of them would do when more than one).
        required: Vec<String>,
    },
    /// The route is workspace scoped and the token has no `workspace_id`. 403.
    #[error("the token is not bound to a workspace")]
    WorkspaceRequired,
    /// A policy denied the request for another reason (for example a `not(…)` rule). 403.
    #[error("access denied: {reason}")]
    Forbidden {
        /// Which rule denied it.
        reason: Cow<'static, str>,
    },
    /// A state-changing request from another site carried its token in a
    /// cookie, which browsers attach on their own (CSRF). 403.
    #[error("a cross-site request can't be authenticated by a cookie")]
    CrossSiteRequest,
    /// The signing keys could not be obtained (the JWKS endpoint is down and
    /// no usable cached keys remain). 503 with `Retry-After`.
    #[error("the signing keys are temporarily unavailable")]
    KeysUnavailable {
        /// When a retry makes sense.
        retry_after: Duration,
    },
    /// The revocation list could not be kept in sync (Redis unreachable for
    /// longer than [`RedisRevocations::fail_closed_after`](crate::RedisRevocations::fail_closed_after)
    /// allows, with fail-closed chosen). 503 with `Retry-After`.
    #[error("the revocation list is temporarily unavailable")]
    RevocationsUnavailable {
        /// When a retry makes sense.
        retry_after: Duration,
    },
    /// Multi-tenant mode could not match the request to a tenant (unknown
    /// `X-Tenant-ID`). 400.
    #[error("unknown or missing tenant")]
    UnknownTenant,
    /// A server bug: a usso extractor ran but no [`UssoAuth`](crate::UssoAuth)
    /// was reachable from the router state, the app data or the request
    /// extensions. 500.
    #[error(
        "usso is not configured for this route: add the `UssoAuth` to the router state (`UssoAuth: FromRef<S>`) or as a layer (`.layer(auth.layer())` or `.layer(Extension(auth))`); in actix-web, as app data (`.app_data(web::Data::new(auth))`) or middleware (`.wrap(UssoMiddleware::required(auth))`)"
    )]
    MissingAuthenticator,
}

impl AuthError {
    pub(crate) fn invalid(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::TokenInvalid {
            reason: reason.into(),
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::TokenNotFound
            | Self::TokenExpired
            | Self::TokenNotYetValid
            | Self::TokenInvalid { .. }
            | Self::InvalidSignature
            | Self::InvalidAudience
            | Self::InvalidIssuer
            | Self::InvalidTokenType { .. }
            | Self::MissingClaim { .. }
            | Self::TokenRevoked
            | Self::UnknownKey { .. } => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope { .. }
            | Self::InsufficientRole { .. }
            | Self::WorkspaceRequired
            | Self::Forbidden { .. }
            | Self::CrossSiteRequest => StatusCode::FORBIDDEN,
            Self::KeysUnavailable { .. } | Self::RevocationsUnavailable { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::UnknownTenant => StatusCode::BAD_REQUEST,
            Self::MissingAuthenticator => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable, machine-readable code for the JSON body and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TokenNotFound => "token_not_found",
            Self::TokenExpired => "token_expired",
            Self::TokenNotYetValid => "token_not_yet_valid",
            Self::TokenInvalid { .. } => "token_invalid",
            Self::InvalidSignature => "invalid_signature",
            Self::InvalidAudience => "invalid_audience",
            Self::InvalidIssuer => "invalid_issuer",
            Self::InvalidTokenType { .. } => "invalid_token_type",
            Self::MissingClaim { .. } => "missing_claim",
            Self::TokenRevoked => "token_revoked",
            Self::UnknownKey { .. } => "unknown_key",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::InsufficientRole { .. } => "insufficient_role",
            Self::WorkspaceRequired => "workspace_required",
            Self::Forbidden { .. } => "forbidden",
            Self::CrossSiteRequest => "cross_site_request",
            Self::KeysUnavailable { .. } => "keys_unavailable",
            Self::RevocationsUnavailable { .. } => "revocations_unavailable",
            Self::UnknownTenant => "unknown_tenant",
            Self::MissingAuthenticator => "authenticator_missing",
        }
    }

    /// How long a client should wait before retrying (the `Retry-After` of a
    /// 503), for the errors that are temporary.
    ///
    /// ```
    /// use std::time::Duration;
    /// use usso::AuthError;
    ///
    /// let e = AuthError::KeysUnavailable { retry_after: Duration::from_secs(5) };
    /// assert_eq!(e.retry_after(), Some(Duration::from_secs(5)));
    /// assert_eq!(AuthError::TokenExpired.retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::KeysUnavailable { retry_after }
            | Self::RevocationsUnavailable { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// The RFC 6750 `error` parameter for `WWW-Authenticate`, if any: `None`
    /// for a missing token (a bare challenge) and for non-auth statuses.
    pub fn rfc6750_error(&self) -> Option<&'static str> {
        match self.status() {
            StatusCode::UNAUTHORIZED if *self != Self::TokenNotFound => Some("invalid_token"),
            // RFC 6750 has no code for a CSRF refusal: a bare challenge.
            StatusCode::FORBIDDEN if *self != Self::CrossSiteRequest => Some("insufficient_scope"),
            _ => None,
        }
    }
}

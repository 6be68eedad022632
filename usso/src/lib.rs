//! Verify USSO (or any OIDC/JWKS issuer's) JWT access tokens and authorize
//! axum requests in one line.
//!
//! ```no_run
//! use axum::{Json, Router, routing::{get, post}};
//! use usso::{JwtConfig, UserData, UssoAuth, require_scope, require_any_role};
//!
//! #[require_scope("write:posts")]
//! async fn create_post(user: UserData) -> String {
//!     format!("Post created by {}", user.sub.unwrap_or_default())
//! }
//!
//! #[require_any_role("editor", "admin")]
//! async fn create_content() -> &'static str {
//!     "Content created"
//! }
//!
//! async fn me(user: UserData) -> Json<UserData> {
//!     Json(user)
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = UssoAuth::new(JwtConfig::from_env()?)?;
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/posts", post(create_post))
//!     .route("/content", post(create_content))
//!     .with_state(auth);
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `aws_lc_rs` | yes | the aws-lc-rs crypto backend (keys parsed once, fastest) |
//! | `rust_crypto` | no | the RustCrypto backend (pure Rust); if both are on, aws-lc-rs is used |
//! | `axum` | yes | extractors, [`UssoLayer`], RFC 6750 responses |
//! | `macros` | yes | `#[require_scope]`, `#[require_role]`, `#[workspace_scoped]`, … |
//! | `testing` | no | [`testing::TestIssuer`]: a real JWKS issuer on 127.0.0.1 for tests |
//!
//! # Errors: the Python SDK's exceptions in Rust
//!
//! | Python | Rust |
//! |---|---|
//! | `TokenNotFound` | [`AuthError::TokenNotFound`] |
//! | `TokenExpired` | [`AuthError::TokenExpired`] |
//! | `TokenInvalid` | [`AuthError::TokenInvalid`] and the precise [`AuthError::InvalidSignature`], [`AuthError::InvalidAudience`], [`AuthError::InvalidIssuer`], [`AuthError::UnknownKey`], [`AuthError::TokenNotYetValid`] |
//! | `InsufficientScope` | [`AuthError::InsufficientScope`], [`AuthError::InsufficientRole`], [`AuthError::WorkspaceRequired`] |
//! | `USSOException` | [`AuthError`] (request time) and [`ConfigError`] (start-up) |
#![cfg_attr(docsrs, feature(doc_cfg))]

mod algorithm;
mod api_key;
mod auth;
mod claims;
mod config;
mod config_error;
mod crypto;
mod der;
mod error;
mod jwk;
mod jwks;
mod jwks_options;
mod key;
mod key_source;
mod policy;
pub mod scope;
mod source;
mod tenant;
mod token_cache;
mod verify;
mod verifying_key;
mod workspace;

#[cfg(feature = "axum")]
mod axum;

#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use algorithm::{Algorithm, UnknownAlgorithm};
pub use api_key::{ApiKeyFuture, ApiKeyVerifier, ApiKeys, HttpApiKeyVerifier};
pub use auth::UssoAuth;
#[cfg(feature = "axum")]
pub use axum::{AuthRejection, Authorized, ErrorHandler, UssoLayer, UssoService};
pub use claims::{Audience, Claims, UserData};
pub use config::{JwtConfig, JwtConfigBuilder};
pub use config_error::ConfigError;
pub use error::AuthError;
pub use jwks::{JwksError, JwksStats, JwksStore};
pub use jwks_options::JwksOptions;
pub use key::Key;
pub use policy::{Authenticated, Policy, Requirement};
/// The HTTP client crate usso fetches keys with, so that a custom
/// [`reqwest::Client`] can be passed (see
/// [`JwtConfigBuilder::http_client`]) without a direct dependency.
pub use reqwest;
pub use source::{DEFAULT_COOKIE, TokenSource, find_token};
pub use tenant::MultiTenant;
pub use token_cache::{TokenCacheOptions, TokenCacheStats};
pub use workspace::{Workspace, WorkspaceClaims};

#[cfg(feature = "macros")]
pub use usso_macros::{
    require, require_any_role, require_any_scope, require_auth, require_role, require_scope, roles,
    scopes, workspace_scoped,
};

/// What macro expansions name. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "axum")]
    pub use crate::axum::Authorized;
    pub use crate::{Policy, Requirement, UserData, WorkspaceClaims};

    /// Compiles only for claims types that carry a workspace.
    pub const fn assert_workspace_claims<C: WorkspaceClaims>() {}
}

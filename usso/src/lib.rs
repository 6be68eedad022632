//! Verify USSO (or any OIDC/JWKS issuer's) JWT access tokens and authorize
//! axum and actix-web requests in one line.
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
//! # Quick Start: verify a token
//!
//! The Python SDK docs' "Basic Token Verification":
//!
//! ```no_run
//! use usso::{JwtConfig, UssoAuth};
//!
//! # async fn run(access_token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let config = JwtConfig::builder()
//!     .jwks_url("http://localhost:8000/.well-known/jwks.json")
//!     .issuer("http://localhost:8000")
//!     .audience("your-app")
//!     .build()?;
//! let auth = UssoAuth::new(config)?;
//!
//! match auth.verify_token(access_token).await {
//!     Ok(user_data) => {
//!         println!("User ID: {:?}", user_data.sub);
//!         println!("Roles: {:?}", user_data.roles);
//!         println!("Scopes: {:?}", user_data.scopes);
//!     }
//!     Err(e) => println!("Token verification failed: {e}"),
//! }
//! # Ok(()) }
//! ```
//!
//! With a static key instead of a JWKS (the Python SDK's `key=` and `type=`):
//!
//! ```
//! use usso::{Algorithm, JwtConfig, Key, UssoAuth};
//!
//! let config = JwtConfig::builder()
//!     .key(Key::ed25519("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"))
//!     .algorithm(Algorithm::EdDSA)
//!     .issuer("http://localhost:8000")
//!     .audience("your-app")
//!     .build()?;
//! let auth = UssoAuth::new(config)?;
//! let err = auth.verify_token_sync::<usso::UserData>("not-a-token").unwrap_err();
//! assert_eq!(err.code(), "token_invalid");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `aws_lc_rs` | yes | the aws-lc-rs crypto backend (keys parsed once, fastest) |
//! | `rust_crypto` | no | the RustCrypto backend (pure Rust; use with `default-features = false`: two backends in one build are a `compile_error!`, none too) |
//! | `axum` | yes | extractors, [`UssoLayer`], RFC 6750 responses |
//! | `actix` | no | the same for actix-web 4: extractors, [`actix::UssoMiddleware`], RFC 6750 responses |
//! | `macros` | yes | `#[require_scope]`, `#[require_role]`, `#[workspace_scoped]`, … |
//! | `testing` | no | `testing::TestIssuer`: a real JWKS issuer on 127.0.0.1 for tests |
//! | `sqlx` | no | `usso::sqlx`: workspace-scoped queries on sqlx 0.8, with SQLite |
//! | `postgres` | no | the same on Postgres (implies `sqlx`) |
//! | `redis` | no | [`Revocations::redis`]: revocations shared by a fleet through Redis |
//! | `metrics` | no | `usso::metrics` counters (verifications, JWKS, caches, API keys, revocations) through the `metrics` facade |
//! | `utoipa` | no | `usso::openapi`: the macros document each handler's policy in its `#[utoipa::path]` operation |
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

// The request path, in order: token source → verifier (keys, JWKS) →
// claims → policy → handler. `auth` orchestrates it; `config` says what to
// trust. See the README's module map.
mod api_key;
mod audit;
mod auth;
#[cfg(any(feature = "axum", feature = "actix"))]
mod authorized;
mod claims;
mod config;
mod error;
mod jwks;
mod keys;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
#[cfg(not(feature = "metrics"))]
mod metrics;
mod policy;
mod rejection;
mod request;
mod revocation;
pub mod scope;
mod source;
#[cfg(feature = "sqlx")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlx")))]
pub mod sqlx;
mod tenant;
mod ttl_cache;
mod untrusted;
mod verify;
mod workspace;

#[cfg(feature = "axum")]
mod axum;

#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub mod openapi;
// The macros' OpenAPI descriptions, with or without the `utoipa` feature.
#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;
#[path = "openapi/describe.rs"]
mod openapi_describe;

#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

/// The `usso` command-line tool (feature `cli`), called by `src/bin/usso.rs`.
/// Not public API: it may change in any release.
#[cfg(feature = "cli")]
#[doc(hidden)]
#[path = "cli/mod.rs"]
pub mod __cli;

pub use api_key::{ApiKeyFuture, ApiKeyVerifier, ApiKeys, HttpApiKeyVerifier};
pub use audit::{AuthEvent, CredentialSource};
pub use auth::UssoAuth;
#[cfg(any(feature = "axum", feature = "actix"))]
pub use authorized::Authorized;
#[cfg(feature = "axum")]
pub use axum::{ErrorHandler, UssoLayer, UssoService};
pub use claims::{Audience, Claims, NumericDate, UserData};
pub use config::{ConfigError, ConfigSource, FleetConfig, JwtConfig, JwtConfigBuilder};
pub use error::{AuthError, ErrorFormat};
pub use jwks::{JwksError, JwksOptions, JwksStats, JwksStore};
pub use keys::{Algorithm, Key, UnknownAlgorithm};
pub use policy::{Authenticated, Policy, Requirement};
pub use rejection::{AuthRejection, ErrorResponse};
/// The HTTP client crate usso fetches keys with, so that a custom
/// [`reqwest::Client`] can be passed (see
/// [`JwtConfigBuilder::http_client`]) without a direct dependency.
pub use reqwest;
#[cfg(feature = "redis")]
pub use revocation::{RedisRevocations, RevocationSync};
pub use revocation::{RevocationError, RevocationOptions, RevocationStats, Revocations};
pub use source::{DEFAULT_COOKIE, TokenSource, find_token};
pub use tenant::MultiTenant;
pub use verify::{TokenCacheOptions, TokenCacheStats};
pub use workspace::{Workspace, WorkspaceClaims};

#[doc = include_str!("docs/require_auth.md")]
#[cfg(feature = "macros")]
pub use usso_macros::require_auth;

#[doc = include_str!("docs/require_scope.md")]
#[cfg(feature = "macros")]
pub use usso_macros::require_scope;

#[doc = include_str!("docs/require_any_scope.md")]
#[cfg(feature = "macros")]
pub use usso_macros::require_any_scope;

#[doc = include_str!("docs/require_role.md")]
#[cfg(feature = "macros")]
pub use usso_macros::require_role;

#[doc = include_str!("docs/require_any_role.md")]
#[cfg(feature = "macros")]
pub use usso_macros::require_any_role;

#[doc = include_str!("docs/require.md")]
#[cfg(feature = "macros")]
pub use usso_macros::require;

#[doc = include_str!("docs/workspace_scoped.md")]
#[cfg(feature = "macros")]
pub use usso_macros::workspace_scoped;

#[doc = include_str!("docs/scopes.md")]
#[cfg(feature = "macros")]
pub use usso_macros::scopes;

#[doc = include_str!("docs/roles.md")]
#[cfg(feature = "macros")]
pub use usso_macros::roles;

/// What macro expansions name. Not public API: it may change in any release.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

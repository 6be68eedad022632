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
//! | `macros` | yes | `#[require_scope]`, `#[require_role]`, `#[workspace_scoped]`, … |
//! | `testing` | no | `testing::TestIssuer`: a real JWKS issuer on 127.0.0.1 for tests |
//! | `sqlx` | no | `usso::sqlx`: workspace-scoped queries on sqlx 0.8, with SQLite |
//! | `postgres` | no | the same on Postgres (implies `sqlx`) |
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
mod auth;
mod claims;
mod config;
mod error;
mod jwks;
mod keys;
mod policy;
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
pub use auth::UssoAuth;
#[cfg(feature = "axum")]
pub use axum::{AuthRejection, Authorized, ErrorHandler, UssoLayer, UssoService};
pub use claims::{Audience, Claims, NumericDate, UserData};
pub use config::{ConfigError, ConfigSource, FleetConfig, JwtConfig, JwtConfigBuilder};
pub use error::{AuthError, ErrorFormat};
pub use jwks::{JwksError, JwksOptions, JwksStats, JwksStore};
pub use keys::{Algorithm, Key, UnknownAlgorithm};
pub use policy::{Authenticated, Policy, Requirement};
/// The HTTP client crate usso fetches keys with, so that a custom
/// [`reqwest::Client`] can be passed (see
/// [`JwtConfigBuilder::http_client`]) without a direct dependency.
pub use reqwest;
pub use source::{DEFAULT_COOKIE, TokenSource, find_token};
pub use tenant::MultiTenant;
pub use verify::{TokenCacheOptions, TokenCacheStats};
pub use workspace::{Workspace, WorkspaceClaims};

/// Guards an axum handler: any caller with a valid token gets in.
///
/// The claims parameter (`user: UserData`, or `#[claims] user: MyClaims`)
/// is verified before the handler runs; without one, a hidden one is
/// injected first.
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use usso::{UserData, UssoAuth, require_auth};
///
/// #[require_auth]
/// async fn me(user: UserData) -> String {
///     user.sub.unwrap_or_default()
/// }
///
/// // No claims parameter: one is injected, checked and dropped.
/// #[require_auth]
/// async fn ping() -> &'static str {
///     "pong"
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new()
///         .route("/me", get(me))
///         .route("/ping", get(ping))
///         .with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// An [`AuthRejection`], before the handler and any
/// body extractor run, with the JSON body `{"error": "<code>", "detail": "…"}`:
///
/// - `401 Unauthorized` with a bare `WWW-Authenticate: Bearer realm="usso"`
///   when no token was sent (`token_not_found`);
/// - `401 Unauthorized` with `error="invalid_token"` for a bad token
///   (`token_expired`, `invalid_signature`, `invalid_audience`, …);
/// - `500` (`authenticator_missing`) when no [`UssoAuth`] is in the router
///   state or the request extensions.
///
/// # Compile errors
///
/// Handlers must be `async fn`s:
///
/// ```compile_fail
/// use usso::{UserData, require_auth};
///
/// #[require_auth] // error: `#[require_auth]` only supports `async fn` handlers
/// fn me(user: UserData) -> String {
///     user.sub.unwrap_or_default()
/// }
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::require_auth;

/// Guards an axum handler with scopes: the token must hold **every** listed scope.
///
/// Arguments are scope literals, checked at compile time, or constants
/// declared with [`scopes!`](macro@scopes).
///
/// # Example
///
/// ```no_run
/// use axum::{Json, Router, routing::post};
/// use usso::{UserData, UssoAuth, require_scope};
///
/// #[require_scope("write:posts")]
/// async fn create_post(user: UserData, Json(title): Json<String>) -> String {
///     format!("{} wrote {title}", user.sub.unwrap_or_default())
/// }
///
/// // Both scopes are needed.
/// #[require_scope("read:posts", "write:posts")]
/// async fn edit_post() -> &'static str {
///     "edited"
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new()
///         .route("/posts", post(create_post))
///         .route("/posts/edit", post(edit_post))
///         .with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// - `401 Unauthorized` without a valid token, as for
///   [`require_auth`](macro@require_auth) (`token_not_found`, `token_expired`, …);
/// - `403 Forbidden` (`insufficient_scope`) when a scope is missing, with
///   `WWW-Authenticate: Bearer realm="usso", error="insufficient_scope",
///   error_description="…", scope="<the missing scopes>"`.
///
/// The policy is checked before any body extractor: a request that fails it
/// gets a 403 even if its JSON body is malformed.
///
/// # Compile errors
///
/// A malformed scope is a compile error on the literal:
///
/// ```compile_fail
/// use usso::require_scope;
///
/// #[require_scope("read posts")] // error: invalid scope `read posts`: whitespace is not allowed
/// async fn list_posts() {}
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::require_scope;

/// Guards an axum handler with scopes: the token must hold **at least one** listed scope.
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use usso::{UserData, UssoAuth, require_any_scope};
///
/// #[require_any_scope("read:posts", "admin:posts")]
/// async fn list_posts(user: UserData) -> String {
///     user.scopes.join(" ")
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new().route("/posts", get(list_posts)).with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// - `401 Unauthorized` without a valid token (`token_not_found`, `token_expired`, …);
/// - `403 Forbidden` (`insufficient_scope`) when the token has none of the
///   scopes; the challenge's `scope="…"` lists all of them.
///
/// # Compile errors
///
/// Policy expressions belong in [`require`](macro@require):
///
/// ```compile_fail
/// use usso::require_any_scope;
///
/// #[require_any_scope(scope("read:posts"))] // error: expected a scope literal ..., found `scope(..)`
/// async fn list_posts() {}
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::require_any_scope;

/// Guards an axum handler with roles: the token must hold **every** listed role.
///
/// Arguments are role literals (non-empty, no whitespace) or constants
/// declared with [`roles!`](macro@roles). Roles are compared exactly.
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use usso::{UserData, UssoAuth, require_role};
///
/// #[require_role("admin")]
/// async fn list_users(admin: UserData) -> String {
///     admin.sub.unwrap_or_default()
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new().route("/users", get(list_users)).with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// - `401 Unauthorized` without a valid token (`token_not_found`, `token_expired`, …);
/// - `403 Forbidden` (`insufficient_role`) when a role is missing, with
///   `WWW-Authenticate: Bearer realm="usso", error="insufficient_scope", …`
///   (RFC 6750 has no separate code for roles).
///
/// # Compile errors
///
/// Roles can't be empty or contain whitespace:
///
/// ```compile_fail
/// use usso::require_role;
///
/// #[require_role("super admin")] // error: invalid role `super admin`: whitespace is not allowed
/// async fn list_users() {}
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::require_role;

/// Guards an axum handler with roles: the token must hold **at least one** listed role.
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::put};
/// use usso::{UserData, UssoAuth, require_any_role};
///
/// #[require_any_role("editor", "admin")]
/// async fn edit_post(user: UserData, body: String) -> String {
///     format!("{} edited: {body}", user.sub.unwrap_or_default())
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new().route("/posts", put(edit_post)).with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// - `401 Unauthorized` without a valid token (`token_not_found`, `token_expired`, …);
/// - `403 Forbidden` (`insufficient_role`, detail `missing required role: editor or admin`)
///   when the token has none of the roles.
#[cfg(feature = "macros")]
pub use usso_macros::require_any_role;

/// Guards an axum handler with a policy expression of `all(..)`, `any(..)`,
/// `not(..)`, `scope(..)`, `role(..)` and `workspace()`, parsed at compile time.
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use usso::{UserData, UssoAuth, require};
///
/// #[require(all(
///     scope("write:posts"),
///     any(role("editor"), role("admin")),
///     not(role("banned")),
/// ))]
/// async fn publish(user: UserData) -> String {
///     user.sub.unwrap_or_default()
/// }
///
/// #[require(any(scope("admin:settings"), all(role("owner"), workspace())))]
/// async fn settings() -> &'static str {
///     "ok"
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new()
///         .route("/publish", post(publish))
///         .route("/settings", post(settings))
///         .with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// - `401 Unauthorized` without a valid token (`token_not_found`, `token_expired`, …);
/// - `403 Forbidden` when the expression is false, with the code of what
///   failed: `insufficient_scope` (and `scope="…"` in the challenge),
///   `insufficient_role`, `workspace_required`, or `forbidden` for a `not(..)`.
///
/// # Compile errors
///
/// Unknown functions are reported with a suggestion:
///
/// ```compile_fail
/// use usso::require;
///
/// #[require(scopes("read:posts"))] // error: unknown function `scopes` (did you mean `scope`?)
/// async fn list_posts() {}
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::require;

/// Guards an axum handler: the token must be bound to a workspace (`workspace_id`).
///
/// Works with [`UserData`] and with any custom claims type that implements
/// [`WorkspaceClaims`]; pair it with a [`Workspace`] parameter to get the
/// workspace itself (the token is still verified once).
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use serde::Deserialize;
/// use usso::{Claims, UserData, UssoAuth, Workspace, WorkspaceClaims, require_scope, workspace_scoped};
///
/// #[workspace_scoped]
/// #[require_scope("read:invoices")]
/// async fn invoices(ws: Workspace, user: UserData) -> String {
///     format!("{} in {}", user.sub.unwrap_or_default(), ws.id())
/// }
///
/// #[derive(Clone, Deserialize)]
/// struct TeamClaims {
///     #[serde(flatten)]
///     base: UserData,
///     team: Option<String>,
/// }
///
/// impl Claims for TeamClaims {
///     fn user_data(&self) -> &UserData {
///         &self.base
///     }
/// }
///
/// impl WorkspaceClaims for TeamClaims {}
///
/// #[workspace_scoped]
/// async fn team(#[claims] claims: TeamClaims) -> String {
///     claims.team.unwrap_or_default()
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new()
///         .route("/invoices", get(invoices))
///         .route("/team", get(team))
///         .with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// - `401 Unauthorized` without a valid token (`token_not_found`, `token_expired`, …);
/// - `403 Forbidden` (`workspace_required`) when the token has no (or an
///   empty) `workspace_id`.
///
/// # Compile errors
///
/// A custom claims type must declare that it carries a workspace:
///
/// ```compile_fail,E0277
/// use serde::Deserialize;
/// use usso::{Claims, UserData, workspace_scoped};
///
/// #[derive(Clone, Deserialize)]
/// struct PlainClaims {
///     #[serde(flatten)]
///     base: UserData,
/// }
///
/// impl Claims for PlainClaims {
///     fn user_data(&self) -> &UserData {
///         &self.base
///     }
/// }
///
/// // error[E0277]: `PlainClaims` does not declare a workspace, so `#[workspace_scoped]` can't use it
/// #[workspace_scoped]
/// async fn invoices(#[claims] claims: PlainClaims) -> String {
///     claims.base.sub.unwrap_or_default()
/// }
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::workspace_scoped;

/// Declares scope constants whose literals are checked at compile time, to
/// use instead of string literals in the guard macros.
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use usso::{UssoAuth, require, require_scope};
///
/// usso::scopes! {
///     /// Read any post.
///     pub READ_POSTS = "read:posts";
///     pub WRITE_POSTS = "write:posts";
/// }
///
/// // A misspelled constant (`READ_POST`) is a compile error.
/// #[require_scope(READ_POSTS)]
/// async fn list_posts() -> &'static str {
///     "[]"
/// }
///
/// #[require(any(scope(WRITE_POSTS), role("admin")))]
/// async fn create_post() -> &'static str {
///     "created"
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new()
///         .route("/posts", get(list_posts).post(create_post))
///         .with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// None of its own: it only declares `&str` constants. The guards that use
/// them reject as usual (`401`, or `403` `insufficient_scope`).
///
/// # Compile errors
///
/// Every literal is checked by the runtime's own scope parser
/// ([`scope::Scope::parse`]), so a constant compiles exactly when it parses:
///
/// ```compile_fail
/// usso::scopes! {
///     pub READ_POSTS = "read:"; // error: invalid scope `read:`: scope has an empty path
/// }
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::scopes;

/// Declares role constants whose literals are checked at compile time
/// (non-empty, no whitespace), to use instead of string literals in the guard macros.
///
/// # Example
///
/// ```no_run
/// use axum::{Router, routing::delete};
/// use usso::{UssoAuth, require_any_role};
///
/// usso::roles! {
///     pub ADMIN = "admin";
///     pub EDITOR = "editor";
/// }
///
/// #[require_any_role(EDITOR, ADMIN)]
/// async fn delete_post() -> &'static str {
///     "deleted"
/// }
///
/// fn app(auth: UssoAuth) -> Router {
///     Router::new().route("/posts", delete(delete_post)).with_state(auth)
/// }
/// ```
///
/// # Rejections
///
/// None of its own: it only declares `&str` constants. The guards that use
/// them reject as usual (`401`, or `403` `insufficient_role`).
///
/// # Compile errors
///
/// An empty role is rejected:
///
/// ```compile_fail
/// usso::roles! {
///     pub ADMIN = ""; // error: empty role
/// }
/// ```
#[cfg(feature = "macros")]
pub use usso_macros::roles;

/// What macro expansions name. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "axum")]
    pub use crate::axum::Authorized;
    pub use crate::{Policy, Requirement, UserData, WorkspaceClaims};

    /// Compiles only for claims types that carry a workspace.
    pub const fn assert_workspace_claims<C: WorkspaceClaims>() {}

    /// For the fuzz targets (`fuzz/`): a JWKS-backed authenticator whose key
    /// store already holds the keys of `document`, parsed exactly as a
    /// fetched JWKS body. Nothing is ever fetched by
    /// [`verify_token_sync`](crate::UssoAuth::verify_token_sync).
    ///
    /// # Errors
    /// If `config` has no JWKS URL, or `document` is not a JWKS holding a
    /// usable key (the message the store would log).
    pub fn jwks_auth(config: crate::JwtConfig, document: &[u8]) -> Result<crate::UssoAuth, String> {
        use std::sync::Arc;
        let crate::config::KeySourceConfig::Jwks {
            url,
            options,
            client,
        } = &config.keys
        else {
            return Err("not a JWKS configuration".into());
        };
        let store = crate::JwksStore::preloaded(url.clone(), options, client.clone(), document)?;
        let token_sources = Arc::clone(&config.token_sources);
        let realm = Arc::clone(&config.realm);
        let verifier =
            crate::verify::Verifier::with_keys(config, crate::keys::source::KeySource::Jwks(store));
        Ok(crate::UssoAuth::from_engine(
            crate::auth::Engine::Verifier(Arc::new(verifier)),
            token_sources,
            realm,
        ))
    }
}

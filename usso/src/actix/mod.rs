//! actix-web 4 integration (feature `actix`): extractors, the middleware
//! and RFC 6750 rejections, the twins of the axum ones.
//!
//! * [`UserData`](crate::UserData) (or any [`Claims`](crate::Claims) type
//!   through [`Authorized`](crate::Authorized)) as a handler argument
//!   verifies the request's token.
//! * [`Authorized<C, P>`](crate::Authorized) also checks a
//!   [`Policy`](crate::Policy) and rejects with 403 before the handler runs;
//!   the macros (`#[require_scope]`, …) expand to it, so they work on actix
//!   handlers unchanged.
//! * [`Workspace`](crate::Workspace) is the workspace of a valid token.
//! * [`UssoMiddleware`] verifies in middleware (required or optional) and
//!   puts the claims in the request extensions, where the extractors find
//!   them instead of verifying again.
//!
//! The [`UssoAuth`](crate::UssoAuth) is found in the app data
//! (`App::app_data(web::Data::new(auth))`, or the `UssoAuth` itself), else
//! in the request extensions (put there by [`UssoMiddleware`]). Without one,
//! a request gets a 500 naming the fix.
//!
//! **Authorization is decided before the body is read.** actix-web polls a
//! handler's extractors together, so while a verification waits (a key
//! fetch, an API-key check) a `web::Json<T>` next to it could start reading.
//! The usso extractors hold the request body back until the request is
//! authorized: a rejected request's body is never read.
//!
//! **Optional authentication.** actix-web's own `Option<T>` extractor turns
//! *every* error of `T` into `None`, so a bad token would read as "no
//! token". Use [`UssoMiddleware::optional`]: it rejects bad tokens with 401
//! and lets requests without one through, and `Option<UserData>` behind it
//! is then `None` exactly when no token was sent.
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use usso::{UserData, UssoAuth, require_scope};
//!
//! #[require_scope("write:posts")]
//! async fn create_post(user: UserData) -> String {
//!     format!("Post created by {}", user.sub.unwrap_or_default())
//! }
//!
//! async fn me(user: UserData) -> web::Json<UserData> {
//!     web::Json(user)
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = web::Data::new(UssoAuth::from_env()?);
//! HttpServer::new(move || {
//!     App::new()
//!         .app_data(auth.clone())
//!         .route("/me", web::get().to(me))
//!         .route("/posts", web::post().to(create_post))
//! })
//! .bind("127.0.0.1:8001")?
//! .run()
//! .await?;
//! # Ok(()) }
//! ```

mod extract;
mod gate;
mod head;
mod middleware;
mod response;

pub use middleware::{UssoMiddleware, UssoMiddlewareService};
pub use response::ErrorHandler;

//! axum integration: extractors, the tower layer and RFC 6750 rejections.
//!
//! * [`UserData`](crate::UserData) (or any [`Claims`](crate::Claims) type
//!   through [`Authorized`]) as a handler argument verifies the request's
//!   token: the Python SDK's `Depends(authenticator)`.
//! * [`Authorized<C, P>`](crate::Authorized) also checks a [`Policy`](crate::Policy) and
//!   rejects with 403 before the handler runs.
//! * `Option<…>` of either gives optional authentication: no token is
//!   `None`, a bad token is still a 401.
//! * [`UssoLayer`] verifies in middleware (the Django middleware's twin) and
//!   puts the claims in the request extensions.
//!
//! The [`UssoAuth`](crate::UssoAuth) is found in the request extensions
//! (put there by [`UssoLayer`] or `Extension(auth)`), else in the router
//! state through `FromRef`. The extractors are `FromRequestParts` only, so
//! authorization is decided before any body extractor reads the body.

mod extract;
mod layer;
mod response;

pub use layer::{UssoLayer, UssoService};
pub use response::ErrorHandler;

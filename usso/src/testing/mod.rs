//! Test without an identity server: a real JWKS issuer on 127.0.0.1 that
//! mints tokens, and a mock authenticator.
//!
//! This is the answer to the Python SDK docs' "Integration Testing" (where the Python
//! docs call a real `login_and_get_token()`): [`TestIssuer::start`] runs a
//! real HTTP JWKS endpoint on an ephemeral loopback port, hands out a
//! [`JwtConfig`](crate::JwtConfig) pointing at itself, and mints real signed
//! tokens. Its failure switches ([`fail_with`](TestIssuer::fail_with),
//! [`hang`](TestIssuer::hang), [`rotate`](TestIssuer::rotate), …) let you
//! test how your service behaves when the identity server misbehaves.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use usso::testing::TestIssuer;
//!
//! let issuer = TestIssuer::start().await;
//! let auth = issuer.auth();
//! let token = issuer.token().sub("user:1").workspace("ws1").scopes(["read:posts"]).mint();
//! let user = auth.verify_token(&token).await.unwrap();
//! assert_eq!(user.sub.as_deref(), Some("user:1"));
//! assert_eq!(issuer.fetch_count(), 1);
//! # }
//! ```
//!
//! Everything here needs the `testing` feature, which uses aws-lc-rs to make
//! keys whichever verification backend is selected. Never enable it in a
//! production build.

mod issuer;
mod server;
mod signing_key;
mod state;
mod token_builder;

pub use issuer::{Rotation, TestIssuer, TestIssuerBuilder};
pub use signing_key::{SigningKey, SigningKeyError};
pub use token_builder::TokenBuilder;

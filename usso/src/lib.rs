//! Verify USSO (or any OIDC/JWKS issuer's) JWT access tokens and authorize
//! axum requests in one line.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod algorithm;
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
mod source;
mod verify;
mod verifying_key;

#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use algorithm::{Algorithm, UnknownAlgorithm};
pub use auth::UssoAuth;
pub use claims::{Audience, Claims, UserData};
pub use config::{JwtConfig, JwtConfigBuilder};
pub use config_error::ConfigError;
pub use error::AuthError;
pub use jwks::JwksStore;
pub use jwks_options::JwksOptions;
pub use key::Key;
pub use source::{DEFAULT_COOKIE, TokenSource, find_token};

//! Keys: the algorithms usso verifies, the key material it accepts (PEM,
//! DER, JWK, raw Ed25519, HMAC secrets), each key prepared once for its
//! crypto backend and pinned to its algorithms, and where a token's key
//! comes from (a static key or a JWKS store).

pub(crate) mod algorithm;
pub(crate) mod crypto;
pub(crate) mod der;
pub(crate) mod jwk;
pub(crate) mod key;
pub(crate) mod material;
pub(crate) mod source;
pub(crate) mod verifying_key;

pub use algorithm::{Algorithm, UnknownAlgorithm};
pub use key::Key;

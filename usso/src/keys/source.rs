use std::sync::Arc;

use crate::jwks::JwksStore;
use crate::keys::verifying_key::VerifyingKey;
use crate::{Algorithm, AuthError};

/// Where a verifier finds the one key to try for a token.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    Static(Arc<VerifyingKey>),
    Jwks(Arc<JwksStore>),
}

impl KeySource {
    /// The key for `kid`/`alg` if it can be had without waiting. `None` means
    /// "ask [`Self::key`]".
    #[inline]
    pub(crate) fn key_now(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Option<Result<Arc<VerifyingKey>, AuthError>> {
        match self {
            Self::Static(key) => Some(static_key(key, kid)),
            Self::Jwks(store) => store.cached(kid, alg),
        }
    }

    /// The key for `kid`/`alg`, fetching if needed.
    pub(crate) async fn key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<VerifyingKey>, AuthError> {
        match self {
            Self::Static(key) => static_key(key, kid),
            Self::Jwks(store) => store.get(kid, alg).await,
        }
    }
}

fn static_key(key: &Arc<VerifyingKey>, kid: Option<&str>) -> Result<Arc<VerifyingKey>, AuthError> {
    // A static key with an id only signs tokens that name it (or name none).
    match (key.kid(), kid) {
        (Some(mine), Some(theirs)) if mine != theirs => {
            Err(crate::jwks::cache::unknown_key(theirs))
        }
        _ => Ok(Arc::clone(key)),
    }
}

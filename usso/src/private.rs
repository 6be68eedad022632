//! What the macros' expansions name (`::usso::__private::…`), and hooks for
//! usso's own fuzz targets. Not public API: it may change in any release.

#[cfg(any(feature = "axum", feature = "actix"))]
pub use crate::Authorized;
#[cfg(any(feature = "axum", feature = "actix"))]
pub use crate::authorized::Guard;
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

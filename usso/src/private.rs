//! What the macros' expansions name (`::usso::__private::…`), and hooks for
//! usso's own fuzz targets. Not public API: it may change in any release.

#[cfg(any(feature = "axum", feature = "actix"))]
pub use crate::Authorized;
#[cfg(any(feature = "axum", feature = "actix"))]
pub use crate::authorized::Guard;
pub use crate::{Policy, Requirement, UserData, WorkspaceClaims};

/// Compiles only for claims types that carry a workspace.
pub const fn assert_workspace_claims<C: WorkspaceClaims>() {}

// ---------------------------------------------------------------------------
// OpenAPI (`#[utoipa::path]` under a usso attribute; the `utoipa` feature)
// ---------------------------------------------------------------------------

/// The description the macros give a `#[utoipa::path]` operation: the
/// user's (`existing`), then the policy.
#[must_use]
pub fn openapi_description(existing: &str, requirement: &Requirement) -> String {
    crate::openapi_describe::describe(existing, requirement)
}

/// Implemented only by the macros' stand-in for utoipa's `__path_<fn>`
/// type: where utoipa's own type is found instead, `#[utoipa::path]` ran
/// first and the handler's policy can't be documented.
#[diagnostic::on_unimplemented(
    message = "`#[utoipa::path]` expanded before usso's attribute on this handler",
    label = "this handler's policy can't reach its OpenAPI operation",
    note = "put usso's attributes above `#[utoipa::path(..)]`, written as `utoipa::path`: \
            attributes expand from the top, and utoipa builds the operation when it expands"
)]
pub trait UssoAboveUtoipa {}

/// Compiles only when `T` is the macros' stand-in (see [`UssoAboveUtoipa`]).
pub const fn assert_usso_above_utoipa<T: UssoAboveUtoipa>() {}

/// With `utoipa`: the first group (the handler documented by a rewritten
/// `#[utoipa::path]`); without it: the second (the handler as written).
#[cfg(feature = "utoipa")]
#[doc(hidden)]
#[macro_export]
macro_rules! __usso_openapi_select {
    ({ $($documented:tt)* } { $($plain:tt)* }) => { $($documented)* };
}

/// With `utoipa`: the first group (the handler documented by a rewritten
/// `#[utoipa::path]`); without it: the second (the handler as written).
#[cfg(not(feature = "utoipa"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __usso_openapi_select {
    ({ $($documented:tt)* } { $($plain:tt)* }) => { $($plain)* };
}

/// With `utoipa`, for a handler without a visible `#[utoipa::path]`: a
/// stand-in `$path` (utoipa's `__path_<fn>` name), glob-imported so that
/// utoipa's own type, if `#[utoipa::path]` already expanded above, shadows it
/// and fails [`assert_usso_above_utoipa`]. Nothing without `utoipa`.
#[cfg(feature = "utoipa")]
#[doc(hidden)]
#[macro_export]
macro_rules! __usso_openapi_order_check {
    ($probe:ident, $path:ident) => {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        mod $probe {
            #[allow(non_camel_case_types, dead_code, unreachable_pub)]
            pub struct $path;
            impl $crate::__private::UssoAboveUtoipa for $path {}
        }
        #[allow(unused_imports)]
        use $probe::*;
        const _: () = $crate::__private::assert_usso_above_utoipa::<$path>();
    };
}

/// Nothing without the `utoipa` feature.
#[cfg(not(feature = "utoipa"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __usso_openapi_order_check {
    ($probe:ident, $path:ident) => {};
}

pub use crate::{
    __usso_openapi_order_check as openapi_order_check, __usso_openapi_select as openapi_select,
};

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

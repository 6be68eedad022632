//! Counters through the [`metrics`](https://docs.rs/metrics/0.24) facade
//! (feature `metrics`, off by default): install any exporter's recorder
//! (Prometheus, StatsD, OpenTelemetry, …) and usso's counters appear in it.
//! Without the feature every call below compiles to nothing.
//!
//! | name | labels | counts |
//! |---|---|---|
//! | `usso_verifications_total` | `outcome` (`success`, `failure`), `reason` (`ok` or the [`AuthError::code`](crate::AuthError::code), e.g. `token_expired`) | authentications of a request (axum layer and extractors, [`UssoAuth::authenticate`](crate::UssoAuth::authenticate)) and calls of [`verify_token`](crate::UssoAuth::verify_token) and its siblings; a request is counted once even when several extractors read it |
//! | `usso_jwks_fetches_total` | — | JWKS fetches started (first use, refresh, unknown `kid`, manual) |
//! | `usso_jwks_fetch_failures_total` | `reason` (`transport`, `timeout`, `status`, `too_large`, `invalid`, `no_usable_keys`) | JWKS fetches that failed |
//! | `usso_jwks_stale_serves_total` | — | keys served past their cache lifetime because refreshing failed |
//! | `usso_jwks_kid_misses_total` | — | tokens whose `kid` was not in the cached key set |
//! | `usso_token_cache_hits_total` | — | verifications answered by the verified-token cache |
//! | `usso_token_cache_misses_total` | — | verified-token cache lookups that found nothing usable |
//! | `usso_api_key_checks_total` | `outcome` (`success`, `failure`), `reason` (`ok` or the error code) | API keys checked by the configured [`ApiKeyVerifier`](crate::ApiKeyVerifier) |
//! | `usso_revocations_total` | `kind` (`jti`, `session`, `sub`) | revocation rules recorded through [`Revocations`](crate::Revocations) |
//! | `usso_revoked_tokens_refused_total` | — | verifications refused because a revocation rule matched the token |
//!
//! The same names are the constants of this module. Label values are
//! fixed strings and error codes only, so every counter has a handful of
//! series whatever the traffic: never a token, subject, `kid`, issuer or
//! URL, which an attacker could vary to blow up an exporter's memory.
//!
//! The JWKS and cache counters mirror [`JwksStore::stats`](crate::JwksStore::stats)
//! and [`UssoAuth::token_cache_stats`](crate::UssoAuth::token_cache_stats),
//! which stay available without the feature.
//!
//! ```
//! use usso::testing::TestIssuer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Any recorder: here metrics-util's debugging one, for the current thread.
//! let recorder = metrics_util::debugging::DebuggingRecorder::new();
//! let snapshotter = recorder.snapshotter();
//! let _guard = metrics::set_default_local_recorder(&recorder);
//!
//! let issuer = TestIssuer::start().await;
//! let auth = issuer.auth();
//! auth.verify_token(&issuer.token().mint()).await.unwrap();
//!
//! let counted = snapshotter.snapshot().into_vec().into_iter().any(|(key, _, _, _)| {
//!     key.key().name() == usso::metrics::VERIFICATIONS
//!         && key.key().labels().any(|l| l.key() == "outcome" && l.value() == "success")
//! });
//! assert!(counted);
//! # }
//! ```
//!
//! Cost: two counter increments on a successful request with a
//! Prometheus recorder installed; see BENCHMARKS.md for the measured
//! figure.
// Without the feature the names are only used by the (empty) helpers.
#![cfg_attr(not(feature = "metrics"), allow(dead_code, unreachable_pub))]

use crate::AuthError;

/// `usso_verifications_total{outcome, reason}`: verifications by outcome.
pub const VERIFICATIONS: &str = "usso_verifications_total";
/// `usso_jwks_fetches_total`: JWKS fetches started.
pub const JWKS_FETCHES: &str = "usso_jwks_fetches_total";
/// `usso_jwks_fetch_failures_total{reason}`: JWKS fetches that failed.
pub const JWKS_FETCH_FAILURES: &str = "usso_jwks_fetch_failures_total";
/// `usso_jwks_stale_serves_total`: keys served from an expired set.
pub const JWKS_STALE_SERVES: &str = "usso_jwks_stale_serves_total";
/// `usso_jwks_kid_misses_total`: tokens naming a `kid` not in the cached set.
pub const JWKS_KID_MISSES: &str = "usso_jwks_kid_misses_total";
/// `usso_token_cache_hits_total`: verified-token cache hits.
pub const TOKEN_CACHE_HITS: &str = "usso_token_cache_hits_total";
/// `usso_token_cache_misses_total`: verified-token cache misses.
pub const TOKEN_CACHE_MISSES: &str = "usso_token_cache_misses_total";
/// `usso_api_key_checks_total{outcome, reason}`: API-key checks.
pub const API_KEY_CHECKS: &str = "usso_api_key_checks_total";
/// `usso_revocations_total{kind}`: revocation rules recorded.
pub const REVOCATIONS: &str = "usso_revocations_total";
/// `usso_revoked_tokens_refused_total`: tokens refused as revoked.
pub const REVOKED_TOKENS_REFUSED: &str = "usso_revoked_tokens_refused_total";

/// Every counter name, for describing them to an exporter at start-up.
///
/// ```
/// assert!(usso::metrics::ALL.contains(&"usso_verifications_total"));
/// ```
pub const ALL: [&str; 10] = [
    VERIFICATIONS,
    JWKS_FETCHES,
    JWKS_FETCH_FAILURES,
    JWKS_STALE_SERVES,
    JWKS_KID_MISSES,
    TOKEN_CACHE_HITS,
    TOKEN_CACHE_MISSES,
    API_KEY_CHECKS,
    REVOCATIONS,
    REVOKED_TOKENS_REFUSED,
];

/// Describes every usso counter to the installed recorder (an exporter
/// shows the text as `# HELP`). Optional: counters work without it.
///
/// ```
/// usso::metrics::describe();
/// ```
#[cfg(feature = "metrics")]
pub fn describe() {
    use ::metrics::describe_counter;
    describe_counter!(
        VERIFICATIONS,
        "Token verifications by outcome and reason code"
    );
    describe_counter!(JWKS_FETCHES, "JWKS fetches started");
    describe_counter!(JWKS_FETCH_FAILURES, "JWKS fetches that failed, by reason");
    describe_counter!(
        JWKS_STALE_SERVES,
        "Keys served past their cache lifetime because refreshing failed"
    );
    describe_counter!(
        JWKS_KID_MISSES,
        "Tokens whose kid was not in the cached key set"
    );
    describe_counter!(TOKEN_CACHE_HITS, "Verified-token cache hits");
    describe_counter!(TOKEN_CACHE_MISSES, "Verified-token cache misses");
    describe_counter!(API_KEY_CHECKS, "API-key checks by outcome and reason code");
    describe_counter!(REVOCATIONS, "Revocation rules recorded, by kind");
    describe_counter!(
        REVOKED_TOKENS_REFUSED,
        "Verifications refused because the token was revoked"
    );
}

// The recording helpers: one line at each call site, nothing at all
// without the feature. The counters of the request path have static keys,
// whose hash is computed at compile time (the `counter!` macro recomputes
// it on every call for a name that is not a literal); failures, with their
// error code, go through the macro.

#[cfg(feature = "metrics")]
mod keys {
    use metrics::{Key, Label};

    static SUCCESS: [Label; 2] = [
        Label::from_static_parts("outcome", "success"),
        Label::from_static_parts("reason", "ok"),
    ];
    pub(super) static VERIFIED: Key = Key::from_static_parts(super::VERIFICATIONS, &SUCCESS);
    pub(super) static API_KEY_ACCEPTED: Key =
        Key::from_static_parts(super::API_KEY_CHECKS, &SUCCESS);
    pub(super) static TOKEN_CACHE_HIT: Key = Key::from_static_name(super::TOKEN_CACHE_HITS);
    pub(super) static TOKEN_CACHE_MISS: Key = Key::from_static_name(super::TOKEN_CACHE_MISSES);
    pub(super) static REVOKED_REFUSED: Key = Key::from_static_name(super::REVOKED_TOKENS_REFUSED);
    pub(super) static JWKS_FETCH: Key = Key::from_static_name(super::JWKS_FETCHES);
    pub(super) static JWKS_STALE: Key = Key::from_static_name(super::JWKS_STALE_SERVES);
    pub(super) static JWKS_MISS: Key = Key::from_static_name(super::JWKS_KID_MISSES);
}

/// Adds one to the counter `key` of the current recorder (what
/// `counter!(…).increment(1)` does, with a key built at compile time).
#[cfg(feature = "metrics")]
#[inline]
fn increment(key: &'static ::metrics::Key) {
    static METADATA: ::metrics::Metadata<'static> =
        ::metrics::Metadata::new(module_path!(), ::metrics::Level::INFO, Some(module_path!()));
    ::metrics::with_recorder(|recorder| recorder.register_counter(key, &METADATA).increment(1));
}

/// One verification (or request authentication) and its outcome.
#[inline]
pub(crate) fn verification<T>(result: &Result<T, AuthError>) {
    #[cfg(feature = "metrics")]
    match result {
        Ok(_) => increment(&keys::VERIFIED),
        Err(error) => {
            ::metrics::counter!(VERIFICATIONS, "outcome" => "failure", "reason" => error.code())
                .increment(1);
            if *error == AuthError::TokenRevoked {
                increment(&keys::REVOKED_REFUSED);
            }
        }
    }
    #[cfg(not(feature = "metrics"))]
    let _ = result;
}

/// One API-key check by the configured verifier.
#[inline]
pub(crate) fn api_key_check<T>(result: &Result<T, AuthError>) {
    #[cfg(feature = "metrics")]
    match result {
        Ok(_) => increment(&keys::API_KEY_ACCEPTED),
        Err(error) => {
            ::metrics::counter!(API_KEY_CHECKS, "outcome" => "failure", "reason" => error.code())
                .increment(1);
        }
    }
    #[cfg(not(feature = "metrics"))]
    let _ = result;
}

/// A JWKS fetch started.
#[inline]
pub(crate) fn jwks_fetch() {
    #[cfg(feature = "metrics")]
    increment(&keys::JWKS_FETCH);
}

/// A JWKS fetch failed.
#[inline]
pub(crate) fn jwks_fetch_failure(error: &crate::jwks::fetch::FetchError) {
    #[cfg(feature = "metrics")]
    {
        use crate::jwks::fetch::FetchError;
        let reason = match error {
            FetchError::Transport(_) => "transport",
            FetchError::Timeout(_) => "timeout",
            FetchError::Status(_) => "status",
            FetchError::TooLarge(_) => "too_large",
            FetchError::Invalid(_) => "invalid",
            FetchError::NoUsableKeys { .. } => "no_usable_keys",
        };
        ::metrics::counter!(JWKS_FETCH_FAILURES, "reason" => reason).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = error;
}

/// A key served from a set past its cache lifetime.
#[inline]
pub(crate) fn jwks_stale_serve() {
    #[cfg(feature = "metrics")]
    increment(&keys::JWKS_STALE);
}

/// A token's `kid` was not in the cached set.
#[inline]
pub(crate) fn jwks_kid_miss() {
    #[cfg(feature = "metrics")]
    increment(&keys::JWKS_MISS);
}

/// A verified-token cache hit.
#[inline]
pub(crate) fn token_cache_hit() {
    #[cfg(feature = "metrics")]
    increment(&keys::TOKEN_CACHE_HIT);
}

/// A verified-token cache miss.
#[inline]
pub(crate) fn token_cache_miss() {
    #[cfg(feature = "metrics")]
    increment(&keys::TOKEN_CACHE_MISS);
}

/// A revocation rule was recorded (`kind`: `jti`, `session`, `sub`).
#[inline]
pub(crate) fn revocation(kind: &'static str) {
    #[cfg(feature = "metrics")]
    ::metrics::counter!(REVOCATIONS, "kind" => kind).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = kind;
}

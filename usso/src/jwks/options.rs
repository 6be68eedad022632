use std::time::Duration;

use crate::ConfigError;

/// How the JWKS key store fetches and caches keys.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | [`default_ttl`](Self::default_ttl) | 5 min | cache lifetime when the server sends no `Cache-Control: max-age` / `Expires` |
/// | [`min_ttl`](Self::min_ttl) / [`max_ttl`](Self::max_ttl) | 30 s / 24 h | the server's lifetime is clamped to this range |
/// | [`miss_cooldown`](Self::miss_cooldown) | 30 s | at most one refetch per window caused by unknown `kid`s |
/// | [`max_stale`](Self::max_stale) | 1 h | how long past their lifetime the last good keys are served while refreshes fail |
/// | [`fetch_timeout`](Self::fetch_timeout) | 5 s | whole-request timeout of one fetch |
/// | [`connect_timeout`](Self::connect_timeout) | 2 s | TCP/TLS connect timeout |
/// | [`max_body_bytes`](Self::max_body_bytes) | 256 KiB | larger JWKS responses are refused |
/// | [`max_keys`](Self::max_keys) | 100 | keys beyond this are ignored |
/// | [`retry_initial`](Self::retry_initial) / [`retry_max`](Self::retry_max) | 1 s / 60 s | exponential back-off between failed refreshes |
/// | [`shared`](Self::shared) | `false` | share one key store per URL (and equal options) across the process |
/// | [`cross_origin_redirects`](Self::cross_origin_redirects) | `false` | follow JWKS redirects to another scheme, host or port (at most 3 hops, never https → http) |
///
/// ```
/// use std::time::Duration;
/// use usso::JwksOptions;
///
/// let options = JwksOptions::default()
///     .miss_cooldown(Duration::from_secs(10))
///     .max_stale(Duration::from_secs(600));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksOptions {
    pub(crate) default_ttl: Duration,
    pub(crate) min_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) miss_cooldown: Duration,
    pub(crate) max_stale: Duration,
    pub(crate) fetch_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_keys: usize,
    pub(crate) retry_initial: Duration,
    pub(crate) retry_max: Duration,
    pub(crate) shared: bool,
    pub(crate) cross_origin_redirects: bool,
}

impl Default for JwksOptions {
    fn default() -> Self {
        Self {
            default_ttl: Duration::from_secs(300),
            min_ttl: Duration::from_secs(30),
            max_ttl: Duration::from_secs(24 * 3600),
            miss_cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(3600),
            fetch_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            max_body_bytes: 256 * 1024,
            max_keys: 100,
            retry_initial: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
            shared: false,
            cross_origin_redirects: false,
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
    };
}

impl JwksOptions {
    setter!(
        /// Cache lifetime when the response has no usable `Cache-Control` or `Expires`. Defaults to 5 minutes.
        default_ttl: Duration
    );
    setter!(
        /// The shortest cache lifetime, whatever the server says (never less
        /// than 1 second). Defaults to 30 seconds.
        min_ttl: Duration
    );
    setter!(
        /// The longest cache lifetime, whatever the server says. Defaults to 24 hours.
        max_ttl: Duration
    );
    setter!(
        /// Minimum time between two refetches caused by unknown `kid`s. Defaults to 30 seconds.
        miss_cooldown: Duration
    );
    setter!(
        /// How long after its cache lifetime ends the last good key set is still
        /// served while refreshes fail; after that, requests get
        /// [`AuthError::KeysUnavailable`](crate::AuthError::KeysUnavailable).
        /// Defaults to 1 hour.
        max_stale: Duration
    );
    setter!(
        /// Timeout of one whole JWKS request. Defaults to 5 seconds.
        fetch_timeout: Duration
    );
    setter!(
        /// Connect timeout of the JWKS client usso builds. Defaults to 2 seconds.
        connect_timeout: Duration
    );
    setter!(
        /// Largest JWKS response body accepted. Defaults to 256 KiB.
        max_body_bytes: usize
    );
    setter!(
        /// Most keys taken from one JWKS. Defaults to 100.
        max_keys: usize
    );
    setter!(
        /// First back-off after a failed refresh. Defaults to 1 second.
        retry_initial: Duration
    );
    setter!(
        /// Longest back-off between failed refreshes. Defaults to 60 seconds.
        retry_max: Duration
    );
    setter!(
        /// Share one key store per JWKS URL across the process: every
        /// [`UssoAuth`](crate::UssoAuth) (or tenant) built with the same URL and
        /// equal options then caches and fetches the keys once, through
        /// [`JwksStore::shared`](crate::JwksStore::shared). The store keeps the
        /// HTTP client of whoever created it. Defaults to `false` (one store
        /// per authenticator).
        shared: bool
    );

    setter!(
        /// Follow a JWKS redirect to another origin (scheme, host or port).
        /// By default only same-origin redirects are followed, at most 3
        /// hops: the keys decide who may sign tokens, and a redirect to
        /// another host hands that decision to it. A refused redirect is a
        /// failed fetch that names the target origin. Whatever this says,
        /// a redirect from https to http is refused. Defaults to `false`.
        ///
        /// With an application-supplied [`http_client`](crate::JwtConfigBuilder::http_client),
        /// the client's own redirect policy decides which hops are followed,
        /// and usso refuses the response when it came from another origin.
        cross_origin_redirects: bool
    );

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |setting, reason: &str| {
            Err(ConfigError::InvalidSetting {
                setting,
                reason: reason.to_owned(),
            })
        };
        if self.min_ttl > self.max_ttl {
            return bad("jwks min_ttl", "must not exceed max_ttl");
        }
        if self.fetch_timeout.is_zero() || self.connect_timeout.is_zero() {
            return bad("jwks fetch_timeout", "timeouts must be positive");
        }
        if self.max_body_bytes == 0 || self.max_keys == 0 {
            return bad("jwks max_body_bytes", "limits must be positive");
        }
        if self.retry_initial.is_zero() || self.retry_initial > self.retry_max {
            return bad(
                "jwks retry_initial",
                "must be positive and at most retry_max",
            );
        }
        Ok(())
    }
}

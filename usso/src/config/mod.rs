mod error;
pub(crate) mod fleet;

pub use error::ConfigError;
pub use fleet::{ConfigSource, FleetConfig};

use std::sync::Arc;
use std::time::Duration;

use crate::keys::verifying_key::VerifyingKey;
use crate::{Algorithm, JwksOptions, Key, TokenCacheOptions, TokenSource};

/// What to trust: the key source and the validation rules. The Rust twin of
/// the Python SDK's `JWTConfig`.
///
/// Build one with [`JwtConfig::builder`] or [`JwtConfig::from_env`], then
/// hand it to [`UssoAuth::new`](crate::UssoAuth::new). Everything is
/// checked by [`build`](JwtConfigBuilder::build): a bad key or a
/// contradictory setting is a [`ConfigError`] at start-up, not a failure at
/// the first request.
///
/// ```
/// use usso::JwtConfig;
///
/// let config = JwtConfig::builder()
///     .jwks_url("http://localhost:8000/.well-known/jwks.json")
///     .issuer("http://localhost:8000")
///     .audience("your-app")
///     .build()?;
/// # Ok::<(), usso::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub(crate) keys: KeySourceConfig,
    pub(crate) rules: Arc<crate::verify::rules::Rules>,
    pub(crate) token_sources: Arc<[TokenSource]>,
    pub(crate) realm: Arc<str>,
    pub(crate) token_cache: Option<TokenCacheOptions>,
    pub(crate) revocations: Option<crate::Revocations>,
}

#[derive(Debug, Clone)]
pub(crate) enum KeySourceConfig {
    Static(Arc<VerifyingKey>),
    Jwks {
        url: String,
        options: JwksOptions,
        client: Option<reqwest::Client>,
    },
}

impl JwtConfig {
    /// Starts a builder. Exactly one of [`jwks_url`](JwtConfigBuilder::jwks_url)
    /// or [`key`](JwtConfigBuilder::key) must be set.
    pub fn builder() -> JwtConfigBuilder {
        JwtConfigBuilder::default()
    }

    /// Reads `USSO_JWKS_URL`, `USSO_ISSUER` and `USSO_AUDIENCE` (the Python SDK's
    /// Best Practice 1). To also read a Python `usso` service's variables
    /// (`JWT_CONFIGS`, `JWT_CONFIG`, `USSO_BASE_URL`), use
    /// [`UssoAuth::from_env`](crate::UssoAuth::from_env). `USSO_ISSUER` and `USSO_AUDIENCE` may hold several
    /// comma-separated values. All three are required: an authorizer that
    /// silently accepts any issuer because a variable was forgotten is a
    /// vulnerability, not a default.
    ///
    /// # Errors
    /// [`ConfigError::MissingEnv`] naming the first missing variable, or any
    /// error of [`JwtConfigBuilder::build`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder_from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env) but returns the builder, so that
    /// more settings can be added before `build()`.
    ///
    /// # Errors
    /// [`ConfigError::MissingEnv`] naming the first missing variable.
    pub fn builder_from_env() -> Result<JwtConfigBuilder, ConfigError> {
        fn var(name: &'static str) -> Result<String, ConfigError> {
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => Ok(v),
                Ok(_) | Err(std::env::VarError::NotPresent) => {
                    Err(ConfigError::MissingEnv { var: name })
                }
                Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::InvalidEnv {
                    var: name,
                    reason: "not valid UTF-8".into(),
                }),
            }
        }
        let jwks = var("USSO_JWKS_URL")?;
        let issuers = var("USSO_ISSUER")?;
        let audiences = var("USSO_AUDIENCE")?;
        let split = |s: &str| -> Vec<String> {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Ok(Self::builder()
            .jwks_url(jwks.trim())
            .issuers(split(&issuers))
            .audiences(split(&audiences)))
    }

    /// The configured token sources, in order.
    pub fn token_sources(&self) -> &[TokenSource] {
        &self.token_sources
    }

    /// The realm used in `WWW-Authenticate` challenges.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The JWKS URL, when the keys come from one.
    pub fn jwks_url(&self) -> Option<&str> {
        match &self.keys {
            KeySourceConfig::Jwks { url, .. } => Some(url),
            KeySourceConfig::Static(_) => None,
        }
    }

    /// The accepted issuers.
    pub fn issuers(&self) -> &[String] {
        &self.rules.issuers
    }

    /// The accepted audiences.
    pub fn audiences(&self) -> &[String] {
        &self.rules.audiences
    }
}

/// Builds a [`JwtConfig`]. Setters consume and return the builder; every
/// problem is reported by [`build`](Self::build).
#[derive(Debug, Clone)]
#[must_use]
pub struct JwtConfigBuilder {
    jwks_url: Option<String>,
    key: Option<Key>,
    algorithm: Option<Algorithm>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    verify_exp: bool,
    verify_nbf: bool,
    verify_iss: bool,
    verify_aud: bool,
    require_exp: bool,
    leeway: Duration,
    max_age: Option<Duration>,
    token_types: Vec<String>,
    require_token_type: bool,
    required_claims: Vec<String>,
    typ: Option<String>,
    max_token_bytes: usize,
    token_sources: Vec<TokenSource>,
    realm: String,
    jwks_options: JwksOptions,
    http_client: Option<reqwest::Client>,
    token_cache: Option<TokenCacheOptions>,
    revocations: Option<crate::Revocations>,
    header_error: Option<ConfigError>,
}

impl Default for JwtConfigBuilder {
    fn default() -> Self {
        Self {
            jwks_url: None,
            key: None,
            algorithm: None,
            issuers: Vec::new(),
            audiences: Vec::new(),
            verify_exp: true,
            verify_nbf: true,
            verify_iss: true,
            verify_aud: true,
            require_exp: true,
            leeway: Duration::from_secs(10),
            max_age: None,
            token_types: vec!["access".to_owned()],
            require_token_type: false,
            required_claims: Vec::new(),
            typ: None,
            max_token_bytes: 8 * 1024,
            token_sources: TokenSource::defaults(),
            realm: "usso".to_owned(),
            jwks_options: JwksOptions::default(),
            http_client: None,
            token_cache: None,
            revocations: None,
            header_error: None,
        }
    }
}

impl JwtConfigBuilder {
    /// Fetch verification keys from this JWKS URL (`http` or `https`).
    /// Mutually exclusive with [`key`](Self::key). No default.
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }

    /// Verify with this one static key instead of a JWKS (the Python SDK's `key=`).
    /// Mutually exclusive with [`jwks_url`](Self::jwks_url). No default.
    pub fn key(mut self, key: Key) -> Self {
        self.key = Some(key);
        self
    }

    /// The algorithm of the static key (the Python SDK's `type=`). Tokens must use
    /// exactly this algorithm. Defaults to every algorithm of the key's own
    /// family (EdDSA for Ed25519, RS*/PS* for RSA, ES256 or ES384 for EC); an
    /// HMAC secret always needs it. Ignored for JWKS keys, which are pinned
    /// by their own `kty`/`crv`/`alg`.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Accept tokens from this issuer (adds to the list); a token without
    /// `iss` is then rejected. Defaults to none: with a static key that
    /// skips the `iss` check, while a JWKS-backed config must set one (or
    /// opt out with [`verify_iss(false)`](Self::verify_iss)).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accept tokens from any of these issuers (adds to the list).
    pub fn issuers<I, S>(mut self, issuers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.issuers.extend(issuers.into_iter().map(Into::into));
        self
    }

    /// Accept tokens for this audience (adds to the list); the token's `aud`
    /// (a string or an array) must then contain one of them. Defaults to
    /// none: with a static key that skips the `aud` check, while a
    /// JWKS-backed config must set one (or opt out with
    /// [`verify_aud(false)`](Self::verify_aud)), because one identity
    /// server's keys usually sign for many apps.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accept tokens for any of these audiences (adds to the list).
    pub fn audiences<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audiences.extend(audiences.into_iter().map(Into::into));
        self
    }

    /// Check `exp`. Defaults to `true`.
    pub fn verify_exp(mut self, on: bool) -> Self {
        self.verify_exp = on;
        self
    }

    /// Check `nbf`. Defaults to `true`.
    pub fn verify_nbf(mut self, on: bool) -> Self {
        self.verify_nbf = on;
        self
    }

    /// Check `iss` against [`issuer`](Self::issuer). Defaults to `true`.
    pub fn verify_iss(mut self, on: bool) -> Self {
        self.verify_iss = on;
        self
    }

    /// Check `aud` against [`audience`](Self::audience). Defaults to `true`.
    pub fn verify_aud(mut self, on: bool) -> Self {
        self.verify_aud = on;
        self
    }

    /// Reject tokens without `exp`. Defaults to `true` (RFC 8725 §3.10:
    /// a token that never expires is a standing credential).
    pub fn require_exp(mut self, on: bool) -> Self {
        self.require_exp = on;
        self
    }

    /// Clock-skew tolerance for `exp`, `nbf`, `iat` and `max_age`.
    /// Defaults to 10 seconds (the Python SDK's `leeway=10`). At most 5 minutes.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Reject tokens issued (`iat`) longer ago than this, and tokens without
    /// `iat`. Defaults to no limit.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The accepted `token_type` claim values. Defaults to `["access"]`:
    /// USSO refresh tokens (`token_type: "refresh"`) are rejected, while a
    /// token without the claim (agent tokens) is accepted unless
    /// [`require_token_type`](Self::require_token_type) is set.
    pub fn token_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.token_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Reject tokens without a `token_type` claim. Defaults to `false`.
    pub fn require_token_type(mut self, on: bool) -> Self {
        self.require_token_type = on;
        self
    }

    /// Reject tokens that lack any of these claims (adds to the list), with
    /// [`AuthError::MissingClaim`](crate::AuthError::MissingClaim) naming
    /// the first one missing. A claim set to `null` counts as missing.
    /// Defaults to none beyond `exp` (see [`require_exp`](Self::require_exp)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use usso::testing::TestIssuer;
    ///
    /// let issuer = TestIssuer::start().await;
    /// let auth = usso::UssoAuth::new(
    ///     issuer.config_builder().require_claims(["sub", "session_id"]).build().unwrap(),
    /// )
    /// .unwrap();
    /// let with = issuer.token().claim("session_id", "s1").mint();
    /// assert!(auth.verify_token(&with).await.is_ok());
    /// let without = issuer.token().mint();
    /// let err = auth.verify_token(&without).await.unwrap_err();
    /// assert_eq!(err.code(), "missing_claim");
    /// # }
    /// ```
    pub fn require_claims<I, S>(mut self, claims: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_claims
            .extend(claims.into_iter().map(Into::into));
        self
    }

    /// Require this header `typ` (compared case-insensitively, with or
    /// without the `application/` prefix), e.g. `at+jwt` for RFC 9068
    /// access tokens. Defaults to no check.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// The largest token accepted, in bytes; larger ones are rejected before
    /// any decoding. Defaults to 8 KiB. Between 256 bytes and 64 KiB.
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = bytes;
        self
    }

    /// Where to look for the token, in order (replaces the list). Defaults
    /// to [`TokenSource::defaults`]: `Authorization: Bearer`, then the
    /// `usso-access-token` cookie.
    pub fn token_sources<I: IntoIterator<Item = TokenSource>>(mut self, sources: I) -> Self {
        self.token_sources = sources.into_iter().collect();
        self
    }

    /// The header the token is read from, with an optional scheme prefix:
    /// the Python SDK's `JWTHeaderConfig(type=…, prefix=…)`. Replaces the header
    /// source(s) and keeps the cookie. Defaults to `Authorization` with
    /// `Bearer`. An invalid header name is reported by [`build`](Self::build).
    ///
    /// ```
    /// let config = usso::JwtConfig::builder()
    ///     .jwks_url("http://localhost:8000/.well-known/jwks.json")
    ///     .issuer("http://localhost:8000")
    ///     .audience("your-app")
    ///     .header("X-Access-Token", None)      // the raw header value is the token
    ///     .cookie_name("access_token")
    ///     .build()?;
    /// assert_eq!(config.token_sources().len(), 2);
    /// # Ok::<(), usso::ConfigError>(())
    /// ```
    pub fn header(mut self, name: &str, prefix: Option<&str>) -> Self {
        let source = match prefix {
            None => TokenSource::header(name),
            Some(prefix) => TokenSource::header_with_prefix(name, prefix),
        };
        match source {
            Ok(source) => {
                self.token_sources
                    .retain(|s| !matches!(s, TokenSource::Header { .. }));
                self.token_sources.insert(0, source);
            }
            Err(e) => self.header_error = Some(e),
        }
        self
    }

    /// Look for the token in this cookie (the Python SDK's `cookie_name=`),
    /// replacing the default cookie; the `Authorization` header is still
    /// tried first. Defaults to `usso-access-token`.
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.token_sources
            .retain(|s| !matches!(s, TokenSource::Cookie { .. }));
        self.token_sources.push(TokenSource::cookie(name));
        self
    }

    /// The `realm` of `WWW-Authenticate` challenges. Defaults to `usso`.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// JWKS cache and fetch settings. Defaults to [`JwksOptions::default`].
    pub fn jwks_options(mut self, options: JwksOptions) -> Self {
        self.jwks_options = options;
        self
    }

    /// The HTTP client for every JWKS fetch (proxies, custom CAs). Defaults
    /// to a client usso builds with the fetch and connect timeouts of
    /// [`JwksOptions`]. A client you pass keeps its own settings; usso
    /// still bounds each fetch with [`JwksOptions::fetch_timeout`].
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The JWKS options and HTTP client set so far (for OIDC discovery).
    pub(crate) fn jwks_http(&self) -> (&JwksOptions, Option<&reqwest::Client>) {
        (&self.jwks_options, self.http_client.as_ref())
    }

    /// Caches verified tokens so that a repeated token skips signature
    /// work (see [`TokenCacheOptions`] for the safety rules). Defaults to
    /// off.
    pub fn token_cache(mut self, options: TokenCacheOptions) -> Self {
        self.token_cache = Some(options);
        self
    }

    /// The revocation rules this config's tokens are checked against, to
    /// share one set between authenticators. Defaults to a set of its own,
    /// reached with [`UssoAuth::revocations`](crate::UssoAuth::revocations).
    pub fn revocations(mut self, revocations: crate::Revocations) -> Self {
        self.revocations = Some(revocations);
        self
    }

    /// Checks everything and builds the config.
    ///
    /// # Errors
    /// * [`ConfigError::NoKeySource`] / [`ConfigError::BothKeySources`].
    /// * [`ConfigError::InvalidKey`]: the key does not parse, is a private
    ///   key, is too small, or does not fit the algorithm (for example an
    ///   `HS256` algorithm with a public key).
    /// * [`ConfigError::InvalidUrl`]: the JWKS URL is not absolute `http(s)`.
    /// * [`ConfigError::InvalidSetting`]: an out-of-range value.
    pub fn build(self) -> Result<JwtConfig, ConfigError> {
        let keys = match (self.jwks_url, self.key) {
            (None, None) => return Err(ConfigError::NoKeySource),
            (Some(_), Some(_)) => return Err(ConfigError::BothKeySources),
            (Some(url), None) => {
                check_url("jwks_url", &url)?;
                // One identity server's JWKS usually signs for every app it
                // serves: without an audience (and issuer) check, a token
                // minted for another app would be accepted here.
                if self.verify_aud && self.audiences.is_empty() {
                    return Err(ConfigError::InvalidSetting {
                        setting: "audience",
                        reason:
                            "keys come from a JWKS but no audience is set: set `.audience(..)` \
                                 (or `.verify_aud(false)` to accept tokens for any audience)"
                                .into(),
                    });
                }
                if self.verify_iss && self.issuers.is_empty() {
                    return Err(ConfigError::InvalidSetting {
                        setting: "issuer",
                        reason: "keys come from a JWKS but no issuer is set: set `.issuer(..)` \
                                 (or `.verify_iss(false)` to accept tokens from any issuer)"
                            .into(),
                    });
                }
                self.jwks_options.validate()?;
                KeySourceConfig::Jwks {
                    url,
                    options: self.jwks_options,
                    client: self.http_client,
                }
            }
            (None, Some(key)) => {
                let key = key
                    .resolve(self.algorithm)
                    .map_err(|e| ConfigError::InvalidKey { reason: e.0 })?;
                KeySourceConfig::Static(Arc::new(key))
            }
        };
        if self.leeway > Duration::from_secs(300) {
            return Err(ConfigError::InvalidSetting {
                setting: "leeway",
                reason: "more than 5 minutes of clock skew defeats expiry".into(),
            });
        }
        if !(256..=64 * 1024).contains(&self.max_token_bytes) {
            return Err(ConfigError::InvalidSetting {
                setting: "max_token_bytes",
                reason: "must be between 256 and 65536".into(),
            });
        }
        if let Some(e) = self.header_error {
            return Err(match e {
                ConfigError::InvalidSetting { reason, .. } => ConfigError::InvalidSetting {
                    setting: "header",
                    reason,
                },
                other => other,
            });
        }
        crate::source::check_sources(&self.token_sources)?;
        check_realm(&self.realm)?;
        if self.required_claims.iter().any(|c| c.trim().is_empty()) {
            return Err(ConfigError::InvalidSetting {
                setting: "require_claims",
                reason: "an empty claim name can never be present".into(),
            });
        }
        // A claim is compared as given, so padding (a pasted newline) or an
        // empty value would silently match no token.
        let unusable = |v: &String| v.is_empty() || v.trim() != v;
        if self.issuers.iter().any(unusable) || self.audiences.iter().any(unusable) {
            return Err(ConfigError::InvalidSetting {
                setting: "issuer/audience",
                reason: "an empty or space-padded issuer or audience would match nothing".into(),
            });
        }
        let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let rules = crate::verify::rules::Rules {
            issuers: self.issuers,
            audiences: self.audiences,
            verify_exp: self.verify_exp,
            verify_nbf: self.verify_nbf,
            verify_iss: self.verify_iss,
            verify_aud: self.verify_aud,
            require_exp: self.require_exp,
            leeway_ms: millis(self.leeway),
            max_age_ms: self.max_age.map(millis),
            token_types: self.token_types,
            require_token_type: self.require_token_type,
            required_claims: self.required_claims,
            typ: self
                .typ
                .map(|t| crate::verify::rules::normalize_typ(&t).to_owned()),
            max_token_bytes: self.max_token_bytes,
        };
        Ok(JwtConfig {
            keys,
            rules: Arc::new(rules),
            token_sources: self.token_sources.into(),
            realm: self.realm.into(),
            token_cache: self.token_cache,
            revocations: self.revocations,
        })
    }
}

/// The realm is sent inside a quoted `WWW-Authenticate` parameter: text a
/// header value can't hold would drop the whole challenge at request time.
pub(crate) fn check_realm(realm: &str) -> Result<(), ConfigError> {
    let printable = |b: u8| b == b' ' || b.is_ascii_graphic();
    if realm.is_empty() || realm.len() > 256 || !realm.bytes().all(printable) {
        return Err(ConfigError::InvalidSetting {
            setting: "realm",
            reason: format!(
                "`{}` must be 1 to 256 characters of printable ASCII",
                crate::source::shorten(realm)
            ),
        });
    }
    Ok(())
}

pub(crate) fn check_url(setting: &'static str, url: &str) -> Result<(), ConfigError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ConfigError::InvalidUrl {
        setting,
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ConfigError::InvalidUrl {
            setting,
            reason: "must be an absolute http:// or https:// URL".into(),
        });
    }
    Ok(())
}

use std::fmt;
use std::sync::Arc;

use crate::config::{KeySourceConfig, Rules};
use crate::jwks::JwksStore;
use crate::key_source::KeySource;
use crate::verify::{self, unix_now};
use crate::{AuthError, Claims, ConfigError, JwtConfig, UserData};

/// Verifies tokens: the Rust twin of the seed's `USSOAuth`.
///
/// Cheap to clone (one `Arc`), `Send + Sync`; build it once at start-up and
/// share it, e.g. as axum router state.
///
/// ```
/// # async fn demo(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// use usso::{JwtConfig, UssoAuth};
///
/// let config = JwtConfig::builder()
///     .jwks_url("http://localhost:8000/.well-known/jwks.json")
///     .issuer("http://localhost:8000")
///     .audience("your-app")
///     .build()?;
/// let auth = UssoAuth::new(config)?;
///
/// match auth.verify_token(token).await {
///     Ok(user) => {
///         println!("User ID: {:?}", user.sub);
///         println!("Roles: {:?}", user.roles);
///         println!("Scopes: {:?}", user.scopes);
///     }
///     Err(e) => println!("Token verification failed: {e}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct UssoAuth {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: JwtConfig,
    pub(crate) keys: KeySource,
}

impl fmt::Debug for UssoAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UssoAuth")
            .field("jwks_url", &self.inner.config.jwks_url())
            .field("issuers", &self.inner.config.issuers())
            .field("audiences", &self.inner.config.audiences())
            .finish_non_exhaustive()
    }
}

impl UssoAuth {
    /// Creates the authenticator. With a JWKS URL this creates (but does not
    /// yet fill) the key store; no network traffic happens here.
    ///
    /// # Errors
    /// [`ConfigError::KeysUnavailable`] if the HTTP client can't be built.
    pub fn new(config: JwtConfig) -> Result<Self, ConfigError> {
        let keys = match &config.keys {
            KeySourceConfig::Static(key) => KeySource::Static(Arc::clone(key)),
            KeySourceConfig::Jwks {
                url,
                options,
                client,
            } => KeySource::Jwks(JwksStore::new(url.clone(), options, client.clone())?),
        };
        Ok(Self {
            inner: Arc::new(Inner { config, keys }),
        })
    }

    /// The configuration this authenticator enforces.
    pub fn config(&self) -> &JwtConfig {
        &self.inner.config
    }

    /// Verifies `token` and returns its claims as [`UserData`].
    ///
    /// # Errors
    /// The [`AuthError`] naming the first rule the token breaks.
    pub async fn verify_token(&self, token: &str) -> Result<UserData, AuthError> {
        self.verify_token_as::<UserData>(token).await
    }

    /// Verifies `token` into your own claims type (the seed's `user_schema=`).
    ///
    /// # Errors
    /// As [`verify_token`](Self::verify_token); a claim of the wrong JSON type
    /// is [`AuthError::TokenInvalid`] naming it.
    pub async fn verify_token_as<C: Claims>(&self, token: &str) -> Result<C, AuthError> {
        let rules: &Rules = &self.inner.config.rules;
        let parsed = verify::parse(token, rules)?;
        let key = match self.inner.keys.key_now(parsed.kid.as_deref(), parsed.alg) {
            Some(found) => found?,
            None => self.inner.keys.key(parsed.kid.as_deref(), parsed.alg).await?,
        };
        verify::finish(&parsed, &key, rules, unix_now())
    }

    /// Verifies without an async runtime. Only possible with a static key:
    /// a JWKS-backed authenticator whose key isn't cached yet answers
    /// [`AuthError::KeysUnavailable`] rather than block.
    ///
    /// # Errors
    /// As [`verify_token`](Self::verify_token).
    pub fn verify_token_sync<C: Claims>(&self, token: &str) -> Result<C, AuthError> {
        let rules: &Rules = &self.inner.config.rules;
        let parsed = verify::parse(token, rules)?;
        let key = self
            .inner
            .keys
            .key_now(parsed.kid.as_deref(), parsed.alg)
            .unwrap_or(Err(AuthError::KeysUnavailable {
                retry_after: std::time::Duration::from_secs(1),
            }))?;
        verify::finish(&parsed, &key, rules, unix_now())
    }
}

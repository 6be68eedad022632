/// Why a [`JwtConfig`](crate::JwtConfig) (or another usso component) could
/// not be built. Returned at start-up, never at request time.
///
/// ```
/// use usso::{ConfigError, JwtConfig};
///
/// let err = JwtConfig::builder().issuer("https://sso.example.com").build().unwrap_err();
/// assert!(matches!(err, ConfigError::NoKeySource));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither `jwks_url` nor `key` was set.
    #[error("no key source: set exactly one of `jwks_url(..)` or `key(..)`")]
    NoKeySource,
    /// Both `jwks_url` and `key` were set.
    #[error("two key sources: set exactly one of `jwks_url(..)` or `key(..)`, not both")]
    BothKeySources,
    /// The static key could not be parsed or does not fit the algorithm.
    #[error("invalid key: {reason}")]
    InvalidKey {
        /// What is wrong with it.
        reason: String,
    },
    /// A URL setting is not an absolute `http`/`https` URL.
    #[error("invalid URL for `{setting}`: {reason}")]
    InvalidUrl {
        /// The setting, e.g. `jwks_url`.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting is out of range or contradicts another.
    #[error("invalid setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The setting's name.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A required environment variable is not set (see [`JwtConfig::from_env`](crate::JwtConfig::from_env)).
    #[error("environment variable `{var}` is not set")]
    MissingEnv {
        /// The variable's name.
        var: &'static str,
    },
    /// An environment variable is set but unusable.
    #[error("environment variable `{var}` is invalid: {reason}")]
    InvalidEnv {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// OIDC discovery or a start-up key prefetch failed.
    #[error("could not load keys at start-up: {reason}")]
    KeysUnavailable {
        /// What failed.
        reason: String,
    },
}

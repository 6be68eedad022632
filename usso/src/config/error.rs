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
    /// A JSON trust configuration (`JWT_CONFIG`, `JWT_CONFIGS`, see
    /// [`FleetConfig`](crate::FleetConfig)) is not valid JSON.
    #[error("`{origin}` is not valid JSON (line {line}, column {column}): {reason}")]
    InvalidJson {
        /// Where the JSON came from, e.g. `JWT_CONFIG`.
        origin: String,
        /// The 1-based line of the error.
        line: usize,
        /// The 1-based column of the error.
        column: usize,
        /// What the parser expected.
        reason: String,
    },
    /// A JSON trust configuration has a field the Python package's
    /// `AuthConfig` does not have (usually a typo, which the Python package
    /// would silently ignore).
    #[error("`{origin}`: unknown field `{field}` (known fields: {known})")]
    UnknownField {
        /// Where the JSON came from, e.g. `JWT_CONFIG`.
        origin: String,
        /// The field's path, e.g. `[1].jwt_header.cookie`.
        field: String,
        /// The fields allowed at that place.
        known: &'static str,
    },
    /// A field of a JSON trust configuration has the wrong type or an
    /// unusable value.
    #[error("`{origin}`: field `{field}` {reason}")]
    InvalidField {
        /// Where the JSON came from, e.g. `JWT_CONFIG`.
        origin: String,
        /// The field's path, e.g. `[0].maximum_age`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration asks for one of the Python package's unsafe modes,
    /// which usso refuses; the message names the safe setting.
    #[error("refused: {reason}")]
    Unsafe {
        /// Why, and what to set instead.
        reason: String,
    },
    /// OIDC discovery or a start-up key prefetch failed.
    #[error("could not load keys at start-up: {reason}")]
    KeysUnavailable {
        /// What failed.
        reason: String,
    },
    /// The shared revocation list could not be loaded at start-up (Redis
    /// unreachable, see [`RedisRevocations::connect`](crate::RedisRevocations::connect)).
    #[error("the revocation list in Redis could not be reached: {reason}")]
    RevocationsUnavailable {
        /// What failed.
        reason: String,
    },
}

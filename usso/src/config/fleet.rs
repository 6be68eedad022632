//! The trust configuration of a Python `usso` fleet: its environment
//! (`JWT_CONFIGS`, `JWT_CONFIG`, `USSO_BASE_URL`) and its JSON `AuthConfig`
//! shape, read into usso's configs with usso's safety rules.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::keys::source::KeySource;
use crate::verify::Verifier;
use crate::{
    Algorithm, AuthError, Claims, ConfigError, JwtConfig, JwtConfigBuilder, Key, TokenSource,
};

/// Where a [`FleetConfig`] was read from: the variable that won.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigSource {
    /// `JWT_CONFIGS`: a JSON list of `AuthConfig` objects.
    JwtConfigs,
    /// `JWT_CONFIG`: one JSON `AuthConfig` object.
    JwtConfig,
    /// `USSO_BASE_URL` (with `USSO_ISSUER` and `USSO_AUDIENCE`).
    UssoBaseUrl,
    /// `USSO_JWKS_URL`, `USSO_ISSUER` and `USSO_AUDIENCE`.
    UssoVars,
    /// JSON given to [`FleetConfig::from_json`].
    Json,
}

impl ConfigSource {
    /// The variable's name (`json` for [`ConfigSource::Json`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JwtConfigs => "JWT_CONFIGS",
            Self::JwtConfig => "JWT_CONFIG",
            Self::UssoBaseUrl => "USSO_BASE_URL",
            Self::UssoVars => "USSO_JWKS_URL",
            Self::Json => "json",
        }
    }
}

/// The deployment configuration of a Python `usso` service, read the way
/// the Python package (0.33.5) reads it, and turned into a [`UssoAuth`](crate::UssoAuth)
/// with usso's rules. [`UssoAuth::from_env`](crate::UssoAuth::from_env) is the one-line form.
///
/// # Where it comes from
///
/// The first of these that is set (and not blank) wins, as in the package's
/// `UssoAuth()`; the winner is logged with a `tracing` info line:
///
/// 1. `JWT_CONFIGS`: a JSON list of `AuthConfig` objects;
/// 2. `JWT_CONFIG`: one JSON `AuthConfig` object;
/// 3. `USSO_BASE_URL`: keys from `{USSO_BASE_URL}/.well-known/jwks.json`,
///    with `USSO_ISSUER` and `USSO_AUDIENCE` **required**;
/// 4. `USSO_JWKS_URL`, `USSO_ISSUER`, `USSO_AUDIENCE` (as
///    [`JwtConfig::from_env`]).
///
/// As in the package, either JSON variable may hold one object or a list,
/// and list items may be JSON text of an object.
///
/// # The JSON shape
///
/// The package's `AuthConfig` fields, every one of them:
///
/// | field | usso |
/// |---|---|
/// | `jwks_url` | [`JwtConfigBuilder::jwks_url`] |
/// | `key` | a PEM public key or certificate; a JWK object (also in the package's own spelling, as `model_dump_json` writes it); any other string is an HMAC secret, accepted only when `type` is `HS256`/`HS384`/`HS512` (and at least as long as RFC 7518 §3.2 requires) |
/// | `issuer`, `audience` | a string or a list of strings |
/// | `type` | the static key's algorithm (names as the package spells them: `EdDSA`, `EDDSA`, `ED25519`, `RS256`, …); ignored with `jwks_url` |
/// | `maximum_age` | [`JwtConfigBuilder::max_age`], in seconds |
/// | `jwt_header` | `{"header_name" (or the docs' "type"), "prefix", "cookie_name"}`; `Authorization` strips `Bearer`; a `null` name turns that source off |
/// | `api_key_header` | `{"header_name", "verify_endpoint"}`: API keys checked by [`HttpApiKeyVerifier`](crate::HttpApiKeyVerifier); `null` or absent: no API keys |
/// | `static_api_keys` | declared but never used by the package; only `null` or `[]` |
///
/// An unknown field is [`ConfigError::UnknownField`] (the package ignores
/// it silently; usually it is a typo); malformed JSON is
/// [`ConfigError::InvalidJson`] with the line and column; a value of the
/// wrong type is [`ConfigError::InvalidField`] naming its path.
///
/// # What differs from the Python package, and why
///
/// * **Several configs.** The package tries every config in order and
///   takes the first success, so any config's keys can vouch for any
///   issuer. usso binds keys to issuers: a token whose (unverified) `iss`
///   is named by some configs is verified only by those configs, as
///   [`MultiTenant::by_issuer`](crate::MultiTenant::by_issuer) does. Only
///   the configs that name no issuer are tried in order, each at most once,
///   for tokens whose `iss` no config names; the last error is reported.
///   Tokens the package accepts from the config that should sign them are
///   accepted alike.
/// * **Unsafe modes are refused** with [`ConfigError::Unsafe`]: no
///   configuration at all (the package's `AuthConfig()` then trusts the
///   public `https://sso.usso.io` JWKS with no issuer or audience check),
///   `USSO_BASE_URL` without `USSO_ISSUER`/`USSO_AUDIENCE` (the package then
///   fetches `…/jwks.json?domain=<the token's own unverified iss>` and
///   accepts any tenant the server signs for), and a base URL with a query.
/// * A `jwks_url` config must name its `issuer` and `audience`, as every
///   usso JWKS config must: one identity server signs for many apps.
/// * usso's own checks apply on top: `exp` is required, `iss` is required
///   when an issuer is configured, `aud` may be an array, 10 s of leeway.
///
/// ```
/// use usso::{ConfigError, FleetConfig};
///
/// let json = r#"{
///     "jwks_url": "https://sso.example.com/.well-known/jwks.json",
///     "issuer": "https://sso.example.com",
///     "audience": ["blog", "shop"],
///     "maximum_age": 3600,
///     "jwt_header": {"header_name": "Authorization", "cookie_name": "usso-access-token"}
/// }"#;
/// let auth = FleetConfig::from_json(json)?.build()?;
/// # let _ = auth;
///
/// let typo = FleetConfig::from_json(r#"{"jwks_url": "https://sso.example.com/jwks", "isuer": "x"}"#);
/// assert!(matches!(typo, Err(ConfigError::UnknownField { field, .. }) if field == "isuer"));
/// # Ok::<(), ConfigError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct FleetConfig {
    source: ConfigSource,
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    builder: JwtConfigBuilder,
    issuers: Vec<String>,
    api_keys: Option<ApiKeySetting>,
}

#[derive(Debug, Clone)]
struct ApiKeySetting {
    header: http::HeaderName,
    endpoint: String,
}

impl FleetConfig {
    /// Reads the process environment (see the [type docs](Self)).
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable and field at fault, or
    /// [`ConfigError::Unsafe`] for the package's unsafe modes.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `var`
    /// (a map in tests, a secrets store, …).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use usso::{ConfigSource, FleetConfig};
    ///
    /// let env = HashMap::from([
    ///     ("USSO_BASE_URL", "https://sso.example.com"),
    ///     ("USSO_ISSUER", "https://sso.example.com"),
    ///     ("USSO_AUDIENCE", "blog"),
    /// ]);
    /// let fleet = FleetConfig::from_vars(|name| env.get(name).map(|v| v.to_string()))?;
    /// assert_eq!(fleet.source(), ConfigSource::UssoBaseUrl);
    ///
    /// // Without an issuer and audience the package's `?domain=` mode is refused.
    /// let unsafe_env = HashMap::from([("USSO_BASE_URL", "https://sso.example.com")]);
    /// let err = FleetConfig::from_vars(|name| unsafe_env.get(name).map(|v| v.to_string()));
    /// assert!(matches!(err, Err(usso::ConfigError::Unsafe { .. })));
    /// # Ok::<(), usso::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_vars<F>(var: F) -> Result<Self, ConfigError>
    where
        F: Fn(&str) -> Option<String>,
    {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let fleet = if let Some(json) = get("JWT_CONFIGS") {
            Self::parse(&json, ConfigSource::JwtConfigs, &get)?
        } else if let Some(json) = get("JWT_CONFIG") {
            Self::parse(&json, ConfigSource::JwtConfig, &get)?
        } else if let Some(base) = get("USSO_BASE_URL") {
            Self::from_base_url(base.trim(), &get)?
        } else if get("USSO_JWKS_URL").is_some() {
            Self::from_usso_vars(&get)?
        } else {
            return Err(ConfigError::Unsafe {
                reason: "no trust configuration in the environment. The Python package would \
                         then trust every token signed by the public https://sso.usso.io JWKS, \
                         for any issuer and audience; usso needs to be told whom to trust: set \
                         JWT_CONFIG (a JSON object with `jwks_url` or `key`, `issuer` and \
                         `audience`), or USSO_JWKS_URL, USSO_ISSUER and USSO_AUDIENCE"
                    .into(),
            });
        };
        tracing::info!(
            source = fleet.source.as_str(),
            configs = fleet.entries.len(),
            "usso: trust configuration read from {}",
            fleet.source.as_str()
        );
        Ok(fleet)
    }

    /// Reads a `JWT_CONFIG` object or a `JWT_CONFIGS` list given as JSON.
    ///
    /// # Errors
    /// [`ConfigError::InvalidJson`], [`ConfigError::UnknownField`],
    /// [`ConfigError::InvalidField`].
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        Self::parse(json, ConfigSource::Json, &|_: &str| None)
    }

    /// The variable the configuration was read from.
    pub fn source(&self) -> ConfigSource {
        self.source
    }

    /// How many configs were read.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no config was read (never true for a successfully read one).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every config, built, for a report of whom the service trusts
    /// ([`JwtConfig::jwks_url`], [`issuers`](JwtConfig::issuers),
    /// [`audiences`](JwtConfig::audiences)). Building a config fetches nothing.
    ///
    /// # Errors
    /// Any error of [`JwtConfigBuilder::build`].
    pub fn configs(&self) -> Result<Vec<JwtConfig>, ConfigError> {
        self.entries
            .iter()
            .map(|e| e.builder.clone().build())
            .collect()
    }

    /// Adds usso settings to every config before it is built: token
    /// sources, a verified-token cache, leeway, an HTTP client, …
    ///
    /// ```
    /// use usso::{FleetConfig, TokenCacheOptions};
    ///
    /// let auth = FleetConfig::from_json(r#"{"key": "a-shared-secret-of-32-bytes-or-more!", "type": "HS256"}"#)?
    ///     .with(|config| config.token_cache(TokenCacheOptions::default()))
    ///     .build()?;
    /// # let _ = auth;
    /// # Ok::<(), usso::ConfigError>(())
    /// ```
    pub fn with(mut self, mut edit: impl FnMut(JwtConfigBuilder) -> JwtConfigBuilder) -> Self {
        for entry in &mut self.entries {
            let builder = std::mem::take(&mut entry.builder);
            entry.builder = edit(builder);
        }
        self
    }

    /// The engine and API-key setting, checked: what
    /// [`build`](Self::build) (in `auth.rs`) makes an authenticator of.
    pub(crate) fn into_parts(self) -> Result<FleetParts, ConfigError> {
        let api_keys = self
            .entries
            .iter()
            .find_map(|e| e.api_keys.clone())
            .map(|keys| (keys.header, keys.endpoint));
        let engine = if self.entries.len() == 1 {
            let entry = self
                .entries
                .into_iter()
                .next()
                .ok_or(ConfigError::NoKeySource)?;
            FleetEngine::Single(entry.builder.build()?)
        } else {
            let mut stores: HashMap<String, KeySource> = HashMap::new();
            let mut by_issuer: HashMap<String, Vec<Arc<Verifier>>> = HashMap::new();
            let mut in_order = Vec::new();
            let mut sources: Vec<TokenSource> = Vec::new();
            let mut realm = None;
            let revocations = crate::Revocations::default();
            for entry in self.entries {
                let mut config = entry.builder.build()?;
                config
                    .revocations
                    .get_or_insert_with(|| revocations.clone());
                for source in config.token_sources() {
                    if !sources.contains(source) {
                        sources.push(source.clone());
                    }
                }
                realm.get_or_insert_with(|| config.realm().to_owned());
                let verifier = Arc::new(Verifier::new_sharing(config, &mut stores)?);
                if entry.issuers.is_empty() {
                    in_order.push(verifier);
                } else {
                    for issuer in entry.issuers {
                        by_issuer
                            .entry(issuer)
                            .or_default()
                            .push(Arc::clone(&verifier));
                    }
                }
            }
            FleetEngine::Several {
                fleet: Fleet {
                    by_issuer,
                    in_order,
                    revocations,
                },
                sources,
                realm: realm.unwrap_or_else(|| "usso".to_owned()),
            }
        };
        Ok(FleetParts { engine, api_keys })
    }

    fn from_base_url(
        base: &str,
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        if base.contains('?') || base.contains('#') {
            return Err(ConfigError::Unsafe {
                reason: "USSO_BASE_URL has a query or fragment; it must be the plain base URL of \
                         the identity server (usso never derives the JWKS URL from a token, as \
                         the Python package's `?domain=` mode does)"
                    .into(),
            });
        }
        let (Some(issuer), Some(audience)) = (get("USSO_ISSUER"), get("USSO_AUDIENCE")) else {
            return Err(ConfigError::Unsafe {
                reason: "USSO_BASE_URL is set without USSO_ISSUER and USSO_AUDIENCE. The Python \
                         package then fetches `{base}/.well-known/jwks.json?domain=<host of the \
                         token's own unverified iss>` and accepts a token of any tenant the \
                         server signs for; usso reads keys from `{base}/.well-known/jwks.json` \
                         and needs USSO_ISSUER and USSO_AUDIENCE to know which tokens are meant \
                         for this service"
                    .into(),
            });
        };
        let jwks = format!("{}/.well-known/jwks.json", base.trim_end_matches('/'));
        crate::config::check_url("USSO_BASE_URL", &jwks)?;
        let builder = JwtConfig::builder()
            .jwks_url(jwks)
            .issuers(split(&issuer))
            .audiences(split(&audience));
        Ok(Self {
            source: ConfigSource::UssoBaseUrl,
            entries: vec![Entry {
                builder,
                issuers: split(&issuer),
                api_keys: None,
            }],
        })
    }

    fn from_usso_vars(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let need = |name: &'static str| get(name).ok_or(ConfigError::MissingEnv { var: name });
        let jwks = need("USSO_JWKS_URL")?;
        let issuers = split(&need("USSO_ISSUER")?);
        let audiences = split(&need("USSO_AUDIENCE")?);
        let builder = JwtConfig::builder()
            .jwks_url(jwks.trim())
            .issuers(issuers.clone())
            .audiences(audiences);
        Ok(Self {
            source: ConfigSource::UssoVars,
            entries: vec![Entry {
                builder,
                issuers,
                api_keys: None,
            }],
        })
    }

    fn parse(
        json: &str,
        source: ConfigSource,
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let origin = source.as_str();
        let value: Value = serde_json::from_str(json).map_err(|e| ConfigError::InvalidJson {
            origin: origin.to_owned(),
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        })?;
        // Like the package's `validate_jwt_configs`, both variables take one
        // object or a list, whose items may also be JSON text of an object.
        let objects: Vec<(String, Map<String, Value>)> = match value {
            Value::Object(map) => vec![(String::new(), map)],
            Value::Array(list) if !list.is_empty() => list
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let item = match item {
                        Value::String(text) => serde_json::from_str(&text).map_err(|e| {
                            invalid(origin, &format!("[{i}]"), format!("is not valid JSON: {e}"))
                        })?,
                        other => other,
                    };
                    match item {
                        Value::Object(map) => Ok((format!("[{i}]."), map)),
                        _ => Err(invalid(origin, &format!("[{i}]"), "must be a JSON object")),
                    }
                })
                .collect::<Result<_, _>>()?,
            Value::Array(_) => {
                return Err(invalid(origin, "", "is an empty list: no config to trust"));
            }
            _ => {
                return Err(ConfigError::InvalidEnv {
                    var: origin,
                    reason: "must be a JSON AuthConfig object or a list of them".into(),
                });
            }
        };
        let base_url = get("USSO_BASE_URL");
        let entries = objects
            .into_iter()
            .map(|(path, map)| parse_auth_config(origin, &path, &map, base_url.as_deref()))
            .collect::<Result<_, _>>()?;
        Ok(Self { source, entries })
    }
}

const AUTH_CONFIG_FIELDS: &str = "jwks_url, key, issuer, audience, type, maximum_age, jwt_header, \
                                  api_key_header, static_api_keys";
const JWT_HEADER_FIELDS: &str = "header_name, type, prefix, cookie_name";
const API_KEY_HEADER_FIELDS: &str = "header_name, cookie_name, verify_endpoint";

fn invalid(origin: &str, field: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidField {
        origin: origin.to_owned(),
        field: field.trim_end_matches('.').to_owned(),
        reason: reason.into(),
    }
}

fn unknown(
    map: &Map<String, Value>,
    known: &'static str,
    origin: &str,
    path: &str,
) -> Result<(), ConfigError> {
    let allowed: Vec<&str> = known.split(", ").collect();
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(field) => Err(ConfigError::UnknownField {
            origin: origin.to_owned(),
            field: format!("{path}{}", field.chars().take(64).collect::<String>()),
            known,
        }),
        None => Ok(()),
    }
}

/// A field that is absent or `null` is `None`; otherwise it must be a string.
fn opt_str<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    origin: &str,
    path: &str,
) -> Result<Option<&'a str>, ConfigError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(
            origin,
            &format!("{path}{name}"),
            "must be a string or null",
        )),
    }
}

/// A string or a list of strings (the package's `str | list[str] | None`).
fn str_or_list(
    map: &Map<String, Value>,
    name: &str,
    origin: &str,
    path: &str,
) -> Result<Vec<String>, ConfigError> {
    let field = format!("{path}{name}");
    let values = match map.get(name) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid(
                    origin,
                    &field,
                    "must be a string or a list of strings",
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(invalid(
                origin,
                &field,
                "must be a string or a list of strings",
            ));
        }
    };
    if values.iter().any(|v| v.trim().is_empty()) {
        return Err(invalid(
            origin,
            &field,
            "holds an empty string, which would match nothing",
        ));
    }
    Ok(values)
}

/// The package's `Algorithm` names: case-insensitive, `ED25519` = EdDSA.
fn algorithm(name: &str, origin: &str, field: &str) -> Result<Algorithm, ConfigError> {
    let upper = name.trim().to_ascii_uppercase();
    if upper == "EDDSA" || upper == "ED25519" {
        return Ok(Algorithm::EdDSA);
    }
    Algorithm::ALL
        .into_iter()
        .find(|a| a.as_str() == upper)
        .ok_or_else(|| {
            invalid(
                origin,
                field,
                format!(
                    "`{}` is not an algorithm usso verifies (EdDSA, ES256, ES384, RS256..512, PS256..512, HS256..512)",
                    name.chars().take(32).collect::<String>().escape_debug()
                ),
            )
        })
}

fn parse_auth_config(
    origin: &str,
    path: &str,
    map: &Map<String, Value>,
    base_url: Option<&str>,
) -> Result<Entry, ConfigError> {
    unknown(map, AUTH_CONFIG_FIELDS, origin, path)?;
    let field = |name: &str| format!("{path}{name}");
    let jwks_url = opt_str(map, "jwks_url", origin, path)?;
    let issuers = str_or_list(map, "issuer", origin, path)?;
    let audiences = str_or_list(map, "audience", origin, path)?;
    let alg = opt_str(map, "type", origin, path)?
        .map(|t| algorithm(t, origin, &field("type")))
        .transpose()?;
    let key = match map.get("key") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.trim_start().starts_with("-----BEGIN") => {
            Some(Key::pem(text.clone()))
        }
        Some(Value::String(text)) => match alg {
            // The package turns any non-PEM string into an HMAC secret;
            // usso does so only when the config says HMAC, so that a
            // mistyped public key doesn't become a guessable shared secret.
            Some(a) if a.is_symmetric() => Some(Key::hmac_secret(text.as_bytes())),
            _ => {
                return Err(invalid(
                    origin,
                    &field("key"),
                    "is not a PEM key; the Python package would use it as an HMAC secret. If it \
                     is one, say so with \"type\": \"HS256\" (or HS384/HS512); otherwise give \
                     the public key as PEM or as a JWK object",
                ));
            }
        },
        Some(Value::Object(jwk)) => {
            if let Some(Value::String(k)) = jwk.get("k")
                && URL_SAFE_NO_PAD.decode(k.trim_end_matches('=')).is_err()
            {
                return Err(invalid(origin, &field("key.k"), "is not base64url"));
            }
            Some(Key::jwk(Value::Object(package_jwk(jwk)).to_string()))
        }
        Some(_) => {
            return Err(invalid(
                origin,
                &field("key"),
                "must be a PEM string, a JWK object, or (with an HS* `type`) an HMAC secret string",
            ));
        }
    };
    let audiences_empty = audiences.is_empty();
    let mut builder = JwtConfig::builder()
        .issuers(issuers.clone())
        .audiences(audiences);
    builder = match (jwks_url, key) {
        (Some(url), None) => {
            if issuers.is_empty() {
                return Err(invalid(
                    origin,
                    &field("issuer"),
                    "is missing: a `jwks_url` config must name the issuer(s) it trusts, because \
                     one identity server's keys sign tokens of many issuers and apps (the Python \
                     package checks `iss` only when it is set)",
                ));
            }
            if audiences_empty {
                return Err(invalid(
                    origin,
                    &field("audience"),
                    "is missing: a `jwks_url` config must name the audience(s) of this service, \
                     or a token minted for any other app of the same identity server is accepted",
                ));
            }
            builder.jwks_url(url)
        }
        (None, Some(key)) => {
            // Checked here so that the error names the field at fault.
            let symmetric = alg.is_some_and(Algorithm::is_symmetric);
            if !symmetric {
                key.resolve(None)
                    .map_err(|e| invalid(origin, &field("key"), format!("is unusable: {}", e.0)))?;
            }
            if let Some(a) = alg
                && symmetric
            {
                // The secret itself is at fault (e.g. shorter than RFC 7518 allows).
                key.resolve(Some(a))
                    .map_err(|e| invalid(origin, &field("key"), format!("is unusable: {}", e.0)))?;
            } else if let Some(a) = alg {
                key.resolve(Some(a)).map_err(|e| {
                    invalid(
                        origin,
                        &field("type"),
                        format!(
                            "does not fit the key ({}). The Python package ignores `type` when \
                             verifying; usso pins the key to it: set the key's algorithm or \
                             leave `type` out",
                            e.0
                        ),
                    )
                })?;
            }
            let builder = builder.key(key);
            match alg {
                Some(a) => builder.algorithm(a),
                None => builder,
            }
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                origin,
                &field("key"),
                "and `jwks_url` are both set; set one",
            ));
        }
        (None, None) => {
            return Err(invalid(
                origin,
                &field("jwks_url"),
                "is missing: set `jwks_url` or `key` (the Python package's \"Either jwks_url or \
                 key must be provided\")",
            ));
        }
    };
    match map.get("maximum_age") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) => match n.as_u64() {
            Some(secs) => builder = builder.max_age(Duration::from_secs(secs)),
            None => {
                return Err(invalid(
                    origin,
                    &field("maximum_age"),
                    "must be a whole number of seconds, 0 or more",
                ));
            }
        },
        Some(_) => {
            return Err(invalid(
                origin,
                &field("maximum_age"),
                "must be a whole number of seconds or null",
            ));
        }
    }
    match map.get("static_api_keys") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) if list.is_empty() => {}
        Some(_) => {
            return Err(invalid(
                origin,
                &field("static_api_keys"),
                "is not supported: the Python package declares it but never uses it, so no key \
                 listed there was ever accepted; verify API keys in process with `ApiKeys`",
            ));
        }
    }
    builder = match map.get("jwt_header") {
        // Absent: the package's default HeaderConfig, which is usso's default too.
        None => builder,
        Some(Value::Null) => {
            return Err(invalid(
                origin,
                &field("jwt_header"),
                "is null, which turns tokens off (API keys only); usso authenticates tokens, so \
                 give at least a header or a cookie",
            ));
        }
        Some(Value::Object(header)) => builder.token_sources(token_sources(
            header,
            origin,
            &format!("{path}jwt_header."),
        )?),
        Some(_) => {
            return Err(invalid(
                origin,
                &field("jwt_header"),
                "must be an object or null",
            ));
        }
    };
    let api_keys = match map.get("api_key_header") {
        None | Some(Value::Null) => None,
        Some(Value::Object(header)) => Some(api_key_setting(
            header,
            origin,
            &format!("{path}api_key_header."),
            base_url,
        )?),
        Some(_) => {
            return Err(invalid(
                origin,
                &field("api_key_header"),
                "must be an object or null",
            ));
        }
    };
    Ok(Entry {
        builder,
        issuers,
        api_keys,
    })
}

/// The package stores a PEM `key` as its own JWK (`convert_key_to_jwk`),
/// which a dumped config (`model_dump_json`) carries: EC curves by their
/// OpenSSL names (`secp256r1`) and every number left-padded with zeros to
/// 256 bytes. The same numbers in RFC 7518 form: the curve's JOSE name,
/// coordinates of the curve's size, `n` and `e` without leading zeros.
/// Anything else is passed on unchanged, for the key parser to judge.
fn package_jwk(jwk: &Map<String, Value>) -> Map<String, Value> {
    let mut jwk = jwk.clone();
    let unpad = |jwk: &mut Map<String, Value>, name: &str, size: Option<usize>| {
        let Some(Value::String(text)) = jwk.get(name) else {
            return;
        };
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')) else {
            return;
        };
        let zeros = bytes.iter().take_while(|b| **b == 0).count();
        let keep = match size {
            Some(size) if bytes.len() > size && zeros >= bytes.len() - size => size,
            Some(_) => return,
            None => (bytes.len() - zeros).max(1),
        };
        let trimmed = URL_SAFE_NO_PAD.encode(&bytes[bytes.len() - keep..]);
        jwk.insert(name.to_owned(), Value::String(trimmed));
    };
    let size = match jwk.get("crv").and_then(Value::as_str) {
        Some("secp256r1" | "prime256v1") => Some(("P-256", 32)),
        Some("secp384r1") => Some(("P-384", 48)),
        Some("P-256") => Some(("P-256", 32)),
        Some("P-384") => Some(("P-384", 48)),
        _ => None,
    };
    match jwk.get("kty").and_then(Value::as_str) {
        Some("EC") => {
            if let Some((crv, size)) = size {
                jwk.insert("crv".into(), crv.into());
                unpad(&mut jwk, "x", Some(size));
                unpad(&mut jwk, "y", Some(size));
            }
        }
        Some("RSA") => {
            unpad(&mut jwk, "n", None);
            unpad(&mut jwk, "e", None);
        }
        _ => {}
    }
    jwk
}

fn header_name(name: &str, origin: &str, field: &str) -> Result<http::HeaderName, ConfigError> {
    http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| invalid(origin, field, "is not a valid HTTP header name"))
}

fn token_sources(
    header: &Map<String, Value>,
    origin: &str,
    path: &str,
) -> Result<Vec<TokenSource>, ConfigError> {
    unknown(header, JWT_HEADER_FIELDS, origin, path)?;
    let field = |name: &str| format!("{path}{name}");
    let by_name = opt_str(header, "header_name", origin, path)?;
    let by_type = opt_str(header, "type", origin, path)?;
    if by_name.is_some() && by_type.is_some() {
        return Err(invalid(
            origin,
            &field("type"),
            "and `header_name` both name the header; keep one",
        ));
    }
    // `header_name` (the package) defaults to Authorization; an explicit
    // `null` turns the header off.
    let name = match (header.get("header_name"), by_type) {
        (Some(Value::Null), None) => None,
        (_, Some(t)) => Some(t),
        (_, None) => Some(by_name.unwrap_or("Authorization")),
    };
    let prefix = opt_str(header, "prefix", origin, path)?;
    let mut sources = Vec::new();
    if let Some(name) = name {
        let header_field = if by_type.is_some() {
            field("type")
        } else {
            field("header_name")
        };
        let name = header_name(name, origin, &header_field)?;
        let prefix = match prefix {
            Some(p) if p.trim().is_empty() => None,
            Some(p) => Some(p.trim().to_owned()),
            // The package strips `Bearer` from `Authorization` only.
            None if name == http::header::AUTHORIZATION => Some("Bearer".to_owned()),
            None => None,
        };
        sources.push(TokenSource::Header { name, prefix });
    }
    let cookie = match header.get("cookie_name") {
        Some(Value::Null) => None,
        _ => Some(opt_str(header, "cookie_name", origin, path)?.unwrap_or(crate::DEFAULT_COOKIE)),
    };
    if let Some(cookie) = cookie {
        if cookie.is_empty()
            || !cookie
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"=;,\"".contains(&b))
        {
            return Err(invalid(
                origin,
                &field("cookie_name"),
                "is not a valid cookie name",
            ));
        }
        sources.push(TokenSource::cookie(cookie));
    }
    if sources.is_empty() {
        return Err(invalid(
            origin,
            path,
            "turns off both the header and the cookie: no token could ever be found",
        ));
    }
    Ok(sources)
}

fn api_key_setting(
    header: &Map<String, Value>,
    origin: &str,
    path: &str,
    base_url: Option<&str>,
) -> Result<ApiKeySetting, ConfigError> {
    unknown(header, API_KEY_HEADER_FIELDS, origin, path)?;
    let field = |name: &str| format!("{path}{name}");
    if opt_str(header, "cookie_name", origin, path)?.is_some() {
        return Err(invalid(
            origin,
            &field("cookie_name"),
            "is not supported: usso reads API keys from a header only (a cookie is sent by \
             browsers on their own, which makes it a CSRF risk for a credential)",
        ));
    }
    let name = opt_str(header, "header_name", origin, path)?.unwrap_or("x-api-key");
    let name = header_name(name, origin, &field("header_name"))?;
    let endpoint = match (opt_str(header, "verify_endpoint", origin, path)?, base_url) {
        (Some(url), _) => url.to_owned(),
        (None, Some(base)) => format!(
            "{}/api/sso/v1/apikeys/verify",
            base.trim().trim_end_matches('/')
        ),
        (None, None) => {
            return Err(invalid(
                origin,
                &field("verify_endpoint"),
                "is missing and USSO_BASE_URL is not set. The Python package would send API keys \
                 to https://sso.usso.io; usso sends credentials only where it is told: set \
                 `verify_endpoint` (or USSO_BASE_URL)",
            ));
        }
    };
    crate::config::check_url("verify_endpoint", &endpoint)
        .map_err(|e| invalid(origin, &field("verify_endpoint"), e.to_string()))?;
    Ok(ApiKeySetting {
        header: name,
        endpoint,
    })
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reuses one key store per JWKS URL across configs.
/// What a [`FleetConfig`] builds: one plain config, or a [`Fleet`].
pub(crate) enum FleetEngine {
    Single(JwtConfig),
    Several {
        fleet: Fleet,
        sources: Vec<TokenSource>,
        realm: String,
    },
}

/// A [`FleetConfig`], checked and built, but for the authenticator itself.
pub(crate) struct FleetParts {
    pub(crate) engine: FleetEngine,
    /// `(header, verify endpoint)` of the first config with API keys.
    pub(crate) api_keys: Option<(http::HeaderName, String)>,
}

/// Several configs: bound by issuer, the issuer-less ones tried in order.
pub(crate) struct Fleet {
    by_issuer: HashMap<String, Vec<Arc<Verifier>>>,
    in_order: Vec<Arc<Verifier>>,
    /// The set the configs share (see [`UssoAuth::revocations`](crate::UssoAuth::revocations)).
    pub(crate) revocations: crate::Revocations,
}

impl Fleet {
    pub(crate) fn len(&self) -> usize {
        self.in_order.len() + self.by_issuer.values().map(Vec::len).sum::<usize>()
    }

    pub(crate) async fn verify<C: Claims>(&self, token: &str) -> Result<C, AuthError> {
        // The unverified `iss` only picks which configs may vouch for the
        // token; each of them then requires that very `iss` after the
        // signature check.
        let iss = crate::verify::unverified_issuer(token)?;
        let candidates = match iss.as_deref().and_then(|iss| self.by_issuer.get(iss)) {
            Some(bound) => bound,
            None if self.in_order.is_empty() => return Err(AuthError::InvalidIssuer),
            None => &self.in_order,
        };
        let mut last = AuthError::InvalidIssuer;
        for verifier in candidates {
            match verifier.verify(token).await {
                Ok(claims) => return Ok(claims),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

//! OIDC discovery: find an issuer's `jwks_uri` in its
//! `/.well-known/openid-configuration` document.

use serde::Deserialize;

use super::fetch;
use crate::config::check_url;
use crate::{ConfigError, JwksOptions, JwtConfigBuilder};

#[derive(Deserialize)]
struct Document {
    issuer: String,
    jwks_uri: String,
}

impl JwtConfigBuilder {
    /// Configures the keys and the issuer by OpenID Connect discovery: reads
    /// `{issuer}/.well-known/openid-configuration` once, now, takes its
    /// `jwks_uri` as the [`jwks_url`](Self::jwks_url), and adds `issuer` as
    /// an accepted [`issuer`](Self::issuer).
    ///
    /// The document's `issuer` must equal `issuer` exactly (OpenID Connect
    /// Discovery §4.3), and an `https` issuer must publish an `https`
    /// `jwks_uri`. The request uses the [`http_client`](Self::http_client)
    /// and the timeouts and body limit of the
    /// [`jwks_options`](Self::jwks_options) set *before* this call.
    ///
    /// Discovery happens once, at start-up: the JWKS itself is then cached
    /// and refreshed as usual.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), usso::ConfigError> {
    /// use usso::JwtConfig;
    ///
    /// let config = JwtConfig::builder()
    ///     .issuer_discovery("https://sso.example.com")
    ///     .await?
    ///     .audience("my-api")
    ///     .build()?;
    /// # let _ = config; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// * [`ConfigError::InvalidUrl`]: `issuer` or the published `jwks_uri`
    ///   is not an absolute `http(s)` URL, or `jwks_uri` is `http` for an
    ///   `https` issuer.
    /// * [`ConfigError::KeysUnavailable`]: the document could not be fetched
    ///   or is not a discovery document.
    /// * [`ConfigError::InvalidSetting`]: the document names another issuer.
    pub async fn issuer_discovery(self, issuer: impl Into<String>) -> Result<Self, ConfigError> {
        let issuer = issuer.into();
        let (options, client) = self.jwks_http();
        let jwks_uri = discover(&issuer, options, client).await?;
        Ok(self.jwks_url(jwks_uri).issuer(issuer))
    }
}

/// The `jwks_uri` `issuer` publishes, checked.
async fn discover(
    issuer: &str,
    options: &JwksOptions,
    client: Option<&reqwest::Client>,
) -> Result<String, ConfigError> {
    check_url("issuer_discovery", issuer)?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let built;
    let client = match client {
        Some(client) => client,
        None => {
            built = fetch::default_client(options).map_err(|e| ConfigError::KeysUnavailable {
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
            &built
        }
    };
    let unavailable = |reason: String| ConfigError::KeysUnavailable {
        reason: format!("OIDC discovery at {url}: {reason}"),
    };
    let fetched = fetch::get(client, &url, options)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let document: Document = serde_json::from_slice(&fetched.body)
        .map_err(|e| unavailable(format!("not a discovery document: {e}")))?;
    if document.issuer != issuer {
        return Err(ConfigError::InvalidSetting {
            setting: "issuer_discovery",
            reason: format!(
                "the discovery document names issuer `{}`, not `{}`",
                document
                    .issuer
                    .chars()
                    .take(256)
                    .collect::<String>()
                    .escape_debug(),
                issuer.escape_debug()
            ),
        });
    }
    check_url("jwks_uri", &document.jwks_uri)?;
    let scheme = |u: &str| reqwest::Url::parse(u).map(|u| u.scheme().to_owned()).ok();
    if scheme(issuer).as_deref() == Some("https")
        && scheme(&document.jwks_uri).as_deref() != Some("https")
    {
        return Err(ConfigError::InvalidUrl {
            setting: "jwks_uri",
            reason: "an https issuer must publish an https jwks_uri".into(),
        });
    }
    Ok(document.jwks_uri)
}

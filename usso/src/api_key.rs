use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;

use crate::ttl_cache::TtlCache;
use crate::{AuthError, ConfigError, UserData};

/// The future an [`ApiKeyVerifier`] returns.
pub type ApiKeyFuture<'a> = Pin<Box<dyn Future<Output = Result<UserData, AuthError>> + Send + 'a>>;

/// Resolves a USSO API key (USSO's second credential, the `x-api-key`
/// header) to the claims of its owner.
///
/// Implement it to check keys in-process (the Python SDK's
/// `api_key_verifier`), or use [`HttpApiKeyVerifier`] to ask a USSO server.
///
/// ```
/// use usso::{ApiKeyFuture, ApiKeyVerifier, AuthError, UserData};
///
/// struct StaticKeys;
/// impl ApiKeyVerifier for StaticKeys {
///     fn verify<'a>(&'a self, api_key: &'a str) -> ApiKeyFuture<'a> {
///         Box::pin(async move {
///             match api_key {
///                 "k-123" => Ok(UserData::new("service:reports").with_scopes(["read:posts"])),
///                 _ => Err(AuthError::TokenInvalid { reason: "unknown API key".into() }),
///             }
///         })
///     }
/// }
/// ```
pub trait ApiKeyVerifier: Send + Sync + 'static {
    /// Checks `api_key`. Return [`AuthError::TokenInvalid`] for an unknown
    /// key and [`AuthError::KeysUnavailable`] when the check itself failed.
    fn verify<'a>(&'a self, api_key: &'a str) -> ApiKeyFuture<'a>;
}

/// The API-key setting of an authenticator: which header, and who checks.
/// Pass it to [`UssoAuth::with_api_keys`](crate::UssoAuth::with_api_keys).
#[derive(Clone)]
pub struct ApiKeys {
    header: HeaderName,
    verifier: Arc<dyn ApiKeyVerifier>,
}

/// API keys longer than this are refused without asking anyone.
const MAX_API_KEY_LEN: usize = 512;

impl ApiKeys {
    /// Keys from the `x-api-key` header, checked by `verifier`.
    pub fn new(verifier: impl ApiKeyVerifier) -> Self {
        Self {
            header: HeaderName::from_static("x-api-key"),
            verifier: Arc::new(verifier),
        }
    }

    /// Reads keys from another header. Defaults to `x-api-key`.
    #[must_use]
    pub fn header(mut self, name: HeaderName) -> Self {
        self.header = name;
        self
    }

    pub(crate) fn find<'h, H: crate::request::Headers>(
        &self,
        headers: &'h H,
    ) -> Result<Option<&'h str>, AuthError> {
        let Some(value) = headers.values(&self.header).next() else {
            return Ok(None);
        };
        let value = crate::request::visible_ascii(value)
            .ok_or_else(|| AuthError::invalid("the API key header is not visible ASCII"))?
            .trim();
        if value.is_empty() {
            return Ok(None);
        }
        if value.len() > MAX_API_KEY_LEN {
            return Err(AuthError::invalid("the API key is too long"));
        }
        Ok(Some(value))
    }

    pub(crate) async fn verify(&self, key: &str) -> Result<UserData, AuthError> {
        let result = self.verifier.verify(key).await;
        crate::metrics::api_key_check(&result);
        result
    }

    /// The header keys are read from.
    pub(crate) fn header_name(&self) -> &HeaderName {
        &self.header
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// Asks a USSO server: `POST {endpoint}` with `{"api_key": "…"}`, expecting
/// the key owner's claims as JSON. Accepted keys are cached for 60 seconds
/// and rejected ones for 10 seconds, in at most 1024 entries; at most 32
/// checks are in flight, each bounded to 5 seconds and a 64 KiB answer.
///
/// The endpoint is always one you configure; usso never picks a default
/// server to send credentials to.
///
/// ```
/// use usso::{ApiKeys, HttpApiKeyVerifier};
///
/// let keys = ApiKeys::new(HttpApiKeyVerifier::new("https://sso.example.com/api/sso/v1/apikeys/verify")?);
/// # let _ = keys;
/// # Ok::<(), usso::ConfigError>(())
/// ```
pub struct HttpApiKeyVerifier {
    endpoint: String,
    client: reqwest::Client,
    ttl: Duration,
    capacity: usize,
    /// `None` remembers a rejected key (for [`NEGATIVE_TTL`]), so a flood of
    /// random keys can't turn into a flood of outbound requests.
    cache: TtlCache<Option<UserData>>,
    /// Bounds the outbound checks in flight.
    inflight: tokio::sync::Semaphore,
}

/// How long a rejected API key is remembered.
const NEGATIVE_TTL: Duration = Duration::from_secs(10);
/// Most outbound API-key checks in flight at once.
const MAX_INFLIGHT: usize = 32;
/// Largest answer body read from the endpoint.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Timeout of one check, also applied to a client passed in.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

impl fmt::Debug for HttpApiKeyVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpApiKeyVerifier")
            .field("endpoint", &self.endpoint)
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl HttpApiKeyVerifier {
    /// A verifier posting to `endpoint` with a 5-second timeout.
    ///
    /// # Errors
    /// [`ConfigError::InvalidUrl`] for a non-`http(s)` URL.
    pub fn new(endpoint: impl Into<String>) -> Result<Self, ConfigError> {
        let endpoint = endpoint.into();
        crate::config::check_url("api key endpoint", &endpoint)?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| ConfigError::KeysUnavailable {
                reason: e.to_string(),
            })?;
        Ok(Self {
            endpoint,
            client,
            ttl: Duration::from_secs(60),
            capacity: 1024,
            cache: TtlCache::new(1024),
            inflight: tokio::sync::Semaphore::new(MAX_INFLIGHT),
        })
    }

    /// How long an answer is reused. Defaults to 60 seconds.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Most cached answers. Defaults to 1024.
    #[must_use]
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self.cache = TtlCache::new(self.capacity);
        self
    }

    /// Uses this client (proxies, CAs). Defaults to one with a 5 s timeout.
    #[must_use]
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    /// `Some(Some(user))`: accepted recently; `Some(None)`: rejected recently.
    fn cached(&self, key: &str) -> Option<Option<UserData>> {
        self.cache.get(key, |answer| {
            if answer.is_some() {
                self.ttl
            } else {
                NEGATIVE_TTL
            }
        })
    }

    fn store(&self, key: &str, answer: Option<&UserData>) {
        self.cache.insert(key, answer.cloned());
    }

    async fn fetch(&self, key: &str) -> Result<UserData, AuthError> {
        let unavailable = || AuthError::KeysUnavailable {
            retry_after: Duration::from_secs(5),
        };
        let _permit = self.inflight.acquire().await.map_err(|_| unavailable())?;
        let body = serde_json::json!({ "api_key": key }).to_string();
        let exchange = async {
            let mut response = self
                .client
                .post(&self.endpoint)
                .header(http::header::CONTENT_TYPE, "application/json")
                .timeout(CHECK_TIMEOUT)
                .body(body)
                .send()
                .await
                .map_err(|e| {
                    tracing::warn!(error = %e, "usso: API key endpoint unreachable");
                    unavailable()
                })?;
            let status = response.status();
            let rejected = status.is_client_error()
                && status != http::StatusCode::REQUEST_TIMEOUT
                && status != http::StatusCode::TOO_MANY_REQUESTS;
            if rejected {
                return Ok(None);
            }
            if !status.is_success() {
                tracing::warn!(%status, "usso: API key endpoint failed");
                return Err(unavailable());
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|_| unavailable())? {
                if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                    tracing::warn!("usso: API key endpoint answer is too large");
                    return Err(unavailable());
                }
                bytes.extend_from_slice(&chunk);
            }
            serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                tracing::warn!(error = %e, "usso: API key endpoint sent unusable claims");
                unavailable()
            })
        };
        let answer = tokio::time::timeout(CHECK_TIMEOUT, exchange)
            .await
            .map_err(|_| unavailable())??;
        self.store(key, answer.as_ref());
        answer.ok_or_else(|| AuthError::invalid("the API key was not accepted"))
    }
}

impl ApiKeyVerifier for HttpApiKeyVerifier {
    fn verify<'a>(&'a self, api_key: &'a str) -> ApiKeyFuture<'a> {
        Box::pin(async move {
            match self.cached(api_key) {
                Some(Some(user)) => Ok(user),
                Some(None) => Err(AuthError::invalid("the API key was not accepted")),
                None => self.fetch(api_key).await,
            }
        })
    }
}

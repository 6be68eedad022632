//! Minimal JWKS store (to be replaced by the full cache).

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::jwk::RawJwk;
use crate::verifying_key::VerifyingKey;
use crate::{Algorithm, AuthError, ConfigError, JwksOptions};

/// A shared, cached JWKS key store.
#[derive(Debug)]
pub struct JwksStore {
    url: String,
    client: reqwest::Client,
    keys: ArcSwap<HashMap<String, Arc<VerifyingKey>>>,
    fetch: tokio::sync::Mutex<()>,
}

#[derive(serde::Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

impl JwksStore {
    pub(crate) fn new(
        url: String,
        options: &JwksOptions,
        client: Option<reqwest::Client>,
    ) -> Result<Arc<Self>, ConfigError> {
        let client = match client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(options.connect_timeout)
                .timeout(options.fetch_timeout)
                .build()
                .map_err(|e| ConfigError::KeysUnavailable { reason: e.to_string() })?,
        };
        Ok(Arc::new(Self {
            url,
            client,
            keys: ArcSwap::from_pointee(HashMap::new()),
            fetch: tokio::sync::Mutex::new(()),
        }))
    }

    pub(crate) fn cached(
        &self,
        kid: Option<&str>,
        _alg: Algorithm,
    ) -> Option<Result<Arc<VerifyingKey>, AuthError>> {
        let kid = kid?;
        self.keys.load().get(kid).cloned().map(Ok)
    }

    pub(crate) async fn get(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<VerifyingKey>, AuthError> {
        let _guard = self.fetch.lock().await;
        if let Some(found) = self.cached(kid, alg) {
            return found;
        }
        let unavailable = || AuthError::KeysUnavailable {
            retry_after: std::time::Duration::from_secs(5),
        };
        let body = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|_| unavailable())?
            .bytes()
            .await
            .map_err(|_| unavailable())?;
        let set: RawSet = serde_json::from_slice(&body).map_err(|_| unavailable())?;
        let mut map = HashMap::new();
        for value in set.keys {
            let Ok(raw) = serde_json::from_value::<RawJwk>(value) else {
                continue;
            };
            let (Some(kid), Ok(resolved)) = (raw.kid.clone(), raw.resolve(false)) else {
                continue;
            };
            if let Ok(key) = VerifyingKey::new(resolved.material, resolved.alg, Some(&kid)) {
                map.insert(kid, Arc::new(key));
            }
        }
        self.keys.store(Arc::new(map));
        self.cached(kid, alg).unwrap_or_else(|| {
            Err(AuthError::UnknownKey {
                kid: kid.unwrap_or_default().to_owned(),
            })
        })
    }
}

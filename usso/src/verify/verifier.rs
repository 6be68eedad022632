//! One trust configuration and its keys: a token's verification from its
//! key lookup to its claims, with the verified-token cache and the
//! revocation check around it.

use std::collections::HashMap;
use std::sync::Arc;

use super::cache::{Entry, TokenCache};
use super::rules::Rules;
use crate::config::KeySourceConfig;
use crate::jwks::JwksStore;
use crate::keys::source::KeySource;
use crate::keys::verifying_key::VerifyingKey;
use crate::revocation::Verdict;
use crate::{AuthError, Claims, ConfigError, JwtConfig, NumericDate, Revocations};

/// One trust configuration and its keys.
pub(crate) struct Verifier {
    pub(crate) config: JwtConfig,
    pub(crate) keys: KeySource,
    pub(crate) cache: Option<TokenCache>,
    /// Consulted after every verification and on every cache hit.
    pub(crate) revocations: Revocations,
}

impl Verifier {
    pub(crate) fn new(config: JwtConfig) -> Result<Self, ConfigError> {
        let keys = match &config.keys {
            KeySourceConfig::Static(key) => KeySource::Static(Arc::clone(key)),
            KeySourceConfig::Jwks {
                url,
                options,
                client,
            } => KeySource::Jwks(JwksStore::new(url.clone(), options, client.clone())?),
        };
        Ok(Self::with_keys(config, keys))
    }

    pub(crate) fn with_keys(config: JwtConfig, keys: KeySource) -> Self {
        let cache = config.token_cache.map(TokenCache::new);
        let revocations = config.revocations.clone().unwrap_or_default();
        Self {
            config,
            keys,
            cache,
            revocations,
        }
    }

    pub(crate) async fn verify<C: Claims>(&self, token: &str) -> Result<C, AuthError> {
        self.verify_shared(token).await.map(Arc::unwrap_or_clone)
    }

    /// [`verify`](Self::verify), sharing the claims with the verified-token
    /// cache instead of copying them: a hit is an `Arc` clone.
    pub(crate) async fn verify_shared<C: Claims>(&self, token: &str) -> Result<Arc<C>, AuthError> {
        let rules: &Rules = &self.config.rules;
        let now = NumericDate::now();
        if let Some(hit) = self.cache_hit::<C>(token, now) {
            return hit;
        }
        let parsed = super::parse(token, rules)?;
        let key = match self.keys.key_now(parsed.kid.as_deref(), parsed.alg) {
            Some(found) => found?,
            None => self.keys.key(parsed.kid.as_deref(), parsed.alg).await?,
        };
        self.finish(token, &parsed, key, now)
    }

    /// Checks the signature and claims with the one key for this token, and
    /// caches the result when the verified-token cache is on.
    fn finish<C: Claims>(
        &self,
        token: &str,
        parsed: &super::ParsedToken<'_>,
        key: Arc<VerifyingKey>,
        now: NumericDate,
    ) -> Result<Arc<C>, AuthError> {
        let claims = super::finish::<C>(parsed, &key, &self.config.rules, now)?;
        // Read before the check: a rule added meanwhile moves it on, and
        // the next cache hit checks again.
        let generation = self.revocations.generation();
        // After the signature and claims, so that only a verified token's
        // ids are ever looked up; before the cache, so that a revoked
        // token is never stored.
        match self.revocations.check(claims.user_data(), now) {
            Verdict::Valid => {}
            Verdict::Revoked => return Err(AuthError::TokenRevoked),
            Verdict::Unavailable { retry_after } => {
                return Err(AuthError::RevocationsUnavailable { retry_after });
            }
        }
        let claims = Arc::new(claims);
        self.remember(token, parsed, key, &claims, generation);
        Ok(claims)
    }

    /// A cached verification of exactly this token, if it is still valid:
    /// times re-checked, and the key that verified it still the one the key
    /// set returns for it.
    fn cache_hit<C: Claims>(
        &self,
        token: &str,
        now: NumericDate,
    ) -> Option<Result<Arc<C>, AuthError>> {
        let cache = self.cache.as_ref()?;
        let entry = cache.get(token)?;
        let current = self.keys.key_now(entry.kid.as_deref(), entry.alg);
        let key_still_current = matches!(&current, Some(Ok(k)) if Arc::ptr_eq(k, &entry.key));
        if !key_still_current {
            cache.invalidate(token);
            return None;
        }
        if let Err(e) = super::check_times(entry.exp, entry.nbf, entry.iat, &self.config.rules, now)
        {
            cache.invalidate(token);
            return Some(Err(e));
        }
        let Ok(claims) = Arc::clone(&entry.claims).downcast::<C>() else {
            // Cached for another claims type: verify again and re-store.
            cache.invalidate(token);
            return None;
        };
        match self
            .revocations
            .check_cached(claims.user_data(), now, &entry.checked)
        {
            Verdict::Valid => {}
            Verdict::Revoked => {
                // Revoked since it was cached: out of the cache for good.
                cache.invalidate(token);
                return Some(Err(AuthError::TokenRevoked));
            }
            // Not known either way: kept, for when the set is back in sync.
            Verdict::Unavailable { retry_after } => {
                return Some(Err(AuthError::RevocationsUnavailable { retry_after }));
            }
        }
        cache.hit();
        Some(Ok(claims))
    }

    fn remember<C: Claims>(
        &self,
        token: &str,
        parsed: &super::ParsedToken<'_>,
        key: Arc<VerifyingKey>,
        claims: &Arc<C>,
        generation: u64,
    ) {
        let Some(cache) = &self.cache else {
            return;
        };
        let ud = claims.user_data();
        cache.insert(
            token,
            Entry {
                claims: Arc::clone(claims) as Arc<dyn std::any::Any + Send + Sync>,
                key,
                kid: parsed.kid.as_deref().map(Into::into),
                alg: parsed.alg,
                exp: ud.exp,
                nbf: ud.nbf,
                iat: ud.iat,
                checked: generation.into(),
            },
        );
    }

    pub(crate) fn verify_sync<C: Claims>(&self, token: &str) -> Result<C, AuthError> {
        let rules: &Rules = &self.config.rules;
        let now = NumericDate::now();
        if let Some(hit) = self.cache_hit::<C>(token, now) {
            return hit.map(Arc::unwrap_or_clone);
        }
        let parsed = super::parse(token, rules)?;
        let key = self
            .keys
            .key_now(parsed.kid.as_deref(), parsed.alg)
            .unwrap_or(Err(AuthError::KeysUnavailable {
                retry_after: std::time::Duration::from_secs(1),
            }))?;
        self.finish(token, &parsed, key, now)
            .map(Arc::unwrap_or_clone)
    }

    /// Like [`Verifier::new`], reusing one JWKS store per URL.
    pub(crate) fn new_sharing(
        config: JwtConfig,
        stores: &mut HashMap<String, crate::keys::source::KeySource>,
    ) -> Result<Self, ConfigError> {
        if let Some(url) = config.jwks_url()
            && let Some(keys) = stores.get(url)
        {
            return Ok(Self::with_keys(config, keys.clone()));
        }
        let verifier = Self::new(config)?;
        if let Some(url) = verifier.config.jwks_url() {
            stores.insert(url.to_owned(), verifier.keys.clone());
        }
        Ok(verifier)
    }
}

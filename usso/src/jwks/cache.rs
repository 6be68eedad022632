//! The cached side of the JWKS store: one parsed key set, indexed by `kid`,
//! and the bounded negative cache of `kid`s a fetch proved unknown.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::ttl_cache::TtlCache;

use serde::Deserialize;

use super::fetch::FetchError;
use crate::keys::jwk::RawJwk;
use crate::keys::verifying_key::VerifyingKey;
use crate::verify::MAX_KID_LEN;
use crate::{Algorithm, AuthError};

/// The longest `kid` kept in errors and logs (it is attacker controlled).
const SHOWN_KID_CHARS: usize = 64;
/// The most `kid`s remembered as unknown between two successful fetches.
pub(crate) const MAX_NEGATIVE: usize = 1024;

/// One successful fetch, parsed. Immutable: a refresh builds a new one and
/// swaps it in whole, so a removed key disappears with the old set.
#[derive(Debug)]
pub(crate) struct KeySet {
    /// The id of the fetch that produced it (the negative cache's epoch).
    pub(crate) id: u64,
    by_kid: HashMap<Box<str>, Arc<VerifyingKey>>,
    /// Every usable key, with or without a `kid`, in document order.
    all: Vec<Arc<VerifyingKey>>,
    /// Refresh in the background from here on (80 % of the lifetime).
    pub(crate) refresh_at: Instant,
    /// The end of the lifetime; later the set is stale.
    pub(crate) expires_at: Instant,
    /// Stale keys are served until here (`expires_at + max_stale`), never after.
    pub(crate) usable_until: Instant,
}

/// What the current set says about a token's key.
#[derive(Debug)]
pub(crate) enum Lookup {
    Found {
        key: Arc<VerifyingKey>,
        stale: bool,
    },
    /// A decided failure (a kid-less token the set can't answer).
    Refused(AuthError),
    /// The token names a `kid` the set does not hold.
    Missing,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

/// A `kid` as it may appear in errors and logs: truncated.
pub(crate) fn shown_kid(kid: &str) -> String {
    kid.chars().take(SHOWN_KID_CHARS).collect()
}

pub(crate) fn unknown_key(kid: &str) -> AuthError {
    AuthError::UnknownKey {
        kid: shown_kid(kid),
    }
}

fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d)
        .or_else(|| t.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(t)
}

impl KeySet {
    /// Parses a JWKS body. A key that can't be used is skipped with a
    /// warning; only a document that isn't a JWKS at all, or that leaves no
    /// usable key, fails.
    pub(crate) fn parse(
        body: &[u8],
        url: &str,
        max_keys: usize,
        id: u64,
        now: Instant,
        ttl: Duration,
        max_stale: Duration,
    ) -> Result<Self, FetchError> {
        let set: RawSet = serde_json::from_slice(body)
            .map_err(|e| FetchError::Invalid(format!("not a JWKS: {e}")))?;
        let mut by_kid = HashMap::new();
        let mut all = Vec::new();
        let mut skipped = 0usize;
        if set.keys.len() > max_keys {
            tracing::warn!(
                jwks_url = url,
                keys = set.keys.len(),
                max_keys,
                "JWKS holds more keys than allowed; the rest are ignored"
            );
            skipped += set.keys.len() - max_keys;
        }
        for (index, value) in set.keys.into_iter().take(max_keys).enumerate() {
            let shown = value
                .get("kid")
                .and_then(serde_json::Value::as_str)
                .map(|kid| shown_kid(kid).escape_debug().to_string());
            match parse_key(value) {
                Ok(key) => {
                    if let Some(kid) = key.kid() {
                        if by_kid.contains_key(kid) {
                            tracing::warn!(
                                jwks_url = url,
                                index,
                                kid = %shown_kid(kid).escape_debug(),
                                "JWKS key skipped: duplicate kid"
                            );
                            skipped += 1;
                            continue;
                        }
                        by_kid.insert(Box::from(kid), Arc::clone(&key));
                    }
                    all.push(key);
                }
                Err(reason) => {
                    let kid = shown.as_deref().unwrap_or("-");
                    tracing::warn!(jwks_url = url, index, kid, %reason, "JWKS key skipped");
                    skipped += 1;
                }
            }
        }
        if all.is_empty() {
            return Err(FetchError::NoUsableKeys { skipped });
        }
        let expires_at = later(now, ttl);
        Ok(Self {
            id,
            by_kid,
            all,
            refresh_at: later(now, ttl.mul_f64(0.8)),
            expires_at,
            usable_until: later(expires_at, max_stale),
        })
    }

    /// How many usable keys the set holds.
    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }

    /// The one key to try for a token, if the set can say. Allocation-free
    /// on success.
    pub(crate) fn lookup(&self, kid: Option<&str>, alg: Algorithm, now: Instant) -> Lookup {
        let stale = now >= self.expires_at;
        match kid {
            Some(kid) => match self.by_kid.get(kid) {
                // The key is returned even if it doesn't allow `alg`:
                // verification then rejects the token, with exactly one key tried.
                Some(key) => Lookup::Found {
                    key: Arc::clone(key),
                    stale,
                },
                None => Lookup::Missing,
            },
            None => {
                let mut fitting = self.all.iter().filter(|k| k.allows(alg));
                match (fitting.next(), fitting.count()) {
                    (Some(key), 0) => Lookup::Found {
                        key: Arc::clone(key),
                        stale,
                    },
                    (None, _) => Lookup::Refused(AuthError::invalid(format!(
                        "the token has no `kid` and the JWKS holds no {alg} key"
                    ))),
                    (Some(_), more) => Lookup::Refused(AuthError::invalid(format!(
                        "the token has no `kid` and the JWKS holds {} {alg} keys",
                        more + 1
                    ))),
                }
            }
        }
    }
}

/// One JWK of a fetched set, with the store's checks: the reason it is
/// skipped, if it is. The CLI's `usso jwks` reports exactly these.
pub(crate) fn parse_key(value: serde_json::Value) -> Result<Arc<VerifyingKey>, String> {
    let raw: RawJwk = serde_json::from_value(value).map_err(|e| format!("not a JWK: {e}"))?;
    let kid = raw.kid.as_deref();
    if kid.is_some_and(|kid| kid.len() > MAX_KID_LEN) {
        return Err(format!("its kid is longer than {MAX_KID_LEN} bytes"));
    }
    // `false`: a fetched JWKS never yields an HMAC secret.
    let resolved = raw.resolve(false).map_err(|e| e.0)?;
    let key = VerifyingKey::new(resolved.material, resolved.alg, kid).map_err(|e| e.0)?;
    Ok(Arc::new(key))
}

/// `kid`s a successful fetch proved unknown, remembered until the next
/// successful fetch (`epoch`) or for one miss cooldown, whichever comes
/// first: a key the issuer starts using just before its JWKS (or a CDN in
/// front of it) publishes it is retried after the cooldown instead of being
/// refused until the next scheduled refresh. Bounded: past
/// [`MAX_NEGATIVE`] entries the least used are forgotten, and the miss
/// cooldown alone limits their refetches.
#[derive(Debug)]
pub(crate) struct NegativeCache {
    /// The epoch (fetch id) each `kid` was proven unknown in.
    kids: TtlCache<u64>,
}

impl Default for NegativeCache {
    fn default() -> Self {
        Self {
            kids: TtlCache::new(MAX_NEGATIVE),
        }
    }
}

impl NegativeCache {
    pub(crate) fn contains(&self, epoch: u64, kid: &str, ttl: Duration) -> bool {
        self.kids.get(kid, |_| ttl) == Some(epoch)
    }

    pub(crate) fn insert(&self, epoch: u64, kid: &str) {
        self.kids.insert(kid, epoch);
    }
}

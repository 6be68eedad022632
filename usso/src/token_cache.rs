use std::any::Any;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::verifying_key::VerifyingKey;

/// Settings of the verified-token cache (off unless set with
/// [`JwtConfigBuilder::token_cache`](crate::JwtConfigBuilder::token_cache)).
///
/// A repeated token skips signature work. Safety rules, each tested:
/// * the cache key is the **whole token**, never a prefix;
/// * an entry lives until the token's `exp` at most, and at most `ttl`;
/// * `exp`, `nbf` and `max_age` are re-checked on every hit;
/// * an entry is only used while the key that verified it is still the
///   key the key set returns for that token (rotation and removal
///   invalidate it);
/// * at most `max_entries` tokens, and at most `max_bytes` of tokens and
///   their claims, are held, so memory is bounded whatever the tokens' size.
///
/// ```
/// use std::time::Duration;
/// use usso::TokenCacheOptions;
///
/// let cache = TokenCacheOptions::default()
///     .max_entries(50_000)
///     .max_bytes(64 << 20)
///     .ttl(Duration::from_secs(120));
/// # let _ = cache;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenCacheOptions {
    pub(crate) max_entries: usize,
    pub(crate) max_bytes: usize,
    pub(crate) ttl: Duration,
}

impl Default for TokenCacheOptions {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_bytes: 32 << 20,
            ttl: Duration::from_secs(300),
        }
    }
}

impl TokenCacheOptions {
    /// Most tokens held. Defaults to 10 000.
    #[must_use]
    pub fn max_entries(mut self, n: usize) -> Self {
        self.max_entries = n.max(1);
        self
    }

    /// Most memory held, in bytes: each entry counts as
    /// [`entry_bytes`](Self::entry_bytes) of its token. Defaults to 32 MiB,
    /// room for the 10 000 default entries of 1 KiB tokens; big tokens
    /// (8 KiB of claims) then fit about 1 900 at a time.
    #[must_use]
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes.max(1);
        self
    }

    /// What one cached token is counted as: the token itself (the key),
    /// its decoded claims, which take at most about as much again, and a
    /// fixed 512 bytes for the entry and map overhead. Measured: 10 000
    /// entries of 8 KiB tokens took 115 MB, 11.5 KB each, under this
    /// estimate of 16.9 KB.
    pub const fn entry_bytes(token_len: usize) -> usize {
        token_len.saturating_mul(2).saturating_add(512)
    }

    /// Longest time an entry is reused, whatever its `exp`. Defaults to 5 minutes.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }
}

/// Counters of the verified-token cache, from
/// [`UssoAuth::token_cache_stats`](crate::UssoAuth::token_cache_stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenCacheStats {
    /// Verifications answered from the cache.
    pub hits: u64,
    /// Lookups that found nothing usable.
    pub misses: u64,
    /// Entries dropped because their key was rotated out or removed, or
    /// their token expired.
    pub invalidations: u64,
    /// Entries dropped to stay within `max_entries` or `max_bytes`.
    pub evictions: u64,
    /// Entries held now.
    pub entries: usize,
    /// Bytes held now, as [`TokenCacheOptions::entry_bytes`] counts them.
    pub bytes: usize,
}

const SHARDS: usize = 16;

pub(crate) struct Entry {
    pub(crate) claims: Arc<dyn Any + Send + Sync>,
    pub(crate) key: Arc<VerifyingKey>,
    pub(crate) kid: Option<Box<str>>,
    pub(crate) alg: crate::Algorithm,
    pub(crate) exp: Option<crate::NumericDate>,
    pub(crate) nbf: Option<crate::NumericDate>,
    pub(crate) iat: Option<crate::NumericDate>,
    pub(crate) stored: Instant,
}

/// Verified claims by whole token, in 16 independently locked shards.
pub(crate) struct TokenCache {
    options: TokenCacheOptions,
    seed: u64,
    shards: Vec<Mutex<Shard>>,
    hits: AtomicU64,
    misses: AtomicU64,
    invalidations: AtomicU64,
    evictions: AtomicU64,
}

#[derive(Default)]
struct Shard {
    map: HashMap<Box<str>, Arc<Entry>>,
    /// [`TokenCacheOptions::entry_bytes`] of every token in `map`.
    bytes: usize,
}

impl Shard {
    fn remove(&mut self, token: &str) -> bool {
        let removed = self.map.remove(token).is_some();
        if removed {
            self.bytes -= TokenCacheOptions::entry_bytes(token.len());
        }
        removed
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    pub(crate) fn new(options: TokenCacheOptions) -> Self {
        Self {
            options,
            seed: RandomState::new().hash_one(0u8),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    fn shard(&self, token: &str) -> &Mutex<Shard> {
        // The shard only spreads lock contention, so it is picked from the
        // signature's last bytes (random for real tokens) instead of hashing
        // the whole token a second time; the map inside still hashes the
        // whole token with a keyed hash.
        let tail = &token.as_bytes()[token.len().saturating_sub(8)..];
        let mixed = tail
            .iter()
            .fold(self.seed, |acc, &b| acc.rotate_left(5) ^ u64::from(b));
        &self.shards[(mixed as usize) % SHARDS]
    }

    pub(crate) fn get(&self, token: &str) -> Option<Arc<Entry>> {
        let shard = self
            .shard(token)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let found = shard
            .map
            .get(token)
            .filter(|e| e.stored.elapsed() < self.options.ttl)
            .map(Arc::clone);
        drop(shard);
        if found.is_none() {
            self.misses.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn invalidate(&self, token: &str) {
        self.invalidations.fetch_add(1, Ordering::Relaxed);
        self.misses.fetch_add(1, Ordering::Relaxed);
        self.shard(token)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(token);
    }

    pub(crate) fn insert(&self, token: &str, entry: Entry, now: crate::NumericDate) {
        let max_len = self.options.max_entries.div_ceil(SHARDS).max(1);
        let max_bytes = self.options.max_bytes / SHARDS;
        let weight = TokenCacheOptions::entry_bytes(token.len());
        if weight > max_bytes {
            // Bigger than a whole shard's share: not worth caching.
            return;
        }
        let ttl = self.options.ttl;
        let mut shard = self
            .shard(token)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        shard.remove(token);
        let full = |s: &Shard| s.map.len() >= max_len || s.bytes + weight > max_bytes;
        if full(&shard) {
            let before = shard.map.len();
            shard
                .map
                .retain(|_, e| e.stored.elapsed() < ttl && e.exp.is_none_or(|exp| exp > now));
            if shard.map.len() != before {
                shard.bytes = shard
                    .map
                    .keys()
                    .map(|t| TokenCacheOptions::entry_bytes(t.len()))
                    .sum();
            }
            // Still full of live entries: drop some, any; a miss only costs
            // a verification.
            while full(&shard) {
                let Some(victim) = shard.map.keys().next().cloned() else {
                    break;
                };
                shard.remove(&victim);
                self.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
        shard.bytes += weight;
        shard.map.insert(token.into(), Arc::new(entry));
    }

    pub(crate) fn stats(&self) -> TokenCacheStats {
        let mut stats = TokenCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries: 0,
            bytes: 0,
        };
        for shard in &self.shards {
            let shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            stats.entries += shard.map.len();
            stats.bytes += shard.bytes;
        }
        stats
    }
}

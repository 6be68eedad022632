use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use quick_cache::Weighter;

use crate::keys::verifying_key::VerifyingKey;
use crate::ttl_cache::{Stamped, TtlCache};

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
    /// Bytes held now, as [`TokenCacheOptions::entry_bytes`] counts them
    /// (each entry at least `max_bytes / max_entries`).
    pub bytes: usize,
}

pub(crate) struct Entry {
    pub(crate) claims: Arc<dyn Any + Send + Sync>,
    pub(crate) key: Arc<VerifyingKey>,
    pub(crate) kid: Option<Box<str>>,
    pub(crate) alg: crate::Algorithm,
    pub(crate) exp: Option<crate::NumericDate>,
    pub(crate) nbf: Option<crate::NumericDate>,
    pub(crate) iat: Option<crate::NumericDate>,
    /// The revocation set's generation when this token was last found not
    /// revoked: while it is unchanged no rule was added since, and a hit
    /// skips the lookups (see `Revocations::check_cached`).
    pub(crate) checked: std::sync::atomic::AtomicU64,
}

/// Weighs a cached token as [`TokenCacheOptions::entry_bytes`], and at
/// least `max_bytes / max_entries`, so that the one weight bound also keeps
/// the entry count within `max_entries`.
#[derive(Debug, Clone, Copy)]
struct Bytes {
    least: u64,
}

impl Weighter<Box<str>, Stamped<Arc<Entry>>> for Bytes {
    fn weight(&self, token: &Box<str>, _: &Stamped<Arc<Entry>>) -> u64 {
        (TokenCacheOptions::entry_bytes(token.len()) as u64).max(self.least)
    }
}

/// Verified claims by whole token.
pub(crate) struct TokenCache {
    options: TokenCacheOptions,
    entries: TtlCache<Arc<Entry>, Bytes>,
    hits: AtomicU64,
    misses: AtomicU64,
    invalidations: AtomicU64,
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
        let least = (options.max_bytes / options.max_entries.max(1)).max(1) as u64;
        Self {
            options,
            entries: TtlCache::with_weighter(
                options.max_entries,
                options.max_bytes as u64,
                Bytes { least },
            ),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        }
    }

    pub(crate) fn get(&self, token: &str) -> Option<Arc<Entry>> {
        let found = self.entries.get(token, |_| self.options.ttl);
        if found.is_none() {
            self.misses.fetch_add(1, Ordering::Relaxed);
            crate::metrics::token_cache_miss();
        }
        found
    }

    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
        crate::metrics::token_cache_hit();
    }

    pub(crate) fn invalidate(&self, token: &str) {
        self.invalidations.fetch_add(1, Ordering::Relaxed);
        self.misses.fetch_add(1, Ordering::Relaxed);
        crate::metrics::token_cache_miss();
        self.entries.remove(token);
    }

    pub(crate) fn insert(&self, token: &str, entry: Entry) {
        self.entries.insert(token, Arc::new(entry));
    }

    pub(crate) fn stats(&self) -> TokenCacheStats {
        TokenCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            evictions: self.entries.evictions(),
            entries: self.entries.len(),
            bytes: usize::try_from(self.entries.weight()).unwrap_or(usize::MAX),
        }
    }
}

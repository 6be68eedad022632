//! The one bounded cache behind usso's caches (verified tokens, API-key
//! answers, `kid`s a JWKS proved unknown): quick_cache's concurrent
//! CLOCK-Pro cache, bounded in entries or in weight, whose entries also
//! expire. Keys are hashed with std's keyed `RandomState`, since they come
//! from requests.

use std::collections::hash_map::RandomState;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::{Lifecycle, UnitWeighter, Weighter};

/// A value and when it was stored.
#[derive(Debug, Clone)]
pub(crate) struct Stamped<V> {
    pub(crate) at: Instant,
    pub(crate) value: V,
}

/// Counts the entries evicted to stay within the bound.
#[derive(Debug, Clone, Default)]
pub(crate) struct Evictions(Arc<AtomicU64>);

impl<V> Lifecycle<Box<str>, Stamped<V>> for Evictions {
    type RequestState = ();

    fn on_evict(&self, (): &mut (), _key: Box<str>, _value: Stamped<V>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// A bounded map from `str` keys to `V`s that expire.
pub(crate) struct TtlCache<V, W = UnitWeighter> {
    inner: Cache<Box<str>, Stamped<V>, W, RandomState, Evictions>,
    evictions: Evictions,
}

impl<V, W> std::fmt::Debug for TtlCache<V, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache").finish_non_exhaustive()
    }
}

impl<V: Clone> TtlCache<V> {
    /// At most about `capacity` entries.
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_weighter(capacity, capacity as u64, UnitWeighter)
    }
}

impl<V: Clone, W: Weighter<Box<str>, Stamped<V>> + Clone> TtlCache<V, W> {
    /// At most `weight` in total, as `weighter` weighs entries; about
    /// `items` of them expected.
    pub(crate) fn with_weighter(items: usize, weight: u64, weighter: W) -> Self {
        let evictions = Evictions::default();
        let inner = Cache::with(
            items.max(1),
            weight.max(1),
            weighter,
            RandomState::new(),
            evictions.clone(),
        );
        Self { inner, evictions }
    }

    /// The value stored for `key` less than `ttl(value)` ago. A stale entry
    /// is removed.
    pub(crate) fn get(&self, key: &str, ttl: impl Fn(&V) -> Duration) -> Option<V> {
        let found = self.inner.get(key)?;
        if found.at.elapsed() < ttl(&found.value) {
            Some(found.value)
        } else {
            self.inner.remove(key);
            None
        }
    }

    pub(crate) fn insert(&self, key: &str, value: V) {
        let stamped = Stamped {
            at: Instant::now(),
            value,
        };
        self.inner.insert(key.into(), stamped);
    }

    /// Whether `key` was there.
    pub(crate) fn remove(&self, key: &str) -> bool {
        self.inner.remove(key).is_some()
    }

    pub(crate) fn len(&self) -> usize {
        self.inner.len()
    }

    pub(crate) fn weight(&self) -> u64 {
        self.inner.weight()
    }

    pub(crate) fn evictions(&self) -> u64 {
        self.evictions.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_expiring() {
        let cache = TtlCache::<u32>::new(100);
        for i in 0..10_000 {
            cache.insert(&format!("k{i}"), i);
        }
        assert!(cache.len() <= 110, "{}", cache.len());
        assert!(cache.evictions() >= 9_000, "{}", cache.evictions());
        cache.insert("fresh", 1);
        assert_eq!(cache.get("fresh", |_| Duration::from_secs(60)), Some(1));
        assert_eq!(cache.get("fresh", |_| Duration::ZERO), None);
        assert_eq!(
            cache.get("fresh", |_| Duration::from_secs(60)),
            None,
            "removed when stale"
        );
        cache.insert("gone", 2);
        assert!(cache.remove("gone"));
        assert!(!cache.remove("gone"));
    }
}

//! The JWKS key store: fetches a JSON Web Key Set over HTTP(S), caches it
//! whole, and answers "which key verifies this token?" without a lock on the
//! hot path. `fetch` does the bounded HTTP, `cache` the parsed set and the
//! negative cache, `discovery` OIDC discovery.
//!
#![doc = include_str!("policy.md")]

pub(crate) mod cache;
mod discovery;
pub(crate) mod fetch;
mod options;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwapOption;
use tokio::sync::{Notify, OwnedMutexGuard};

use self::cache::{KeySet, Lookup, NegativeCache, unknown_key};
use self::fetch::FetchError;
pub use options::JwksOptions;

use crate::config::check_url;
use crate::keys::verifying_key::VerifyingKey;
use crate::{Algorithm, AuthError, ConfigError};

/// No cache lifetime is shorter than this, whatever the settings say: a
/// zero lifetime would turn the refresh task into a busy loop.
const TTL_FLOOR: Duration = Duration::from_secs(1);
/// Live stores [`JwksStore::shared`] remembers at most.
const REGISTRY_CAP: usize = 1024;

/// A cached JSON Web Key Set, fetched from one URL.
///
/// [`UssoAuth`](crate::UssoAuth) creates one for a
/// [`jwks_url`](crate::JwtConfigBuilder::jwks_url) configuration (reach it
/// with [`UssoAuth::jwks_store`](crate::UssoAuth::jwks_store)); several
/// configurations can share one through [`JwksOptions::shared`] or
/// [`JwksStore::shared`]. It is always used behind an [`Arc`].
///
#[doc = include_str!("policy.md")]
///
/// # Example
///
/// ```no_run
/// # async fn demo() -> Result<(), usso::ConfigError> {
/// use usso::{JwtConfig, UssoAuth};
///
/// let auth = UssoAuth::new(
///     JwtConfig::builder()
///         .jwks_url("https://sso.example.com/.well-known/jwks.json")
///         .issuer("https://sso.example.com")
///         .audience("my-api")
///         .build()?,
/// )?;
/// let store = auth.jwks_store().expect("configured with a JWKS URL");
/// // Optional: load the keys at start-up rather than on the first request.
/// let keys = store.prefetch().await?;
/// println!("{keys} keys, {} fetches", store.stats().fetches);
/// # Ok(()) }
/// ```
pub struct JwksStore {
    url: String,
    options: JwksOptions,
    client: reqwest::Client,
    me: Weak<Self>,
    /// The origin of the millisecond timestamps below.
    epoch: Instant,
    /// The current key set. Read lock-free; written only by fetchers.
    keys: ArcSwapOption<KeySet>,
    /// Taken only by whoever fetches (single-flight), never by a lookup.
    fetch_lock: Arc<tokio::sync::Mutex<FetchState>>,
    /// A fetch is in flight.
    fetching: AtomicBool,
    /// Number of fetches started; a fetch's number is its id.
    started: AtomicU64,
    /// When the last refetch for an unknown `kid` happened (ms, 0 = never).
    last_miss_ms: AtomicU64,
    /// No refresh before this, after failures (ms, 0 = not failing).
    retry_at_ms: AtomicU64,
    negative: NegativeCache,
    refresher_running: AtomicBool,
    wake: Arc<Notify>,
    counters: Counters,
}

/// Bookkeeping of the fetchers, under the fetch lock.
#[derive(Debug)]
struct FetchState {
    /// Id of the last fetch that finished.
    done: u64,
    /// The outcome of that fetch.
    last: Result<usize, FetchError>,
    /// The wait after the next failure.
    backoff: Duration,
}

#[derive(Debug, Default)]
struct Counters {
    fetches: AtomicU64,
    fetch_failures: AtomicU64,
    cache_hits: AtomicU64,
    kid_misses: AtomicU64,
    miss_refetches: AtomicU64,
    stale_serves: AtomicU64,
    keys_loaded: AtomicUsize,
    /// Unix time of the last successful fetch, in ms (0 = never).
    last_success_ms: AtomicU64,
}

/// Counters of one [`JwksStore`], from [`JwksStore::stats`]. Counts are
/// since the store was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct JwksStats {
    /// HTTP fetches started (successful or not).
    pub fetches: u64,
    /// Fetches that failed: transport error, timeout, non-2xx status, body
    /// too large, not a JWKS, or no usable key in it.
    pub fetch_failures: u64,
    /// Keys answered from the cache without waiting.
    pub cache_hits: u64,
    /// Tokens whose `kid` was not in the cached set.
    pub kid_misses: u64,
    /// Fetches caused by an unknown `kid` (at most one per miss cooldown).
    pub miss_refetches: u64,
    /// Keys served from a set past its cache lifetime, because refreshing failed.
    pub stale_serves: u64,
    /// Usable keys in the last successfully fetched set (0 before the first).
    pub keys_loaded: usize,
    /// When the last successful fetch finished.
    pub last_success: Option<SystemTime>,
}

/// Why [`JwksStore::refresh_now`] failed. The previous keys, if any, are
/// still served as the cache policy allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not fetch the JWKS from {url}: {reason}")]
pub struct JwksError {
    url: String,
    reason: String,
    retry_after: Duration,
}

impl JwksError {
    /// What went wrong (never includes the response body).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// When the store will retry on its own.
    pub fn retry_after(&self) -> Duration {
        self.retry_after
    }
}

impl From<JwksError> for AuthError {
    fn from(e: JwksError) -> Self {
        Self::KeysUnavailable {
            retry_after: e.retry_after,
        }
    }
}

/// Why a fetch is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// No usable keys (first use, or past `max_stale`).
    NoKeys,
    /// A token named a `kid` the set does not hold.
    Miss,
    /// The background refresh.
    Scheduled,
    /// [`JwksStore::refresh_now`] / [`JwksStore::prefetch`].
    Manual,
}

/// What the current set says, before any fetch policy.
enum Current {
    Key(Arc<VerifyingKey>),
    Fail(AuthError),
    /// The `kid` is not in the set with this fetch id.
    Missing {
        set_id: u64,
    },
    NoKeys,
}

struct Entry {
    url: String,
    options: JwksOptions,
    store: Weak<JwksStore>,
}

static REGISTRY: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

impl JwksStore {
    /// Creates the store for `url` (checked by the config builder). Nothing
    /// is fetched yet. With [`JwksOptions::shared`], returns the process-wide
    /// store for this URL and options instead.
    pub(crate) fn new(
        url: String,
        options: &JwksOptions,
        client: Option<reqwest::Client>,
    ) -> Result<Arc<Self>, ConfigError> {
        if options.shared {
            return Self::shared(url, options, client);
        }
        Self::create(url, options, client)
    }

    fn create(
        url: String,
        options: &JwksOptions,
        client: Option<reqwest::Client>,
    ) -> Result<Arc<Self>, ConfigError> {
        let client = match client {
            Some(client) => client,
            None => fetch::default_client(options).map_err(|e| ConfigError::KeysUnavailable {
                reason: format!("cannot build the JWKS HTTP client: {e}"),
            })?,
        };
        Ok(Arc::new_cyclic(|me| Self {
            url,
            options: options.clone(),
            client,
            me: me.clone(),
            epoch: Instant::now(),
            keys: ArcSwapOption::empty(),
            fetch_lock: Arc::new(tokio::sync::Mutex::new(FetchState {
                done: 0,
                last: Ok(0),
                backoff: options.retry_initial,
            })),
            fetching: AtomicBool::new(false),
            started: AtomicU64::new(0),
            last_miss_ms: AtomicU64::new(0),
            retry_at_ms: AtomicU64::new(0),
            negative: NegativeCache::default(),
            refresher_running: AtomicBool::new(false),
            wake: Arc::new(Notify::new()),
            counters: Counters::default(),
        }))
    }

    /// A store already holding the keys of `document`, parsed exactly as a
    /// fetched body is, as if fetched from `url` just now. Nothing is
    /// fetched here; the sync verification path never fetches. For the fuzz
    /// targets, through `usso::__private::jwks_auth`.
    pub(crate) fn preloaded(
        url: String,
        options: &JwksOptions,
        client: Option<reqwest::Client>,
        document: &[u8],
    ) -> Result<Arc<Self>, String> {
        let store = Self::create(url, options, client).map_err(|e| e.to_string())?;
        let ttl = store.ttl(None);
        let set = KeySet::parse(
            document,
            &store.url,
            options.max_keys,
            1,
            Instant::now(),
            ttl,
            options.max_stale,
        )
        .map_err(|e| e.to_string())?;
        store.started.store(1, Ordering::Release);
        store
            .counters
            .keys_loaded
            .store(set.len(), Ordering::Relaxed);
        store.keys.store(Some(Arc::new(set)));
        Ok(store)
    }

    /// The process-wide store for `url`: every caller with the same URL and
    /// equal `options` (apart from [`JwksOptions::shared`]) gets the same store, so a multi-tenant service whose
    /// tenants trust one issuer caches (and fetches) its keys once.
    ///
    /// The registry holds weak references: a store lives while someone uses
    /// it, and a later call creates a fresh one. `client` is used only when a
    /// new store is created; a store already registered keeps its own. Set
    /// [`JwksOptions::shared`] to have [`UssoAuth::new`](crate::UssoAuth::new)
    /// do this for you.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use usso::{JwksOptions, JwksStore};
    ///
    /// let url = "https://sso.example.com/.well-known/jwks.json";
    /// let a = JwksStore::shared(url, &JwksOptions::default(), None)?;
    /// let b = JwksStore::shared(url, &JwksOptions::default(), None)?;
    /// assert!(Arc::ptr_eq(&a, &b));
    /// # Ok::<(), usso::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::InvalidUrl`] or [`ConfigError::InvalidSetting`] for a bad
    /// URL or options; [`ConfigError::KeysUnavailable`] if the HTTP client
    /// can't be built.
    pub fn shared(
        url: impl Into<String>,
        options: &JwksOptions,
        client: Option<reqwest::Client>,
    ) -> Result<Arc<Self>, ConfigError> {
        let url = url.into();
        check_url("jwks_url", &url)?;
        options.validate()?;
        // The `shared` flag itself is not part of the identity.
        let options = options.clone().shared(true);
        let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        registry.retain(|e| e.store.strong_count() > 0);
        if let Some(store) = registry
            .iter()
            .filter(|e| e.url == url && e.options == options)
            .find_map(|e| e.store.upgrade())
        {
            return Ok(store);
        }
        let store = Self::create(url.clone(), &options, client)?;
        if registry.len() < REGISTRY_CAP {
            registry.push(Entry {
                url,
                options,
                store: Arc::downgrade(&store),
            });
        }
        Ok(store)
    }

    /// The JWKS URL, exactly as configured (and exactly as requested).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A snapshot of the store's counters.
    pub fn stats(&self) -> JwksStats {
        let c = &self.counters;
        let last_ms = c.last_success_ms.load(Ordering::Relaxed);
        JwksStats {
            fetches: c.fetches.load(Ordering::Relaxed),
            fetch_failures: c.fetch_failures.load(Ordering::Relaxed),
            cache_hits: c.cache_hits.load(Ordering::Relaxed),
            kid_misses: c.kid_misses.load(Ordering::Relaxed),
            miss_refetches: c.miss_refetches.load(Ordering::Relaxed),
            stale_serves: c.stale_serves.load(Ordering::Relaxed),
            keys_loaded: c.keys_loaded.load(Ordering::Relaxed),
            last_success: (last_ms != 0).then(|| UNIX_EPOCH + Duration::from_millis(last_ms)),
        }
    }

    /// Fetches the set now, whatever the cache lifetime and back-off say
    /// (for an operator, or after an out-of-band key rotation). If another
    /// fetch starts and finishes while this call waits for its turn, that
    /// fetch's outcome is returned instead of fetching twice.
    ///
    /// # Errors
    /// [`JwksError`] when the fetch fails; cached keys stay in use as the
    /// cache policy allows.
    pub async fn refresh_now(&self) -> Result<(), JwksError> {
        self.ensure_refresher();
        let seen = self.started.load(Ordering::Acquire);
        let guard = Arc::clone(&self.fetch_lock).lock_owned().await;
        let outcome = if guard.done > seen {
            guard.last.clone()
        } else {
            match self.lead(guard, Reason::Manual).await {
                Some(outcome) => outcome,
                None => Err(FetchError::Transport("the fetch task was cancelled".into())),
            }
        };
        outcome.map(drop).map_err(|e| JwksError {
            url: self.url.clone(),
            reason: e.to_string(),
            retry_after: self.retry_after(Instant::now()),
        })
    }

    /// Loads the keys unless a fresh set is already cached, and returns how
    /// many usable keys the set holds. Call it at start-up to warm the cache;
    /// whether a failure should stop the service is the caller's choice (the
    /// store keeps retrying on first use either way).
    ///
    /// # Errors
    /// [`ConfigError::KeysUnavailable`] naming why the fetch failed.
    pub async fn prefetch(&self) -> Result<usize, ConfigError> {
        self.ensure_refresher();
        if let Some(set) = self.keys.load().as_ref()
            && Instant::now() < set.expires_at
        {
            return Ok(set.len());
        }
        self.refresh_now()
            .await
            .map_err(|e| ConfigError::KeysUnavailable {
                reason: e.to_string(),
            })?;
        Ok(self.counters.keys_loaded.load(Ordering::Relaxed))
    }

    /// The hot path: the key for `kid`/`alg` if it can be had without
    /// waiting. No lock a fetch can hold, no allocation beyond an `Arc`
    /// clone on success. `None` means "call [`get`](Self::get)".
    pub(crate) fn cached(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Option<Result<Arc<VerifyingKey>, AuthError>> {
        self.ensure_refresher();
        let now = Instant::now();
        match self.current(kid, alg, now) {
            Current::Key(key) => {
                self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                Some(Ok(key))
            }
            Current::Fail(e) => Some(Err(e)),
            // While refreshes back off, a request without keys has nothing
            // to wait for: answer now instead of queueing on the fetch lock.
            Current::NoKeys if self.backing_off(now) && !self.fetching.load(Ordering::Acquire) => {
                Some(Err(self.unavailable(now)))
            }
            Current::NoKeys => None,
            Current::Missing { set_id } => {
                let kid = kid.unwrap_or_default();
                self.counters.kid_misses.fetch_add(1, Ordering::Relaxed);
                crate::metrics::jwks_kid_miss();
                tracing::debug!(
                    jwks_url = %self.url,
                    kid = %cache::shown_kid(kid).escape_debug(),
                    "token kid is not in the cached JWKS"
                );
                if self.is_negative(set_id, kid)
                    || !(self.fetching.load(Ordering::Acquire) || self.miss_budget(now))
                {
                    Some(Err(unknown_key(kid)))
                } else {
                    None
                }
            }
        }
    }

    /// The key for `kid`/`alg`, fetching if the policy allows. Concurrent
    /// callers share one fetch.
    pub(crate) async fn get(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<VerifyingKey>, AuthError> {
        self.ensure_refresher();
        let seen = self.started.load(Ordering::Acquire);
        match self.current(kid, alg, Instant::now()) {
            Current::Key(key) => return Ok(key),
            Current::Fail(e) => return Err(e),
            Current::Missing { .. } | Current::NoKeys => {}
        }
        let guard = Arc::clone(&self.fetch_lock).lock_owned().await;
        let now = Instant::now();
        // A fetch that started after we first looked has finished while we
        // waited: its answer is ours, and we must not fetch again.
        let answered = guard.done > seen;
        let reason = match self.current(kid, alg, now) {
            Current::Key(key) => return Ok(key),
            Current::Fail(e) => return Err(e),
            Current::Missing { set_id } => {
                let kid = kid.unwrap_or_default();
                if answered {
                    return Err(self.confirmed_unknown(kid, set_id, seen));
                }
                if self.is_negative(set_id, kid) || !self.miss_budget(now) {
                    return Err(unknown_key(kid));
                }
                self.last_miss_ms.store(self.ms(now), Ordering::Release);
                Reason::Miss
            }
            Current::NoKeys => {
                if answered || self.backing_off(now) {
                    return Err(self.unavailable(now));
                }
                Reason::NoKeys
            }
        };
        self.lead(guard, reason).await;
        match self.current(kid, alg, Instant::now()) {
            Current::Key(key) => Ok(key),
            Current::Fail(e) => Err(e),
            Current::Missing { set_id } => {
                Err(self.confirmed_unknown(kid.unwrap_or_default(), set_id, seen))
            }
            Current::NoKeys => Err(self.unavailable(Instant::now())),
        }
    }

    /// Looks the token's key up in the current set.
    fn current(&self, kid: Option<&str>, alg: Algorithm, now: Instant) -> Current {
        let guard = self.keys.load();
        let Some(set) = guard.as_ref().filter(|set| now < set.usable_until) else {
            return Current::NoKeys;
        };
        match set.lookup(kid, alg, now) {
            Lookup::Found { key, stale } => {
                if stale {
                    self.counters.stale_serves.fetch_add(1, Ordering::Relaxed);
                    crate::metrics::jwks_stale_serve();
                }
                Current::Key(key)
            }
            Lookup::Refused(e) => Current::Fail(e),
            Lookup::Missing => Current::Missing { set_id: set.id },
        }
    }

    /// The answer for a `kid` still missing after a fetch. When the set was
    /// fetched after the request arrived (`set_id > seen`), the `kid` is
    /// proven unknown and remembered until the next successful fetch.
    fn confirmed_unknown(&self, kid: &str, set_id: u64, seen: u64) -> AuthError {
        if set_id > seen {
            self.negative.insert(set_id, kid);
        }
        unknown_key(kid)
    }

    fn is_negative(&self, set_id: u64, kid: &str) -> bool {
        self.negative
            .contains(set_id, kid, self.options.miss_cooldown)
    }

    /// Whether an unknown `kid` may cause a refetch now. This budget is
    /// separate from the refresh schedule and its back-off, so a flood of
    /// bogus `kid`s costs at most one fetch per cooldown and never delays
    /// the scheduled refresh.
    fn miss_budget(&self, now: Instant) -> bool {
        match self.at(self.last_miss_ms.load(Ordering::Acquire)) {
            None => true,
            Some(last) => last
                .checked_add(self.options.miss_cooldown)
                .is_some_and(|next| now >= next),
        }
    }

    fn backing_off(&self, now: Instant) -> bool {
        self.at(self.retry_at_ms.load(Ordering::Acquire))
            .is_some_and(|retry_at| now < retry_at)
    }

    /// `retry_after` for a 503: until the next retry, at least one second.
    fn retry_after(&self, now: Instant) -> Duration {
        let left = self
            .at(self.retry_at_ms.load(Ordering::Acquire))
            .map_or(Duration::ZERO, |t| t.saturating_duration_since(now));
        Duration::from_secs(left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(TTL_FLOOR)
    }

    fn unavailable(&self, now: Instant) -> AuthError {
        AuthError::KeysUnavailable {
            retry_after: self.retry_after(now),
        }
    }

    /// Milliseconds since `epoch`, rounded up (so a stored time is never
    /// earlier than the real one), plus one so that 0 can mean "never".
    fn ms(&self, t: Instant) -> u64 {
        let d = t.saturating_duration_since(self.epoch);
        let ms = d.as_millis() + u128::from(!d.subsec_nanos().is_multiple_of(1_000_000));
        u64::try_from(ms).unwrap_or(u64::MAX - 1).saturating_add(1)
    }

    fn at(&self, ms: u64) -> Option<Instant> {
        (ms != 0).then(|| self.epoch + Duration::from_millis(ms - 1))
    }

    /// Fetches while holding the fetch lock, in a task of its own: if the
    /// request that started it goes away, the fetch still completes for
    /// everyone waiting. Returns the outcome, or `None` if the task died.
    async fn lead(
        &self,
        guard: OwnedMutexGuard<FetchState>,
        reason: Reason,
    ) -> Option<Result<usize, FetchError>> {
        let me = self.me.upgrade()?;
        let task = async move {
            let mut guard = guard;
            me.fetch_locked(&mut guard, reason).await;
            guard.last.clone()
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle.spawn(task).await.ok(),
            Err(_) => Some(task.await),
        }
    }

    /// One fetch; the caller holds the fetch lock.
    async fn fetch_locked(&self, state: &mut FetchState, reason: Reason) {
        let id = self.started.fetch_add(1, Ordering::AcqRel) + 1;
        let _in_flight = Flag::raise(&self.fetching);
        self.counters.fetches.fetch_add(1, Ordering::Relaxed);
        crate::metrics::jwks_fetch();
        if reason == Reason::Miss {
            self.counters.miss_refetches.fetch_add(1, Ordering::Relaxed);
        }
        let result = fetch::get(&self.client, &self.url, &self.options)
            .await
            .and_then(|fetched| {
                let ttl = self.ttl(fetched.max_age);
                KeySet::parse(
                    &fetched.body,
                    &self.url,
                    self.options.max_keys,
                    id,
                    Instant::now(),
                    ttl,
                    self.options.max_stale,
                )
                .map(|set| (set, ttl))
            });
        let now = Instant::now();
        state.last = match result {
            Ok((set, ttl)) => {
                let keys = set.len();
                self.keys.store(Some(Arc::new(set)));
                state.backoff = self.options.retry_initial;
                self.retry_at_ms.store(0, Ordering::Release);
                self.counters.keys_loaded.store(keys, Ordering::Relaxed);
                let unix_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(1, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                self.counters
                    .last_success_ms
                    .store(unix_ms.max(1), Ordering::Relaxed);
                tracing::debug!(jwks_url = %self.url, keys, ?ttl, ?reason, "JWKS fetched");
                Ok(keys)
            }
            Err(error) => {
                self.counters.fetch_failures.fetch_add(1, Ordering::Relaxed);
                crate::metrics::jwks_fetch_failure(&error);
                let wait = state.backoff;
                state.backoff = wait.saturating_mul(2).min(self.options.retry_max);
                let retry_at = now.checked_add(wait).unwrap_or(now);
                self.retry_at_ms.store(self.ms(retry_at), Ordering::Release);
                let serving = match self.keys.load().as_ref() {
                    Some(set) if now < set.usable_until => "serving the cached keys",
                    _ => "no usable keys",
                };
                tracing::warn!(
                    jwks_url = %self.url,
                    %error,
                    retry_in = ?wait,
                    ?reason,
                    "JWKS fetch failed; {serving}"
                );
                Err(error)
            }
        };
        state.done = id;
        self.wake.notify_one();
    }

    /// The cache lifetime for a response that asked for `asked`.
    fn ttl(&self, asked: Option<Duration>) -> Duration {
        asked
            .unwrap_or(self.options.default_ttl)
            .max(self.options.min_ttl)
            .min(self.options.max_ttl)
            .max(TTL_FLOOR)
    }

    /// Starts the background refresh task, once, if a tokio runtime is here.
    fn ensure_refresher(&self) {
        if self.refresher_running.load(Ordering::Acquire) {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.refresher_running.swap(true, Ordering::AcqRel) {
            return;
        }
        handle.spawn(refresh_loop(Refresher {
            store: self.me.clone(),
        }));
    }

    /// When the refresh task should next look: the retry time while
    /// failing, else the set's refresh time; `None` before the first fetch.
    fn next_wake(&self) -> Option<Instant> {
        self.at(self.retry_at_ms.load(Ordering::Acquire))
            .or_else(|| self.keys.load().as_ref().map(|set| set.refresh_at))
    }

    async fn scheduled_refresh(&self) {
        let mut guard = Arc::clone(&self.fetch_lock).lock_owned().await;
        let now = Instant::now();
        let failing = self.retry_at_ms.load(Ordering::Acquire) != 0;
        let due = if failing {
            !self.backing_off(now)
        } else {
            self.keys
                .load()
                .as_ref()
                .is_some_and(|set| now >= set.refresh_at)
        };
        if due {
            self.fetch_locked(&mut guard, Reason::Scheduled).await;
        }
    }
}

/// The background refresh task's handle on its store. Dropping it (the
/// task ended, or its runtime shut down) lets the next use start a new task.
struct Refresher {
    store: Weak<JwksStore>,
}

impl Drop for Refresher {
    fn drop(&mut self) {
        if let Some(store) = self.store.upgrade() {
            store.refresher_running.store(false, Ordering::Release);
        }
    }
}

async fn refresh_loop(refresher: Refresher) {
    loop {
        let (wake_at, notify) = {
            let Some(store) = refresher.store.upgrade() else {
                return;
            };
            (store.next_wake(), Arc::clone(&store.wake))
        };
        let notified = notify.notified();
        match wake_at {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at.into()) => {}
                    () = notified => continue,
                }
            }
            None => {
                notified.await;
                continue;
            }
        }
        let Some(store) = refresher.store.upgrade() else {
            return;
        };
        store.scheduled_refresh().await;
    }
}

/// Raises a flag for its own lifetime (also when a fetch is cancelled).
struct Flag<'a>(&'a AtomicBool);

impl<'a> Flag<'a> {
    fn raise(flag: &'a AtomicBool) -> Self {
        flag.store(true, Ordering::Release);
        Self(flag)
    }
}

impl Drop for Flag<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Drop for JwksStore {
    fn drop(&mut self) {
        // Wake the refresh task so it sees the store is gone and ends.
        self.wake.notify_one();
    }
}

impl fmt::Debug for JwksStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksStore")
            .field("url", &self.url)
            .field("options", &self.options)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

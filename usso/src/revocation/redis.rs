//! The fleet-wide revocation list, kept in Redis.
//!
//! * A revocation is written to Redis as a key with a TTL (the rule's end),
//!   and announced on a pub/sub channel, in one Lua script so the two can't
//!   part. The key keeps the later of two ends, as the local maps do.
//! * Every replica holds a subscription and applies what it hears to its
//!   own maps. After subscribing (at start, and after every reconnect) it
//!   loads every key, so nothing published while it was away is lost.
//! * A write that fails still holds in the process that made it, and is
//!   queued (bounded) to be written once Redis is back.
//! * Out of touch with Redis, a replica serves with the set it has and
//!   retries with back-off. Past [`RedisRevocations::fail_closed_after`],
//!   if chosen, verifications answer 503 until it is back in sync.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::memory::Store;
use super::rule::{Kind, Rule};
use super::{RevocationError, RevocationOptions, Revocations};
use crate::untrusted::Untrusted;
use crate::{ConfigError, NumericDate};

/// Writes one rule: keeps the later end, sets the TTL, announces it.
const WRITE: &str = r"
local current = tonumber(redis.call('GET', KEYS[1]) or '')
if current == nil or current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
";

/// Keys read per `SCAN`/`MGET` round trip when loading the set.
const LOAD_BATCH: usize = 1000;
/// Writes that wait for Redis to come back, at most.
const MAX_PENDING: usize = 10_000;
/// A pub/sub message longer than this is not a usso revocation.
const MAX_MESSAGE: usize = 512;

/// Connects a [`Revocations`] set to Redis, so that every replica of a
/// service refuses what any one of them revoked (feature `redis`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use usso::{JwtConfig, Revocations, UssoAuth};
///
/// // Loads the current set before returning: serve only after this.
/// let revocations = Revocations::redis("redis://127.0.0.1:6379/")
///     .fail_closed_after(Duration::from_secs(300)) // default: fail open
///     .connect()
///     .await?;
/// let config = JwtConfig::builder()
///     .jwks_url("https://sso.example.com/.well-known/jwks.json")
///     .issuer("https://sso.example.com")
///     .audience("my-api")
///     .revocations(revocations)
///     .build()?;
/// let auth = UssoAuth::new(config)?;
/// // On any replica: every replica refuses this session within a moment.
/// auth.revocations().revoke_session("s-42", None).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "call `connect().await`"]
pub struct RedisRevocations {
    url: String,
    namespace: String,
    options: RevocationOptions,
    fail_closed_after: Option<Duration>,
    connect_timeout: Duration,
    health_check: Duration,
    retry: (Duration, Duration),
}

impl fmt::Debug for RedisRevocations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password.
        f.debug_struct("RedisRevocations")
            .field("namespace", &self.namespace)
            .field("options", &self.options)
            .field("fail_closed_after", &self.fail_closed_after)
            .finish_non_exhaustive()
    }
}

impl Revocations {
    /// A revocation set shared through the Redis server at `url`
    /// (`redis://[:password@]host:port/db`); see [`RedisRevocations`].
    pub fn redis(url: impl Into<String>) -> RedisRevocations {
        RedisRevocations {
            url: url.into(),
            namespace: "usso:revocations".into(),
            options: RevocationOptions::default(),
            fail_closed_after: None,
            connect_timeout: Duration::from_secs(5),
            health_check: Duration::from_secs(1),
            retry: (Duration::from_millis(100), Duration::from_secs(5)),
        }
    }

    /// How this set is keeping up with Redis, or `None` for a set of one
    /// process. For a readiness probe.
    pub fn sync(&self) -> Option<RevocationSync> {
        self.link.as_ref().map(|link| link.state.snapshot())
    }
}

impl RedisRevocations {
    /// The prefix of every key and of the channel (`<namespace>:events`).
    /// Services that must not share revocations use different namespaces.
    /// Letters, digits and `:_.-` only. Defaults to `usso:revocations`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Bounds of the local maps (see [`RevocationOptions`]). Replicas of
    /// one fleet should agree on `max_token_lifetime` and `leeway`.
    pub fn options(mut self, options: RevocationOptions) -> Self {
        self.options = options;
        self
    }

    /// Fail closed: once this replica has been out of touch with Redis for
    /// `after`, every verification answers 503
    /// [`RevocationsUnavailable`](crate::AuthError::RevocationsUnavailable)
    /// until it is back in sync. By default a replica fails open: it keeps
    /// serving with the set it has, logging at warn.
    pub fn fail_closed_after(mut self, after: Duration) -> Self {
        self.fail_closed_after = Some(after);
        self
    }

    /// How long [`connect`](Self::connect) and each reconnection may take.
    /// Defaults to 5 seconds.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How often the subscription is pinged, so that a silent connection
    /// is noticed. Defaults to 1 second.
    pub fn health_check_interval(mut self, interval: Duration) -> Self {
        self.health_check = interval;
        self
    }

    /// The back-off between reconnections: from `min`, doubling, to `max`.
    /// Defaults to 100 ms and 5 s.
    pub fn retry_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.retry = (min, max.max(min));
        self
    }

    fn check(&self) -> Result<redis::Client, ConfigError> {
        let invalid = |setting, reason: &str| ConfigError::InvalidSetting {
            setting,
            reason: reason.into(),
        };
        let ns = &self.namespace;
        if ns.is_empty()
            || ns.len() > 128
            || !ns
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b":_.-".contains(&b))
        {
            // Also keeps `SCAN MATCH <namespace>:*` free of glob characters.
            return Err(invalid(
                "namespace",
                "use 1 to 128 letters, digits and `:_.-`",
            ));
        }
        let positive = |setting, d: Duration| {
            if d.is_zero() {
                Err(invalid(setting, "must be more than zero"))
            } else {
                Ok(())
            }
        };
        positive("connect_timeout", self.connect_timeout)?;
        positive("health_check_interval", self.health_check)?;
        positive("retry_backoff", self.retry.0)?;
        if let Some(after) = self.fail_closed_after {
            positive("fail_closed_after", after)?;
        }
        let scheme_ok = ["redis://", "rediss://", "unix://", "redis+unix://"]
            .iter()
            .any(|s| {
                self.url
                    .get(..s.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(s))
            });
        if !scheme_ok {
            return Err(ConfigError::InvalidUrl {
                setting: "redis_url",
                reason: "expected redis://host:port/db".into(),
            });
        }
        redis::Client::open(self.url.as_str()).map_err(|e| ConfigError::InvalidUrl {
            setting: "redis_url",
            reason: e.to_string(),
        })
    }

    /// Connects, subscribes, and loads the current set, then keeps it in
    /// sync in a background task (which ends with the last clone of the
    /// returned set). Returns only once the set is loaded, so a replica
    /// that awaits this before serving never misses an earlier revocation.
    ///
    /// # Errors
    /// [`ConfigError::InvalidUrl`] (`redis_url`) or
    /// [`ConfigError::InvalidSetting`] for a bad setting;
    /// [`ConfigError::RevocationsUnavailable`] if Redis can't be reached
    /// and read within [`connect_timeout`](Self::connect_timeout).
    pub async fn connect(self) -> Result<Revocations, ConfigError> {
        let client = self.check()?;
        let unavailable = |reason: String| ConfigError::RevocationsUnavailable { reason };
        let writer = Writer::connect(&client, &self.namespace, self.connect_timeout)
            .await
            .map_err(unavailable)?;
        let store = Arc::new(Store::new(self.options));
        let state = Arc::new(State::default());
        let (synced_tx, mut synced_rx) = watch::channel(false);
        let follower = Follower {
            client,
            writer: writer.clone(),
            store: Arc::clone(&store),
            state: Arc::clone(&state),
            settings: self.clone(),
            synced: synced_tx,
        };
        let task = tokio::spawn(follower.run());
        let first = tokio::time::timeout(self.connect_timeout, synced_rx.wait_for(|s| *s)).await;
        if !matches!(first, Ok(Ok(_))) {
            task.abort();
            let reason = state.last_error().unwrap_or_else(|| "timed out".into());
            return Err(unavailable(reason));
        }
        Ok(Revocations {
            store,
            link: Some(Arc::new(Link {
                writer,
                state,
                fail_closed_after: self.fail_closed_after,
                retry_after: self.retry.1.max(Duration::from_secs(1)),
                task,
            })),
        })
    }
}

/// How a Redis-backed [`Revocations`] set is keeping up (see
/// [`Revocations::sync`]).
///
/// ```
/// let set = usso::Revocations::default();
/// assert!(set.sync().is_none(), "one process: nothing to sync");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationSync {
    /// Subscribed and loaded right now.
    pub connected: bool,
    /// When it was last known to be in sync.
    pub last_sync: NumericDate,
    /// Writes waiting for Redis to come back.
    pub pending: usize,
    /// Verifications are being refused (fail-closed, out of sync too long).
    pub refusing: bool,
}

/// A rule that could not be written, kept for when Redis is back.
#[derive(Debug)]
struct Pending {
    kind: Kind,
    id: Box<str>,
    at: NumericDate,
    end: NumericDate,
}

#[derive(Debug, Default)]
struct State {
    connected: AtomicBool,
    refusing: AtomicBool,
    last_sync: AtomicI64,
    pending: Mutex<VecDeque<Pending>>,
    last_error: Mutex<Option<String>>,
}

impl State {
    fn snapshot(&self) -> RevocationSync {
        RevocationSync {
            connected: self.connected.load(Ordering::Acquire),
            last_sync: NumericDate::from_millis(self.last_sync.load(Ordering::Acquire)),
            pending: self
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len(),
            refusing: self.refusing.load(Ordering::Acquire),
        }
    }

    fn synced(&self) {
        self.last_sync
            .store(NumericDate::now().as_millis(), Ordering::Release);
    }

    fn set_error(&self, reason: String) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(reason);
    }

    fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// What a connected [`Revocations`] set holds on to.
pub(crate) struct Link {
    writer: Writer,
    state: Arc<State>,
    fail_closed_after: Option<Duration>,
    retry_after: Duration,
    task: JoinHandle<()>,
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("state", &self.state.snapshot())
            .finish_non_exhaustive()
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Link {
    /// `Some(retry_after)` while verifications must be refused.
    pub(crate) fn refusing(&self) -> Option<Duration> {
        // One relaxed load on the hot path: the sync task sets the flag.
        if self.fail_closed_after.is_some() && self.state.refusing.load(Ordering::Relaxed) {
            Some(self.retry_after)
        } else {
            None
        }
    }

    /// Writes `rule` (held here already, until `end`) to Redis, or queues it.
    pub(crate) async fn share(
        &self,
        rule: &Rule<'_>,
        end: NumericDate,
        now: NumericDate,
    ) -> Result<(), RevocationError> {
        let Err(reason) = self.writer.write(rule, end, now).await else {
            return Ok(());
        };
        tracing::warn!(
            kind = rule.kind.tag(),
            error = %reason,
            "usso: a revocation holds in this process only until Redis is back"
        );
        let mut pending = self
            .state
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let queued = pending.len() < MAX_PENDING;
        if queued {
            pending.push_back(Pending {
                kind: rule.kind,
                id: rule.id.into(),
                at: rule.at,
                end,
            });
        }
        Err(RevocationError::NotShared { reason, queued })
    }
}

/// The command connection: writes and loads.
#[derive(Clone)]
pub(crate) struct Writer {
    conn: ConnectionManager,
    script: Arc<redis::Script>,
    namespace: Arc<str>,
    channel: Arc<str>,
    timeout: Duration,
}

async fn bounded<T>(
    timeout: Duration,
    op: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, op).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {timeout:?}")),
    }
}

impl Writer {
    /// A connection to the server of `client`, for keys under `namespace`.
    pub(crate) async fn connect(
        client: &redis::Client,
        namespace: &str,
        timeout: Duration,
    ) -> Result<Self, String> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(1));
        let conn = bounded(timeout, client.get_connection_manager_with_config(config)).await?;
        Ok(Self {
            conn,
            script: Arc::new(redis::Script::new(WRITE)),
            namespace: namespace.into(),
            channel: format!("{namespace}:events").into(),
            timeout,
        })
    }

    /// Writes `rule`, which ends at `end`, and announces it.
    pub(crate) async fn write(
        &self,
        rule: &Rule<'_>,
        end: NumericDate,
        now: NumericDate,
    ) -> Result<(), String> {
        let ttl = end.as_millis().saturating_sub(now.as_millis()).max(1);
        let mut conn = self.conn.clone();
        let mut call = self.script.key(rule.key(&self.namespace));
        call.arg(rule.at.as_millis())
            .arg(ttl)
            .arg(&*self.channel)
            .arg(rule.encode());
        bounded(self.timeout, call.invoke_async::<i64>(&mut conn))
            .await
            .map(drop)
    }

    /// Every rule in Redis, applied to `store`. Returns how many were read.
    async fn load(&self, store: &Store) -> Result<usize, String> {
        let mut conn = self.conn.clone();
        let pattern = format!("{}:*", self.namespace);
        let (mut cursor, mut read) = (0_u64, 0_usize);
        // More keys than the store can hold is a misconfiguration; the
        // bound keeps a hostile server from looping us forever.
        let most = store.max_entries().saturating_add(LOAD_BATCH * 10);
        loop {
            let (next, keys): (u64, Vec<Vec<u8>>) = bounded(
                self.timeout,
                redis::cmd("SCAN")
                    .cursor_arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(LOAD_BATCH)
                    .query_async(&mut conn),
            )
            .await?;
            if !keys.is_empty() {
                let values: Vec<Option<Vec<u8>>> = bounded(
                    self.timeout,
                    redis::cmd("MGET").arg(&keys).query_async(&mut conn),
                )
                .await?;
                let now = NumericDate::now();
                for (key, value) in keys.iter().zip(values) {
                    // Expired between SCAN and MGET: nothing to refuse.
                    let Some(value) = value else { continue };
                    apply_from_key(store, &self.namespace, key, &value, now);
                }
                read += keys.len();
            }
            if next == 0 {
                return Ok(read);
            }
            if read > most {
                return Err(format!("more than {most} keys under `{}`", self.namespace));
            }
            cursor = next;
        }
    }
}

fn apply_from_key(store: &Store, namespace: &str, key: &[u8], value: &[u8], now: NumericDate) {
    match Rule::from_key(namespace, key, value) {
        Ok(rule) => apply(store, &rule, now),
        Err(why) => tracing::warn!(
            key = %Untrusted(&String::from_utf8_lossy(&key[..key.len().min(300)])),
            "usso: ignored a Redis key that is not a revocation: {why}"
        ),
    }
}

fn apply(store: &Store, rule: &Rule<'_>, now: NumericDate) {
    if let Err(e) = store.apply(rule, now) {
        tracing::error!(
            kind = rule.kind.tag(),
            "usso: a revocation from Redis could not be held: {e}"
        );
    }
}

/// The background task of one connected set.
struct Follower {
    client: redis::Client,
    writer: Writer,
    store: Arc<Store>,
    state: Arc<State>,
    settings: RedisRevocations,
    synced: watch::Sender<bool>,
}

impl Follower {
    async fn run(self) {
        let (min, max) = self.settings.retry;
        let mut backoff = min;
        loop {
            let reason = self.session().await;
            let was_connected = self.state.connected.swap(false, Ordering::AcqRel);
            if was_connected {
                backoff = min;
            }
            tracing::warn!(
                error = %reason,
                "usso: out of touch with Redis; serving with the revocations held, retrying in {backoff:?}"
            );
            self.state.set_error(reason);
            self.wait(backoff).await;
            backoff = (backoff * 2).min(max);
        }
    }

    /// Sleeps for `backoff`, turning fail-closed on when its bound passes.
    async fn wait(&self, backoff: Duration) {
        let Some(bound) = self.settings.fail_closed_after else {
            tokio::time::sleep(backoff).await;
            return;
        };
        let since = NumericDate::now().as_millis() - self.state.last_sync.load(Ordering::Acquire);
        let left = bound.saturating_sub(Duration::from_millis(since.max(0).unsigned_abs()));
        if left < backoff {
            tokio::time::sleep(left).await;
            if !self.state.refusing.swap(true, Ordering::AcqRel) {
                tracing::error!(
                    "usso: out of sync with Redis for {bound:?}: refusing every token (fail-closed)"
                );
            }
            tokio::time::sleep(backoff - left).await;
        } else {
            tokio::time::sleep(backoff).await;
        }
    }

    /// One connection: subscribe, load, flush, then follow the channel.
    /// Returns why it ended.
    async fn session(&self) -> String {
        let timeout = self.settings.connect_timeout;
        let pubsub = match bounded(timeout, self.client.get_async_pubsub()).await {
            Ok(p) => p,
            Err(e) => return e,
        };
        let (mut sink, mut stream) = pubsub.split();
        // Subscribe before loading: what is published meanwhile waits in
        // the stream, so nothing falls between the two.
        if let Err(e) = bounded(timeout, sink.subscribe(&*self.writer.channel)).await {
            return e;
        }
        match self.writer.load(&self.store).await {
            Ok(n) => tracing::info!("usso: revocations loaded from Redis ({n} keys)"),
            Err(e) => return e,
        }
        if let Err(e) = self.flush().await {
            return e;
        }
        self.state.synced();
        self.state.connected.store(true, Ordering::Release);
        if self.state.refusing.swap(false, Ordering::AcqRel) {
            tracing::warn!("usso: back in sync with Redis: serving again");
        }
        self.synced.send_replace(true);
        let mut ping = tokio::time::interval(self.settings.health_check);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                msg = stream.next() => match msg {
                    Some(msg) => self.receive(msg.get_payload_bytes()),
                    None => return "the subscription was closed".into(),
                },
                _ = ping.tick() => {
                    if let Err(e) = bounded(timeout, sink.ping::<redis::Value>()).await {
                        return e;
                    }
                    self.state.synced();
                    // Rules heard here end on their own even when this
                    // replica revokes nothing itself.
                    self.store.maybe_purge(NumericDate::now());
                }
            }
        }
    }

    fn receive(&self, payload: &[u8]) {
        if payload.len() > MAX_MESSAGE {
            tracing::warn!(
                bytes = payload.len(),
                "usso: ignored an oversized message on the revocation channel"
            );
            return;
        }
        match Rule::decode(payload) {
            Ok(rule) => apply(&self.store, &rule, NumericDate::now()),
            Err(why) => tracing::warn!(
                message = %Untrusted(&String::from_utf8_lossy(payload)),
                "usso: ignored a message on the revocation channel: {why}"
            ),
        }
    }

    /// Writes the revocations made while Redis was away.
    async fn flush(&self) -> Result<(), String> {
        loop {
            let next = self
                .state
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop_front();
            let Some(p) = next else { return Ok(()) };
            let rule = Rule {
                kind: p.kind,
                id: &p.id,
                at: p.at,
            };
            let now = NumericDate::now();
            if p.end <= now {
                continue;
            }
            if let Err(e) = self.writer.write(&rule, p.end, now).await {
                self.state
                    .pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push_front(p);
                return Err(e);
            }
        }
    }
}

/// Writes one rule to the Redis server at `url`, as a connected set would,
/// without following the channel (the CLI's `usso revoke`). Returns when
/// the rule ends, or `None` if it has ended already (nothing written).
#[cfg(feature = "cli")]
pub(crate) async fn share_once(
    url: &str,
    namespace: &str,
    options: RevocationOptions,
    kind: Kind,
    id: &str,
    at: NumericDate,
) -> Result<Option<NumericDate>, ConfigError> {
    let settings = Revocations::redis(url)
        .namespace(namespace)
        .options(options);
    let client = settings.check()?;
    let rule = Rule::new(kind, id, at).map_err(|e| ConfigError::InvalidSetting {
        setting: kind.claim(),
        reason: e.to_string(),
    })?;
    let now = NumericDate::now();
    let end = Store::new(options).end_of(&rule);
    if end <= now {
        return Ok(None);
    }
    let unavailable = |reason| ConfigError::RevocationsUnavailable { reason };
    let writer = Writer::connect(&client, namespace, settings.connect_timeout)
        .await
        .map_err(unavailable)?;
    writer.write(&rule, end, now).await.map_err(unavailable)?;
    Ok(Some(end))
}

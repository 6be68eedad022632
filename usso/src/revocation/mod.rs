//! Revocation: refusing tokens before their `exp`.
//!
//! A JWT stays valid until it expires. [`Revocations`] holds the rules that
//! end one earlier, and is consulted on every verification after the
//! signature and claims (and before a verified-token cache hit is returned):
//!
//! * **by `jti`**: one token;
//! * **by `session_id`**: a USSO session, that is, a logout;
//! * **by subject**: every token of a `sub` issued before a time (`iat < T`),
//!   that is, "log out everywhere" or a disabled account.
//!
//! The check is local: three hash-map lookups under a read lock, skipped
//! entirely while no rule is held. Each rule expires on its own once no
//! token it can match is still valid, so memory stays bounded.
//!
//! With the `redis` feature, [`Revocations::redis`] shares the rules across
//! a fleet: writes go to Redis (keys with TTLs), every replica applies them
//! to its own maps as they are published, and a replica loads the whole set
//! when it starts and after every reconnect. The check itself never leaves
//! the process.

mod memory;
#[cfg(feature = "redis")]
mod redis;
pub(crate) mod rule;

pub use memory::{RevocationOptions, RevocationStats};
#[cfg(feature = "cli")]
pub(crate) use redis::share_once;
#[cfg(feature = "redis")]
pub use redis::{RedisRevocations, RevocationSync};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{NumericDate, UserData};

use memory::Store;
use rule::{Kind, Rule};

/// Why a revocation could not be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// The id (`jti`, session or subject) is empty.
    #[error("the {what} to revoke is empty")]
    Empty {
        /// `jti`, `session_id` or `sub`.
        what: &'static str,
    },
    /// The id is longer than 256 bytes.
    #[error("the {what} to revoke is longer than {MAX_ID_BYTES} bytes")]
    TooLong {
        /// `jti`, `session_id` or `sub`.
        what: &'static str,
    },
    /// The store holds [`RevocationOptions::max_entries`] live rules already.
    /// Nothing is dropped to make room: a forgotten revocation would let a
    /// revoked token back in.
    #[error("the revocation store is full ({max} live entries)")]
    Full {
        /// The bound.
        max: usize,
    },
    /// The rule holds in this process but could not be written to Redis
    /// (see [`Revocations::redis`]). Unless `queued` is false (too many
    /// writes are waiting already), it is written when Redis is back.
    #[error(
        "revoked in this process only: Redis could not be reached ({reason}); {}",
        if *queued { "it will be written when Redis is back" } else { "not queued: too many writes are waiting" }
    )]
    NotShared {
        /// Why the write failed.
        reason: String,
        /// Whether the write waits for Redis to come back.
        queued: bool,
    },
}

/// The longest id accepted: `jti`s, session ids and subjects are short.
pub(crate) const MAX_ID_BYTES: usize = 256;

/// What a [`Revocations::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Valid,
    Revoked,
    /// Out of sync for longer than fail-closed allows.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Unavailable {
        retry_after: Duration,
    },
}

/// The revocation rules of one process: by `jti` (one token), by
/// `session_id` (a logout), by subject before a time (`iat < T`: "log out
/// everywhere", a disabled account). Each rule ends on its own once no token
/// it matches can still be valid; the check is three hash lookups under a
/// read lock, skipped while no rule is held.
///
/// Cheap to clone: clones share their rules. An authenticator has one,
/// [`UssoAuth::revocations`](crate::UssoAuth::revocations); pass the same
/// set to several with [`JwtConfigBuilder::revocations`](crate::JwtConfigBuilder::revocations).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), usso::RevocationError> {
/// use std::time::Duration;
/// use usso::{NumericDate, Revocations, UserData};
///
/// let revocations = Revocations::default();
/// let mut user = UserData::new("user:1");
/// user.session_id = Some("s-42".into());
/// user.iat = Some(NumericDate::from_secs(1_700_000_000));
/// assert!(!revocations.is_revoked(&user));
///
/// revocations.revoke_session("s-42", None).await?; // logout
/// assert!(revocations.is_revoked(&user));
///
/// // "Log out everywhere": tokens of user:2 issued before now.
/// revocations.revoke_subject_before("user:2", NumericDate::now()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Revocations {
    store: Arc<Store>,
    #[cfg(feature = "redis")]
    link: Option<Arc<redis::Link>>,
}

impl fmt::Debug for Revocations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Revocations")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Revocations {
    /// An empty set with these bounds.
    pub fn new(options: RevocationOptions) -> Self {
        Self {
            store: Arc::new(Store::new(options)),
            #[cfg(feature = "redis")]
            link: None,
        }
    }

    /// Refuses the token with this `jti` until `expires` (its `exp`), plus
    /// the leeway.
    ///
    /// # Errors
    /// An empty or too long id, a full store, or (with Redis) a rule that
    /// holds here but could not be shared yet.
    pub async fn revoke_jti(&self, jti: &str, expires: NumericDate) -> Result<(), RevocationError> {
        self.revoke(Rule::new(Kind::Jti, jti, expires)?).await
    }

    /// Refuses every token of this USSO session (a logout) until `until`,
    /// or, with `None`, for the longest accepted token lifetime
    /// ([`RevocationOptions::max_token_lifetime`]), plus the leeway.
    ///
    /// # Errors
    /// As [`revoke_jti`](Self::revoke_jti).
    pub async fn revoke_session(
        &self,
        session_id: &str,
        until: Option<NumericDate>,
    ) -> Result<(), RevocationError> {
        let until = until.unwrap_or_else(|| self.store.session_end(NumericDate::now()));
        self.revoke(Rule::new(Kind::Session, session_id, until)?)
            .await
    }

    /// Refuses every token of `sub` issued before `before` (`iat < before`;
    /// a token without `iat` is refused too, since its age is unknown), for
    /// the longest accepted token lifetime after `before`. A later call for
    /// the same subject moves `before` forward, never back.
    ///
    /// # Errors
    /// As [`revoke_jti`](Self::revoke_jti).
    pub async fn revoke_subject_before(
        &self,
        sub: &str,
        before: NumericDate,
    ) -> Result<(), RevocationError> {
        self.revoke(Rule::new(Kind::Subject, sub, before)?).await
    }

    async fn revoke(&self, rule: Rule<'_>) -> Result<(), RevocationError> {
        let now = NumericDate::now();
        // Here first: a rule Redis can't take still holds in this process.
        let end = self.store.apply(&rule, now)?;
        crate::metrics::revocation(rule.kind.tag());
        #[cfg(feature = "redis")]
        if let (Some(link), Some(end)) = (&self.link, end) {
            link.share(&rule, end, now).await?;
        }
        #[cfg(not(feature = "redis"))]
        let _ = end;
        Ok(())
    }

    /// Whether a rule refuses a token with these claims.
    pub fn is_revoked(&self, claims: &UserData) -> bool {
        !self.store.is_empty() && self.store.check(claims, NumericDate::now()) == Verdict::Revoked
    }

    /// The verifier's check, at its `now` (so that an empty set costs one
    /// atomic load, not a clock read).
    pub(crate) fn check(&self, claims: &UserData, now: NumericDate) -> Verdict {
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link
            && let Some(retry_after) = link.refusing()
        {
            return Verdict::Unavailable { retry_after };
        }
        self.store.check(claims, now)
    }

    /// Counts the rules recorded (added or extended) so far; removals don't
    /// count, since they can only let a token back in once its rule ended.
    pub(crate) fn generation(&self) -> u64 {
        self.store.generation()
    }

    /// [`check`](Self::check) for a verified-token cache hit whose token
    /// was found not revoked at generation `checked`: while no rule has been
    /// recorded since, the answer can't have changed, and the lookups are
    /// skipped (one atomic load instead of three hash lookups under a lock).
    pub(crate) fn check_cached(
        &self,
        claims: &UserData,
        now: NumericDate,
        checked: &std::sync::atomic::AtomicU64,
    ) -> Verdict {
        use std::sync::atomic::Ordering;
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link
            && let Some(retry_after) = link.refusing()
        {
            return Verdict::Unavailable { retry_after };
        }
        let generation = self.store.generation();
        if checked.load(Ordering::Relaxed) == generation {
            return Verdict::Valid;
        }
        let verdict = self.store.check(claims, now);
        if verdict == Verdict::Valid {
            checked.fetch_max(generation, Ordering::Relaxed);
        }
        verdict
    }

    /// Forgets the rules that can no longer match a valid token. Recording a
    /// revocation also does this, at most once a second.
    pub fn purge_expired(&self) {
        self.store.purge(NumericDate::now());
    }

    /// How many rules are held.
    pub fn stats(&self) -> RevocationStats {
        self.store.stats()
    }
}

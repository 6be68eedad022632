//! The local rule maps every verification consults.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use super::rule::{Kind, Rule};
use super::{RevocationError, Verdict};
use crate::{NumericDate, UserData};

/// Bounds of a [`Revocations`](super::Revocations) set.
///
/// ```
/// use std::time::Duration;
/// use usso::{RevocationOptions, Revocations};
///
/// let revocations = Revocations::new(
///     RevocationOptions::default()
///         .max_entries(100_000)
///         .max_token_lifetime(Duration::from_secs(3600)),
/// );
/// # let _ = revocations;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationOptions {
    pub(crate) max_entries: usize,
    pub(crate) max_token_lifetime: Duration,
    pub(crate) leeway: Duration,
}

impl Default for RevocationOptions {
    fn default() -> Self {
        Self {
            max_entries: 1_000_000,
            max_token_lifetime: Duration::from_secs(24 * 3600),
            leeway: Duration::from_secs(10),
        }
    }
}

impl RevocationOptions {
    /// Most live rules held (about 100 bytes each). Defaults to 1 000 000.
    #[must_use]
    pub fn max_entries(mut self, n: usize) -> Self {
        self.max_entries = n.max(1);
        self
    }

    /// The longest lifetime of a token you accept: how long a session or
    /// subject rule must live to outlast every token it can match. Defaults
    /// to 24 hours.
    #[must_use]
    pub fn max_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_token_lifetime = lifetime;
        self
    }

    /// Added to every rule's end, as the verifier's clock-skew leeway lets
    /// a token live that much past its `exp`. Defaults to 10 seconds.
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }
}

/// How many rules a [`Revocations`](super::Revocations) set holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationStats {
    /// Tokens revoked by `jti`.
    pub jtis: usize,
    /// Sessions revoked.
    pub sessions: usize,
    /// Subjects with a "revoked before" time.
    pub subjects: usize,
}

/// foldhash, randomly seeded per map: the lookups are on every request, and
/// SipHash (std's default) made a check with 1M rules ~1.5× slower in
/// `benches/revocation.rs`. Keys come from revocations and verified claims,
/// and its random per-map key keeps them from being chosen to collide.
type Map<V> = HashMap<Box<str>, V, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
struct Maps {
    /// `jti` → when the rule ends.
    jtis: Map<NumericDate>,
    /// `session_id` → when the rule ends.
    sessions: Map<NumericDate>,
    /// `sub` → (tokens issued before this are refused, when the rule ends).
    subjects: Map<(NumericDate, NumericDate)>,
}

impl Maps {
    fn len(&self) -> usize {
        self.jtis.len() + self.sessions.len() + self.subjects.len()
    }

    fn contains(&self, rule: &Rule<'_>) -> bool {
        match rule.kind {
            Kind::Jti => self.jtis.contains_key(rule.id),
            Kind::Session => self.sessions.contains_key(rule.id),
            Kind::Subject => self.subjects.contains_key(rule.id),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    options: RevocationOptions,
    maps: RwLock<Maps>,
    /// Rules held, read without the lock: while it is zero (the common
    /// case) a check costs one atomic load.
    held: AtomicUsize,
    /// When the next purge may run, in milliseconds since the epoch.
    next_purge: AtomicI64,
    /// Rules recorded so far (see `Revocations::generation`).
    generation: AtomicU64,
}

pub(crate) fn after(t: NumericDate, d: Duration) -> NumericDate {
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    NumericDate::from_millis(t.as_millis().saturating_add(ms))
}

impl Store {
    pub(crate) fn new(options: RevocationOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    /// Records `rule` and returns when it ends (its time plus the leeway
    /// and, for a subject, the longest token lifetime), or `None` if it has
    /// ended already, in which case nothing is stored.
    pub(crate) fn apply(
        &self,
        rule: &Rule<'_>,
        now: NumericDate,
    ) -> Result<Option<NumericDate>, RevocationError> {
        let end = self.end_of(rule);
        if end <= now {
            return Ok(None);
        }
        self.maybe_purge(now);
        let mut maps = self.maps.write().unwrap_or_else(PoisonError::into_inner);
        let (present, full) = (maps.contains(rule), maps.len() >= self.options.max_entries);
        if full && !present {
            return Err(RevocationError::Full {
                max: self.options.max_entries,
            });
        }
        let id: Box<str> = rule.id.into();
        match rule.kind {
            Kind::Jti => {
                let e = maps.jtis.entry(id).or_insert(end);
                *e = (*e).max(end);
            }
            Kind::Session => {
                let e = maps.sessions.entry(id).or_insert(end);
                *e = (*e).max(end);
            }
            Kind::Subject => {
                let e = maps.subjects.entry(id).or_insert((rule.at, end));
                *e = (e.0.max(rule.at), e.1.max(end));
            }
        }
        self.held.store(maps.len(), Ordering::Release);
        // Under the write lock, so that a reader that sees the new
        // generation also sees the rule.
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(Some(end))
    }

    /// When `rule` stops matching any token that could still be valid.
    pub(crate) fn end_of(&self, rule: &Rule<'_>) -> NumericDate {
        match rule.kind {
            // `at` is the token's `exp`, or the session's end.
            Kind::Jti | Kind::Session => after(rule.at, self.options.leeway),
            // A token issued before `at` lives at most the longest lifetime.
            Kind::Subject => after(
                rule.at,
                self.options.max_token_lifetime + self.options.leeway,
            ),
        }
    }

    /// The most rules held.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn max_entries(&self) -> usize {
        self.options.max_entries
    }

    /// The default end of a session rule: the longest token lifetime.
    pub(crate) fn session_end(&self, now: NumericDate) -> NumericDate {
        after(now, self.options.max_token_lifetime)
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether no rule is held: one atomic load, so that a check costs
    /// nothing while the set is empty (the common case).
    pub(crate) fn is_empty(&self) -> bool {
        self.held.load(Ordering::Acquire) == 0
    }

    pub(crate) fn check(&self, claims: &UserData, now: NumericDate) -> Verdict {
        if self.is_empty() {
            return Verdict::Valid;
        }
        let maps = self.maps.read().unwrap_or_else(PoisonError::into_inner);
        let live = |end: &NumericDate| *end > now;
        // An empty map is skipped before hashing: a fleet that revokes
        // only sessions pays for one lookup.
        let by_jti = !maps.jtis.is_empty()
            && claims
                .jti
                .as_deref()
                .and_then(|jti| maps.jtis.get(jti))
                .is_some_and(live);
        let by_session = !maps.sessions.is_empty()
            && claims
                .session_id
                .as_deref()
                .and_then(|id| maps.sessions.get(id))
                .is_some_and(live);
        let by_subject = !maps.subjects.is_empty()
            && claims
                .sub
                .as_deref()
                .and_then(|sub| maps.subjects.get(sub))
                .is_some_and(|(before, end)| {
                    live(end) && claims.iat.is_none_or(|iat| iat < *before)
                });
        if by_jti || by_session || by_subject {
            Verdict::Revoked
        } else {
            Verdict::Valid
        }
    }

    /// Purges, at most once a second.
    pub(crate) fn maybe_purge(&self, now: NumericDate) {
        let next = self.next_purge.load(Ordering::Relaxed);
        if now.as_millis() >= next
            && self
                .next_purge
                .compare_exchange(
                    next,
                    now.as_millis() + 1000,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            self.purge(now);
        }
    }

    pub(crate) fn purge(&self, now: NumericDate) {
        let mut maps = self.maps.write().unwrap_or_else(PoisonError::into_inner);
        maps.jtis.retain(|_, end| *end > now);
        maps.sessions.retain(|_, end| *end > now);
        maps.subjects.retain(|_, (_, end)| *end > now);
        self.held.store(maps.len(), Ordering::Release);
    }

    pub(crate) fn stats(&self) -> RevocationStats {
        let maps = self.maps.read().unwrap_or_else(PoisonError::into_inner);
        RevocationStats {
            jtis: maps.jtis.len(),
            sessions: maps.sessions.len(),
            subjects: maps.subjects.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(jti: &str, session: &str, sub: &str, iat: i64) -> UserData {
        let mut user = UserData::new(sub);
        user.jti = Some(jti.into());
        user.session_id = Some(session.into());
        user.iat = Some(NumericDate::from_secs(iat));
        user
    }

    fn rule(kind: Kind, id: &str, at: NumericDate) -> Rule<'_> {
        Rule { kind, id, at }
    }

    #[test]
    fn each_rule_matches_only_its_tokens() {
        let store = Store::default();
        let now = NumericDate::now();
        let t = now.as_secs();
        let soon = after(now, Duration::from_secs(60));
        store.apply(&rule(Kind::Jti, "j1", soon), now).unwrap();
        store.apply(&rule(Kind::Session, "s1", soon), now).unwrap();
        let cut = NumericDate::from_secs(t - 100);
        store.apply(&rule(Kind::Subject, "u1", cut), now).unwrap();
        let revoked = |c: &UserData| store.check(c, now) == Verdict::Revoked;
        assert!(revoked(&claims("j1", "s9", "u9", t)));
        assert!(revoked(&claims("j9", "s1", "u9", t)));
        assert!(revoked(&claims("j9", "s9", "u1", t - 200)));
        assert!(
            !revoked(&claims("j9", "s9", "u1", t - 50)),
            "issued after the cut-off"
        );
        assert!(!revoked(&claims("j9", "s9", "u9", t)));
        let mut no_iat = claims("j9", "s9", "u1", t);
        no_iat.iat = None;
        assert!(revoked(&no_iat), "an unknown age is refused");
    }

    #[test]
    fn a_later_rule_extends_never_shortens() {
        let store = Store::new(RevocationOptions::default().leeway(Duration::ZERO));
        let now = NumericDate::now();
        let long = after(now, Duration::from_secs(600));
        let short = after(now, Duration::from_secs(5));
        assert_eq!(
            store.apply(&rule(Kind::Jti, "j", long), now),
            Ok(Some(long))
        );
        store.apply(&rule(Kind::Jti, "j", short), now).unwrap();
        let later = after(now, Duration::from_secs(60));
        assert_eq!(
            store.check(&claims("j", "s", "u", 0), later),
            Verdict::Revoked
        );
        // Subjects: the cut-off moves forward only.
        let t = now.as_secs();
        let (early, late) = (NumericDate::from_secs(t - 10), NumericDate::from_secs(t));
        store.apply(&rule(Kind::Subject, "u", late), now).unwrap();
        store.apply(&rule(Kind::Subject, "u", early), now).unwrap();
        assert_eq!(
            store.check(&claims("x", "y", "u", t - 5), now),
            Verdict::Revoked
        );
    }

    #[test]
    fn rules_expire_and_are_purged() {
        let store = Store::new(RevocationOptions::default().leeway(Duration::ZERO));
        let now = NumericDate::now();
        let soon = after(now, Duration::from_secs(5));
        for i in 0..1000 {
            let id = format!("j{i}");
            store.apply(&rule(Kind::Jti, &id, soon), now).unwrap();
        }
        assert_eq!(store.stats().jtis, 1000);
        let later = after(now, Duration::from_secs(6));
        assert_eq!(
            store.check(&claims("j1", "s", "u", 0), later),
            Verdict::Valid
        );
        store.purge(later);
        assert_eq!(store.stats(), RevocationStats::default());
        assert_eq!(store.held.load(Ordering::Relaxed), 0);
        // Already expired: not stored at all.
        let old = NumericDate::from_secs(1);
        assert_eq!(store.apply(&rule(Kind::Jti, "old", old), now), Ok(None));
        assert_eq!(store.stats().jtis, 0);
    }

    #[test]
    fn full_means_refused_not_forgotten() {
        let store = Store::new(RevocationOptions::default().max_entries(2));
        let now = NumericDate::now();
        let end = after(now, Duration::from_secs(60));
        store.apply(&rule(Kind::Session, "a", end), now).unwrap();
        store.apply(&rule(Kind::Session, "b", end), now).unwrap();
        assert_eq!(
            store.apply(&rule(Kind::Session, "c", end), now),
            Err(RevocationError::Full { max: 2 })
        );
        // Extending a rule already held needs no room.
        let later = after(now, Duration::from_secs(120));
        assert!(store.apply(&rule(Kind::Session, "a", later), now).is_ok());
        assert_eq!(store.stats().sessions, 2);
    }
}

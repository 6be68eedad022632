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

mod memory;

pub use memory::{RevocationOptions, RevocationStats};

use std::fmt;
use std::sync::Arc;

use crate::{NumericDate, UserData};

use memory::Store;

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
}

/// The longest id accepted: `jti`s, session ids and subjects are short.
pub(crate) const MAX_ID_BYTES: usize = 256;

/// What a [`Revocations::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Valid,
    Revoked,
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
}

impl fmt::Debug for Revocations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Revocations")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

fn checked<'a>(what: &'static str, id: &'a str) -> Result<&'a str, RevocationError> {
    if id.is_empty() {
        Err(RevocationError::Empty { what })
    } else if id.len() > MAX_ID_BYTES {
        Err(RevocationError::TooLong { what })
    } else {
        Ok(id)
    }
}

impl Revocations {
    /// An empty set with these bounds.
    pub fn new(options: RevocationOptions) -> Self {
        Self {
            store: Arc::new(Store::new(options)),
        }
    }

    /// Refuses the token with this `jti` until `expires` (its `exp`), plus
    /// the leeway.
    ///
    /// # Errors
    /// An empty or too long id, or a full store.
    pub async fn revoke_jti(&self, jti: &str, expires: NumericDate) -> Result<(), RevocationError> {
        let jti = checked("jti", jti)?;
        self.store.revoke_jti(jti, expires)?;
        crate::metrics::revocation("jti");
        Ok(())
    }

    /// Refuses every token of this USSO session (a logout) until `until`,
    /// or, with `None`, for the longest accepted token lifetime
    /// ([`RevocationOptions::max_token_lifetime`]), plus the leeway.
    ///
    /// # Errors
    /// An empty or too long id, or a full store.
    pub async fn revoke_session(
        &self,
        session_id: &str,
        until: Option<NumericDate>,
    ) -> Result<(), RevocationError> {
        let session_id = checked("session_id", session_id)?;
        self.store.revoke_session(session_id, until)?;
        crate::metrics::revocation("session");
        Ok(())
    }

    /// Refuses every token of `sub` issued before `before` (`iat < before`;
    /// a token without `iat` is refused too, since its age is unknown), for
    /// the longest accepted token lifetime after `before`. A later call for
    /// the same subject moves `before` forward, never back.
    ///
    /// # Errors
    /// An empty or too long id, or a full store.
    pub async fn revoke_subject_before(
        &self,
        sub: &str,
        before: NumericDate,
    ) -> Result<(), RevocationError> {
        let sub = checked("sub", sub)?;
        self.store.revoke_subject(sub, before)?;
        crate::metrics::revocation("subject");
        Ok(())
    }

    /// Whether a rule refuses a token with these claims.
    pub fn is_revoked(&self, claims: &UserData) -> bool {
        self.check(claims) == Verdict::Revoked
    }

    pub(crate) fn check(&self, claims: &UserData) -> Verdict {
        self.store.check(claims, NumericDate::now())
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

//! The audit hook: one [`AuthEvent`] per authenticated (or refused)
//! request, for audit logs, per-user quotas and security monitoring.

use std::fmt;
use std::sync::Arc;

use http::HeaderName;

use crate::{AuthError, TokenSource, UserData, UssoAuth};

/// The hook set with [`UssoAuth::on_authenticated`].
pub(crate) type AuditHook = Arc<dyn Fn(&AuthEvent<'_>) + Send + Sync>;

/// Where the credential of a request was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource<'a> {
    /// A token from one of the configured [`TokenSource`]s (a header or a cookie).
    Token(&'a TokenSource),
    /// An API key, from this header (see [`ApiKeys`](crate::ApiKeys)).
    ApiKey(&'a HeaderName),
    /// No credential was read: the authenticator is a [`UssoAuth::mock`].
    Mock,
}

impl CredentialSource<'_> {
    /// A short fixed name, fit for a log field or a metric label:
    /// `header`, `cookie`, `api_key` or `mock`.
    ///
    /// ```
    /// use usso::{CredentialSource, TokenSource};
    ///
    /// let bearer = TokenSource::authorization();
    /// assert_eq!(CredentialSource::Token(&bearer).kind(), "header");
    /// assert_eq!(CredentialSource::Mock.kind(), "mock");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Token(TokenSource::Header { .. }) => "header",
            Self::Token(TokenSource::Cookie { .. }) => "cookie",
            Self::ApiKey(_) => "api_key",
            Self::Mock => "mock",
        }
    }
}

/// What [`UssoAuth::on_authenticated`] hooks are told about a request: its
/// outcome, who (when verified) and how. It never holds the token or the
/// API key.
///
/// Only verified facts are exposed: the subject, session and claims of a
/// refused token are never read, since they are attacker input until the
/// signature and claims check out.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::sync::{Arc, Mutex};
/// use usso::{UserData, UssoAuth};
///
/// let lines = Arc::new(Mutex::new(Vec::new()));
/// let sink = Arc::clone(&lines);
/// let mut user = UserData::new("user:1");
/// user.session_id = Some("s-9".into());
/// let auth = UssoAuth::mock(user).on_authenticated(move |event| {
///     assert!(event.is_success() && event.error().is_none());
///     let line = format!(
///         "{} {} {} {:?}",
///         event.code(),
///         event.subject().unwrap_or("-"),
///         event.session_id().unwrap_or("-"),
///         event.source().map(|s| s.kind()),
///     );
///     sink.lock().unwrap().push(line);
/// });
/// let (parts, ()) = http::Request::get("/").body(()).unwrap().into_parts();
/// let user: UserData = auth.authenticate(&parts).await.unwrap();
/// assert_eq!(*lines.lock().unwrap(), ["ok user:1 s-9 Some(\"mock\")"]);
/// # let _ = user;
/// # }
/// ```
pub struct AuthEvent<'a> {
    pub(crate) outcome: Result<&'a UserData, &'a AuthError>,
    pub(crate) source: Option<CredentialSource<'a>>,
    pub(crate) tenant: Option<&'a str>,
}

impl<'a> AuthEvent<'a> {
    /// The verified claims on success, else the reason for the refusal.
    pub fn outcome(&self) -> Result<&'a UserData, &'a AuthError> {
        self.outcome
    }

    /// Whether the request was authenticated.
    pub fn is_success(&self) -> bool {
        self.outcome.is_ok()
    }

    /// `"ok"` on success, else the refusal's stable [`AuthError::code`]
    /// (`token_expired`, `token_not_found`, …): a bounded value, fit for a
    /// log field or a metric label.
    pub fn code(&self) -> &'static str {
        self.outcome.map_or_else(AuthError::code, |_| "ok")
    }

    /// The refusal, if any.
    pub fn error(&self) -> Option<&'a AuthError> {
        self.outcome.err()
    }

    /// The verified claims, on success.
    pub fn user(&self) -> Option<&'a UserData> {
        self.outcome.ok()
    }

    /// The verified subject (`sub`), on success.
    pub fn subject(&self) -> Option<&'a str> {
        self.user().and_then(|u| u.sub.as_deref())
    }

    /// The verified USSO session (`session_id`), on success.
    pub fn session_id(&self) -> Option<&'a str> {
        self.user().and_then(|u| u.session_id.as_deref())
    }

    /// The tenant: the configured id of the [`MultiTenant`](crate::MultiTenant)
    /// tenant the request was routed to, else the verified `tenant_id`
    /// claim. `None` when neither is known (an unknown tenant id sent by
    /// the client is never echoed here).
    pub fn tenant(&self) -> Option<&'a str> {
        self.tenant
            .or_else(|| self.user().and_then(|u| u.tenant_id.as_deref()))
    }

    /// Where the credential was found; `None` when there was none (or the
    /// request was refused before one was found).
    pub fn source(&self) -> Option<CredentialSource<'a>> {
        self.source
    }
}

impl fmt::Debug for AuthEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthEvent")
            .field("code", &self.code())
            .field("subject", &self.subject())
            .field("session_id", &self.session_id())
            .field("tenant", &self.tenant())
            .field("source", &self.source.map(|s| s.kind()))
            .finish()
    }
}

/// In a request's extensions: its authentication by the authenticator
/// with this [`UssoAuth::id`] has been counted and reported, so that the
/// layer (or middleware) and every extractor of one request make one audit
/// event between them.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
pub(crate) struct Reported(pub(crate) usize);

/// What the authentication of one request found out on the way: read by
/// the event once the outcome is known.
#[derive(Default)]
pub(crate) struct Seen<'a> {
    pub(crate) source: Option<CredentialSource<'a>>,
    pub(crate) tenant: Option<&'a str>,
}

impl UssoAuth {
    /// Calls `hook` once for every request this authenticator
    /// authenticates or refuses: in the axum layer, the axum extractors
    /// (once per request, even when the layer and several extractors read
    /// it) and [`authenticate`](Self::authenticate), with the outcome
    /// (success or the error code), the verified subject, session and
    /// tenant, and where the credential came from. Never with the token.
    ///
    /// The hook runs on the request's task, before the response is
    /// decided, so keep it short: write a log line, bump a counter, send to
    /// a channel. A panic in it is the request's panic. A policy check that
    /// follows (a 403 for a missing scope) is not part of this event.
    /// [`verify_token`](Self::verify_token) (no request) does not call it.
    /// Unset, it costs one branch per request.
    ///
    /// An audit log:
    ///
    /// ```
    /// use usso::{UserData, UssoAuth};
    ///
    /// let auth = UssoAuth::mock(UserData::new("user:1")).on_authenticated(|event| {
    ///     tracing::info!(
    ///         outcome = event.code(),
    ///         sub = event.subject(),
    ///         session = event.session_id(),
    ///         tenant = event.tenant(),
    ///         source = event.source().map(|s| s.kind()),
    ///         "usso: authentication"
    ///     );
    /// });
    /// # let _ = auth;
    /// ```
    ///
    /// A per-user request count, for a rate limit or a quota that a
    /// middleware after [`UssoLayer`](crate::UssoLayer) (or the handler)
    /// enforces; the hook itself only observes:
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::collections::HashMap;
    /// use std::sync::{Arc, Mutex};
    /// use usso::testing::TestIssuer;
    ///
    /// let issuer = TestIssuer::start().await;
    /// let counts: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    /// let seen = Arc::clone(&counts);
    /// let auth = issuer.auth().on_authenticated(move |event| {
    ///     if let Some(sub) = event.subject() {
    ///         *seen.lock().unwrap().entry(sub.to_owned()).or_default() += 1;
    ///     }
    /// });
    ///
    /// let token = issuer.token().sub("user:42").mint();
    /// let (parts, ()) = http::Request::get("/")
    ///     .header("authorization", format!("Bearer {token}"))
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// for _ in 0..3 {
    ///     auth.authenticate::<usso::UserData>(&parts).await.unwrap();
    /// }
    /// assert_eq!(counts.lock().unwrap()["user:42"], 3);
    /// # }
    /// ```
    #[must_use]
    pub fn on_authenticated(self, hook: impl Fn(&AuthEvent<'_>) + Send + Sync + 'static) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.on_authenticated = Some(Arc::new(hook));
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Counts one authentication and tells the hook, if any.
    pub(crate) fn report<C: crate::Claims>(
        &self,
        result: &Result<Arc<C>, AuthError>,
        seen: &Seen<'_>,
    ) {
        crate::metrics::verification(result);
        if let Some(hook) = &self.inner.on_authenticated {
            hook(&AuthEvent {
                outcome: result.as_ref().map(|claims| claims.user_data()),
                source: seen.source,
                tenant: seen.tenant,
            });
        }
    }
}

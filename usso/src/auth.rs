use std::fmt;
use std::sync::Arc;

use crate::api_key::ApiKeys;
use crate::config::fleet::{Fleet, FleetConfig, FleetEngine};
use crate::jwks::JwksStore;
use crate::keys::source::KeySource;
use crate::tenant::TenantRouter;
use crate::verify::Verifier;
use crate::{AuthError, Claims, ConfigError, JwtConfig, TokenSource, UserData};

/// Verifies tokens: the Rust twin of the Python SDK's `USSOAuth`.
///
/// Cheap to clone (one `Arc`), `Send + Sync`; build it once at start-up and
/// share it, e.g. as axum router state.
///
/// ```
/// # async fn demo(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// use usso::{JwtConfig, UssoAuth};
///
/// let config = JwtConfig::builder()
///     .jwks_url("http://localhost:8000/.well-known/jwks.json")
///     .issuer("http://localhost:8000")
///     .audience("your-app")
///     .build()?;
/// let auth = UssoAuth::new(config)?;
///
/// match auth.verify_token(token).await {
///     Ok(user) => {
///         println!("User ID: {:?}", user.sub);
///         println!("Roles: {:?}", user.roles);
///         println!("Scopes: {:?}", user.scopes);
///     }
///     Err(e) => println!("Token verification failed: {e}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct UssoAuth {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) engine: Engine,
    pub(crate) token_sources: Arc<[TokenSource]>,
    pub(crate) realm: Arc<str>,
    pub(crate) api_keys: Option<ApiKeys>,
    pub(crate) scope_engine: Option<crate::scope::ScopeEngine>,
    pub(crate) error_format: crate::ErrorFormat,
    /// Settings of the framework adapters (axum's error handler): the core
    /// stores them without knowing their types.
    pub(crate) extensions: http::Extensions,
    pub(crate) revocations: crate::Revocations,
    pub(crate) on_authenticated: Option<crate::audit::AuditHook>,
}

#[derive(Clone)]
pub(crate) enum Engine {
    Verifier(Arc<Verifier>),
    Tenants(Arc<TenantRouter>),
    /// Several configs from a Python fleet's env (`JWT_CONFIGS`).
    Fleet(Arc<Fleet>),
    Mock(Arc<UserData>),
    /// Stands in for "no authenticator in this router's state"; every use
    /// is [`AuthError::MissingAuthenticator`].
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    Unconfigured,
}

impl UssoAuth {
    /// Renders error responses in `format` (default [`ErrorFormat::Usso`](crate::ErrorFormat::Usso)),
    /// e.g. [`ErrorFormat::UssoPy`](crate::ErrorFormat::UssoPy) in a fleet of Python `usso` services.
    /// A handler set with `on_error` still takes precedence.
    ///
    /// ```
    /// use usso::{ErrorFormat, UserData, UssoAuth};
    ///
    /// let auth = UssoAuth::mock(UserData::new("u")).with_error_format(ErrorFormat::UssoPy);
    /// assert_eq!(auth.error_format(), ErrorFormat::UssoPy);
    /// ```
    #[must_use]
    pub fn with_error_format(self, format: crate::ErrorFormat) -> Self {
        let mut inner = std::sync::Arc::unwrap_or_clone(self.inner);
        inner.error_format = format;
        Self {
            inner: std::sync::Arc::new(inner),
        }
    }

    /// The format of error bodies.
    pub fn error_format(&self) -> crate::ErrorFormat {
        self.inner.error_format
    }

    /// A copy with `value` among the framework adapters' settings.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn with_extension<T: Clone + Send + Sync + 'static>(self, value: T) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.extensions.insert(value);
        Self {
            inner: Arc::new(inner),
        }
    }
}

impl UssoAuth {
    /// The revocation rules every verification of this authenticator
    /// checks: revoke a token by `jti`, a session (logout) or a subject
    /// before a time ("log out everywhere"). A revoked token is a 401
    /// `token_revoked`, also when the verified-token cache holds it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use usso::testing::TestIssuer;
    /// use usso::AuthError;
    ///
    /// let issuer = TestIssuer::start().await;
    /// let auth = issuer.auth();
    /// let token = issuer.token().claim("session_id", "s-1").mint();
    /// assert!(auth.verify_token(&token).await.is_ok());
    ///
    /// auth.revocations().revoke_session("s-1", None).await?; // logout
    /// assert_eq!(auth.verify_token(&token).await, Err(AuthError::TokenRevoked));
    /// # Ok(()) }
    /// ```
    pub fn revocations(&self) -> &crate::Revocations {
        &self.inner.revocations
    }
}

impl fmt::Debug for UssoAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UssoAuth");
        match &self.inner.engine {
            Engine::Verifier(v) => d
                .field("jwks_url", &v.config.jwks_url())
                .field("issuers", &v.config.issuers())
                .field("audiences", &v.config.audiences()),
            Engine::Tenants(t) => d.field("tenants", &t.len()),
            Engine::Fleet(f) => d.field("configs", &f.len()),
            Engine::Mock(user) => d.field("mock", &user.sub),
            Engine::Unconfigured => d.field("configured", &false),
        };
        d.finish_non_exhaustive()
    }
}

impl UssoAuth {
    /// Creates the authenticator. With a JWKS URL this creates (but does not
    /// yet fill) the key store; no network traffic happens here.
    ///
    /// # Errors
    /// [`ConfigError::KeysUnavailable`] if the HTTP client can't be built.
    pub fn new(config: JwtConfig) -> Result<Self, ConfigError> {
        let token_sources = Arc::clone(&config.token_sources);
        let realm = Arc::clone(&config.realm);
        Ok(Self::from_engine(
            Engine::Verifier(Arc::new(Verifier::new(config)?)),
            token_sources,
            realm,
        ))
    }

    pub(crate) fn from_engine(
        engine: Engine,
        token_sources: Arc<[TokenSource]>,
        realm: Arc<str>,
    ) -> Self {
        let revocations = match &engine {
            Engine::Verifier(v) => v.revocations.clone(),
            Engine::Tenants(t) => t.revocations.clone(),
            Engine::Fleet(f) => f.revocations.clone(),
            Engine::Mock(_) | Engine::Unconfigured => crate::Revocations::default(),
        };
        Self {
            inner: Arc::new(Inner {
                engine,
                token_sources,
                realm,
                revocations,
                on_authenticated: None,
                api_keys: None,
                scope_engine: None,
                error_format: crate::ErrorFormat::Usso,
                extensions: http::Extensions::new(),
            }),
        }
    }

    /// An authenticator that accepts every request as `user`, without
    /// looking for a token: the twin of FastAPI's
    /// `app.dependency_overrides[authenticator] = lambda: mock_user`.
    ///
    /// **For tests only.** It has its own constructor so it can't be turned
    /// on by a config flag, and it logs a `tracing` warning when created.
    /// Policies (scopes, roles, workspace) are still checked against `user`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use usso::{UserData, UssoAuth};
    ///
    /// let auth = UssoAuth::mock(UserData::new("user:test123").with_roles(["editor"]));
    /// let user = auth.verify_token("anything").await.unwrap();
    /// assert_eq!(user.sub.as_deref(), Some("user:test123"));
    /// # }
    /// ```
    pub fn mock(user: UserData) -> Self {
        tracing::warn!(
            sub = user.sub.as_deref().unwrap_or(""),
            "usso: UssoAuth::mock is active; every request is authenticated without a token (tests only)"
        );
        Self::from_engine(
            Engine::Mock(Arc::new(user)),
            TokenSource::defaults().into(),
            "usso".into(),
        )
    }

    /// The placeholder behind `FromRef<()>`: every use fails with
    /// [`AuthError::MissingAuthenticator`].
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn unconfigured() -> Self {
        // Asked for on every request of a router without state: built once.
        static UNCONFIGURED: std::sync::OnceLock<UssoAuth> = std::sync::OnceLock::new();
        UNCONFIGURED
            .get_or_init(|| {
                Self::from_engine(
                    Engine::Unconfigured,
                    TokenSource::defaults().into(),
                    "usso".into(),
                )
            })
            .clone()
    }

    /// Identifies this authenticator (and its clones) within the process.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn is_configured(&self) -> bool {
        !matches!(self.inner.engine, Engine::Unconfigured)
    }

    fn rebuild(self, edit: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        edit(&mut inner);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Also accept USSO API keys from a header (default `x-api-key`),
    /// resolved by `verifier`. Off unless called. Only that header's value is
    /// ever given to the verifier; a bearer token never is.
    #[must_use]
    pub fn with_api_keys(self, keys: ApiKeys) -> Self {
        self.rebuild(|inner| inner.api_keys = Some(keys))
    }

    /// Checks a policy rule against verified claims, the way every usso
    /// extractor and macro does.
    ///
    /// # Errors
    /// When the rule does not hold (403 variants of [`AuthError`]).
    pub fn check_requirement(
        &self,
        requirement: &crate::Requirement,
        claims: &UserData,
    ) -> Result<(), AuthError> {
        match self.inner.scope_engine {
            None => requirement.check(claims),
            Some(engine) => requirement.check_with(claims, &|c: &UserData, wanted: &str| {
                engine_grants(engine, &c.scopes, wanted)
            }),
        }
    }

    /// Satisfies `scope(...)` requirements through the USSO scope engine
    /// instead of by exact string match, so that `admin:posts` grants
    /// `read:posts` and `read:media/*` grants `read:media/files`.
    ///
    /// What `#[require_scope("write:posts")]` (or any required scope) means:
    ///
    /// * **no engine (the default):** the token holds exactly that scope
    ///   string, which is what a reader of the code expects;
    /// * **[`ScopeEngine::strict`](crate::scope::ScopeEngine::strict):** a
    ///   required action on the USSO privilege ladder (`read` < `create` <
    ///   `update` < `delete` < `manage` < `admin` < `owner`/`*` <
    ///   `superadmin`) is granted by a held scope of that level or higher on
    ///   a matching path (`admin:posts` grants `read:posts`); any other
    ///   required scope (`write:posts`, `openid`) grants exactly itself, never
    ///   more and never less;
    /// * **[`ScopeEngine::compatible`](crate::scope::ScopeEngine::compatible):**
    ///   the Python SDK's decision, which **widens access**: Python counts an
    ///   unknown action as `read`, so holding `read:posts` satisfies
    ///   `write:posts`. A `tracing` warning says so when it is installed. Use
    ///   it only to share tokens with Python services that rely on it.
    ///
    /// In every mode, holding the required scope itself grants it, and each
    /// held scope is judged on its own: a malformed scope, or one the strict
    /// engine can't place on the ladder (`write:*`), is skipped for that check
    /// (logged at debug with its reason) and never changes what the token's
    /// other scopes decide.
    ///
    /// ```
    /// use usso::scope::ScopeEngine;
    /// use usso::{Requirement, UserData, UssoAuth};
    ///
    /// let admin = UserData::new("u").with_scopes(["admin:posts"]);
    /// let plain = UssoAuth::mock(admin.clone());
    /// let engine = UssoAuth::mock(admin.clone()).with_scope_engine(ScopeEngine::strict());
    /// let read = Requirement::Scope("read:posts");
    /// assert!(plain.check_requirement(&read, &admin).is_err());
    /// assert!(engine.check_requirement(&read, &admin).is_ok());
    /// ```
    #[must_use]
    pub fn with_scope_engine(self, engine: crate::scope::ScopeEngine) -> Self {
        if engine.mode() == crate::scope::Mode::Compatible {
            tracing::warn!(
                "usso: the compatible scope engine is installed; it reproduces the Python SDK's \
                 decisions, which widen access (an unknown action such as `write` counts as `read`)"
            );
        }
        self.rebuild(|inner| inner.scope_engine = Some(engine))
    }

    /// The token sources requests are searched with.
    pub fn token_sources(&self) -> &[TokenSource] {
        &self.inner.token_sources
    }

    /// The realm of `WWW-Authenticate` challenges.
    pub fn realm(&self) -> &str {
        &self.inner.realm
    }

    /// Counters of the verified-token cache, when it is on (single-tenant
    /// authenticators built with [`JwtConfigBuilder::token_cache`](crate::JwtConfigBuilder::token_cache)).
    pub fn token_cache_stats(&self) -> Option<crate::TokenCacheStats> {
        match &self.inner.engine {
            Engine::Verifier(v) => v
                .cache
                .as_ref()
                .map(crate::verify::cache::TokenCache::stats),
            _ => None,
        }
    }

    /// The JWKS store behind this authenticator, if it uses one.
    pub fn jwks_store(&self) -> Option<&Arc<JwksStore>> {
        match &self.inner.engine {
            Engine::Verifier(v) => match &v.keys {
                KeySource::Jwks(store) => Some(store),
                KeySource::Static(_) => None,
            },
            _ => None,
        }
    }

    /// Verifies `token` and returns its claims as [`UserData`].
    ///
    /// # Errors
    /// The [`AuthError`] naming the first rule the token breaks.
    pub async fn verify_token(&self, token: &str) -> Result<UserData, AuthError> {
        self.verify_token_as::<UserData>(token).await
    }

    /// Verifies `token` into your own claims type (the Python SDK's `user_schema=`).
    ///
    /// In multi-tenant mode by issuer, the token's (unverified) `iss` picks
    /// the tenant; in multi-tenant mode by header there is no request to
    /// read, so use [`authenticate`](Self::authenticate) instead.
    ///
    /// # Errors
    /// As [`verify_token`](Self::verify_token); a claim of the wrong JSON type
    /// is [`AuthError::TokenInvalid`] naming it.
    pub async fn verify_token_as<C: Claims>(&self, token: &str) -> Result<C, AuthError> {
        let result = match &self.inner.engine {
            Engine::Verifier(v) => v.verify(token).await,
            Engine::Tenants(t) => t.verify::<C, http::HeaderMap>(None, token, &mut None).await,
            Engine::Fleet(f) => f.verify(token).await,
            Engine::Mock(user) => mock_as(user),
            Engine::Unconfigured => Err(AuthError::MissingAuthenticator),
        };
        crate::metrics::verification(&result);
        result
    }

    /// Verifies without an async runtime. Only possible with a static key or
    /// keys already cached: a JWKS-backed authenticator whose key isn't cached
    /// answers [`AuthError::KeysUnavailable`] rather than block.
    ///
    /// # Errors
    /// As [`verify_token`](Self::verify_token).
    pub fn verify_token_sync<C: Claims>(&self, token: &str) -> Result<C, AuthError> {
        let result = match &self.inner.engine {
            Engine::Verifier(v) => v.verify_sync(token),
            Engine::Mock(user) => mock_as(user),
            Engine::Tenants(_) | Engine::Fleet(_) => Err(AuthError::invalid(
                "multi-tenant authenticators verify asynchronously",
            )),
            Engine::Unconfigured => Err(AuthError::MissingAuthenticator),
        };
        crate::metrics::verification(&result);
        result
    }

    /// Authenticates a request outside the axum integration (another
    /// framework, a gateway, a test): finds the token in the configured
    /// sources (or an API key, when enabled) and verifies it, with the same
    /// rules the axum extractors and layer apply.
    ///
    /// It takes the request's [`Parts`](http::request::Parts) because the
    /// method matters: a state-changing request (`POST`, `PUT`, `PATCH`,
    /// `DELETE`, …) whose token came from a **cookie** must be same-site
    /// (`Sec-Fetch-Site`, else `Origin` vs `Host`), or it is a 403, since
    /// browsers attach cookies to cross-site requests (CSRF). Tokens from
    /// headers are not affected.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use usso::{AuthError, UserData, UssoAuth};
    ///
    /// # let auth = usso::UssoAuth::mock(UserData::new("u"));
    /// let (parts, _body) = http::Request::get("/posts").body(()).unwrap().into_parts();
    /// let user: Result<UserData, AuthError> = auth.authenticate(&parts).await;
    /// # assert!(user.is_ok());
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AuthError::TokenNotFound`] when no credential is present,
    /// [`AuthError::CrossSiteRequest`] for a cross-site cookie-authenticated
    /// state change, else as [`verify_token`](Self::verify_token).
    pub async fn authenticate<C: Claims>(
        &self,
        request: &http::request::Parts,
    ) -> Result<C, AuthError> {
        let head = crate::request::HttpHead {
            method: &request.method,
            uri: &request.uri,
            headers: &request.headers,
        };
        self.authenticate_shared(&head)
            .await
            .map(Arc::unwrap_or_clone)
    }

    /// The request path's one entry, for every framework adapter and
    /// [`authenticate`](Self::authenticate): finds the credential, applies
    /// the cookie CSRF rule, verifies. The claims come shared, so that a
    /// verified-token cache hit copies nothing. Counted and reported to the
    /// audit hook: call it once per request, and
    /// [`reauthenticate_shared`](Self::reauthenticate_shared) for any later
    /// verification of the same request.
    pub(crate) async fn authenticate_shared<C: Claims, R: crate::request::RequestHead>(
        &self,
        request: &R,
    ) -> Result<Arc<C>, AuthError> {
        let mut seen = crate::audit::Seen::default();
        let result = self.authenticate_seen(request, &mut seen).await;
        self.report(&result, &seen);
        result
    }

    /// [`authenticate_shared`](Self::authenticate_shared) for a request that
    /// was already counted and reported (another claims type, or no token
    /// after an optional layer): neither counted nor reported again.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) async fn reauthenticate_shared<C: Claims, R: crate::request::RequestHead>(
        &self,
        request: &R,
    ) -> Result<Arc<C>, AuthError> {
        let mut seen = crate::audit::Seen::default();
        self.authenticate_seen(request, &mut seen).await
    }

    async fn authenticate_seen<'a, C: Claims, R: crate::request::RequestHead>(
        &'a self,
        request: &'a R,
        seen: &mut crate::audit::Seen<'a>,
    ) -> Result<Arc<C>, AuthError> {
        use crate::audit::CredentialSource;
        match &self.inner.engine {
            Engine::Mock(user) => {
                seen.source = Some(CredentialSource::Mock);
                return mock_as(user).map(Arc::new);
            }
            Engine::Unconfigured => return Err(AuthError::MissingAuthenticator),
            _ => {}
        }
        let headers = request.headers();
        let token = match crate::source::find_token_in(headers, &self.inner.token_sources) {
            Ok((token, source)) => {
                seen.source = Some(CredentialSource::Token(source));
                if matches!(source, TokenSource::Cookie { .. }) {
                    crate::source::check_cookie_csrf(request)?;
                }
                token
            }
            Err(AuthError::TokenNotFound) => {
                if let Some(api_keys) = &self.inner.api_keys
                    && let Some(key) = api_keys.find(headers)?
                {
                    seen.source = Some(CredentialSource::ApiKey(api_keys.header_name()));
                    let user = api_keys.verify(key).await?;
                    return convert(user).map(Arc::new);
                }
                return Err(AuthError::TokenNotFound);
            }
            Err(other) => return Err(other),
        };
        match &self.inner.engine {
            Engine::Verifier(v) => v.verify_shared(token).await,
            Engine::Tenants(t) => {
                t.verify_shared(Some(headers), token, &mut seen.tenant)
                    .await
            }
            Engine::Fleet(f) => f.verify(token).await.map(Arc::new),
            Engine::Mock(_) | Engine::Unconfigured => Err(AuthError::MissingAuthenticator),
        }
    }
}

/// Whether `held` scopes grant `wanted` under the engine (see
/// [`UssoAuth::with_scope_engine`] for the meaning in each mode).
///
/// Each held scope is judged on its own: one the engine can't judge
/// (malformed, or an action outside the privilege ladder) is skipped for this
/// check and logged at debug, so it never changes what the token's other
/// scopes decide. Holding the wanted scope itself always grants it.
fn engine_grants(engine: crate::scope::ScopeEngine, held: &[String], wanted: &str) -> bool {
    use crate::scope::{Action, Filters, Mode, Scope};

    let parsed = Scope::parse(wanted);
    let same =
        |h: &String| h == wanted || matches!((&parsed, Scope::parse(h)), (Ok(w), Ok(h)) if *w == h);
    if held.iter().any(same) {
        return true;
    }
    let Ok(scope) = parsed else {
        // Only a `Requirement::Scope` built at run time can get here (the macros check
        // their literals): it means exactly that string, held or not.
        tracing::debug!(
            scope = wanted,
            "usso: required scope is not a valid scope; exact match only"
        );
        return false;
    };
    let path = scope.path().join("/");
    let filters = if scope.filters().is_empty() {
        Filters::None
    } else {
        Filters::Map(scope.filters().clone())
    };
    let action = match engine.mode() {
        Mode::Compatible => scope.action().unwrap_or("read"),
        // Outside the ladder (`write`, or no action) there is no order to widen by: the
        // required scope grants exactly itself, checked above.
        Mode::Strict => match scope.action().map(str::parse::<Action>) {
            Some(Ok(action)) => action.as_str(),
            _ => return false,
        },
    };
    held.iter().any(|h| {
        match engine.check_access(std::slice::from_ref(h), &path, action, &filters) {
            Ok(granted) => granted,
            Err(reason) => {
                tracing::debug!(%reason, "usso: a held scope was skipped by the scope engine");
                false
            }
        }
    })
}

fn mock_as<C: Claims>(user: &UserData) -> Result<C, AuthError> {
    convert(user.clone())
}

/// Turns [`UserData`] (from a mock or an API key) into the requested claims type.
fn convert<C: Claims>(user: UserData) -> Result<C, AuthError> {
    let any: Box<dyn std::any::Any> = Box::new(user);
    match any.downcast::<C>() {
        Ok(same) => Ok(*same),
        Err(any) => {
            let user = any
                .downcast::<UserData>()
                .map_err(|_| AuthError::invalid("claims conversion failed"))?;
            let value = serde_json::to_value(&*user)
                .map_err(|e| AuthError::invalid(format!("claims conversion failed: {e}")))?;
            crate::claims::error::from_value(value)
        }
    }
}

impl crate::MultiTenant {
    /// Builds the authenticator.
    ///
    /// # Errors
    /// [`ConfigError::InvalidSetting`] for an invalid header name, no
    /// tenants, an empty or space-padded id, a duplicate id, (by issuer) a
    /// config whose issuers don't match its id, an invalid cookie name or
    /// realm.
    pub fn build(self) -> Result<UssoAuth, ConfigError> {
        let (router, sources, realm) = self.into_router()?;
        Ok(UssoAuth::from_engine(
            Engine::Tenants(Arc::new(router)),
            sources.into(),
            realm.into(),
        ))
    }
}

impl FleetConfig {
    /// Builds the authenticator: one config is a plain [`UssoAuth::new`];
    /// several are bound by issuer as described in the [type docs](Self).
    /// The first config with an `api_key_header` turns on API keys.
    ///
    /// # Errors
    /// Any error of [`JwtConfigBuilder::build`](crate::JwtConfigBuilder::build) or [`UssoAuth::new`].
    pub fn build(self) -> Result<UssoAuth, ConfigError> {
        let parts = self.into_parts()?;
        let mut auth = match parts.engine {
            FleetEngine::Single(config) => UssoAuth::new(config)?,
            FleetEngine::Several {
                fleet,
                sources,
                realm,
            } => {
                UssoAuth::from_engine(Engine::Fleet(Arc::new(fleet)), sources.into(), realm.into())
            }
        };
        if let Some((header, endpoint)) = parts.api_keys {
            // Where credentials will be sent is worth a line at start-up.
            tracing::info!(
                header = header.as_str(),
                endpoint = endpoint.as_str(),
                "usso: API keys are checked at the configured verify_endpoint"
            );
            let verifier = crate::HttpApiKeyVerifier::new(endpoint)?;
            auth = auth.with_api_keys(ApiKeys::new(verifier).header(header));
        }
        Ok(auth)
    }
}

impl UssoAuth {
    /// Builds the authenticator from the environment of a Python `usso`
    /// service: `JWT_CONFIGS`, else `JWT_CONFIG`, else `USSO_BASE_URL`,
    /// else `USSO_JWKS_URL`/`USSO_ISSUER`/`USSO_AUDIENCE`. See
    /// [`FleetConfig`] for the JSON shape, the differences from the Python
    /// package, and [`FleetConfig::with`] to add usso settings first.
    ///
    /// ```no_run
    /// let auth = usso::UssoAuth::from_env()?;
    /// # Ok::<(), usso::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// As [`FleetConfig::from_env`] and [`FleetConfig::build`].
    pub fn from_env() -> Result<Self, ConfigError> {
        FleetConfig::from_env()?.build()
    }
}

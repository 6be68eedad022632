use std::collections::HashMap;
use std::sync::Arc;

use http::HeaderName;

use crate::verify::Verifier;
use crate::{AuthError, Claims, ConfigError, JwtConfig, TokenSource};

/// Several tenants, each with its own trust configuration, behind one
/// [`UssoAuth`](crate::UssoAuth): the Python SDK docs' "Multiple Tenants".
///
/// The tenant is chosen per request, either
/// * **by header** (such as `X-Tenant-ID`, as in the Python SDK docs): an unknown or missing tenant
///   is a 400 [`AuthError::UnknownTenant`]; or
/// * **by issuer**: the token's *unverified* `iss` is looked up in the
///   allow-list, and the token must then verify with that tenant's keys
///   *and* carry that `iss`, so a tenant can only sign for itself. An
///   unknown issuer is a 401 [`AuthError::InvalidIssuer`].
///
/// Tenants whose configs name the same JWKS URL share one key store.
/// The extractors, layer and macros work unchanged with the result.
///
/// **Trust boundary.** Binding a token to its tenant rests on each tenant
/// having its own signing keys. Tenants that share a JWKS (one identity
/// server signing for several tenants) share trust: any key in that set
/// can sign for any of them, so a compromise of that server or key is a
/// compromise of all of them. Give tenants separate key sets when they must
/// be isolated from each other.
///
/// ```
/// use usso::{JwtConfig, MultiTenant};
///
/// let tenant = |n: u8| JwtConfig::builder()
///     .jwks_url(format!("http://tenant{n}.usso.example/.well-known/jwks.json"))
///     .issuer(format!("http://tenant{n}.usso.example"))
///     .audience(format!("app{n}"))
///     .build();
/// let auth = MultiTenant::by_header("X-Tenant-ID")
///     .tenant("tenant1", tenant(1)?)
///     .tenant("tenant2", tenant(2)?)
///     .build()?;
/// # let _ = auth;
/// # Ok::<(), usso::ConfigError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct MultiTenant {
    /// An invalid header name is kept as the error `build` reports.
    selector: Result<Selector, ConfigError>,
    tenants: Vec<(String, JwtConfig)>,
    token_sources: Vec<TokenSource>,
    realm: String,
}

#[derive(Debug, Clone)]
enum Selector {
    Header(HeaderName),
    Issuer,
}

impl MultiTenant {
    /// Select the tenant by the value of this request header. Header names
    /// are case-insensitive, so `X-Tenant-ID` and `x-tenant-id` are the
    /// same; a name that is not a valid header name is reported by
    /// [`build`](Self::build).
    ///
    /// ```
    /// use usso::MultiTenant;
    ///
    /// let err = MultiTenant::by_header("X Tenant").build().unwrap_err();
    /// assert!(err.to_string().contains("MultiTenant::by_header"));
    /// ```
    pub fn by_header(header: impl AsRef<str>) -> Self {
        Self::new(
            crate::source::header_name("MultiTenant::by_header", header.as_ref())
                .map(Selector::Header),
        )
    }

    /// Select the tenant by the token's `iss`, among the tenants' issuers.
    pub fn by_issuer() -> Self {
        Self::new(Ok(Selector::Issuer))
    }

    fn new(selector: Result<Selector, ConfigError>) -> Self {
        Self {
            selector,
            tenants: Vec::new(),
            token_sources: TokenSource::defaults(),
            realm: "usso".to_owned(),
        }
    }

    /// Adds a tenant. By header, `id` is the header value; by issuer, `id`
    /// is the issuer, and `config` must accept exactly that issuer (it is
    /// added if the config names none).
    pub fn tenant(mut self, id: impl Into<String>, config: JwtConfig) -> Self {
        self.tenants.push((id.into(), config));
        self
    }

    /// Where tokens are looked for. Defaults to [`TokenSource::defaults`].
    pub fn token_sources<I: IntoIterator<Item = TokenSource>>(mut self, sources: I) -> Self {
        self.token_sources = sources.into_iter().collect();
        self
    }

    /// The `WWW-Authenticate` realm. Defaults to `usso`.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// The router and the request settings, checked: what
    /// [`build`](Self::build) (in `auth.rs`) makes an authenticator of.
    pub(crate) fn into_router(
        self,
    ) -> Result<(TenantRouter, Vec<TokenSource>, String), ConfigError> {
        let invalid = |reason: String| ConfigError::InvalidSetting {
            setting: "multi-tenant",
            reason,
        };
        let selector = self.selector?;
        crate::source::check_sources(&self.token_sources)?;
        crate::config::check_realm(&self.realm)?;
        if let Some((id, _)) = self
            .tenants
            .iter()
            .find(|(id, _)| id.is_empty() || id.trim() != id)
        {
            return Err(invalid(format!(
                "tenant id `{}` must be non-empty, without leading or trailing spaces",
                crate::source::shorten(id)
            )));
        }
        if self.tenants.is_empty() {
            return Err(invalid("at least one tenant is needed".into()));
        }
        let mut stores = HashMap::new();
        let mut tenants = HashMap::new();
        // One revocation set for every tenant without one of its own.
        let revocations = self
            .tenants
            .iter()
            .find_map(|(_, c)| c.revocations.clone())
            .unwrap_or_default();
        for (id, mut config) in self.tenants {
            config
                .revocations
                .get_or_insert_with(|| revocations.clone());
            if let Selector::Issuer = selector {
                let issuers = config.issuers();
                if !issuers.is_empty() && issuers != [id.clone()] {
                    return Err(invalid(format!(
                        "tenant `{id}` must accept exactly its own issuer, not {issuers:?}"
                    )));
                }
                // The binding of keys to issuers rests on this check, so it
                // is forced on whatever the tenant's config says.
                let mut rules = (*config.rules).clone();
                rules.issuers = vec![id.clone()];
                rules.verify_iss = true;
                config.rules = Arc::new(rules);
            }
            let verifier = Verifier::new_sharing(config, &mut stores)?;
            if tenants.insert(id.clone(), Arc::new(verifier)).is_some() {
                return Err(invalid(format!("tenant `{id}` is configured twice")));
            }
        }
        let router = TenantRouter {
            selector,
            tenants,
            revocations,
        };
        Ok((router, self.token_sources, self.realm))
    }
}

pub(crate) struct TenantRouter {
    selector: Selector,
    tenants: HashMap<String, Arc<Verifier>>,
    /// The set the tenants share (see [`UssoAuth::revocations`](crate::UssoAuth::revocations)).
    pub(crate) revocations: crate::Revocations,
}

impl TenantRouter {
    pub(crate) fn len(&self) -> usize {
        self.tenants.len()
    }

    /// The tenant's configured id (never the client's string) and verifier.
    fn select<H: crate::request::Headers>(
        &self,
        headers: Option<&H>,
        token: &str,
    ) -> Result<(&str, &Arc<Verifier>), AuthError> {
        let found = match &self.selector {
            Selector::Header(name) => {
                let id = headers
                    .and_then(|h| h.values(name).next())
                    .and_then(crate::request::visible_ascii)
                    .ok_or(AuthError::UnknownTenant)?;
                self.tenants
                    .get_key_value(id.trim())
                    .ok_or(AuthError::UnknownTenant)
            }
            Selector::Issuer => {
                // Only used to pick which keys to try; the chosen tenant's
                // verifier then requires this very `iss` after the signature.
                let iss =
                    crate::verify::unverified_issuer(token)?.ok_or(AuthError::InvalidIssuer)?;
                self.tenants
                    .get_key_value(iss.as_str())
                    .ok_or(AuthError::InvalidIssuer)
            }
        };
        found.map(|(id, verifier)| (id.as_str(), verifier))
    }

    /// Verifies with the request's tenant, whose id is put in `tenant`
    /// (for the audit event) as soon as it is known.
    pub(crate) async fn verify<'s, C: Claims, H: crate::request::Headers>(
        &'s self,
        headers: Option<&H>,
        token: &str,
        tenant: &mut Option<&'s str>,
    ) -> Result<C, AuthError> {
        let (id, verifier) = self.select(headers, token)?;
        *tenant = Some(id);
        verifier.verify(token).await
    }

    /// [`verify`](Self::verify), sharing a cached token's claims.
    pub(crate) async fn verify_shared<'s, C: Claims, H: crate::request::Headers>(
        &'s self,
        headers: Option<&H>,
        token: &str,
        tenant: &mut Option<&'s str>,
    ) -> Result<Arc<C>, AuthError> {
        let (id, verifier) = self.select(headers, token)?;
        *tenant = Some(id);
        verifier.verify_shared(token).await
    }
}

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::state::State;
use crate::Algorithm;

/// Builds and signs one test token. Get one from [`TestIssuer::token`](super::TestIssuer::token).
///
/// Defaults: `iss` and `aud` of the issuer, `sub = "user:test"`,
/// `token_type = "access"`, `iat = nbf = now`, `exp = now + 5 min`, a
/// random `jti`, the issuer's default algorithm and its current key.
#[derive(Debug)]
#[must_use]
pub struct TokenBuilder {
    state: Arc<State>,
    alg: Algorithm,
    claims: Map<String, Value>,
    header: Map<String, Value>,
    kid: Option<Option<String>>,
}

fn now() -> i64 {
    crate::NumericDate::now().as_secs()
}

impl TokenBuilder {
    pub(super) fn new(state: Arc<State>, alg: Algorithm) -> Self {
        let now = now();
        let mut claims = Map::new();
        claims.insert("iss".into(), state.issuer.clone().into());
        claims.insert("aud".into(), state.audience.clone().into());
        claims.insert("sub".into(), "user:test".into());
        claims.insert("token_type".into(), "access".into());
        claims.insert("iat".into(), now.into());
        claims.insert("nbf".into(), now.into());
        claims.insert("exp".into(), (now + 300).into());
        claims.insert("jti".into(), random_id().into());
        Self {
            state,
            alg,
            claims,
            header: Map::new(),
            kid: None,
        }
    }

    /// Sets `sub`.
    #[allow(clippy::should_implement_trait)] // `.sub(..)` reads as the claim name, as in the docs
    pub fn sub(self, sub: impl Into<String>) -> Self {
        self.claim("sub", sub.into())
    }

    /// Sets `tenant_id`.
    pub fn tenant(self, tenant: impl Into<String>) -> Self {
        self.claim("tenant_id", tenant.into())
    }

    /// Sets `workspace_id`.
    pub fn workspace(self, workspace: impl Into<String>) -> Self {
        self.claim("workspace_id", workspace.into())
    }

    /// Sets `roles`.
    pub fn roles<I: IntoIterator<Item = S>, S: Into<String>>(self, roles: I) -> Self {
        let roles: Vec<String> = roles.into_iter().map(Into::into).collect();
        self.claim("roles", roles)
    }

    /// Sets `scopes`.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(self, scopes: I) -> Self {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        self.claim("scopes", scopes)
    }

    /// Sets `exp` to now + `ttl`.
    pub fn expires_in(self, ttl: Duration) -> Self {
        let exp = now() + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        self.claim("exp", exp)
    }

    /// Makes the token expired an hour ago.
    pub fn expired(self) -> Self {
        let now = now();
        self.claim("iat", now - 7200)
            .claim("nbf", now - 7200)
            .claim("exp", now - 3600)
    }

    /// Makes the token valid only from an hour from now.
    pub fn not_yet_valid(self) -> Self {
        let now = now();
        self.claim("nbf", now + 3600).claim("exp", now + 7200)
    }

    /// Sets `aud` (use [`claim`](Self::claim) with an array for several).
    pub fn audience(self, aud: impl Into<String>) -> Self {
        self.claim("aud", aud.into())
    }

    /// Sets `iss`.
    pub fn issuer(self, iss: impl Into<String>) -> Self {
        self.claim("iss", iss.into())
    }

    /// Sets `token_type`.
    pub fn token_type(self, token_type: impl Into<String>) -> Self {
        self.claim("token_type", token_type.into())
    }

    /// Sets any claim to any JSON value.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a claim (e.g. `exp`, to test that it is required).
    pub fn without(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Signs with the issuer's current key for `alg`.
    pub fn alg(mut self, alg: Algorithm) -> Self {
        self.alg = alg;
        self
    }

    /// Puts this `kid` in the header instead of the key's own.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(Some(kid.into()));
        self
    }

    /// Leaves `kid` out of the header.
    pub fn without_kid(mut self) -> Self {
        self.kid = Some(None);
        self
    }

    /// Sets any header parameter (e.g. `jku`, `crit`, or `alg` to lie about the algorithm).
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.to_owned(), value.into());
        self
    }

    /// The claims as they will be signed.
    pub fn claims(&self) -> Value {
        Value::Object(self.claims.clone())
    }

    /// Signs the token.
    ///
    /// # Panics
    /// If the issuer has no key for the algorithm (ask for it with
    /// [`TestIssuerBuilder::algorithms`](super::TestIssuerBuilder::algorithms)).
    /// This is test code: a clear panic is the right failure.
    pub fn mint(self) -> String {
        let mut header = self.header;
        match self.kid {
            Some(Some(kid)) => {
                header.insert("kid".into(), kid.into());
            }
            Some(None) => {
                header.insert("kid".into(), Value::Null);
            }
            None => {}
        }
        self.state
            .sign(self.alg, &Value::Object(self.claims), &header)
            .unwrap_or_else(|e| panic!("TestIssuer cannot mint a {} token: {e}", self.alg))
    }
}

pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 12];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

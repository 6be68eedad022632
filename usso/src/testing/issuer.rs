use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::task::JoinHandle;

use super::server;
use super::signing_key::SigningKey;
use super::state::{Entry, Mode, State, lock};
use super::token_builder::TokenBuilder;
use crate::{Algorithm, JwtConfig, JwtConfigBuilder, UssoAuth};

/// A real JWKS issuer on 127.0.0.1 for tests and the dev demo.
///
/// It serves `/.well-known/jwks.json` and
/// `/.well-known/openid-configuration`, counts fetches, and can be told to
/// misbehave. Dropping it stops the server.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use usso::testing::{Rotation, TestIssuer};
/// use usso::AuthError;
///
/// let issuer = TestIssuer::start().await;
/// let auth = issuer.auth();
/// let old = issuer.token().mint();
/// assert!(auth.verify_token(&old).await.is_ok());
///
/// issuer.fail_with(500);                       // the JWKS endpoint breaks…
/// assert!(auth.verify_token(&old).await.is_ok()); // …cached keys keep working
/// issuer.heal();
///
/// issuer.rotate(Rotation::RemoveOld);
/// let new = issuer.token().mint();
/// assert!(auth.verify_token(&new).await.is_ok());
/// # let _ = AuthError::TokenNotFound;
/// # }
/// ```
#[derive(Debug)]
pub struct TestIssuer {
    state: Arc<State>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

/// What [`TestIssuer::rotate`] does with the previous key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rotation {
    /// Publish the new key and stop publishing the old one.
    RemoveOld,
    /// Publish both (the usual overlap period of a rotation).
    KeepOld,
}

/// Configures a [`TestIssuer`] before it starts.
#[derive(Debug, Clone)]
#[must_use]
pub struct TestIssuerBuilder {
    algorithms: Vec<Algorithm>,
    issuer: Option<String>,
    audience: String,
    addr: SocketAddr,
}

impl Default for TestIssuerBuilder {
    fn default() -> Self {
        Self {
            algorithms: vec![Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256],
            issuer: None,
            audience: "usso-test".to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

impl TestIssuerBuilder {
    /// The algorithms to hold keys for; the first is the default for
    /// minted tokens. Defaults to EdDSA, RS256 and ES256. HMAC algorithms
    /// are refused: a JWKS never publishes secrets.
    pub fn algorithms<I: IntoIterator<Item = Algorithm>>(mut self, algs: I) -> Self {
        self.algorithms = algs.into_iter().filter(|a| !a.is_symmetric()).collect();
        self
    }

    /// The `iss` of minted tokens. Defaults to the server's own URL
    /// (`http://127.0.0.1:PORT`).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The `aud` of minted tokens. Defaults to `usso-test`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Where to listen. Defaults to `127.0.0.1:0`: a free loopback port.
    /// On an unspecified address (`0.0.0.0:8000`) the issuer's URL names
    /// `127.0.0.1` with the port.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Binds and starts serving.
    ///
    /// # Panics
    /// If the address can't be bound or key generation fails: in a test
    /// there is nothing better to do than fail loudly. [`try_start`](Self::try_start)
    /// returns the binding error instead.
    pub async fn start(self) -> TestIssuer {
        let addr = self.addr;
        self.try_start()
            .await
            .unwrap_or_else(|e| panic!("TestIssuer: cannot bind {addr}: {e}"))
    }

    /// Like [`start`](Self::start), returning the error when the address
    /// can't be bound.
    ///
    /// # Errors
    /// The bind error.
    ///
    /// # Panics
    /// If key generation fails.
    pub async fn try_start(self) -> std::io::Result<TestIssuer> {
        let (listener, mut addr) = server::bind(self.addr).await?;
        if addr.ip().is_unspecified() {
            // 0.0.0.0 is where to listen, not an address to call.
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let base = format!("http://{addr}");
        let mut keys = Vec::new();
        for alg in self.algorithms.iter().copied() {
            let key = SigningKey::generate(alg)
                .unwrap_or_else(|e| panic!("TestIssuer: cannot generate a {alg} key: {e}"));
            keys.push(Entry {
                key: Arc::new(key),
                published: true,
                current: true,
            });
        }
        let state = Arc::new(State {
            issuer: self.issuer.unwrap_or_else(|| base.clone()),
            audience: self.audience,
            base,
            default_alg: self.algorithms.first().copied().unwrap_or_default(),
            keys: Mutex::new(keys),
            mode: Mutex::new(Mode::Healthy),
            cache_control: Mutex::new(None),
            fetches: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            extra_jwks: Mutex::new(Vec::new()),
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&state)));
        Ok(TestIssuer {
            state,
            addr,
            server,
        })
    }
}

impl TestIssuer {
    /// Starts an issuer with EdDSA, RS256 and ES256 keys.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// Configure before starting.
    pub fn builder() -> TestIssuerBuilder {
        TestIssuerBuilder::default()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.state.base
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The JWKS URL.
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.state.base)
    }

    /// The `iss` of minted tokens.
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// The `aud` of minted tokens.
    pub fn audience(&self) -> &str {
        &self.state.audience
    }

    /// A config builder pointing at this issuer (JWKS URL, issuer and
    /// audience set), to add settings to before `build()`.
    pub fn config_builder(&self) -> JwtConfigBuilder {
        JwtConfig::builder()
            .jwks_url(self.jwks_url())
            .issuer(self.issuer())
            .audience(self.audience())
    }

    /// A ready config pointing at this issuer.
    ///
    /// # Panics
    /// Never for the issuer's own settings.
    pub fn config(&self) -> JwtConfig {
        self.config_builder()
            .build()
            .unwrap_or_else(|e| panic!("TestIssuer config: {e}"))
    }

    /// A ready authenticator pointing at this issuer.
    ///
    /// # Panics
    /// Never for the issuer's own settings.
    pub fn auth(&self) -> UssoAuth {
        UssoAuth::new(self.config()).unwrap_or_else(|e| panic!("TestIssuer auth: {e}"))
    }

    /// Starts a token with the defaults described on [`TokenBuilder`].
    pub fn token(&self) -> TokenBuilder {
        TokenBuilder::new(Arc::clone(&self.state), self.state.default_alg)
    }

    /// The current signing key for `alg`, e.g. to read its `kid`.
    pub fn key(&self, alg: Algorithm) -> Option<Arc<SigningKey>> {
        self.state.current(alg)
    }

    /// Replaces the current key of every algorithm with a new one.
    pub fn rotate(&self, rotation: Rotation) {
        let mut keys = lock(&self.state.keys);
        let algs: Vec<Algorithm> = keys
            .iter()
            .filter(|e| e.current)
            .map(|e| e.key.algorithm())
            .collect();
        for entry in keys.iter_mut() {
            if entry.current {
                entry.current = false;
                entry.published = rotation == Rotation::KeepOld;
            }
        }
        for alg in algs {
            if let Ok(key) = SigningKey::generate(alg) {
                keys.push(Entry {
                    key: Arc::new(key),
                    published: true,
                    current: true,
                });
            }
        }
    }

    /// Adds a raw JSON value to the published `keys` array (e.g. a broken or
    /// unsupported JWK).
    pub fn publish_raw_jwk(&self, jwk: Value) {
        lock(&self.state.extra_jwks).push(jwk);
    }

    /// Publishes or withdraws the current key of `alg` without rotating.
    pub fn set_published(&self, alg: Algorithm, published: bool) {
        for entry in lock(&self.state.keys).iter_mut() {
            if entry.current && entry.key.algorithm() == alg {
                entry.published = published;
            }
        }
    }

    /// Every JWKS request from now on gets this HTTP status.
    pub fn fail_with(&self, status: u16) {
        *lock(&self.state.mode) = Mode::Fail(status);
    }

    /// Every JWKS request from now on hangs (the connection stays open
    /// without a response for two minutes).
    pub fn hang(&self) {
        *lock(&self.state.mode) = Mode::Hang;
    }

    /// Every JWKS request from now on gets a 200 with a body that is not JSON.
    pub fn serve_garbage(&self) {
        *lock(&self.state.mode) = Mode::Garbage;
    }

    /// Every JWKS request from now on gets a 200 with `bytes` of padding
    /// inside an otherwise valid document.
    pub fn serve_oversized(&self, bytes: usize) {
        *lock(&self.state.mode) = Mode::Oversized(bytes);
    }

    /// Serves normally again.
    pub fn heal(&self) {
        *lock(&self.state.mode) = Mode::Healthy;
    }

    /// Sends this `Cache-Control` header with the JWKS (`None`: no header).
    pub fn set_cache_control(&self, value: Option<&str>) {
        *lock(&self.state.cache_control) = value.map(str::to_owned);
    }

    /// How many JWKS requests were received (whatever was answered).
    pub fn fetch_count(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }

    /// Every request target received, in order (the last 1000).
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.requests).clone()
    }

    /// The JWKS document currently served.
    pub fn jwks(&self) -> Value {
        self.state.jwks()
    }
}

impl Drop for TestIssuer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

//! The Python SDK docs' "Multiple Tenants": one API trusting several identity servers.
//!
//! ```text
//! cargo run --example multi_tenant
//! ```
//!
//! Starts two embedded dev issuers, `tenant1` (audience `app1`) and
//! `tenant2` (audience `app2`), and serves `GET /data` twice:
//!
//! * `/data` picks the tenant from the `X-Tenant-ID` header
//!   (`MultiTenant::by_header`, the Python SDK's `request.headers.get("X-Tenant-ID")`):
//!   an unknown or missing tenant is a 400, and a token is only checked
//!   against that tenant's keys, issuer and audience;
//! * `/by-issuer/data` picks it from the token's `iss` (`MultiTenant::by_issuer`):
//!   no header needed, and an issuer outside the list is a 401.
//!
//! It prints tokens and `curl` lines with the status each returns. It listens
//! on `USSO_EXAMPLE_ADDR` (default `127.0.0.1:8002`).

#[allow(dead_code, unreachable_pub)]
#[path = "support/startup.rs"]
mod startup;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use usso::testing::TestIssuer;
use usso::{ConfigError, MultiTenant, UserData, UssoAuth};

/// `GET /data`: whichever tenant's token this is, as the Python SDK docs return it.
async fn get_data(user: UserData) -> Json<Value> {
    Json(json!({
        "tenant": user.tenant_id,
        "user": user.sub,
        "data": ["report-1", "report-2"],
    }))
}

/// The API, for any authenticator (one tenant, several, or a mock).
pub fn app(auth: UssoAuth) -> Router {
    Router::new().route("/data", get(get_data)).with_state(auth)
}

/// The Python SDK's `TENANT_CONFIGS` + `get_tenant_authenticator`: the tenant is
/// the `X-Tenant-ID` header.
pub fn by_header(tenant1: &TestIssuer, tenant2: &TestIssuer) -> Result<UssoAuth, ConfigError> {
    MultiTenant::by_header("X-Tenant-ID")
        .tenant("tenant1", tenant1.config_builder().build()?)
        .tenant("tenant2", tenant2.config_builder().build()?)
        .build()
}

/// The same tenants, chosen by the token's `iss` instead of a header. The
/// token must then also verify with that issuer's keys, so a tenant can
/// only sign for itself.
pub fn by_issuer(tenant1: &TestIssuer, tenant2: &TestIssuer) -> Result<UssoAuth, ConfigError> {
    MultiTenant::by_issuer()
        .tenant(tenant1.issuer(), tenant1.config_builder().build()?)
        .tenant(tenant2.issuer(), tenant2.config_builder().build()?)
        .build()
}

/// A request the demo prints as a `curl` line: method, path, persona whose
/// token is sent, an `X-Tenant-ID` value, and the status it returns.
pub type Try = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    u16,
);

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    ("GET", "/data", Some("tenant1"), Some("tenant1"), 200),
    ("GET", "/data", Some("tenant2"), Some("tenant2"), 200),
    // tenant2 does not trust tenant1's keys.
    ("GET", "/data", Some("tenant1"), Some("tenant2"), 401),
    // No (or an unknown) tenant header: the Python SDK docs' "Invalid tenant", a 400.
    ("GET", "/data", Some("tenant1"), None, 400),
    ("GET", "/data", Some("tenant1"), Some("tenant3"), 400),
    ("GET", "/by-issuer/data", Some("tenant1"), None, 200),
    ("GET", "/by-issuer/data", Some("tenant2"), None, 200),
    // Signed by an issuer that is not a tenant.
    ("GET", "/by-issuer/data", Some("outsider"), None, 401),
];

/// The `curl` line for a request.
pub fn curl(addr: SocketAddr, (method, path, persona, tenant, expect): Try) -> String {
    let mut line = format!("curl -s -w ' %{{http_code}}\\n' -X {method} http://{addr}{path}");
    if let Some(tenant) = tenant {
        line.push_str(&format!(" -H 'X-Tenant-ID: {tenant}'"));
    }
    if let Some(persona) = persona {
        let var = format!("{}_TOKEN", persona.to_uppercase());
        line.push_str(&format!(" -H \"Authorization: Bearer ${var}\""));
    }
    format!("{line}    # {expect}")
}

/// The running demo.
#[derive(Debug)]
pub struct Demo {
    /// Where the API listens.
    pub addr: SocketAddr,
    /// Persona (`tenant1`, `tenant2`, `outsider`) → token.
    pub tokens: BTreeMap<&'static str, String>,
    /// The two tenants' issuers and an outsider's, kept alive.
    pub issuers: [TestIssuer; 3],
    /// The server task.
    pub server: tokio::task::JoinHandle<()>,
}

/// Starts both issuers and the API on `addr`.
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    let tenant1 = TestIssuer::builder().audience("app1").start().await;
    let tenant2 = TestIssuer::builder().audience("app2").start().await;
    let outsider = TestIssuer::builder().audience("app1").start().await;
    let router =
        app(by_header(&tenant1, &tenant2)?).nest("/by-issuer", app(by_issuer(&tenant1, &tenant2)?));
    let mut tokens = BTreeMap::new();
    for (name, issuer) in [
        ("tenant1", &tenant1),
        ("tenant2", &tenant2),
        ("outsider", &outsider),
    ] {
        let token = issuer
            .token()
            .sub(format!("user:{name}-alice"))
            .tenant(name)
            .expires_in(std::time::Duration::from_secs(24 * 3600))
            .mint();
        tokens.insert(name, token);
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(Demo {
        addr,
        tokens,
        issuers: [tenant1, tenant2, outsider],
        server,
    })
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let addr = match startup::addr_or_exit("127.0.0.1:8002") {
        Ok(addr) => addr,
        Err(code) => return code,
    };
    startup::exit(run(addr).await, addr)
}

#[allow(dead_code)]
async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let demo = start(addr).await?;
    println!("multi-tenant API listening on http://{}", demo.addr);
    for issuer in &demo.issuers[..2] {
        println!(
            "  tenant issuer {} (audience {})",
            issuer.issuer(),
            issuer.audience()
        );
    }
    println!("\nTokens (valid 24 h):");
    for (name, token) in &demo.tokens {
        println!("export {}_TOKEN={token}", name.to_uppercase());
    }
    println!("\nTry it (each line prints the status shown after #):");
    for try_ in TRIES {
        println!("{}", curl(demo.addr, *try_));
    }
    println!("\nCtrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

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

#[allow(dead_code, unreachable_pub)]
#[path = "support/demo.rs"]
mod demo;

pub use demo::Try;

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

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    Try::new("GET", "/data", Some("tenant1"), 200).header("X-Tenant-ID", "tenant1"),
    Try::new("GET", "/data", Some("tenant2"), 200).header("X-Tenant-ID", "tenant2"),
    // tenant2 does not trust tenant1's keys.
    Try::new("GET", "/data", Some("tenant1"), 401).header("X-Tenant-ID", "tenant2"),
    // No (or an unknown) tenant header: the Python SDK docs' "Invalid tenant", a 400.
    Try::new("GET", "/data", Some("tenant1"), 400),
    Try::new("GET", "/data", Some("tenant1"), 400).header("X-Tenant-ID", "tenant3"),
    Try::new("GET", "/by-issuer/data", Some("tenant1"), 200),
    Try::new("GET", "/by-issuer/data", Some("tenant2"), 200),
    // Signed by an issuer that is not a tenant.
    Try::new("GET", "/by-issuer/data", Some("outsider"), 401),
];

/// The running demo.
pub type Demo = demo::Demo<[TestIssuer; 3]>;

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
            .expires_in(demo::DAY)
            .mint();
        tokens.insert(name, token);
    }
    Ok(Demo::start(addr, router, tokens, [tenant1, tenant2, outsider]).await?)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    startup::main("127.0.0.1:8002", run).await
}

#[allow(dead_code)]
async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let demo = start(addr).await?;
    for issuer in &demo.issuer[..2] {
        println!(
            "tenant issuer {} (audience {})",
            issuer.issuer(),
            issuer.audience()
        );
    }
    demo.show("multi-tenant API", TRIES).await?;
    Ok(())
}

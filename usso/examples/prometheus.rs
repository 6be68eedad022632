//! usso's counters in Prometheus, and an audit line per request.
//!
//! ```text
//! cargo run -p usso --example prometheus --features metrics,testing
//! ```
//!
//! * Feature `metrics` makes usso count through the `metrics` facade; the
//!   `metrics-exporter-prometheus` recorder (without its own HTTP server:
//!   `default-features = false`) keeps the counters, and `GET /metrics`
//!   renders them in the Prometheus text format.
//! * [`UssoAuth::on_authenticated`] writes one audit line per request
//!   (outcome, subject, session, source), never the token.
//!
//! Starts an embedded dev issuer, prints a token and `curl` lines, and
//! listens on `USSO_EXAMPLE_ADDR` (default `127.0.0.1:8009`). Serve
//! `/metrics` only to your scraper (a separate listener, or a network
//! policy): counters tell an outsider how your service is doing.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use usso::testing::TestIssuer;
use usso::{UserData, UssoAuth};

/// A recorder and the handle that renders it.
pub fn recorder() -> (PrometheusRecorder, PrometheusHandle) {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    (recorder, handle)
}

/// `auth` with an audit line on standard error for every request.
pub fn audited(auth: UssoAuth) -> UssoAuth {
    auth.on_authenticated(|event| {
        eprintln!(
            "audit outcome={} sub={} session={} source={}",
            event.code(),
            event.subject().unwrap_or("-"),
            event.session_id().unwrap_or("-"),
            event.source().map_or("-", |s| s.kind()),
        );
    })
}

async fn me(user: UserData) -> String {
    format!("hello {}\n", user.sub.unwrap_or_default())
}

/// `/me` (authenticated) and `/metrics` (the exporter's text).
pub fn app(auth: UssoAuth, metrics: PrometheusHandle) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/metrics", get(move || async move { metrics.render() }))
        .with_state(auth)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (recorder, handle) = recorder();
    metrics::set_global_recorder(recorder)?;
    usso::metrics::describe();

    let issuer = TestIssuer::start().await;
    let token = issuer
        .token()
        .sub("user:erin")
        .claim("session_id", "s-1")
        .expires_in(std::time::Duration::from_secs(24 * 3600))
        .mint();
    let addr: SocketAddr = std::env::var("USSO_EXAMPLE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8009".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    println!("prometheus demo on http://{addr}");
    println!("  curl -H 'Authorization: Bearer {token}' http://{addr}/me   # 200");
    println!("  curl http://{addr}/me                                      # 401");
    println!("  curl http://{addr}/metrics                                 # the counters");
    axum::serve(listener, app(audited(issuer.auth()), handle)).await?;
    Ok(())
}

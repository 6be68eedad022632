//! The demo scaffolding the examples share, so that each shows only what its
//! section of the Python SDK docs teaches: serving with timeouts, the
//! tokens it prints, the `curl` lines that try the API (each with the
//! status it returns), and waiting for Ctrl-C.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use tokio::task::JoinHandle;

/// A day: how long the printed tokens stay valid.
pub const DAY: Duration = Duration::from_secs(24 * 3600);
/// How long a client may take to send its request headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request, body included, may take once its headers are in:
/// past it the answer is `408 Request Timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A running demo: where it listens, the tokens it printed, the issuer(s)
/// it keeps alive, and its server task.
#[derive(Debug)]
pub struct Demo<I> {
    /// Where the API listens.
    pub addr: SocketAddr,
    /// Persona → token.
    pub tokens: BTreeMap<&'static str, String>,
    /// The embedded issuer(s), kept alive.
    pub issuer: I,
    /// The server task.
    pub server: JoinHandle<()>,
}

impl<I> Demo<I> {
    /// Serves `router` on `addr` (see [`serve`]), keeping `issuer` alive.
    pub async fn start(
        addr: SocketAddr,
        router: Router,
        tokens: BTreeMap<&'static str, String>,
        issuer: I,
    ) -> std::io::Result<Self> {
        let (addr, server) = serve(addr, router).await?;
        Ok(Self {
            addr,
            tokens,
            issuer,
            server,
        })
    }

    /// Prints what `what` listens on, its tokens and `tries` (see
    /// [`show`]), then waits for Ctrl-C.
    pub async fn show(&self, what: &str, tries: &[Try]) -> std::io::Result<()> {
        show(what, self.addr, &self.tokens, tries).await
    }
}

/// One request a demo prints as a `curl` line, with the status it returns.
#[derive(Debug, Clone, Copy)]
pub struct Try {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The path on the demo's address.
    pub path: &'static str,
    /// The persona whose token goes in `Authorization: Bearer`, if any.
    pub persona: Option<&'static str>,
    /// One more header, e.g. `("X-Tenant-ID", "tenant1")`.
    pub header: Option<(&'static str, &'static str)>,
    /// The status it returns.
    pub expect: u16,
    /// The `error` its JSON body carries, when the demo says so.
    pub says: Option<&'static str>,
}

impl Try {
    /// `method path` with `persona`'s token (or none), returning `expect`.
    pub const fn new(
        method: &'static str,
        path: &'static str,
        persona: Option<&'static str>,
        expect: u16,
    ) -> Self {
        Self {
            method,
            path,
            persona,
            header: None,
            expect,
            says: None,
        }
    }

    /// The same with one more header.
    pub const fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.header = Some((name, value));
        self
    }

    /// The same, whose body's `error` is `error`.
    pub const fn says(mut self, error: &'static str) -> Self {
        self.says = Some(error);
        self
    }

    /// The `curl` line, annotated with the status.
    pub fn curl(&self, addr: SocketAddr) -> String {
        let (method, path) = (self.method, self.path);
        let mut line = format!("curl -s -w ' %{{http_code}}\\n' -X {method} http://{addr}{path}");
        if let Some((name, value)) = self.header {
            line.push_str(&format!(" -H '{name}: {value}'"));
        }
        if let Some(persona) = self.persona {
            let var = format!("{}_TOKEN", persona.to_uppercase());
            line.push_str(&format!(" -H \"Authorization: Bearer ${var}\""));
        }
        format!("{line}    # {}", self.expect)
    }
}

/// Serves `router` on `addr` with a header read timeout and a request
/// timeout (408). `axum::serve` sets neither, so one client holding a valid
/// token could keep a connection, and a task, forever: a header sent a byte
/// a minute, or `Content-Length: 1000000000` with one byte of body.
pub async fn serve(
    addr: SocketAddr,
    router: Router,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower_http::timeout::TimeoutLayer;

    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let router = router.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ));
    let server = tokio::spawn(async move {
        loop {
            // Out of file descriptors, say: wait instead of spinning.
            let Ok((stream, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let service = TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((addr, server))
}

/// Prints where `what` listens, the `export …_TOKEN=` lines and the `curl`
/// lines, then waits for Ctrl-C.
pub async fn show(
    what: &str,
    addr: SocketAddr,
    tokens: &BTreeMap<&'static str, String>,
    tries: &[Try],
) -> std::io::Result<()> {
    println!("{what} listening on http://{addr}");
    println!("\nTokens (valid 24 h):");
    for (name, token) in tokens {
        println!("export {}_TOKEN={token}", name.to_uppercase());
    }
    println!("\nTry it (each line prints the body and the status shown after #):");
    for try_ in tries {
        println!("{}", try_.curl(addr));
    }
    println!("\nCtrl-C to stop.");
    tokio::signal::ctrl_c().await
}

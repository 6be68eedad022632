//! The test issuer's HTTP server: hyper's HTTP/1.1 server on one socket,
//! answering from the issuer's state, with the failure modes production has.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::state::{Reply, State};

/// How long a "hanging" JWKS holds a connection open.
const HANG_FOR: Duration = Duration::from_secs(120);
/// How long a client may take to send its request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

pub(crate) async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        // Out of file descriptors, say: wait instead of spinning.
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(respond(&state, &request).await) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(HANG_FOR + Duration::from_secs(5), connection).await;
        });
    }
}

async fn respond(state: &State, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    match state.respond(target) {
        Reply::Hang => {
            // The connection is dropped before this answer is ever sent.
            tokio::time::sleep(HANG_FOR).await;
            Response::new(Full::default())
        }
        Reply::Send {
            status,
            content_type,
            cache_control,
            body,
        } => {
            let mut response = Response::builder()
                .status(status)
                .header("content-type", content_type);
            if let Some(cc) = cache_control {
                response = response.header("cache-control", cc);
            }
            response
                .body(Full::new(Bytes::from(body)))
                .unwrap_or_else(|_| Response::new(Full::default()))
        }
    }
}

//! A tiny HTTP/1.1 server on 127.0.0.1 for the test issuer: one request per
//! connection, bounded reads, and the failure modes production has.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::issuer::State;

/// The longest request head the server reads.
const MAX_REQUEST: usize = 16 * 1024;
/// How long a "hanging" JWKS holds a connection open.
const HANG_FOR: Duration = Duration::from_secs(120);

pub(crate) async fn bind() -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

pub(crate) async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let _ = tokio::time::timeout(HANG_FOR + Duration::from_secs(5), handle(stream, state))
                .await;
        });
    }
}

async fn handle(mut stream: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() + n > MAX_REQUEST {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("/")
        .to_owned();
    let reply = state.respond(&target);
    match reply {
        Reply::Hang => {
            tokio::time::sleep(HANG_FOR).await;
            Ok(())
        }
        Reply::Send {
            status,
            content_type,
            cache_control,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n",
                reason(status),
                body.len()
            );
            if let Some(cc) = cache_control {
                out.push_str(&format!("cache-control: {cc}\r\n"));
            }
            out.push_str("\r\n");
            stream.write_all(out.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.shutdown().await
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

pub(crate) enum Reply {
    Hang,
    Send {
        status: u16,
        content_type: &'static str,
        cache_control: Option<String>,
        body: Vec<u8>,
    },
}

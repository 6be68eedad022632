//! Start-up of the examples that serve HTTP: where they listen, and start-up
//! errors as one line that says what to do (not a `Debug` dump).
//!
//! Each example has its own default port, so several can run side by side;
//! `USSO_EXAMPLE_ADDR` overrides it (`127.0.0.1:0` picks a free port).

use std::error::Error;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::process::ExitCode;

use usso::ConfigError;

/// The variable that overrides an example's address.
pub const ADDR_VAR: &str = "USSO_EXAMPLE_ADDR";

/// `USSO_EXAMPLE_ADDR`, else `default`.
pub fn addr(default: &str) -> Result<SocketAddr, String> {
    let (text, from_env) = match std::env::var(ADDR_VAR) {
        Ok(value) => (value, true),
        Err(_) => (default.to_owned(), false),
    };
    text.parse().map_err(|_| {
        let source = if from_env {
            ADDR_VAR
        } else {
            "the default address"
        };
        format!("{source} `{text}` is not an address like 127.0.0.1:8001")
    })
}

/// The first error of type `T` in `err`'s chain.
fn find<'e, T: Error + 'static>(err: &'e (dyn Error + 'static)) -> Option<&'e T> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// One line for a start-up error at `addr`, with a hint.
pub fn explain(err: &(dyn Error + 'static), addr: SocketAddr) -> String {
    let change =
        format!("set {ADDR_VAR} to another address (`{ADDR_VAR}=127.0.0.1:0` picks a free port)");
    if let Some(io) = find::<std::io::Error>(err) {
        match io.kind() {
            ErrorKind::AddrInUse => return format!("{addr} is in use: {change}"),
            ErrorKind::PermissionDenied => {
                return format!("not allowed to listen on {addr}: {change}");
            }
            ErrorKind::AddrNotAvailable => {
                return format!("{addr} is not an address of this machine: {change}");
            }
            _ => {}
        }
    }
    if let Some(config) = find::<ConfigError>(err) {
        let hint = match config {
            ConfigError::MissingEnv { .. } | ConfigError::InvalidEnv { .. } => {
                "set USSO_JWKS_URL, USSO_ISSUER and USSO_AUDIENCE together, or unset USSO_JWKS_URL \
                 to use the embedded dev issuer"
            }
            _ => "check the USSO_* environment variables",
        };
        return format!("configuration: {config}: {hint}");
    }
    err.to_string().replace('\n', " ")
}

/// `main`'s exit: an error is printed once, as one line.
pub fn exit(result: Result<(), Box<dyn Error>>, addr: SocketAddr) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", explain(err.as_ref(), addr));
            ExitCode::FAILURE
        }
    }
}

/// For `main`: the address, or the error printed once.
pub fn addr_or_exit(default: &str) -> Result<SocketAddr, ExitCode> {
    addr(default).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}

/// An example's `main`: the address (`USSO_EXAMPLE_ADDR`, else `default`),
/// then `run`, with any error printed once, as one line with a hint.
pub async fn main<F, Fut>(default: &str, run: F) -> ExitCode
where
    F: FnOnce(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = Result<(), Box<dyn Error>>>,
{
    match addr_or_exit(default) {
        Ok(addr) => exit(run(addr).await, addr),
        Err(code) => code,
    }
}

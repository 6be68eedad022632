//! The Python SDK docs' "Quick Start": verify one access token, with a JWKS URL and
//! with a static public key.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Without configuration it starts an embedded dev issuer on 127.0.0.1,
//! mints a token, and verifies it both ways (and shows an expired token
//! failing). With `USSO_JWKS_URL`, `USSO_ISSUER` and `USSO_AUDIENCE` set it
//! verifies the token in `USSO_TOKEN` (or, if unset, one pasted at the
//! prompt, or piped to standard input) against that identity server instead:
//!
//! ```text
//! echo "$TOKEN" | USSO_JWKS_URL=https://sso.example.com/.well-known/jwks.json \
//!     USSO_ISSUER=https://sso.example.com USSO_AUDIENCE=your-app cargo run --example quickstart
//! ```

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use usso::testing::TestIssuer;
use usso::{Algorithm, AuthError, ConfigError, JwtConfig, Key, UserData, UssoAuth};

/// The Python SDK's `JWTConfig(jwks_url=..., issuer=..., audience=...)` and
/// `USSOAuth(config)`: keys are fetched from the JWKS URL (once, then cached).
pub fn jwks_auth(jwks_url: &str, issuer: &str, audience: &str) -> Result<UssoAuth, ConfigError> {
    let config = JwtConfig::builder()
        .jwks_url(jwks_url)
        .issuer(issuer)
        .audience(audience)
        .build()?;
    UssoAuth::new(config)
}

/// The Python SDK docs' "Option 2: provide public key directly" (`key=`, `type=Algorithm.EdDSA`).
/// `Key::pem` takes a `PUBLIC KEY` / `RSA PUBLIC KEY` / `CERTIFICATE` PEM;
/// `Key::ed25519("11qY…")` a raw Ed25519 key as USSO shows it, `Key::jwk` a
/// JWK, and `Key::parse` guesses like the Python SDK's `key=` does.
pub fn static_key_auth(
    public_key_pem: &str,
    issuer: &str,
    audience: &str,
) -> Result<UssoAuth, ConfigError> {
    let config = JwtConfig::builder()
        .key(Key::pem(public_key_pem))
        .algorithm(Algorithm::EdDSA)
        .issuer(issuer)
        .audience(audience)
        .build()?;
    UssoAuth::new(config)
}

/// The Python SDK's `try: auth.verify_token(...) except Exception as e: ...`.
pub async fn verify_and_print(auth: &UssoAuth, access_token: &str) -> Result<UserData, AuthError> {
    match auth.verify_token(access_token).await {
        Ok(user_data) => {
            println!("User ID: {}", user_data.sub.as_deref().unwrap_or("(none)"));
            println!("Roles: {:?}", user_data.roles);
            println!("Scopes: {:?}", user_data.scopes);
            Ok(user_data)
        }
        Err(e) => {
            // `e.code()` is stable (`token_expired`, `invalid_signature`, …).
            println!("Token verification failed: {e} ({})", e.code());
            Err(e)
        }
    }
}

/// What the embedded demo found.
#[derive(Debug)]
pub struct Demo {
    /// The dev issuer the token came from (kept alive for inspection).
    pub issuer: TestIssuer,
    /// The token verified with keys from the JWKS URL.
    pub with_jwks: Result<UserData, AuthError>,
    /// The same token verified with the issuer's public key, configured statically.
    pub with_static_key: Result<UserData, AuthError>,
    /// An expired token, verified with the JWKS authenticator.
    pub expired: Result<UserData, AuthError>,
}

/// The demo without an identity server: an embedded issuer, one token, both
/// ways of verifying it, and one failure.
pub async fn demo() -> Result<Demo, Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().audience("your-app").start().await;
    let access_token = issuer
        .token()
        .sub("user:alice")
        .roles(["editor"])
        .scopes(["read:posts", "write:posts"])
        .mint();

    println!("== Verify with a JWKS URL ({})", issuer.jwks_url());
    let auth = jwks_auth(&issuer.jwks_url(), issuer.issuer(), issuer.audience())?;
    let with_jwks = verify_and_print(&auth, &access_token).await;

    println!("\n== Verify with a static Ed25519 public key (PEM)");
    let pem = issuer
        .key(Algorithm::EdDSA)
        .and_then(|key| key.public_pem())
        .ok_or("the dev issuer has no Ed25519 key")?;
    let static_auth = static_key_auth(&pem, issuer.issuer(), issuer.audience())?;
    let with_static_key = verify_and_print(&static_auth, &access_token).await;

    println!("\n== An expired token");
    let expired = verify_and_print(&auth, &issuer.token().expired().mint()).await;

    Ok(Demo {
        issuer,
        with_jwks,
        with_static_key,
        expired,
    })
}

/// The token to verify when `USSO_TOKEN` is unset: on a terminal, prompt and
/// read one line; from a pipe, read everything.
pub fn read_token(
    terminal: bool,
    input: &mut impl BufRead,
    prompt: &mut impl Write,
) -> std::io::Result<String> {
    let mut token = String::new();
    if terminal {
        write!(
            prompt,
            "Paste an access token and press Enter (or set USSO_TOKEN): "
        )?;
        prompt.flush()?;
        input.read_line(&mut token)?;
    } else {
        input.read_to_string(&mut token)?;
    }
    // A pasted `Bearer …` header value works too.
    let token = token.trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token);
    Ok(token.trim().to_owned())
}

/// Verifies `USSO_TOKEN` (or one from standard input) against the configured
/// server. Every failure is printed once, here.
async fn verify_from_env() -> ExitCode {
    let auth = match JwtConfig::from_env().and_then(UssoAuth::new) {
        Ok(auth) => auth,
        Err(e) => {
            eprintln!(
                "error: {e}: set USSO_JWKS_URL, USSO_ISSUER and USSO_AUDIENCE together, \
                 or unset USSO_JWKS_URL for the embedded demo"
            );
            return ExitCode::FAILURE;
        }
    };
    let token = match std::env::var("USSO_TOKEN") {
        Ok(token) => token,
        Err(_) => {
            let stdin = std::io::stdin();
            let terminal = stdin.is_terminal();
            match read_token(terminal, &mut stdin.lock(), &mut std::io::stderr()) {
                Ok(token) => token,
                Err(e) => {
                    eprintln!("error: could not read the token from standard input: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    if token.is_empty() {
        eprintln!("error: no token: set USSO_TOKEN, or paste one at the prompt");
        return ExitCode::FAILURE;
    }
    // `verify_and_print` has said why it failed.
    match verify_and_print(&auth, token.trim()).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> ExitCode {
    if std::env::var_os("USSO_JWKS_URL").is_some() {
        return verify_from_env().await;
    }
    match demo().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

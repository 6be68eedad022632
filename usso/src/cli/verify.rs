//! `usso verify`: the full usso verification of one token.

use std::io::Read as _;
use std::time::Duration;

use serde_json::Value;

use super::args;
use super::time::{self, Claim};
use super::token;
use super::{Failure, Outcome, out, runtime};
use crate::{Algorithm, AuthError, ConfigError, JwtConfig, Key, UssoAuth};

/// The largest key file read (certificate chains included).
const MAX_KEY_FILE: u64 = 1024 * 1024;

/// What was asked for, for the notes and hints.
struct Settings {
    config: JwtConfig,
    leeway: u64,
}

pub(crate) fn run(args: &args::Verify) -> Outcome {
    let token_arg = args.token.as_str();
    let settings = settings(args)?;
    let token = token::read(token_arg)?;
    runtime()?.block_on(verify(settings, &token))
}

fn read_key_file(path: &str) -> Result<String, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read the key file `{path}`: {e}")))?;
    let mut text = String::new();
    file.take(MAX_KEY_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read the key file `{path}`: {e}")))?;
    if text.len() as u64 > MAX_KEY_FILE {
        return Err(Failure::usage(format!(
            "the key file `{path}` is larger than 1 MiB"
        )));
    }
    Ok(text)
}

fn settings(args: &args::Verify) -> Result<Settings, Failure> {
    let alg = args.alg;
    // `--jwks-url` with `--key-file` is refused by the argument parser.
    let mut builder = match (&args.jwks_url, &args.key_file) {
        (Some(_), _) if alg.is_some() => {
            return Err(Failure::usage(
                "--alg only applies to --key-file: JWKS keys carry their own algorithm",
            ));
        }
        (Some(url), _) => JwtConfig::builder().jwks_url(url),
        (None, Some(path)) => {
            let mut text = read_key_file(path)?;
            if alg.is_some_and(Algorithm::is_symmetric) {
                text.truncate(text.trim_end_matches(['\r', '\n']).len());
            }
            let builder = JwtConfig::builder().key(Key::parse(text));
            match alg {
                Some(alg) => builder.algorithm(alg),
                None => builder,
            }
        }
        (None, None) if std::env::var_os("USSO_JWKS_URL").is_some() => {
            JwtConfig::builder_from_env().map_err(|e| Failure::usage(e.to_string()))?
        }
        (None, None) => {
            return Err(Failure::usage(
                "`usso verify` needs --jwks-url <URL> or --key-file <FILE> (or USSO_JWKS_URL set; see `usso verify --help`)",
            ));
        }
    };
    let (issuers, audiences) = (args.issuers.clone(), args.audiences.clone());
    // From the environment, USSO_ISSUER and USSO_AUDIENCE were required.
    let from_env = args.jwks_url.is_none() && args.key_file.is_none();
    // A diagnostic tool checks what it is told to check (`--help` says so).
    if !from_env && issuers.is_empty() {
        builder = builder.verify_iss(false);
    }
    if !from_env && audiences.is_empty() {
        builder = builder.verify_aud(false);
    }
    builder = builder
        .issuers(issuers)
        .audiences(audiences)
        .leeway(Duration::from_secs(args.leeway));
    let config = builder.build().map_err(|e| Failure::usage(e.to_string()))?;
    Ok(Settings {
        config,
        leeway: args.leeway,
    })
}

async fn verify(settings: Settings, token: &str) -> Outcome {
    let config = settings.config.clone();
    let auth = UssoAuth::new(settings.config).map_err(|e| Failure::usage(e.to_string()))?;
    if let Some(store) = auth.jwks_store()
        && let Err(e) = store.prefetch().await
    {
        let reason = match e {
            ConfigError::KeysUnavailable { reason } => reason,
            other => other.to_string(),
        };
        return Err(Failure::Failed {
            message: format!("keys_unavailable: {reason}"),
            notes: vec![format!(
                "hint: see what the URL serves with `usso jwks {}`",
                store.url()
            )],
        });
    }
    let decoded = token::decode(token).ok();
    match auth.verify_token(token).await {
        Ok(_) => {
            // Verified: the payload is now trustworthy; print it as sent.
            let claims = decoded.map_or(Value::Null, |d| d.claims);
            out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&claims).unwrap_or_default()
            ));
            let mut notes = String::from("ok: signature, times");
            if !config.issuers().is_empty() {
                notes.push_str(", issuer");
            }
            if !config.audiences().is_empty() {
                notes.push_str(", audience");
            }
            notes.push_str(" verified\n");
            if config.issuers().is_empty() {
                notes.push_str("note: no --issuer given, so `iss` was not checked\n");
            }
            if config.audiences().is_empty() {
                notes.push_str("note: no --audience given, so `aud` was not checked\n");
            }
            eprint!("{notes}");
            Ok(())
        }
        Err(error) => Err(Failure::Failed {
            message: format!("{}: {error}", error.code()),
            notes: hints(&error, decoded.as_ref(), &config, settings.leeway),
        }),
    }
}

fn list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn claim(decoded: Option<&token::Decoded>, name: &str) -> String {
    decoded
        .and_then(|d| d.claims.get(name))
        .map_or_else(|| "absent".to_owned(), Value::to_string)
}

/// What to look at next, from the unverified claims.
fn hints(
    error: &AuthError,
    decoded: Option<&token::Decoded>,
    config: &JwtConfig,
    leeway: u64,
) -> Vec<String> {
    let time_claim = |name: &str| {
        decoded
            .and_then(|d| d.claims.get(name))
            .and_then(token::seconds)
    };
    let now = time::now();
    let hint = match error {
        AuthError::TokenExpired => time_claim("exp").map(|exp| {
            format!(
                "hint: exp is {} ({}); leeway {leeway}s",
                time::utc(exp),
                time::relative(Claim::Exp, exp, now)
            )
        }),
        AuthError::TokenNotYetValid => time_claim("nbf").map(|nbf| {
            format!(
                "hint: nbf is {} (valid in {}); leeway {leeway}s",
                time::utc(nbf),
                time::span(nbf.abs_diff(now))
            )
        }),
        AuthError::InvalidAudience => Some(format!(
            "hint: the token's aud is {}; accepted: {}",
            claim(decoded, "aud"),
            list(config.audiences())
        )),
        AuthError::InvalidIssuer => Some(format!(
            "hint: the token's iss is {}; accepted: {}",
            claim(decoded, "iss"),
            list(config.issuers())
        )),
        AuthError::UnknownKey { .. } => Some(match config.jwks_url() {
            Some(url) => format!("hint: list the keys the issuer publishes with `usso jwks {url}`"),
            None => "hint: the token names a `kid` that the static key does not have".to_owned(),
        }),
        AuthError::InvalidSignature => Some(
            "hint: the token was altered, or signed by a different key (another environment?)"
                .to_owned(),
        ),
        _ => None,
    };
    hint.into_iter().collect()
}

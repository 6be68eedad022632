//! The verification pipeline: size check → header → key → signature →
//! claims, in one pass over the token.

pub(crate) mod cache;
pub(crate) mod rules;
mod time;
mod verifier;

pub(crate) use time::check_times;
pub(crate) use verifier::Verifier;

pub use cache::{TokenCacheOptions, TokenCacheStats};

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::keys::verifying_key::VerifyingKey;
use crate::{Algorithm, AuthError, Claims, NumericDate};
use rules::{Rules, normalize_typ};

/// The longest `kid` we look up; longer ones are attacker noise.
pub(crate) const MAX_KID_LEN: usize = 256;
/// RSA-8192 signatures are 1024 bytes; nothing legitimate is longer.
const MAX_SIGNATURE_LEN: usize = 1024;

/// A token split and its header checked, before any key is involved.
#[derive(Debug)]
pub(crate) struct ParsedToken<'t> {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    signing_input: &'t [u8],
    signature: &'t [u8],
    payload: &'t [u8],
}

#[derive(Deserialize)]
struct RawHeader<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(default, borrow)]
    kid: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    typ: Option<Cow<'a, str>>,
    /// Any value, `null` included: its mere presence decides (see below).
    #[serde(default, deserialize_with = "present")]
    crit: Option<serde_json::Value>,
    // `jku`, `jwk`, `x5u` and `x5c` are deliberately not read: keys come
    // only from configuration (RFC 8725 §3.1, §3.10).
}

/// `Some(value)` for a present field, whatever its value (`null` too).
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(deserializer).map(Some)
}

fn b64_decode(part: &[u8], what: &'static str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthError::invalid(format!("the {what} is not valid base64url")))
}

/// JSON objects only: serde would happily read a struct from a JSON array.
fn require_object(json: &[u8], what: &'static str) -> Result<(), AuthError> {
    match json.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(()),
        _ => Err(AuthError::invalid(format!(
            "the {what} is not a JSON object"
        ))),
    }
}

/// Splits the token and validates its header.
pub(crate) fn parse<'t>(token: &'t str, rules: &Rules) -> Result<ParsedToken<'t>, AuthError> {
    if token.len() > rules.max_token_bytes {
        return Err(AuthError::invalid(format!(
            "the token is larger than {} bytes",
            rules.max_token_bytes
        )));
    }
    let bytes = token.as_bytes();
    // `str::find` with a char searches with SIMD; a byte loop showed up in
    // profiles.
    let first = token.find('.');
    let second = first.and_then(|f| token[f + 1..].find('.').map(|s| f + 1 + s));
    let (Some(first), Some(second)) = (first, second) else {
        return Err(AuthError::invalid("a JWT has three dot-separated parts"));
    };
    if token[second + 1..].contains('.') {
        return Err(if bytes.iter().filter(|b| **b == b'.').count() == 4 {
            AuthError::invalid("encrypted tokens (JWE) are not supported")
        } else {
            AuthError::invalid("a JWT has three dot-separated parts")
        });
    }
    let header_b64 = &bytes[..first];
    let payload = &bytes[first + 1..second];
    let signature = &bytes[second + 1..];
    if header_b64.is_empty() || payload.is_empty() {
        return Err(AuthError::invalid("the token has an empty part"));
    }
    // Headers are small: decode on the stack, falling back to the heap for
    // unusual ones (e.g. with certificate chains).
    let mut stack = [0u8; 512];
    let heap;
    let header_json: &[u8] = if header_b64.len().div_ceil(4) * 3 <= stack.len() {
        let n = URL_SAFE_NO_PAD
            .decode_slice(header_b64, &mut stack)
            .map_err(|_| AuthError::invalid("the header is not valid base64url"))?;
        &stack[..n]
    } else {
        heap = b64_decode(header_b64, "header")?;
        &heap
    };
    require_object(header_json, "header")?;
    let header: RawHeader<'_> = serde_json::from_slice(header_json)
        .map_err(|e| AuthError::invalid(format!("the header is invalid: {e}")))?;
    let alg = Algorithm::from_header(header.alg.as_bytes()).ok_or_else(|| {
        if header.alg.eq_ignore_ascii_case("none") {
            AuthError::invalid("unsigned tokens (alg `none`) are never accepted")
        } else {
            AuthError::invalid(format!(
                "unsupported algorithm `{}`",
                header
                    .alg
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .escape_debug()
            ))
        }
    })?;
    if let Some(crit) = &header.crit {
        // usso understands no JWS extensions, so any critical one must fail
        // (RFC 7515 §4.1.11); a `crit` that is not a non-empty array of
        // names (`null`, `[]`, `"x"`) is malformed and fails too.
        return Err(match crit.as_array().and_then(|names| names.first()) {
            Some(serde_json::Value::String(first)) => AuthError::invalid(format!(
                "unsupported critical header parameter `{}`",
                first.chars().take(32).collect::<String>().escape_debug()
            )),
            _ => AuthError::invalid("the header `crit` must be a non-empty array of names"),
        });
    }
    if let Some(expected) = &rules.typ {
        let ok = header
            .typ
            .as_deref()
            .is_some_and(|t| normalize_typ(t).eq_ignore_ascii_case(expected));
        if !ok {
            return Err(AuthError::invalid(format!(
                "the header `typ` must be `{expected}`"
            )));
        }
    }
    let kid = match header.kid {
        Some(kid) if kid.len() > MAX_KID_LEN => {
            return Err(AuthError::invalid("the header `kid` is too long"));
        }
        Some(kid) => Some(kid.into_owned()),
        None => None,
    };
    Ok(ParsedToken {
        alg,
        kid,
        signing_input: &bytes[..second],
        signature,
        payload,
    })
}

/// Checks the signature with `key`, then decodes and validates the claims.
pub(crate) fn finish<C: Claims>(
    token: &ParsedToken<'_>,
    key: &VerifyingKey,
    rules: &Rules,
    now: NumericDate,
) -> Result<C, AuthError> {
    check_signature(token, key)?;
    let claims = decode_claims::<C>(token)?;
    validate(claims.user_data(), rules, now)?;
    if !rules.required_claims.is_empty() {
        check_required(token, &rules.required_claims)?;
    }
    Ok(claims)
}

pub(crate) fn check_signature(
    token: &ParsedToken<'_>,
    key: &VerifyingKey,
) -> Result<(), AuthError> {
    if !key.allows(token.alg) {
        return Err(AuthError::invalid(format!(
            "algorithm {} is not allowed for this key",
            token.alg
        )));
    }
    if token.signature.len() > (MAX_SIGNATURE_LEN * 4).div_ceil(3) {
        return Err(AuthError::InvalidSignature);
    }
    let mut buf = [0u8; MAX_SIGNATURE_LEN];
    let len = URL_SAFE_NO_PAD
        .decode_slice(token.signature, &mut buf)
        .map_err(|_| AuthError::invalid("the signature is not valid base64url"))?;
    if len == 0 {
        return Err(AuthError::InvalidSignature);
    }
    if key.verify(token.alg, token.signing_input, &buf[..len]) {
        Ok(())
    } else {
        Err(AuthError::InvalidSignature)
    }
}

pub(crate) fn decode_claims<C: Claims>(token: &ParsedToken<'_>) -> Result<C, AuthError> {
    // Typical access tokens carry well under 2 KiB of claims: decode them on
    // the stack and keep the heap for the rare large ones.
    let mut stack = [0u8; 2048];
    let heap;
    let json: &[u8] = if token.payload.len().div_ceil(4) * 3 <= stack.len() {
        let n = URL_SAFE_NO_PAD
            .decode_slice(token.payload, &mut stack)
            .map_err(|_| AuthError::invalid("the payload is not valid base64url"))?;
        &stack[..n]
    } else {
        heap = b64_decode(token.payload, "payload")?;
        &heap
    };
    require_object(json, "payload")?;
    // One UTF-8 check over the whole payload (fast for ASCII) lets serde_json
    // skip re-validating every string it reads.
    let json = std::str::from_utf8(json)
        .map_err(|_| AuthError::invalid("the payload is not valid UTF-8"))?;
    crate::claims::error::from_json(json)
}

/// Every name in `required` is a key of the payload with a non-`null`
/// value. Read from the payload itself, not the claims type: a typed field
/// with a default (`roles: []`) can't tell "absent" from "empty".
fn check_required(token: &ParsedToken<'_>, required: &[String]) -> Result<(), AuthError> {
    let json = b64_decode(token.payload, "payload")?;
    let payload: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&json)
        .map_err(|e| AuthError::invalid(format!("invalid claims: {e}")))?;
    match required.iter().find(|name| {
        payload
            .get(name.as_str())
            .is_none_or(serde_json::Value::is_null)
    }) {
        Some(name) => Err(AuthError::MissingClaim {
            claim: name.clone(),
        }),
        None => Ok(()),
    }
}

/// The registered-claim rules (RFC 7519 §4.1, RFC 8725 §3.8–3.10).
pub(crate) fn validate(
    claims: &crate::UserData,
    rules: &Rules,
    now: NumericDate,
) -> Result<(), AuthError> {
    check_times(claims.exp, claims.nbf, claims.iat, rules, now)?;
    if rules.verify_iss && !rules.issuers.is_empty() {
        match &claims.iss {
            Some(iss) if rules.issuers.iter().any(|i| i == iss) => {}
            _ => return Err(AuthError::InvalidIssuer),
        }
    }
    if rules.verify_aud && !rules.audiences.is_empty() {
        match &claims.aud {
            Some(aud) if rules.audiences.iter().any(|a| aud.contains(a)) => {}
            _ => return Err(AuthError::InvalidAudience),
        }
    }
    match &claims.token_type {
        Some(t) if !rules.token_types.iter().any(|allowed| allowed == t) => {
            return Err(AuthError::InvalidTokenType {
                expected: rules.token_types.clone(),
                provided: Some(t.chars().take(32).collect()),
            });
        }
        None if rules.require_token_type => {
            return Err(AuthError::InvalidTokenType {
                expected: rules.token_types.clone(),
                provided: None,
            });
        }
        _ => {}
    }
    Ok(())
}

#[derive(Deserialize)]
struct UnverifiedIssuer<'a> {
    #[serde(borrow, default)]
    iss: Option<Cow<'a, str>>,
}

/// The `iss` of a token **not yet verified**: only ever used to pick which
/// keys may verify it (multi-tenant, fleet configs), whose verifier then
/// requires this very `iss` after the signature check.
pub(crate) fn unverified_issuer(token: &str) -> Result<Option<String>, AuthError> {
    let payload = token.split('.').nth(1).unwrap_or("");
    if payload.len() > 64 * 1024 {
        return Err(AuthError::invalid("the token is too large"));
    }
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| AuthError::invalid("the payload is not valid base64url"))?;
    let claims: UnverifiedIssuer<'_> = serde_json::from_slice(&json).map_err(|e| {
        AuthError::invalid(if e.is_data() {
            "claim `iss` must be a string"
        } else {
            "the claims are not valid JSON"
        })
    })?;
    Ok(claims.iss.map(Cow::into_owned))
}

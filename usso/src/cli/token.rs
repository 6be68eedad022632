//! Getting the token (argument or standard input) and decoding it without
//! verification.

use std::io::{IsTerminal as _, Read as _};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::Failure;

/// The largest token read (usso's own upper bound for `max_token_bytes`).
pub(crate) const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The token named by `arg`: the argument itself, or standard input for
/// `-`. Surrounding whitespace and a `Bearer ` prefix are removed, so a
/// copied `Authorization` header value works too.
pub(crate) fn read(arg: &str) -> Result<String, Failure> {
    let raw = if arg == "-" {
        if std::io::stdin().is_terminal() {
            eprintln!("(paste the token, then press Enter and Ctrl-D)");
        }
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_TOKEN_BYTES as u64 * 2)
            .read_to_end(&mut buf)
            .map_err(|e| Failure::usage(format!("cannot read the token from stdin: {e}")))?;
        String::from_utf8(buf)
            .map_err(|_| Failure::failed("the token on stdin is not UTF-8 text"))?
    } else {
        arg.to_owned()
    };
    let mut token = raw.trim();
    if let Some(prefix) = token.get(..7)
        && prefix.eq_ignore_ascii_case("bearer ")
    {
        token = token[7..].trim_start();
    }
    if token.is_empty() {
        return Err(Failure::usage(if arg == "-" {
            "no token on stdin"
        } else {
            "the token is empty"
        }));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Failure::failed(format!(
            "the token is larger than {} KiB; this is not an access token",
            MAX_TOKEN_BYTES / 1024
        )));
    }
    Ok(token.to_owned())
}

/// A token's parts, decoded but NOT verified.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) header: Value,
    pub(crate) claims: Value,
    /// Decoded signature length; `None` if it is not base64url.
    pub(crate) signature_len: Option<usize>,
}

fn b64(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()
}

fn json_object(part: &str, what: &str) -> Result<Value, String> {
    let bytes = b64(part).ok_or_else(|| format!("the {what} is not valid base64url"))?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("the {what} is not JSON ({e})"))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(format!("the {what} is not a JSON object"))
    }
}

/// Splits and decodes a compact JWS. The error never contains the token.
pub(crate) fn decode(token: &str) -> Result<Decoded, String> {
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => {
            return Err(
                "this is an encrypted token (JWE, 5 parts); only its issuer can read it".into(),
            );
        }
        n => {
            return Err(format!(
                "not a JWT: expected 3 dot-separated parts, found {n}"
            ));
        }
    }
    Ok(Decoded {
        header: json_object(parts[0], "header")?,
        claims: json_object(parts[1], "payload")?,
        signature_len: b64(parts[2]).map(|s| s.len()),
    })
}

/// A time claim as whole seconds, if it is a number.
pub(crate) fn seconds(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &str) -> String {
        URL_SAFE_NO_PAD.encode(v)
    }

    #[test]
    fn decodes_and_refuses_without_echoing() {
        let token = format!(
            "{}.{}.{}",
            enc(r#"{"alg":"EdDSA","kid":"k1"}"#),
            enc(r#"{"sub":"user:1","exp":1700000000}"#),
            enc("sixty-four bytes, more or less")
        );
        let d = decode(&token).unwrap();
        assert_eq!(d.header["kid"], "k1");
        assert_eq!(d.claims["sub"], "user:1");
        assert_eq!(seconds(&d.claims["exp"]), Some(1_700_000_000));
        assert_eq!(d.signature_len, Some(30));
        for bad in [
            "abc".to_owned(),
            "a.b.c.d.e".to_owned(),
            format!("{}.{}.x", enc("[1]"), enc("{}")),
            format!("{}.!!!.x", enc("{}")),
        ] {
            let err = decode(&bad).unwrap_err();
            assert!(!err.contains(&bad), "{err}");
        }
    }

    #[test]
    fn bearer_prefix_and_whitespace() {
        assert_eq!(read("  Bearer a.b.c \n").unwrap(), "a.b.c");
        assert_eq!(read("a.b.c").unwrap(), "a.b.c");
        assert!(matches!(read("   "), Err(Failure::Usage(_))));
    }

    #[test]
    fn float_times() {
        assert_eq!(seconds(&serde_json::json!(1.7e9)), Some(1_700_000_000));
        assert_eq!(seconds(&serde_json::json!("soon")), None);
    }
}

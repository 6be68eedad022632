//! `usso inspect`: decode a token without verifying it.

use serde_json::Value;

use super::args;
use super::time::{self, Claim};
use super::token;
use super::{Failure, Outcome, out};

pub(crate) fn run(args: &args::Inspect) -> Outcome {
    let token = token::read(&args.token)?;
    let decoded = token::decode(&token).map_err(Failure::failed)?;
    out(&render(&decoded, time::now()));
    Ok(())
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The report, for a token decoded at `now`.
fn render(decoded: &token::Decoded, now: i64) -> String {
    let mut text = String::from(
        "UNVERIFIED: decoded only. The signature, issuer, audience and times were NOT checked;\n\
         run `usso verify` before trusting any of this.\n\n",
    );
    text.push_str(&format!("Header:\n{}\n\n", pretty(&decoded.header)));
    text.push_str(&format!("Claims:\n{}\n\n", pretty(&decoded.claims)));
    text.push_str(&format!("Times (now {}):\n", time::utc(now)));
    for (name, claim) in [
        ("iat", Claim::Iat),
        ("nbf", Claim::Nbf),
        ("exp", Claim::Exp),
    ] {
        let line = match decoded.claims.get(name) {
            None if claim == Claim::Exp => {
                "absent (usso rejects tokens without `exp` by default)".to_owned()
            }
            None => "absent".to_owned(),
            Some(value) => match token::seconds(value) {
                Some(at) => format!("{}  {}", time::utc(at), time::relative(claim, at, now)),
                None => "not a number (usso rejects the token)".to_owned(),
            },
        };
        text.push_str(&format!("  {name}  {line}\n"));
    }
    let exp = decoded.claims.get("exp").and_then(token::seconds);
    let iat = decoded.claims.get("iat").and_then(token::seconds);
    if let (Some(exp), Some(iat)) = (exp, iat)
        && exp >= iat
    {
        text.push_str(&format!("  lifetime  {}\n", time::span(exp.abs_diff(iat))));
    }
    let alg = decoded
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("?");
    match decoded.signature_len {
        Some(len) => text.push_str(&format!(
            "\nSignature: {len} bytes, alg {alg} (not checked)\n"
        )),
        None => text.push_str("\nSignature: not valid base64url\n"),
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn report_labels_and_times() {
        let decoded = token::Decoded {
            header: json!({"alg": "EdDSA", "kid": "k1"}),
            claims: json!({"sub": "user:1", "iat": 1000, "nbf": 1000, "exp": 1300}),
            signature_len: Some(64),
        };
        let text = render(&decoded, 1050);
        assert!(text.starts_with("UNVERIFIED"), "{text}");
        assert!(text.contains("\"sub\": \"user:1\""), "{text}");
        assert!(
            text.contains("exp  1970-01-01 00:21:40 UTC  expires in 4m 10s"),
            "{text}"
        );
        assert!(
            text.contains("iat  1970-01-01 00:16:40 UTC  issued 50s ago"),
            "{text}"
        );
        assert!(text.contains("lifetime  5m 0s"), "{text}");
        assert!(text.contains("64 bytes, alg EdDSA"), "{text}");
        let text = render(&decoded, 1300 + 10_920);
        assert!(text.contains("expired 3h 2m ago"), "{text}");
    }

    #[test]
    fn missing_and_odd_times() {
        let decoded = token::Decoded {
            header: json!({"alg": "RS256"}),
            claims: json!({"exp": "tomorrow"}),
            signature_len: None,
        };
        let text = render(&decoded, 0);
        assert!(text.contains("exp  not a number"), "{text}");
        assert!(text.contains("iat  absent"), "{text}");
        assert!(text.contains("not valid base64url"), "{text}");
    }
}

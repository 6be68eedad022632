//! `usso jwks`: fetch a key set and say, key by key, what usso makes of it.

use std::collections::HashSet;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::args;
use super::{Failure, Outcome, out, runtime};
use crate::keys::verifying_key::VerifyingKey;
use crate::{Algorithm, JwksOptions};

pub(crate) fn run(args: &args::Jwks) -> Outcome {
    let url = args.url.as_str();
    crate::config::check_url("url", url).map_err(|e| Failure::usage(e.to_string()))?;
    let fetched = runtime()?.block_on(fetch(url))?;
    let report = report(&fetched);
    out(&report.text);
    let (usable, skipped) = report.keys?;
    if usable == 0 {
        return Err(Failure::failed(format!(
            "the JWKS holds no usable key ({skipped} skipped): usso would refuse it"
        )));
    }
    Ok(())
}

/// One bounded GET.
#[derive(Debug)]
struct Fetched {
    url: String,
    status: u16,
    content_type: Option<String>,
    cache_control: Option<String>,
    body: Vec<u8>,
}

async fn fetch(url: &str) -> Result<Fetched, Failure> {
    let options = JwksOptions::default();
    let timeout = options.fetch_timeout;
    let max = options.max_body_bytes;
    // The store's own client: same timeouts and redirect rules.
    let client = crate::jwks::fetch::default_client(&options)
        .map_err(|e| Failure::failed(format!("cannot build the HTTP client: {e}")))?;
    let failed = |e: reqwest::Error| {
        if e.is_timeout() {
            Failure::failed(format!("no response from {url} within {timeout:?}"))
        } else {
            Failure::failed(format!("cannot fetch {url}: {}", chain(&e.without_url())))
        }
    };
    let request = async {
        let mut response = client
            .get(url)
            .header("accept", "application/jwk-set+json, application/json")
            .send()
            .await
            .map_err(failed)?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (content_type, cache_control) = (header("content-type"), header("cache-control"));
        let status = response.status().as_u16();
        if response.content_length().unwrap_or(0) > max as u64 {
            return Err(too_large(url, max));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > max {
                return Err(too_large(url, max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            url: url.to_owned(),
            status,
            content_type,
            cache_control,
            body,
        })
    };
    match tokio::time::timeout(timeout + Duration::from_millis(100), request).await {
        Ok(result) => result,
        Err(_) => Err(Failure::failed(format!(
            "no complete response from {url} within {timeout:?}"
        ))),
    }
}

/// An error and its causes, on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn too_large(url: &str, max: usize) -> Failure {
    Failure::failed(format!(
        "the response from {url} is larger than {} KiB; usso would refuse it",
        max / 1024
    ))
}

/// One row of the table.
#[derive(Debug)]
struct Row {
    cells: [String; 6],
    status: String,
    usable: bool,
}

/// What to print, and `(usable, skipped)` keys or why the document is not a JWKS.
#[derive(Debug)]
struct Report {
    text: String,
    keys: Result<(usize, usize), Failure>,
}

fn field(key: &Value, name: &str) -> String {
    match key.get(name) {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s)) => shown_kid(s),
        Some(other) => other.to_string(),
    }
}

/// Attacker-controlled text, printable and short.
fn shown_kid(s: &str) -> String {
    let short: String = s.chars().take(64).collect();
    let mut shown = short.escape_debug().to_string();
    if s.chars().count() > 64 {
        shown.push_str("...");
    }
    shown
}

fn rsa_bits(key: &Value) -> Option<usize> {
    let n = URL_SAFE_NO_PAD
        .decode(key.get("n")?.as_str()?.trim_end_matches('='))
        .ok()?;
    let n = crate::keys::der::strip_leading_zeros(&n);
    let first = n.first()?;
    Some(n.len() * 8 - first.leading_zeros() as usize)
}

fn size(key: &Value) -> String {
    match key.get("kty").and_then(Value::as_str) {
        Some("RSA") => rsa_bits(key).map_or_else(|| "-".to_owned(), |b| format!("{b} bits")),
        _ => field(key, "crv"),
    }
}

/// What usso's key store does with one key: the store's own check.
fn check(value: &Value) -> Result<std::sync::Arc<VerifyingKey>, String> {
    crate::jwks::cache::parse_key(value.clone())
}

fn report(fetched: &Fetched) -> Report {
    let mut text = String::new();
    let keys = table(fetched, &mut text);
    Report { text, keys }
}

fn table(fetched: &Fetched, text: &mut String) -> Result<(usize, usize), Failure> {
    text.push_str(&format!("GET {}\n  HTTP {}", fetched.url, fetched.status));
    if let Some(ct) = &fetched.content_type {
        text.push_str(&format!(", content-type {ct}"));
    }
    text.push_str(&format!(
        ", cache-control {}",
        fetched
            .cache_control
            .as_deref()
            .unwrap_or("(none: usso caches 5 min)")
    ));
    text.push_str(&format!(", {} bytes\n", fetched.body.len()));
    if !(200..300).contains(&fetched.status) {
        return Err(Failure::Failed {
            message: format!("the server answered HTTP {}", fetched.status),
            notes: vec![
                "hint: a USSO JWKS is usually at <issuer>/.well-known/jwks.json".to_owned(),
            ],
        });
    }
    let document: Value = serde_json::from_slice(&fetched.body)
        .map_err(|e| Failure::failed(format!("the response is not JSON ({e}), so not a JWKS")))?;
    let Some(keys) = document.get("keys").and_then(Value::as_array) else {
        let mut notes = Vec::new();
        if let Some(uri) = document.get("jwks_uri").and_then(Value::as_str) {
            notes.push(format!(
                "hint: this is an OpenID configuration; its JWKS is at {}",
                shown_kid(uri)
            ));
        }
        return Err(Failure::Failed {
            message: "the response is JSON but has no `keys` array, so not a JWKS".into(),
            notes,
        });
    };
    let max_keys = JwksOptions::default().max_keys;
    let mut kids = HashSet::new();
    let mut rows = Vec::new();
    for (index, key) in keys.iter().enumerate() {
        let verdict = if index >= max_keys {
            Err(format!("beyond the first {max_keys} keys, ignored"))
        } else {
            check(key).and_then(|vk| match vk.kid() {
                Some(kid) if !kids.insert(kid.to_owned()) => {
                    Err("duplicate kid: an earlier key has it".to_owned())
                }
                _ => Ok(vk),
            })
        };
        let (usable, status) = match verdict {
            Ok(vk) => {
                let algs: Vec<&str> = Algorithm::ALL
                    .into_iter()
                    .filter(|a| vk.allows(*a))
                    .map(Algorithm::as_str)
                    .collect();
                (true, format!("ok: verifies {}", algs.join(" ")))
            }
            Err(reason) => (false, format!("SKIPPED: {reason}")),
        };
        rows.push(Row {
            cells: [
                index.to_string(),
                field(key, "kid"),
                field(key, "kty"),
                field(key, "alg"),
                field(key, "use"),
                size(key),
            ],
            status,
            usable,
        });
    }
    let usable = rows.iter().filter(|r| r.usable).count();
    let skipped = rows.len() - usable;
    text.push_str(&format!(
        "\n{} keys: {usable} usable, {skipped} skipped\n\n",
        rows.len()
    ));
    let header = ["#", "KID", "KTY", "ALG", "USE", "CRV/SIZE"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(&row.cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String], status: &str| {
        let mut line = String::new();
        for (cell, w) in cells.iter().zip(widths) {
            line.push_str(&format!("{cell:<w$}  "));
        }
        line.push_str(status);
        line.push('\n');
        line
    };
    text.push_str(&line(&header.map(str::to_owned), "STATUS"));
    for row in &rows {
        text.push_str(&line(&row.cells, &row.status));
    }
    if rows.iter().any(|r| r.usable && r.cells[1] == "-") {
        text.push_str(
            "\nA usable key without a kid only verifies tokens without a kid, and only when it is\n\
             the one key of the token's algorithm.\n",
        );
    }
    Ok((usable, skipped))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fetched(doc: &Value) -> Fetched {
        Fetched {
            url: "http://127.0.0.1:1/jwks".into(),
            status: 200,
            content_type: Some("application/json".into()),
            cache_control: None,
            body: doc.to_string().into_bytes(),
        }
    }

    #[test]
    fn every_skip_reason_is_reported() {
        let ed = json!({"kty": "OKP", "crv": "Ed25519", "kid": "a", "alg": "EdDSA", "use": "sig",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        let doc = json!({"keys": [
            ed,
            ed,
            {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "enc", "use": "enc",
             "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kid": 7},
        ]});
        let report = report(&fetched(&doc));
        assert_eq!(report.keys, Ok((1, 5)), "{}", report.text);
        let text = &report.text;
        assert!(text.contains("ok: verifies EdDSA"), "{text}");
        assert!(text.contains("duplicate kid"), "{text}");
        assert!(text.contains("P-521"), "{text}");
        assert!(text.contains("never accepted from a JWKS"), "{text}");
        assert!(text.contains("`use` is `enc`"), "{text}");
        assert!(text.contains("not a JWK"), "{text}");
    }

    #[test]
    fn not_a_jwks() {
        let discovery = json!({"issuer": "x", "jwks_uri": "http://x/.well-known/jwks.json"});
        let Err(Failure::Failed { notes, .. }) = report(&fetched(&discovery)).keys else {
            panic!()
        };
        assert!(notes[0].contains("jwks_uri") || notes[0].contains("OpenID"));
    }
}

//! Token extraction from request headers: `usso::find_token` with the
//! default sources (`Authorization: Bearer`, then the `usso-access-token`
//! cookie), with cookie and custom-header sources, and with a cookie source
//! alone.
//!
//! The input is a header block: lines `name: value` separated by `\n`, so
//! that seeds are real headers. Names and values are arbitrary bytes; lines
//! `http` refuses are skipped (as hyper would refuse them). Repeated names
//! are appended, so duplicate `authorization` headers are reachable.
//!
//! Properties: a found token is non-empty, is a slice of one header value
//! (never assembled or decoded), and a token taken from a header (not a
//! cookie) holds no whitespace.
#![no_main]

use http::header::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use usso::{DEFAULT_COOKIE, TokenSource, find_token};

fn headers(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = &line[..colon];
        let value = line[colon + 1..]
            .strip_prefix(b" ")
            .unwrap_or(&line[colon + 1..]);
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        else {
            continue;
        };
        map.append(name, value);
    }
    map
}

fn check(headers: &HeaderMap, sources: &[TokenSource]) {
    let Ok(token) = find_token(headers, sources) else {
        return;
    };
    assert!(!token.is_empty(), "found an empty token");
    let start = token.as_ptr() as usize;
    let end = start + token.len();
    let (name, _) = headers
        .iter()
        .find(|(_, v)| {
            let v = v.as_bytes();
            let v_start = v.as_ptr() as usize;
            v_start <= start && end <= v_start + v.len()
        })
        .expect("a found token is a slice of a header value");
    if name != http::header::COOKIE {
        assert!(
            !token.bytes().any(|b| b.is_ascii_whitespace()),
            "a header token holds whitespace: {token:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let headers = headers(data);
    check(&headers, &TokenSource::defaults());
    check(
        &headers,
        &[
            TokenSource::cookie("access_token"),
            TokenSource::header("x-access-token").expect("a valid name"),
            TokenSource::header_with_prefix("x-token", "Token").expect("a valid name"),
            TokenSource::authorization(),
        ],
    );
    check(&headers, &[TokenSource::cookie(DEFAULT_COOKIE)]);
    check(
        &headers,
        &[
            TokenSource::cookie(""),
            TokenSource::header("authorization").expect("a valid name"),
        ],
    );
});

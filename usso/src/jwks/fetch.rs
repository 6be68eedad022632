//! The HTTP side of the JWKS store: one bounded GET, and the cache lifetime
//! the response asks for.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::header::{self, HeaderMap};

use crate::JwksOptions;

/// Why one fetch failed. Its `Display` is what ends up in logs and in
/// [`JwksError`](super::JwksError); it never contains the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchError {
    /// Connection, TLS or protocol failure.
    Transport(String),
    /// The whole fetch took longer than `fetch_timeout`.
    Timeout(Duration),
    /// A non-2xx status.
    Status(u16),
    /// The body is larger than `max_body_bytes`.
    TooLarge(usize),
    /// The body is not a JWKS, or not the document expected.
    Invalid(String),
    /// The JWKS parsed but holds no key usso can use.
    NoUsableKeys { skipped: usize },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "request failed: {e}"),
            Self::Timeout(d) => write!(f, "no complete response within {d:?}"),
            Self::Status(s) => write!(f, "the server answered HTTP {s}"),
            Self::TooLarge(max) => write!(f, "the response is larger than {max} bytes"),
            Self::Invalid(e) => write!(f, "the response is invalid: {e}"),
            Self::NoUsableKeys { skipped } => {
                write!(f, "the JWKS holds no usable key ({skipped} skipped)")
            }
        }
    }
}

/// A successful response: its body and the cache lifetime it asked for
/// (before clamping), if any.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) body: Vec<u8>,
    pub(crate) max_age: Option<Duration>,
}

/// The client usso builds when the application passes none. JWKS fetches
/// are minutes apart, so idle connections are not kept: that also keeps a
/// store shared between runtimes from reusing a connection whose runtime
/// is gone.
pub(crate) fn default_client(options: &JwksOptions) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(options.connect_timeout)
        .timeout(options.fetch_timeout)
        .pool_max_idle_per_host(0)
        .redirect(redirect_policy(options.cross_origin_redirects))
        .user_agent(concat!("usso/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Most redirect hops one fetch follows.
const MAX_REDIRECTS: usize = 3;

fn redirect_policy(cross_origin: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        // Never from https to http: a downgrade would let anyone on the path
        // replace the keys. Never to another origin unless allowed: the
        // keys decide who may sign tokens.
        let downgrade = attempt.url().scheme() != "https"
            && attempt.previous().iter().any(|u| u.scheme() == "https");
        let origin = attempt.previous().first().map(reqwest::Url::origin);
        if downgrade {
            attempt.error("refusing a JWKS redirect from https to http")
        } else if !cross_origin && origin.is_some_and(|o| o != attempt.url().origin()) {
            let to = attempt.url().origin().ascii_serialization();
            attempt.error(format!(
                "refusing a cross-origin JWKS redirect to {to} (allow it with JwksOptions::cross_origin_redirects)"
            ))
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} JWKS redirects"))
        } else {
            attempt.follow()
        }
    })
}

/// GETs exactly `url` (nothing from any token is ever added to it), bounded
/// by `options.fetch_timeout` as a whole and by `options.max_body_bytes`
/// while streaming the body.
pub(crate) async fn get(
    client: &reqwest::Client,
    url: &str,
    options: &JwksOptions,
) -> Result<Fetched, FetchError> {
    let timeout = options.fetch_timeout;
    match tokio::time::timeout(timeout, get_unbounded(client, url, options)).await {
        Ok(result) => result,
        Err(_) => Err(FetchError::Timeout(timeout)),
    }
}

async fn get_unbounded(
    client: &reqwest::Client,
    url: &str,
    options: &JwksOptions,
) -> Result<Fetched, FetchError> {
    let (timeout, max_body) = (options.fetch_timeout, options.max_body_bytes);
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            FetchError::Timeout(timeout)
        } else {
            // Without the URL (it is logged separately, once), with the
            // causes (a refused redirect says why only in its source).
            let mut causes = String::new();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                causes.push_str(": ");
                causes.push_str(&cause.to_string());
                source = cause.source();
            }
            FetchError::Transport(format!("{}{causes}", e.without_url()))
        }
    };
    let mut response = client
        .get(url)
        // A client the application passed keeps its own settings, but no
        // single fetch may outlive `fetch_timeout`.
        .timeout(timeout)
        .header(header::ACCEPT, "application/jwk-set+json, application/json")
        .send()
        .await
        .map_err(transport)?;
    // An application's own client follows its own redirect policy; the
    // answer still has to come from where usso's policy would have allowed.
    if let Ok(asked) = reqwest::Url::parse(url) {
        let came = response.url();
        if asked.scheme() == "https" && came.scheme() != "https" {
            return Err(FetchError::Transport(
                "refusing a JWKS redirect from https to http".into(),
            ));
        }
        if !options.cross_origin_redirects && asked.origin() != came.origin() {
            return Err(FetchError::Transport(format!(
                "refusing a cross-origin JWKS redirect to {} (allow it with JwksOptions::cross_origin_redirects)",
                came.origin().ascii_serialization()
            )));
        }
    }
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    // Content-Length may only shorten the work, never extend the limit.
    let declared = response.content_length().unwrap_or(0);
    if declared > max_body as u64 {
        return Err(FetchError::TooLarge(max_body));
    }
    let max_age = max_age(response.headers(), SystemTime::now());
    let mut body = Vec::with_capacity((declared as usize).min(max_body));
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > max_body {
            return Err(FetchError::TooLarge(max_body));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { body, max_age })
}

/// The lifetime the response asks for: `Cache-Control: max-age`, else
/// `Expires` (relative to `Date`, or to `now`). `no-store` / `no-cache` and
/// an unparsable or past `Expires` mean zero (the caller clamps it up to
/// `min_ttl`). `None` when the response says nothing.
pub(crate) fn max_age(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let mut no_cache = false;
    let mut max_age = None;
    for value in headers.get_all(header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, arg) = match directive.split_once('=') {
                Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                None => (directive, None),
            };
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                no_cache = true;
            } else if name.eq_ignore_ascii_case("max-age") && max_age.is_none() {
                max_age = arg.and_then(|a| a.parse::<u64>().ok());
            }
        }
    }
    if no_cache {
        return Some(Duration::ZERO);
    }
    if let Some(secs) = max_age {
        return Some(Duration::from_secs(secs));
    }
    let expires = headers.get(header::EXPIRES)?;
    let Some(expires) = expires.to_str().ok().and_then(parse_http_date) else {
        // RFC 9111 §5.3: an invalid Expires (e.g. "0") means "already expired".
        return Some(Duration::ZERO);
    };
    let base = headers
        .get(header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(parse_http_date)
        .unwrap_or(now);
    Some(expires.duration_since(base).unwrap_or(Duration::ZERO))
}

/// An HTTP date (`Expires`, `Date`): the IMF-fixdate senders generate and
/// the two obsolete forms recipients must still accept (RFC 9110 §5.6.7).
fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s).ok()
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn http_dates() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.duration_since(UNIX_EPOCH).unwrap().as_secs(), 784_111_777);
        let t = parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT").unwrap();
        assert_eq!(t, UNIX_EPOCH);
        let t = parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_835_481_599
        );
        // The obsolete RFC 850 and asctime forms (RFC 9110 §5.6.7).
        for obsolete in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            let t = parse_http_date(obsolete).unwrap();
            assert_eq!(t.duration_since(UNIX_EPOCH).unwrap().as_secs(), 784_111_777);
        }
        for bad in [
            "0",
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn cache_headers() {
        let now = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let secs = |h: &[(&'static str, &'static str)]| max_age(&headers(h), now);
        assert_eq!(secs(&[]), None);
        assert_eq!(
            secs(&[("cache-control", "public, max-age=600")]),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            secs(&[("cache-control", "Max-Age=\"60\", must-revalidate")]),
            Some(Duration::from_secs(60))
        );
        assert_eq!(secs(&[("cache-control", "no-store")]), Some(Duration::ZERO));
        assert_eq!(
            secs(&[("cache-control", "no-cache, max-age=600")]),
            Some(Duration::ZERO)
        );
        assert_eq!(
            secs(&[
                ("cache-control", "max-age=600"),
                ("cache-control", "no-store")
            ]),
            Some(Duration::ZERO)
        );
        assert_eq!(
            secs(&[
                ("cache-control", "max-age=oops"),
                ("cache-control", "max-age=5")
            ]),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            secs(&[("expires", "Sun, 06 Nov 1994 08:59:37 GMT")]),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            secs(&[
                ("expires", "Sun, 06 Nov 1994 08:59:37 GMT"),
                ("date", "Sun, 06 Nov 1994 08:58:37 GMT")
            ]),
            Some(Duration::from_secs(60))
        );
        assert_eq!(secs(&[("expires", "0")]), Some(Duration::ZERO));
        assert_eq!(
            secs(&[("expires", "Sun, 06 Nov 1994 08:00:00 GMT")]),
            Some(Duration::ZERO)
        );
        assert_eq!(
            secs(&[("cache-control", "max-age=7"), ("expires", "0")]),
            Some(Duration::from_secs(7))
        );
    }
}

//! What the core reads of an HTTP request, whatever the framework: its
//! method (safe or not), its target's scheme and authority, and header
//! values. axum hands over `http` 1 types, actix-web its own `http` 0.2-era
//! ones; each adapter implements [`RequestHead`] on what it has, so no
//! request is copied or converted on the hot path.

use http::{HeaderMap, HeaderName};

/// Header values by name, as raw bytes.
pub(crate) trait Headers {
    /// Every value of header `name`, in order.
    fn values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> + use<'a, Self>;
}

impl Headers for HeaderMap {
    fn values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        self.get_all(name)
            .into_iter()
            .map(http::HeaderValue::as_bytes)
    }
}

/// The parts of a request the authentication path reads.
pub(crate) trait RequestHead {
    /// The request's headers.
    type Headers: Headers;

    /// `GET`, `HEAD`, `OPTIONS` or `TRACE`: methods that change nothing
    /// (RFC 9110 §9.2.1), so a cookie-borne token needs no CSRF check.
    fn is_safe_method(&self) -> bool;

    /// The target's scheme, when the target is an absolute URI (HTTP/2).
    fn scheme(&self) -> Option<&str>;

    /// The target's authority, when the target has one (HTTP/2).
    fn authority(&self) -> Option<&str>;

    /// The headers.
    fn headers(&self) -> &Self::Headers;
}

/// A request in `http` 1 types (axum, and [`UssoAuth::authenticate`](crate::UssoAuth::authenticate)).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpHead<'r> {
    pub(crate) method: &'r http::Method,
    pub(crate) uri: &'r http::Uri,
    pub(crate) headers: &'r HeaderMap,
}

impl RequestHead for HttpHead<'_> {
    type Headers = HeaderMap;

    fn is_safe_method(&self) -> bool {
        matches!(
            *self.method,
            http::Method::GET | http::Method::HEAD | http::Method::OPTIONS | http::Method::TRACE
        )
    }

    fn scheme(&self) -> Option<&str> {
        self.uri.scheme_str()
    }

    fn authority(&self) -> Option<&str> {
        self.uri.authority().map(http::uri::Authority::as_str)
    }

    fn headers(&self) -> &HeaderMap {
        self.headers
    }
}

/// A header value as text, when it is visible ASCII (or tabs): what
/// `http::HeaderValue::to_str` accepts, for any framework's values.
pub(crate) fn visible_ascii(value: &[u8]) -> Option<&str> {
    // A fold without early exit, which the compiler vectorizes: this runs
    // over every token on every request, and the short-circuiting `all`
    // was 2 % of a cache-hit request's CPU in `perf` (benches/http.rs).
    let visible = value.iter().fold(true, |ok, &b| {
        ok & ((b == b'\t') | ((b' '..0x7f).contains(&b)))
    });
    if visible {
        std::str::from_utf8(value).ok()
    } else {
        None
    }
}

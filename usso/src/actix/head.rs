//! actix-web's request, as the core reads it: no copy, no conversion.

use actix_web::dev::RequestHead;
use actix_web::http::Method;
use actix_web::http::header::HeaderMap;

/// A request head in actix-web's types.
pub(super) struct ActixHead<'r>(pub(super) &'r RequestHead);

impl crate::request::Headers for HeaderMap {
    fn values<'a>(&'a self, name: &http::HeaderName) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        // actix-web's `HeaderName` is another `http` version's: look up by
        // the (lower-case) name.
        self.get_all(name.as_str())
            .map(actix_web::http::header::HeaderValue::as_bytes)
    }
}

impl crate::request::RequestHead for ActixHead<'_> {
    type Headers = HeaderMap;

    fn is_safe_method(&self) -> bool {
        matches!(
            self.0.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
        )
    }

    fn scheme(&self) -> Option<&str> {
        self.0.uri.scheme_str()
    }

    fn authority(&self) -> Option<&str> {
        self.0.uri.authority().map(|a| a.as_str())
    }

    fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }
}

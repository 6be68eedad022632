use http::header::{AUTHORIZATION, COOKIE, HOST, HeaderMap, HeaderName, ORIGIN};

use crate::request::{Headers, RequestHead, visible_ascii};

use crate::{AuthError, ConfigError};

/// Where a request's token may be found: the twin of the Python SDK's
/// `JWTHeaderConfig(type, prefix, cookie_name)`.
///
/// [`JwtConfig`](crate::JwtConfig) holds an ordered list; the first source
/// that is present in the request wins. The default list is
/// `Authorization: Bearer …`, then the `usso-access-token` cookie (the USSO
/// server's cookie).
///
/// ```
/// use usso::TokenSource;
///
/// let sources = [
///     TokenSource::authorization(),             // Authorization: Bearer <token>
///     TokenSource::header("X-Access-Token")?,   // the raw header value (any case)
///     TokenSource::cookie("access_token"),      // the Python SDK's default cookie name
/// ];
/// # let _ = sources;
/// # Ok::<(), usso::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// A header, optionally with a scheme prefix such as `Bearer`.
    Header {
        /// The header name.
        name: HeaderName,
        /// The scheme, matched case-insensitively; `None` takes the whole value.
        prefix: Option<String>,
    },
    /// A cookie.
    Cookie {
        /// The cookie name.
        name: String,
    },
}

/// The cookie the USSO server sets.
pub const DEFAULT_COOKIE: &str = "usso-access-token";

impl TokenSource {
    /// `Authorization: Bearer <token>`.
    pub fn authorization() -> Self {
        Self::Header {
            name: AUTHORIZATION,
            prefix: Some("Bearer".to_owned()),
        }
    }

    /// A header whose whole value is the token. Header names are
    /// case-insensitive: `X-Access-Token` and `x-access-token` are the same.
    ///
    /// ```
    /// use usso::TokenSource;
    ///
    /// assert!(TokenSource::header("X-Access-Token").is_ok());
    /// assert!(TokenSource::header("x access token").is_err());
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::InvalidSetting`] naming `TokenSource::header` when
    /// `name` is not a valid HTTP header name (empty, whitespace, non-ASCII).
    pub fn header(name: impl AsRef<str>) -> Result<Self, ConfigError> {
        Ok(Self::Header {
            name: header_name("TokenSource::header", name.as_ref())?,
            prefix: None,
        })
    }

    /// A header carrying `<prefix> <token>`; the prefix (a scheme such as
    /// `Token`) is matched case-insensitively.
    ///
    /// ```
    /// use usso::TokenSource;
    ///
    /// assert!(TokenSource::header_with_prefix("X-Token", "Token").is_ok());
    /// assert!(TokenSource::header_with_prefix("X-Token", "").is_err());
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::InvalidSetting`] naming `TokenSource::header_with_prefix`
    /// when `name` is not a valid HTTP header name, or `prefix` is not one
    /// word of visible ASCII.
    pub fn header_with_prefix(
        name: impl AsRef<str>,
        prefix: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        const SETTING: &str = "TokenSource::header_with_prefix";
        let name = header_name(SETTING, name.as_ref())?;
        let prefix = prefix.into();
        check_prefix(SETTING, &prefix)?;
        Ok(Self::Header {
            name,
            prefix: Some(prefix),
        })
    }

    /// A cookie. The name is checked when the configuration is built
    /// ([`JwtConfigBuilder::build`](crate::JwtConfigBuilder::build),
    /// [`MultiTenant::build`](crate::MultiTenant::build)): it must be a
    /// non-empty RFC 6265 token (visible ASCII without separators such as
    /// `=`, `;` or spaces), since no other name can ever match a cookie.
    pub fn cookie(name: impl Into<String>) -> Self {
        Self::Cookie { name: name.into() }
    }

    /// The default list: `Authorization: Bearer`, then the `usso-access-token` cookie.
    pub fn defaults() -> Vec<Self> {
        vec![Self::authorization(), Self::cookie(DEFAULT_COOKIE)]
    }
}

/// Parses a header name given by a user, in any case.
pub(crate) fn header_name(setting: &'static str, name: &str) -> Result<HeaderName, ConfigError> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| ConfigError::InvalidSetting {
        setting,
        reason: format!("`{}` is not a valid HTTP header name", shorten(name)),
    })
}

/// A scheme prefix: one word of visible ASCII, since the header value is
/// split at its first space.
pub(crate) fn check_prefix(setting: &'static str, prefix: &str) -> Result<(), ConfigError> {
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::InvalidSetting {
            setting,
            reason: format!(
                "the prefix `{}` must be one word of visible ASCII, e.g. `Bearer`",
                shorten(prefix)
            ),
        });
    }
    Ok(())
}

/// Checks what the constructors can't: cookie names, and that the list is
/// not empty.
pub(crate) fn check_sources(sources: &[TokenSource]) -> Result<(), ConfigError> {
    if sources.is_empty() {
        return Err(ConfigError::InvalidSetting {
            setting: "token_sources",
            reason: "at least one token source is needed".into(),
        });
    }
    for source in sources {
        if let TokenSource::Cookie { name } = source {
            let token_char = |b: u8| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b);
            if name.is_empty() || !name.bytes().all(token_char) {
                return Err(ConfigError::InvalidSetting {
                    setting: "cookie_name",
                    reason: format!(
                        "`{}` is not a valid cookie name (visible ASCII without separators such as `=`, `;` or spaces)",
                        shorten(name)
                    ),
                });
            }
        }
    }
    Ok(())
}

/// A user's string, cut to a length fit for an error message.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.escape_debug().to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{}…", head.escape_debug())
    }
}

/// Finds the token in `headers`, trying `sources` in order.
///
/// * A source that is absent, or present with an empty value, is skipped.
/// * A header present with the wrong scheme (`Authorization: Basic …`) is an
///   error: that credential is never reinterpreted or sent anywhere.
/// * Nothing found anywhere is [`AuthError::TokenNotFound`].
///
/// ```
/// use http::HeaderMap;
/// use usso::{AuthError, TokenSource, find_token};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "bearer abc.def.ghi".parse().unwrap());
/// assert_eq!(find_token(&headers, &TokenSource::defaults()), Ok("abc.def.ghi"));
///
/// headers.insert("authorization", "Basic dXNlcjpwYXNz".parse().unwrap());
/// assert!(matches!(
///     find_token(&headers, &TokenSource::defaults()),
///     Err(AuthError::TokenInvalid { .. })
/// ));
/// ```
pub fn find_token<'h>(
    headers: &'h HeaderMap,
    sources: &[TokenSource],
) -> Result<&'h str, AuthError> {
    find_token_in(headers, sources).map(|(token, _)| token)
}

/// `Sec-Fetch-Site` (not among `http`'s constants).
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Like [`find_token`], also saying which source the token came from (a
/// cookie, which browsers attach to cross-site requests, needs a CSRF check).
pub(crate) fn find_token_in<'h, 's, H: Headers>(
    headers: &'h H,
    sources: &'s [TokenSource],
) -> Result<(&'h str, &'s TokenSource), AuthError> {
    for source in sources {
        let found = match source {
            TokenSource::Header { name, prefix } => from_header(headers, name, prefix.as_deref())?,
            TokenSource::Cookie { name } => from_cookies(headers, name)?,
        };
        if let Some(token) = found {
            return Ok((token, source));
        }
    }
    Err(AuthError::TokenNotFound)
}

/// Cross-site request forgery check for cookie-borne tokens: a browser
/// attaches cookies to requests other sites trigger, so a state-changing
/// request authenticated by a cookie must come from its own origin.
///
/// * `Sec-Fetch-Site` (sent by current browsers) decides when present: only
///   `same-origin` and `none` (the user's own navigation) pass. Sent twice,
///   it is refused: no browser does that.
/// * Else `Origin` decides when present: its scheme, host and port must be
///   the request's own (its URI's authority, else `Host`). The scheme is
///   compared when the request shows it (an absolute URI, as in HTTP/2);
///   behind a proxy that terminates TLS it can't be seen, and the ports are
///   compared with each side's default. An `Origin` that can't be matched
///   (`null`, two of them, no `Host`) is refused.
/// * Requests with neither (non-browser clients) pass.
pub(crate) fn check_cookie_csrf<R: RequestHead>(request: &R) -> Result<(), AuthError> {
    if request.is_safe_method() {
        return Ok(());
    }
    let headers = request.headers();
    let same_origin = match single(headers, &SEC_FETCH_SITE) {
        Single::Absent => match single(headers, &ORIGIN) {
            Single::Absent => true,
            Single::One(origin) => same_origin(origin, request),
            Single::Many => false,
        },
        Single::One(site) => matches!(site, "same-origin" | "none"),
        Single::Many => false,
    };
    if same_origin {
        Ok(())
    } else {
        Err(AuthError::CrossSiteRequest)
    }
}

enum Single<'h> {
    Absent,
    One(&'h str),
    /// Repeated, or not visible ASCII: either way not a browser's header.
    Many,
}

fn single<'h, H: Headers>(headers: &'h H, name: &HeaderName) -> Single<'h> {
    let mut values = headers.values(name);
    match (values.next(), values.next()) {
        (None, _) => Single::Absent,
        (Some(v), None) => visible_ascii(v).map_or(Single::Many, Single::One),
        (Some(_), Some(_)) => Single::Many,
    }
}

/// Whether `origin` (an `Origin` header) is the request's own origin.
fn same_origin<R: RequestHead>(origin: &str, request: &R) -> bool {
    fn default_port(scheme: &str) -> Option<u16> {
        match scheme {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        }
    }
    // `null` and anything that isn't `scheme://host[:port]` fail here.
    let Ok(origin) = origin.parse::<http::Uri>() else {
        return false;
    };
    let (Some(o_scheme), Some(o_host)) = (origin.scheme_str(), origin.host()) else {
        return false;
    };
    let Some(o_port) = origin.port_u16().or_else(|| default_port(o_scheme)) else {
        return false;
    };
    if origin.path_and_query().is_some_and(|p| p.as_str() != "/") {
        return false;
    }
    let authority = match (request.authority(), single(request.headers(), &HOST)) {
        (Some(authority), _) | (None, Single::One(authority)) => {
            match authority.parse::<http::uri::Authority>() {
                Ok(authority) => authority,
                Err(_) => return false,
            }
        }
        // HTTP/1.0 without `Host`, or two of them: nothing to compare with.
        (None, _) => return false,
    };
    if !authority.host().eq_ignore_ascii_case(o_host) {
        return false;
    }
    match request.scheme() {
        Some(scheme) => {
            scheme.eq_ignore_ascii_case(o_scheme)
                && authority.port_u16().or_else(|| default_port(scheme)) == Some(o_port)
        }
        // The scheme is not visible: an explicit port must match the
        // origin's, an absent one stands for the origin's scheme default.
        None => {
            authority.port_u16().unwrap_or(o_port) == o_port
                && (authority.port_u16().is_some() || origin.port_u16().is_none())
        }
    }
}

fn from_header<'h, H: Headers>(
    headers: &'h H,
    name: &HeaderName,
    prefix: Option<&str>,
) -> Result<Option<&'h str>, AuthError> {
    let mut values = headers.values(name);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(AuthError::invalid(format!("more than one `{name}` header")));
    }
    let value = visible_ascii(value)
        .ok_or_else(|| AuthError::invalid(format!("the `{name}` header is not visible ASCII")))?
        .trim();
    let token = match prefix {
        None => value,
        Some(prefix) => {
            if value.is_empty() {
                return Ok(None);
            }
            let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case(prefix) {
                return Err(AuthError::invalid(format!(
                    "the `{name}` header must use the `{prefix}` scheme"
                )));
            }
            rest.trim_start_matches(' ')
        }
    };
    if token.is_empty() {
        return Ok(None);
    }
    // Branch-free, as in `visible_ascii`: it scans the whole token.
    if token
        .bytes()
        .fold(false, |any, b| any | b.is_ascii_whitespace())
    {
        return Err(AuthError::invalid(format!(
            "the `{name}` header holds more than one value"
        )));
    }
    Ok(Some(token))
}

fn from_cookies<'h, H: Headers>(headers: &'h H, name: &str) -> Result<Option<&'h str>, AuthError> {
    let mut found = None;
    for header in headers.values(&COOKIE) {
        let Some(header) = visible_ascii(header) else {
            continue;
        };
        for pair in header.split(';') {
            let Some((key, value)) = pair.trim().split_once('=') else {
                continue;
            };
            if key.trim() != name {
                continue;
            }
            if found.is_some() {
                // Cookie tossing: a sibling subdomain (or an injected
                // `Set-Cookie`) plants a second cookie of the same name,
                // which browsers may send first. Which one is the user's
                // can't be known, so neither is used.
                return Err(AuthError::invalid(format!(
                    "the `{}` cookie is sent more than once",
                    crate::untrusted::Untrusted(name)
                )));
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            found = Some(value);
        }
    }
    Ok(found.filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn bearer_is_case_insensitive() {
        for v in [
            "Bearer t.o.k",
            "bearer t.o.k",
            "BEARER t.o.k",
            "Bearer   t.o.k",
        ] {
            let h = headers(&[("authorization", v)]);
            assert_eq!(find_token(&h, &TokenSource::defaults()), Ok("t.o.k"), "{v}");
        }
    }

    #[test]
    fn empty_bearer_is_not_found() {
        for v in ["Bearer", "Bearer ", ""] {
            let h = headers(&[("authorization", v)]);
            assert_eq!(
                find_token(&h, &TokenSource::defaults()),
                Err(AuthError::TokenNotFound),
                "{v:?}"
            );
        }
    }

    #[test]
    fn wrong_scheme_is_invalid_not_skipped() {
        let h = headers(&[
            ("authorization", "Basic abc"),
            ("cookie", "usso-access-token=a.b.c"),
        ]);
        assert!(matches!(
            find_token(&h, &TokenSource::defaults()),
            Err(AuthError::TokenInvalid { .. })
        ));
    }

    #[test]
    fn cookie_is_used_when_header_absent() {
        let h = headers(&[("cookie", "theme=dark; usso-access-token=a.b.c; x=1")]);
        assert_eq!(find_token(&h, &TokenSource::defaults()), Ok("a.b.c"));
        let sources = [TokenSource::cookie("access_token")];
        let h = headers(&[("cookie", "access_token=\"q.r.s\"")]);
        assert_eq!(find_token(&h, &sources), Ok("q.r.s"));
    }

    #[test]
    fn first_present_source_wins() {
        let h = headers(&[
            ("authorization", "Bearer h.h.h"),
            ("cookie", "usso-access-token=c.c.c"),
        ]);
        assert_eq!(find_token(&h, &TokenSource::defaults()), Ok("h.h.h"));
    }

    #[test]
    fn duplicate_authorization_headers_are_rejected() {
        let h = headers(&[
            ("authorization", "Bearer a.a.a"),
            ("authorization", "Bearer b.b.b"),
        ]);
        assert!(matches!(
            find_token(&h, &TokenSource::defaults()),
            Err(AuthError::TokenInvalid { .. })
        ));
    }

    #[test]
    fn custom_header_without_prefix() {
        let sources = [TokenSource::header("X-Access-Token").unwrap()];
        let h = headers(&[("x-access-token", "x.y.z")]);
        assert_eq!(find_token(&h, &sources), Ok("x.y.z"));
    }
}

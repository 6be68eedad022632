//! The Python SDK's reading of scopes (`Mode::Compatible`), bit for bit:
//! `parse_scope`, privilege levels with unknown actions as `read`,
//! right-aligned path matching, `parse_qs` filters.

use super::action::Action;
use super::glob::filters_match;
use super::glob::glob;
use super::grammar::split_action;
use super::parse::{Scope, segments};
use super::{FilterMap, ScopeError};

/// Python's `parse_scope`: reads any string as a scope, never failing, the way
/// [`Mode::Compatible`](crate::scope::Mode::Compatible) does. An empty path is `*` (so `read:` covers every
/// resource), an empty action is `None` (Python's `""`), and the filters are
/// `urllib.parse.parse_qs`-decoded (first value of a repeated key; pairs without a
/// value dropped).
///
/// Use [`Scope::parse`] to validate: this twin exists to reproduce Python's reading,
/// and its [`Display`](std::fmt::Display) may not reparse.
///
/// ```
/// use usso::scope::parse_scope;
///
/// let s = parse_scope("read:media/files/transaction?user_id=123");
/// assert_eq!(s.action(), Some("read"));
/// assert_eq!(s.path(), ["media", "files", "transaction"]);
/// assert_eq!(s.filters().get("user_id").map(String::as_str), Some("123"));
///
/// let s = parse_scope("media//files");
/// assert_eq!((s.action(), s.path()), (None, &["media".to_owned(), "*".into(), "files".into()][..]));
/// assert_eq!(parse_scope("*:*").path(), ["*"]);
/// assert_eq!(parse_scope("read:").path(), ["*"]);
/// ```
#[must_use]
pub fn parse_scope(scope: &str) -> Scope {
    parse_compatible(scope)
}

/// Python's `parse_scope`, which accepts any string: see [`parse_scope`].
pub(super) fn parse_compatible(s: &str) -> Scope {
    let (action, rest) = split_action(s);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Scope {
        action: action.filter(|a| !a.is_empty()).map(str::to_owned),
        path: if path.is_empty() {
            vec!["*".to_owned()]
        } else {
            segments(path)
        },
        filters: parse_qs(query),
    }
}

/// Python's `PRIVILEGE_LEVELS.get(action, default)`: exact, case-sensitive keys.
pub(super) fn compat_level(action: &str, default: u8) -> u8 {
    match action {
        "none" => 0,
        _ => Action::from_name(action).map_or(default, Action::level),
    }
}

/// `{k: v[0] for k, v in urllib.parse.parse_qs(query).items()}`: pairs split
/// on `&`, `+` and `%XX` decoded (invalid UTF-8 replaced, as Python's
/// `unquote` does), pairs without a value dropped, the first of a repeated
/// key kept.
pub(super) fn parse_qs(query: &str) -> FilterMap {
    let mut out = FilterMap::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if !v.is_empty() {
            out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
    }
    out
}

/// Python's `_match_path_parts(user, req, strict=False)`.
pub(super) fn compat_path_match<U: AsRef<str>, R: AsRef<str>>(user: &[U], req: &[R]) -> bool {
    compat_path_match_aligned(user, req, false).unwrap_or(false)
}

/// Python's `_match_path_parts(user, req, strict)`: with `strict`, `zip(..., strict=True)`
/// raises once the shorter head is used up without a mismatch.
pub(super) fn compat_path_match_aligned<U: AsRef<str>, R: AsRef<str>>(
    user: &[U],
    req: &[R],
    strict: bool,
) -> Result<bool, ScopeError> {
    let (Some((u_last, u_head)), Some((r_last, r_head))) = (user.split_last(), req.split_last())
    else {
        return Ok(false);
    };
    if !glob(u_last.as_ref(), r_last.as_ref()) {
        return Ok(false);
    }
    let mut wildcard = u_last.as_ref().contains('*');
    for (u, r) in u_head.iter().rev().zip(r_head.iter().rev()) {
        let (u, r) = (u.as_ref(), r.as_ref());
        if !r.is_empty() && !u.is_empty() && r != "*" && !glob(u, r) {
            return Ok(false);
        }
        wildcard |= u.contains('*');
    }
    if strict && u_head.len() != r_head.len() {
        let join = |parts: Vec<&str>| parts.join("/");
        return Err(ScopeError::MisalignedPath {
            scope_path: join(user.iter().map(AsRef::as_ref).collect()),
            requested_path: join(req.iter().map(AsRef::as_ref).collect()),
        });
    }
    let extra = u_head.len().saturating_sub(r_head.len());
    Ok(!wildcard || u_head.iter().take(extra).all(|u| u.as_ref() == "*"))
}

pub(super) fn compat_authorized(
    scope: &Scope,
    req: &[&str],
    action: Option<&str>,
    filter: &FilterMap,
    aligned: bool,
) -> Result<bool, ScopeError> {
    Ok(compat_path_match_aligned(&scope.path, req, aligned)?
        && filters_match(&scope.filters, filter)
        && action
            .filter(|a| !a.is_empty())
            .is_none_or(|a| compat_level(scope.compat_action(), 10) >= compat_level(a, 10)))
}

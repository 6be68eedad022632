//! usso's own reading of scopes (`Mode::Strict`): validated scopes, the
//! privilege ladder only, aligned paths.

use super::action::Action;
use super::glob::{filters_match, glob};
use super::parse::Scope;
use super::{FilterMap, ScopeError};

pub(super) fn strict_scope(s: &str) -> Result<(Scope, Option<Action>), ScopeError> {
    let scope = Scope::parse(s).map_err(|source| ScopeError::InvalidScope {
        scope: s.to_owned(),
        source,
    })?;
    let action = scope.action().map(str::parse).transpose()?;
    Ok((scope, action))
}

pub(super) fn strict_scopes<S: AsRef<str>>(
    scopes: &[S],
) -> Result<Vec<(Scope, Option<Action>)>, ScopeError> {
    scopes.iter().map(|s| strict_scope(s.as_ref())).collect()
}

pub(super) fn strict_resource(path: &str) -> Result<Vec<&str>, ScopeError> {
    let segments: Vec<&str> = path.split('/').collect();
    if segments.contains(&"") {
        return Err(ScopeError::InvalidResource(path.to_owned()));
    }
    Ok(segments)
}

pub(super) fn strict_authorized(
    scope: &Scope,
    granted: Option<Action>,
    req: &[&str],
    action: Action,
    filter: &FilterMap,
) -> bool {
    granted.is_some_and(|g| g >= action)
        && strict_path_match(&scope.path, req)
        && filters_match(&scope.filters, filter)
}

/// Splits off a final `**`, which stands for one or more segments.
pub(super) fn split_tree<S: AsRef<str>>(path: &[S]) -> (&[S], bool) {
    match path.split_last() {
        Some((last, head)) if last.as_ref() == "**" => (head, true),
        _ => (path, false),
    }
}

pub(super) fn strict_path_match<U: AsRef<str>, R: AsRef<str>>(user: &[U], req: &[R]) -> bool {
    let (fixed, tree) = split_tree(user);
    let len_ok = if tree {
        req.len() > fixed.len()
    } else {
        req.len() == fixed.len()
    };
    len_ok
        && fixed
            .iter()
            .zip(req)
            .all(|(u, r)| glob(u.as_ref(), r.as_ref()))
}

/// Conservative coverage: a child segment with glob characters is covered only by an
/// all-`*` segment or by the same text, since fnmatch-ing one glob against another is unsound.
pub(super) fn strict_path_covers(parent: &[String], child: &[String]) -> bool {
    let (p_fixed, p_tree) = split_tree(parent);
    let (c_fixed, c_tree) = split_tree(child);
    let len_ok = if p_tree {
        c_fixed.len() >= p_fixed.len() && (c_tree || c_fixed.len() > p_fixed.len())
    } else {
        !c_tree && c_fixed.len() == p_fixed.len()
    };
    len_ok
        && p_fixed.iter().zip(c_fixed).all(|(p, c)| {
            p == c || p.chars().all(|ch| ch == '*') || (!c.contains(['*', '?', '[']) && glob(p, c))
        })
}

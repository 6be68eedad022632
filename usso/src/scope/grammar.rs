//! The one scope grammar, compiled into both `usso` (`usso::scope::Scope::parse`) and
//! `usso-macros` (the compile-time check of `#[require_scope]` and friends), so that a
//! literal the macros accept always parses at run time, and the reverse.
//!
//! `usso-macros/src/scope_grammar.rs` is a symbolic link to this file: a proc-macro crate
//! can't depend on `usso`, and a link (unlike a `#[path]` outside the crate) is packaged
//! with each crate. This file must therefore use nothing but `std`.
//!
//! ```text
//! scope   = [ action ":" ] path [ "?" filter *( "&" filter ) ]
//! action  = 1*char                 ; the text before the first `:`, when it precedes any `?`
//! path    = 1*char                 ; `/`-separated segments; an empty segment means `*`
//! filter  = 1*char "=" 1*char      ; key and value; the value may contain `=`
//! char    = any character but whitespace and control characters
//! ```
//!
//! At most [`MAX_SCOPE_LEN`] bytes, counting each empty segment as `*`, and no filter key
//! twice.

use std::fmt;

/// Longest scope accepted, in bytes, after empty segments become `*`.
pub const MAX_SCOPE_LEN: usize = 1024;

/// Why a scope string is not a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeParseError {
    /// The string is empty.
    Empty,
    /// Longer than [`MAX_SCOPE_LEN`] bytes (counting each empty segment as `*`).
    TooLong {
        /// The length in bytes.
        len: usize,
    },
    /// Whitespace or a control character at byte `index`.
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its byte offset.
        index: usize,
    },
    /// `:` with nothing before it.
    EmptyAction,
    /// No path, as in `read:` or `?a=1`; write `*` to mean every resource.
    EmptyPath,
    /// A filter pair without `=`, or with an empty key or value (`?a`, `?a=`, `?=1`, `?a=1&`).
    MalformedFilter {
        /// The pair as written.
        pair: String,
    },
    /// The same filter key twice.
    DuplicateFilter {
        /// The repeated key.
        key: String,
    },
}

impl fmt::Display for ScopeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("scope is empty"),
            Self::TooLong { len } => write!(f, "scope is {len} bytes, over {MAX_SCOPE_LEN}"),
            Self::InvalidChar { ch, index } => write!(f, "scope has {ch:?} at byte {index}"),
            Self::EmptyAction => f.write_str("scope has an empty action before `:`"),
            Self::EmptyPath => f.write_str("scope has an empty path (use `*` for every resource)"),
            Self::MalformedFilter { pair } => write!(f, "scope filter `{pair}` is not `key=value`"),
            Self::DuplicateFilter { key } => write!(f, "scope filter `{key}` is repeated"),
        }
    }
}

impl std::error::Error for ScopeParseError {}

/// A scope split into its parts, borrowing the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScopeParts<'a> {
    /// The action text, when there is one.
    pub(crate) action: Option<&'a str>,
    /// The path as written (not empty; segments not yet normalised).
    pub(crate) path: &'a str,
    /// The filter pairs, in the order written, keys distinct.
    pub(crate) filters: Vec<(&'a str, &'a str)>,
}

/// Parses `s` by the grammar above.
pub(crate) fn parse_parts(s: &str) -> Result<ScopeParts<'_>, ScopeParseError> {
    if s.is_empty() {
        return Err(ScopeParseError::Empty);
    }
    if s.len() > MAX_SCOPE_LEN {
        return Err(ScopeParseError::TooLong { len: s.len() });
    }
    if let Some((index, ch)) = s
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || c.is_control())
    {
        return Err(ScopeParseError::InvalidChar { ch, index });
    }
    let (action, rest) = split_action(s);
    if action == Some("") {
        return Err(ScopeParseError::EmptyAction);
    }
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(ScopeParseError::EmptyPath);
    }
    // Display writes `*` for each empty segment; bounding the normalised length keeps every
    // parsed scope's Display reparseable.
    let len = s.len() + path.split('/').filter(|seg| seg.is_empty()).count();
    if len > MAX_SCOPE_LEN {
        return Err(ScopeParseError::TooLong { len });
    }
    let mut filters: Vec<(&str, &str)> = Vec::new();
    for pair in query.into_iter().flat_map(|q| q.split('&')) {
        let Some((k, v)) = pair
            .split_once('=')
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        else {
            return Err(ScopeParseError::MalformedFilter {
                pair: pair.to_owned(),
            });
        };
        if filters.iter().any(|(seen, _)| *seen == k) {
            return Err(ScopeParseError::DuplicateFilter { key: k.to_owned() });
        }
        filters.push((k, v));
    }
    Ok(ScopeParts {
        action,
        path,
        filters,
    })
}

/// Splits at the first `:` only when it precedes the first `?` (as the Python SDK does).
pub(crate) fn split_action(s: &str) -> (Option<&str>, &str) {
    let question = s.find('?').unwrap_or(s.len());
    match s.split_once(':') {
        Some((action, rest)) if action.len() < question => (Some(action), rest),
        _ => (None, s),
    }
}

//! The compile-time grammar of scope and role literals.
//!
//! ```text
//! scope   = action ":" segment *( "/" segment ) [ "?" filter *( "&" filter ) ]
//! action  = "*" / 1*( %x61-7A )                  ; `*` or lowercase ASCII letters
//! segment = 1*( ALPHA / DIGIT / "-" / "_" / "." / "*" )
//! filter  = key "=" value
//! key     = 1*( ALPHA / DIGIT / "_" )
//! value   = 1*( any char except "&", "=" and whitespace )
//! ```
//!
//! A role is any non-empty string without whitespace.
//!
//! The checks here only look at the text; they return a reason, and the
//! caller turns it into a `syn::Error` on the user's literal.

use std::fmt;

/// Why a scope or role literal was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyntaxError {
    /// The literal is `""`.
    Empty,
    /// The literal contains whitespace somewhere.
    Whitespace,
    /// There is no `action:` prefix.
    MissingAction,
    /// The action contains something other than lowercase letters, or mixes `*` with letters.
    BadActionChar { action: String, ch: char },
    /// A path segment is empty: `read:`, `read:posts//x`, `read:posts/`.
    EmptySegment,
    /// A path segment contains a character outside `[A-Za-z0-9-_.*]`.
    BadSegmentChar { segment: String, ch: char },
    /// `?` is followed by nothing.
    EmptyFilters,
    /// `&` with nothing on one side.
    EmptyFilter,
    /// A filter is not a `key=value` pair with a valid key and value.
    MalformedFilter {
        filter: String,
        reason: &'static str,
    },
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("it must not be empty"),
            Self::Whitespace => f.write_str("whitespace is not allowed"),
            Self::MissingAction => f.write_str(
                "missing `action:` prefix; expected `action:resource`, e.g. `read:posts`",
            ),
            Self::BadActionChar { action, ch } => write!(
                f,
                "invalid character `{}` in action `{action}`; an action is `*` or lowercase ASCII \
                 letters (read, create, update, delete, manage, admin, owner, ...)",
                ch.escape_debug()
            ),
            Self::EmptySegment => f.write_str("empty resource path segment"),
            Self::BadSegmentChar { segment, ch } => write!(
                f,
                "invalid character `{}` in resource segment `{segment}`; allowed are ASCII \
                 letters, digits, `-`, `_`, `.` and `*`",
                ch.escape_debug()
            ),
            Self::EmptyFilters => f.write_str("malformed filter: nothing after `?`"),
            Self::EmptyFilter => f.write_str("malformed filter: empty `key=value` pair around `&`"),
            Self::MalformedFilter { filter, reason } => {
                write!(f, "malformed filter `{filter}`: {reason}")
            }
        }
    }
}

/// What a literal is, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Noun {
    /// A scope (`read:posts`).
    Scope,
    /// A role (`admin`).
    Role,
}

impl Noun {
    /// Checks `value` against this noun's grammar.
    pub(crate) fn check(self, value: &str) -> Result<(), SyntaxError> {
        match self {
            Self::Scope => check_scope(value),
            Self::Role => check_role(value),
        }
    }
}

impl fmt::Display for Noun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scope => "scope",
            Self::Role => "role",
        })
    }
}

/// The full message for a rejected literal, prefixed with `context`
/// (for example ``"`#[require_scope]`"``).
pub(crate) fn message(
    context: &dyn fmt::Display,
    noun: Noun,
    value: &str,
    err: &SyntaxError,
) -> String {
    match (err, noun) {
        (SyntaxError::Empty, Noun::Scope) => {
            format!("{context}: empty scope; expected `action:resource`, e.g. `read:posts`")
        }
        (SyntaxError::Empty, Noun::Role) => format!(
            "{context}: empty role; a role is a non-empty string without whitespace, e.g. `admin`"
        ),
        _ => format!(
            "{context}: invalid {noun} `{}`: {err}",
            value.escape_debug()
        ),
    }
}

/// Checks a scope literal against the USSO scope grammar.
pub(crate) fn check_scope(scope: &str) -> Result<(), SyntaxError> {
    if scope.is_empty() {
        return Err(SyntaxError::Empty);
    }
    if scope.chars().any(char::is_whitespace) {
        return Err(SyntaxError::Whitespace);
    }
    let Some((action, rest)) = scope.split_once(':') else {
        return Err(SyntaxError::MissingAction);
    };
    if action.is_empty() {
        return Err(SyntaxError::MissingAction);
    }
    if action != "*"
        && let Some(ch) = action.chars().find(|c| !c.is_ascii_lowercase())
    {
        return Err(SyntaxError::BadActionChar {
            action: action.to_owned(),
            ch,
        });
    }
    let (path, filters) = match rest.split_once('?') {
        Some((path, filters)) => (path, Some(filters)),
        None => (rest, None),
    };
    for segment in path.split('/') {
        if segment.is_empty() {
            return Err(SyntaxError::EmptySegment);
        }
        if let Some(ch) = segment.chars().find(|&c| !is_segment_char(c)) {
            return Err(SyntaxError::BadSegmentChar {
                segment: segment.to_owned(),
                ch,
            });
        }
    }
    if let Some(filters) = filters {
        check_filters(filters)?;
    }
    Ok(())
}

/// Checks a role literal: non-empty, no whitespace.
pub(crate) fn check_role(role: &str) -> Result<(), SyntaxError> {
    if role.is_empty() {
        Err(SyntaxError::Empty)
    } else if role.chars().any(char::is_whitespace) {
        Err(SyntaxError::Whitespace)
    } else {
        Ok(())
    }
}

fn is_segment_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*')
}

fn check_filters(filters: &str) -> Result<(), SyntaxError> {
    if filters.is_empty() {
        return Err(SyntaxError::EmptyFilters);
    }
    for filter in filters.split('&') {
        if filter.is_empty() {
            return Err(SyntaxError::EmptyFilter);
        }
        let malformed = |reason| SyntaxError::MalformedFilter {
            filter: filter.to_owned(),
            reason,
        };
        let Some((key, value)) = filter.split_once('=') else {
            return Err(malformed("expected `key=value`"));
        };
        if key.is_empty() {
            return Err(malformed("the key is empty"));
        }
        if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(malformed(
                "a key may only contain ASCII letters, digits and `_`",
            ));
        }
        if value.is_empty() {
            return Err(malformed("the value is empty"));
        }
        if value.contains('=') {
            return Err(malformed("the value must not contain `=`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_scopes() {
        for scope in [
            "read:posts",
            "write:posts",
            "*:*",
            "admin:*",
            "read:media/files",
            "read:media/files/v1.2/some-thing_x",
            "read:posts?user_id=u1",
            "read:posts?user_id=u*&tenant_id=t-1",
            "owner:a/b/c?k=v",
        ] {
            assert_eq!(check_scope(scope), Ok(()), "{scope}");
        }
    }

    #[test]
    fn rejects_invalid_scopes() {
        let cases: &[(&str, &str)] = &[
            ("", "it must not be empty"),
            ("read posts", "whitespace is not allowed"),
            ("read:posts ", "whitespace is not allowed"),
            ("posts", "missing `action:` prefix"),
            (":posts", "missing `action:` prefix"),
            ("Read:posts", "invalid character `R` in action `Read`"),
            ("re*d:posts", "invalid character `*` in action `re*d`"),
            ("read:", "empty resource path segment"),
            ("read:posts//x", "empty resource path segment"),
            ("read:posts/", "empty resource path segment"),
            (
                "read:po#sts",
                "invalid character `#` in resource segment `po#sts`",
            ),
            (
                "read:posts:x",
                "invalid character `:` in resource segment `posts:x`",
            ),
            ("read:posts?", "malformed filter: nothing after `?`"),
            (
                "read:posts?user",
                "malformed filter `user`: expected `key=value`",
            ),
            ("read:posts?=u1", "malformed filter `=u1`: the key is empty"),
            (
                "read:posts?a-b=1",
                "malformed filter `a-b=1`: a key may only contain",
            ),
            ("read:posts?a=", "malformed filter `a=`: the value is empty"),
            ("read:posts?a=1=2", "must not contain `=`"),
            ("read:posts?a=1&", "empty `key=value` pair around `&`"),
        ];
        for (scope, expected) in cases {
            let err = check_scope(scope).expect_err(scope).to_string();
            assert!(
                err.contains(expected),
                "{scope:?}: `{err}` does not contain `{expected}`"
            );
        }
    }

    #[test]
    fn roles() {
        assert_eq!(check_role("admin"), Ok(()));
        assert_eq!(check_role("team:editor"), Ok(()));
        assert_eq!(check_role(""), Err(SyntaxError::Empty));
        assert_eq!(check_role("super admin"), Err(SyntaxError::Whitespace));
    }
}

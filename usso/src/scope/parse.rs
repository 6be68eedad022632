//! A scope `[action:]path[?filters]`, parsed by the one grammar.

use std::fmt;
use std::str::FromStr;

use super::{FilterMap, ScopeParseError};

/// A parsed scope `[action:]path[?filters]`.
///
/// ```
/// use usso::scope::Scope;
///
/// let s: Scope = "read:media//files?user_id=1".parse()?;
/// assert_eq!(s.action(), Some("read"));
/// assert_eq!(s.path(), ["media", "*", "files"]);
/// assert_eq!(s.filters().get("user_id").map(String::as_str), Some("1"));
/// assert_eq!(s.to_string(), "read:media/*/files?user_id=1");
/// # Ok::<(), usso::scope::ScopeParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub(super) action: Option<String>,
    pub(super) path: Vec<String>,
    pub(super) filters: FilterMap,
}

impl Scope {
    /// Parses a scope; [`Display`](fmt::Display) writes it back so that it reparses equal.
    ///
    /// The action text is kept as written, known or not: [`ScopeEngine`](crate::scope::ScopeEngine) decides what an
    /// unknown action means. Filters are literal (no percent-decoding).
    ///
    /// # Errors
    ///
    /// [`ScopeParseError`] for an empty string, more than [`MAX_SCOPE_LEN`](crate::scope::MAX_SCOPE_LEN) bytes, any
    /// whitespace or control character, `:` with no action before it, an empty path, a filter
    /// pair that is not `key=value` with both sides non-empty (also an empty query, `x?`), or
    /// a repeated filter key.
    pub fn parse(s: &str) -> Result<Self, ScopeParseError> {
        let parts = crate::scope::grammar::parse_parts(s)?;
        Ok(Self {
            action: parts.action.map(str::to_owned),
            path: segments(parts.path),
            filters: parts
                .filters
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        })
    }

    /// The action text, `None` when the scope has none.
    #[must_use]
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// The path segments; never empty, and empty segments are already `*`.
    #[must_use]
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// The filters, sorted by key.
    #[must_use]
    pub fn filters(&self) -> &FilterMap {
        &self.filters
    }

    pub(super) fn compat_action(&self) -> &str {
        self.action.as_deref().unwrap_or("")
    }
}

impl FromStr for Scope {
    type Err = ScopeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(action) = &self.action {
            write!(f, "{action}:")?;
        }
        f.write_str(&self.path.join("/"))?;
        for (i, (k, v)) in self.filters.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// Python's `parse_scope` reads an empty segment as `*`.
pub(super) fn segments(path: &str) -> Vec<String> {
    let star = |seg: &str| if seg.is_empty() { "*" } else { seg }.to_owned();
    path.split('/').map(star).collect()
}

//! The USSO scope engine: parse scope strings and decide what they grant.
//!
//! # Grammar
//!
//! A scope is `[action:]path[?k=v&k2=v2]`, for example `update:media/files?user_id=u1`.
//!
//! - **action**: the text before the first `:`, if that `:` comes before the first `?`. Levels:
//!   `read` 10 < `create` 20 < `update` 30 < `delete` 40 < `manage` 50 < `admin` 60 <
//!   `owner` = `*` 90 < `superadmin` 100. A scope grants every action of equal or lower level.
//! - **path**: `/`-separated segments. Each is an fnmatch glob (`*`, `[abc]`, `[a-z]`, `[!x]`;
//!   case-sensitive; an unclosed `[` is literal). An empty segment (`media//files`) means `*`.
//!   `?` cannot occur: it starts the filters.
//! - **filters**: `&`-separated `key=value` pairs after the first `?`. The value is a glob. A scope
//!   with filters grants only requests whose filters carry each key with a matching value
//!   (`?` matches one character here).
//!
//! [`Scope::parse`] reads that grammar strictly (see its `# Errors`). [`ScopeEngine`] decides
//! access in one of two [`Mode`]s.
//!
//! # Modes
//!
//! | | [`Mode::Compatible`] (Python `usso` 0.33.5) | [`Mode::Strict`] (default) |
//! |---|---|---|
//! | unknown action (`write:posts`), scope or request | level 10, same as `read` (0 in `get_scope_filters`) | [`ScopeError::UnknownAction`] |
//! | action case (`ADMIN:x`) | exact keys only: `ADMIN` is unknown, so 10 | exact lowercase only: error |
//! | scope without action (`posts`, `openid`) | `read` (level 0 in `get_scope_filters`) | grants nothing; in subset checks equal only to itself |
//! | empty path (`""`, `read:`, `?a=1`) | `*`: grants every resource | malformed: [`ScopeError::InvalidScope`] |
//! | malformed scope (whitespace, control char, > 1024 bytes, `?k`, `?k=`) | accepted as Python parses it | [`ScopeError::InvalidScope`] |
//! | filter text | `urllib.parse.parse_qs`: `%XX` and `+` decoded, pairs without `=` or value dropped (`?*` = no filter), first of a repeated key wins | literal; a repeated key is an error |
//! | path alignment | right-aligned: extra leading segments on either side are ignored (`read:files` grants `a/files`; `read:media/files` grants `files`) | segment counts must be equal |
//! | `*` request segment | matches any scope segment (not in last place) | literal text |
//! | trailing `**` scope segment | a plain glob for one segment | one or more remaining segments (`read:media/**`) |
//! | request path (`""`, `a//b`) | any string | empty segments: [`ScopeError::InvalidResource`] |
//! | multi-key scope filter vs [`Filters::Map`] | the map is split into one-key maps tried one at a time: never matches | matches when every key matches |
//! | empty [`Filters::Map`] | denies everything (Python splits `{}` into `[]`) | same as [`Filters::None`] |
//! | `is_authorized` with no requested action | level not checked | `read` required |
//! | Python's `strict=True` | [`ScopeEngine::with_aligned_paths`]: a misaligned path is [`ScopeError::MisalignedPath`] where Python raises | no effect: paths are aligned already |
//! | subset path check | fnmatch of the super path against the subset's text (`read:[*]` ⊇ `read:*`) | sound: a glob in the subset must be covered by `*`, `**` or the same glob |
//!
//! Strict is the default for new code because every Compatible difference widens access
//! silently: a misspelt action grants read, `read:` grants everything, `read:files` grants any
//! `*/files`. Compatible reproduces the Python SDK's decisions bit for bit, for services that
//! share tokens with Python ones. In both modes [`ScopeEngine::get_common_scopes`] returns a
//! deterministic order (Python returns set order).
//!
//! # Python twins
//!
//! Every function of Python `usso.authorization` (0.33.5) has a twin here, answering as
//! Python does in [`Mode::Compatible`]: `parse_scope` → [`parse_scope`];
//! `is_path_match(strict=)` → [`ScopeEngine::is_path_match`] /
//! [`ScopeEngine::try_is_path_match`]; `is_filter_match` → [`ScopeEngine::is_filter_match`];
//! `is_authorized(strict=)` → [`ScopeEngine::is_authorized`]; `check_access(strict=)` →
//! [`ScopeEngine::check_access`]; `get_scope_filters` → [`ScopeEngine::get_scope_filters`];
//! `broadest_scope_filter` → [`ScopeEngine::broadest_scope_filter`];
//! `owner_authorization` → [`ScopeEngine::owner_authorization`]; `is_subset_scope`,
//! `has_subset_scope`, `get_common_scopes` → the methods of those names;
//! `PRIVILEGE_LEVELS` → [`Action::level`]. The `strict=True` argument is
//! [`ScopeEngine::with_aligned_paths`].
//!
//! The same grammar is compiled into the `usso` macros, so `#[require_scope("…")]`
//! accepts exactly the literals [`Scope::parse`] accepts.
//!
//! ```
//! use usso::scope::{Filters, ScopeEngine, ScopeError};
//!
//! let scopes = ["read:media/files?user_id=u1", "write:posts"];
//! let own = Filters::map([("user_id", "u1")]);
//!
//! let compat = ScopeEngine::compatible();
//! assert_eq!(compat.check_access(&scopes, "media/files", "read", &own), Ok(true));
//! // Python counts the unknown `write` as read.
//! assert_eq!(compat.check_access(&scopes, "posts", "read", &Filters::None), Ok(true));
//!
//! let strict = ScopeEngine::default();
//! assert!(matches!(
//!     strict.check_access(&scopes, "media/files", "read", &own),
//!     Err(ScopeError::UnknownAction(a)) if a == "write"
//! ));
//! ```

mod action;
mod compatible;
mod engine;
mod glob;
pub(crate) mod grammar;
mod parse;
mod strict;
#[cfg(test)]
mod tests;

pub use action::Action;
pub use compatible::parse_scope;
pub use engine::{OwnerCheck, ScopeEngine};
pub use parse::Scope;

use std::collections::BTreeMap;
use std::fmt;

/// Filter key/value pairs, as in a scope's query or a request.
pub type FilterMap = BTreeMap<String, String>;

pub use crate::scope::grammar::{MAX_SCOPE_LEN, ScopeParseError};

static NO_FILTERS: FilterMap = BTreeMap::new();

/// How a [`ScopeEngine`] interprets scopes; the module docs tabulate the differences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Bit-for-bit the Python SDK (usso 0.33.5), pitfalls included.
    Compatible,
    /// Fails closed: explicit actions, aligned paths, all filter keys required, errors for bad input.
    #[default]
    Strict,
}

/// Why a check refused to decide. [`Mode::Compatible`] returns one only for
/// [`ScopeError::MisalignedPath`], with [`ScopeEngine::with_aligned_paths`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeError {
    /// An action that is not an [`Action`] name, in a scope or in the request.
    UnknownAction(String),
    /// A scope that [`Scope::parse`] rejects.
    InvalidScope {
        /// The scope as given.
        scope: String,
        /// Why it was rejected.
        source: ScopeParseError,
    },
    /// A requested resource path that is empty or has an empty segment.
    InvalidResource(String),
    /// With [`ScopeEngine::with_aligned_paths`] in [`Mode::Compatible`]: a scope path and a
    /// requested path of different segment counts, where Python's `strict=True` raises.
    MisalignedPath {
        /// The scope's path.
        scope_path: String,
        /// The requested path.
        requested_path: String,
    },
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownAction(a) => write!(f, "unknown action `{a}`"),
            Self::InvalidScope { scope, source } => write!(f, "invalid scope `{scope}`: {source}"),
            Self::InvalidResource(p) => write!(f, "invalid resource path `{p}`"),
            Self::MisalignedPath {
                scope_path,
                requested_path,
            } => write!(
                f,
                "scope path `{scope_path}` and requested path `{requested_path}` have different segment counts"
            ),
        }
    }
}

impl std::error::Error for ScopeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidScope { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The filters a request carries, in either shape the Python SDK accepts.
///
/// ```
/// use usso::scope::{Filters, ScopeEngine};
///
/// let scopes = ["read:docs?user_id=u1&tenant_id=t1"];
/// let both = Filters::map([("user_id", "u1"), ("tenant_id", "t1")]);
/// assert_eq!(ScopeEngine::strict().check_access(&scopes, "docs", "read", &both), Ok(true));
/// // Python ORs the keys one at a time, so a two-key scope never matches.
/// assert_eq!(ScopeEngine::compatible().check_access(&scopes, "docs", "read", &both), Ok(false));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Filters {
    /// No filters (Python `None`): only scopes without filters can match.
    #[default]
    None,
    /// One dict, such as `{"user_id": "u1", "tenant_id": "t1"}`.
    Map(FilterMap),
    /// A list of dicts, each an alternative; access if any one is granted.
    AnyOf(Vec<FilterMap>),
}

impl Filters {
    /// A [`Filters::Map`] from pairs.
    pub fn map<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self::Map(collect_map(pairs))
    }

    /// A [`Filters::AnyOf`] from lists of pairs.
    pub fn any_of<I, J, K, V>(alternatives: I) -> Self
    where
        I: IntoIterator<Item = J>,
        J: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self::AnyOf(alternatives.into_iter().map(collect_map).collect())
    }
}

fn collect_map<I, K, V>(pairs: I) -> FilterMap
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    pairs
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

//! [`ScopeEngine`]: what scopes grant, in a [`Mode`](super::Mode), with
//! the Python SDK's method names.

use super::action::Action;
use super::compatible::*;
use super::glob::filters_match;
use super::parse::segments;
use super::strict::*;
use super::{FilterMap, Filters, Mode, NO_FILTERS, ScopeError};

/// Inputs of [`ScopeEngine::owner_authorization`], named like the Python keyword arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnerCheck<'a> {
    /// The request's filter, e.g. `{"user_id": "123"}`.
    pub requested_filter: Option<&'a FilterMap>,
    /// The caller's user id; used when `owner_id` is absent or empty.
    pub user_id: Option<&'a str>,
    /// Level granted by an owner match. Defaults to `"owner"`.
    pub self_action: &'a str,
    /// The requested action. Defaults to `"read"`.
    pub action: &'a str,
    /// The owner id to match (takes precedence over `user_id`).
    pub owner_id: Option<&'a str>,
    /// A workspace id, matched on its own after the owner id.
    pub workspace_id: Option<&'a str>,
    /// Level granted by a workspace match; `None` means `self_action`.
    pub workspace_action: Option<&'a str>,
}

impl Default for OwnerCheck<'_> {
    fn default() -> Self {
        Self {
            requested_filter: None,
            user_id: None,
            self_action: "owner",
            action: "read",
            owner_id: None,
            workspace_id: None,
            workspace_action: None,
        }
    }
}

/// Decides what scopes grant, in a [`Mode`]. Method names follow the Python SDK.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScopeEngine {
    mode: Mode,
    aligned_paths: bool,
}

impl ScopeEngine {
    /// An engine in `mode`.
    #[must_use]
    pub const fn new(mode: Mode) -> Self {
        Self {
            mode,
            aligned_paths: false,
        }
    }

    /// The Python SDK's `strict=True` argument of `is_path_match`, `is_authorized` and
    /// `check_access`: a scope path and a requested path whose segment counts differ
    /// are an error instead of being right-aligned.
    ///
    /// Python raises `ValueError` once the last segments match and the shorter path
    /// is used up; here [`is_authorized`](Self::is_authorized),
    /// [`check_access`](Self::check_access) and
    /// [`try_is_path_match`](Self::try_is_path_match) return
    /// [`ScopeError::MisalignedPath`] at that point, and
    /// [`is_path_match`](Self::is_path_match) answers `false`. [`Mode::Strict`] already
    /// requires equal counts (or a final `**`), so there the flag changes nothing.
    ///
    /// ```
    /// use usso::scope::{Filters, ScopeEngine, ScopeError};
    ///
    /// let python_strict = ScopeEngine::compatible().with_aligned_paths(true);
    /// assert!(ScopeEngine::compatible().is_path_match("media/files", "files"));
    /// assert!(!python_strict.is_path_match("media/files", "files"));
    /// assert!(matches!(
    ///     python_strict.check_access(&["read:media/files"], "files", "read", &Filters::None),
    ///     Err(ScopeError::MisalignedPath { .. })
    /// ));
    /// // The last segments differ: Python returns False before it could raise.
    /// assert_eq!(python_strict.try_is_path_match("media/files", "x"), Ok(false));
    /// ```
    #[must_use]
    pub const fn with_aligned_paths(self, on: bool) -> Self {
        Self {
            mode: self.mode,
            aligned_paths: on,
        }
    }

    /// Whether [`with_aligned_paths`](Self::with_aligned_paths) is on.
    #[must_use]
    pub const fn aligned_paths(self) -> bool {
        self.aligned_paths
    }

    /// An engine matching the Python SDK bit for bit.
    #[must_use]
    pub const fn compatible() -> Self {
        Self::new(Mode::Compatible)
    }

    /// An engine in [`Mode::Strict`], the default.
    #[must_use]
    pub const fn strict() -> Self {
        Self::new(Mode::Strict)
    }

    /// This engine's mode.
    #[must_use]
    pub const fn mode(self) -> Mode {
        self.mode
    }

    /// Whether a scope path (a glob per segment) covers a requested path.
    ///
    /// Compatible splits both strings on `/` as they are (an empty segment is skipped, not
    /// `*`). Strict treats an empty scope path as matching nothing and an empty scope
    /// segment as `*`, and never matches a request path with an empty segment.
    ///
    /// ```
    /// use usso::scope::ScopeEngine;
    /// assert!(ScopeEngine::compatible().is_path_match("files", "file-manager/files"));
    /// assert!(!ScopeEngine::strict().is_path_match("files", "file-manager/files"));
    /// assert!(ScopeEngine::strict().is_path_match("media/**", "media/a/b"));
    /// ```
    /// With [`with_aligned_paths`](Self::with_aligned_paths), a misaligned path is
    /// `false`; [`try_is_path_match`](Self::try_is_path_match) tells it apart.
    #[must_use]
    pub fn is_path_match(self, user_path: &str, requested_path: &str) -> bool {
        self.try_is_path_match(user_path, requested_path)
            .unwrap_or(false)
    }

    /// [`is_path_match`](Self::is_path_match), reporting a misaligned path.
    ///
    /// # Errors
    ///
    /// [`ScopeError::MisalignedPath`] where Python's `is_path_match(..., strict=True)`
    /// raises (only with [`with_aligned_paths`](Self::with_aligned_paths) in
    /// [`Mode::Compatible`]).
    pub fn try_is_path_match(
        self,
        user_path: &str,
        requested_path: &str,
    ) -> Result<bool, ScopeError> {
        let req: Vec<&str> = requested_path.split('/').collect();
        match self.mode {
            Mode::Compatible => compat_path_match_aligned(
                &user_path.split('/').collect::<Vec<_>>(),
                &req,
                self.aligned_paths,
            ),
            Mode::Strict => {
                let user = segments(user_path);
                Ok(!user_path.is_empty() && !req.contains(&"") && strict_path_match(&user, &req))
            }
        }
    }

    /// Python's `is_filter_match`: every filter of the scope is present in the request
    /// and matches it as an fnmatch glob. The same in both modes.
    ///
    /// ```
    /// use usso::scope::{FilterMap, ScopeEngine};
    /// let f = |k: &str, v: &str| FilterMap::from([(k.to_owned(), v.to_owned())]);
    /// assert!(ScopeEngine::strict().is_filter_match(&f("user_id", "u*"), &f("user_id", "u9")));
    /// assert!(!ScopeEngine::compatible().is_filter_match(&f("user_id", "u*"), &FilterMap::new()));
    /// ```
    #[must_use]
    pub fn is_filter_match(self, user_filters: &FilterMap, requested_filters: &FilterMap) -> bool {
        filters_match(user_filters, requested_filters)
    }

    /// Whether one scope grants `requested_action` on `requested_path` with `requested_filter`.
    ///
    /// # Errors
    ///
    /// Strict only: [`ScopeError`] for a malformed scope, an unknown action or an invalid path.
    pub fn is_authorized(
        self,
        user_scope: &str,
        requested_path: &str,
        requested_action: Option<&str>,
        requested_filter: Option<&FilterMap>,
    ) -> Result<bool, ScopeError> {
        let filter = requested_filter.unwrap_or(&NO_FILTERS);
        match self.mode {
            Mode::Compatible => {
                let req: Vec<&str> = requested_path.split('/').collect();
                let scope = parse_compatible(user_scope);
                compat_authorized(&scope, &req, requested_action, filter, self.aligned_paths)
            }
            Mode::Strict => {
                let action: Action = requested_action.unwrap_or("read").parse()?;
                let req = strict_resource(requested_path)?;
                let (scope, granted) = strict_scope(user_scope)?;
                Ok(strict_authorized(&scope, granted, &req, action, filter))
            }
        }
    }

    /// Whether any of `user_scopes` grants `action` on `resource_path` under `filters`.
    ///
    /// ```
    /// use usso::scope::{Action, Filters, ScopeEngine};
    ///
    /// let scopes = ["update:media/files/*?user_id=abc"];
    /// let mine = Filters::map([("user_id", "abc")]);
    /// let engine = ScopeEngine::strict();
    /// assert_eq!(engine.check_access(&scopes, "media/files/x", Action::Read, &mine), Ok(true));
    /// assert_eq!(engine.check_access(&scopes, "media/files/x", Action::Delete, &mine), Ok(false));
    /// assert_eq!(engine.check_access(&scopes, "files/x", "read", &mine), Ok(false));
    /// ```
    ///
    /// # Errors
    ///
    /// Strict only: [`ScopeError`] if any scope is malformed or has an unknown action, if
    /// `action` is unknown, or if `resource_path` has an empty segment; checked before any
    /// scope is tried, so the outcome never depends on scope order.
    pub fn check_access<S: AsRef<str>>(
        self,
        user_scopes: &[S],
        resource_path: &str,
        action: impl AsRef<str>,
        filters: &Filters,
    ) -> Result<bool, ScopeError> {
        let action = action.as_ref();
        match self.mode {
            Mode::Compatible => {
                let contexts = match filters {
                    Filters::None => vec![FilterMap::new()],
                    Filters::Map(m) => m
                        .iter()
                        .map(|(k, v)| FilterMap::from([(k.clone(), v.clone())]))
                        .collect(),
                    Filters::AnyOf(list) => list.clone(),
                };
                let req: Vec<&str> = resource_path.split('/').collect();
                let action = Some(if action.is_empty() { "read" } else { action });
                // Python's order: the first grant wins, the first raise propagates.
                for scope in user_scopes {
                    let scope = parse_compatible(scope.as_ref());
                    for context in &contexts {
                        if compat_authorized(&scope, &req, action, context, self.aligned_paths)? {
                            return Ok(true);
                        }
                    }
                }
                Ok(false)
            }
            Mode::Strict => {
                let action: Action = action.parse()?;
                let req = strict_resource(resource_path)?;
                let scopes = strict_scopes(user_scopes)?;
                let contexts: Vec<&FilterMap> = match filters {
                    Filters::None => vec![&NO_FILTERS],
                    Filters::Map(m) => vec![m],
                    Filters::AnyOf(list) => list.iter().collect(),
                };
                Ok(scopes.iter().any(|(scope, granted)| {
                    contexts
                        .iter()
                        .any(|c| strict_authorized(scope, *granted, &req, action, c))
                }))
            }
        }
    }

    /// The filters of every scope that grants `action` on `resource`, in scope order.
    ///
    /// Compatible keeps Python's quirk here: an unknown `action` is level 0 (so every scope
    /// qualifies) and a scope without action is level 0 (so it never qualifies for `read`).
    ///
    /// # Errors
    ///
    /// Strict only, as for [`check_access`](Self::check_access).
    pub fn get_scope_filters<S: AsRef<str>>(
        self,
        action: impl AsRef<str>,
        resource: &str,
        user_scopes: &[S],
    ) -> Result<Vec<FilterMap>, ScopeError> {
        let action = action.as_ref();
        match self.mode {
            Mode::Compatible => {
                let level = compat_level(action, 0);
                let req: Vec<&str> = resource.split('/').collect();
                Ok(user_scopes
                    .iter()
                    .map(|s| parse_compatible(s.as_ref()))
                    .filter(|s| compat_level(s.compat_action(), 0) >= level)
                    .filter(|s| compat_path_match(&s.path, &req))
                    .map(|s| s.filters)
                    .collect())
            }
            Mode::Strict => {
                let action: Action = action.parse()?;
                let req = strict_resource(resource)?;
                Ok(strict_scopes(user_scopes)?
                    .into_iter()
                    .filter(|(s, granted)| {
                        granted.is_some_and(|g| g >= action) && strict_path_match(&s.path, &req)
                    })
                    .map(|(s, _)| s.filters)
                    .collect())
            }
        }
    }

    /// The least restrictive filter: lowest score, summing `tenant_id` 1, `workspace_id` 2,
    /// `user_id` 4, `uid` 8 and 16 for any other key; the first wins a tie. The same in
    /// both modes.
    ///
    /// An empty list (no scope grants the access) gives `None`, **not** an empty map:
    /// an empty map means "unfiltered access", and confusing the two would turn
    /// "no access" into "everything" (the Python SDK returns `{}` for both).
    ///
    /// ```
    /// use usso::scope::{FilterMap, ScopeEngine};
    /// let f = |k: &str| FilterMap::from([(k.to_owned(), "1".to_owned())]);
    /// let best = ScopeEngine::broadest_scope_filter(&[f("uid"), f("tenant_id"), f("user_id")]);
    /// assert_eq!(best, Some(f("tenant_id")));
    /// assert_eq!(ScopeEngine::broadest_scope_filter(&[]), None);
    /// ```
    #[must_use]
    pub fn broadest_scope_filter(filters: &[FilterMap]) -> Option<FilterMap> {
        let score = |f: &FilterMap| -> usize {
            f.keys()
                .map(|k| match k.as_str() {
                    "tenant_id" => 1,
                    "workspace_id" => 2,
                    "user_id" => 4,
                    "uid" => 8,
                    _ => 16,
                })
                .fold(0, usize::saturating_add)
        };
        filters.iter().min_by_key(|f| score(f)).cloned()
    }

    /// Self-access: grants when the request filter's `owner_id`, `user_id` or `workspace_id`
    /// equals the owner id (`owner_id`, else `user_id`; level `self_action`), or else the
    /// `workspace_id` (level `workspace_action`, else `self_action`), and that level covers
    /// `action`. Empty ids never match; an empty action means `read`.
    ///
    /// ```
    /// use usso::scope::{FilterMap, OwnerCheck, ScopeEngine};
    /// let filter = FilterMap::from([("user_id".to_owned(), "u1".to_owned())]);
    /// let check = OwnerCheck { requested_filter: Some(&filter), user_id: Some("u1"),
    ///     action: "delete", ..OwnerCheck::default() };
    /// assert_eq!(ScopeEngine::strict().owner_authorization(&check), Ok(true));
    /// ```
    ///
    /// # Errors
    ///
    /// Strict only: [`ScopeError::UnknownAction`] if `action`, `self_action` or
    /// `workspace_action` is not an [`Action`], whether or not an id matched.
    pub fn owner_authorization(self, check: &OwnerCheck<'_>) -> Result<bool, ScopeError> {
        let level = |a: &str| -> Result<u8, ScopeError> {
            let a = if a.is_empty() { "read" } else { a };
            match self.mode {
                Mode::Compatible => Ok(compat_level(a, 10)),
                Mode::Strict => a.parse().map(Action::level),
            }
        };
        let requested = level(check.action)?;
        let own = level(check.self_action)?;
        let workspace = check
            .workspace_action
            .map(level)
            .transpose()?
            .unwrap_or(own);
        let filter = check.requested_filter.filter(|f| !f.is_empty());
        let matches = |id: &str| {
            filter.is_some_and(|f| {
                ["owner_id", "user_id", "workspace_id"]
                    .iter()
                    .any(|k| f.get(*k).is_some_and(|v| v == id))
            })
        };
        let granted = if non_empty(check.owner_id)
            .or(non_empty(check.user_id))
            .is_some_and(matches)
        {
            own
        } else if non_empty(check.workspace_id).is_some_and(matches) {
            workspace
        } else {
            return Ok(false);
        };
        Ok(granted >= requested)
    }

    /// Whether everything `subset_scope` grants is granted by `super_scope`: a level no
    /// higher, a covered path, and every super filter present in the subset with an equal value.
    ///
    /// # Errors
    ///
    /// Strict only: either scope malformed or with an unknown action.
    pub fn is_subset_scope(
        self,
        subset_scope: &str,
        super_scope: &str,
    ) -> Result<bool, ScopeError> {
        let (child, parent, covered) = match self.mode {
            Mode::Compatible => {
                let child = parse_compatible(subset_scope);
                let parent = parse_compatible(super_scope);
                let levels_ok = compat_level(parent.compat_action(), 10)
                    >= compat_level(child.compat_action(), 10);
                let covered = levels_ok && compat_path_match(&parent.path, &child.path);
                (child, parent, covered)
            }
            Mode::Strict => {
                let (child, child_action) = strict_scope(subset_scope)?;
                let (parent, parent_action) = strict_scope(super_scope)?;
                let covered = match (child_action, parent_action) {
                    (Some(c), Some(p)) => p >= c && strict_path_covers(&parent.path, &child.path),
                    // A scope without action is an opaque name (`openid`), not a grant.
                    _ => return Ok(child == parent),
                };
                (child, parent, covered)
            }
        };
        Ok(covered
            && parent
                .filters
                .iter()
                .all(|(k, v)| child.filters.get(k) == Some(v)))
    }

    /// Whether any of `user_scopes` is a super scope of `subset_scope`.
    ///
    /// # Errors
    ///
    /// Strict only, as for [`is_subset_scope`](Self::is_subset_scope).
    pub fn has_subset_scope<S: AsRef<str>>(
        self,
        subset_scope: &str,
        user_scopes: &[S],
    ) -> Result<bool, ScopeError> {
        let mut any = false;
        // No early return, so Strict reports a bad scope wherever it sits in the list.
        for scope in user_scopes {
            any |= self.is_subset_scope(subset_scope, scope.as_ref())?;
        }
        Ok(any)
    }

    /// Narrows `scopes_a` to what `scopes_b` permits: drops each scope of `a` that no scope of
    /// `b` covers, and adds each scope of `b` covered by a dropped one. If nothing is dropped,
    /// `a` is returned unchanged; otherwise the result is deduplicated, in first-seen order
    /// of `a` then `b`.
    ///
    /// ```
    /// use usso::scope::ScopeEngine;
    /// let common = ScopeEngine::strict()
    ///     .get_common_scopes(&["read:a", "admin:b/*"], &["read:a", "read:b/c"]);
    /// assert_eq!(common, Ok(vec!["read:a".to_owned(), "read:b/c".to_owned()]));
    /// ```
    ///
    /// # Errors
    ///
    /// Strict only, as for [`is_subset_scope`](Self::is_subset_scope).
    pub fn get_common_scopes<A: AsRef<str>, B: AsRef<str>>(
        self,
        scopes_a: &[A],
        scopes_b: &[B],
    ) -> Result<Vec<String>, ScopeError> {
        let mut dropped = Vec::new();
        for scope in scopes_a.iter().map(AsRef::as_ref) {
            if !self.has_subset_scope(scope, scopes_b)? {
                dropped.push(scope);
            }
        }
        let mut out: Vec<String> = Vec::new();
        if dropped.is_empty() {
            out.extend(scopes_a.iter().map(|s| s.as_ref().to_owned()));
            return Ok(out);
        }
        let mut added = Vec::new();
        for scope in scopes_b.iter().map(AsRef::as_ref) {
            if self.has_subset_scope(scope, &dropped)? {
                added.push(scope);
            }
        }
        for scope in scopes_a.iter().map(AsRef::as_ref).chain(added) {
            if !dropped.contains(&scope) && !out.iter().any(|o| o == scope) {
                out.push(scope.to_owned());
            }
        }
        Ok(out)
    }
}

fn non_empty(id: Option<&str>) -> Option<&str> {
    id.filter(|s| !s.is_empty())
}

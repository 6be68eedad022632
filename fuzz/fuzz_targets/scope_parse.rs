//! The scope grammar and both scope engines.
//!
//! The input is text, lines separated by `\n`:
//!
//! ```text
//! <resource path>
//! <action>
//! <filters: empty = none, `k=v&k2=v2` = one map, `a=1|b=2` = alternatives>
//! <user scope>
//! <user scope>
//! ...
//! ```
//!
//! Properties:
//! - every line `Scope::parse` accepts displays to a string that parses
//!   back to an equal scope, and displaying that again changes nothing;
//! - a scope the strict engine can judge is a subset of itself;
//! - `check_access` does not depend on the order of the scopes, equals
//!   "some scope `is_authorized`" (strict; compatible without filters), and
//!   in strict mode adding a scope never takes access away.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usso::scope::{FilterMap, Filters, OwnerCheck, Scope, ScopeEngine};

/// Bounds the quadratic helpers (`get_common_scopes`).
const MAX_SCOPES: usize = 64;

fn filter_map(text: &str) -> FilterMap {
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn filters(text: &str) -> Filters {
    if text.is_empty() {
        Filters::None
    } else if text.contains('|') {
        Filters::AnyOf(text.split('|').map(filter_map).collect())
    } else {
        Filters::Map(filter_map(text))
    }
}

fn round_trip(line: &str) {
    let Ok(scope) = Scope::parse(line) else {
        return;
    };
    let shown = scope.to_string();
    let again = Scope::parse(&shown)
        .unwrap_or_else(|e| panic!("{line:?} displays as {shown:?}, which fails to parse: {e}"));
    assert_eq!(
        again, scope,
        "{line:?} -> {shown:?} parses to a different scope"
    );
    assert_eq!(
        again.to_string(),
        shown,
        "display is not idempotent for {line:?}"
    );
    assert_eq!(
        line.parse::<Scope>().as_ref(),
        Ok(&scope),
        "FromStr differs from parse"
    );
    if let Ok(subset) = ScopeEngine::strict().is_subset_scope(line, line) {
        assert!(subset, "{line:?} is not a subset of itself");
    }
}

fn same(
    a: &Result<bool, usso::scope::ScopeError>,
    b: &Result<bool, usso::scope::ScopeError>,
) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => x == y,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn engines(resource: &str, action: &str, filters: &Filters, scopes: &[&str]) {
    let reversed: Vec<&str> = scopes.iter().rev().copied().collect();
    for engine in [ScopeEngine::strict(), ScopeEngine::compatible()] {
        let strict = engine == ScopeEngine::strict();
        let access = engine.check_access(scopes, resource, action, filters);
        let backwards = engine.check_access(&reversed, resource, action, filters);
        assert!(
            same(&access, &backwards),
            "{engine:?}: order matters: {access:?} vs {backwards:?}"
        );
        // check_access is "any scope is_authorized", when the request has no
        // filters (both engines) or one filter map (strict: compatible ORs
        // the keys of a map one at a time, on purpose).
        let single = match filters {
            Filters::None => Some(None),
            Filters::Map(m) if strict => Some(Some(m)),
            _ => None,
        };
        if let (Ok(granted), Some(filter), false) = (&access, single, action.is_empty()) {
            let any = scopes.iter().any(|s| {
                engine
                    .is_authorized(s, resource, Some(action), filter)
                    .expect("a scope check_access accepted is judged on its own")
            });
            assert_eq!(*granted, any, "{engine:?}: check_access vs is_authorized");
        }
        if strict
            && let Some((_, fewer)) = scopes.split_last()
            && let (Ok(true), Ok(false)) = (
                engine.check_access(fewer, resource, action, filters),
                &access,
            )
        {
            panic!("strict: adding a scope took access away");
        }
        let _ = engine.get_scope_filters(action, resource, scopes);
        let _ = engine.is_path_match(action, resource);
        let _ = engine.has_subset_scope(action, scopes);
        let _ = engine.get_common_scopes(scopes, &reversed);
        let request = match filters {
            Filters::Map(m) => Some(m),
            Filters::AnyOf(list) => list.first(),
            Filters::None => None,
        };
        let _ = engine.owner_authorization(&OwnerCheck {
            requested_filter: request,
            user_id: scopes.first().copied(),
            self_action: scopes.get(1).copied().unwrap_or("owner"),
            action,
            owner_id: scopes.get(2).copied(),
            workspace_id: scopes.get(3).copied(),
            workspace_action: scopes.get(4).copied(),
        });
    }
    if let Filters::AnyOf(list) = filters {
        let _ = ScopeEngine::broadest_scope_filter(list);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    for line in &lines {
        round_trip(line);
    }
    let resource = lines.first().copied().unwrap_or_default();
    let action = lines.get(1).copied().unwrap_or_default();
    let filters = filters(lines.get(2).copied().unwrap_or_default());
    let scopes: Vec<&str> = lines.iter().skip(3).take(MAX_SCOPES).copied().collect();
    engines(resource, action, &filters, &scopes);
});

//! Claims deserialization and policy checks.
//!
//! The input is 8 selector bytes followed by a claims JSON document. The
//! claims go through `serde_json::from_slice::<usso::UserData>`; the
//! selector picks four `Requirement` trees (`all`/`any`/`not` over scopes,
//! roles, `workspace()` and `authenticated`), each checked with
//! `Requirement::check` and through `UssoAuth::check_requirement` with the
//! strict and the compatible scope engine.
//!
//! `Requirement` holds `&'static` children, so the trees come from a pool
//! built (and leaked) once: three layers, each layer's nodes combining
//! contiguous slices of the layer below. Nothing is leaked per input.
//!
//! Properties:
//! - `UserData` survives a serialize/deserialize round trip unchanged;
//! - a check passes exactly when an independent evaluation of the tree
//!   says it holds (for each way of granting a scope);
//! - a failure names only scopes (or roles) the claims do not hold.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use usso::scope::{Action, Filters, Mode, Scope, ScopeEngine};
use usso::{AuthError, Requirement, UserData, UssoAuth};

const SCOPES: &[&str] = &[
    "read:posts",
    "write:posts",
    "admin:posts",
    "read:media/files",
    "update:media/files?user_id=abc",
    "read:*",
    "openid",
    "",
];
const ROLES: &[&str] = &["editor", "admin", "banned", "viewer", ""];

fn layer(below: &'static [Requirement]) -> &'static [Requirement] {
    let mut nodes = Vec::new();
    for (i, node) in below.iter().enumerate() {
        nodes.push(Requirement::Not(node));
        for len in 1..=3 {
            if let Some(slice) = below.get(i..i + len) {
                nodes.push(Requirement::All(slice));
                nodes.push(Requirement::Any(slice));
            }
        }
    }
    nodes.push(Requirement::All(&[]));
    nodes.push(Requirement::Any(&[]));
    nodes.leak()
}

/// Layer 0: the atoms; layers 1 and 2: combinations.
fn pool() -> &'static [&'static [Requirement]; 3] {
    static POOL: OnceLock<[&'static [Requirement]; 3]> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut atoms = vec![Requirement::Authenticated, Requirement::Workspace];
        atoms.extend(SCOPES.iter().map(|s| Requirement::Scope(s)));
        atoms.extend(ROLES.iter().map(|r| Requirement::Role(r)));
        let l0: &'static [Requirement] = atoms.leak();
        let l1 = layer(l0);
        let l2 = layer(l1);
        [l0, l1, l2]
    })
}

/// One tree from two selector bytes: a pool node, or a new top node over a
/// pool slice.
fn tree(a: u8, b: u8) -> Requirement {
    let layer = pool()[usize::from(a % 3)];
    let i = usize::from(b) % layer.len();
    let slice = &layer[i..(i + usize::from(a >> 6) + 1).min(layer.len())];
    match (a >> 2) % 4 {
        0 => layer[i],
        1 => Requirement::All(slice),
        2 => Requirement::Any(slice),
        _ => Requirement::Not(&layer[i]),
    }
}

/// The independent evaluation.
fn holds(r: &Requirement, claims: &UserData, grants: &dyn Fn(&str) -> bool) -> bool {
    match *r {
        Requirement::Authenticated => true,
        Requirement::Scope(s) => grants(s),
        Requirement::Role(role) => claims.roles.iter().any(|held| held == role),
        Requirement::Workspace => claims
            .workspace_id
            .as_deref()
            .is_some_and(|w| !w.is_empty()),
        Requirement::All(rules) => rules.iter().all(|r| holds(r, claims, grants)),
        Requirement::Any(rules) => rules.iter().any(|r| holds(r, claims, grants)),
        Requirement::Not(rule) => !holds(rule, claims, grants),
        _ => unreachable!("a requirement kind the fuzz target does not build"),
    }
}

/// What the scope engine grants, by the rule `UssoAuth::with_scope_engine`
/// documents, independently of usso's private helper: holding the wanted scope
/// grants it; otherwise each held scope is judged on its own by `check_access`
/// (one it rejects counts for nothing), and the strict engine orders only the
/// actions of the privilege ladder.
fn engine_grants(engine: ScopeEngine, held: &[String], wanted: &str) -> bool {
    let parsed = Scope::parse(wanted);
    let itself = |h: &String| {
        h == wanted || matches!((&parsed, Scope::parse(h)), (Ok(w), Ok(h)) if *w == h)
    };
    if held.iter().any(itself) {
        return true;
    }
    let Ok(scope) = parsed else {
        return false;
    };
    let action = match engine.mode() {
        Mode::Compatible => scope.action().unwrap_or("read"),
        Mode::Strict => match scope.action().map(str::parse::<Action>) {
            Some(Ok(action)) => action.as_str(),
            _ => return false,
        },
    };
    let filters = if scope.filters().is_empty() {
        Filters::None
    } else {
        Filters::Map(scope.filters().clone())
    };
    let path = scope.path().join("/");
    held.iter().any(|h| {
        engine.check_access(std::slice::from_ref(h), &path, action, &filters) == Ok(true)
    })
}

fn check_error(e: &AuthError, claims: &UserData, grants: &dyn Fn(&str) -> bool) {
    match e {
        AuthError::InsufficientScope { required } => {
            assert!(!required.is_empty(), "a scope failure names no scope");
            for s in required {
                assert!(!grants(s), "a failure names the granted scope {s:?}");
            }
        }
        AuthError::InsufficientRole { required } => {
            assert!(!required.is_empty(), "a role failure names no role");
            for r in required {
                assert!(!claims.has_role(r), "a failure names the held role {r:?}");
            }
        }
        AuthError::WorkspaceRequired | AuthError::Forbidden { .. } => {}
        other => panic!("a policy check failed with {other:?}"),
    }
}

/// Authenticators whose `check_requirement` grants scopes through an engine
/// (a mock: only their policy checks are used, never to authenticate).
fn authenticators() -> &'static [(UssoAuth, ScopeEngine); 2] {
    static AUTHS: OnceLock<[(UssoAuth, ScopeEngine); 2]> = OnceLock::new();
    AUTHS.get_or_init(|| {
        [ScopeEngine::strict(), ScopeEngine::compatible()].map(|engine| {
            let auth = UssoAuth::mock(UserData::new("fuzz")).with_scope_engine(engine);
            (auth, engine)
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, json)) = data.split_first_chunk::<8>() else {
        return;
    };
    let Ok(claims) = serde_json::from_slice::<UserData>(json) else {
        return;
    };
    let value = serde_json::to_value(&claims).expect("UserData serializes");
    let back: UserData = serde_json::from_value(value).expect("serialized UserData deserializes");
    assert_eq!(back, claims, "UserData changed in a serialize round trip");

    let exact = |s: &str| claims.has_scope(s);
    for pair in selector.chunks_exact(2) {
        let rule = tree(pair[0], pair[1]);
        let result = rule.check(&claims);
        assert_eq!(
            result.is_ok(),
            holds(&rule, &claims, &exact),
            "check disagrees with the evaluation of {rule:?}"
        );
        if let Err(e) = &result {
            check_error(e, &claims, &exact);
        }
        for &(ref auth, engine) in authenticators() {
            let grants = |s: &str| engine_grants(engine, &claims.scopes, s);
            let result = auth.check_requirement(&rule, &claims);
            assert_eq!(
                result.is_ok(),
                holds(&rule, &claims, &grants),
                "{engine:?}: check_requirement disagrees with the evaluation of {rule:?}"
            );
            if let Err(e) = &result {
                check_error(e, &claims, &grants);
            }
        }
    }
});

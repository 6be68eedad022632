//! The scope engine's logs: one warning when the compatible engine is
//! installed, and each held scope it skips named at debug with its reason.
//!
//! Alone in its binary on purpose: `tracing` caches per call site whether
//! anyone listens, and a call site first reached by another test's thread
//! while this test installs its subscriber could be cached as unheard.

mod common;

use common::{BOTH_AND_MALFORMED, Captured};
use usso::scope::ScopeEngine;
use usso::{Requirement, UserData, UssoAuth};

fn logged(f: impl FnOnce()) -> String {
    let captured = Captured::default();
    tracing::subscriber::with_default(captured.subscriber(), f);
    captured.text()
}

#[test]
fn installing_the_compatible_engine_warns_once_and_skipped_scopes_are_logged() {
    let user = UserData::new("u").with_scopes(BOTH_AND_MALFORMED.iter().copied());
    let (mock, mock2) = (UssoAuth::mock(user.clone()), UssoAuth::mock(user.clone()));
    let mut compatible = None;
    let log = logged(|| compatible = Some(mock.with_scope_engine(ScopeEngine::compatible())));
    assert_eq!(log.matches("widen access").count(), 1, "{log}");
    let compatible = compatible.unwrap();
    let log = logged(|| {
        for _ in 0..3 {
            let _ = compatible.check_requirement(&Requirement::Scope("read:posts"), &user);
        }
    });
    assert!(!log.contains("widen"), "warned per request: {log}");

    let mut strict = None;
    let log = logged(|| strict = Some(mock2.with_scope_engine(ScopeEngine::strict())));
    assert!(!log.contains("WARN"), "{log}");
    let strict = strict.unwrap();
    let log = logged(|| {
        let delete = strict.check_requirement(&Requirement::Scope("delete:posts"), &user);
        assert!(delete.is_err());
    });
    // Each skipped scope is named with its reason, at debug.
    for reason in [
        "unknown action `write`",
        "`user` is not `key=value`",
        "' ' at byte 3",
    ] {
        assert!(log.contains(reason), "no `{reason}` in {log}");
    }
    assert!(log.contains("DEBUG"), "{log}");
}

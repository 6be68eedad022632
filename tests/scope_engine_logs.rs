//! The scope engine's logs: one warning when the compatible engine is
//! installed, and each held scope it skips named at debug with its reason.
//!
//! Alone in its binary on purpose: `tracing` caches per call site whether
//! anyone listens, and a call site first reached by another test's thread
//! while this test installs its subscriber could be cached as unheard.

use std::io::Write;
use std::sync::{Arc, Mutex};

use usso::scope::ScopeEngine;
use usso::{Requirement, UserData, UssoAuth};

/// `read:posts`, `write:posts` and scopes the strict engine can't judge.
const BOTH_AND_MALFORMED: &[&str] = &[
    "read:posts",
    "write:*",
    "write:posts",
    "read:posts?user",
    "bad scope",
    ":x",
];

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn logged(f: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
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

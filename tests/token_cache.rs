//! The verified-token cache: each safety rule, through the public API.

use std::time::Duration;

use usso::testing::{Rotation, TestIssuer};
use usso::{AuthError, TokenCacheOptions, UssoAuth};

fn cached_auth(issuer: &TestIssuer, options: TokenCacheOptions) -> UssoAuth {
    UssoAuth::new(
        issuer
            .config_builder()
            .leeway(Duration::ZERO)
            .token_cache(options)
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_repeated_token_is_answered_from_the_cache() {
    let issuer = TestIssuer::start().await;
    let auth = cached_auth(&issuer, TokenCacheOptions::default());
    let token = issuer.token().sub("user:1").mint();
    for _ in 0..5 {
        assert_eq!(
            auth.verify_token(&token).await.unwrap().sub.as_deref(),
            Some("user:1")
        );
    }
    let stats = auth.token_cache_stats().unwrap();
    assert_eq!((stats.hits, stats.entries), (4, 1));
}

#[tokio::test]
async fn the_key_is_the_whole_token_not_a_prefix() {
    let issuer = TestIssuer::start().await;
    let auth = cached_auth(&issuer, TokenCacheOptions::default());
    let token = issuer.token().mint();
    auth.verify_token(&token).await.unwrap();
    // Same header and payload, one signature byte changed.
    let mut forged = token.clone().into_bytes();
    let i = forged.len() - 10;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(
        auth.verify_token(&forged).await,
        Err(AuthError::InvalidSignature)
    );
    // A token extended past a cached one is a different token.
    assert!(auth.verify_token(&format!("{token}A")).await.is_err());
    assert_eq!(auth.token_cache_stats().unwrap().hits, 0);
}

#[tokio::test]
async fn exp_is_rechecked_on_every_hit() {
    let issuer = TestIssuer::start().await;
    let auth = cached_auth(&issuer, TokenCacheOptions::default());
    // `exp` is whole seconds: 2 s leaves at least one full second to verify
    // before expiry, however late in a second the token was minted.
    let token = issuer.token().expires_in(Duration::from_secs(2)).mint();
    auth.verify_token(&token).await.unwrap();
    auth.verify_token(&token).await.unwrap_or_else(|e| {
        // The second may already be past `exp` on a slow machine; it must
        // then be the expiry error, never a stale success.
        assert_eq!(e, AuthError::TokenExpired);
        usso::UserData::default()
    });
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        auth.verify_token(&token).await,
        Err(AuthError::TokenExpired)
    );
}

#[tokio::test]
async fn not_yet_valid_tokens_are_never_cached() {
    let issuer = TestIssuer::start().await;
    let auth = cached_auth(&issuer, TokenCacheOptions::default());
    let token = issuer.token().not_yet_valid().mint();
    for _ in 0..3 {
        assert_eq!(
            auth.verify_token(&token).await,
            Err(AuthError::TokenNotYetValid)
        );
    }
    assert_eq!(auth.token_cache_stats().unwrap().entries, 0);
}

#[tokio::test]
async fn entries_live_at_most_the_ttl() {
    let issuer = TestIssuer::start().await;
    let auth = cached_auth(
        &issuer,
        TokenCacheOptions::default().ttl(Duration::from_millis(300)),
    );
    let token = issuer.token().mint();
    auth.verify_token(&token).await.unwrap();
    auth.verify_token(&token).await.unwrap();
    assert_eq!(auth.token_cache_stats().unwrap().hits, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    auth.verify_token(&token).await.unwrap();
    assert_eq!(
        auth.token_cache_stats().unwrap().hits,
        1,
        "expired by ttl: verified again"
    );
}

#[tokio::test]
async fn a_rotated_out_key_invalidates_its_entries() {
    let issuer = TestIssuer::start().await;
    let auth = cached_auth(&issuer, TokenCacheOptions::default());
    let token = issuer.token().mint();
    auth.verify_token(&token).await.unwrap();
    issuer.rotate(Rotation::RemoveOld);
    auth.jwks_store().unwrap().refresh_now().await.unwrap();
    let err = auth.verify_token(&token).await.unwrap_err();
    assert!(matches!(err, AuthError::UnknownKey { .. }), "{err:?}");
    assert!(auth.token_cache_stats().unwrap().invalidations >= 1);
}

#[tokio::test]
async fn memory_is_bounded_by_max_entries() {
    let issuer = TestIssuer::start().await;
    let auth = cached_auth(&issuer, TokenCacheOptions::default().max_entries(32));
    for i in 0..300 {
        let token = issuer.token().sub(format!("user:{i}")).mint();
        auth.verify_token(&token).await.unwrap();
    }
    let stats = auth.token_cache_stats().unwrap();
    assert!(stats.entries <= 32, "{stats:?}");
    assert!(stats.evictions >= 300 - 32, "{stats:?}");
}

#[tokio::test]
async fn the_cache_is_off_by_default() {
    let issuer = TestIssuer::start().await;
    assert!(issuer.auth().token_cache_stats().is_none());
}

#[tokio::test]
async fn memory_is_bounded_in_bytes_whatever_the_token_size() {
    let issuer = TestIssuer::start().await;
    let max_bytes = 2 << 20;
    let auth = cached_auth(&issuer, TokenCacheOptions::default().max_bytes(max_bytes));
    let padding = "x".repeat(5_600);
    let mut tokens = Vec::new();
    for i in 0..300 {
        let token = issuer
            .token()
            .sub(format!("user:{i}"))
            .claim("padding", padding.as_str())
            .mint();
        assert!(
            (7 * 1024..=8 * 1024).contains(&token.len()),
            "{}",
            token.len()
        );
        assert_eq!(
            auth.verify_token(&token).await.unwrap().sub,
            Some(format!("user:{i}"))
        );
        let stats = auth.token_cache_stats().unwrap();
        assert!(stats.bytes <= max_bytes, "{stats:?}");
        tokens.push(token);
    }
    let stats = auth.token_cache_stats().unwrap();
    let sizes = tokens
        .iter()
        .map(|t| TokenCacheOptions::entry_bytes(t.len()));
    let (least, most) = (sizes.clone().min().unwrap(), sizes.max().unwrap());
    assert!(
        (stats.entries * least..=stats.entries * most).contains(&stats.bytes),
        "{stats:?}"
    );
    assert!(stats.entries <= max_bytes / least, "{stats:?}");
    assert!(stats.entries > 0 && stats.evictions > 0, "{stats:?}");
    // Evicted or not, every token still verifies.
    for token in &tokens {
        assert!(auth.verify_token(token).await.is_ok());
    }
    // The default leaves room for 10 000 ordinary tokens.
    assert_eq!(
        TokenCacheOptions::default(),
        TokenCacheOptions::default().max_bytes(32 << 20)
    );
}

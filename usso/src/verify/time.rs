//! The time rules (`exp`, `nbf`, `iat`, `max_age`), applied at verification
//! and again on every verified-token cache hit.

use super::rules::Rules;
use crate::{AuthError, NumericDate};

/// The time-based rules; also re-applied on every verified-token cache hit.
/// Compared in milliseconds, so fractional dates are exact at the leeway
/// boundaries.
pub(crate) fn check_times(
    exp: Option<NumericDate>,
    nbf: Option<NumericDate>,
    iat: Option<NumericDate>,
    rules: &Rules,
    now: NumericDate,
) -> Result<(), AuthError> {
    let now = now.as_millis();
    let leeway = rules.leeway_ms;
    match exp {
        Some(exp) if rules.verify_exp && now.saturating_sub(leeway) >= exp.as_millis() => {
            return Err(AuthError::TokenExpired);
        }
        None if rules.require_exp => {
            return Err(AuthError::invalid("the token has no `exp` claim"));
        }
        _ => {}
    }
    if rules.verify_nbf
        && let Some(nbf) = nbf
        && now.saturating_add(leeway) < nbf.as_millis()
    {
        return Err(AuthError::TokenNotYetValid);
    }
    if let Some(iat) = iat
        && iat.as_millis() > now.saturating_add(leeway)
    {
        return Err(AuthError::invalid(
            "the token was issued in the future (`iat`)",
        ));
    }
    if let Some(max_age) = rules.max_age_ms {
        let Some(iat) = iat else {
            return Err(AuthError::invalid(
                "the token has no `iat`, so its age is unknown",
            ));
        };
        if now.saturating_sub(iat.as_millis()) > max_age.saturating_add(leeway) {
            return Err(AuthError::TokenExpired);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{Algorithm, JwtConfig, Key};

    fn rules(leeway_secs: u64) -> Rules {
        let config = JwtConfig::builder()
            .key(Key::hmac_secret([7u8; 32]))
            .algorithm(Algorithm::HS256)
            .leeway(Duration::from_secs(leeway_secs))
            .max_age(Duration::from_secs(60))
            .build()
            .unwrap();
        (*config.rules).clone()
    }

    fn at(millis: i64) -> NumericDate {
        NumericDate::from_millis(millis)
    }

    #[test]
    fn fractional_dates_are_exact_at_the_leeway_boundaries() {
        let now = at(1_000_000_300); // 1_000_000.3 s
        let iat = Some(at(999_990_000));
        for (leeway, exp, expired) in [
            (0, 1_000_000_301, false),
            (0, 1_000_000_300, true),
            (0, 1_000_000_299, true),
            (10, 999_990_301, false),
            (10, 999_990_300, true),
        ] {
            let r = check_times(Some(at(exp)), None, iat, &rules(leeway), now);
            assert_eq!(r == Err(AuthError::TokenExpired), expired, "{leeway} {exp}");
        }
        for (leeway, nbf, early) in [
            (0, 1_000_000_300, false),
            (0, 1_000_000_301, true),
            (10, 1_000_010_300, false),
            (10, 1_000_010_301, true),
        ] {
            let r = check_times(
                Some(at(2_000_000_000)),
                Some(at(nbf)),
                iat,
                &rules(leeway),
                now,
            );
            assert_eq!(
                r == Err(AuthError::TokenNotYetValid),
                early,
                "{leeway} {nbf}"
            );
        }
        // `iat` in the future by more than the leeway, and `max_age`.
        let future = check_times(
            Some(at(2_000_000_000)),
            None,
            Some(at(1_000_010_301)),
            &rules(10),
            now,
        );
        assert!(future.is_err());
        let old = check_times(
            Some(at(2_000_000_000)),
            None,
            Some(at(999_930_299)),
            &rules(10),
            now,
        );
        assert_eq!(old, Err(AuthError::TokenExpired));
        let young = check_times(
            Some(at(2_000_000_000)),
            None,
            Some(at(999_930_300)),
            &rules(10),
            now,
        );
        assert_eq!(young, Ok(()));
    }
}

//! Unix times as UTC dates and as "in 4m 10s" / "3h 2m ago", without a
//! date library.

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> i64 {
    crate::NumericDate::now().as_secs()
}

/// The proleptic Gregorian date of a day count since 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are small by construction (1..=12, 1..=31).
    (year, month as u32, day as u32)
}

/// `2025-06-01 10:05:00 UTC`; years outside 1..=9999 are shown as the raw number.
pub(crate) fn utc(secs: i64) -> String {
    const MIN: i64 = -62_135_596_800; // 0001-01-01 00:00:00
    const MAX: i64 = 253_402_300_799; // 9999-12-31 23:59:59
    if !(MIN..=MAX).contains(&secs) {
        return format!("{secs} (out of the calendar's range)");
    }
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A duration in its two largest units: `45s`, `4m 10s`, `3h 2m`, `2d 5h`.
pub(crate) fn span(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// Which time claim a phrase is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    Exp,
    Nbf,
    Iat,
}

/// How `at` relates to `now` for that claim: "expires in 4m 10s",
/// "expired 3h 2m ago", "valid since 2m 5s ago", "issued 1m 0s ago", ….
pub(crate) fn relative(claim: Claim, at: i64, now: i64) -> String {
    let ahead = at > now;
    let gap = span(at.abs_diff(now));
    match (claim, ahead) {
        (Claim::Exp, true) => format!("expires in {gap}"),
        (Claim::Exp, false) => format!("expired {gap} ago"),
        (Claim::Nbf, true) => format!("NOT valid yet: valid in {gap}"),
        (Claim::Nbf, false) => format!("valid since {gap} ago"),
        (Claim::Iat, true) => format!("issued in the future ({gap} from now; clock skew?)"),
        (Claim::Iat, false) => format!("issued {gap} ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc(4_102_444_799), "2099-12-31 23:59:59 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(utc(9_999_999_999), "2286-11-20 17:46:39 UTC");
        assert_eq!(utc(-62_135_596_800), "0001-01-01 00:00:00 UTC");
        assert_eq!(utc(253_402_300_799), "9999-12-31 23:59:59 UTC");
        assert!(utc(i64::MAX).contains("out of"));
        assert!(utc(i64::MIN).contains("out of"));
    }

    #[test]
    fn spans() {
        assert_eq!(span(0), "0s");
        assert_eq!(span(45), "45s");
        assert_eq!(span(250), "4m 10s");
        assert_eq!(span(3 * 3600 + 2 * 60 + 9), "3h 2m");
        assert_eq!(span(2 * 86_400 + 5 * 3600 + 7), "2d 5h");
        assert_eq!(span(u64::MAX).split(' ').count(), 2);
    }

    #[test]
    fn phrases() {
        assert_eq!(relative(Claim::Exp, 1250, 1000), "expires in 4m 10s");
        assert_eq!(
            relative(Claim::Exp, 1000, 1000 + 10_920),
            "expired 3h 2m ago"
        );
        assert_eq!(relative(Claim::Nbf, 900, 1000), "valid since 1m 40s ago");
        assert!(relative(Claim::Nbf, 1100, 1000).starts_with("NOT valid yet"));
        assert_eq!(relative(Claim::Iat, 940, 1000), "issued 1m 0s ago");
        assert!(relative(Claim::Iat, i64::MAX, i64::MIN).contains("future"));
    }
}

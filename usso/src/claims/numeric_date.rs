//! RFC 7519's NumericDate, as the `exp`, `nbf` and `iat` claims carry it.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A point in time as a JWT states it: seconds since the Unix epoch, which
/// [RFC 7519 §2] allows to be fractional (PyJWT and others emit
/// `1700000000.5`). usso keeps it to the millisecond, so the `exp`/`nbf`
/// rules compare exactly at their leeway boundaries.
///
/// ```
/// use usso::NumericDate;
///
/// let exp: NumericDate = serde_json::from_str("1700000000.25").unwrap();
/// assert_eq!(exp.as_secs(), 1_700_000_000);
/// assert_eq!(exp.as_millis(), 1_700_000_000_250);
/// assert_eq!(exp, NumericDate::from_millis(1_700_000_000_250));
/// assert!(exp > NumericDate::from_secs(1_700_000_000));
/// assert_eq!(serde_json::to_string(&NumericDate::from_secs(7)).unwrap(), "7");
/// ```
///
/// [RFC 7519 §2]: https://www.rfc-editor.org/rfc/rfc7519#section-2
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NumericDate {
    millis: i64,
}

impl NumericDate {
    /// Whole seconds since the epoch (saturating far outside any real date).
    pub const fn from_secs(secs: i64) -> Self {
        Self {
            millis: secs.saturating_mul(1000),
        }
    }

    /// Milliseconds since the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self { millis }
    }

    /// The current time.
    pub fn now() -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self { millis }
    }

    /// Seconds since the epoch, rounded down.
    pub const fn as_secs(self) -> i64 {
        self.millis.div_euclid(1000)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.millis
    }
}

impl From<i64> for NumericDate {
    fn from(secs: i64) -> Self {
        Self::from_secs(secs)
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frac = self.millis.rem_euclid(1000);
        if frac == 0 {
            write!(f, "{}", self.as_secs())
        } else {
            write!(f, "{}.{frac:03}", self.as_secs())
        }
    }
}

impl fmt::Debug for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for NumericDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.millis.rem_euclid(1000) == 0 {
            serializer.serialize_i64(self.as_secs())
        } else {
            #[allow(clippy::cast_precision_loss)] // a date's millis fit in f64's 53 bits
            serializer.serialize_f64(self.millis as f64 / 1000.0)
        }
    }
}

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumericDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds since the epoch")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
                Ok(NumericDate::from_secs(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
                Ok(NumericDate::from_secs(i64::try_from(v).unwrap_or(i64::MAX)))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
                if !v.is_finite() {
                    return Err(E::custom("a date must be a finite number"));
                }
                // Rounded down to the millisecond; `as` saturates far outside
                // any real date.
                #[allow(clippy::cast_possible_truncation)]
                let millis = (v * 1000.0).floor() as i64;
                Ok(NumericDate::from_millis(millis))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_fractions_and_extremes() {
        let parse = |s: &str| serde_json::from_str::<NumericDate>(s);
        assert_eq!(parse("10").unwrap(), NumericDate::from_secs(10));
        assert_eq!(parse("10.0").unwrap(), NumericDate::from_secs(10));
        assert_eq!(parse("10.5").unwrap().as_millis(), 10_500);
        assert_eq!(parse("-0.5").unwrap().as_millis(), -500);
        assert_eq!(parse("-0.5").unwrap().as_secs(), -1);
        assert_eq!(parse("1e300").unwrap().as_millis(), i64::MAX);
        assert_eq!(
            parse("18446744073709551615").unwrap().as_secs(),
            i64::MAX / 1000
        );
        assert!(parse("\"10\"").is_err());
        assert!(parse("null").is_err());
        assert_eq!(NumericDate::from_millis(10_500).to_string(), "10.500");
        assert_eq!(
            serde_json::to_string(&NumericDate::from_millis(10_500)).unwrap(),
            "10.5"
        );
    }
}

//! One revocation rule, and how it travels between replicas.
//!
//! On the wire (a Redis pub/sub message) a rule is one line of text,
//! `v1 <kind> <millis> <id>`, and in a Redis key it is `<ns>:<kind>:<id>`
//! holding `<millis>`. Both are read back from a shared server that anyone
//! with its password can write to, so [`Rule::decode`] and
//! [`Rule::from_key`] refuse anything that [`Revocations`](super::Revocations)'
//! own calls would refuse.

// Without `redis` only the rule itself is used: its wire format is the
// Redis backend's.
#![cfg_attr(not(feature = "redis"), allow(dead_code))]

use std::fmt;

use super::{MAX_ID_BYTES, RevocationError};
use crate::NumericDate;

/// What a rule matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One token, by `jti`; `at` is its `exp`.
    Jti,
    /// A USSO session (logout); `at` is when the rule may end.
    Session,
    /// Tokens of a subject issued before `at`.
    Subject,
}

impl Kind {
    const ALL: [Self; 3] = [Self::Jti, Self::Session, Self::Subject];

    /// The tag in keys and messages.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::Jti => "jti",
            Self::Session => "session",
            Self::Subject => "sub",
        }
    }

    /// The claim it matches, for error messages.
    pub(crate) fn claim(self) -> &'static str {
        match self {
            Self::Jti => "jti",
            Self::Session => "session_id",
            Self::Subject => "sub",
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.tag() == tag)
    }
}

/// A rule: `kind` and `id` say which tokens, `at` when (see [`Kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule<'a> {
    pub(crate) kind: Kind,
    pub(crate) id: &'a str,
    pub(crate) at: NumericDate,
}

/// Why a message or key from Redis was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Malformed {
    NotUtf8,
    Shape,
    Id(RevocationError),
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUtf8 => f.write_str("not UTF-8"),
            Self::Shape => f.write_str("not a usso revocation (`v1 <kind> <millis> <id>`)"),
            Self::Id(e) => e.fmt(f),
        }
    }
}

/// The id checks every rule passes, wherever it comes from.
pub(crate) fn checked_id(kind: Kind, id: &str) -> Result<&str, RevocationError> {
    let what = kind.claim();
    if id.is_empty() {
        Err(RevocationError::Empty { what })
    } else if id.len() > MAX_ID_BYTES {
        Err(RevocationError::TooLong { what })
    } else {
        Ok(id)
    }
}

impl<'a> Rule<'a> {
    /// A rule whose id passed [`checked_id`].
    pub(crate) fn new(kind: Kind, id: &'a str, at: NumericDate) -> Result<Self, RevocationError> {
        Ok(Self {
            kind,
            id: checked_id(kind, id)?,
            at,
        })
    }

    /// The pub/sub message announcing this rule.
    pub(crate) fn encode(&self) -> String {
        format!("v1 {} {} {}", self.kind.tag(), self.at.as_millis(), self.id)
    }

    /// A rule from a pub/sub message.
    pub(crate) fn decode(payload: &'a [u8]) -> Result<Self, Malformed> {
        let text = std::str::from_utf8(payload).map_err(|_| Malformed::NotUtf8)?;
        let mut parts = text.splitn(4, ' ');
        let (Some("v1"), Some(tag), Some(millis), Some(id)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Malformed::Shape);
        };
        let kind = Kind::from_tag(tag).ok_or(Malformed::Shape)?;
        let at = parse_millis(millis.as_bytes()).ok_or(Malformed::Shape)?;
        Self::new(kind, id, at).map_err(Malformed::Id)
    }

    /// The Redis key holding this rule, under `namespace`.
    pub(crate) fn key(&self, namespace: &str) -> String {
        format!("{namespace}:{}:{}", self.kind.tag(), self.id)
    }

    /// A rule from a Redis key under `namespace` and its value.
    pub(crate) fn from_key(
        namespace: &str,
        key: &'a [u8],
        value: &[u8],
    ) -> Result<Self, Malformed> {
        let key = std::str::from_utf8(key).map_err(|_| Malformed::NotUtf8)?;
        let rest = key
            .strip_prefix(namespace)
            .and_then(|r| r.strip_prefix(':'))
            .ok_or(Malformed::Shape)?;
        let (tag, id) = rest.split_once(':').ok_or(Malformed::Shape)?;
        let kind = Kind::from_tag(tag).ok_or(Malformed::Shape)?;
        let at = parse_millis(value).ok_or(Malformed::Shape)?;
        Self::new(kind, id, at).map_err(Malformed::Id)
    }
}

/// Milliseconds since the epoch, as written by [`Rule::encode`]: ASCII
/// digits with an optional `-`, at most 19 of them.
pub(crate) fn parse_millis(text: &[u8]) -> Option<NumericDate> {
    let text = std::str::from_utf8(text).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(NumericDate::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_survives_the_wire_and_a_key() {
        let at = NumericDate::from_millis(1_700_000_000_123);
        for kind in Kind::ALL {
            for id in ["a", "with spaces and: colons", "ünïcödé"] {
                let rule = Rule::new(kind, id, at).unwrap();
                let line = rule.encode();
                assert_eq!(Rule::decode(line.as_bytes()), Ok(rule));
                let key = rule.key("usso:revocations");
                let value = at.as_millis().to_string();
                assert_eq!(
                    Rule::from_key("usso:revocations", key.as_bytes(), value.as_bytes()),
                    Ok(rule)
                );
            }
        }
    }

    #[test]
    fn bad_messages_are_refused_not_guessed() {
        let long = format!("v1 jti 1 {}", "x".repeat(MAX_ID_BYTES + 1));
        let cases: [(&[u8], Malformed); 9] = [
            (b"\xff\xfe", Malformed::NotUtf8),
            (b"", Malformed::Shape),
            (b"v2 jti 1 a", Malformed::Shape),
            (b"v1 token 1 a", Malformed::Shape),
            (b"v1 jti +1 a", Malformed::Shape),
            (b"v1 jti 99999999999999999999 a", Malformed::Shape),
            (b"v1 jti 1", Malformed::Shape),
            (
                b"v1 jti 1 ",
                Malformed::Id(RevocationError::Empty { what: "jti" }),
            ),
            (
                long.as_bytes(),
                Malformed::Id(RevocationError::TooLong { what: "jti" }),
            ),
        ];
        for (payload, why) in cases {
            assert_eq!(Rule::decode(payload), Err(why), "{payload:?}");
        }
        assert_eq!(
            Rule::from_key("ns", b"other:jti:a", b"1"),
            Err(Malformed::Shape)
        );
        assert_eq!(
            Rule::from_key("ns", b"ns:jti:a", b"soon"),
            Err(Malformed::Shape)
        );
    }

    proptest::proptest! {
        /// Whatever arrives on the channel or in a key: a rule or a reason,
        /// never a panic; and a rule that comes out is one usso could write.
        #[test]
        fn any_bytes_decode_to_a_rule_or_a_reason(payload in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            if let Ok(rule) = Rule::decode(&payload) {
                proptest::prop_assert!(checked_id(rule.kind, rule.id).is_ok());
                let line = rule.encode();
                proptest::prop_assert_eq!(Rule::decode(line.as_bytes()), Ok(rule));
            }
            let _ = Rule::from_key("ns", &payload, &payload);
        }

        /// Well-shaped lines with any id: ids that usso accepts survive the
        /// trip exactly, the others are refused by the same rule as a call.
        #[test]
        fn shaped_lines_round_trip(kind in 0..3_usize, ms in proptest::num::i64::ANY, id in "\\PC{0,300}") {
            let kind = Kind::ALL[kind];
            let line = format!("v1 {} {ms} {id}", kind.tag());
            match Rule::decode(line.as_bytes()) {
                Ok(rule) => {
                    proptest::prop_assert_eq!(rule.id, id.as_str());
                    proptest::prop_assert_eq!(rule.at.as_millis(), ms);
                }
                Err(why) => proptest::prop_assert_eq!(
                    why,
                    Malformed::Id(checked_id(kind, &id).unwrap_err())
                ),
            }
        }
    }
}

//! Claims of the wrong shape, explained to the API client: the claim and the type it
//! must have, never serde's internals (`invalid type: integer `42`, expected a string
//! at line 1 column 36`) and never the value the token carried.

use serde::de::DeserializeOwned;

use crate::AuthError;

/// Deserializes verified claims into `C`; on failure, names the claim at fault.
///
/// The plain parse runs first: tracking the path costs time on every token, and
/// only a failing token needs it.
pub(crate) fn from_json<C: DeserializeOwned>(json: &str) -> Result<C, AuthError> {
    serde_json::from_str(json).map_err(|_| AuthError::invalid(describe::<C>(json)))
}

/// Like [`from_json`], from a JSON value (claims converted between types).
pub(crate) fn from_value<C: DeserializeOwned>(value: serde_json::Value) -> Result<C, AuthError> {
    let text = value.to_string();
    serde_json::from_value(value).map_err(|_| AuthError::invalid(describe::<C>(&text)))
}

/// Why `json` is not a `C`, in the client's terms.
fn describe<C: DeserializeOwned>(json: &str) -> String {
    let mut de = serde_json::Deserializer::from_str(json);
    let Err(err) = serde_path_to_error::deserialize::<_, C>(&mut de) else {
        return "invalid claims".to_owned();
    };
    if !err.inner().is_data() {
        return "the claims are not valid JSON".to_owned();
    }
    let path = err.path().to_string();
    let message = strip_position(&err.inner().to_string());
    // `UserData` names the claim itself, for callers who deserialize it on their own.
    let (named, message) = match message
        .strip_prefix("claim `")
        .and_then(|rest| rest.split_once("`: "))
    {
        Some((claim, rest)) => (Some(claim.to_owned()), rest.to_owned()),
        None => (None, message),
    };
    let path = if path == "." { named } else { Some(path) };
    explain(path.as_deref(), &message)
}

/// serde_json appends the position of the error, which means nothing to a client.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at)
            if message[at + 9..]
                .split(" column ")
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            message[..at].to_owned()
        }
        _ => message.to_owned(),
    }
}

/// Rewrites serde's standard messages around the claim `path` (`None`: the claims as a
/// whole).
fn explain(path: Option<&str>, message: &str) -> String {
    let claim = |p: &str| format!("claim `{}`", clip(p));
    // A missing field is reported at its parent; an unknown or repeated one at itself.
    let within = |field: &str| match path {
        Some(p) if p == field || p.ends_with(&format!(".{field}")) => claim(p),
        Some(p) => claim(&format!("{p}.{field}")),
        None => claim(field),
    };
    let subject = path.map_or_else(|| "the claims".to_owned(), claim);
    if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!("{subject} must be {}, not {}", clip(expected), kind(found));
    }
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((_, expected)) = rest.split_once(", expected ")
    {
        return format!("{subject} must be {}", clip(expected));
    }
    if let Some(field) = backticked(message, "missing field `") {
        return format!("{} is missing", within(field));
    }
    if let Some(field) = backticked(message, "unknown field `") {
        return format!("{} is not allowed", within(field));
    }
    if let Some(field) = backticked(message, "duplicate field `") {
        return format!("{} appears more than once", within(field));
    }
    format!("{subject} is invalid: {}", clip(message))
}

fn backticked<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    message.strip_prefix(prefix)?.split('`').next()
}

/// The kind of a value serde found (`integer `42``, `string "…"`), without the value:
/// a token's content is never echoed.
fn kind(found: &str) -> String {
    let end = found.find([' ', '`', '"']).unwrap_or(found.len());
    let kind = match &found[..end] {
        "floating" => "a number",
        "integer" => "an integer",
        "string" => "a string",
        "boolean" => "a boolean",
        "map" => "an object",
        "sequence" => "an array",
        "null" | "unit" => "null",
        "char" => "a string",
        _ => "another type",
    };
    kind.to_owned()
}

/// Claim names are the token's (map keys) or the type's; bound and escape them.
fn clip(text: &str) -> String {
    const MAX: usize = 64;
    let mut out: String = text
        .chars()
        .take(MAX)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Deserialize;

    use super::*;
    use crate::UserData;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Custom {
        sub: String,
        age: Option<u32>,
        profile: Option<Profile>,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(flatten)]
        user: UserData,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Profile {
        name: String,
        level: u8,
    }

    fn reason<C: DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        match from_json::<C>(json) {
            Err(AuthError::TokenInvalid { reason }) => reason.to_string(),
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn names_the_claim_and_the_type() {
        let cases = [
            (
                r#"{"sub": 42}"#,
                "claim `sub` must be a string, not an integer",
            ),
            (
                r#"{"sub": "s", "age": "old"}"#,
                "claim `age` must be u32, not a string",
            ),
            (
                r#"{"sub": "s", "age": -1}"#,
                "claim `age` must be u32, not an integer",
            ),
            (
                r#"{"sub": "s", "tags": ["a", 7]}"#,
                "claim `tags[1]` must be a string, not an integer",
            ),
            (
                r#"{"sub": "s", "profile": {"name": "n"}}"#,
                "claim `profile.level` is missing",
            ),
            (
                r#"{"sub": "s", "profile": {"name": "n", "level": 1, "x": 1}}"#,
                "claim `profile.x` is not allowed",
            ),
            (r#"{"age": 1}"#, "claim `sub` is missing"),
            (
                r#"{"sub": "s", "profile": {"name": "n", "level": 1, "level": 2}}"#,
                "claim `profile.level` appears more than once",
            ),
            (
                r#"{"sub": "s", "roles": "admin"}"#,
                "claim `roles` must be a sequence, not a string",
            ),
            (
                r#"{"sub": "s", "exp": "soon"}"#,
                "claim `exp` must be a number of seconds since the epoch, not a string",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(reason::<Custom>(json), want, "{json}");
        }
        assert_eq!(
            reason::<UserData>(r#"{"sub": 42}"#),
            "claim `sub` must be a string, not an integer"
        );
        let map = reason::<HashMap<String, u8>>(r#"{"k\u0000ey": "v"}"#);
        assert_eq!(map, "claim `k\\0ey` must be u8, not a string");
    }

    #[test]
    fn never_echoes_the_value_or_serde_positions() {
        let secret = "s3cr3t-value";
        let json = format!(r#"{{"sub": "s", "age": "{secret}"}}"#);
        let got = reason::<Custom>(&json);
        assert!(
            !got.contains(secret) && !got.contains("line") && !got.contains("column"),
            "{got}"
        );
        assert_eq!(
            reason::<Custom>("{\"sub\": "),
            "the claims are not valid JSON"
        );
    }
}

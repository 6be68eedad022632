//! The claim rules a [`JwtConfig`](crate::JwtConfig) resolves to, as the
//! verifier applies them.

/// The claim rules, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    pub(crate) issuers: Vec<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) verify_exp: bool,
    pub(crate) verify_nbf: bool,
    pub(crate) verify_iss: bool,
    pub(crate) verify_aud: bool,
    pub(crate) require_exp: bool,
    /// Milliseconds, like [`NumericDate`](crate::NumericDate).
    pub(crate) leeway_ms: i64,
    pub(crate) max_age_ms: Option<i64>,
    pub(crate) token_types: Vec<String>,
    pub(crate) require_token_type: bool,
    pub(crate) required_claims: Vec<String>,
    pub(crate) typ: Option<String>,
    pub(crate) max_token_bytes: usize,
}

pub(crate) fn normalize_typ(typ: &str) -> &str {
    let t = typ.trim();
    // Compare bytes: `typ` comes from the token, and slicing a `str` at a
    // byte offset inside a multi-byte character would panic.
    match t.as_bytes().get(..12) {
        Some(prefix) if t.len() > 12 && prefix.eq_ignore_ascii_case(b"application/") => {
            // The first 12 bytes are ASCII, so 12 is a char boundary.
            t.get(12..).unwrap_or(t)
        }
        _ => t,
    }
}

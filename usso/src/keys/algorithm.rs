use std::fmt;
use std::str::FromStr;

/// A JWS signature algorithm that usso can verify.
///
/// `none` is deliberately not representable: a token whose header says
/// `"alg": "none"` is rejected before any key is looked at.
///
/// In a **token header**, `alg` is case-sensitive (RFC 7515 §4.1.1): only
/// the registered names are accepted, plus `ED25519`, the one alias that
/// USSO agent tokens (the Python package's `generate_agent_jwt`) carry for
/// [`Algorithm::EdDSA`]. `rs256` or `eddsa` in a token is refused.
///
/// In **configuration** ([`FromStr`], the CLI's `--alg`), names are read
/// case-insensitively, with `Ed25519` and `ED25519` as aliases of `EdDSA`,
/// since a person typed them.
///
/// ```
/// use usso::Algorithm;
///
/// assert_eq!("eddsa".parse::<Algorithm>().unwrap(), Algorithm::EdDSA);
/// assert_eq!("ED25519".parse::<Algorithm>().unwrap(), Algorithm::EdDSA);
/// assert_eq!("rs256".parse::<Algorithm>().unwrap(), Algorithm::RS256);
/// assert!("none".parse::<Algorithm>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 signatures (RFC 8037). The USSO default.
    #[default]
    EdDSA,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// HMAC with SHA-256 (symmetric; only with an explicitly configured secret).
    HS256,
    /// HMAC with SHA-384 (symmetric; only with an explicitly configured secret).
    HS384,
    /// HMAC with SHA-512 (symmetric; only with an explicitly configured secret).
    HS512,
}

/// The kind of key an [`Algorithm`] needs. An algorithm is only ever
/// verified with a key of its own family: this is what pins the algorithm to
/// the key (RFC 8725 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum KeyFamily {
    Ed25519,
    Rsa,
    EcP256,
    EcP384,
    Hmac,
}

impl Algorithm {
    /// Every supported algorithm, in a stable order.
    pub const ALL: [Self; 12] = [
        Self::EdDSA,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::HS256,
        Self::HS384,
        Self::HS512,
    ];

    /// The registered JOSE name (`"EdDSA"`, `"RS256"`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EdDSA => "EdDSA",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
        }
    }

    /// Whether this is an HMAC (shared-secret) algorithm.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Self::HS256 | Self::HS384 | Self::HS512)
    }

    pub(crate) const fn family(self) -> KeyFamily {
        match self {
            Self::EdDSA => KeyFamily::Ed25519,
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                KeyFamily::Rsa
            }
            Self::ES256 => KeyFamily::EcP256,
            Self::ES384 => KeyFamily::EcP384,
            Self::HS256 | Self::HS384 | Self::HS512 => KeyFamily::Hmac,
        }
    }

    /// Parses a token header's `alg` without allocating: the exact
    /// registered name, or `ED25519` (see the type's docs).
    pub(crate) fn from_header(name: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str().as_bytes() == name)
            .or_else(|| (name == b"ED25519").then_some(Self::EdDSA))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a string names no supported [`Algorithm`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAlgorithm(pub(crate) String);

impl fmt::Display for UnknownAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsupported algorithm `{}` (expected one of EdDSA, RS256/384/512, PS256/384/512, ES256/384, HS256/384/512)",
            self.0.escape_debug()
        )
    }
}

impl std::error::Error for UnknownAlgorithm {}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.as_bytes();
        Self::from_header(name)
            .or_else(|| name.eq_ignore_ascii_case(b"ed25519").then_some(Self::EdDSA))
            .or_else(|| {
                Self::ALL
                    .into_iter()
                    .find(|alg| alg.as_str().as_bytes().eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| UnknownAlgorithm(s.chars().take(32).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            assert_eq!(alg.as_str().to_lowercase().parse::<Algorithm>(), Ok(alg));
        }
    }

    #[test]
    fn ed25519_aliases_are_eddsa() {
        for name in ["ED25519", "Ed25519", "ed25519", "EDDSA"] {
            assert_eq!(name.parse::<Algorithm>(), Ok(Algorithm::EdDSA));
        }
    }

    #[test]
    fn token_headers_spell_alg_exactly() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_header(alg.as_str().as_bytes()), Some(alg));
            let lower = alg.as_str().to_lowercase();
            assert_eq!(Algorithm::from_header(lower.as_bytes()), None, "{lower}");
        }
        assert_eq!(Algorithm::from_header(b"ED25519"), Some(Algorithm::EdDSA));
        for name in ["Ed25519", "ed25519", "EDDSA", "eddsa", "rs256", "none", ""] {
            assert_eq!(Algorithm::from_header(name.as_bytes()), None, "{name}");
        }
    }

    #[test]
    fn none_and_unknown_are_rejected() {
        for name in ["none", "None", "NONE", "", "ES512", "RS1", "HS256 "] {
            assert!(name.parse::<Algorithm>().is_err(), "{name}");
        }
    }
}

//! Public key material in a normalised form, and the checks that refuse
//! material no honest key has (short RSA moduli, RSA exponents that accept
//! forgeries, small-order Ed25519 points, …).

use std::fmt;

use crate::Algorithm;
use crate::keys::algorithm::KeyFamily;

/// Public key material in a normalised form, before it is handed to the
/// crypto backend.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum KeyMaterial {
    Ed25519([u8; 32]),
    /// Big-endian modulus and exponent without leading zeros.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// An uncompressed SEC1 point (`04 || x || y`).
    Ec {
        family: KeyFamily,
        point: Vec<u8>,
    },
    Hmac(Vec<u8>),
}

impl KeyMaterial {
    pub(crate) fn family(&self) -> KeyFamily {
        match self {
            Self::Ed25519(_) => KeyFamily::Ed25519,
            Self::Rsa { .. } => KeyFamily::Rsa,
            Self::Ec { family, .. } => *family,
            Self::Hmac(_) => KeyFamily::Hmac,
        }
    }

    pub(crate) fn describe(&self) -> &'static str {
        match self.family() {
            KeyFamily::Ed25519 => "an Ed25519 key",
            KeyFamily::Rsa => "an RSA key",
            KeyFamily::EcP256 => "a P-256 key",
            KeyFamily::EcP384 => "a P-384 key",
            KeyFamily::Hmac => "an HMAC secret",
        }
    }
}

impl fmt::Debug for KeyMaterial {
    // Never print key bytes: an HMAC secret must not reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A small set of [`Algorithm`]s, as a bit set.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct AlgorithmSet(u16);

impl AlgorithmSet {
    pub(crate) const fn one(alg: Algorithm) -> Self {
        Self(1 << alg as u16)
    }

    pub(crate) fn of_family(family: KeyFamily) -> Self {
        let mut set = Self::default();
        for alg in Algorithm::ALL {
            if alg.family() == family {
                set.0 |= 1 << alg as u16;
            }
        }
        set
    }

    pub(crate) const fn contains(self, alg: Algorithm) -> bool {
        self.0 & (1 << alg as u16) != 0
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

impl fmt::Debug for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Why key material was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyError(pub(crate) String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The minimum RSA modulus we accept (RFC 8725 §3.5 / NIST: 2048 bits).
const MIN_RSA_BITS: usize = 2048;
/// Larger moduli make every verification expensive; nobody issues them.
const MAX_RSA_BITS: usize = 8192;

pub(crate) fn check_material(material: &KeyMaterial) -> Result<(), KeyError> {
    match material {
        KeyMaterial::Rsa { n, e } => {
            if n.is_empty() {
                return Err(KeyError("RSA modulus is empty".into()));
            }
            let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
            if bits < MIN_RSA_BITS {
                return Err(KeyError(format!(
                    "RSA key is {bits} bits; at least {MIN_RSA_BITS} are required"
                )));
            }
            if bits > MAX_RSA_BITS {
                return Err(KeyError(format!(
                    "RSA key is {bits} bits; at most {MAX_RSA_BITS} are supported"
                )));
            }
            if e.is_empty() || e.len() > 8 {
                return Err(KeyError("RSA exponent is out of range".into()));
            }
            // e = 1 makes every message its own signature; an even e is not
            // RSA. Real keys use 65537 (sometimes 3).
            let odd = e.last().is_some_and(|b| b & 1 == 1);
            if !odd || matches!(e.as_slice(), [b] if *b < 3) {
                return Err(KeyError(
                    "RSA exponent must be odd and at least 3 (e = 1 accepts forgeries)".into(),
                ));
            }
        }
        KeyMaterial::Ec { family, point } => {
            let coord = if *family == KeyFamily::EcP256 { 32 } else { 48 };
            if point.len() != 1 + 2 * coord || point.first() != Some(&4) {
                return Err(KeyError(
                    "EC public key must be an uncompressed point of the curve's size".into(),
                ));
            }
        }
        KeyMaterial::Hmac(secret) => {
            if secret.is_empty() {
                return Err(KeyError("HMAC secret is empty".into()));
            }
        }
        KeyMaterial::Ed25519(raw) => check_ed25519(raw)?,
    }
    Ok(())
}

/// Refuses Ed25519 public keys that no honest signer has.
///
/// RFC 8032 verification (as aws-lc, ring, jsonwebtoken and PyJWT do it)
/// accepts `S = 0, R = identity` for *every* message when the public key is
/// the identity, and a fraction of forged messages for the other small-order
/// points. An honest key is `a·B`: on the curve, canonically encoded and in
/// the prime-order subgroup. Checking that once, at load time, costs one
/// scalar multiplication per key and nothing per token.
fn check_ed25519(raw: &[u8; 32]) -> Result<(), KeyError> {
    use curve25519_dalek::edwards::CompressedEdwardsY;

    let compressed = CompressedEdwardsY(*raw);
    let point = compressed
        .decompress()
        .ok_or_else(|| KeyError("Ed25519 public key is not a point on the curve".into()))?;
    if point.compress() != compressed {
        return Err(KeyError(
            "Ed25519 public key is not canonically encoded (RFC 8032 §5.1.3)".into(),
        ));
    }
    if point.is_small_order() {
        return Err(KeyError(
            "Ed25519 public key is a small-order point, with which anyone can forge signatures"
                .into(),
        ));
    }
    if !point.is_torsion_free() {
        return Err(KeyError(
            "Ed25519 public key has a small-order component, which no key pair produces".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};

    use super::*;

    #[test]
    fn every_small_order_point_is_refused() {
        for point in EIGHT_TORSION {
            let raw = point.compress().to_bytes();
            let err = check_ed25519(&raw).unwrap_err();
            assert!(err.0.contains("small-order"), "{err}");
        }
    }

    #[test]
    fn a_key_with_a_torsion_component_is_refused() {
        for torsion in &EIGHT_TORSION[1..] {
            let raw = (ED25519_BASEPOINT_POINT + torsion).compress().to_bytes();
            assert!(check_ed25519(&raw).is_err());
        }
    }

    #[test]
    fn honest_keys_and_their_encodings() {
        let honest = ED25519_BASEPOINT_POINT.compress().to_bytes();
        assert_eq!(check_ed25519(&honest), Ok(()));
        // RFC 8032 §7.1, test 1.
        let rfc = [
            0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64,
            0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68,
            0xf7, 0x07, 0x51, 0x1a,
        ];
        assert_eq!(check_ed25519(&rfc), Ok(()));
        // y = 2 is not the y of any curve point.
        let mut off_curve = [0u8; 32];
        off_curve[0] = 2;
        assert!(
            check_ed25519(&off_curve)
                .unwrap_err()
                .0
                .contains("not a point")
        );
    }

    #[test]
    fn rsa_exponents_that_accept_forgeries_are_refused() {
        let n = {
            let mut n = vec![0xff; 256];
            n[255] = 0xfb;
            n
        };
        for e in [vec![1u8], vec![2], vec![0x01, 0x00, 0x00]] {
            let err = check_material(&KeyMaterial::Rsa { n: n.clone(), e }).unwrap_err();
            assert!(err.0.contains("exponent"), "{err}");
        }
        for e in [vec![3u8], vec![0x01, 0x00, 0x01]] {
            assert_eq!(
                check_material(&KeyMaterial::Rsa { n: n.clone(), e }),
                Ok(())
            );
        }
    }
}

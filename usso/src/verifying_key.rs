use std::fmt;

use crate::Algorithm;
use crate::algorithm::KeyFamily;
use crate::crypto::PreparedKey;

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

/// A public key, parsed once, together with the only algorithms it may be
/// used with. Verification with any other algorithm fails before the crypto
/// backend is asked, which is what makes algorithm confusion impossible.
pub(crate) struct VerifyingKey {
    kid: Option<Box<str>>,
    algorithms: AlgorithmSet,
    material: KeyMaterial,
    prepared: PreparedKey,
}

impl VerifyingKey {
    /// Prepares `material` for the given algorithms. `pinned` is the
    /// algorithm named by configuration or by the JWK's `alg`; without it the
    /// key accepts every algorithm of its own family.
    pub(crate) fn new(
        material: KeyMaterial,
        pinned: Option<Algorithm>,
        kid: Option<&str>,
    ) -> Result<Self, KeyError> {
        let family = material.family();
        let algorithms = match pinned {
            Some(alg) if alg.family() != family => {
                return Err(KeyError(format!(
                    "algorithm {alg} cannot be used with {}",
                    material.describe()
                )));
            }
            Some(alg) => AlgorithmSet::one(alg),
            None => AlgorithmSet::of_family(family),
        };
        check_material(&material)?;
        if let KeyMaterial::Hmac(secret) = &material {
            // RFC 7518 §3.2: a key at least as long as the hash output.
            for alg in algorithms.iter() {
                let min = match alg {
                    Algorithm::HS384 => 48,
                    Algorithm::HS512 => 64,
                    _ => 32,
                };
                if secret.len() < min {
                    return Err(KeyError(format!(
                        "an {alg} secret must be at least {min} bytes (RFC 7518 §3.2), got {}",
                        secret.len()
                    )));
                }
            }
        }
        let prepared = PreparedKey::new(&material, algorithms)?;
        Ok(Self {
            kid: kid.map(Into::into),
            algorithms,
            material,
            prepared,
        })
    }

    pub(crate) fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    pub(crate) fn allows(&self, alg: Algorithm) -> bool {
        self.algorithms.contains(alg)
    }

    /// Checks `signature` (raw bytes) over `message`. The caller has already
    /// checked [`Self::allows`].
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.allows(alg) && self.prepared.verify(alg, message, signature)
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("algorithms", &self.algorithms)
            .field("key", &self.material)
            .finish()
    }
}

/// The minimum RSA modulus we accept (RFC 8725 §3.5 / NIST: 2048 bits).
const MIN_RSA_BITS: usize = 2048;
/// Larger moduli make every verification expensive; nobody issues them.
const MAX_RSA_BITS: usize = 8192;

fn check_material(material: &KeyMaterial) -> Result<(), KeyError> {
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
        KeyMaterial::Ed25519(_) => {}
    }
    Ok(())
}

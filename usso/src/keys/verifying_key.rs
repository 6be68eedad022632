use std::fmt;

use crate::Algorithm;
use crate::keys::crypto::PreparedKey;
use crate::keys::material::{AlgorithmSet, KeyError, KeyMaterial, check_material};

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

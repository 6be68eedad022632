//! The signature primitives behind [`VerifyingKey`](crate::keys::verifying_key::VerifyingKey).
//!
//! Exactly one backend is compiled. With `aws_lc_rs` (the default) keys are
//! parsed once into `aws_lc_rs::signature::ParsedPublicKey`, so a
//! verification does no key decoding at all. With only `rust_crypto`, the
//! key is prepared once as a `jsonwebtoken::DecodingKey` and verified through
//! jsonwebtoken's RustCrypto provider.

#[cfg(not(any(feature = "aws_lc_rs", feature = "rust_crypto")))]
compile_error!(
    "usso needs a crypto backend: enable the `aws_lc_rs` feature (the default) or the `rust_crypto` feature"
);

use crate::Algorithm;
use crate::keys::material::{AlgorithmSet, KeyError, KeyMaterial};

#[cfg(feature = "aws_lc_rs")]
pub(crate) use self::aws::PreparedKey;
#[cfg(all(feature = "rust_crypto", not(feature = "aws_lc_rs")))]
pub(crate) use self::rust::PreparedKey;

// Both backends in one build is a mistake to report at compile time, never
// jsonwebtoken's runtime panic. Lints and docs (`cargo clippy
// --all-features`, docs.rs) still work: they only type-check, and for them
// aws-lc-rs is the one compiled in.
#[cfg(all(feature = "aws_lc_rs", feature = "rust_crypto", not(clippy), not(doc)))]
compile_error!(
    "usso has two crypto backends enabled: choose one, `aws_lc_rs` (the default) or `rust_crypto` (with `default-features = false`)"
);

#[cfg(feature = "aws_lc_rs")]
mod aws {
    use aws_lc_rs::hmac;
    use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};

    use super::*;
    use crate::keys::der;

    pub(crate) enum PreparedKey {
        /// One parsed key per allowed algorithm: aws-lc binds the padding and
        /// hash to the parsed key, and RSA keys may serve RS* and PS*.
        Public(Vec<(Algorithm, ParsedPublicKey)>),
        Hmac(Vec<(Algorithm, hmac::Key)>),
    }

    fn public_algorithm(alg: Algorithm) -> Option<&'static dyn VerificationAlgorithm> {
        Some(match alg {
            Algorithm::EdDSA => &signature::ED25519,
            Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
            Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => return None,
        })
    }

    fn hmac_algorithm(alg: Algorithm) -> hmac::Algorithm {
        match alg {
            Algorithm::HS384 => hmac::HMAC_SHA384,
            Algorithm::HS512 => hmac::HMAC_SHA512,
            _ => hmac::HMAC_SHA256,
        }
    }

    impl PreparedKey {
        pub(crate) fn new(material: &KeyMaterial, algs: AlgorithmSet) -> Result<Self, KeyError> {
            if let KeyMaterial::Hmac(secret) = material {
                return Ok(Self::Hmac(
                    algs.iter()
                        .map(|alg| (alg, hmac::Key::new(hmac_algorithm(alg), secret)))
                        .collect(),
                ));
            }
            let bytes: Vec<u8> = match material {
                KeyMaterial::Ed25519(raw) => raw.to_vec(),
                KeyMaterial::Rsa { n, e } => der::encode_rsa_public_key(n, e)
                    .ok_or_else(|| KeyError("RSA public key is malformed".into()))?,
                KeyMaterial::Ec { point, .. } => point.clone(),
                KeyMaterial::Hmac(_) => Vec::new(),
            };
            let mut keys = Vec::new();
            for alg in algs.iter() {
                let Some(verification) = public_algorithm(alg) else {
                    continue;
                };
                let parsed = ParsedPublicKey::new(verification, &bytes).map_err(|e| {
                    KeyError(format!(
                        "{} was rejected by the crypto backend: {e}",
                        material.describe()
                    ))
                })?;
                keys.push((alg, parsed));
            }
            Ok(Self::Public(keys))
        }

        #[inline]
        pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
            match self {
                Self::Public(keys) => keys
                    .iter()
                    .find(|(a, _)| *a == alg)
                    .is_some_and(|(_, key)| key.verify_sig(message, signature).is_ok()),
                Self::Hmac(keys) => keys
                    .iter()
                    .find(|(a, _)| *a == alg)
                    .is_some_and(|(_, key)| hmac::verify(key, message, signature).is_ok()),
            }
        }
    }
}

#[cfg(all(feature = "rust_crypto", not(feature = "aws_lc_rs")))]
mod rust {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::DecodingKey;

    use super::*;

    pub(crate) struct PreparedKey(DecodingKey);

    fn jwt_algorithm(alg: Algorithm) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as J;
        match alg {
            Algorithm::EdDSA => J::EdDSA,
            Algorithm::RS256 => J::RS256,
            Algorithm::RS384 => J::RS384,
            Algorithm::RS512 => J::RS512,
            Algorithm::PS256 => J::PS256,
            Algorithm::PS384 => J::PS384,
            Algorithm::PS512 => J::PS512,
            Algorithm::ES256 => J::ES256,
            Algorithm::ES384 => J::ES384,
            Algorithm::HS256 => J::HS256,
            Algorithm::HS384 => J::HS384,
            Algorithm::HS512 => J::HS512,
        }
    }

    impl PreparedKey {
        pub(crate) fn new(material: &KeyMaterial, _algs: AlgorithmSet) -> Result<Self, KeyError> {
            Ok(Self(match material {
                KeyMaterial::Ed25519(raw) => DecodingKey::from_ed_der(raw),
                KeyMaterial::Rsa { n, e } => DecodingKey::from_rsa_raw_components(n, e),
                KeyMaterial::Ec { point, .. } => DecodingKey::from_ec_der(point),
                KeyMaterial::Hmac(secret) => DecodingKey::from_secret(secret)
                    .map_err(|e| KeyError(format!("HMAC secret rejected: {e}")))?,
            }))
        }

        pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
            // jsonwebtoken's verifier takes the encoded signature.
            let encoded = URL_SAFE_NO_PAD.encode(signature);
            jsonwebtoken::crypto::verify(&encoded, message, &self.0, jwt_algorithm(alg))
                .unwrap_or(false)
        }
    }
}

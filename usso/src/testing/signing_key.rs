use std::fmt;

use aws_lc_rs::digest;
use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::Algorithm;

/// A private key that signs test tokens, with the public JWK to publish.
///
/// ```
/// use usso::Algorithm;
/// use usso::testing::SigningKey;
///
/// let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
/// let token = key.sign_json(&serde_json::json!({"sub": "user:1"}), None).unwrap();
/// assert_eq!(token.split('.').count(), 3);
/// assert_eq!(key.jwk()["kty"], "OKP");
/// ```
pub struct SigningKey {
    alg: Algorithm,
    kid: String,
    inner: Inner,
}

enum Inner {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
    Hmac(Box<hmac::Key>, Vec<u8>),
}

/// Why a [`SigningKey`] could not be made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("test signing key: {0}")]
pub struct SigningKeyError(String);

fn err(msg: impl Into<String>) -> SigningKeyError {
    SigningKeyError(msg.into())
}

impl SigningKeyError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

impl SigningKey {
    /// Generates a fresh key for `alg` (RSA keys are 2048 bits). The `kid`
    /// is derived from the public key, as USSO does (SHA-256, hex, first 16 bytes).
    ///
    /// # Errors
    /// If the crypto library fails to generate a key.
    pub fn generate(alg: Algorithm) -> Result<Self, SigningKeyError> {
        Self::generate_rsa_bits(alg, 2048)
    }

    /// Like [`generate`](Self::generate) with an RSA modulus size (2048, 3072, 4096 or 8192).
    ///
    /// # Errors
    /// If the size is unsupported or generation fails.
    pub fn generate_rsa_bits(alg: Algorithm, bits: usize) -> Result<Self, SigningKeyError> {
        let inner = match alg {
            Algorithm::EdDSA => {
                Inner::Ed(Ed25519KeyPair::generate().map_err(|_| err("Ed25519 generation failed"))?)
            }
            Algorithm::ES256 => Inner::Ec(
                EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
                    .map_err(|_| err("P-256 generation failed"))?,
            ),
            Algorithm::ES384 => Inner::Ec(
                EcdsaKeyPair::generate(&signature::ECDSA_P384_SHA384_FIXED_SIGNING)
                    .map_err(|_| err("P-384 generation failed"))?,
            ),
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                let mut secret = vec![0u8; 32];
                aws_lc_rs::rand::fill(&mut secret).map_err(|_| err("no randomness"))?;
                return Ok(Self::hmac(alg, &secret));
            }
            _ => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    8192 => KeySize::Rsa8192,
                    _ => return Err(err(format!("unsupported RSA size {bits}"))),
                };
                Inner::Rsa(RsaKeyPair::generate(size).map_err(|_| err("RSA generation failed"))?)
            }
        };
        Ok(Self::with_inner(alg, inner))
    }

    /// Loads a private key from PEM: PKCS#8 `PRIVATE KEY` (Ed25519, P-256,
    /// P-384, RSA) or PKCS#1 `RSA PRIVATE KEY`.
    ///
    /// # Errors
    /// If the PEM does not hold a key usable with `alg`.
    pub fn from_pem(alg: Algorithm, pem: &str) -> Result<Self, SigningKeyError> {
        let (label, der) = crate::keys::key::pem_block(pem).map_err(|e| err(e.0))?;
        let inner = match (alg, label.as_str()) {
            (Algorithm::EdDSA, "PRIVATE KEY") => Inner::Ed(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(|e| err(e.to_string()))?,
            ),
            (Algorithm::ES256, "PRIVATE KEY") => Inner::Ec(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                    .map_err(|e| err(e.to_string()))?,
            ),
            (Algorithm::ES384, "PRIVATE KEY") => Inner::Ec(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, &der)
                    .map_err(|e| err(e.to_string()))?,
            ),
            (a, "PRIVATE KEY") if a.family() == crate::keys::algorithm::KeyFamily::Rsa => {
                Inner::Rsa(RsaKeyPair::from_pkcs8(&der).map_err(|e| err(e.to_string()))?)
            }
            (a, "RSA PRIVATE KEY") if a.family() == crate::keys::algorithm::KeyFamily::Rsa => {
                Inner::Rsa(RsaKeyPair::from_der(&der).map_err(|e| err(e.to_string()))?)
            }
            (a, l) => return Err(err(format!("a `{l}` PEM can't sign {a}"))),
        };
        Ok(Self::with_inner(alg, inner))
    }

    /// An HMAC key for `HS256`/`HS384`/`HS512`.
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Self {
        let algorithm = match alg {
            Algorithm::HS384 => hmac::HMAC_SHA384,
            Algorithm::HS512 => hmac::HMAC_SHA512,
            _ => hmac::HMAC_SHA256,
        };
        Self::with_inner(
            alg,
            Inner::Hmac(Box::new(hmac::Key::new(algorithm, secret)), secret.to_vec()),
        )
    }

    fn with_inner(alg: Algorithm, inner: Inner) -> Self {
        let public: &[u8] = match &inner {
            Inner::Ed(k) => k.public_key().as_ref(),
            Inner::Ec(k) => k.public_key().as_ref(),
            Inner::Rsa(k) => k.public_key().as_ref(),
            Inner::Hmac(_, secret) => secret,
        };
        let hash = digest::digest(&digest::SHA256, public);
        let kid = hash.as_ref()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self { alg, kid, inner }
    }

    /// Replaces the key id.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK (RFC 7517) with `kid`, `alg` and `use: "sig"`; for an
    /// HMAC key, the `oct` JWK including the secret.
    pub fn jwk(&self) -> Value {
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let mut jwk = match &self.inner {
            Inner::Ed(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(k.public_key().as_ref())})
            }
            Inner::Ec(k) => {
                let point = k.public_key().as_ref();
                let size = (point.len() - 1) / 2;
                let crv = if size == 32 { "P-256" } else { "P-384" };
                json!({"kty": "EC", "crv": crv, "x": b64(&point[1..=size]), "y": b64(&point[1 + size..])})
            }
            Inner::Rsa(k) => {
                let public = k.public_key();
                json!({
                    "kty": "RSA",
                    "n": b64(public.modulus().big_endian_without_leading_zero()),
                    "e": b64(public.exponent().big_endian_without_leading_zero()),
                })
            }
            Inner::Hmac(_, secret) => json!({"kty": "oct", "k": b64(secret)}),
        };
        if let Value::Object(map) = &mut jwk {
            map.insert("kid".into(), self.kid.clone().into());
            map.insert("alg".into(), self.alg.as_str().into());
            map.insert("use".into(), "sig".into());
        }
        jwk
    }

    /// The public key as PEM (SubjectPublicKeyInfo), for static-key configs.
    /// `None` for HMAC keys.
    pub fn public_pem(&self) -> Option<String> {
        use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
        let der: PublicKeyX509Der<'_> = match &self.inner {
            Inner::Ed(k) => k.public_key().as_der().ok()?,
            Inner::Ec(k) => k.public_key().as_der().ok()?,
            Inner::Rsa(k) => k.public_key().as_der().ok()?,
            Inner::Hmac(..) => return None,
        };
        let body = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).ok()?);
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        Some(pem)
    }

    /// Signs `header.payload` and returns the raw signature.
    ///
    /// # Errors
    /// If the crypto library refuses (never for keys made by this type).
    pub fn sign_bytes(&self, alg: Algorithm, message: &[u8]) -> Result<Vec<u8>, SigningKeyError> {
        let rng = SystemRandom::new();
        match &self.inner {
            Inner::Ed(k) => Ok(k.sign(message).as_ref().to_vec()),
            Inner::Ec(k) => k
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| err("ECDSA signing failed")),
            Inner::Rsa(k) => {
                let padding: &'static dyn signature::RsaEncoding = match alg {
                    Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                    Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
                    Algorithm::PS256 => &signature::RSA_PSS_SHA256,
                    Algorithm::PS384 => &signature::RSA_PSS_SHA384,
                    Algorithm::PS512 => &signature::RSA_PSS_SHA512,
                    _ => &signature::RSA_PKCS1_SHA256,
                };
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(padding, &rng, message, &mut sig)
                    .map_err(|_| err("RSA signing failed"))?;
                Ok(sig)
            }
            Inner::Hmac(key, _) => Ok(hmac::sign(key, message).as_ref().to_vec()),
        }
    }

    /// Signs `claims` into a compact JWT with header `{alg, typ: "JWT", kid}`.
    /// `header` entries are merged into (and override) that header.
    ///
    /// # Errors
    /// If signing fails.
    pub fn sign_json(
        &self,
        claims: &Value,
        header: Option<&Map<String, Value>>,
    ) -> Result<String, SigningKeyError> {
        let mut head = Map::new();
        head.insert("alg".into(), self.alg.as_str().into());
        head.insert("typ".into(), "JWT".into());
        head.insert("kid".into(), self.kid.clone().into());
        if let Some(extra) = header {
            for (k, v) in extra {
                if v.is_null() {
                    head.remove(k);
                } else {
                    head.insert(k.clone(), v.clone());
                }
            }
        }
        let alg = head
            .get("alg")
            .and_then(Value::as_str)
            .and_then(|a| a.parse::<Algorithm>().ok())
            .unwrap_or(self.alg);
        let head_json = serde_json::to_vec(&Value::Object(head)).map_err(|e| err(e.to_string()))?;
        let claims_json = serde_json::to_vec(claims).map_err(|e| err(e.to_string()))?;
        let mut token = URL_SAFE_NO_PAD.encode(head_json);
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(claims_json));
        let sig = self.sign_bytes(alg, token.as_bytes())?;
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(sig));
        Ok(token)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use crate::Algorithm;
use crate::keys::algorithm::KeyFamily;
use crate::keys::der;
use crate::keys::jwk::RawJwk;
use crate::keys::material::{KeyError, KeyMaterial};
use crate::keys::verifying_key::VerifyingKey;

/// A statically configured verification key: the Python SDK's `key=` setting.
///
/// Constructing a `Key` never fails; the key is parsed by
/// [`JwtConfigBuilder::build`](crate::JwtConfigBuilder::build), so a bad key
/// is a [`ConfigError`](crate::ConfigError) at start-up, never at the first
/// request.
///
/// ```
/// use usso::{Algorithm, JwtConfig, Key};
///
/// // A raw Ed25519 public key (base64url, standard base64 or hex), as USSO shows it.
/// let config = JwtConfig::builder()
///     .key(Key::ed25519("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"))
///     .algorithm(Algorithm::EdDSA)
///     .issuer("https://sso.example.com")
///     .audience("my-api")
///     .build()
///     .unwrap();
/// # let _ = config;
/// ```
#[derive(Clone)]
pub struct Key {
    input: KeyInput,
}

#[derive(Clone)]
enum KeyInput {
    Pem(String),
    Jwk(String),
    Ed25519(String),
    Hmac(Vec<u8>),
    Auto(String),
}

impl Key {
    /// A PEM public key: `PUBLIC KEY` (SubjectPublicKeyInfo: RSA, P-256,
    /// P-384 or Ed25519), `RSA PUBLIC KEY` (PKCS#1) or `CERTIFICATE` (X.509;
    /// its public key is used, its validity is not checked).
    pub fn pem(pem: impl Into<String>) -> Self {
        Self {
            input: KeyInput::Pem(pem.into()),
        }
    }

    /// A single JWK as JSON (RFC 7517). An `oct` JWK is accepted here,
    /// because the application configured it; it never is from a JWKS.
    pub fn jwk(json: impl Into<String>) -> Self {
        Self {
            input: KeyInput::Jwk(json.into()),
        }
    }

    /// A raw 32-byte Ed25519 public key, encoded as base64url, standard
    /// base64 or hex (the Python SDK's `key="your-ed25519-public-key"`).
    pub fn ed25519(encoded: impl Into<String>) -> Self {
        Self {
            input: KeyInput::Ed25519(encoded.into()),
        }
    }

    /// An HMAC shared secret, used as-is. Only valid with `HS256`, `HS384`
    /// or `HS512`; usso never derives a secret from a public key.
    pub fn hmac_secret(secret: impl AsRef<[u8]>) -> Self {
        Self {
            input: KeyInput::Hmac(secret.as_ref().to_vec()),
        }
    }

    /// Guesses the format the way the Python SDK's `key=` does: PEM if it starts
    /// with `-----BEGIN`, a JWK if it starts with `{`, otherwise an HMAC
    /// secret when the configured algorithm is `HS*`, else a raw Ed25519 key.
    pub fn parse(text: impl Into<String>) -> Self {
        Self {
            input: KeyInput::Auto(text.into()),
        }
    }

    pub(crate) fn resolve(&self, alg: Option<Algorithm>) -> Result<VerifyingKey, KeyError> {
        let (material, jwk_alg, kid) = match &self.input {
            KeyInput::Pem(text) => (parse_pem(text)?, None, None),
            KeyInput::Jwk(json) => {
                let raw: RawJwk = serde_json::from_str(json)
                    .map_err(|e| KeyError(format!("key is not a valid JWK: {e}")))?;
                let resolved = raw.resolve(true)?;
                (resolved.material, resolved.alg, raw.kid)
            }
            KeyInput::Ed25519(text) => (parse_raw_ed25519(text)?, None, None),
            KeyInput::Hmac(secret) => (KeyMaterial::Hmac(secret.clone()), None, None),
            KeyInput::Auto(text) => {
                let trimmed = text.trim_start();
                if trimmed.starts_with("-----BEGIN") {
                    (parse_pem(text)?, None, None)
                } else if trimmed.starts_with('{') {
                    return Self::jwk(text.clone()).resolve(alg);
                } else if alg.is_some_and(Algorithm::is_symmetric) {
                    (KeyMaterial::Hmac(text.as_bytes().to_vec()), None, None)
                } else {
                    (parse_raw_ed25519(text)?, None, None)
                }
            }
        };
        if let (Some(configured), Some(from_jwk)) = (alg, jwk_alg)
            && configured != from_jwk
        {
            return Err(KeyError(format!(
                "configured algorithm {configured} differs from the JWK's `alg` {from_jwk}"
            )));
        }
        if material.family() == KeyFamily::Hmac && alg.or(jwk_alg).is_none() {
            return Err(KeyError(
                "an HMAC secret needs an explicit algorithm (HS256, HS384 or HS512)".into(),
            ));
        }
        VerifyingKey::new(material, alg.or(jwk_alg), kid.as_deref())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.input {
            KeyInput::Pem(_) => "pem",
            KeyInput::Jwk(_) => "jwk",
            KeyInput::Ed25519(_) => "ed25519",
            KeyInput::Hmac(_) => "hmac_secret",
            KeyInput::Auto(_) => "parse",
        };
        f.debug_struct("Key")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}

/// Decodes the first PEM block of `text` into `(label, der)`, with
/// `pem-rfc7468`. Explanatory text may come before it (RFC 7468 §5.2), as
/// `openssl x509 -text` prints, and a chain holds several: the first counts.
pub(crate) fn pem_block(text: &str) -> Result<(String, Vec<u8>), KeyError> {
    let not_pem = || KeyError("key is not valid PEM".into());
    let block = text
        .find("-----BEGIN ")
        .and_then(|start| text.get(start..))
        .ok_or_else(not_pem)?;
    let end = block
        .find("-----END ")
        .and_then(|at| {
            let after = at + "-----END ".len();
            Some(after + block.get(after..)?.find("-----")? + "-----".len())
        })
        .and_then(|end| block.get(..end))
        .ok_or_else(not_pem)?;
    let (label, der) = pem_rfc7468::decode_vec(end.as_bytes()).map_err(|_| not_pem())?;
    Ok((label.to_owned(), der))
}

fn parse_pem(text: &str) -> Result<KeyMaterial, KeyError> {
    let (label, der) = pem_block(text)?;
    match label.as_str() {
        "PUBLIC KEY" => {
            let spki = der::spki(&der).ok_or_else(|| {
                KeyError("PEM public key is not a valid SubjectPublicKeyInfo".into())
            })?;
            material_from_spki(&spki)
        }
        "RSA PUBLIC KEY" => {
            let (n, e) = der::rsa_public_key(&der)
                .ok_or_else(|| KeyError("PEM RSA public key is malformed".into()))?;
            Ok(KeyMaterial::Rsa { n, e })
        }
        "CERTIFICATE" => {
            let spki = der::certificate_spki(&der)
                .ok_or_else(|| KeyError("PEM certificate is malformed".into()))?;
            material_from_spki(&spki)
        }
        label if label.contains("PRIVATE KEY") => Err(KeyError(
            "this is a private key; configure the issuer's public key instead".into(),
        )),
        other => Err(KeyError(format!("unsupported PEM block `{other}`"))),
    }
}

pub(crate) fn material_from_spki(spki: &der::Spki) -> Result<KeyMaterial, KeyError> {
    match spki.algorithm {
        der::OID_RSA => {
            let (n, e) = der::rsa_public_key(&spki.key)
                .ok_or_else(|| KeyError("RSA public key is malformed".into()))?;
            Ok(KeyMaterial::Rsa { n, e })
        }
        der::OID_EC_PUBLIC_KEY => {
            let family = match spki.parameter {
                Some(der::OID_P256) => KeyFamily::EcP256,
                Some(der::OID_P384) => KeyFamily::EcP384,
                _ => return Err(KeyError("EC key is not on P-256 or P-384".into())),
            };
            Ok(KeyMaterial::Ec {
                family,
                point: spki.key.clone(),
            })
        }
        der::OID_ED25519 => {
            let raw: [u8; 32] = spki
                .key
                .as_slice()
                .try_into()
                .map_err(|_| KeyError("Ed25519 public key must be 32 bytes".into()))?;
            Ok(KeyMaterial::Ed25519(raw))
        }
        _ => Err(KeyError(
            "unsupported public key type (RSA, P-256, P-384 and Ed25519 are supported)".into(),
        )),
    }
}

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo; some tools print the
/// whole SPKI in base64 rather than the bare 32 bytes.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn parse_raw_ed25519(text: &str) -> Result<KeyMaterial, KeyError> {
    let text = text.trim();
    let decoded = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        decode_hex(text)
    } else {
        [URL_SAFE_NO_PAD, URL_SAFE, STANDARD, STANDARD_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
    };
    let bytes = decoded
        .ok_or_else(|| KeyError("Ed25519 key is not valid base64url, base64 or hex".into()))?;
    let raw = match bytes.len() {
        32 => bytes.as_slice(),
        44 if bytes[..12] == ED25519_SPKI_PREFIX => &bytes[12..],
        n => {
            return Err(KeyError(format!(
                "Ed25519 public key must be 32 bytes, got {n}"
            )));
        }
    };
    let mut key = [0u8; 32];
    key.copy_from_slice(raw);
    Ok(KeyMaterial::Ed25519(key))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

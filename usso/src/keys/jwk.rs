//! JSON Web Keys (RFC 7517) as usso reads them: strictly, and only the
//! public parameters it needs.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::Algorithm;
use crate::keys::algorithm::KeyFamily;
use crate::keys::material::{KeyError, KeyMaterial};

/// One JWK as found in a JWKS document. Unknown members are ignored; known
/// members of the wrong JSON type make the key unusable, not the set.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawJwk {
    pub(crate) kty: String,
    #[serde(default)]
    pub(crate) kid: Option<String>,
    #[serde(default)]
    pub(crate) alg: Option<String>,
    #[serde(default, rename = "use")]
    pub(crate) use_: Option<String>,
    #[serde(default)]
    pub(crate) key_ops: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) crv: Option<String>,
    #[serde(default)]
    pub(crate) x: Option<String>,
    #[serde(default)]
    pub(crate) y: Option<String>,
    #[serde(default)]
    pub(crate) n: Option<String>,
    #[serde(default)]
    pub(crate) e: Option<String>,
    #[serde(default)]
    pub(crate) k: Option<String>,
}

/// What a JWK resolved to: its material and the algorithm it is pinned to.
#[derive(Debug)]
pub(crate) struct ResolvedJwk {
    pub(crate) material: KeyMaterial,
    pub(crate) alg: Option<Algorithm>,
}

fn b64(field: &str, value: Option<&String>) -> Result<Vec<u8>, KeyError> {
    let value = value.ok_or_else(|| KeyError(format!("JWK is missing `{field}`")))?;
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map_err(|_| KeyError(format!("JWK `{field}` is not base64url")))
}

impl RawJwk {
    /// Resolves the JWK. `allow_symmetric` is only true for a key the
    /// application configured itself: a JWKS fetched over the network must
    /// never turn into an HMAC secret (RFC 8725 §3.1).
    pub(crate) fn resolve(&self, allow_symmetric: bool) -> Result<ResolvedJwk, KeyError> {
        if let Some(use_) = &self.use_
            && use_ != "sig"
        {
            return Err(KeyError(format!("JWK `use` is `{use_}`, not `sig`")));
        }
        if let Some(ops) = &self.key_ops
            && !ops.iter().any(|op| op == "verify")
        {
            return Err(KeyError("JWK `key_ops` does not include `verify`".into()));
        }
        let alg = match &self.alg {
            None => None,
            Some(name) => Some(name.parse::<Algorithm>().map_err(|_| {
                KeyError(format!(
                    "JWK `alg` `{}` is not supported",
                    name.escape_debug()
                ))
            })?),
        };
        let material = match self.kty.as_str() {
            "OKP" => match self.crv.as_deref() {
                Some("Ed25519") => {
                    let x = b64("x", self.x.as_ref())?;
                    let raw: [u8; 32] = x
                        .try_into()
                        .map_err(|_| KeyError("Ed25519 JWK `x` must be 32 bytes".into()))?;
                    KeyMaterial::Ed25519(raw)
                }
                other => {
                    return Err(KeyError(format!(
                        "OKP curve `{}` is not supported (only Ed25519)",
                        other.unwrap_or("")
                    )));
                }
            },
            "EC" => {
                let (family, size) = match self.crv.as_deref() {
                    Some("P-256") => (KeyFamily::EcP256, 32),
                    Some("P-384") => (KeyFamily::EcP384, 48),
                    other => {
                        return Err(KeyError(format!(
                            "EC curve `{}` is not supported (P-256, P-384)",
                            other.unwrap_or("")
                        )));
                    }
                };
                let x = b64("x", self.x.as_ref())?;
                let y = b64("y", self.y.as_ref())?;
                if x.len() != size || y.len() != size {
                    return Err(KeyError("EC JWK coordinates have the wrong length".into()));
                }
                let mut point = Vec::with_capacity(1 + 2 * size);
                point.push(4);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                KeyMaterial::Ec { family, point }
            }
            "RSA" => {
                let n = b64("n", self.n.as_ref())?;
                let e = b64("e", self.e.as_ref())?;
                KeyMaterial::Rsa {
                    n: crate::keys::der::strip_leading_zeros(&n).to_vec(),
                    e: crate::keys::der::strip_leading_zeros(&e).to_vec(),
                }
            }
            "oct" if allow_symmetric => KeyMaterial::Hmac(b64("k", self.k.as_ref())?),
            "oct" => {
                return Err(KeyError(
                    "symmetric (`oct`) keys are never accepted from a JWKS".into(),
                ));
            }
            other => {
                return Err(KeyError(format!(
                    "JWK `kty` `{}` is not supported",
                    other.escape_debug()
                )));
            }
        };
        if let Some(alg) = alg
            && alg.family() != material.family()
        {
            return Err(KeyError(format!(
                "JWK `alg` {alg} does not match its key type ({})",
                material.describe()
            )));
        }
        Ok(ResolvedJwk { material, alg })
    }
}

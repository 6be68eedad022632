//! Public keys out of DER documents: a SubjectPublicKeyInfo, a PKCS#1
//! `RSAPublicKey` or an X.509 certificate, read with RustCrypto's `spki`,
//! `pkcs1` and `x509-cert` (keys are parsed once, off the request path).

use pkcs1::der::asn1::UintRef;
use pkcs1::der::{Decode as _, Encode as _};
use spki::ObjectIdentifier;

pub(crate) const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const OID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
pub(crate) const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The parts of a SubjectPublicKeyInfo that usso needs.
pub(crate) struct Spki {
    pub(crate) algorithm: ObjectIdentifier,
    /// The algorithm parameter, when it is an OID (an EC curve).
    pub(crate) parameter: Option<ObjectIdentifier>,
    pub(crate) key: Vec<u8>,
}

impl Spki {
    fn from_ref(spki: &spki::SubjectPublicKeyInfoRef<'_>) -> Option<Self> {
        Some(Self {
            algorithm: spki.algorithm.oid,
            parameter: spki.algorithm.parameters_oid().ok(),
            // Key encodings always use whole bytes.
            key: spki.subject_public_key.as_bytes()?.to_vec(),
        })
    }
}

/// Parses a DER `SubjectPublicKeyInfo`.
pub(crate) fn spki(der: &[u8]) -> Option<Spki> {
    Spki::from_ref(&spki::SubjectPublicKeyInfoRef::from_der(der).ok()?)
}

/// Extracts the SubjectPublicKeyInfo from a DER X.509 certificate.
pub(crate) fn certificate_spki(der: &[u8]) -> Option<Spki> {
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()?;
    self::spki(&spki)
}

/// Parses a PKCS#1 `RSAPublicKey` into `(n, e)` with leading zeros removed.
pub(crate) fn rsa_public_key(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let key = pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(der).ok()?;
    let (n, e) = (key.modulus.as_bytes(), key.public_exponent.as_bytes());
    (!n.is_empty() && !e.is_empty()).then(|| (n.to_vec(), e.to_vec()))
}

pub(crate) fn strip_leading_zeros(mut bytes: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
}

/// Encodes `(n, e)` as a PKCS#1 `RSAPublicKey` (what aws-lc parses).
#[cfg_attr(not(feature = "aws_lc_rs"), allow(dead_code))]
pub(crate) fn encode_rsa_public_key(n: &[u8], e: &[u8]) -> Option<Vec<u8>> {
    pkcs1::RsaPublicKey {
        modulus: UintRef::new(n).ok()?,
        public_exponent: UintRef::new(e).ok()?,
    }
    .to_der()
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_public_key_round_trips() {
        let n = [0xC3u8; 256];
        let e = [0x01, 0x00, 0x01];
        let der = encode_rsa_public_key(&n, &e).unwrap();
        assert_eq!(rsa_public_key(&der), Some((n.to_vec(), e.to_vec())));
    }

    #[test]
    fn truncated_input_is_rejected_not_panicking() {
        let der = encode_rsa_public_key(&[0x7F; 300], &[3]).unwrap();
        for cut in 0..der.len() {
            assert!(rsa_public_key(&der[..cut]).is_none());
            assert!(spki(&der[..cut]).is_none());
            assert!(certificate_spki(&der[..cut]).is_none());
        }
    }
}

//! Just enough DER to pull a public key out of a SubjectPublicKeyInfo, a
//! PKCS#1 `RSAPublicKey` or an X.509 certificate. Every read is bounds
//! checked and returns `None` on malformed input; nothing here can panic.

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_CONTEXT_0: u8 = 0xA0;

pub(crate) const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
pub(crate) const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
pub(crate) const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
pub(crate) const OID_ED25519: &[u8] = &[0x2B, 0x65, 0x70];

/// A cursor over DER bytes.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one tag-length-value and returns `(tag, value)`.
    pub(crate) fn any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            // Keys never need more than 3 length bytes; refusing more keeps the
            // arithmetic trivially in range.
            if n == 0 || n > 3 || rest.len() < n {
                return None;
            }
            let (len_bytes, after) = rest.split_at(n);
            rest = after;
            len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        if rest.len() < len {
            return None;
        }
        let (value, after) = rest.split_at(len);
        self.rest = after;
        Some((tag, value))
    }

    pub(crate) fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.any()? {
            (t, value) if t == tag => Some(value),
            _ => None,
        }
    }

    pub(crate) fn sequence(&mut self) -> Option<Self> {
        self.expect(TAG_SEQUENCE).map(Reader::new)
    }
}

/// The parts of a SubjectPublicKeyInfo that usso needs.
pub(crate) struct Spki<'a> {
    pub(crate) algorithm: &'a [u8],
    pub(crate) parameter: Option<&'a [u8]>,
    pub(crate) key: &'a [u8],
}

/// Parses a DER `SubjectPublicKeyInfo`.
pub(crate) fn spki(der: &[u8]) -> Option<Spki<'_>> {
    let mut outer = Reader::new(der);
    let mut seq = outer.sequence()?;
    if !outer.is_empty() {
        return None;
    }
    spki_from(&mut seq)
}

fn spki_from<'a>(seq: &mut Reader<'a>) -> Option<Spki<'a>> {
    let mut alg = seq.sequence()?;
    let algorithm = alg.expect(TAG_OID)?;
    let parameter = match alg.peek_tag() {
        Some(TAG_OID) => alg.expect(TAG_OID),
        _ => None,
    };
    let bits = seq.expect(TAG_BIT_STRING)?;
    // The first byte counts unused bits; key encodings always use whole bytes.
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    Some(Spki {
        algorithm,
        parameter,
        key,
    })
}

/// Extracts the SubjectPublicKeyInfo from a DER X.509 certificate.
pub(crate) fn certificate_spki(der: &[u8]) -> Option<Spki<'_>> {
    let mut cert = Reader::new(der).sequence()?;
    let mut tbs = cert.sequence()?;
    if tbs.peek_tag() == Some(TAG_CONTEXT_0) {
        tbs.any()?; // version
    }
    tbs.expect(TAG_INTEGER)?; // serialNumber
    tbs.sequence()?; // signature
    tbs.sequence()?; // issuer
    tbs.sequence()?; // validity
    tbs.sequence()?; // subject
    let mut spki = tbs.sequence()?;
    spki_from(&mut spki)
}

/// Parses a PKCS#1 `RSAPublicKey` into `(n, e)` with leading zeros removed.
pub(crate) fn rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut outer = Reader::new(der);
    let mut seq = outer.sequence()?;
    let n = strip_leading_zeros(seq.expect(TAG_INTEGER)?);
    let e = strip_leading_zeros(seq.expect(TAG_INTEGER)?);
    if !seq.is_empty() || !outer.is_empty() || n.is_empty() || e.is_empty() {
        return None;
    }
    Some((n, e))
}

pub(crate) fn strip_leading_zeros(mut bytes: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
}

/// Encodes `(n, e)` as a PKCS#1 `RSAPublicKey`.
#[cfg_attr(not(feature = "aws_lc_rs"), allow(dead_code))]
pub(crate) fn encode_rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn integer(out: &mut Vec<u8>, value: &[u8]) {
        let value = strip_leading_zeros(value);
        // A set high bit would read as negative, so DER wants a 0x00 in front.
        let pad = value.first().is_some_and(|b| b & 0x80 != 0);
        out.push(TAG_INTEGER);
        length(out, value.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(value);
    }
    fn length(out: &mut Vec<u8>, len: usize) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 8);
    integer(&mut body, n);
    integer(&mut body, e);
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(TAG_SEQUENCE);
    length(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_public_key_round_trips() {
        let n = [0xC3u8; 256];
        let e = [0x01, 0x00, 0x01];
        let der = encode_rsa_public_key(&n, &e);
        assert_eq!(rsa_public_key(&der), Some((&n[..], &e[..])));
    }

    #[test]
    fn truncated_input_is_rejected_not_panicking() {
        let der = encode_rsa_public_key(&[0x7F; 300], &[3]);
        for cut in 0..der.len() {
            assert!(rsa_public_key(&der[..cut]).is_none());
            assert!(spki(&der[..cut]).is_none());
            assert!(certificate_spki(&der[..cut]).is_none());
        }
    }

    #[test]
    fn overlong_length_prefixes_are_rejected() {
        assert!(Reader::new(&[0x30, 0x84, 0, 0, 0, 1, 0]).any().is_none());
        assert!(Reader::new(&[0x30, 0x80]).any().is_none());
    }
}

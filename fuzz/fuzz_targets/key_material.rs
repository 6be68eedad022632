//! Public keys built from fuzzed material: arbitrary and weak Ed25519 points
//! (the eight small-order ones among them), RSA moduli with tiny or even
//! exponents, EC points on and off their curve. Each becomes a JWK, then a
//! static-key authenticator (when usso accepts the key at all), which is
//! asked to verify tokens the fuzzer made without any private key: fuzzed
//! signatures, and the classic forgeries (`R = identity, S = 0` for
//! Ed25519; `s = 1`, `s = 0`, `s = n - 1` and the padded message itself for
//! RSA, which `e = 1` would accept).
//!
//! Property: no key built here accepts any of these tokens. The fuzzer holds
//! no private key, so an acceptance is a forgery.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use usso::{Algorithm, JwtConfig, Key, UserData, UssoAuth};
use usso_fuzz::{AUDIENCE, ISSUER, b64, now};

/// The eight small-order points of edwards25519, canonically encoded.
const SMALL_ORDER: [[u8; 32]; 8] = {
    let mut points = [[0u8; 32]; 8];
    points[0][0] = 1;
    // y = -1 (order 2)
    points[1] = [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ];
    // y = 0 (order 4), both signs
    points[3][31] = 0x80;
    // order 8
    points[4] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    points[5] = points[4];
    points[5][31] = 0x85;
    points[6] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    points[7] = points[6];
    points[7][31] = 0xfa;
    points
};

#[derive(Arbitrary, Debug)]
enum Material {
    /// Any 32 bytes as an Ed25519 `x`.
    Ed25519([u8; 32]),
    /// One of the small-order points, possibly with a flipped sign or `y + p`.
    SmallOrder { index: u8, tweak: u8 },
    /// Any modulus and exponent.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// A 2048-bit-sized modulus with a one-byte exponent (1, 2, 3, …).
    RsaSmallE { n: [u8; 32], e: u8 },
    /// Any coordinates on P-256 or P-384.
    Ec { p384: bool, x: Vec<u8>, y: Vec<u8> },
}

#[derive(Arbitrary, Debug)]
struct Input {
    material: Material,
    /// A signature the fuzzer made up.
    signature: Vec<u8>,
    sub: String,
}

fn jwk(material: &Material) -> (Value, Algorithm) {
    match material {
        Material::Ed25519(x) => (json!({"kty": "OKP", "crv": "Ed25519", "x": b64(x)}), Algorithm::EdDSA),
        Material::SmallOrder { index, tweak } => {
            let mut x = SMALL_ORDER[usize::from(*index) % 8];
            match tweak % 3 {
                0 => {}
                1 => x[31] ^= 0x80,
                // y + p for the small y values: a non-canonical encoding.
                _ => {
                    let (sum, carry) = x[0].overflowing_add(0xed);
                    x[0] = sum;
                    x[1] = x[1].wrapping_add(u8::from(carry));
                }
            }
            (json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&x)}), Algorithm::EdDSA)
        }
        Material::Rsa { n, e } => (json!({"kty": "RSA", "n": b64(n), "e": b64(e)}), Algorithm::RS256),
        Material::RsaSmallE { n, e } => {
            // 2048 bits: the fuzzed bytes repeated, top bit set.
            let mut modulus: Vec<u8> = n.iter().copied().cycle().take(256).collect();
            modulus[0] |= 0x80;
            modulus[255] |= 1;
            (json!({"kty": "RSA", "n": b64(&modulus), "e": b64(&[*e])}), Algorithm::RS256)
        }
        Material::Ec { p384, x, y } => {
            let (crv, alg) = if *p384 { ("P-384", Algorithm::ES384) } else { ("P-256", Algorithm::ES256) };
            (json!({"kty": "EC", "crv": crv, "x": b64(x), "y": b64(y)}), alg)
        }
    }
}

/// Signatures that "verify" under a weak key, plus the fuzzer's own.
fn candidates(material: &Material, input: &[u8], fuzzed: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![fuzzed.to_vec()];
    match material {
        Material::Ed25519(_) | Material::SmallOrder { .. } => {
            let mut identity = vec![0u8; 64];
            identity[0] = 1;
            out.push(identity);
            out.push(vec![0u8; 64]);
        }
        Material::Rsa { n, .. } => {
            out.push(vec![1]);
            out.push(vec![0; n.len().max(1)]);
            out.push(n.clone());
            out.push(input.to_vec());
        }
        Material::RsaSmallE { .. } => {
            out.push(vec![1]);
            out.push(input.to_vec());
        }
        Material::Ec { .. } => {
            out.push(vec![0u8; 64]);
            out.push(vec![0u8; 96]);
        }
    }
    out
}

fuzz_target!(|input: Input| {
    let (jwk, alg) = jwk(&input.material);
    let Ok(config) = JwtConfig::builder()
        .key(Key::jwk(jwk.to_string()))
        .algorithm(alg)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
    else {
        return; // refused at load: the safe outcome
    };
    let Ok(auth) = UssoAuth::new(config) else {
        return;
    };
    let header = b64(json!({"alg": alg.as_str(), "typ": "JWT"}).to_string().as_bytes());
    let payload = b64(json!({
        "sub": input.sub, "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 3600,
    })
    .to_string()
    .as_bytes());
    let signing_input = format!("{header}.{payload}");
    for signature in candidates(&input.material, signing_input.as_bytes(), &input.signature) {
        let token = format!("{signing_input}.{}", b64(&signature));
        let verdict = auth.verify_token_sync::<UserData>(&token);
        assert!(
            verdict.is_err(),
            "a key built from fuzzed material accepted a token nobody signed: {jwk}"
        );
    }
});

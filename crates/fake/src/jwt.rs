//! Compact JSON Web Tokens signed with HMAC-SHA256 (`HS256`): header, claims and
//! signature, each base64url without padding, joined by dots. Only what the fake needs:
//! signing its own claims, and checking a token's signature in constant time before
//! anything in it is believed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;

/// The one header the fake writes: the same bytes a JWT library writes for HS256.
const HEADER: &str = r#"{"typ":"JWT","alg":"HS256"}"#;

/// A signing key. Cloning the keyed MAC is cheaper than keying one per token.
#[derive(Clone)]
pub(crate) struct Key(Hmac<Sha256>);

impl Key {
    /// HMAC takes a key of any length; the error exists only in the trait's signature.
    pub fn new(secret: &[u8]) -> Result<Key, hmac::digest::InvalidLength> {
        Hmac::<Sha256>::new_from_slice(secret).map(Key)
    }

    fn mac(&self, message: &str) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(message.as_bytes());
        mac
    }

    pub fn sign(&self, claims: &impl Serialize) -> Result<String, serde_json::Error> {
        let payload = serde_json::to_vec(claims)?;
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(HEADER),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = self.mac(&message).finalize().into_bytes();
        Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// The claims of a token this key signed with HS256; `None` for anything else
    /// (malformed, another algorithm, another key, claims of another shape).
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.mac(&format!("{header}.{payload}"))
            .verify_slice(&signature)
            .ok()?;
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return None;
        }
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(secret: &[u8]) -> Key {
        Key::new(secret).expect("any length is a valid HMAC key")
    }

    #[test]
    fn a_signed_token_verifies_with_its_key_only() {
        let claims = json!({"sub": "me", "exp": 4_000_000_000u64});
        let token = key(b"one").sign(&claims).expect("signs");
        assert_eq!(key(b"one").verify::<Value>(&token), Some(claims));
        assert_eq!(key(b"two").verify::<Value>(&token), None);
        let header = token.split('.').next().expect("header");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(header).expect("base64"),
            br#"{"typ":"JWT","alg":"HS256"}"#
        );
    }

    #[test]
    fn tampered_and_malformed_tokens_are_refused() {
        let signer = key(b"k");
        let token = signer.sign(&json!({"sub": "me"})).expect("signs");
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin"}"#);
        let tampered = format!("{}.{forged_claims}.{}", parts[0], parts[2]);
        for bad in [
            tampered.as_str(),
            &format!("{token}.extra"),
            &format!("{}.{}", parts[0], parts[1]),
            &format!("{}.{}.", parts[0], parts[1]),
            &format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
            "",
            "garbage",
        ] {
            assert_eq!(signer.verify::<Value>(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_hs256_headers_are_accepted() {
        let signer = key(b"k");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"me"}"#);
        let message = format!("{header}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(signer.mac(&message).finalize().into_bytes());
        assert_eq!(
            signer.verify::<Value>(&format!("{message}.{signature}")),
            None
        );
    }
}

//! Read a JWT's `exp` without verifying it: the client only needs to know when to refresh;
//! the control plane is the one that checks signatures.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Seconds since the epoch at which the token expires, if it is a JWT carrying `exp`.
pub fn expiry_from_jwt(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    exp.as_u64().or_else(|| exp.as_f64().map(|f| f as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exp_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"x","exp":1700000000}"#);
        assert_eq!(
            expiry_from_jwt(&format!("h.{payload}.s")),
            Some(1_700_000_000)
        );
    }

    #[test]
    fn opaque_tokens_have_no_expiry() {
        assert_eq!(expiry_from_jwt("not-a-jwt"), None);
        assert_eq!(expiry_from_jwt("a.b.c"), None);
    }
}

//! Who may call: the seeded application's credentials, issuing signed access and id
//! tokens with refresh grants, and checking a bearer token down to the subject it
//! carries. Token lifetimes and revocation (`expire_tokens`) live here too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::jwt::Key;
use crate::seed::{APP_CLIENT_ID, TENANT_ID};

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub sub: String,
    pub exp: u64,
    pub iat: u64,
    pub iss: String,
    pub tenant_id: i64,
    pub jti: String,
    /// `expire_tokens()` bumps the server's generation; older tokens stop working.
    pub generation: u64,
    /// `access` or `id`: an id token is not a bearer credential.
    pub typ: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Whom a token was issued to: an application (its client id) or a user (their email).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Subject {
    pub id: String,
    pub email: Option<String>,
}

impl Subject {
    /// An application, known by its client id.
    pub fn application(client_id: &str) -> Subject {
        Subject {
            id: client_id.to_string(),
            email: None,
        }
    }

    /// A user, known by the email they log in with.
    pub fn user(email: &str) -> Subject {
        Subject {
            id: email.to_string(),
            email: Some(email.to_string()),
        }
    }

    /// The name that lands in `createdBy`/`updatedBy`: the user's email, else the id.
    pub fn actor(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.id)
    }
}

/// Why a bearer token is refused; the text is the 401 message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rejection {
    /// Not a token this server signed: malformed, badly signed, wrong issuer.
    Invalid,
    /// An id token, which names a user but grants nothing.
    NotAccess,
    Expired,
    /// Issued before the last `expire_tokens()`.
    Revoked,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rejection::Invalid => "invalid token",
            Rejection::NotAccess => "not an access token",
            Rejection::Expired => "token expired",
            Rejection::Revoked => "token revoked",
        })
    }
}

/// A token could not be signed (a server fault, answered 500).
#[derive(Debug)]
pub(crate) struct SigningError(String);

impl std::fmt::Display for SigningError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not sign a token: {}", self.0)
    }
}

struct RefreshGrant {
    subject: Subject,
    generation: u64,
}

pub(crate) struct Authority {
    issuer: String,
    key: Key,
    pub client_id: String,
    pub client_secret: String,
    lifetime: Mutex<Duration>,
    generation: AtomicU64,
    refresh: Mutex<HashMap<String, RefreshGrant>>,
}

pub(crate) struct Issued {
    pub access: String,
    pub id: String,
    pub refresh: String,
    pub expires_in: u64,
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn random_string(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

impl Authority {
    pub fn new(issuer: String, lifetime: Duration) -> std::io::Result<Authority> {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Ok(Authority {
            issuer,
            key: Key::new(&key).map_err(|e| std::io::Error::other(e.to_string()))?,
            client_id: APP_CLIENT_ID.to_string(),
            client_secret: random_string(32),
            lifetime: Mutex::new(lifetime),
            generation: AtomicU64::new(0),
            refresh: Mutex::new(HashMap::new()),
        })
    }

    pub fn expire_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub fn set_lifetime(&self, lifetime: Duration) {
        *self.lifetime.lock().unwrap_or_else(PoisonError::into_inner) = lifetime;
    }

    /// Whole seconds, rounded up, at least 1: what `expiresIn` and `exp` both honour.
    fn lifetime_secs(&self) -> u64 {
        let lifetime = *self.lifetime.lock().unwrap_or_else(PoisonError::into_inner);
        (lifetime.as_secs_f64().ceil() as u64).max(1)
    }

    /// Whether these are the seeded application's credentials.
    pub fn app_matches(&self, id: &str, secret: &str) -> bool {
        id == self.client_id && secret == self.client_secret
    }

    /// An access token, an id token and a refresh grant for `subject`.
    pub fn issue(&self, subject: &Subject) -> Result<Issued, SigningError> {
        let now = now_secs();
        let expires_in = self.lifetime_secs();
        let generation = self.generation.load(Ordering::SeqCst);
        let claims = |typ: &str| Claims {
            sub: subject.id.clone(),
            // Rounded up so that a token is never shorter-lived than announced.
            exp: (now + expires_in as f64).ceil() as u64,
            iat: now.floor() as u64,
            iss: self.issuer.clone(),
            tenant_id: TENANT_ID,
            jti: uuid::Uuid::new_v4().to_string(),
            generation,
            typ: typ.to_string(),
            email: subject.email.clone(),
        };
        let sign = |c: &Claims| self.key.sign(c).map_err(|e| SigningError(e.to_string()));
        let access = sign(&claims("access"))?;
        let id = sign(&claims("id"))?;
        let refresh = random_string(48);
        self.refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                refresh.clone(),
                RefreshGrant {
                    subject: subject.clone(),
                    generation,
                },
            );
        Ok(Issued {
            access,
            id,
            refresh,
            expires_in,
        })
    }

    /// The subject of a refresh grant that is still valid.
    pub fn redeem_refresh(&self, token: &str) -> Option<Subject> {
        let grants = self.refresh.lock().unwrap_or_else(PoisonError::into_inner);
        let grant = grants.get(token)?;
        (grant.generation == self.generation.load(Ordering::SeqCst)).then(|| grant.subject.clone())
    }

    /// Check a bearer token: signed here, an access token, unexpired, not revoked.
    pub fn check(&self, token: &str) -> Result<Subject, Rejection> {
        let claims: Claims = self.key.verify(token).ok_or(Rejection::Invalid)?;
        if claims.iss != self.issuer {
            return Err(Rejection::Invalid);
        }
        if claims.typ != "access" {
            return Err(Rejection::NotAccess);
        }
        // To the fraction of a second, with no leeway: a token is dead at its `exp`.
        if now_secs() >= claims.exp as f64 {
            return Err(Rejection::Expired);
        }
        if claims.generation != self.generation.load(Ordering::SeqCst) {
            return Err(Rejection::Revoked);
        }
        Ok(Subject {
            id: claims.sub,
            email: claims.email,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "http://127.0.0.1:1";

    fn authority() -> Authority {
        Authority::new(ISSUER.into(), Duration::from_secs(60)).expect("authority")
    }

    /// A token signed with the authority's own key, with chosen claims.
    fn signed(authority: &Authority, exp: u64, typ: &str, iss: &str) -> String {
        let claims = Claims {
            sub: "app".into(),
            exp,
            iat: 0,
            iss: iss.into(),
            tenant_id: TENANT_ID,
            jti: "j".into(),
            generation: 0,
            typ: typ.into(),
            email: None,
        };
        authority.key.sign(&claims).expect("signs")
    }

    #[test]
    fn access_tokens_carry_their_subject_and_id_tokens_grant_nothing() {
        let authority = authority();
        let user = Subject::user("a@example.com");
        let issued = authority.issue(&user).expect("issues");
        assert_eq!(authority.check(&issued.access), Ok(user.clone()));
        assert_eq!(authority.check(&issued.id), Err(Rejection::NotAccess));
        assert_eq!(authority.redeem_refresh(&issued.refresh), Some(user));
        assert_eq!(issued.expires_in, 60);
    }

    #[test]
    fn expiry_has_no_leeway() {
        let authority = authority();
        let now = now_secs();
        let just_expired = signed(&authority, now.floor() as u64, "access", ISSUER);
        assert_eq!(authority.check(&just_expired), Err(Rejection::Expired));
        let alive = signed(&authority, now.ceil() as u64 + 5, "access", ISSUER);
        assert!(authority.check(&alive).is_ok());
    }

    #[test]
    fn other_issuers_and_keys_are_invalid() {
        let authority = authority();
        let exp = now_secs() as u64 + 60;
        let elsewhere = signed(&authority, exp, "access", "http://127.0.0.1:2");
        assert_eq!(authority.check(&elsewhere), Err(Rejection::Invalid));
        let other_key = signed(&self::authority(), exp, "access", ISSUER);
        assert_eq!(authority.check(&other_key), Err(Rejection::Invalid));
    }

    #[test]
    fn expire_all_revokes_tokens_and_refresh_grants() {
        let authority = authority();
        let issued = authority
            .issue(&Subject::application(APP_CLIENT_ID))
            .expect("issues");
        authority.expire_all();
        assert_eq!(authority.check(&issued.access), Err(Rejection::Revoked));
        assert_eq!(authority.redeem_refresh(&issued.refresh), None);
    }
}

//! Who may call: the credentials of the seeded application, of service accounts and of
//! users' access keys, issuing
//! signed access and id tokens with refresh grants, and checking a bearer token down to
//! the subject it carries. Token lifetimes and revocation live here too: all tokens at
//! once (`expire_tokens`), or one subject's (a deleted or disabled service account). A
//! token is good only while its subject exists and was issued after the subject's last
//! revocation.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::jwt::Key;
use crate::lookup::user_by_email;
use crate::seed::{APP_CLIENT_ID, TENANT_ID};
use crate::store::{now, Store};

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
    pub kind: Kind,
    /// The client id of the access key a user's token was obtained with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The authority's issue counter when this token was signed: a revocation of the
    /// subject refuses every token numbered up to the counter at that moment, which a
    /// clock of whole seconds could not tell apart.
    pub seq: u64,
}

/// What kind of subject a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    User,
    /// The seeded application, which lives as long as the server.
    Application,
    ServiceAccount,
}

/// Whom a token was issued to: an application or a service account (its client id) or a
/// user (their email), the latter perhaps through one of their access keys.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Subject {
    pub id: String,
    pub email: Option<String>,
    pub kind: Kind,
    /// The access key's client id, when a user's token came from one: deleting the key
    /// ends such tokens and no others of the user.
    pub key: Option<String>,
}

impl Subject {
    /// The seeded application, known by its client id.
    pub fn application(client_id: &str) -> Subject {
        Subject {
            id: client_id.to_string(),
            email: None,
            kind: Kind::Application,
            key: None,
        }
    }

    /// A service account, known by its client id.
    pub fn service_account(client_id: &str) -> Subject {
        Subject {
            id: client_id.to_string(),
            email: None,
            kind: Kind::ServiceAccount,
            key: None,
        }
    }

    /// A user, known by the email they log in with.
    pub fn user(email: &str) -> Subject {
        Subject {
            id: email.to_string(),
            email: Some(email.to_string()),
            kind: Kind::User,
            key: None,
        }
    }

    /// A user acting through one of their access keys.
    pub fn user_by_key(email: &str, client_id: &str) -> Subject {
        Subject {
            key: Some(client_id.to_string()),
            ..Subject::user(email)
        }
    }

    /// Where the subject's revocation is kept: ids of different kinds may coincide.
    fn revocation_key(&self) -> String {
        match &self.key {
            Some(key) => format!("key:{key}"),
            None => format!("{:?}:{}", self.kind, self.id.to_ascii_lowercase()),
        }
    }

    /// Whether the subject is still there to act: a user not deleted (nor the access key
    /// they acted through), a service account neither deleted nor disabled.
    fn exists(&self, store: &Store) -> bool {
        match self.kind {
            Kind::Application => self.id == APP_CLIENT_ID,
            Kind::User => {
                user_by_email(store, &self.id).is_some()
                    && self.key.as_ref().is_none_or(|key| {
                        store
                            .access_keys
                            .iter()
                            .any(|k| &k.client_id == key && k.owner.eq_ignore_ascii_case(&self.id))
                    })
            }
            Kind::ServiceAccount => store
                .service_accounts
                .iter()
                .any(|a| a.client_id == self.id && a.enabled),
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
    /// Issued before the last `expire_tokens()` or the subject's last revocation.
    Revoked,
    /// The subject was deleted or disabled.
    Gone,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rejection::Invalid => "invalid token",
            Rejection::NotAccess => "not an access token",
            Rejection::Expired => "token expired",
            Rejection::Revoked => "token revoked",
            Rejection::Gone => "the token's subject was deleted or disabled",
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
    seq: u64,
}

pub(crate) struct Authority {
    issuer: String,
    key: Key,
    pub client_id: String,
    pub client_secret: String,
    lifetime: Mutex<Duration>,
    generation: AtomicU64,
    refresh: Mutex<HashMap<String, RefreshGrant>>,
    /// Numbers every issue; see `Claims::seq`.
    issued: AtomicU64,
    /// Per subject, the issue counter at its last revocation.
    revoked: Mutex<HashMap<String, u64>>,
    /// The claims of tokens whose signature was checked already: a client sends the same
    /// token on every call, and the rest of `check` (expiry, revocation, subject) is still
    /// done each time.
    verified: RwLock<HashMap<String, Arc<Claims>>>,
}

/// Verified tokens remembered at most; past that the memory starts again.
const VERIFIED_TOKENS: usize = 1024;

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
            issued: AtomicU64::new(0),
            revoked: Mutex::new(HashMap::new()),
            verified: RwLock::new(HashMap::new()),
        })
    }

    /// Every token and refresh grant issued to `subject` so far stops working; later
    /// ones are not affected (a service account created again under the same name).
    pub fn revoke(&self, subject: &Subject) {
        let upto = self.issued.load(Ordering::SeqCst);
        self.revoked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(subject.revocation_key(), upto);
    }

    /// Whether a token numbered `seq` for `subject` outlived a revocation or its subject.
    fn still_good(&self, subject: &Subject, seq: u64, store: &Store) -> Result<(), Rejection> {
        let revoked = self
            .revoked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&subject.revocation_key())
            .copied();
        if revoked.is_some_and(|upto| seq <= upto) {
            return Err(Rejection::Revoked);
        }
        if !subject.exists(store) {
            return Err(Rejection::Gone);
        }
        Ok(())
    }

    /// The subject these client credentials belong to: the seeded application, an
    /// enabled service account, or the user who owns an access key. The use is noted as
    /// the account's or the key's last login.
    pub fn client(&self, store: &mut Store, id: &str, secret: &str) -> Option<Subject> {
        if self.app_matches(id, secret) {
            return Some(Subject::application(id));
        }
        if let Some(account) = store
            .service_accounts
            .iter_mut()
            .find(|a| a.client_id == id && a.enabled && a.secret == secret)
        {
            account.last_login = Some(now());
            return Some(Subject::service_account(id));
        }
        let key = store
            .access_keys
            .iter_mut()
            .find(|k| k.client_id == id && k.secret == secret)?;
        key.last_login = Some(now());
        let subject = Subject::user_by_key(&key.owner, id);
        subject.exists(store).then_some(subject)
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
        let seq = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
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
            kind: subject.kind,
            key: subject.key.clone(),
            seq,
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
                    seq,
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
    pub fn redeem_refresh(&self, token: &str, store: &Store) -> Option<Subject> {
        let (subject, seq) = {
            let grants = self.refresh.lock().unwrap_or_else(PoisonError::into_inner);
            let grant = grants.get(token)?;
            if grant.generation != self.generation.load(Ordering::SeqCst) {
                return None;
            }
            (grant.subject.clone(), grant.seq)
        };
        self.still_good(&subject, seq, store).ok()?;
        Some(subject)
    }

    /// Check a bearer token: signed here, an access token, unexpired, not revoked, and
    /// its subject still there.
    pub fn check(&self, token: &str, store: &Store) -> Result<Subject, Rejection> {
        let claims = self.verified(token).ok_or(Rejection::Invalid)?;
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
        let subject = Subject {
            id: claims.sub.clone(),
            email: claims.email.clone(),
            kind: claims.kind,
            key: claims.key.clone(),
        };
        self.still_good(&subject, claims.seq, store)?;
        Ok(subject)
    }

    /// The claims of a token signed with this authority's key, its signature checked once.
    fn verified(&self, token: &str) -> Option<Arc<Claims>> {
        let known = self.verified.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(claims) = known.get(token) {
            return Some(Arc::clone(claims));
        }
        drop(known);
        let claims: Arc<Claims> = Arc::new(self.key.verify(token)?);
        let mut known = self
            .verified
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if known.len() >= VERIFIED_TOKENS {
            known.clear();
        }
        known.insert(token.to_string(), Arc::clone(&claims));
        Some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{self, ADMIN_EMAIL};
    use crate::store::{AccessKey, ServiceAccount};

    const ISSUER: &str = "http://127.0.0.1:1";

    fn authority() -> Authority {
        Authority::new(ISSUER.into(), Duration::from_secs(60)).expect("authority")
    }

    /// A token signed with the authority's own key, with chosen claims.
    fn signed(authority: &Authority, exp: u64, typ: &str, iss: &str) -> String {
        let claims = Claims {
            sub: APP_CLIENT_ID.into(),
            exp,
            iat: 0,
            iss: iss.into(),
            tenant_id: TENANT_ID,
            jti: "j".into(),
            generation: 0,
            typ: typ.into(),
            email: None,
            kind: Kind::Application,
            key: None,
            seq: 0,
        };
        authority.key.sign(&claims).expect("signs")
    }

    #[test]
    fn access_tokens_carry_their_subject_and_id_tokens_grant_nothing() {
        let authority = authority();
        let (store, _) = seed::tenant();
        let user = Subject::user(ADMIN_EMAIL);
        let issued = authority.issue(&user).expect("issues");
        assert_eq!(authority.check(&issued.access, &store), Ok(user.clone()));
        assert_eq!(
            authority.check(&issued.id, &store),
            Err(Rejection::NotAccess)
        );
        assert_eq!(
            authority.redeem_refresh(&issued.refresh, &store),
            Some(user)
        );
        assert_eq!(issued.expires_in, 60);
    }

    #[test]
    fn expiry_has_no_leeway() {
        let authority = authority();
        let (store, _) = seed::tenant();
        let now = now_secs();
        let just_expired = signed(&authority, now.floor() as u64, "access", ISSUER);
        assert_eq!(
            authority.check(&just_expired, &store),
            Err(Rejection::Expired)
        );
        let alive = signed(&authority, now.ceil() as u64 + 5, "access", ISSUER);
        assert!(authority.check(&alive, &store).is_ok());
    }

    #[test]
    fn other_issuers_and_keys_are_invalid() {
        let authority = authority();
        let (store, _) = seed::tenant();
        let exp = now_secs() as u64 + 60;
        let elsewhere = signed(&authority, exp, "access", "http://127.0.0.1:2");
        assert_eq!(authority.check(&elsewhere, &store), Err(Rejection::Invalid));
        let other_key = signed(&self::authority(), exp, "access", ISSUER);
        assert_eq!(authority.check(&other_key, &store), Err(Rejection::Invalid));
    }

    #[test]
    fn expire_all_revokes_tokens_and_refresh_grants() {
        let authority = authority();
        let (store, _) = seed::tenant();
        let issued = authority
            .issue(&Subject::application(APP_CLIENT_ID))
            .expect("issues");
        authority.expire_all();
        assert_eq!(
            authority.check(&issued.access, &store),
            Err(Rejection::Revoked)
        );
        assert_eq!(authority.redeem_refresh(&issued.refresh, &store), None);
    }

    /// The seeded tenant with one enabled service account `ci`.
    fn with_account(secret: &str) -> Store {
        let (mut store, _) = seed::tenant();
        store.service_accounts.push(ServiceAccount {
            id: "sa-1".into(),
            name: "ci".into(),
            client_id: "ci".into(),
            secret: secret.into(),
            enabled: true,
            created_by: "t".into(),
            created_at: now(),
            updated_at: now(),
            last_login: None,
        });
        store
    }

    #[test]
    fn service_account_secrets_obtain_tokens_that_speak_for_the_account() {
        let authority = authority();
        let mut store = with_account("s3cret");
        assert_eq!(authority.client(&mut store, "ci", "wrong"), None);
        let subject = authority.client(&mut store, "ci", "s3cret").expect("known");
        assert_eq!(subject, Subject::service_account("ci"));
        assert!(store
            .service_accounts
            .iter()
            .all(|a| a.last_login.is_some()));
        let issued = authority.issue(&subject).expect("issues");
        assert_eq!(authority.check(&issued.access, &store), Ok(subject));
    }

    #[test]
    fn a_revocation_refuses_earlier_tokens_of_that_subject_only() {
        let authority = authority();
        let store = with_account("s");
        let account = Subject::service_account("ci");
        let before = authority.issue(&account).expect("issues");
        let app = authority
            .issue(&Subject::application(APP_CLIENT_ID))
            .expect("issues");
        authority.revoke(&account);
        assert_eq!(
            authority.check(&before.access, &store),
            Err(Rejection::Revoked)
        );
        assert_eq!(authority.redeem_refresh(&before.refresh, &store), None);
        assert!(authority.check(&app.access, &store).is_ok());
        // Within the same second, a token issued after the revocation is good.
        let after = authority.issue(&account).expect("issues");
        assert_eq!(authority.check(&after.access, &store), Ok(account));
        // A user of the same name is another subject.
        authority.revoke(&Subject::user("ci"));
        assert!(authority.check(&after.access, &store).is_ok());
    }

    #[test]
    fn tokens_die_with_their_subject() {
        let authority = authority();
        let mut store = with_account("s");
        let account = authority
            .issue(&Subject::service_account("ci"))
            .expect("issues");
        let admin = authority
            .issue(&Subject::user(ADMIN_EMAIL))
            .expect("issues");
        for account in &mut store.service_accounts {
            account.enabled = false;
        }
        assert_eq!(
            authority.check(&account.access, &store),
            Err(Rejection::Gone)
        );
        assert_eq!(authority.client(&mut store, "ci", "s"), None);
        store.service_accounts.clear();
        store.users.clear();
        assert_eq!(
            authority.check(&account.access, &store),
            Err(Rejection::Gone)
        );
        assert_eq!(authority.check(&admin.access, &store), Err(Rejection::Gone));
        assert_eq!(authority.redeem_refresh(&admin.refresh, &store), None);
    }

    #[test]
    fn an_access_key_speaks_for_its_owner_until_it_is_deleted() {
        let authority = authority();
        let (mut store, _) = seed::tenant();
        store.access_keys.push(AccessKey {
            id: "k-1".into(),
            name: "laptop".into(),
            client_id: "key-client".into(),
            secret: "s".into(),
            owner: ADMIN_EMAIL.into(),
            created_at: now(),
            last_login: None,
        });
        let subject = authority
            .client(&mut store, "key-client", "s")
            .expect("known");
        assert_eq!(subject.email.as_deref(), Some(ADMIN_EMAIL));
        let by_key = authority.issue(&subject).expect("issues");
        let by_password = authority
            .issue(&Subject::user(ADMIN_EMAIL))
            .expect("issues");
        assert_eq!(authority.check(&by_key.access, &store), Ok(subject.clone()));
        authority.revoke(&subject);
        store.access_keys.clear();
        assert_eq!(
            authority.check(&by_key.access, &store),
            Err(Rejection::Revoked)
        );
        assert!(authority.check(&by_password.access, &store).is_ok());
        assert_eq!(authority.client(&mut store, "key-client", "s"), None);
    }
}

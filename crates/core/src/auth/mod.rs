//! Credentials: the token flows of the control plane, and the per-client token cache.

mod cache;
mod flows;
mod jwt;

pub use cache::{BearerToken, TokenCache};
pub use flows::{parse_token_answer, token_request, FetchedToken, MAX_LIFETIME};
pub use jwt::expiry_from_jwt;

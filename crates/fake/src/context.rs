//! What a route works with: the state every route shares, the request as received, and
//! for catalogue operations the `Call` (operation, path and query parameters, checked
//! body, the token's subject, and where the caller may act when the call has no one
//! target).

use std::ops::Deref;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use runai_admin_core::api::Operation;

use crate::authority::{Authority, Subject};
use crate::error::ApiError;
use crate::listing::Shape;
use crate::reply::Reply;
use crate::scopes::Reach;
use crate::seed;
use crate::store::Store;
use crate::wire::usage::{Usage, UsageMemo};

/// The answer of a route that may fail with the control plane's error.
pub(crate) type Answer = Result<Reply, ApiError>;

/// The state of one fake control plane that the routes read and change.
pub(crate) struct Shared {
    pub url: String,
    pub seed_cluster_id: String,
    /// The size of the researcher CLI's placeholder program (`FakeConfig::cli_binary_size`).
    pub cli_binary_size: u64,
    pub authority: Authority,
    /// Readers (every GET) share it and run side by side; a change has it alone.
    store: RwLock<Store>,
    /// The usage model's pool hours for the store as it is now (cleared by `store_mut`).
    usage: UsageMemo,
}

impl Shared {
    pub fn new(
        url: String,
        token_lifetime: Duration,
        cli_binary_size: u64,
    ) -> std::io::Result<Shared> {
        let (store, seed_cluster_id) = seed::tenant();
        Ok(Shared {
            seed_cluster_id,
            cli_binary_size,
            authority: Authority::new(url.clone(), token_lifetime)?,
            url,
            store: RwLock::new(store),
            usage: UsageMemo::default(),
        })
    }

    /// The store to read, beside any other reader.
    pub fn store(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store to change, alone. What was worked out from it so far is forgotten first:
    /// readers wait until the change is done, and work it out again from the new state.
    pub fn store_mut(&self) -> RwLockWriteGuard<'_, Store> {
        let store = self.store.write().unwrap_or_else(PoisonError::into_inner);
        self.usage.clear();
        store
    }

    /// The store to read, with what other readers worked out from it.
    pub fn reading(&self) -> (RwLockReadGuard<'_, Store>, &UsageMemo) {
        (self.store(), &self.usage)
    }
}

/// The store as a route gets it: shared with other readers for a GET, which never changes
/// anything (as on the real control plane), exclusive for every other method.
pub(crate) enum Access<'a> {
    /// With the usage model's memo, which holds while the store does not change.
    Read(&'a Store, &'a UsageMemo),
    Write(&'a mut Store),
}

impl Deref for Access<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        match self {
            Access::Read(store, _) => store,
            Access::Write(store) => store,
        }
    }
}

impl Access<'_> {
    /// The usage model over the store: shared with other readers on a read, made afresh
    /// while the store may be changing.
    pub fn usage(&self) -> Usage<'_> {
        match self {
            Access::Read(store, memo) => Usage::remembered(store, memo),
            Access::Write(store) => Usage::new(store),
        }
    }

    /// The store to change; a GET's route asking for it is the fake's own bug (a 500).
    pub fn write(&mut self) -> Result<&mut Store, ApiError> {
        match self {
            Access::Write(store) => Ok(store),
            Access::Read(..) => Err(ApiError::new(
                500,
                "the fake control plane tried to change its state while answering a GET",
            )),
        }
    }
}

/// A request as the routes see it.
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub body: Bytes,
}

impl Request {
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The token of a `Bearer <token>` Authorization header; the error is the 401.
    pub fn bearer_token(&self) -> Result<&str, ApiError> {
        let header = self.authorization.as_deref().ok_or_else(|| {
            ApiError::unauthorized("missing Authorization header; send 'Bearer <token>'")
        })?;
        header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| ApiError::unauthorized("Authorization header is not 'Bearer <token>'"))
    }
}

/// What a route of a catalogue operation gets: the operation, its bound parameters and
/// its checked body.
pub(crate) struct Call<'a> {
    pub shared: &'a Shared,
    pub op: &'static Operation,
    pub params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub body: Value,
    pub subject: Subject,
    /// Set by the permission check for calls that act wherever the caller may (lists,
    /// counts, batches): the scopes where the caller holds the operation's permission.
    pub reach: Option<Reach>,
}

/// The fields `search` looks into, by path prefix (access rules, the caller's own
/// included); elsewhere it looks into names.
const SEARCHED: [(&str, &[&str]); 1] = [(
    "/api/v1/authorization/",
    &["subjectId", "roleName", "scopeName"],
)];

impl Call<'_> {
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, field: &str) -> Option<String> {
        self.body
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The strings of the body's array `field`; empty when it is absent.
    pub fn texts(&self, field: &str) -> Vec<String> {
        self.body
            .get(field)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Who made the call, for `createdBy`/`updatedBy`.
    pub fn actor(&self) -> &str {
        self.subject.actor()
    }

    /// The body's `name`, which every created object needs.
    pub fn required_name(&self) -> Result<String, ApiError> {
        self.text("name")
            .filter(|name| !name.is_empty())
            .ok_or_else(|| ApiError::bad_request("body.name: must not be empty"))
    }

    /// How the operation lists: its `filterBy` grammar and `sortBy` values from the
    /// catalogue.
    pub fn shape<'s>(&self, sortable: &'s [(&'s str, &'s str)]) -> Shape<'s> {
        Shape {
            filter: self.op.query.iter().find_map(|q| q.filter.as_ref()),
            sortable,
            searchable: SEARCHED
                .iter()
                .find(|(path, _)| self.op.path.starts_with(path))
                .map_or(&["name", "username"], |(_, fields)| *fields),
            paging: self.op.pagination.as_ref(),
        }
    }

    /// `sortBy` values come straight from the operation's enum in the spec; each names a
    /// field of the listed rows.
    pub fn sorts(&self) -> Vec<(&'static str, &'static str)> {
        self.op
            .query
            .iter()
            .find(|p| p.name == "sortBy")
            .and_then(|p| p.allowed.as_ref())
            .map(|allowed| {
                allowed
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| (s, s))
                    .collect()
            })
            .unwrap_or_default()
    }
}

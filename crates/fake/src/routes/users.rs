//! `/api/v1/users`: list, count, get, create and delete local users, reset a password,
//! log a user out.

use std::collections::HashSet;

use serde_json::json;

use crate::authority::Subject;
use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::listing::{self, Row};
use crate::lookup::{existing_user, no_user, user_by_email};
use crate::reply::Reply;
use crate::routes::paging;
use crate::store::{now, temp_password, Store, User};
use crate::wire::users as wire;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        // Users answer a bare array (`Users1`): the page has no `next`.
        "get_users" => list(call, store),
        "count_users" => paging::count(call, rows(store)),
        "get_user_by_id" => get(call, store),
        "create_user" => store.write().and_then(|store| create(call, store)),
        "delete_user_by_id" => store.write().and_then(|store| delete(call, store)),
        "reset_user_password" => store.write().and_then(|store| reset_password(call, store)),
        "logout_user" => logout(call, store),
        _ => return None,
    };
    Some(answer)
}

fn rows(store: &Store) -> Vec<Row> {
    store.users.iter().map(wire::user_row).collect()
}

/// `filterBy`, `search` and the rest apply as for every listing; the deprecated `filter`
/// (each one sent) picks users by attribute first.
fn list(call: &Call<'_>, store: &Store) -> Answer {
    if !call.query.iter().any(|(name, _)| name == "filter") {
        return paging::bare_window(call, &store.users, wire::user_row);
    }
    let mut kept = rows(store);
    for (name, expression) in call.query.iter().filter(|(name, _)| name == "filter") {
        kept = listing::with_attribute(kept, name, expression, &wire::ATTRIBUTES)?;
    }
    paging::bare(call, kept)
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let user = existing_user(store, call.param("userId"))?;
    Ok(Reply::json(200, &wire::user(user)))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let email = call.text("email").unwrap_or_default();
    let user = add(store, email, temp_password(), call.actor())?;
    let body = json!({"id": user.id, "username": user.username, "tempPassword": user.password});
    Ok(Reply::json(201, &body))
}

/// A new local user, unless the e-mail is taken (409). The seed-era users share it.
pub(crate) fn add<'s>(
    store: &'s mut Store,
    email: String,
    password: String,
    actor: &str,
) -> Result<&'s User, ApiError> {
    if user_by_email(store, &email).is_some() {
        return Err(ApiError::conflict(format!("user {email:?} already exists")));
    }
    store.users.push(new_user(email, password, actor));
    store
        .users
        .last()
        .ok_or_else(|| ApiError::new(500, "the new user was not stored"))
}

/// Many new local users at once, as `create` makes them, with one look at the e-mails
/// already taken (a test's fast path to a large tenant). All or none: a taken or repeated
/// e-mail refuses the batch.
pub(crate) fn add_many(
    store: &mut Store,
    emails: Vec<String>,
    actor: &str,
) -> Result<(), ApiError> {
    let mut taken: HashSet<String> = store
        .users
        .iter()
        .map(|u| u.username.to_ascii_lowercase())
        .collect();
    if let Some(email) = emails
        .iter()
        .find(|email| !taken.insert(email.to_ascii_lowercase()))
    {
        return Err(ApiError::conflict(format!("user {email:?} already exists")));
    }
    store.users.reserve(emails.len());
    for email in emails {
        store.users.push(new_user(email, temp_password(), actor));
    }
    Ok(())
}

fn new_user(email: String, password: String, actor: &str) -> User {
    let created = now();
    User {
        id: uuid::Uuid::new_v4().to_string(),
        username: email,
        password,
        created_by: actor.to_string(),
        created_at: created.clone(),
        updated_at: created,
        last_login: None,
    }
}

fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    remove(call, store, call.param("userId"))?;
    Ok(Reply::empty(204))
}

/// Remove a user with what only they could use. The seed-era users share it.
pub(crate) fn remove(call: &Call<'_>, store: &mut Store, id: &str) -> Result<(), ApiError> {
    let username = existing_user(store, id)?.username.clone();
    store.users.retain(|u| u.id != id);
    // Their tokens and refresh grants die with them, so that a user created again with
    // the same e-mail starts with nothing.
    call.shared.authority.revoke(&Subject::user(&username));
    // Their access keys go with them.
    store
        .access_keys
        .retain(|k| !k.owner.eq_ignore_ascii_case(&username));
    Ok(())
}

fn reset_password(call: &Call<'_>, store: &mut Store) -> Answer {
    let user = store
        .user_mut(call.param("userId"))
        .ok_or_else(|| no_user(call.param("userId")))?;
    user.password = temp_password();
    user.updated_at = now();
    Ok(Reply::json(200, &json!({"tempPassword": user.password})))
}

/// Logging a user out ends every session they signed in to: their tokens and refresh
/// grants so far are refused. Their access keys are credentials of their own and stay.
fn logout(call: &Call<'_>, store: &Store) -> Answer {
    let user = existing_user(store, call.param("userId"))?;
    call.shared.authority.revoke(&Subject::user(&user.username));
    Ok(Reply::empty(200))
}

//! The `/api/v1/service-accounts` shape: `ServiceAccount`, which never carries the
//! secret, and the row its listing filters on.

use serde_json::{json, Map, Value};

use crate::listing::Row;
use crate::seed::TENANT_ID;
use crate::store::ServiceAccount;

pub(crate) fn service_account(account: &ServiceAccount) -> Value {
    json!({
        "id": account.id,
        "name": account.name,
        "clientId": account.client_id,
        "enabled": account.enabled,
        "tenantId": TENANT_ID.to_string(),
        "createdBy": account.created_by,
        "createdAt": account.created_at,
        "updatedAt": account.updated_at,
        "lastLogin": account.last_login,
    })
}

pub(crate) fn service_account_row(account: &ServiceAccount) -> Row {
    let item = service_account(account);
    let fields: Map<String, Value> = item.as_object().cloned().unwrap_or_default();
    Row { fields, item }
}

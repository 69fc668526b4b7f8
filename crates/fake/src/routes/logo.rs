//! `/api/v1/logo`: the tenant's logo, a PNG or SVG image sent and kept base64-encoded.
//! None is set at first (the GET answers 204 without a body).

use base64::Engine;
use serde_json::json;

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::store::Store;

/// The largest logo taken, decoded (the spec's 413 beyond).
const MAX_LOGO_BYTES: usize = 1024 * 1024;
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_tenant_logo" => Ok(match &store.logo {
            Some(logo) => Reply::json(200, &json!({ "logo": logo })),
            None => Reply::empty(204),
        }),
        "upload_tenant_logo" => store.write().and_then(|store| upload(call, store)),
        _ => return None,
    };
    Some(answer)
}

/// The body's schema is checked before the route (a string `logo`); here, that it is an
/// image: base64 of a PNG or an SVG, not empty and not too large.
fn upload(call: &Call<'_>, store: &mut Store) -> Answer {
    let logo = call.text("logo").unwrap_or_default();
    let image = base64::engine::general_purpose::STANDARD
        .decode(logo.trim())
        .map_err(|e| ApiError::bad_request(format!("body.logo: not base64: {e}")))?;
    if image.is_empty() {
        return Err(ApiError::bad_request("body.logo: the image is empty"));
    }
    if image.len() > MAX_LOGO_BYTES {
        return Err(ApiError::new(
            413,
            format!(
                "body.logo: the image has {} bytes, more than {MAX_LOGO_BYTES}",
                image.len()
            ),
        ));
    }
    if !(image.starts_with(PNG_SIGNATURE) || is_svg(&image)) {
        return Err(
            ApiError::bad_request("body.logo: the image is neither PNG nor SVG")
                .with_details("a PNG starts with its signature, an SVG has an <svg> element"),
        );
    }
    store.logo = Some(logo.trim().to_string());
    Ok(Reply::empty(200))
}

/// An SVG document: UTF-8 text whose first element (after any XML declaration, comments
/// or doctype) is `<svg`.
fn is_svg(image: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(image) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        let skipped = if rest.starts_with("<?") {
            rest.find("?>").map(|end| end + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|end| end + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|end| end + 1)
        } else {
            return rest.starts_with("<svg");
        };
        match skipped.and_then(|end| rest.get(end..)) {
            Some(after) => rest = after.trim_start(),
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_documents_are_known_by_their_first_element() {
        assert!(is_svg(b"<svg xmlns='http://www.w3.org/2000/svg'/>"));
        assert!(is_svg(
            b"<?xml version='1.0'?>\n<!-- a logo -->\n<!DOCTYPE svg>\n<svg/>"
        ));
        assert!(!is_svg(b"<html><svg/></html>"));
        assert!(!is_svg(b"<?xml version='1.0'"));
        assert!(!is_svg(b"\xff\xfe"));
    }
}

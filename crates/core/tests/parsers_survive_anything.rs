//! The parsers that read what a server or a user hands over survive anything: arbitrary
//! bytes and strings never panic (a panic would reach Python as `PanicException`), and
//! what they accept obeys the properties below. 10,000 cases per property.
//!
//! The response decoder itself (`src/decode.rs`) builds Python objects and needs an
//! interpreter, so `cargo test` checks the JSON path it is made of, the same
//! `serde_json::Deserializer::from_slice` + `deserialize_any` + `end()` sequence, here
//! into `serde_json::Value`; the fuzz target in `fuzz/` runs `src/decode.rs` itself
//! under an embedded interpreter.

use proptest::prelude::*;
use proptest::sample::Index;
use runai_admin_core::api::{Catalogue, FilterGrammar};
use runai_admin_core::auth::parse_token_answer;
use runai_admin_core::config::normalize_base_url;
use serde::Deserialize;
use serde_json::{json, Map, Value};

const CASES: u32 = 10_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // Shrunk failures are reported in the test output; no files left behind.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The decoder's sequence, into a JSON tree instead of Python objects.
fn decode(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Value::deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Any JSON document, nested a few levels, with keys and strings of any Unicode.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        "(?s).{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("(?s).{0,8}", inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Bytes that look like JSON often enough to get past the first character.
fn jsonish_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        "[\\[\\]{}\":,0-9eE.+\\-a-z\\\\ \u{0}-\u{1f}\u{80}-\u{10ffff}]{0,64}"
            .prop_map(String::into_bytes),
    ]
}

/// Every distinct `filterBy` grammar of the catalogue.
fn grammars() -> Vec<&'static FilterGrammar> {
    let mut seen: Vec<&'static FilterGrammar> = Vec::new();
    for op in &Catalogue::get().operations {
        for grammar in op.query.iter().filter_map(|p| p.filter.as_ref()) {
            if !seen
                .iter()
                .any(|g| g.fields == grammar.fields && g.operators == grammar.operators)
            {
                seen.push(grammar);
            }
        }
    }
    seen
}

fn pick<'a, T>(items: &'a [T], index: &Index) -> &'a T {
    index.get(items)
}

/// Secrets in these tests: long enough that no error text contains one by chance.
const CANARY: &str = "canary-7f3a9c0d2e5b";

proptest! {
    #![proptest_config(config())]

    // --- the response decoder's JSON path -----------------------------------------------

    #[test]
    fn the_decoder_survives_any_bytes(bytes in jsonish_bytes()) {
        let _ = decode(&bytes);
    }

    #[test]
    fn the_decoder_reads_back_any_document(value in arb_json()) {
        let bytes = serde_json::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(decode(&bytes).ok(), Some(value));
    }

    #[test]
    fn a_document_broken_off_is_an_error(value in arb_json(), cut in any::<Index>()) {
        // Only containers are certainly incomplete when cut short ("12" cut is "1").
        let bytes = serde_json::to_vec(&json!([value])).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let cut = cut.index(bytes.len());
        prop_assert!(decode(bytes.get(..cut).unwrap_or_default()).is_err());
    }

    // --- the filterBy grammar --------------------------------------------------------------

    #[test]
    fn any_filter_expression_parses_or_says_why(expression in any::<String>(), which in any::<Index>()) {
        let all = grammars();
        let grammar = pick(&all, &which);
        match grammar.parse(&expression) {
            Ok((field, operator, value)) => {
                prop_assert!(grammar.fields.iter().any(|f| f == field));
                prop_assert!(grammar.operators.iter().any(|o| o == operator));
                prop_assert!(!value.is_empty());
                // The parts are the expression, cut in three: it re-renders to itself.
                prop_assert_eq!(format!("{field}{operator}{value}"), expression.clone());
                // The longest field wins: no longer field also starts the expression.
                prop_assert!(!grammar
                    .fields
                    .iter()
                    .any(|f| f.len() > field.len() && expression.starts_with(f.as_str())));
            }
            Err(message) => prop_assert!(!message.is_empty()),
        }
    }

    #[test]
    fn every_allowed_filter_parses_back_to_its_parts(
        which in any::<Index>(),
        field in any::<Index>(),
        operator in any::<Index>(),
        value in ".+",
    ) {
        let all = grammars();
        let grammar = pick(&all, &which);
        let field = pick(&grammar.fields, &field).as_str();
        let operator = pick(&grammar.operators, &operator).as_str();
        let expression = format!("{field}{operator}{value}");
        prop_assert_eq!(grammar.parse(&expression), Ok((field, operator, value.as_str())));
    }

    #[test]
    fn a_filter_with_an_unknown_field_lists_the_known_ones(which in any::<Index>(), expression in "[^a-zA-Z_].*") {
        let all = grammars();
        let grammar = pick(&all, &which);
        let message = grammar.parse(&expression).err().unwrap_or_default();
        prop_assert!(message.contains("filterable fields"), "{}", message);
    }

    // --- the token answer --------------------------------------------------------------------

    #[test]
    fn the_token_parser_survives_any_bytes(bytes in jsonish_bytes()) {
        if let Ok(fetched) = parse_token_answer(&bytes) {
            prop_assert!(!fetched.token.expose().is_empty());
            prop_assert!(fetched.expires_in.is_none_or(|d| d <= runai_admin_core::auth::MAX_LIFETIME));
        }
    }

    #[test]
    fn a_token_answer_is_read_whatever_else_it_holds(
        token in ".+",
        snake in any::<bool>(),
        lifetime in prop_oneof![arb_json(), (1u32..86_400).prop_map(Value::from)],
        extra in prop::collection::vec(("[a-z_]{1,10}", arb_json()), 0..3),
    ) {
        let (token_key, lifetime_key) =
            if snake { ("access_token", "expires_in") } else { ("accessToken", "expiresIn") };
        let mut answer: Map<String, Value> = extra
            .into_iter()
            .filter(|(k, _)| !["access_token", "expires_in"].contains(&k.as_str()))
            .collect();
        answer.insert(token_key.into(), Value::from(token.clone()));
        answer.insert(lifetime_key.into(), lifetime);
        let bytes = serde_json::to_vec(&answer).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let fetched = parse_token_answer(&bytes).map_err(TestCaseError::fail)?;
        prop_assert_eq!(fetched.token.expose(), token.as_str());
        prop_assert!(fetched.expires_in.is_none_or(|d| d <= runai_admin_core::auth::MAX_LIFETIME));
    }

    #[test]
    fn a_token_answer_without_a_token_names_the_field_and_never_the_secret(
        // The secret placed anywhere but as the access token: a bare string, an array,
        // the token field holding another type, another field, a key.
        shape in 0usize..6,
        noise in arb_json(),
    ) {
        let secret = Value::from(CANARY);
        let answer = match shape {
            0 => secret,
            1 => json!([CANARY, noise]),
            2 => json!({"accessToken": [CANARY], "other": noise}),
            3 => json!({"access_token": {"value": CANARY}}),
            4 => json!({"refreshToken": CANARY, "expiresIn": noise}),
            _ => json!({CANARY: noise}),
        };
        let bytes = serde_json::to_vec(&answer).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let message = parse_token_answer(&bytes).err().unwrap_or_default();
        prop_assert!(!message.contains(CANARY), "{}", message);
        if answer.is_object() {
            prop_assert!(message.contains("accessToken"), "{}", message);
        } else {
            prop_assert!(!message.is_empty());
        }
    }

    // --- the base URL normaliser ---------------------------------------------------------------

    #[test]
    fn a_normalised_url_normalises_to_itself(raw in prop_oneof![
        any::<String>(),
        "(https?://|HTTP://|ftp://)?[a-zA-Z0-9.\\-]{0,12}(:[0-9]{0,6})?(/[a-zA-Z0-9%.:@?#=&\\-\\[\\]]{0,10}){0,5}/{0,3}",
        "(https?://)?[a-z]{1,8}(/[a-z]{0,4})?/(api|v1/k8s|api/v1)(/[a-z]{0,6}){0,3}[?#]?[a-z=]{0,6}",
    ]) {
        if let Ok((url, _)) = normalize_base_url(&raw) {
            prop_assert!(url.starts_with("https://") || url.starts_with("http://"), "{}", url);
            prop_assert!(!url.ends_with('/') && !url.contains('?') && !url.contains('#'), "{}", url);
            prop_assert!(!url.contains("/api/") && !url.contains("/v1/k8s"), "{}", url);
            let again = normalize_base_url(&url).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&again.0, &url);
            prop_assert!(again.1.is_empty(), "{}: {:?}", url, again.1);
        }
    }

    #[test]
    fn credentials_in_a_url_never_come_back(user in "[a-z]{0,8}", host in "[a-z]{1,8}(\\.[a-z]{2,3})?") {
        let raw = format!("https://{user}:{CANARY}@{host}/x");
        let message = normalize_base_url(&raw).err().map(|e| e.to_string()).unwrap_or_default();
        prop_assert!(message.contains("user name or password"), "{}", message);
        prop_assert!(!message.contains(CANARY));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for open in ["[", "{\"a\":"] {
        let bytes = open.repeat(100_000).into_bytes();
        assert!(decode(&bytes).is_err());
        assert!(parse_token_answer(&bytes).is_err());
    }
}

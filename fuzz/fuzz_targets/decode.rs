//! The response decoder (`src/decode.rs`, compiled here as is) against any bytes: it may
//! not panic, and it accepts exactly what the core's JSON path (`serde_json` into a
//! tree) accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pyo3::Python;
use serde::Deserialize;

#[path = "../../src/decode.rs"]
mod decode;

fn core_json(bytes: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_json::Value::deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

fuzz_target!(|bytes: &[u8]| {
    let core = core_json(bytes);
    Python::attach(|py| {
        let decoded = decode::json_to_python(py, bytes);
        assert_eq!(decoded.is_ok(), core.is_ok(), "decoder and core JSON path disagree");
    });
});

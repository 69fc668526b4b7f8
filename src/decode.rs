//! Response bytes straight into Python objects, in one pass: a serde visitor builds the
//! dicts, lists and scalars as it reads, with no intermediate JSON tree. Object keys come
//! from a cache of interned strings: a list's items repeat the same keys, and the same few
//! hundred names come back call after call.

use std::cell::RefCell;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The response decoder on its own (`runai_admin._core.decode_json`): the benchmark
/// measures it against other JSON parsers on the same bytes.
#[pyfunction]
pub fn decode_json<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    json_to_python(py, data).map_err(pyo3::exceptions::PyValueError::new_err)
}

pub fn json_to_python<'py>(py: Python<'py>, bytes: &[u8]) -> Result<Bound<'py, PyAny>, String> {
    let cache = KEYS.get_or_init(py, || Mutex::new(KeyCache::default()));
    // Held by a decode on another thread (one that Python paused mid-way): go without.
    let keys = RefCell::new(cache.try_lock().ok());
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = PySeed { py, keys: &keys }
        .deserialize(&mut deserializer)
        .map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Slots of the key cache (a key takes the slot of its hash; a newcomer replaces the one
/// there), and the longest key kept: names, not free text.
const KEY_SLOTS: usize = 1024;
const KEY_MAX_LEN: usize = 64;

static KEYS: PyOnceLock<Mutex<KeyCache>> = PyOnceLock::new();

struct KeyCache {
    slots: Vec<Option<(Box<str>, Py<PyString>)>>,
}

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache {
            slots: (0..KEY_SLOTS).map(|_| None).collect(),
        }
    }
}

impl KeyCache {
    fn get<'py>(&mut self, py: Python<'py>, key: &str) -> Bound<'py, PyString> {
        if key.len() > KEY_MAX_LEN {
            return PyString::new(py, key);
        }
        // FNV-1a: short keys, no need for a keyed hash.
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let Some(slot) = self.slots.get_mut((hash % KEY_SLOTS as u64) as usize) else {
            return PyString::new(py, key);
        };
        if let Some((cached, string)) = slot {
            if **cached == *key {
                return string.bind(py).clone();
            }
        }
        let string = PyString::intern(py, key);
        *slot = Some((key.into(), string.clone().unbind()));
        string
    }
}

#[derive(Clone, Copy)]
struct PySeed<'a, 'py> {
    py: Python<'py>,
    keys: &'a RefCell<Option<MutexGuard<'static, KeyCache>>>,
}

impl<'py> PySeed<'_, 'py> {
    fn key(&self, key: &str) -> Bound<'py, PyString> {
        match self.keys.borrow_mut().as_mut() {
            Some(cache) => cache.get(self.py, key),
            None => PyString::new(self.py, key),
        }
    }
}

impl<'de, 'py> DeserializeSeed<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn py_err<E: de::Error>(err: PyErr) -> E {
    E::custom(err.to_string())
}

impl<'de, 'py> Visitor<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyBool::new(self.py, v).to_owned().into_any())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into_pyobject(self.py)
            .unwrap_or_else(|never| match never {})
            .into_any())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into_pyobject(self.py)
            .unwrap_or_else(|never| match never {})
            .into_any())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(v.into_pyobject(self.py)
            .unwrap_or_else(|never| match never {})
            .into_any())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.py, v).into_any())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.py);
        while let Some(item) = seq.next_element_seed(self)? {
            list.append(item).map_err(py_err)?;
        }
        Ok(list.into_any())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let value = map.next_value_seed(self)?;
            dict.set_item(self.key(&key), value).map_err(py_err)?;
        }
        Ok(dict.into_any())
    }
}

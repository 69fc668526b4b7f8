//! Response bytes straight into Python objects, in one pass: a serde visitor builds the
//! dicts, lists and scalars as it reads, with no intermediate JSON tree. Short strings and
//! numbers come from caches: object keys (interned: a list's items repeat the same keys,
//! and the same few hundred names come back call after call), string values (a page
//! repeats its statuses, units, cluster and node pool names) and numbers (its quotas).
//! Python strings and numbers are immutable, so one object shared between places is
//! invisible to callers. A dict stores a cached key or value straight from the cache, and
//! a list is made once at its full size.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The response decoder on its own (`runai_admin._core.decode_json`): the benchmark
/// measures it against other JSON parsers on the same bytes.
#[pyfunction]
pub fn decode_json<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    json_to_python(py, data).map_err(pyo3::exceptions::PyValueError::new_err)
}

pub fn json_to_python<'py>(py: Python<'py>, bytes: &[u8]) -> Result<Bound<'py, PyAny>, String> {
    let _paused = GcPause::for_body(py, bytes.len());
    let caches = CACHES.get_or_init(py, || Mutex::new(Caches::default()));
    let mut decoder = Decoder {
        py,
        // Held by a decode on another thread (one that Python paused mid-way): go without.
        caches: caches.try_lock().ok(),
        items: Vec::new(),
    };
    // UTF-8 checked once for the whole body (valid JSON is valid UTF-8 throughout, so this
    // refuses nothing the parser would take) rather than string by string as it reads.
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Seed(&mut decoder)
        .deserialize(&mut deserializer)
        .map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// From this size on, an answer is decoded with Python's cyclic garbage collector paused.
/// A page of 500 projects makes some 15,000 dicts, each counted towards the next
/// collection; the collections they set off (the young objects walked each time, and now
/// and then everything the program holds, such as the list a walk is filling) took half
/// the CPU of a 10,000-project `to_list()`. Paused, the page's objects are walked once,
/// by the first collection after it. Small answers are not worth the three calls.
const PAUSE_GC_FROM: usize = 32 * 1024;

/// `gc.isenabled`, `gc.disable` and `gc.enable`, looked up once.
static GC: PyOnceLock<[Py<PyAny>; 3]> = PyOnceLock::new();

/// The collector paused for one decode, and resumed when it ends, however it ends; left
/// alone when the program had turned it off itself.
struct GcPause<'py>(Option<Bound<'py, PyAny>>);

impl<'py> GcPause<'py> {
    fn for_body(py: Python<'py>, len: usize) -> GcPause<'py> {
        if len < PAUSE_GC_FROM {
            return GcPause(None);
        }
        let Ok([is_enabled, disable, enable]) = GC.get_or_try_init(py, || {
            let gc = py.import("gc")?;
            let function = |name: &str| gc.getattr(name).map(Bound::unbind);
            PyResult::Ok([
                function("isenabled")?,
                function("disable")?,
                function("enable")?,
            ])
        }) else {
            return GcPause(None);
        };
        let enabled = is_enabled
            .call0(py)
            .and_then(|on| on.is_truthy(py))
            .unwrap_or(false);
        if enabled && disable.call0(py).is_ok() {
            GcPause(Some(enable.bind(py).clone()))
        } else {
            GcPause(None)
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(enable) = self.0.take() {
            // gc.enable cannot fail; were it to, the collector would stay off, which
            // loses no object, only their collection.
            let _ = enable.call0();
        }
    }
}

/// Slots of each cache (a string takes the slot of its hash; a newcomer replaces the one
/// there), and the longest string kept: names and short values, not free text.
const SLOTS: usize = 1024;
const CACHED_MAX_LEN: usize = 40;

static CACHES: PyOnceLock<Mutex<Caches>> = PyOnceLock::new();

struct Caches {
    keys: StringCache,
    values: StringCache,
    numbers: NumberCache,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            keys: StringCache::new(true),
            values: StringCache::new(false),
            numbers: NumberCache::default(),
        }
    }
}

struct StringCache {
    slots: Vec<Slot>,
    /// Keys are interned (a lookup with a literal of the caller's code then compares
    /// pointers); values are not: an interned string may live as long as the interpreter.
    intern: bool,
}

/// The text is kept inline: a miss costs no allocation besides the Python string. Its
/// length and first and last words (`Fingerprint`) are the whole text up to 16 bytes, so
/// most lookups compare three integers and never the bytes.
struct Slot {
    fingerprint: Fingerprint,
    text: [u8; CACHED_MAX_LEN],
    string: Option<Py<PyString>>,
}

impl StringCache {
    fn new(intern: bool) -> Self {
        StringCache {
            slots: (0..SLOTS)
                .map(|_| Slot {
                    fingerprint: Fingerprint::default(),
                    text: [0; CACHED_MAX_LEN],
                    string: None,
                })
                .collect(),
            intern,
        }
    }

    fn get<'py>(&mut self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyString>> {
        match self.kept(py, text)? {
            Some(string) => Ok(string.bind(py).clone()),
            None => new_string(py, text),
        }
    }

    /// The string kept for `text`, made and kept if it was not there; `None` for a text
    /// too long to keep.
    fn kept(&mut self, py: Python<'_>, text: &str) -> PyResult<Option<&Py<PyString>>> {
        let bytes = text.as_bytes();
        if bytes.len() > CACHED_MAX_LEN {
            return Ok(None);
        }
        let fingerprint = Fingerprint::of(bytes);
        let Some(slot) = self.slots.get_mut(fingerprint.slot()) else {
            return Ok(None);
        };
        let hit = slot.string.is_some()
            && slot.fingerprint == fingerprint
            && (bytes.len() <= 16 || slot.text.get(..bytes.len()) == Some(bytes));
        if !hit {
            let string = if self.intern {
                PyString::intern(py, text)
            } else {
                new_string(py, text)?
            };
            let Some(kept) = slot.text.get_mut(..bytes.len()) else {
                return Ok(None);
            };
            kept.copy_from_slice(bytes);
            slot.fingerprint = fingerprint;
            slot.string = Some(string.unbind());
        }
        Ok(slot.string.as_ref())
    }
}

/// A short text's length and its first and last eight bytes (four, or single bytes, when
/// it is shorter), read as whole words straight from the text, overlapping: no copy
/// through a buffer, which would stall the loads that follow.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Fingerprint {
    len: usize,
    first: u64,
    last: u64,
}

impl Fingerprint {
    fn of(bytes: &[u8]) -> Self {
        let len = bytes.len();
        let (first, last) = if len >= 8 {
            (word_at(bytes, 0), word_at(bytes, len - 8))
        } else if len >= 4 {
            (half_at(bytes, 0), half_at(bytes, len - 4))
        } else {
            let byte = |at: usize| u64::from(bytes.get(at).copied().unwrap_or(0));
            (byte(0) | byte(len / 2) << 8, byte(len.wrapping_sub(1)))
        };
        Fingerprint { len, first, last }
    }

    /// One multiply: no need for a keyed hash or a thorough one here, a collision only
    /// costs a miss.
    fn slot(self) -> usize {
        let hash = (self.first ^ self.last.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // The high bits are the best mixed ones.
        (hash >> (64 - SLOTS.trailing_zeros())) as usize
    }
}

fn word_at(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|word| <[u8; 8]>::try_from(word).ok())
        .map_or(0, u64::from_le_bytes)
}

fn half_at(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 4)
        .and_then(|half| <[u8; 4]>::try_from(half).ok())
        .map_or(0, |half| u64::from(u32::from_le_bytes(half)))
}

/// Slots of the numbers cache.
const NUMBER_SLOTS: usize = 256;

/// Numbers repeat too (a page's quotas and allocations are the same few floats and
/// integers), and Python's are immutable: a hit costs no allocation. Told apart by kind
/// and bits, so `0.0` and `-0.0`, `1` and `1.0` stay distinct.
struct NumberCache {
    slots: Vec<Option<(Number, Py<PyAny>)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Number {
    Signed(i64),
    Unsigned(u64),
    Float(u64),
}

impl Default for NumberCache {
    fn default() -> Self {
        NumberCache {
            slots: (0..NUMBER_SLOTS).map(|_| None).collect(),
        }
    }
}

impl NumberCache {
    fn get<'py>(&mut self, py: Python<'py>, number: Number) -> Bound<'py, PyAny> {
        match self.kept(py, number) {
            Some(object) => object.bind(py).clone(),
            None => number.to_python(py),
        }
    }

    /// The object kept for `number`, made and kept if it was not there.
    fn kept(&mut self, py: Python<'_>, number: Number) -> Option<&Py<PyAny>> {
        let (kind, bits) = match number {
            Number::Signed(v) => (1, v as u64),
            Number::Unsigned(v) => (2, v),
            Number::Float(v) => (3, v),
        };
        let hash = (bits ^ kind).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = self
            .slots
            .get_mut((hash >> (64 - NUMBER_SLOTS.trailing_zeros())) as usize)?;
        if !matches!(slot, Some((kept, _)) if *kept == number) {
            *slot = Some((number, number.to_python(py).unbind()));
        }
        slot.as_ref().map(|(_, object)| object)
    }
}

impl Number {
    fn to_python<'py>(self, py: Python<'py>) -> Bound<'py, PyAny> {
        let object = match self {
            Number::Signed(v) => v.into_pyobject(py).map(Bound::into_any),
            Number::Unsigned(v) => v.into_pyobject(py).map(Bound::into_any),
            Number::Float(v) => f64::from_bits(v).into_pyobject(py).map(Bound::into_any),
        };
        object.unwrap_or_else(|never| match never {})
    }
}

fn new_string<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyString>> {
    let len = ffi::Py_ssize_t::try_from(text.len())?;
    // SAFETY: the pointer and length describe `text`, valid UTF-8 alive for the call;
    // the result is a new reference to a `str` (so the cast holds) or NULL with an
    // exception set, which `from_owned_ptr_or_err` takes over either way. (`PyString::new`
    // would panic on NULL, where a decode should fail with the error.)
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), len),
        )
        .map(|string| string.cast_into_unchecked())
    }
}

/// One decode: the caches (when free) and the items of the lists being read, one stack for
/// every level, so a list is made once at its full size. Whatever is on the stack when a
/// decode fails is released with it.
struct Decoder<'py> {
    py: Python<'py>,
    caches: Option<MutexGuard<'static, Caches>>,
    items: Vec<Bound<'py, PyAny>>,
}

impl<'py> Decoder<'py> {
    /// `dict[key] = value`. A key, string or number read straight from the input is looked
    /// up only now: the dict then takes its references from the caches' objects, with no
    /// reference of our own to take and give back.
    fn set_pair(
        &mut self,
        dict: &Bound<'py, PyDict>,
        key: KeyText<'_, 'py>,
        value: FieldValue<'_, 'py>,
    ) -> PyResult<()> {
        let py = self.py;
        let Some(caches) = self.caches.as_mut() else {
            let key = match key {
                KeyText::Made(key) => key,
                KeyText::Input(text) => new_string(py, text)?,
            };
            let value = match value {
                FieldValue::Made(value) => value,
                FieldValue::Text(text) => new_string(py, text)?.into_any(),
                FieldValue::Number(number) => number.to_python(py),
            };
            return dict.set_item(key, value);
        };
        let Caches {
            keys,
            values,
            numbers,
        } = &mut **caches;
        let made_key;
        let key = match key {
            KeyText::Made(key) => {
                made_key = key;
                made_key.as_borrowed()
            }
            KeyText::Input(text) => match keys.kept(py, text)? {
                Some(key) => key.bind_borrowed(py),
                None => {
                    made_key = new_string(py, text)?;
                    made_key.as_borrowed()
                }
            },
        };
        let made_value;
        let value = match value {
            FieldValue::Made(value) => {
                made_value = value;
                made_value.as_borrowed()
            }
            FieldValue::Text(text) => match values.kept(py, text)? {
                Some(value) => value.as_any().bind_borrowed(py),
                None => {
                    made_value = new_string(py, text)?.into_any();
                    made_value.as_borrowed()
                }
            },
            FieldValue::Number(number) => match numbers.kept(py, number) {
                Some(value) => value.bind_borrowed(py),
                None => {
                    made_value = number.to_python(py);
                    made_value.as_borrowed()
                }
            },
        };
        dict.set_item(key, value)
    }

    fn key(&mut self, key: &str) -> PyResult<Bound<'py, PyString>> {
        match self.caches.as_mut() {
            Some(caches) => caches.keys.get(self.py, key),
            None => new_string(self.py, key),
        }
    }

    fn number(&mut self, number: Number) -> Bound<'py, PyAny> {
        match self.caches.as_mut() {
            Some(caches) => caches.numbers.get(self.py, number),
            None => number.to_python(self.py),
        }
    }

    fn value(&mut self, value: &str) -> PyResult<Bound<'py, PyString>> {
        match self.caches.as_mut() {
            Some(caches) => caches.values.get(self.py, value),
            None => new_string(self.py, value),
        }
    }

    /// A list of the items pushed since `start`, taken off the stack.
    fn list_from(&mut self, start: usize) -> PyResult<Bound<'py, PyAny>> {
        let start = start.min(self.items.len());
        let len = ffi::Py_ssize_t::try_from(self.items.len() - start)?;
        // SAFETY: a new reference or NULL with an exception set, taken over either way.
        let list = unsafe { Bound::from_owned_ptr_or_err(self.py, ffi::PyList_New(len))? };
        for (index, item) in (0..len).zip(self.items.drain(start..)) {
            // SAFETY: `list` is a list of `len` empty slots and `index < len`; SetItem
            // steals the reference `into_ptr` hands over (releasing it itself on failure).
            // An early return leaves later slots NULL, which the list's release skips, and
            // the drain releases the items not yet moved.
            if unsafe { ffi::PyList_SetItem(list.as_ptr(), index, item.into_ptr()) } != 0 {
                return Err(PyErr::fetch(self.py));
            }
        }
        Ok(list)
    }
}

struct Seed<'a, 'py>(&'a mut Decoder<'py>);

impl<'de, 'py> DeserializeSeed<'de> for Seed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn py_err<E: de::Error>(err: PyErr) -> E {
    E::custom(err.to_string())
}

impl<'de, 'py> Visitor<'de> for Seed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.0.py, v).to_owned().into_any())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.0.number(Number::Signed(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.0.number(Number::Unsigned(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.0.number(Number::Float(v.to_bits())))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.value(v).map(Bound::into_any).map_err(py_err)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.0.py.None().into_bound(self.0.py))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let start = self.0.items.len();
        while let Some(item) = seq.next_element_seed(Seed(&mut *self.0))? {
            self.0.items.push(item);
        }
        self.0.list_from(start).map_err(py_err)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.0.py);
        while let Some(key) = map.next_key_seed(Key(&mut *self.0))? {
            let value = map.next_value_seed(Field(&mut *self.0))?;
            self.0.set_pair(&dict, key, value).map_err(py_err)?;
        }
        Ok(dict.into_any())
    }
}

/// An object's value: strings without escapes and numbers are kept as read, to be looked
/// up in the caches when the pair is stored.
enum FieldValue<'de, 'py> {
    Made(Bound<'py, PyAny>),
    Text(&'de str),
    Number(Number),
}

struct Field<'a, 'py>(&'a mut Decoder<'py>);

impl<'de, 'py> DeserializeSeed<'de> for Field<'_, 'py> {
    type Value = FieldValue<'de, 'py>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for Field<'_, 'py> {
    type Value = FieldValue<'de, 'py>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Seed(self.0).visit_bool(v).map(FieldValue::Made)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(FieldValue::Number(Number::Signed(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(FieldValue::Number(Number::Unsigned(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(FieldValue::Number(Number::Float(v.to_bits())))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(FieldValue::Text(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Seed(self.0).visit_str(v).map(FieldValue::Made)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Seed(self.0).visit_unit().map(FieldValue::Made)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Seed(self.0).visit_seq(seq).map(FieldValue::Made)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Seed(self.0).visit_map(map).map(FieldValue::Made)
    }
}

/// An object key: the text itself when it is in the input as is (no `String` per key), or
/// its string made at once when it had escapes (its text only lives until the next read).
enum KeyText<'de, 'py> {
    Input(&'de str),
    Made(Bound<'py, PyString>),
}

struct Key<'a, 'py>(&'a mut Decoder<'py>);

impl<'de, 'py> DeserializeSeed<'de> for Key<'_, 'py> {
    type Value = KeyText<'de, 'py>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for Key<'_, 'py> {
    type Value = KeyText<'de, 'py>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(KeyText::Input(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.key(v).map(KeyText::Made).map_err(py_err)
    }
}

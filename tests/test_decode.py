"""The response decoder (`runai_admin._core.decode_json`) returns what `json.loads` returns
on the same bytes: the same values, types and key order, whatever its caches of keys,
strings and numbers hold from earlier documents; bad JSON is a `ValueError`; and a
document that fails half-way releases everything made so far."""

from __future__ import annotations

import gc
import itertools
import json
import math
import tracemalloc
from typing import Any

import pytest

from runai_admin._core import decode_json

DOCUMENTS = {
    "empty object": "{}",
    "empty list": "[]",
    "empty containers nested": '{"a": {}, "b": [], "c": [[], {}], "d": [{}]}',
    "scalars at the top": '[null, true, false, 0, -1, 1.5, ""]',
    "bare string": '"just text"',
    "bare number": "42",
    "bare null": "null",
    "nested": '{"a": {"b": {"c": [1, [2, [3, {"d": null}]]]}}, "e": [true, false]}',
    "unicode keys and values": '{"名前": "値", "é": "ümlaut", "😀": ["🚀", "ß"], "a€b": "x€y"}',
    "escapes": r'{"q\"uote": "a\"b", "back\\slash": "c\\d", "nl": "line\nnext\ttab\r\b\f",'
    r' "slash": "\/", "u": "\u00e9\u4e2d", "pair": "\ud83d\ude00", "nul": "\u0000"}',
    "escaped key equal to a plain one": r'{"ab": 1, "a\u0062": 2}',
    "big integers": "[9223372036854775807, -9223372036854775808, 9223372036854775808,"
    " 18446744073709551615, 4294967296, -4294967297]",
    # Not `-0` nor integers beyond 64 bits: serde_json reads them as floats (-0.0, 1e20),
    # where `json.loads` makes ints.
    "small integers": "[0, 1, -5, 256, 257, -6, 1000]",
    "floats": "[0.0, -0.0, 1.0, 0.1, 1e-7, 1.5e300, -2.5E-300, 123695.0, 14400.0, 1e2,"
    " 5e-324, 1.7976931348623157e308, 0.30000000000000004]",
    "integer and float of the same value": "[1, 1.0, 0, 0.0, -0.0, 100, 100.0]",
    "duplicate keys: the last wins, at the first's place": (
        '{"a": 1, "b": 2, "a": 3, "c": {"x": 1, "x": [2]}}'
    ),
    "whitespace everywhere": ' \n\t{ "a" :\r\n [ 1 , 2 ] , "b" : { } }\n ',
    "long strings and keys": json.dumps({"k" * 100: "v" * 1000, "short": "x" * 41}),
    "same values many times": json.dumps(
        [
            {"phase": "Ready", "unit": "MB", "gpu": 1.0, "cpu": 14400.0, "n": 123456789}
            for _ in range(50)
        ]
    ),
}


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down, dict keys in the same order, and
    `-0.0` told from `0.0` (plain `==` says `1 == 1.0` and `0.0 == -0.0`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_a_document_decodes_as_json_loads_does(text):
    data = text.encode()
    expected = json.loads(data)
    # Twice: the second time, keys, strings and numbers come from the caches.
    assert same(decode_json(data), expected)
    assert same(decode_json(data), expected)


def test_texts_that_look_alike_stay_apart_in_the_caches():
    # Every text over "ab" up to 10 characters (first and last words overlapping in all
    # the ways short texts read), and long ones equal at both ends but not in the middle
    # (the same length, first and last eight bytes), as keys and as values.
    short = ["".join(p) for n in range(11) for p in itertools.product("ab", repeat=n)]
    long = [
        "A" * 8 + middle + "Z" * 8
        for middle in ("x", "y", "xy", "yx", "é", "xyzxyzxyzxyzxyzxyzxyz")
    ]
    texts = short + long + [t.upper() + "é" for t in short[:200]]
    data = json.dumps({"keys": {t: i for i, t in enumerate(texts)}, "values": texts}).encode()
    expected = json.loads(data)
    for _ in range(3):
        assert same(decode_json(data), expected)


def test_more_distinct_keys_and_numbers_than_the_caches_hold():
    documents = [
        json.dumps(
            {f"key-{round}-{i}": [i * 1.25, i + 10**6, f"value-{round}-{i}"] for i in range(3000)}
        )
        for round in range(3)
    ]
    for data in itertools.chain(documents, documents):
        assert same(decode_json(data.encode()), json.loads(data))


def test_decoded_objects_are_fresh_containers():
    data = b'{"a": [1, 2], "b": {"c": "Ready"}}'
    first, second = decode_json(data), decode_json(data)
    first["a"].append(3)
    first["b"]["c"] = "changed"
    assert second == {"a": [1, 2], "b": {"c": "Ready"}}


MALFORMED = {
    "cut short": b'{"uuid": "c", "na',
    "cut after a key": b'{"a":',
    "not utf-8 in a string": b'[{"uuid": "\xff\xfe"}]',
    "not utf-8 outside strings": b"[1, \xff]",
    "lone surrogate": b'["\\ud800"]',
    "bad escape": b'["\\x41"]',
    "control character in a string": b'["a\nb"]',
    "nesting beyond the limit": b"[" * 100_000,
    "number out of range": b"[1e999]",
    "leading zero": b"[01]",
    "trailing comma": b"[1, 2,]",
    "single quotes": b"{'a': 1}",
    "NaN": b"[NaN]",
    "non-string key": b"{1: 2}",
    "trailing garbage": b"[] []",
    "trailing word": b'{"a": 1} x',
    "two numbers": b"1 2",
    "byte order mark": b"\xef\xbb\xbf[]",
    "empty": b"",
    "only whitespace": b"  \n",
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_bad_json_is_a_value_error(data):
    with pytest.raises(ValueError):
        decode_json(data)


def _failing_late(round: int) -> bytes:
    """A list valid for a long way (dicts, lists, strings too long to cache and numbers made
    fresh for this round) that fails inside its last item: every item before it is made
    and waiting for the list."""
    items = [
        {"name": f"{'n' * 50}-{round}-{i}", "quota": [round + i + 0.5, 10**12 + i], "empty": {}}
        for i in range(200)
    ]
    return json.dumps(items).encode()[: -len(b"}]")] + b"!"


def test_a_document_that_fails_late_leaves_nothing_behind():
    for round in range(5):  # warm the caches and the allocator
        with pytest.raises(ValueError):
            decode_json(_failing_late(round))
    gc.collect()
    objects_before = len(gc.get_objects())
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for round in range(5, 105):
            data = _failing_late(round)
            with pytest.raises(ValueError):
                decode_json(data)
            del data
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Each document holds about 100 KB of Python objects before it fails: a leak of them
    # would be some 10 MB here. What may remain is the caches' turnover and the test's own.
    assert after - before < 256 * 1024, f"{after - before} bytes more after 100 failed decodes"
    # No dict or list made on the way (they are tracked by the collector) is still alive.
    assert len(gc.get_objects()) - objects_before < 50


def _large(valid: bool) -> bytes:
    """A body past the size from which the collector is paused (32 KiB)."""
    items = [
        {"id": str(i), "name": f"project-{i}", "resources": [{"gpu": 1.5}]} for i in range(2000)
    ]
    text = json.dumps(items).encode()
    return text if valid else text[:-1]


@pytest.mark.parametrize("valid", [True, False], ids=["decoded", "refused"])
def test_the_collector_is_resumed_after_a_large_decode(valid: bool) -> None:
    assert gc.isenabled()
    if valid:
        assert decode_json(_large(True)) == json.loads(_large(True))
    else:
        with pytest.raises(ValueError):
            decode_json(_large(False))
    assert gc.isenabled()


def test_a_collector_the_program_turned_off_stays_off() -> None:
    gc.disable()
    try:
        decode_json(_large(True))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_decode_runs_no_collection() -> None:
    # Paused, the collector does not run while a page is made (it runs after, once).
    collections: list[str] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(phase)

    data = _large(True)
    gc.collect()
    gc.callbacks.append(note)
    try:
        decode_json(data)
    finally:
        gc.callbacks.remove(note)
    assert collections == []

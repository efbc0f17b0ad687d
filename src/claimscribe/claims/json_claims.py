"""Claims as JSON: one object, a list, or JSONL (one object per line); the layout every reader maps into.

The JSON layout is the `Claim` model's own field names, so FHIR, X12 and CSV readers build this dict and
call `build_claim`, which validates it and normalizes what several formats spell differently:

- diagnoses are ICD-10-CM codes in upper case *with* the dot after the category (`M23.211`), as
  FHIR and the CDC tabular print them; the 837P writer drops the dot, as X12 requires;
- a line's date or place of service equal to the claim's is dropped (`None` means "the claim's").

A syntax error in a JSON document stops that document at the claim it breaks (the claims before it
are read); in JSONL it costs only its own line. What a hostile or broken file can hold beyond JSON syntax -
nesting deeper than Python's parser goes, a number of thousands of digits (Python refuses to convert more
than 4,300), an object over MAX_NUMBER_CHARS digits - costs only its own claim too, named with its line
and column; the claims after it in a list are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from claimscribe.claims.errors import ClaimError, ClaimOrError, from_validation, where
from claimscribe.claims.model import Claim

_ICD10 = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{1,4})?$")
MAX_NUMBER_CHARS = 100  # a claim's numbers are units and dollar amounts; 100 characters is generous


class _Unreadable(ValueError):
    """A JSON value the reader refuses (too deep, a number too long)."""


def _number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise _Unreadable(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
        return kind(text)

    return parse


_DECODER = json.JSONDecoder(parse_int=_number(int), parse_float=_number(float))


def _loads(text: str) -> Any:
    """json.loads with the limits above; `_Unreadable` (or JSONDecodeError) when the text breaks them."""
    return _raw(text, 0, whole=True)[0]


def _raw(text: str, pos: int, whole: bool = False) -> tuple[Any, int]:
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except RecursionError:
        raise _Unreadable("nested too deeply (JSON objects and lists inside each other)") from None
    if whole and text[end:].strip():
        raise json.JSONDecodeError("Extra data", text, end)
    return value, end


def _at(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line} column {column}"


def _skip_value(text: str, pos: int) -> int:
    """The end of the JSON value starting at `pos`, found by its brackets and strings alone (after a value
    the decoder refused, to read the claims after it)."""
    depth, index, in_string = 0, pos, False
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth <= 0:
                return index + 1 if depth == 0 else index
        elif char in ",\n" and depth == 0:
            return index
        index += 1
    return index


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def read(text: str) -> Iterator[ClaimOrError]:
    """Every claim in a JSON or JSONL text, in order; a claim that cannot be read becomes a ClaimError."""
    scan = has_bad_bytes(text)
    for ordinal, value in iter_json(text):
        if isinstance(value, ClaimError):
            yield value
        elif not isinstance(value, dict):
            yield ClaimError(where(ordinal), f"expected a JSON object, got {_json_kind(value)}")
        else:
            yield build_claim(value, ordinal, scan_bytes=scan)


def iter_json(text: str) -> Iterator[tuple[int, Any]]:
    """(ordinal, value) for each top-level object: the document, each item of a list, or each JSONL line.

    A value that does not parse comes as a ClaimError naming the line and column in the file.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        yield from _iter_list(text)
        return
    body = text.lstrip("\ufeff")
    try:
        yield 1, _loads(body)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" or _looks_like_jsonl(text):
            yield from _iter_lines(text)
        else:
            yield 1, ClaimError(where(1), _syntax(e))
    except _Unreadable as e:
        if _looks_like_jsonl(text):
            yield from _iter_lines(text)
        else:
            start = len(body) - len(body.lstrip())
            yield 1, ClaimError(where(1), f"unreadable JSON at {_at(body, start)}: {e}")


def build_claim(
    data: dict[str, Any], ordinal: int, line_labels: Sequence[str] = (), scan_bytes: bool = True
) -> ClaimOrError:
    """Validate one claim in the JSON layout and normalize it; errors become one line naming the claim.

    `scan_bytes`: look for bytes that were not UTF-8 in its values (a reader whose text has none, as
    `has_bad_bytes` tells once per file, passes False).
    """
    bad = _undecodable(data) if scan_bytes else None
    if bad is not None:
        field, byte = bad
        return ClaimError(
            where(ordinal), f"{field} holds the byte 0x{byte:02X}, which is not UTF-8; send UTF-8 text"
        )
    try:
        claim = Claim.model_validate(_drop_blanks(data))
    except ValidationError as e:
        return from_validation(e, ordinal, line_labels)
    except RecursionError:  # a documentation value nested just under the parser's own limit
        return ClaimError(where(ordinal), "nested too deeply (JSON objects and lists inside each other)")
    return _normalize_in_place(claim)


def has_bad_bytes(text: str) -> bool:
    """Whether the text holds a byte that was not UTF-8 (kept as a lone surrogate when decoded)."""
    return _SURROGATE.search(text) is not None


def normalize(claim: Claim) -> Claim:
    """The one spelling every reader returns: dotted ICD-10-CM, no line date/place repeating the claim's."""
    return _normalize_in_place(claim.model_copy(deep=True))


def _normalize_in_place(claim: Claim) -> Claim:
    """`normalize` for a claim just built here: set fields directly, as copying costs more than parsing."""
    claim.diagnoses = [icd10_dotted(code) for code in claim.diagnoses]
    for line in claim.lines:
        if line.date_of_service == claim.date_of_service:
            line.date_of_service = None
        if line.place_of_service is not None and line.place_of_service == claim.place_of_service:
            line.place_of_service = None
    for revenue in claim.revenue_lines:
        if revenue.date_of_service == claim.date_of_service:
            revenue.date_of_service = None
    return claim


def icd10_dotted(code: str) -> str:
    """'m23211' or 'M23.211' -> 'M23.211'; a value that is not ICD-10-CM shaped is returned upper-cased."""
    value = code.strip().upper()
    found = _ICD10.match(value)
    if not found:
        return value
    return f"{found.group(1)}.{found.group(2)}" if found.group(2) else found.group(1)


def claim_to_json(claim: Claim) -> dict[str, Any]:
    """The claim in the JSON layout, leaving out empty and unset fields."""
    return claim.model_dump(mode="json", exclude_none=True)


def claims_to_jsonl(claims: Iterable[Claim]) -> str:
    """JSONL: one claim object per line."""
    return "".join(json.dumps(claim_to_json(claim), separators=(",", ":")) + "\n" for claim in claims)


def _iter_list(text: str) -> Iterator[tuple[int, Any]]:
    """Items of a top-level JSON list one by one, so a syntax error stops at the claim it is in."""
    pos = text.index("[") + 1
    ordinal = 0
    while True:
        pos = _skip_space(text, pos)
        if ordinal == 0 and text.startswith("]", pos):
            pos += 1
            break
        ordinal += 1
        try:
            value, pos = _raw(text, pos)
        except json.JSONDecodeError as e:
            yield ordinal, ClaimError(where(ordinal), _syntax(e))
            return
        except _Unreadable as e:
            yield ordinal, ClaimError(where(ordinal), f"unreadable JSON at {_at(text, pos)}: {e}")
            pos = _skip_value(text, pos)
        else:
            yield ordinal, value
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos += 1
        elif text.startswith("]", pos):
            pos += 1
            break
        else:
            error = json.JSONDecodeError("Expecting ',' delimiter", text, pos)
            yield ordinal + 1, ClaimError(where(ordinal + 1), _syntax(error))
            return
    if text[pos:].strip():
        error = json.JSONDecodeError("Extra data", text, _skip_space(text, pos))
        yield ordinal + 1, ClaimError(where(ordinal + 1), _syntax(error))


def _iter_lines(text: str) -> Iterator[tuple[int, Any]]:
    """JSONL: each non-blank line is one claim; line numbers in messages are the file's."""
    ordinal = 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        ordinal += 1
        try:
            yield ordinal, _loads(line)
        except json.JSONDecodeError as e:
            yield ordinal, ClaimError(where(ordinal), _syntax(e, line_offset=number - 1))
        except _Unreadable as e:
            yield ordinal, ClaimError(where(ordinal), f"unreadable JSON on line {number}: {e}")


def _looks_like_jsonl(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return len(lines) > 1 and all(line.startswith("{") and line.endswith("}") for line in lines)


def _syntax(error: json.JSONDecodeError, line_offset: int = 0) -> str:
    return f"invalid JSON at line {error.lineno + line_offset} column {error.colno}: {error.msg}"


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _drop_blanks(data: dict[str, Any]) -> dict[str, Any]:
    """Empty strings and nulls mean "not given": drop them so the model's defaults and 'missing' apply."""
    out = {k: v for k, v in data.items() if v is not None and v != ""}
    if isinstance(out.get("lines"), list):
        out["lines"] = [_drop_blanks(line) if isinstance(line, dict) else line for line in out["lines"]]
    return out


def _undecodable(value: Any, path: str = "") -> tuple[str, int] | None:
    """(field, byte) of the first string holding a byte that was not UTF-8 (a lone surrogate from
    surrogateescape decoding), so the claim is refused by name instead of a crash when it is printed."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        return (path or "a value", ord(found.group(0)) - 0xDC00) if found else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if isinstance(key, str) and not _SURROGATE.search(key) else "a field name"
            inner = _undecodable(key, path or "a field name") if isinstance(key, str) else None
            inner = inner or _undecodable(item, f"{path}.{name}" if path else name)
            if inner:
                return inner
    elif isinstance(value, list):
        for index, item in enumerate(value):
            inner = _undecodable(item, f"{path}[{index + 1}]")
            if inner:
                return inner
    return None


def _json_kind(value: Any) -> str:
    kinds = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "a number")

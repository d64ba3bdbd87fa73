"""A reader for Weka's ARFF format (Attribute-Relation File Format).

The reader is written for the files Weka itself reads, which are a little looser than the
stricter readers elsewhere (``scipy.io.arff`` for example rejects spaces after the commas of
a nominal value list, as in ``soybean.arff``). The supported format:

* ``%`` starts a comment that runs to the end of the line (outside quotes); blank lines are
  ignored; keywords (``@relation``, ``@attribute``, ``@data``, and the attribute types) are
  case-insensitive.
* ``@relation NAME`` comes first; the name is stored in ``DataFrame.attrs["relation"]``.
* ``@attribute NAME TYPE`` with TYPE one of ``numeric``, ``real``, ``integer`` (all read as
  float64), ``string`` (a string column), ``date [FORMAT]`` (datetime64; the Java
  ``SimpleDateFormat`` letters ``yyyy yy MM M dd d HH H mm m ss s SSS`` and quoted
  literals are understood) or a nominal list ``{v1, v2, ...}`` (an unordered ``category``
  column whose categories are the declared values in declared order). Relational
  attributes are not supported.
* Names and values may be quoted with ``'...'`` or ``"..."``; inside quotes a backslash
  escapes the next character (``\\n``, ``\\t``, ``\\r`` are the control characters).
  Values are separated by commas; spaces around values and commas are ignored, and an
  unquoted value may contain inner spaces (Weka would split it there: quote such values).
* ``?`` (unquoted) is a missing value. A quoted ``'?'`` is the literal string ``?``.
* After ``@data`` every non-blank line is one instance: either dense, ``v1, v2, ...`` with
  one value per attribute, or sparse, ``{index value, index value, ...}`` with 0-based
  attribute indices; attributes a sparse row leaves out take Weka's zero value (0 for
  numeric, the first declared value for nominal, the empty string for string and
  1970-01-01 for date attributes). Instance weights (``, {w}`` after a row) are not
  supported.

Anything else raises a :class:`ValueError` that names the line and what is wrong.
A file given by its path is read line by line; a line of more than
:data:`_LINE_PIECE` characters is read in pieces and, when it has the wrong number of
values, refused from them (at about one copy of the line, not two).

(One concept, the grammar above, from lexing to typed columns; it is kept in one
module, past the ~500-line guideline, so that every rule of the format has one home.)
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

__all__ = ["load_arff"]

_NUMERIC_TYPES = frozenset({"numeric", "real", "integer"})

# One value: quoted ('...' or "..." with backslash escapes), or bare: starting and ending
# with a character that is not a comma, quote, brace, '%' or whitespace (inner spaces are
# kept). Every part is optional, so the pattern always matches (an empty value is None).
_FIELD = re.compile(
    r"""\s*(?:'(?P<sq>(?:[^'\\]|\\.)*)'|"(?P<dq>(?:[^"\\]|\\.)*)"|"""
    r"""(?P<bare>[^,%'"{}\s](?:[^,%'"{}]*[^,%'"{}\s])?))?\s*"""
)
_NAME = re.compile(
    r"""[ \t]*(?:'(?P<sq>(?:[^'\\]|\\.)*)'|"(?P<dq>(?:[^"\\]|\\.)*)"|"""
    r"""(?P<bare>[^\s{}'"%,]+))"""
)
_KEYWORD = re.compile(r"@([A-Za-z]+)")
_SPARSE_INDEX = re.compile(r"[ \t]*(\d+)[ \t]+")
# Weka 3.6's instance weight: ", {w}" after the values of a row.
_WEIGHT = re.compile(r",[ \t]*\{[ \t]*[^{}\s]+[ \t]*\}[ \t]*(?:%.*)?$")
_NO_WEIGHTS = "instance weights ({w} after the values of a row) are not supported"
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
# Characters that send a data line to the careful (regex) tokenizer instead of str.split.
_SPECIAL = re.compile(r"""['"%{}\\]""")
# The first field of a comma-separated line that is empty or blank.
_EMPTY_FIELD = re.compile(r"(?:^|(?<=,))\s*(?=,|$)")
# A line of a file longer than this (characters) is read in pieces of this size, so
# that a line with the wrong number of values is refused at one copy of its size.
_LINE_PIECE = 2**22
_JAVA_DATE_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.S)
_JAVA_DATE_CODES = {
    "yyyy": "%Y",
    "yy": "%y",
    "MM": "%m",
    "M": "%m",
    "dd": "%d",
    "d": "%d",
    "HH": "%H",
    "H": "%H",
    "mm": "%M",
    "m": "%M",
    "ss": "%S",
    "s": "%S",
    "SSS": "%f",
}
_DEFAULT_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss"


class _ArffError(ValueError):
    """A ValueError that carries the line number (kept internal: callers see ValueError)."""


@dataclass
class _Attribute:
    name: str
    kind: str  # "numeric", "nominal", "string" or "date"
    lineno: int
    values: list[str] = field(default_factory=list)  # nominal values, declared order
    date_format: str | None = None  # strptime format for date attributes
    java_format: str | None = None


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def _field_value(m: re.Match[str]) -> tuple[str | None, bool]:
    """The value of a field match: (text, quoted); (None, False) if the field is empty."""
    if m.group("sq") is not None:
        return _unescape(m.group("sq")), True
    if m.group("dq") is not None:
        return _unescape(m.group("dq")), True
    return m.group("bare"), False


def _describe_stop(line: str, pos: int) -> str:
    """Say what is wrong at ``line[pos]``, where a value or separator was expected."""
    ch = line[pos]
    if ch in "'\"":
        return f"unterminated or misplaced quote at column {pos + 1}"
    return f"unexpected character {ch!r} at column {pos + 1}"


def _scan_values(
    line: str, pos: int, closing: str | None, keep: int | None = None
) -> tuple[list[tuple[str | None, bool]], int, int]:
    """Scan comma-separated values from ``line[pos:]``.

    Stops at the end of the line or a ``%`` comment (``closing is None``) or just after the
    ``closing`` character. Returns ``([(value, quoted), ...], end, count)``; an empty field
    raises. With ``keep``, only the first ``keep`` values are kept (the rest are counted),
    so that a line of a billion values costs no more than the line.
    """
    values: list[tuple[str | None, bool]] = []
    count = 0
    n = len(line)
    while True:
        m = _FIELD.match(line, pos)
        assert m is not None  # every part of the pattern is optional
        value, quoted = _field_value(m)
        pos = m.end()
        at = line[pos] if pos < n else ""
        if value is None:
            if closing is not None and at == closing and not count:
                return values, pos + 1, count  # an empty list "{}"
            if at in (",", closing) or at == "" or at == "%":
                raise _ArffError(f"empty value at column {pos + 1} (write ? for a missing value)")
            raise _ArffError(_describe_stop(line, pos))
        if keep is None or count < keep:
            values.append((value, quoted))
        count += 1
        if at == ",":
            pos += 1
            continue
        if closing is not None:
            if at == closing:
                return values, pos + 1, count
            if at in ("", "%"):
                raise _ArffError(f"missing closing {closing!r}")
        elif at in ("", "%"):
            return values, pos, count
        raise _ArffError(_describe_stop(line, pos))


def _rest_is_blank(line: str, pos: int) -> bool:
    rest = line[pos:].lstrip()
    return not rest or rest.startswith("%")


def _strip_comment(text: str) -> str:
    """Remove a trailing ``%`` comment from a line that has no quotes."""
    cut = text.find("%")
    return (text if cut < 0 else text[:cut]).strip()


def _java_to_strptime(java: str) -> str:
    """Translate a Java ``SimpleDateFormat`` pattern to a ``strptime`` format."""
    out = []
    for m in _JAVA_DATE_TOKEN.finditer(java):
        tok = m.group(0)
        if tok.startswith("'"):
            literal = "'" if tok == "''" else tok[1:-1].replace("''", "'")
            out.append(literal.replace("%", "%%"))
        elif m.group(1):
            if tok not in _JAVA_DATE_CODES:
                raise _ArffError(
                    f"date format {java!r}: pattern letters {tok!r} are not supported "
                    f"(supported: {', '.join(_JAVA_DATE_CODES)})"
                )
            out.append(_JAVA_DATE_CODES[tok])
        else:
            out.append(tok.replace("%", "%%"))
    return "".join(out)


def _parse_attribute(line: str, pos: int, lineno: int) -> _Attribute:
    """Parse the rest of an ``@attribute`` line, starting at ``pos`` (after the keyword)."""
    m = _NAME.match(line, pos)
    if m is None:
        raise _ArffError("@attribute needs a name and a type")
    name, _ = _field_value(m)
    if name is None or name == "":
        raise _ArffError("@attribute has an empty name")
    pos = m.end()
    rest = line[pos:].lstrip()
    pos = len(line) - len(rest)
    if rest.startswith("{"):
        items, end, _ = _scan_values(line, pos + 1, "}")
        if not _rest_is_blank(line, end):
            raise _ArffError(f"unexpected text after the value list of attribute {name!r}")
        values = []
        for value, quoted in items:
            assert value is not None
            if value == "?" and not quoted:
                raise _ArffError(f"attribute {name!r}: '?' (missing) cannot be a declared value")
            values.append(value)
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise _ArffError(f"attribute {name!r}: value {value!r} is declared twice")
            seen.add(value)
        return _Attribute(name, "nominal", lineno, values=values)
    type_match = re.match(r"([A-Za-z]+)", rest)
    if type_match is None:
        raise _ArffError(
            f"attribute {name!r} has no type"
            if _rest_is_blank(line, pos)
            else f"attribute {name!r}: cannot read the type {rest!r}"
        )
    kind = type_match.group(1).lower()
    pos += type_match.end()
    if kind in _NUMERIC_TYPES or kind == "string":
        if not _rest_is_blank(line, pos):
            raise _ArffError(f"unexpected text after the type of attribute {name!r}")
        return _Attribute(name, "numeric" if kind != "string" else "string", lineno)
    if kind == "date":
        java = _DEFAULT_DATE_FORMAT
        if not _rest_is_blank(line, pos):
            fm = _NAME.match(line, pos)
            if fm is None:
                raise _ArffError(f"attribute {name!r}: cannot read the date format")
            java = _field_value(fm)[0] or _DEFAULT_DATE_FORMAT
            if not _rest_is_blank(line, fm.end()):
                raise _ArffError(f"unexpected text after the date format of attribute {name!r}")
        return _Attribute(
            name, "date", lineno, date_format=_java_to_strptime(java), java_format=java
        )
    if kind == "relational":
        raise _ArffError(f"attribute {name!r}: relational attributes are not supported")
    raise _ArffError(
        f"attribute {name!r} has unknown type {type_match.group(1)!r} "
        "(expected numeric, real, integer, string, date or a {...} list of values)"
    )


def _parse_relation(line: str, pos: int) -> str:
    rest = line[pos:].strip()
    if rest[:1] in ("'", '"'):
        m = _NAME.match(line, pos)
        if m is None or not _rest_is_blank(line, m.end()):
            raise _ArffError("cannot read the relation name")
        return _field_value(m)[0] or ""
    name = _strip_comment(rest)
    if not name:
        raise _ArffError("@relation needs a name")
    return name


def _parse_header(lines: Iterator[str | _LongLine]) -> tuple[str, list[_Attribute], int]:
    """Parse the header from ``lines``, up to ``@data``.

    Returns (relation, attributes, the line number of ``@data``); ``lines`` is left at
    the first data line.
    """
    relation: str | None = None
    attributes: list[_Attribute] = []
    names: dict[str, int] = {}
    lineno = 0
    for raw in lines:
        lineno += 1
        line = _line_text(raw).strip()
        if not line or line.startswith("%"):
            continue
        try:
            m = _KEYWORD.match(line)
            if m is None:
                what = "@relation" if relation is None else "@attribute or @data"
                raise _ArffError(f"expected {what}, found {line[:40]!r}")
            keyword = m.group(1).lower()
            if keyword == "relation":
                if relation is not None:
                    raise _ArffError("a second @relation")
                relation = _parse_relation(line, m.end())
            elif relation is None:
                raise _ArffError(f"expected @relation before @{m.group(1)}")
            elif keyword == "attribute":
                attr = _parse_attribute(line, m.end(), lineno)
                if attr.name in names:
                    raise _ArffError(
                        f"attribute {attr.name!r} is declared twice "
                        f"(first on line {names[attr.name]})"
                    )
                names[attr.name] = lineno
                attributes.append(attr)
            elif keyword == "data":
                if not _rest_is_blank(line, m.end()):
                    raise _ArffError("unexpected text after @data")
                if not attributes:
                    raise _ArffError("@data before any @attribute")
                return relation, attributes, lineno
            else:
                raise _ArffError(f"unknown keyword @{m.group(1)}")
        except _ArffError as exc:
            raise _ArffError(f"line {lineno}: {exc}") from None
    where = max(1, lineno)  # the last line of the file
    if relation is None:
        raise _ArffError(f"line {where}: end of file reached without @relation")
    raise _ArffError(f"line {where}: end of file reached without @data")


class _LongLine(list[str]):
    """The pieces (as read, each of :data:`_LINE_PIECE` characters but the last) of
    one line of a file longer than :data:`_LINE_PIECE`."""

    def text(self) -> str:
        return "".join(self)


def _line_text(line: str | _LongLine) -> str:
    return line.text() if isinstance(line, _LongLine) else line


def _refuse_long_line(pieces: _LongLine, n_attrs: int) -> None:
    """Raise, from its pieces, the error :func:`_dense_tokens` gives a long line with
    another number of values than ``n_attrs`` (a line :func:`_dense_tokens` counts by
    its commas: no quote, brace, ``%`` or backslash); otherwise return (the caller
    joins the pieces and reads the line as any other)."""
    if any(_SPECIAL.search(p) for p in pieces) or all(p.isspace() for p in pieces):
        return
    found = sum(p.count(",") for p in pieces) + 1
    if found == n_attrs:
        return
    # the first empty field (as _EMPTY_FIELD finds it in the whole line): each piece
    # is searched after a stand-in for the field left open by the pieces before it
    before = 0  # commas in the pieces before
    carry = ""  # "": at the line's start; "x,": a blank field after a comma; "x": text
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        text = carry + (piece.rstrip() if last else piece)
        for m in _EMPTY_FIELD.finditer(text):
            if last or m.end() < len(text):  # (a piece's end is not the line's)
                k = before + text.count(",", 0, m.start()) - carry.count(",") + 1
                raise _ArffError(f"value {k} is empty (write ? for a missing value)")
        before += piece.count(",")
        j = piece.rfind(",")
        if j >= 0:
            carry = "x" if piece[j + 1 :].strip() else "x,"
        elif piece.strip():
            carry = "x"
    raise _ArffError(f"expected {n_attrs} values, found {found}")


def _dense_tokens(line: str, n_attrs: int) -> list[str | None]:
    """Split one dense data line into its ``n_attrs`` values (None for missing).

    A line with another number of values raises before it is split, with the error the
    split would give, so that a huge line costs no more memory than itself.
    """
    if _SPECIAL.search(line) is None:
        found = line.count(",") + 1
        if found != n_attrs:
            empty = _EMPTY_FIELD.search(line)
            if empty is not None:
                raise _ArffError(
                    f"value {line.count(',', 0, empty.start()) + 1} is empty "
                    "(write ? for a missing value)"
                )
            raise _ArffError(f"expected {n_attrs} values, found {found}")
        parts = [part.strip() for part in line.split(",")]
        if "" in parts:
            raise _ArffError(f"value {parts.index('') + 1} is empty (write ? for a missing value)")
        return [None if part == "?" else part for part in parts]
    values, _, found = _scan_values(line, 0, None, keep=n_attrs)
    if found != n_attrs:
        raise _ArffError(f"expected {n_attrs} values, found {found}")
    return [None if (v == "?" and not quoted) else v for v, quoted in values]


def _sparse_tokens(line: str, zeros: list[str], attrs: list[_Attribute]) -> list[str | None]:
    """Expand one sparse data line ``{i v, j w, ...}`` into a dense list of values."""
    row: list[str | None] = list(zeros)
    pos = line.index("{") + 1
    n = len(line)
    seen: set[int] = set()
    if line[pos:].lstrip().startswith("}"):
        end = line.index("}", pos) + 1
    else:
        while True:
            m = _SPARSE_INDEX.match(line, pos)
            if m is None:
                raise _ArffError(f"sparse value at column {pos + 1} is not 'index value'")
            index = int(m.group(1))
            if index >= len(attrs):
                raise _ArffError(
                    f"sparse index {index} is out of range (there are {len(attrs)} attributes)"
                )
            if index in seen:
                raise _ArffError(f"sparse index {index} is given twice")
            seen.add(index)
            fm = _FIELD.match(line, m.end())
            assert fm is not None
            value, quoted = _field_value(fm)
            pos = fm.end()
            at = line[pos] if pos < n else ""
            if value is None:
                raise _ArffError(f"sparse index {index} has no value")
            row[index] = None if (value == "?" and not quoted) else value
            if at == ",":
                pos += 1
            elif at == "}":
                end = pos + 1
                break
            elif at in ("", "%"):
                raise _ArffError("missing closing '}' of the sparse row")
            else:
                raise _ArffError(_describe_stop(line, pos))
    if not _rest_is_blank(line, end):
        if line[end:].lstrip().startswith(","):
            raise _ArffError(_NO_WEIGHTS)
        raise _ArffError(f"unexpected text after the sparse row at column {end + 1}")
    return row


#: Data lines tokenized and converted together: the strings of one chunk are all
#: that is held besides the typed columns (a Python string per value costs ~50 bytes).
_CHUNK_ROWS = 2**14


class _Column:
    """One attribute's converted chunks, in order.

    Numeric and nominal columns (fixed dtypes) are written into one array sized by the
    reader's estimate of the rows (grown by half when it is short), so that the
    column is never held twice; the others keep their chunks and join them at the end.
    """

    def __init__(self, attr: _Attribute, capacity: int):
        self.attr = attr
        self.parts: list[np.ndarray] = []
        self.n = 0
        self.array: np.ndarray | None = None
        if attr.kind == "numeric":
            self.array = np.empty(capacity, dtype=np.float64)
        elif attr.kind == "nominal":
            self.array = np.empty(capacity, dtype=_code_dtype(len(attr.values)))

    def append(self, chunk: np.ndarray) -> None:
        if self.array is None:
            self.parts.append(chunk)
            return
        end = self.n + chunk.size
        if end > self.array.size:
            grown = np.empty(max(end, self.array.size + self.array.size // 2), self.array.dtype)
            grown[: self.n] = self.array[: self.n]
            self.array = grown
        self.array[self.n : end] = chunk
        self.n = end

    def clear(self) -> None:
        self.parts.clear()
        self.n = 0
        self.array = None if self.array is None else self.array[:0]

    def finish(self) -> Any:
        """The column (:func:`_join_column`); the buffer lets go of it."""
        if self.array is None:
            return _join_column(self.attr, self.parts)
        values, self.array = self.array, None
        if self.n < values.size:  # the estimate was long: a view, or a copy if far off
            values = values[: self.n] if self.n >= values.size // 2 else values[: self.n].copy()
        return _join_column(self.attr, [values])


def _read_data(
    lines: Iterator[str | _LongLine], lineno: int, attrs: list[_Attribute], rows_hint: int = 0
) -> dict[str, Any]:
    """Read the data section from ``lines`` (``lineno``: the line before) into columns.

    Rows are tokenized and converted to typed arrays a chunk at a time, into columns
    sized for ``rows_hint`` rows (an estimate: more rows grow them). The errors are
    those of tokenizing every row first and then converting the columns in order: a
    line that cannot be split is reported at once; a value that cannot be converted
    is kept as its column's first error, and the first column with one is reported
    at the end.
    """
    n_attrs = len(attrs)
    zeros: list[str] | None = None
    rows: list[list[str | None]] = []
    linenos: list[int] = []
    parts = [_Column(a, rows_hint) for a in attrs]
    errors: list[_ArffError | None] = [None] * n_attrs
    seen_rows = False

    def convert() -> None:
        table = np.empty((len(rows), n_attrs), dtype=object)
        if rows:
            table[:] = rows
        for j, attr in enumerate(attrs):
            if errors[j] is None:
                try:
                    parts[j].append(_convert_chunk(attr, table[:, j], linenos))
                except _ArffError as exc:
                    errors[j] = exc
                    parts[j].clear()
        del table
        rows.clear()
        linenos.clear()

    for raw in lines:
        lineno += 1
        if isinstance(raw, _LongLine):
            try:
                _refuse_long_line(raw, n_attrs)
            except _ArffError as exc:
                raise _ArffError(f"line {lineno}: {exc}") from None
            raw = raw.text()
        line = raw.strip()
        if not line or line[0] == "%":
            continue
        try:
            if line[0] == "{":
                if zeros is None:
                    zeros = [_sparse_zero(a) for a in attrs]
                row = _sparse_tokens(line, zeros, attrs)
            else:
                if "{" in line and _WEIGHT.search(line):
                    raise _ArffError(_NO_WEIGHTS)
                row = _dense_tokens(line, n_attrs)
        except _ArffError as exc:
            raise _ArffError(f"line {lineno}: {exc}") from None
        del raw, line
        rows.append(row)
        linenos.append(lineno)
        if len(rows) == _CHUNK_ROWS:
            convert()
            seen_rows = True
    if rows or not seen_rows:  # the last rows, or the empty columns of no rows
        convert()
    for error in errors:
        if error is not None:
            raise error
    columns = {}
    for j, attr in enumerate(attrs):  # one column at a time: its chunks are freed
        columns[attr.name] = parts[j].finish()
    return columns


def _sparse_zero(attr: _Attribute) -> str:
    """The value an attribute takes when a sparse row leaves it out (Weka's zero)."""
    if attr.kind == "numeric":
        return "0"
    if attr.kind == "nominal":
        if not attr.values:
            raise _ArffError(
                f"sparse rows need a value for attribute {attr.name!r}: it declares no values"
            )
        return attr.values[0]
    if attr.kind == "date":
        return pd.Timestamp(0).strftime(attr.date_format or "")
    return ""


#: A number in a numeric column: an ASCII decimal with optional sign and exponent.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _convert_chunk(attr: _Attribute, column: np.ndarray, linenos: list[int]) -> np.ndarray:
    """Turn a chunk of one column's string values (None = missing) into a typed array.

    Numeric: float64; nominal: the codes of the declared values (-1 missing); date:
    datetime64; string: object (NaN missing). :func:`_join_column` joins the chunks.
    """
    # None as the 0-d object array numpy would make of it (spelled out for mypy)
    missing = np.equal(column, np.array(None, dtype=object))
    if attr.kind == "numeric":
        # decimal numbers in ASCII only: Python's float() would also take "inf",
        # "nan", "1_000" and full-width digits, which no ARFF writer means as numbers
        ok = pd.Series(column, dtype=object).str.fullmatch(_DECIMAL).to_numpy(dtype=object)
        bad = ~missing & (ok != True)  # noqa: E712 (NaN for non-strings)
        if bad.any():
            i = _first_bad(bad)
            raise _ArffError(
                f"line {linenos[i]}: cannot read {column[i]!r} as a number "
                f"(attribute {attr.name!r} is numeric)"
            )
        try:
            return column.astype(np.float64)
        except (TypeError, ValueError):
            pass
        for i, value in enumerate(column):  # slow path: find the offending value
            try:
                float(value if value is not None else "nan")
            except ValueError:
                raise _ArffError(
                    f"line {linenos[i]}: cannot read {value!r} as a number "
                    f"(attribute {attr.name!r} is numeric)"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover
    if attr.kind == "nominal":
        categories = pd.Index(attr.values, dtype=object)
        codes = categories.get_indexer(column)
        bad = (codes < 0) & ~missing
        if bad.any():
            i = _first_bad(bad)
            declared = ", ".join(attr.values)
            raise _ArffError(
                f"line {linenos[i]}: {column[i]!r} is not a declared value of attribute "
                f"{attr.name!r} {{{declared}}}"
            )
        return codes.astype(_code_dtype(len(attr.values)))
    if attr.kind == "date":
        values = pd.to_datetime(
            pd.Series(column, dtype=object), format=attr.date_format, errors="coerce"
        )
        bad = values.isna().to_numpy() & ~missing
        if bad.any():
            i = _first_bad(bad)
            raise _ArffError(
                f"line {linenos[i]}: cannot read {column[i]!r} as a date in the format "
                f"{attr.java_format!r} (attribute {attr.name!r})"
            )
        return values.to_numpy()
    out = column.copy()
    out[missing] = np.nan
    return out


def _code_dtype(n_categories: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type of the codes of ``n_categories`` categories (and -1)."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _join_column(attr: _Attribute, parts: list[np.ndarray]) -> Any:
    """One column from its converted chunks (:func:`_convert_chunk`), in order."""
    values = parts[0] if len(parts) == 1 else np.concatenate(parts)
    parts.clear()
    if attr.kind == "nominal":
        # Let pandas choose the categories' dtype (``str`` in pandas 3, object before).
        return pd.Categorical.from_codes(values, categories=pd.Index(list(attr.values)))
    if attr.kind == "string":
        return pd.Series(values)  # pandas picks the string dtype (``str`` in pandas 3)
    return values


def _split_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` as a file in universal-newline mode yields them."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end + 1
        yield text[pos:end]
        pos = end


def _without_bom(lines: Iterator[str | _LongLine]) -> Iterator[str | _LongLine]:
    for i, line in enumerate(lines):
        if i == 0 and isinstance(line, _LongLine) and line[0].startswith("\ufeff"):
            line[0] = line[0][1:]
        elif i == 0 and isinstance(line, str) and line.startswith("\ufeff"):
            line = line[1:]
        yield line


def _file_lines(f: IO[str]) -> Iterator[str | _LongLine]:
    """The lines of a text file; one longer than :data:`_LINE_PIECE` characters as a
    :class:`_LongLine` of its pieces (never joined here)."""
    while piece := f.readline(_LINE_PIECE):
        if len(piece) < _LINE_PIECE or piece[-1] == "\n":
            yield piece
            continue
        pieces = _LongLine([piece])
        while len(piece) == _LINE_PIECE and piece[-1] != "\n":
            piece = f.readline(_LINE_PIECE)
            if not piece:
                break
            pieces.append(piece)
        yield pieces


def _count_newlines(path: Path) -> int:
    """The ``\\n`` bytes of a file, read in blocks: an estimate of its lines (exact
    for ``\\n`` and ``\\r\\n`` line ends in ASCII-compatible encodings)."""
    count = 0
    with open(path, "rb") as f:
        while block := f.read(2**22):
            count += block.count(b"\n")
    return count


@contextlib.contextmanager
def _open_lines(
    source: str | os.PathLike[str] | IO[Any], encoding: str
) -> Generator[tuple[Iterator[str | _LongLine], str, int], None, None]:
    """(the lines of the file, a name for messages, an estimate of the number of
    lines) from a path or an open file.

    A path is read line by line (never whole); an open file is read whole, as its
    ``read()`` gives it.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"ARFF file does not exist: {path}")
        hint = _count_newlines(path) + 1
        with open(path, encoding=encoding, newline=None) as f:
            yield _without_bom(_file_lines(f)), str(path), hint
        return
    if hasattr(source, "read"):
        text = source.read()
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if not isinstance(text, str):
            raise TypeError("the file's read() must return str or bytes")
        hint = text.count("\n") + 1
        yield _without_bom(_split_lines(text)), str(getattr(source, "name", "<file>")), hint
        return
    raise TypeError(f"load_arff expects a path or an open text file, not {type(source).__name__}")


def load_arff(
    path_or_file: str | os.PathLike[str] | IO[Any], *, encoding: str = "utf-8"
) -> pd.DataFrame:
    """Read an ARFF file into a DataFrame.

    Parameters
    ----------
    path_or_file : str, os.PathLike or file object
        Path of the ``.arff`` file, or an open text (or binary) file to read from.
    encoding : str, default "utf-8"
        Text encoding used when opening a path or decoding a binary file.

    Returns
    -------
    pandas.DataFrame
        One column per attribute in declared order: nominal attributes as unordered
        ``category`` columns whose categories are the declared values in declared order,
        numeric/real/integer as float64, string as a string column, date as datetime64.
        Missing values (``?``) are NaN/NaT. The relation name is in ``df.attrs["relation"]``.

    Raises
    ------
    ValueError
        If the file is not valid ARFF; the message names the line and the problem
        (wrong number of values, a value that is not declared, a number that cannot be
        read, no ``@data`` section, ...).
    FileNotFoundError
        If ``path_or_file`` is a path that does not exist.

    Examples
    --------
    >>> import io
    >>> text = '''@relation tiny
    ... @attribute outlook {sunny, overcast, rainy}
    ... @attribute temperature numeric
    ... @data
    ... sunny, 85
    ... rainy, ?
    ... '''
    >>> df = load_arff(io.StringIO(text))
    >>> df.attrs["relation"], df.shape
    ('tiny', (2, 2))
    >>> list(df["outlook"].cat.categories)
    ['sunny', 'overcast', 'rainy']
    >>> df["temperature"].tolist()
    [85.0, nan]
    """
    with _open_lines(path_or_file, encoding) as (lines, source, n_lines):
        try:
            relation, attrs, lineno = _parse_header(lines)
            columns = _read_data(lines, lineno, attrs, max(n_lines - lineno, 0))
        except _ArffError as exc:
            raise ValueError(f"{source}: {exc}") from None
    n_rows = len(next(iter(columns.values())))
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n_rows), copy=False)
    frame.attrs["relation"] = relation
    return frame

"""Row JSON as `ddbcdc transform` writes it, and what a Parquet reader must give for it.

Everything here is derived from the row text and the Spark schema alone (never from ddbcdc's
Parquet code): the members of a row as their exact text, the value a typed column must hold, and
whether a value fits its declared type (decimal arithmetic in Python's decimal module).
"""
import json
import json.decoder
from decimal import Decimal, localcontext

_DECODER = json.JSONDecoder()


class Num(Decimal):
    """A JSON number: its Decimal value, plus the exact text the row wrote (`1E+3`, `85.0`, `-0`)."""

    def __new__(cls, text):
        value = super().__new__(cls, text)
        value.text = text
        return value


class Obj(dict):
    """A JSON object (members in order) that remembers its exact text."""


class Arr(list):
    """A JSON array that remembers its exact text."""


_SCALARS = json.JSONDecoder(parse_float=Num, parse_int=Num)


def _parse(s, i):
    c = s[i]
    if c == "{":
        out = Obj()
        j = i + 1
        if s[j] != "}":
            while True:
                key, j = json.decoder.scanstring(s, j + 1)
                if s[j] != ":":
                    raise ValueError(f"expected ':' at {j}")
                value, j = _parse(s, j + 1)
                if key in out:
                    raise ValueError(f"member {key!r} twice")
                out[key] = value
                if s[j] == "}":
                    break
                if s[j] != ",":
                    raise ValueError(f"expected ',' at {j}")
                j += 1
        out.raw = s[i:j + 1]
        return out, j + 1
    if c == "[":
        out = Arr()
        j = i + 1
        if s[j] != "]":
            while True:
                value, j = _parse(s, j)
                out.append(value)
                if s[j] == "]":
                    break
                if s[j] != ",":
                    raise ValueError(f"expected ',' at {j}")
                j += 1
        out.raw = s[i:j + 1]
        return out, j + 1
    return _SCALARS.raw_decode(s, i)


def loads(text):
    """Parses compact row JSON keeping every number's exact text (Num) and every object's and
    array's exact text (Obj.raw, Arr.raw)."""
    value, end = _parse(text, 0)
    if end != len(text):
        raise ValueError("text after the value")
    return value


def exact_text(v):
    """A value's exact row-JSON text."""
    if isinstance(v, (Obj, Arr)):
        return v.raw
    if isinstance(v, Num):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    raise ValueError(f"no text kept for {v!r}")


def members(line):
    """The top-level members of a compact JSON object line: [(name, raw member text, raw value text)].

    The raw member text is `"name":value` exactly as the line has it (escapes included)."""
    if line[0] != "{":
        raise ValueError(f"not an object: {line[:80]!r}")
    out = []
    if line[1] == "}":
        return out
    i = 1
    while True:
        start = i
        if line[i] != '"':
            raise ValueError(f"expected a member name at {i}: {line[i:i + 40]!r}")
        name, i = json.decoder.scanstring(line, i + 1)
        if line[i] != ":":
            raise ValueError(f"expected ':' at {i}")
        _, end = _DECODER.raw_decode(line, i + 1)
        out.append((name, line[start:end], line[i + 1:end]))
        i = end
        if line[i] == "}":
            if i != len(line) - 1:
                raise ValueError("text after the object")
            return out
        if line[i] != ",":
            raise ValueError(f"expected ',' at {i}")
        i += 1


def spark_type(t):
    """A Spark StructType JSON type as a tuple: ('string',), ('decimal', p, s), ('array', T),
    ('map', T), ('struct', [(name, T), ...]), ('boolean',), ('long',), ('timestamp',)."""
    if isinstance(t, str):
        if t.startswith("decimal("):
            p, s = t[len("decimal("):-1].split(",")
            return ("decimal", int(p), int(s))
        if t in ("string", "boolean", "long", "timestamp"):
            return (t,)
        raise ValueError(f"a type these tests do not know: {t}")
    kind = t["type"]
    if kind == "struct":
        return ("struct", [(f["name"], spark_type(f["type"])) for f in t["fields"]])
    if kind == "array":
        return ("array", spark_type(t["elementType"]))
    if kind == "map":
        if t["keyType"] != "string":
            raise ValueError("map keys other than string")
        return ("map", spark_type(t["valueType"]))
    raise ValueError(f"a type these tests do not know: {kind}")


def schema_columns(schema_json):
    """[(name, type tuple)] of a schema file's top-level fields."""
    return [(f["name"], spark_type(f["type"])) for f in schema_json["fields"]]


def _is_number(v):
    return isinstance(v, Num)


def decimal_fits(value, precision, scale):
    """Whether `value` is exactly an integer of at most `precision` digits once multiplied by 10^scale."""
    with localcontext() as ctx:
        ctx.prec = 500
        ctx.Emax = 10 ** 6
        ctx.Emin = -(10 ** 6)
        scaled = Decimal(value).scaleb(scale)
        if scaled != scaled.to_integral_value():
            return False
        return abs(int(scaled)) < 10 ** precision


def fits(t, v):
    """Whether a row-JSON value (as `loads` gives it) fits a Spark type without rounding or loss.

    The contract (issue 13, the layout contract): null fits anything; a string column takes any
    value (a non-string as its exact text); a number fits a decimal(p, s) when it has at most s places and p digits at that
    scale, a long when it is an integer in int64; structs take objects whose every member is one
    of their fields (by the name's exact code points) and fits; arrays and maps take arrays and
    objects whose elements fit."""
    if v is None:
        return True
    kind = t[0]
    if kind == "string":
        return True  # a string as itself, anything else as its exact text (see `expected`)
    if kind == "boolean":
        return isinstance(v, bool)
    if kind == "long":
        return _is_number(v) and decimal_fits(v, 19, 0) and -(2 ** 63) <= int(v) < 2 ** 63
    if kind == "decimal":
        return _is_number(v) and decimal_fits(v, t[1], t[2])
    if kind == "array":
        return isinstance(v, list) and all(fits(t[1], e) for e in v)
    if kind == "map":
        return isinstance(v, dict) and all(fits(t[1], e) for e in v.values())
    if kind == "struct":
        if not isinstance(v, dict):
            return False
        fields = dict(t[1])
        return all(k in fields and fits(fields[k], e) for k, e in v.items())
    raise ValueError(kind)


def expected(t, v):
    """The value a reader gives for the fitting row-JSON value `v` of type `t`, canonical form:
    str, bool, int, Decimal, list, dict (struct: every field, missing ones None; map: key → value)."""
    if v is None:
        return None
    kind = t[0]
    if kind == "string":
        # What Spark's JSON reader gives a STRING column: a string itself, any other value as its
        # JSON text (ddbcdc schema declares such columns "STRING (exact text)").
        return v if isinstance(v, str) else exact_text(v)
    if kind == "boolean":
        return v
    if kind == "long":
        return int(v)
    if kind == "decimal":
        return Decimal(v)
    if kind == "array":
        return [expected(t[1], e) for e in v]
    if kind == "map":
        return {k: expected(t[1], e) for k, e in v.items()}
    if kind == "struct":
        return {name: expected(ft, v.get(name)) for name, ft in t[1]}
    raise ValueError(kind)


def canonical(t, got):
    """A reader's value in the canonical form of `expected` (maps arrive as lists of pairs from
    pyarrow, as dicts from DuckDB and Spark; structs as dicts or Spark Rows)."""
    if got is None:
        return None
    kind = t[0]
    if kind == "array":
        return [canonical(t[1], e) for e in got]
    if kind == "map":
        pairs = got.items() if isinstance(got, dict) else got
        out = {}
        for k, e in pairs:
            if k in out:
                raise AssertionError(f"map key {k!r} twice")
            out[k] = canonical(t[1], e)
        return out
    if kind == "struct":
        if hasattr(got, "asDict"):
            got = got.asDict(recursive=False)
        if list(got.keys()) != [name for name, _ in t[1]]:
            raise AssertionError(f"struct fields {list(got.keys())} are not the schema's {[n for n, _ in t[1]]}")
        return {name: canonical(ft, got[name]) for name, ft in t[1]}
    if kind == "decimal":
        if not isinstance(got, Decimal):
            raise AssertionError(f"a decimal column gave {type(got).__name__} {got!r}")
        return got
    return got


def same(a, b):
    """Deep equality where Decimals compare as values but bools never equal numbers (True == 1 in Python)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        # (a struct's field order is checked by `canonical`; a map's keys have no order in Spark or DuckDB)
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return type(a) is type(b) and a == b


METADATA = ["_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete"]


def expect_row(line, columns):
    """The row a reader must give for one NDJSON line: the metadata values, then `_item` (columns
    None: the packed layout) or every typed column and `_rescued_data`; and how many attributes
    were rescued (did not fit their column, or have none)."""
    parts = members(line)
    out = {}
    for name, _, value in parts:
        if name in METADATA:
            v = loads(value)
            out[name] = int(v) if name == "_approxStreamTs" else v
    for name in METADATA:
        out.setdefault(name, None)
    others = [(name, raw, value) for name, raw, value in parts if name not in METADATA]
    if columns is None:
        out["_item"] = "{" + ",".join(raw for _, raw, _ in others) + "}"
        return out, 0
    types = dict(columns)
    values = {}
    rescued = []
    for name, raw, value in others:
        v = loads(value)
        if name in types and fits(types[name], v):
            values[name] = expected(types[name], v)
        else:
            rescued.append(raw)
    for name, _ in columns:
        out[name] = values.get(name)
    out["_rescued_data"] = "{" + ",".join(rescued) + "}" if rescued else None
    return out, len(rescued)


def arrow_type(t):
    """The Arrow type pyarrow reads a Spark type's Parquet column as (the layout contract's mapping)."""
    import pyarrow as pa
    kind = t[0]
    if kind == "string":
        return pa.string()
    if kind == "boolean":
        return pa.bool_()
    if kind == "long":
        return pa.int64()
    if kind == "decimal":
        return pa.decimal128(t[1], t[2])
    if kind == "array":
        return pa.list_(pa.field("element", arrow_type(t[1])))
    if kind == "map":
        return pa.map_(pa.string(), arrow_type(t[1]))
    if kind == "struct":
        return pa.struct([pa.field(n, arrow_type(ft)) for n, ft in t[1]])
    raise ValueError(kind)


def parquet_physical(t):
    """The Parquet physical type of a decimal column by its precision (the layout contract)."""
    p = t[1]
    return "INT32" if p <= 9 else "INT64" if p <= 18 else "FIXED_LEN_BYTE_ARRAY"

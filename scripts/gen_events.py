#!/usr/bin/env python3
"""Deterministic generator of AWS Lambda DynamoDB Streams events (ddbcdc's own test data).

Writes one Lambda event per line, ``{"Records":[...]}`` with up to --batch-size records, as
compact UTF-8 JSON (non-ASCII written raw, control characters as JSON escapes, as AWS does).

Each record has the shape Lambda delivers for a table with StreamViewType NEW_AND_OLD_IMAGES:
eventID (32 hex), eventName INSERT / MODIFY / REMOVE (~60 / 30 / 10 %), eventVersion "1.1",
eventSource "aws:dynamodb", awsRegion, eventSourceARN, and ``dynamodb`` with
ApproximateCreationDateTime (epoch seconds as a JSON number; mostly whole seconds, ~15 % with a
millisecond fraction such as 1767225600.123), Keys, NewImage (not for REMOVE), OldImage (not for
INSERT), SequenceNumber (a strictly increasing decimal string that grows from 21 to 40 digits
over the file, so text order and numeric order disagree at every length change), SizeBytes and
StreamViewType. About 40 % of REMOVEs are TTL deletes carrying
``userIdentity {"type":"Service","principalId":"dynamodb.amazonaws.com"}``.

Items (a fleet of IoT devices) are keyed pk (S) + sk (S); attribute order varies per image. The
values cover every DynamoDB type (S N B BOOL NULL SS NS BS M L) and the hard cases:
  S   unicode, emoji with ZWJ and skin tones, flags, control characters, U+2028 / U+2029,
      U+10FFFF, quotes, backslashes, NFC and NFD forms of one word, empty strings;
  N   integers, decimals, negatives, 38-significant-digit values, exponent forms (1E+5,
      2.5e-3), negative zero (-0, -0.0), 0.000, the range limits 1E-130 and
      +/-9.9999999999999999999999999999999999999E+125 -- all in JSON number grammar;
  B   random bytes including the empty value;
  SS / NS / BS  never empty, never with duplicates (NS compared numerically, so 1 and 1.0
      are never in one set), members in random order;
  M / L  nested at least 4 (up to 7) levels deep, empty maps and empty lists, odd member
      names (unicode, quotes, backslashes, a tab).

The same arguments give byte-identical output (only random.Random seeded with integers is used,
and only its integer-seeded, version-stable methods). Standard library only.

    python3 scripts/gen_events.py --seed 7 --records 3000 --batch-size 100 --out events.jsonl --stats
"""
import argparse
import base64
import hashlib
import json
import random
import sys
from decimal import Decimal

TABLE = "fleet-devices"
REGION = "eu-west-1"
ACCOUNT = "210987654321"
ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}/stream/2026-01-01T00:00:00.000"
EPOCH0 = 1767225600  # 2026-01-01T00:00:00Z
RATE = 40.0  # stream records per second (sets the span of ApproximateCreationDateTime)
SEQ_MIN_DIGITS, SEQ_MAX_DIGITS = 21, 40

# --------------------------------------------------------------------------------------------
# value pools
# --------------------------------------------------------------------------------------------
DEVICE_NAMES = [
    "Thermostat Küche", "Capteur salle d'eau", "温度センサー 2F", "Датчик двери", "Sensor Ação",
    "Ψυγείο αποθήκης", "Lâmpada \"smart\" sala", "מד לחות", "جهاز الاستشعار", "Gateway 🚀 edge",
    "Kamera 👩🏽\u200d🔧 Werkstatt", "Flag 🇳🇴🇧🇷 bridge", "Back\\slash hub", "Zähler Nr. 7",
    "센서 거실", "Nhiệt kế bếp", "Ølkjøleskap", "Pump station ½", "Łódź meter", "plain-ascii-node",
]
# Hard strings; several are deliberately canonically equivalent but different code points.
TEXTS = [
    "",
    'she said "hello" and left',
    "C:\\ProgramData\\fleet\\new.cfg",
    "tab\there, newline\nand CRLF\r\nend",
    "nul \x00 soh \x01 us \x1f del \x7f",
    "backspace \b formfeed \f vertical \x0b",
    "line separator \u2028 paragraph separator \u2029 (breaks JavaScript)",
    "max scalar \U0010ffff and tag \U000e0041 and nonchar \uffff",
    "family 👨\u200d👩\u200d👧\u200d👦 astronaut 👩🏽\u200d🚀 rainbow 🏳️\u200d🌈 flags 🇯🇵🇺🇦🇧🇷",
    "keycap 1\ufe0f\u20e3 and smiley \u263a\ufe0f and plain \u263a",
    "composed \u00e9 vs decomposed e\u0301; \u00c5 vs A\u030a; \u2126 vs \u03a9",
    "BOM \ufeff zero-width space \u200b joiner \u200d non-joiner \u200c",
    "bidi: עברית and العربية mixed \u202e reversed",
    "</script><script>alert('x')</script> &amp; <!-- -->",
    "literal \\u00e9 and \\n are not escapes here",
    "json inside {\"a\":[1,2,{\"b\":null}]}",
    "   leading and trailing spaces   ",
    "日本語のテキストと ASCII の混在",
    "€ ½ ™ ﬁ ligature, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters",
    "slash / and escaped-looking \\/ slash",
    "surrogate neighbours \ud7ff \ue000 \ufffd",
    "quote \" backslash \\ quote-backslash \\\" end",
]
STATUSES = ["PROVISIONED", "ONLINE", "DEGRADED", "OFFLINE", "UPDATING", "RETIRED"]
MODELS = ["TH-100", "TH-200x", "CAM-9", "GW-Edge", "PMP-3", "HUM-½", "LUX-ü"]
SITES = ["Zürich", "東京", "São Paulo", "Kraków", "Montréal", "Αθήνα", "Berlin", "Reykjavík"]
LABELS = [
    "indoor", "outdoor", "critical", "beta", "éco", "🚀 fast", "back\\slash", "\"quoted\"",
    "tab\tlabel", "\u2028sep", "日本", "max\U0010ffff", "ﬁ", "€", "Zebra", "apple", "apple ",
    "\uff21 fullwidth A", "😀 grin", "\ue000 private use",
]
# Pairs that are canonically equivalent in Unicode but are different strings to DynamoDB (it
# compares UTF-8 bytes): a string set may hold both members of a pair.
EQUIVALENT_PAIRS = [
    ("caf\u00e9", "cafe\u0301"),
    ("\u2126hm", "\u03a9hm"),
    ("\u00c5ngstr\u00f6m", "A\u030angstro\u0308m"),
]
# Number text with hard properties. All are JSON number literals DynamoDB accepts.
SPECIAL_NUMBERS = [
    "0", "-0", "-0.0", "0.000", "1E+5", "1e5", "2.5e-3", "2.5E-3", "-7.25E+10", "6.02214076e23",
    "1E-130", "-1E-130", "0.5e-129", "9.9999999999999999999999999999999999999E+125",
    "-9.9999999999999999999999999999999999999E+125", "1E+125", "0.1", "100.00", "1.500",
    "-0.000001", "123456789012345678901234567890.12345678", "3.1415926535897932384626433832795028842",
    "-99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001",
    "18446744073709551616", "9007199254740993", "-9223372036854775809", "4.9E-124",
    "12345678901234567890123456789012345678E-140", "1.0E0", "-1e+0",
]
EMPTY_LIKE = [{"S": ""}, {"B": ""}, {"M": {}}, {"L": []}]


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def big_number(rng):
    """A number with exactly 38 significant digits, in integer, fraction or exponent form."""
    d = str(rng.randint(1, 9)) + digits(rng, 36) + str(rng.randint(1, 9))
    sign = "-" if rng.random() < 0.35 else ""
    form = rng.randrange(5)
    if form == 0:
        return sign + d
    if form == 1:
        cut = rng.randint(1, 37)
        return sign + d[:cut] + "." + d[cut:]
    if form == 2:
        return sign + "0." + "0" * rng.randint(0, 60) + d
    if form == 3:
        return sign + d[0] + "." + d[1:] + "E+" + str(rng.randint(38, 125))
    # 38 digits reach down to 1E-165 at most (DynamoDB's, and boto3's, smallest last digit),
    # so a 38-digit value's leading digit is at most 1E-128; 1E-130 itself is in SPECIAL_NUMBERS.
    return sign + d[0] + "." + d[1:] + "e-" + str(rng.randint(1, 128))


def random_number(rng):
    c = rng.random()
    if c < 0.35:
        return str(rng.randint(-5000, 10**6))
    if c < 0.60:
        return f"{'-' if rng.random() < 0.3 else ''}{rng.randint(0, 999)}.{rng.randint(0, 9999):04d}"
    if c < 0.80:
        return rng.choice(SPECIAL_NUMBERS)
    return big_number(rng)


def b64(rng, lo, hi):
    return base64.b64encode(rng.randbytes(rng.randint(lo, hi))).decode("ascii")


def string_set(rng):
    members = rng.sample(LABELS, rng.randint(1, 4))
    if rng.random() < 0.08:
        members.extend(rng.choice(EQUIVALENT_PAIRS))
    rng.shuffle(members)
    return members


def number_set(rng, lo=1, hi=6):
    out, seen = [], set()
    want = rng.randint(lo, hi)
    while len(out) < want:
        v = random_number(rng)
        if Decimal(v) not in seen:  # numerically distinct: -0 == 0, 1.0E0 == 1
            seen.add(Decimal(v))
            out.append(v)
    return out


def binary_set(rng):
    out = []
    want = rng.randint(1, 4)
    while len(out) < want:
        v = b64(rng, 1, 24)
        if v not in out:
            out.append(v)
    return out


def any_scalar(rng):
    c = rng.randrange(9)
    if c == 0:
        return {"S": rng.choice(TEXTS)}
    if c == 1:
        return {"N": random_number(rng)}
    if c == 2:
        return {"B": b64(rng, 0, 12)}
    if c == 3:
        return {"BOOL": rng.random() < 0.5}
    if c == 4:
        return {"NULL": True}
    if c == 5:
        return {"SS": string_set(rng)}
    if c == 6:
        return {"NS": number_set(rng, 1, 3)}
    if c == 7:
        return {"BS": binary_set(rng)}
    return dict(rng.choice(EMPTY_LIKE))


def nested(rng, depth):
    """A map or list `depth` levels deep (depth >= 1), with mixed content at every level."""
    if depth <= 1:
        return rng.choice([{"M": {}}, {"L": []}, {"L": [any_scalar(rng)]}, {"M": {"leaf": any_scalar(rng)}}])
    if rng.random() < 0.5:
        m = {"level": {"N": str(depth)}, "child": nested(rng, depth - 1)}
        if rng.random() < 0.5:
            m[rng.choice(["ünï", "quote\"d", "back\\slash", "tab\tname", "🚀", "", "a.b[0]"])] = any_scalar(rng)
        return {"M": m}
    return {"L": [any_scalar(rng), nested(rng, depth - 1), any_scalar(rng)]}


# --------------------------------------------------------------------------------------------
# items
# --------------------------------------------------------------------------------------------
def item_keys(seed, iid):
    r = random.Random(seed * 7_368_787 + iid * 2 + 1)
    site = SITES[iid % len(SITES)]
    return {"pk": {"S": f"DEV#{r.getrandbits(40):010x}"}, "sk": {"S": f"STATE#{site}#{iid:07d}"}}


def make_image(seed, iid, version, updated_ms):
    """Image of item `iid` at `version`: stable attributes come from a per-item generator,
    changing ones from a per-(item, version) generator, so a MODIFY's images differ as real
    updates do."""
    ri = random.Random(seed * 1_000_003 + iid * 7919 + 17)
    rv = random.Random((seed * 1_000_003 + iid * 7919 + 17) * 131 + version + 1)
    keys = item_keys(seed, iid)
    attrs = []
    attrs.append(("device_name", {"S": ri.choice(DEVICE_NAMES)}))
    attrs.append(("model", {"S": ri.choice(MODELS)}))
    attrs.append(("status", {"S": STATUSES[min(version, 4)] if rv.random() < 0.85 else rv.choice(STATUSES)}))
    attrs.append(("fw", {"S": f"3.{ri.randint(0, 20)}.{version}"}))
    attrs.append(("version", {"N": str(version)}))
    attrs.append(("battery_pct", {"N": rv.choice(["100", "0.000", f"{rv.randint(0, 99)}.{rv.randint(0, 9)}"])}))
    attrs.append(("temp_c", {"N": f"{rv.randint(-40, 60)}.{rv.randint(0, 99):02d}"}))
    attrs.append(("online", {"BOOL": rv.random() < 0.7}))
    if ri.random() < 0.5:
        attrs.append(("uptime_s", {"N": str(rv.randint(0, 10**9))}))
    if ri.random() < 0.2:
        attrs.append(("retired_at", {"NULL": True}))
    if ri.random() < 0.45:
        attrs.append(("note", {"S": rv.choice(TEXTS)}))
    if ri.random() < 0.2:
        attrs.append(("cert", {"B": b64(ri, 0, 40)}))
    if ri.random() < 0.35:
        attrs.append(("labels", {"SS": string_set(ri)}))
    if ri.random() < 0.25:
        attrs.append(("readings", {"NS": number_set(rv)}))
    if ri.random() < 0.12:
        attrs.append(("fingerprints", {"BS": binary_set(ri)}))
    if ri.random() < 0.3:
        attrs.append(("calibration", {"N": rv.choice(SPECIAL_NUMBERS) if rv.random() < 0.6 else big_number(rv)}))
    if ri.random() < 0.1:
        attrs.append(("is_active", {"BOOL": rv.random() < 0.5}))  # near a metadata column name
    if ri.random() < 0.08:
        attrs.append(("_ttl_epoch", {"N": str(EPOCH0 + ri.randint(0, 10**7))}))
    if ri.random() < 0.08:
        attrs.append(("ünïcødé 名前 🚀", {"S": ri.choice(TEXTS)}))
    if ri.random() < 0.15:
        attrs.append(("config", {"M": {
            "net": {"M": {
                "wifi": {"M": {
                    "ssid": {"S": ri.choice(["home", "Büro-5G", "📶 guest", ""])},
                    "security": {"M": {
                        "mode": {"S": ri.choice(["WPA2", "WPA3", "open"])},
                        "psk_hash": {"B": b64(ri, 0, 16)},
                        "rotations": {"L": [
                            {"M": {"at": {"N": str(EPOCH0 * 1000 + rv.randint(0, 10**9))},
                                   "by": {"S": rv.choice(DEVICE_NAMES)}}}
                            for _ in range(rv.randint(0, 2))
                        ]},
                    }},
                }},
                "dns": {"L": [{"S": "1.1.1.1"}, {"S": "2606:4700:4700::1111"}]},
            }},
            "limits": {"M": {"max_temp": {"N": "85.0"}, "min_temp": {"N": "-40"}, "extra": {"M": {}}}},
            "quote\"d key": {"S": "value with \\ and \""},
            **({"caf\u00e9": {"S": "NFC name"}, "cafe\u0301": {"S": "NFD name, a different attribute"}}
               if ri.random() < 0.3 else {}),
        }}))
    if ri.random() < 0.15:
        attrs.append(("events", {"L": [
            {"M": {"kind": {"S": rv.choice(["boot", "alarm", "ota", "reset"])},
                   "at": {"N": str(EPOCH0 * 1000 + rv.randint(0, 10**9))},
                   "payload": any_scalar(rv)}}
            for _ in range(rv.randint(0, 2))
        ]}))
    if ri.random() < 0.07:
        attrs.append(("deep", nested(rv, rv.randint(4, 6))))
    if ri.random() < 0.04:
        attrs.append(("kitchen_sink", {"L": [
            {"S": ""}, {"S": rv.choice(TEXTS)}, {"N": rv.choice(SPECIAL_NUMBERS)}, {"N": big_number(rv)},
            {"B": ""}, {"B": b64(rv, 1, 8)}, {"BOOL": True}, {"BOOL": False}, {"NULL": True},
            {"SS": string_set(rv)}, {"NS": number_set(rv)}, {"BS": binary_set(rv)},
            {"M": {}}, {"L": []}, {"L": [{"L": [{"L": [{"M": {"x": {"N": "-0"}}}]}]}]},
        ]}))
    if updated_ms is not None:
        attrs.append(("updated_at", {"N": str(updated_ms)}))
    # DynamoDB does not keep attribute order; neither do we.
    attrs.extend(keys.items())
    if rv.random() < 0.5:
        rv.shuffle(attrs)
    else:
        attrs = list(keys.items()) + attrs[:-2]
    return dict(attrs)


# Approximate DynamoDB item size (names + values), for SizeBytes.
def number_size(text):
    mantissa = text.lstrip("-").lower().split("e")[0].replace(".", "").strip("0")
    return (len(mantissa) + 1) // 2 + 1


def value_size(av):
    (tag, v), = av.items()
    if tag == "S":
        return len(v.encode("utf-8"))
    if tag == "N":
        return number_size(v)
    if tag == "B":
        return len(base64.b64decode(v))
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "SS":
        return sum(len(x.encode("utf-8")) for x in v)
    if tag == "NS":
        return sum(number_size(x) for x in v)
    if tag == "BS":
        return sum(len(base64.b64decode(x)) for x in v)
    if tag == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(x) + 1 for k, x in v.items())
    return 3 + sum(value_size(x) + 1 for x in v)  # L


def item_size(item):
    return sum(len(k.encode("utf-8")) + value_size(v) for k, v in item.items())


# --------------------------------------------------------------------------------------------
# stream
# --------------------------------------------------------------------------------------------
def generate(seed, n_records):
    """Yields Lambda DynamoDB Streams records."""
    rng = random.Random(seed)
    live, where, state = [], {}, {}  # live item ids (swap-remove), id -> index, id -> (version, updated_ms)
    next_iid = 0
    t = float(EPOCH0)
    seq = 4 * 10 ** (SEQ_MIN_DIGITS - 1) + rng.getrandbits(48)
    for i in range(n_records):
        t += rng.expovariate(RATE)
        whole = int(t)
        millis = int((t - whole) * 1000)
        if rng.random() < 0.15 and millis > 0:
            # float() of 13 significant digits round-trips, so json writes exactly this text.
            approx = float(f"{whole}.{millis:03d}")
        else:
            approx = whole
        write_ms = whole * 1000 + millis - rng.randint(0, 300)
        # Strictly increasing; the digit count climbs from 21 to 40 over the file, and at every
        # climb the new (longer) number sorts *before* the old one as text.
        want_digits = SEQ_MIN_DIGITS + (i * (SEQ_MAX_DIGITS - SEQ_MIN_DIGITS + 1)) // max(n_records, 1)
        if len(str(seq)) < want_digits:
            seq = 10 ** len(str(seq)) + rng.randint(1, 10**6)
        else:
            seq += rng.randint(1, 10**6)

        r = rng.random()
        event = "INSERT" if not live or r < 0.60 else ("MODIFY" if r < 0.90 else "REMOVE")
        ddb = {"ApproximateCreationDateTime": approx}
        user_identity = None
        if event == "INSERT":
            iid = next_iid
            next_iid += 1
            upd = None if rng.random() < 0.03 else write_ms
            state[iid] = (0, upd)
            where[iid] = len(live)
            live.append(iid)
            keys = item_keys(seed, iid)
            new = make_image(seed, iid, 0, upd)
            ddb["Keys"] = keys
            ddb["NewImage"] = new
            size = item_size(new)
        else:
            iid = live[rng.randrange(len(live))]
            version, old_upd = state[iid]
            keys = item_keys(seed, iid)
            old = make_image(seed, iid, version, old_upd)
            ddb["Keys"] = keys
            if event == "MODIFY":
                upd = None if rng.random() < 0.03 else write_ms
                state[iid] = (version + 1, upd)
                new = make_image(seed, iid, version + 1, upd)
                ddb["NewImage"] = new
                ddb["OldImage"] = old
                size = item_size(new) + item_size(old)
            else:
                k = where.pop(iid)
                last = live.pop()
                if last != iid:
                    live[k] = last
                    where[last] = k
                del state[iid]
                ddb["OldImage"] = old
                size = item_size(old)
                if rng.random() < 0.4:  # expired by TTL: deleted by the service
                    user_identity = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
        ddb["SequenceNumber"] = str(seq)
        ddb["SizeBytes"] = size + item_size(keys)
        ddb["StreamViewType"] = "NEW_AND_OLD_IMAGES"
        record = {
            "eventID": f"{rng.getrandbits(128):032x}",
            "eventName": event,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": REGION,
            "dynamodb": ddb,
            "eventSourceARN": ARN,
        }
        if user_identity is not None:
            record["userIdentity"] = user_identity
        yield record


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Coverage:
    """Counts what the generated values cover, for --stats."""

    TAGS = ("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L")

    def __init__(self):
        self.tags = dict.fromkeys(self.TAGS, 0)
        self.max_depth = 0
        self.empty = {"S": 0, "B": 0, "M": 0, "L": 0}
        self.special_numbers = 0
        self.equivalent_pairs = 0

    def image(self, item):
        for v in item.values():
            self.value(v, 1)

    def value(self, av, depth):
        (tag, v), = av.items()
        self.tags[tag] += 1
        self.max_depth = max(self.max_depth, depth)
        if tag in self.empty and len(v) == 0:
            self.empty[tag] += 1
        if tag == "N" and v in SPECIAL_NUMBERS:
            self.special_numbers += 1
        if tag == "SS" and any(a in v and b in v for a, b in EQUIVALENT_PAIRS):
            self.equivalent_pairs += 1
        if tag == "M":
            for x in v.values():
                self.value(x, depth + 1)
        elif tag == "L":
            for x in v:
                self.value(x, depth + 1)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Deterministic Lambda DynamoDB Streams events, one event per line.")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--records", type=int, required=True, help="number of stream records")
    ap.add_argument("--batch-size", type=int, default=1000, help="records per Lambda event (default 1000)")
    ap.add_argument("--out", required=True, help="output file, one Lambda event JSON per line ('-' for stdout)")
    ap.add_argument("--stats", action="store_true", help="print counts and coverage to stderr")
    a = ap.parse_args(argv)
    if a.batch_size < 1 or a.records < 0 or a.seed < 0:
        ap.error("--batch-size must be >= 1, --records and --seed >= 0")

    counts = {"INSERT": 0, "MODIFY": 0, "REMOVE": 0, "ttl": 0, "fraction_ts": 0}
    coverage = Coverage()
    record_bytes = 0
    seq_digits = set()
    events = 0
    digest = hashlib.sha256()
    out = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")
    try:
        batch = []

        def flush():
            nonlocal events
            line = dumps({"Records": batch}).encode("utf-8") + b"\n"
            out.write(line)
            digest.update(line)
            events += 1

        for record in generate(a.seed, a.records):
            if a.stats:
                counts[record["eventName"]] += 1
                counts["ttl"] += "userIdentity" in record
                ddb = record["dynamodb"]
                counts["fraction_ts"] += isinstance(ddb["ApproximateCreationDateTime"], float)
                seq_digits.add(len(ddb["SequenceNumber"]))
                for image in ("Keys", "NewImage", "OldImage"):
                    if image in ddb:
                        coverage.image(ddb[image])
                record_bytes += len(dumps(record).encode("utf-8"))
            batch.append(record)
            if len(batch) >= a.batch_size:
                flush()
                batch = []
        if batch:
            flush()
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
    if a.stats:
        n = max(a.records, 1)
        print(
            f"records={a.records} events={events} INSERT={counts['INSERT']} MODIFY={counts['MODIFY']} "
            f"REMOVE={counts['REMOVE']} ttl_removes={counts['ttl']} fractional_ts={counts['fraction_ts']} "
            f"avg_record_bytes={record_bytes / n:.1f} seq_digits={min(seq_digits, default=0)}..{max(seq_digits, default=0)}",
            file=sys.stderr)
        print("types " + " ".join(f"{t}={c}" for t, c in coverage.tags.items())
              + f" max_depth={coverage.max_depth} empty_S={coverage.empty['S']} empty_B={coverage.empty['B']}"
              f" empty_M={coverage.empty['M']} empty_L={coverage.empty['L']}"
              f" special_numbers={coverage.special_numbers} nfc_nfd_sets={coverage.equivalent_pairs}",
              file=sys.stderr)
        print(f"sha256={digest.hexdigest()}", file=sys.stderr)


if __name__ == "__main__":
    main()

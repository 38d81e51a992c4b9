"""A DynamoDB Streams workload for the MERGE checks: inserts, updates (attributes added and
removed), deletes, TTL deletes and re-inserts of the same keys, with the items' final state.

Written as Lambda events (one per line) for `ddbcdc run`; the model keeps what the source table
holds after every change, so a test can compare a target table with it.
"""
import json
import random
from decimal import Decimal

EPOCH0 = 1767225600  # 2026-01-01T00:00:00Z
NAMES = ["Zoë", 'quote " d', "back\\slash", "日本語", "emoji 🚀", "tab\there", "plain", "l'apostrophe"]


def _number_text(rng):
    kind = rng.randrange(4)
    if kind == 0:
        return f"{rng.randint(0, 999)}.{rng.randint(0, 99):02d}"
    if kind == 1:
        return f"-{rng.randint(0, 9)}.{rng.randint(0, 9999):04d}"
    if kind == 2:
        # 34 significant digits: a double would round it.
        return f"{rng.randint(10**29, 10**30 - 1)}.{rng.randint(0, 9999):04d}"
    return str(rng.randint(-1000, 1000))


def _image(rng, key, version, clashing=False):
    image = {
        "pk": {"S": key[0]},
        "sk": {"S": key[1]},
        "name": {"S": rng.choice(NAMES) + f" v{version}"},
        "qty": {"N": str(rng.randint(0, 10**6))},
        "price": {"N": _number_text(rng)},
        "active": {"BOOL": rng.random() < 0.5},
        "meta": {"M": {"color": {"S": rng.choice(["red", "grün", "藍"])}, "dims": {"L": [{"N": "1.5"}, {"N": str(rng.randint(1, 9))}]}}},
    }
    if rng.random() < 0.5:
        image["tags"] = {"SS": sorted(rng.sample(["a", "b", "é", "🚀", "z z"], rng.randint(1, 3)))}
    if rng.random() < 0.5:
        image["note"] = {"S": rng.choice(NAMES)}  # present in some versions only: removal must clear it
    if clashing:
        # Application attributes named like the seed's metadata columns.
        image["is_deleted"] = {"BOOL": rng.random() < 0.5}
        image["_seq"] = {"S": f"app-{version}"}
    return image


def plain(av):
    """DynamoDB JSON → the value a row holds (numbers as Decimal, sets as sorted lists)."""
    (tag, value), = av.items()
    if tag == "S":
        return value
    if tag == "N":
        return Decimal(value)
    if tag == "BOOL":
        return value
    if tag == "NULL":
        return None
    if tag == "SS":
        return sorted(value)  # ddbcdc sorts string sets by code point
    if tag == "M":
        return {k: plain(v) for k, v in value.items()}
    if tag == "L":
        return [plain(v) for v in value]
    raise ValueError(tag)


def generate(seed, records, keys, clashing=False):
    """Returns (records, final) where final maps (pk, sk) → the item's plain attributes, for the
    items that exist at the end, and stats about the workload."""
    rng = random.Random(seed)
    pool = [(f"DEV#{i:03d}", f"STATE#{rng.choice(['Zürich', 'Kraków', '東京'])}#{i}") for i in range(keys)]
    live, versions = {}, {}
    out = []
    seq = 4 * 10**20 + rng.getrandbits(40)
    t = float(EPOCH0)
    stats = {"INSERT": 0, "MODIFY": 0, "REMOVE": 0, "TTL": 0, "REINSERT": 0}
    deleted_once = set()
    for _ in range(records):
        t += rng.uniform(0.5, 9.0)
        seq += rng.randint(1, 10**6)
        key = rng.choice(pool)
        ddb = {"ApproximateCreationDateTime": round(t, 3), "Keys": {"pk": {"S": key[0]}, "sk": {"S": key[1]}},
               "SequenceNumber": str(seq), "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        record = {"eventID": f"{rng.getrandbits(128):032x}", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
                  "awsRegion": "eu-west-1", "eventSourceARN": "arn:aws:dynamodb:eu-west-1:1:table/t/stream/x"}
        if key not in live:
            versions[key] = versions.get(key, 0) + 1
            image = _image(rng, key, versions[key], clashing)
            ddb["NewImage"] = image
            record["eventName"] = "INSERT"
            live[key] = image
            stats["INSERT"] += 1
            if key in deleted_once:
                stats["REINSERT"] += 1
        elif rng.random() < 0.7:
            versions[key] += 1
            image = _image(rng, key, versions[key], clashing)
            ddb["OldImage"], ddb["NewImage"] = live[key], image
            record["eventName"] = "MODIFY"
            live[key] = image
            stats["MODIFY"] += 1
        else:
            ddb["OldImage"] = live.pop(key)
            record["eventName"] = "REMOVE"
            deleted_once.add(key)
            stats["REMOVE"] += 1
            if rng.random() < 0.4:
                record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
                stats["TTL"] += 1
        record["dynamodb"] = ddb
        out.append(record)
    final = {key: {name: plain(av) for name, av in image.items()} for key, image in live.items()}
    return out, final, stats, [k for k in pool]


def write_events(records, path, batch=20):
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(0, len(records), batch):
            handle.write(json.dumps({"Records": records[i : i + batch]}, ensure_ascii=False) + "\n")

#!/usr/bin/env python3
"""Writes the committed seed corpora of Fuzz/Corpus/{transcoder,reader,gunzip} (run once; the
files are committed so the fuzzer starts from them; rerun after changing this script).

Seeds are small valid inputs of every shape and their malformed variants: invalid UTF-8, raw
control characters, bad escapes, missing braces, duplicate members, deep nesting, huge numbers."""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLE = (HERE.parent.parent / "examples" / "lambda-event.json").read_bytes()


def write(target, name, data):
    folder = HERE / target
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# --- transcoder: DynamoDB JSON items ----------------------------------------------------------
items = {
    "empty.json": "{}",
    "every-type.json": '{"s":{"S":"Zoë 🚀"},"n":{"N":"1234.50"},"b":{"B":"iVBORw0KGgo="},'
    '"t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true},"ss":{"SS":["prime","gift"]},'
    '"ns":{"NS":["10","2","-1.5"]},"bs":{"BS":["AQ==","AA=="]},'
    '"m":{"M":{"a":{"M":{"b":{"N":"-23.550520"}}}}},"l":{"L":[{"S":"x"},{"N":"1"},{"L":[]},{"M":{}}]}}',
    "spaces.json": '{ "pk" : { "S" : "a" } ,\n\t"n" : {"N" : " 1 "} }',
    "escapes.json": r'{"k\u00e9y":{"S":"\"\\\/\b\f\n\r\t\u0041\ud83d\ude80"},"ss":{"SS":["\u0062","a"]}}',
    "numbers.json": '{"a":{"N":"12345678901234567890123456789012345678"},"b":{"N":"1E+125"},'
    '"c":{"N":"-1E-130"},"d":{"N":"+.5"},"e":{"N":"0.000"},"f":{"NS":["1","1.0E0"]}}',
    "number-forms.json": '{"a":{"N":"1e5"},"b":{"N":"00012"},"c":{"N":"5."},"d":{"N":"-0"},"e":{"NS":["\\u0031","2"]}}',
    "huge-number.json": '{"n":{"N":"1' + "0" * 200 + '"}}',
    "too-precise.json": '{"n":{"N":"123456789012345678901234567890123456789"}}',
    "out-of-range.json": '{"n":{"N":"1E+126"},"m":{"N":"1E-131"}}',
    "duplicate-attribute.json": '{"a":{"S":"1"},"a":{"S":"2"}}',
    "duplicate-escaped.json": r'{"a":{"S":"1"},"\u0061":{"S":"2"}}',
    "duplicate-set-member.json": '{"ss":{"SS":["a","a"]},"ns":{"NS":["1","1.00"]}}',
    "empty-set.json": '{"ss":{"SS":[]}}',
    "two-tags.json": '{"a":{"S":"1","N":"1"}}',
    "unknown-tag.json": '{"a":{"X":"1"}}',
    "no-tag.json": '{"a":{}}',
    "null-false.json": '{"a":{"NULL":false}}',
    "bad-base64.json": '{"b":{"B":"QR=="},"c":{"B":"Q==="},"d":{"BS":["QQ","QQ=="]}}',
    "missing-brace.json": '{"a":{"S":"1"}',
    "trailing.json": '{"a":{"S":"1"}} x',
    "bad-escape.json": r'{"a":{"S":"\x"}}',
    "lone-surrogate.json": r'{"a":{"S":"\ud800"},"b":{"S":"\udc00x"}}',
    "deep-map.json": '{"a":' + '{"M":{"a":' * 70 + '{"S":"x"}' + "}}" * 70 + "}",
    "deep-list.json": '{"a":' + '{"L":[' * 66 + '{"N":"1"}' + "]}" * 66 + "}",
}
for name, text in items.items():
    write("transcoder", name, text)
write("transcoder", "invalid-utf8.json", b'{"a":{"S":"\xc3\x28"},"b":{"S":"\xed\xa0\x80"},"c":{"S":"\xf4\x90\x80\x80"}}')
write("transcoder", "raw-tab.json", b'{"a":{"S":"x\ty"}}')
write("transcoder", "overlong.json", b'{"a":{"S":"\xc0\xaf"}}')
# The example event's items, as the transcoder meets them.
for index, record in enumerate(json.loads(EXAMPLE)["Records"]):
    for image in ("Keys", "NewImage", "OldImage"):
        if image in record["dynamodb"]:
            write("transcoder", f"example-{index}-{image}.json", json.dumps(record["dynamodb"][image], ensure_ascii=False))

# --- reader: change-stream input in every shape --------------------------------------------------
INSERT = ('{"eventID":"e1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",'
          '"awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1767225600.123,'
          '"Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"a"},"sk":{"N":"1"},'
          '"tags":{"SS":["b","a"]},"blob":{"B":"AAEC"}},"SequenceNumber":"100000000000000000001",'
          '"SizeBytes":10,"StreamViewType":"NEW_AND_OLD_IMAGES"},'
          '"eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/t/stream/x"}')
MODIFY = ('{"eventID":"e2","eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1767225601,'
          '"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"},"updated_at":{"N":"5"}},'
          '"OldImage":{"pk":{"S":"a"},"price":{"N":"1"}},"SequenceNumber":"000100000000000000000002"}}')
REMOVE = ('{"eventID":"e3","eventName":"REMOVE","dynamodb":{"ApproximateCreationDateTime":1767225602,'
          '"Keys":{"pk":{"S":"a"}},"OldImage":{"pk":{"S":"a"},"note":{"S":"old"}},'
          '"SequenceNumber":"100000000000000000003"},'
          '"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}}')
KEYS_ONLY = ('{"eventID":"e4","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1767225603,'
             '"Keys":{"pk":{"S":"b"}},"SequenceNumber":"4","StreamViewType":"KEYS_ONLY"}}')
GOOD = [INSERT, MODIFY, REMOVE]
BAD = {
    "raw-tab": INSERT.replace('"S":"a"}', '"S":"a\tb"}', 1),
    "bad-escape": INSERT.replace('"S":"a"}', '"S":"\\q"}', 1),
    "missing-brace": INSERT[:-1],
    "duplicate-attribute": INSERT.replace('"pk":{"S":"a"},"sk"', '"pk":{"S":"a"},"pk":{"S":"b"},"sk"', 1),
    "duplicate-member": INSERT.replace('"eventName":"INSERT"', '"eventName":"INSERT","eventName":"REMOVE"', 1),
    "huge-number": INSERT.replace('"N":"1"}', '"N":"1' + "0" * 300 + '"}', 1),
    "no-sequence": INSERT.replace('"SequenceNumber":"100000000000000000001",', "", 1),
}


def lambda_event(records):
    return '{"Records":[' + ",".join(records) + "]}"


write("reader", "lambda-event.json", EXAMPLE)
write("reader", "lambda-event-compact.json", lambda_event(GOOD) + "\n")
write("reader", "getrecords-page.json", '{"Records":[' + ",".join(GOOD) + '],"NextShardIterator":"arn:x/iter"}')
write("reader", "getrecords-records-last.json", '{"NextShardIterator":"it","Records":[' + ",".join(GOOD) + "]}")
write("reader", "bare-array.json", "[" + ",\n".join(GOOD) + "]")
write("reader", "ndjson-records.jsonl", "\n".join(GOOD + [KEYS_ONLY]) + "\n")
write("reader", "ndjson-events.jsonl", "\n".join(lambda_event([r]) for r in GOOD) + "\n")
write("reader", "concatenated.json", lambda_event(GOOD[:1]) + "[" + GOOD[1] + "]" + GOOD[2])
write("reader", "bom-crlf.jsonl", b"\xef\xbb\xbf" + "\r\n".join(GOOD).encode() + b"\r\n")
write("reader", "empty-records.json", '{"Records":[]}\n[]\n{"a":1,"Records":[]}')
write("reader", "not-json.txt", "hello\n" + INSERT + "\n\x00\x01garbage\n")
write("reader", "unterminated-array.json", "[" + INSERT + ",")
write("reader", "deep-envelope.json", '{"Records":[' + INSERT[:-1] + ',"x":' + "[" * 140 + "]" * 140 + "}]}")
BAD_BYTES = {name: bad.encode() for name, bad in BAD.items()}
BAD_BYTES["invalid-utf8"] = INSERT.encode().replace(b'"S":"a"}', b'"S":"\xc3\x28"}', 1)
for name, raw in BAD_BYTES.items():
    # The issue's shapes: one bad record among good ones, in a one-line event and as NDJSON.
    event = b'{"Records":[' + b",".join([GOOD[0].encode(), raw, GOOD[1].encode(), GOOD[2].encode()]) + b"]}\n"
    write("reader", f"event-{name}.json", event)
    write("reader", f"ndjson-{name}.jsonl", b"\n".join([GOOD[0].encode(), raw, GOOD[2].encode()]) + b"\n")

# --- gunzip: plain bytes take the round-trip path (gzip seeds come from make-gzip-seeds.sh) ------
write("gunzip", "records.jsonl", "\n".join(GOOD) + "\n")
write("gunzip", "event.json", lambda_event(GOOD[:2]))
write("gunzip", "repetitive.txt", "abcabcabc" * 300)
write("gunzip", "binary.bin", bytes(range(256)))

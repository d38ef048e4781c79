#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into corpus/<target>/seed-*.

Run from this folder: python3 make_corpus.py. The seeds are committed; the corpus tests of
crates/calls run every file here through the same checks as the fuzz targets.
"""
import os
import struct


def chunk(cid, data):
    out = cid + struct.pack("<I", len(data)) + data
    return out + (b"\0" if len(data) % 2 else b"")


def wav(tag=1, channels=1, rate=8000, bits=16, extra=(), samples=160):
    block = channels * (bits // 8)
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + chunk(b"fmt ", fmt)
    for cid, data in extra:
        body += chunk(cid, data)
    body += chunk(b"data", b"\0" * samples)
    return b"RIFF" + struct.pack("<I", len(body)) + body


good = wav()
SEEDS = {
    "wav_header": {
        "good-8k-mono-pcm16": good,
        "good-with-list-and-odd-chunk": wav(extra=[(b"LIST", b"INFOISFT\x03\0\0ab\0"), (b"junk", b"x")]),
        "cd-44k-stereo": wav(channels=2, rate=44100),
        "float-32": wav(tag=3, bits=32),
        "mulaw-8bit": wav(tag=7, bits=8),
        "truncated-riff": good[:10],
        "truncated-fmt": good[:30],
        "truncated-data": good[:50],
        "huge-chunk-size": good[:16] + struct.pack("<I", 0xFFFFFFFF) + good[20:],
        "no-data": good[:36],
        "mp3-id3": b"ID3\x04\0\0\0\0\0\0" + b"\xff\xfb\x90\x00" * 8,
        "text": b"hello, this is not audio\n",
    },
    "forwarding_target": {
        "account": b"account:alice",
        "sip": b"sip:alice@example.com",
        "sips-port": b"sips:bob.smith@sip.example.org:5061",
        "sip-ipv6": b"sip:alice@[2001:db8::1]:5070",
        "sip-escaped": b"sip:a%20b@example.com",
        "ipv4-port": b"203.0.113.5:5060",
        "ipv6-port": b"[2001:db8::1]:5070",
        "ipv6-bare": b"2001:db8::1",
        "phone": b"+4930123456",
        "bad-port": b"sip:alice@example.com:70000",
        "bad-params": b"sip:alice@example.com;transport=tcp",
        "junk": b"mailto:alice@example.com",
        # Found by fuzzing: the numbering plan rewrote it to a text that did not parse.
        "regression-national-prefix": b"+490030-708",
    },
    "e164": {
        "de-berlin": b"+4930123456",
        "de-spaced": b"+49 30 1234-5678",
        "us": b"+1 212 555 0100",
        "ca": b"+1 416 555 0100",
        "kz": b"+77272501234",
        "gb": b"+44 20 7946 0958",
        "no-plus": b"4930123456",
        "too-long": b"+1234567890123456",
        "invalid-plan": b"+999123456789",
        "letters": b"+49abc",
        "regression-national-prefix": b"+490030-708",
    },
    "money": {
        "eur": b"12.50 EUR",
        "jpy": b"1000 JPY",
        "negative": b"-3.1 USD",
        "four-decimals": b"0.0125 EUR",
        "spaced": b"  7 EUR  ",
        "code-only": b"EUR",
        "lower-code": b"12 eur",
        "no-currency": b"12.50",
        "unknown-currency": b"1 XYZ",
        "exponent": b"1e3 EUR",
        "huge": b"79228162514264337593543950335 EUR",
    },
    "country": {
        "de": b"DE",
        "lower": b"at",
        "us": b"US",
        "three-letters": b"DEU",
        "unknown": b"ZZ",
        "spaced": b" DE ",
        "digits": b"49",
    },
    "iban": {
        "de": b"DE89370400440532013000",
        "de-grouped": b"DE89 3704 0044 0532 0130 00",
        "gb-lower": b"gb82west12345698765432",
        "mt-longest": b"MT84MALT011000012345MTLCAST001S",
        "no": b"NO9386011117947",
        "bad-check": b"DE89370400440532013001",
        "too-short": b"DE8937040044",
        "punctuation": b"DE89-3704-0044-0532-0130-00",
        "digits-first": b"8937040044053201300000",
    },
    "bic": {
        "eight": b"DEUTDEFF",
        "eleven": b"DEUTDEFF500",
        "lower": b"cobadeffxxx",
        "spaced": b" MARKDEF1100 ",
        "too-short": b"DEUTDE",
        "nine": b"DEUTDEFF5",
        "digit-bank": b"D3UTDEFF",
    },
    "city": {
        "berlin": b"Berlin",
        "spaced": b"  New York  ",
        "umlaut": b"M\xc3\xbcnchen",
        "blank": b"   ",
        "empty": b"",
        "tabs": b"\tAlmaty\n",
    },
    "holiday_calendar": {
        "germany": b"# Germany 2026\n2026-01-01 New Year's Day\n2026-12-25 Christmas Day\n",
        "bare-dates": b"2026-05-01\n2026-10-03\n",
        "blank-lines": b"\n\n  2026-04-03 Good Friday\n\n",
        "crlf": b"2026-01-01 New Year\r\n2026-12-26 Boxing Day\r\n",
        "bad-date": b"2026-02-30 No such day\n",
        "bad-line": b"2026-01-01\nChristmas\n",
        "empty": b"",
        "far-year": b"+12026-01-01 far away\n",
    },
    "sip_login": {
        "alice": b"alice",
        "dotted": b"bob.smith",
        "digits": b"100200",
        "upper": b"Alice",
        "too-short": b"ab",
        "too-long": b"a" * 33,
        "leading-dot": b".alice",
        "at-sign": b"alice@example.com",
    },
    "service": {
        "telegram": b"telegram",
        "upper": b"WhatsApp",
        "spaced": b"  Signal  ",
        "blank": b" \t ",
        "unicode": b"\xd0\xa2\xd0\xb5\xd0\xbb\xd0\xb5\xd0\xb3\xd1\x80\xd0\xb0\xd0\xbc",
        "dotted-i": b"\xc4\xb0stanbul",
    },
    "amount": {
        "text-cents": b"12.50",
        "text-negative": b"-3",
        "text-four-decimals": b"0.0125",
        "text-exponent": b"1e3",
        "body-eur": b'{"amount": "12.50", "currency": "EUR"}',
        "body-jpy": b'{"amount": "1000", "currency": "JPY"}',
        "body-too-many-decimals": b'{"amount": "1.005", "currency": "EUR"}',
        "body-number": b'{"amount": 12.5, "currency": "EUR"}',
        "body-unknown-currency": b'{"amount": "1", "currency": "XYZ"}',
        "body-past-the-bound": b'{"amount": "9999999999999999.99", "currency": "EUR"}',
    },
    "call_record": {
        "answered": b'{"number": 1, "direction": "inbound", "from": "+4930123456", "to": "+4915112345678", "start": "2026-03-02T09:00:00Z", "answer": "2026-03-02T09:00:05Z", "end": "2026-03-02T09:01:05Z", "disposition": "answered", "answered_by": "sip:alice@sip.vnum.example", "call_id": "a84b4c76e66710"}',
        "no-answer": b'{"number": 1, "direction": "inbound", "from": "anonymous", "to": "+4915112345678", "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T09:00:30Z", "disposition": "no_answer"}',
        "rejected": b'{"number": 2, "direction": "outbound", "from": "alice", "to": "+12125550100", "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T09:00:01Z", "disposition": "rejected", "sip_status": 486}',
        "rejected-without-status": b'{"number": 2, "direction": "outbound", "from": "alice", "to": "+12125550100", "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T09:00:01Z", "disposition": "rejected"}',
        "ends-before-start": b'{"number": 1, "direction": "inbound", "from": "x", "to": "y", "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T08:00:00Z", "disposition": "busy"}',
        "far-dates": b'{"number": -1, "direction": "inbound", "from": "", "to": "", "start": "-262143-01-01T00:00:00Z", "answer": "-262143-01-01T00:00:00Z", "end": "+262142-12-31T23:59:59Z", "disposition": "voicemail"}',
        "not-json": b"number=1",
    },
    "settings": {
        "empty": b"",
        "listen": b'listen = "0.0.0.0:8080"\n',
        "full": b'listen = "127.0.0.1:9000"\ndatabase_url = "sqlite://vnum.sqlite?mode=rwc"\nbilling_time_zone = "Europe/Berlin"\nsip_domain = "sip.example.com"\nrenewal_batch_size = 500\nmax_payment = "5000"\nseed_demo = false\nread_cache = true\n',
        "unknown-key": b'colour = "blue"\n',
        "bad-zone": b'billing_time_zone = "Mars/Olympus"\n',
        "bad-listen": b'listen = "localhost"\n',
        "bad-toml": b"listen = \n",
        # Found by fuzzing: the file took a largest payment the environment refuses.
        "regression-zero-max-payment": b'max_payment = "0000"\n',
    },
}

here = os.path.dirname(os.path.abspath(__file__))


def fixture(name):
    """A tone encoded by the reference encoders (adapters/audio/tests/fixtures)."""
    with open(os.path.join(here, "..", "adapters", "audio", "tests", "fixtures", name), "rb") as f:
        return f.read()


SEEDS["greeting_audio"] = {
    "tone-mp3": fixture("tone.mp3"),
    "tone-ogg": fixture("tone.ogg"),
    "tone-flac": fixture("tone.flac"),
    "truncated-mp3": fixture("tone.mp3")[:3000],
    "cd-44k-stereo": wav(channels=2, rate=44100),
    "float-32": wav(tag=3, bits=32),
    "text": b"hello, this is not audio\n",
}

for target, seeds in SEEDS.items():
    folder = os.path.join(here, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(folder, "seed-" + name), "wb") as f:
            f.write(data)

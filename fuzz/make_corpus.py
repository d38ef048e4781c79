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
}

here = os.path.dirname(os.path.abspath(__file__))
for target, seeds in SEEDS.items():
    folder = os.path.join(here, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(folder, "seed-" + name), "wb") as f:
            f.write(data)

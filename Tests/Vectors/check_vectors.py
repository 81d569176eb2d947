#!/usr/bin/env python3
"""Checks the committed format vectors with Python `cryptography` and `rfc8785` (what a police
force's or a centre's own implementation would do). Exit status 0 only if every vector holds.

  python3 Tests/Vectors/check_vectors.py
"""
import base64
import hashlib
import json
import os
import sys

import rfc8785
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)


def b64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load(name):
    with open(os.path.join(HERE, name)) as file:
        return json.load(file)


def main() -> int:
    failures = []
    for case in load("envelopes.json"):
        private = X25519PrivateKey.from_private_bytes(b64u(case["recipient_private_key"]))
        envelope = case["envelope"]
        plaintext = SUITE.decrypt(b64u(envelope["enc"]) + b64u(envelope["ct"]), private, case["info"].encode())
        if plaintext.decode() != case["plaintext"]:
            failures.append(f"envelope {case['report_id']}: plaintext differs")
        if hashlib.sha256(b64u(case["recipient_public_key"])).hexdigest()[:16] != envelope["key_id"]:
            failures.append(f"envelope {case['report_id']}: key_id rule")
        if hashlib.sha256(b64u(envelope["ct"])).hexdigest() != case["payload_sha256"]:
            failures.append(f"envelope {case['report_id']}: payload_sha256")
    for case in load("receipts.json"):
        if rfc8785.dumps(case["receipt"]).decode() != case["jcs"]:
            failures.append(f"receipt {case['receipt']['type']}: JCS")
        key = Ed25519PublicKey.from_public_bytes(b64u(case["signing_public_key"]))
        key.verify(b64u(case["signed_receipt"]["signature"]["sig"]), case["jcs"].encode())
    audit = load("audit.json")
    hashes = []
    for item in audit["entries"]:
        leaf = rfc8785.dumps(item["entry"])
        if leaf.decode() != item["leaf"] or hashlib.sha256(b"\x00" + leaf).hexdigest() != item["leaf_hash"]:
            failures.append(f"audit entry {item['entry']['index']}: leaf")
        hashes.append(bytes.fromhex(item["leaf_hash"]))
    # Three leaves: H(H(l0, l1), l2).
    root = hashlib.sha256(b"\x01" + hashlib.sha256(b"\x01" + hashes[0] + hashes[1]).digest() + hashes[2]).digest()
    if root.hex() != audit["root"]:
        failures.append("audit root")
    text, _, signature = audit["checkpoint"].rpartition("\n\n")
    text += "\n"
    if text != f"{audit['origin']}\n{len(hashes)}\n{base64.b64encode(root).decode()}\n":
        failures.append("checkpoint body")
    public = b64u(audit["signing_public_key"])
    blob = base64.b64decode(signature.strip().split(" ")[-1])
    if blob[:4] != hashlib.sha256(audit["origin"].encode() + b"\n\x01" + public).digest()[:4]:
        failures.append("checkpoint key hash")
    Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
    for failure in failures:
        print("FAILED", failure)
    print(f"vectors checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

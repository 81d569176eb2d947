#!/usr/bin/env python3
"""Generates the format test vectors in this folder with Python `cryptography` and `rfc8785` —
an implementation independent of the relay's Swift code. Run once; the JSON files are committed
and both the Swift tests and check_vectors.py check them. All keys here are test keys, derived
from fixed seeds, and protect nothing.

  python3 Tests/Vectors/generate_vectors.py
"""
import base64
import hashlib
import json
import os

import rfc8785
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seed(label: str) -> bytes:
    return hashlib.sha256(b"reportrelay test vector " + label.encode()).digest()


def x25519(label):
    private = X25519PrivateKey.from_private_bytes(seed(label))
    return private, private.public_key().public_bytes(*RAW)


def ed25519(label):
    private = Ed25519PrivateKey.from_private_bytes(seed(label))
    return private, private.public_key().public_bytes(*RAW)


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


def envelopes():
    cases = []
    for label, purpose, report_id, plaintext in [
        ("relay-envelope", "report", "0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b",
         {"schema": "reportrelay/report/v1", "incident": {"occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"],
          "types": ["verbal_abuse"], "narrative": "Shouted at on Mare Street."}, "consent": {"level": "anonymous"}}),
        ("intake-envelope", "delivery", "6f1c2a9e-1b7d-4c1e-9a51-3f0d2b8e7c44",
         {"schema": "reportrelay/police-view/v1", "report_id": "6f1c2a9e-1b7d-4c1e-9a51-3f0d2b8e7c44", "contact_via": "centre"}),
    ]:
        private, public = x25519(label)
        info = f"reportrelay/v1/{purpose}/{report_id}"
        text = rfc8785.dumps(plaintext)
        sealed = SUITE.encrypt(text, private.public_key(), info.encode())
        cases.append({
            "description": f"{purpose} envelope; opens with recipient_private_key and info",
            "recipient_private_key": b64u(private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                                 serialization.NoEncryption())),
            "recipient_public_key": b64u(public), "purpose": purpose, "report_id": report_id, "info": info,
            "plaintext": text.decode(),
            "envelope": {"suite": "X25519-SHA256-ChaCha20Poly1305", "key_id": key_id(public), "enc": b64u(sealed[:32]), "ct": b64u(sealed[32:])},
            "payload_sha256": hashlib.sha256(sealed[32:]).hexdigest(),
        })
    return cases


def receipts():
    private, public = ed25519("relay-signing")
    cases = []
    for receipt in [
        {"v": 1, "type": "accepted", "receipt_id": "11111111-2222-4333-8444-555555555555", "report_id": "0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b",
         "centre_id": "traveller-centre", "intake_id": "met-intake", "at": "2026-11-21T10:00:01Z",
         "payload_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "audit_index": 0},
        {"v": 1, "type": "delivered", "receipt_id": "66666666-7777-4888-9999-aaaaaaaaaaaa", "report_id": "0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b",
         "centre_id": "traveller-centre", "intake_id": "met-intake", "at": "2026-11-21T11:30:00Z",
         "payload_sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "police_reference": "CAD 1234/21 \"Ω\"",
         "audit_index": 1234},
    ]:
        jcs = rfc8785.dumps(receipt)
        signature = private.sign(jcs)
        cases.append({
            "description": f"{receipt['type']} receipt signed with the test key",
            "signing_private_key": b64u(seed("relay-signing")), "signing_public_key": b64u(public), "key_id": key_id(public),
            "receipt": receipt, "jcs": jcs.decode(),
            "signed_receipt": {"receipt": receipt, "signature": {"alg": "Ed25519", "key_id": key_id(public), "sig": b64u(signature)}},
        })
    return cases


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(leaves):
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def audit():
    entries = [
        {"index": 0, "at": "2026-11-21T10:00:01.000Z", "actor": "traveller-centre", "role": "centre", "action": "submission",
         "report_id": "0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b", "delivery_id": "6f1c2a9e-1b7d-4c1e-9a51-3f0d2b8e7c44",
         "details": {"status": "queued", "consent_level": "anonymous", "receipt_id": "11111111-2222-4333-8444-555555555555",
                     "redactions": [{"path": "/victim/name", "action": "removed"},
                                    {"path": "/incident/narrative", "action": "scrubbed", "counts": {"name": 2, "phone": 1}}]}},
        {"index": 1, "at": "2026-11-21T10:00:01.000Z", "actor": "traveller-centre", "role": "centre", "action": "consent",
         "report_id": "0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b", "details": {"from": None, "to": "anonymous", "share_demographics": False}},
        {"index": 2, "at": "2026-11-21T11:00:00.123Z", "actor": "met-intake", "role": "intake", "action": "lease",
         "report_id": "0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b", "delivery_id": "6f1c2a9e-1b7d-4c1e-9a51-3f0d2b8e7c44",
         "details": {"attempts": 1, "lease_expires_at": "2026-11-21T11:01:00.123Z"}},
    ]
    leaves = [rfc8785.dumps(entry) for entry in entries]
    private, public = ed25519("relay-signing")
    origin = "reportrelay.example/log"
    tree_root = root(leaves)
    body = f"{origin}\n{len(leaves)}\n{base64.b64encode(tree_root).decode()}\n"
    key_hash = hashlib.sha256(origin.encode() + b"\n\x01" + public).digest()[:4]
    note = body + "\n" + "\u2014 " + origin + " " + base64.b64encode(key_hash + private.sign(body.encode())).decode() + "\n"
    return {
        "description": "audit entries, their JCS leaves and hashes, the RFC 6962 root and a C2SP signed-note checkpoint",
        "entries": [{"entry": entry, "leaf": leaf.decode(), "leaf_hash": leaf_hash(leaf).hex()} for entry, leaf in zip(entries, leaves)],
        "root": tree_root.hex(), "origin": origin, "signing_public_key": b64u(public), "checkpoint": note,
    }


def main():
    for name, value in [("envelopes.json", envelopes()), ("receipts.json", receipts()), ("audit.json", audit())]:
        with open(os.path.join(HERE, name), "w") as file:
            json.dump(value, file, indent=2, ensure_ascii=False)
            file.write("\n")
        print("wrote", name)


if __name__ == "__main__":
    main()

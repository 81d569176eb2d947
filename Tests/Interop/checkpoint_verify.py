#!/usr/bin/env python3
"""Independent check of a ReportRelay checkpoint (FORMATS.md "Audit entry and tree").

  checkpoint_verify.py PUBLIC_KEY_B64URL ORIGIN < note

The note is a C2SP signed note: text, a blank line, then signature lines
"— NAME base64(keyhash[0:4] || ed25519 signature over the text)", where
keyhash = SHA-256(NAME || 0x0A || 0x01 || public key). The text is a C2SP tlog-checkpoint:
origin, tree size, base64 root hash. Prints "SIZE ROOT_HEX" and exits 0 only if the note is
signed by the key under ORIGIN and its origin line is ORIGIN.
"""
import base64
import hashlib
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def main() -> int:
    raw_key = base64.urlsafe_b64decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 4))
    origin = sys.argv[2]
    note = sys.stdin.buffer.read().decode("utf-8")
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    key_hash = hashlib.sha256(origin.encode() + b"\n\x01" + raw_key).digest()[:4]
    key = Ed25519PublicKey.from_public_bytes(raw_key)
    verified = False
    for line in signatures.splitlines():
        prefix = "\u2014 " + origin + " "
        if not line.startswith(prefix):
            continue
        blob = base64.b64decode(line[len(prefix):])
        if blob[:4] != key_hash:
            continue
        try:
            key.verify(blob[4:], text.encode("utf-8"))
            verified = True
        except InvalidSignature:
            pass
    lines = text.split("\n")
    if not verified or lines[0] != origin:
        print("invalid")
        return 1
    print(lines[1], base64.b64decode(lines[2]).hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())

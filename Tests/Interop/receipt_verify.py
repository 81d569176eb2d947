#!/usr/bin/env python3
"""Independent check of a ReportRelay signed receipt (FORMATS.md "Signed receipt").

  receipt_verify.py PUBLIC_KEY_B64URL < signed_receipt.json

Prints the RFC 8785 (JCS) canonical bytes of the `receipt` object as computed by the `rfc8785`
package (hex) on the first line, and `valid` or `invalid` for the Ed25519 signature on the second.
Exit status 0 only when the signature verifies.
"""
import base64
import json
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main() -> int:
    signed = json.loads(sys.stdin.buffer.read())
    canonical = rfc8785.dumps(signed["receipt"])
    print(canonical.hex())
    if signed["signature"]["alg"] != "Ed25519":
        print("invalid")
        return 1
    key = Ed25519PublicKey.from_public_bytes(b64d(sys.argv[1]))
    try:
        key.verify(b64d(signed["signature"]["sig"]), canonical)
    except InvalidSignature:
        print("invalid")
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())

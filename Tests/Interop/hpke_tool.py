#!/usr/bin/env python3
"""Independent HPKE peer for the interop tests (Python `cryptography`, RFC 9180).

  hpke_tool.py seal PUBLIC_KEY_B64URL INFO   < plaintext  -> {"enc": ..., "ct": ...}
  hpke_tool.py open PRIVATE_KEY_B64URL INFO ENC CT         -> plaintext on stdout

Suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305, base mode, empty aad.
cryptography's single-shot API returns enc || ct; the X25519 enc is 32 bytes.
"""
import base64
import json
import sys

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
ENC_LEN = 32


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> int:
    command = sys.argv[1]
    if command == "seal":
        public_key = X25519PublicKey.from_public_bytes(b64d(sys.argv[2]))
        sealed = SUITE.encrypt(sys.stdin.buffer.read(), public_key, sys.argv[3].encode())
        print(json.dumps({"enc": b64e(sealed[:ENC_LEN]), "ct": b64e(sealed[ENC_LEN:])}))
        return 0
    if command == "open":
        private_key = X25519PrivateKey.from_private_bytes(b64d(sys.argv[2]))
        plaintext = SUITE.decrypt(b64d(sys.argv[4]) + b64d(sys.argv[5]), private_key, sys.argv[3].encode())
        sys.stdout.buffer.write(plaintext)
        return 0
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

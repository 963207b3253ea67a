"""The workspace's Ed25519 signing key, which signs tree heads.

The private key is a PKCS#8 PEM file, `.whopushed/ledger-key.pem`, readable by its owner
only (0600), created once and never replaced: replacing it would orphan every head it
signed. The public key is published with the heads as base64 of its 32 raw bytes; its id
is the SHA-256 of those bytes, in hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "ledger-key.pem"


class SigningKeyError(Exception):
    """The signing key is missing, unreadable or not an Ed25519 key."""


def key_id(public_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()


class Signer:
    def __init__(self, private: Ed25519PrivateKey):
        self._private = private
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key = base64.b64encode(raw).decode()
        self.key_id = key_id(self.public_key)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._private.sign(message)).decode()


def create_key(state_dir: Path) -> bool:
    """Create the key in `state_dir` unless one is there; True when it was created."""
    path = Path(state_dir) / KEY_FILE
    if path.exists():
        return False
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        # O_EXCL: two processes initialising at once cannot both write a key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    return True


def load_signer(state_dir: Path) -> Signer:
    path = Path(state_dir) / KEY_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(f"no signing key at {path}; run 'whopushed init' in the workspace to create one") from None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise SigningKeyError(f"{path} is readable by others; restrict it with 'chmod 600 {path}'")
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path}: not a readable private key ({exc})") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: not an Ed25519 key")
    return Signer(private)


def check_signature(public_b64: str, message: bytes, signature_b64: str) -> str | None:
    """None when `signature_b64` is a valid signature of `message`; else why not."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, binascii.Error, TypeError) as exc:
        return f"malformed key or signature ({exc})"
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return "the signature does not match"
    return None

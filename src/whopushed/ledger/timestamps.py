"""Trusted timestamps (RFC 3161) for signed tree heads.

A head's signature says who signed it, not when: a timestamp authority (TSA) signs the
time together with a hash of the head, so anyone can show that the head, and through
consistency proofs every entry under it, existed by then.

The hash a TSA is asked to sign (the *message imprint*) is SHA-256 of the bytes the
head's own signature covers (`TreeHead.message()`: format, size, root, signed_at, key).

Each head is signed `queued` (`log.sign_head`); nothing waits for a TSA. `whopushed ledger
timestamp --tsa URL` sends one TimeStampReq per queued head (newest first), outside any
write transaction, and records the outcome in the head's row:

    none     signed before timestamps were requested (older workspaces)
    queued   waiting; a TSA that cannot be reached leaves it so, to be tried again
    stamped  timestamp_token holds the TSA's TimeStampResp (DER), checked on arrival
    failed   the TSA refused, or answered with something that does not check out
             (`--retry-failed` queues it again)

A token is checked against the head (the imprint, SHA-256), the request's nonce on
arrival and, when the TSA's root certificates are given (`.whopushed/tsa-roots.pem` or
`--tsa-roots`), its signature and certificate chain at the time it names. Without roots
only the imprint can be checked, and `verify` says so.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..store import tables as t
from . import log

STATES = ("none", "queued", "stamped", "failed")
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
ROOTS_FILE = "tsa-roots.pem"
MAX_REPLY = 1 << 20
SHA256_OID = "2.16.840.1.101.3.4.2.1"
_TRANSIENT = {408, 429, 500, 502, 503, 504}


class TimestampError(Exception):
    """A timestamp token or a TSA's answer does not hold."""


class TsaUnreachable(Exception):
    """The TSA could not be reached (or is busy): try again later."""


def imprint(head: log.TreeHead) -> bytes:
    """The SHA-256 a TSA signs for this head."""
    return hashlib.sha256(head.message()).digest()


def build_request(head: log.TreeHead):
    """A TimeStampReq (rfc3161-client) for the head: SHA-256 imprint, a fresh nonce, and
    the TSA's certificate asked for."""
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    return (TimestampRequestBuilder().data(head.message()).hash_algorithm(HashAlgorithm.SHA256)
            .nonce(nonce=True).cert_request(cert_request=True).build())


def load_roots(path: Path) -> list:
    """The TSA root certificates in a PEM file."""
    from cryptography import x509

    try:
        certs = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise TimestampError(f"{path}: cannot read TSA root certificates ({exc})") from None
    if not certs:
        raise TimestampError(f"{path}: no certificate in it")
    return certs


@dataclass(frozen=True)
class Stamp:
    gen_time: str  # UTC, as the TSA states it
    serial: str  # the token's serial number, hex
    tsa: str | None  # the signing certificate's subject
    anchored: bool  # signature and chain checked against given roots

    def to_json(self) -> dict[str, Any]:
        return {"gen_time": self.gen_time, "serial": self.serial, "tsa": self.tsa, "anchored": self.anchored}


def check_token(token: bytes, head: log.TreeHead, roots: list | None = None, nonce: int | None = None) -> Stamp:
    """Check a TimeStampResp against `head`; TimestampError saying why it does not hold."""
    from cryptography import x509
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    try:
        resp = decode_timestamp_response(bytes(token))
        status = resp.status
    except Exception as exc:  # the parser's errors are not one class
        raise TimestampError(f"not an RFC 3161 timestamp response ({exc})") from None
    if status not in (0, 1):
        said = "; ".join(resp.status_string or [])
        raise TimestampError(f"the TSA did not grant it (status {status}{': ' + said if said else ''})")
    try:
        info = resp.tst_info
        message = info.message_imprint
        algorithm, hashed = message.hash_algorithm.dotted_string, message.message
        gen_time, serial = info.gen_time, info.serial_number
    except Exception as exc:
        raise TimestampError(f"the token's TSTInfo does not parse ({exc})") from None
    try:
        token_nonce = info.nonce
    except Exception:  # no nonce in it
        token_nonce = None
    if algorithm != SHA256_OID:
        raise TimestampError(f"the token's imprint uses hash algorithm {algorithm}, not SHA-256")
    want = imprint(head)
    if hashed != want:
        raise TimestampError(f"the token is for another hash ({bytes(hashed).hex()[:16]}…), not for this head's "
                             f"({want.hex()[:16]}…)")
    if nonce is not None and token_nonce != nonce:
        raise TimestampError("the token's nonce is not the request's: it answers another request")
    tsa = None
    try:
        signer = next(iter(resp.signed_data.signer_infos))
        for der in resp.signed_data.certificates:
            cert = x509.load_der_x509_certificate(der)
            if cert.issuer == signer.issuer and cert.serial_number == signer.serial_number:
                tsa = cert.subject.rfc4514_string()
    except Exception:
        pass  # the name is a convenience; the checks below decide
    if roots:
        builder = VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        try:
            builder.build().verify(resp, want)
        except VerificationError as exc:
            raise TimestampError(f"the TSA's signature does not verify against the given roots ({exc})") from None
    return Stamp(gen_time.isoformat().replace("+00:00", "Z"), format(serial, "x"), tsa, bool(roots))


def send(tsa_url: str, request: bytes, timeout: float = 10.0) -> bytes:
    """POST a TimeStampReq to a TSA; its TimeStampResp. TsaUnreachable when it cannot be
    reached or is busy; TimestampError when it answers with an error."""
    parts = urlsplit(tsa_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TimestampError(f"--tsa wants an http(s) URL, not {tsa_url!r}")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    try:
        conn = cls(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=request,
                         headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE})
            resp = conn.getresponse()
            body = resp.read(MAX_REPLY + 1)
        finally:
            conn.close()
    except (OSError, socket.timeout, ssl.SSLError, http.client.HTTPException) as exc:
        raise TsaUnreachable(f"{tsa_url}: {getattr(exc, 'strerror', None) or exc}") from None
    if resp.status in _TRANSIENT:
        raise TsaUnreachable(f"{tsa_url}: HTTP {resp.status} {resp.reason}")
    if resp.status != 200:
        raise TimestampError(f"{tsa_url} answered HTTP {resp.status} {resp.reason}")
    if len(body) > MAX_REPLY:
        raise TimestampError(f"{tsa_url} answered with more than {MAX_REPLY} bytes")
    return body


def pending(conn: sa.Connection, retry_failed: bool = False) -> list[log.TreeHead]:
    """Heads waiting for a timestamp, newest first."""
    h = t.tree_heads
    states = ("queued", "failed") if retry_failed else ("queued",)
    rows = conn.execute(sa.select(h).where(h.c.timestamp_status.in_(states)).order_by(h.c.size.desc()))
    return [log.TreeHead(r.size, r.root, r.signed_at, r.key_id, r.public_key, r.signature) for r in rows]


def _record(engine: sa.Engine, size: int, status: str, token: bytes | None) -> None:
    with log.write_transaction(engine) as conn:
        h = t.tree_heads
        conn.execute(h.update().where(h.c.size == size, h.c.timestamp_status.in_(("queued", "failed")))
                     .values(timestamp_status=status, timestamp_token=token))


@dataclass(frozen=True)
class Outcome:
    size: int
    status: str  # queued, stamped, failed
    message: str
    stamp: Stamp | None = None

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "status": self.status, "message": self.message,
                "stamp": self.stamp.to_json() if self.stamp else None}


def stamp_pending(engine: sa.Engine, tsa_url: str, *, roots: list | None = None, timeout: float = 10.0,
                  limit: int | None = None, retry_failed: bool = False, sender=send) -> list[Outcome]:
    """Ask the TSA for a timestamp of each pending head, newest first. When the TSA cannot
    be reached, stop: that head and the rest stay queued."""
    with engine.connect() as conn:
        heads = pending(conn, retry_failed)
    outcomes: list[Outcome] = []
    for i, head in enumerate(heads[:limit] if limit else heads):
        request = build_request(head)
        try:
            token = sender(tsa_url, request.as_bytes(), timeout)
            stamp = check_token(token, head, roots, nonce=request.nonce)
        except TsaUnreachable as exc:
            left = len(heads) - i
            if retry_failed:
                for h in heads[i:]:
                    _record(engine, h.size, "queued", None)
            outcomes.append(Outcome(head.size, "queued", f"the TSA cannot be reached ({exc}); {left} head(s) "
                                                         "stay queued"))
            break
        except TimestampError as exc:
            _record(engine, head.size, "failed", None)
            outcomes.append(Outcome(head.size, "failed", str(exc)))
            continue
        _record(engine, head.size, "stamped", token)
        outcomes.append(Outcome(head.size, "stamped", f"stamped at {stamp.gen_time} by {stamp.tsa or 'the TSA'}",
                                stamp))
    return outcomes

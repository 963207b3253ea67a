"""Fetching a URL for a capture: GET it and record every byte exchanged, redirects included.

Each hop is checked by the address guard (`urlguard.py`) and connects to the address the
guard checked. What is sent and received is kept as it went over the wire (the request,
the status line, the headers and the body in its transfer coding), for the WARC; the
body is also kept decoded of its transfer coding, for hashing and text. For https the
peer's certificate is kept (DER, PEM, SHA-256 fingerprint) with the TLS version and cipher.

Limits: at most `max_redirects` redirects, `max_bytes` received per hop, and `timeout`
seconds for the whole fetch (a watchdog closes the connection when time is up, so a
server that trickles bytes cannot hold us). Any refusal or failure raises FetchError (or
GuardError) naming the URL and the reason; nothing is returned half-done.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

from .. import __version__
from .urlguard import Guard, GuardError, Target

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
USER_AGENT = f"whopushed/{__version__} (evidence capture)"
_CHUNK = 1 << 16


class FetchError(Exception):
    """A fetch failed or was cut off; nothing from it is kept."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"cannot capture {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass
class Hop:
    """One request and its response."""

    url: str
    ip: str
    port: int
    started_at: datetime
    request: bytes  # as sent
    response: bytes  # as received: status line, headers, body in its transfer coding
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    body: bytes  # without transfer coding (content coding, if any, kept)
    tls: dict[str, Any] | None = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def media_type(self) -> str | None:
        value = (self.header("Content-Type") or "").split(";", 1)[0].strip().lower()
        return value or None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "ip": self.ip, "port": self.port,
                "started_at": self.started_at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "http_version": self.http_version, "status": self.status, "reason": self.reason,
                "headers": [[k, v] for k, v in self.headers],
                "request_sha256": hashlib.sha256(self.request).hexdigest(),
                "response_sha256": hashlib.sha256(self.response).hexdigest(),
                "body_sha256": hashlib.sha256(self.body).hexdigest(), "body_size": len(self.body),
                "tls": self.tls}


@dataclass
class Fetched:
    url: str  # as asked for (normalised)
    hops: list[Hop] = field(default_factory=list)

    @property
    def final(self) -> Hop:
        return self.hops[-1]


class _Recorder:
    """A file over the socket that keeps a copy of every byte http.client reads."""

    def __init__(self, raw, limit: int, url: str):
        self._raw = raw
        self.data = bytearray()
        self._limit = limit
        self._url = url

    def _keep(self, chunk) -> None:
        self.data += chunk
        if len(self.data) > self._limit:
            raise FetchError(self._url, f"the response is larger than the limit of {self._limit} bytes "
                                        "(--max-bytes)")

    def read(self, n: int = -1) -> bytes:
        chunk = self._raw.read(n)
        self._keep(chunk)
        return chunk

    def read1(self, n: int = -1) -> bytes:
        chunk = self._raw.read1(n)
        self._keep(chunk)
        return chunk

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        if n:
            self._keep(memoryview(buffer)[:n])
        return n

    def readline(self, limit: int = -1) -> bytes:
        line = self._raw.readline(limit)
        self._keep(line)
        return line

    def close(self) -> None:
        self._raw.close()

    def flush(self) -> None:
        pass


class _Socket:
    """Hands http.client the recording file instead of the socket's own."""

    def __init__(self, sock: socket.socket, recorder_factory):
        self._sock = sock
        self._factory = recorder_factory
        self.recorder: _Recorder | None = None

    def makefile(self, mode: str, *args, **kwargs):
        self.recorder = self._factory(self._sock.makefile("rb"))
        return self.recorder


def _tls_info(sock: ssl.SSLSocket) -> dict[str, Any]:
    der = sock.getpeercert(binary_form=True) or b""
    info: dict[str, Any] = {"version": sock.version(), "cipher": (sock.cipher() or (None,))[0],
                            "certificate_sha256": hashlib.sha256(der).hexdigest() if der else None,
                            "certificate_pem": ssl.DER_cert_to_PEM_cert(der) if der else None}
    if der:
        from cryptography import x509

        try:
            cert = x509.load_der_x509_certificate(der)
            info.update(subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
                        serial_number=format(cert.serial_number, "x"),
                        not_before=cert.not_valid_before_utc.isoformat().replace("+00:00", "Z"),
                        not_after=cert.not_valid_after_utc.isoformat().replace("+00:00", "Z"))
        except ValueError:
            pass  # the PEM and fingerprint are kept; the details are a convenience
    return info


def _request(target: Target) -> bytes:
    lines = [f"GET {target.path} HTTP/1.1", f"Host: {target.host_header}", f"User-Agent: {USER_AGENT}",
             "Accept: */*", "Accept-Encoding: identity", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _connect(target: Target, remaining: float) -> tuple[socket.socket, str]:
    problems = []
    for ip in target.addresses:
        try:
            return socket.create_connection((ip, target.port), timeout=max(remaining, 0.01)), ip
        except OSError as exc:
            problems.append(f"{ip}: {exc.strerror or exc}")
    raise OSError("; ".join(problems))


def _hop(target: Target, *, deadline: float, max_bytes: int, ssl_context: ssl.SSLContext | None) -> Hop:
    started = datetime.now(timezone.utc)
    sock, ip = _connect(target, deadline - time.monotonic())
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0.01), _shut, (sock,))
    watchdog.daemon = True
    watchdog.start()
    try:
        tls = None
        if target.scheme == "https":
            context = ssl_context or ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=target.host)
            tls = _tls_info(sock)
        request = _request(target)
        sock.sendall(request)
        wrapper = _Socket(sock, lambda raw: _Recorder(raw, max_bytes, target.url))
        response = http.client.HTTPResponse(wrapper, method="GET")  # type: ignore[arg-type]
        response.begin()
        length = response.getheader("Content-Length")
        if length and length.strip().isdigit() and int(length) > max_bytes:
            raise FetchError(target.url, f"the response announces {int(length)} bytes, more than the limit "
                                         f"of {max_bytes} (--max-bytes)")
        body = bytearray()
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            body += chunk
        if time.monotonic() > deadline:
            raise TimeoutError
        assert wrapper.recorder is not None
        version = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1"}.get(response.version, "HTTP/1.1")
        return Hop(target.url, ip, target.port, started, request, bytes(wrapper.recorder.data), response.status,
                   response.reason, version, list(response.getheaders()), bytes(body), tls)
    finally:
        watchdog.cancel()
        try:
            sock.close()
        except OSError:
            pass


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def fetch(url: str, *, guard: Guard | None = None, max_bytes: int = 50_000_000, timeout: float = 30.0,
          max_redirects: int = MAX_REDIRECTS, ssl_context: ssl.SSLContext | None = None) -> Fetched:
    """GET `url`, following at most `max_redirects` redirects, every hop checked by `guard`."""
    guard = guard or Guard()
    deadline = time.monotonic() + timeout
    target = guard.check(url)
    fetched = Fetched(target.url)
    while True:
        try:
            hop = _hop(target, deadline=deadline, max_bytes=max_bytes, ssl_context=ssl_context)
        except FetchError:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise FetchError(target.url, f"its TLS certificate does not verify ({exc.verify_message or exc})") from None
        except (TimeoutError, socket.timeout):
            raise FetchError(target.url, f"no complete answer within {timeout:g} s (--timeout)") from None
        except (http.client.HTTPException, ValueError) as exc:
            if time.monotonic() > deadline:
                raise FetchError(target.url, f"no complete answer within {timeout:g} s (--timeout)") from None
            raise FetchError(target.url, f"not a valid HTTP response ({type(exc).__name__}: {exc})") from None
        except OSError as exc:
            if time.monotonic() > deadline:
                raise FetchError(target.url, f"no complete answer within {timeout:g} s (--timeout)") from None
            raise FetchError(target.url, f"cannot connect or read ({exc.strerror or exc})") from None
        fetched.hops.append(hop)
        location = hop.header("Location")
        if hop.status not in REDIRECTS or not location:
            return fetched
        if len(fetched.hops) > max_redirects:
            raise FetchError(fetched.url, f"more than {max_redirects} redirects")
        nxt = urljoin(hop.url, location.strip())
        try:
            target = guard.check(nxt)
        except GuardError as exc:
            raise GuardError(fetched.url, f"redirect {len(fetched.hops)} to {exc.url}: {exc.reason}") from None

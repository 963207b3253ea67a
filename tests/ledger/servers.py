"""Local servers for the URL-capture and timestamp tests, on 127.0.0.1 only, and a fixture
that fails any test trying to reach another address or to ask a DNS server."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import socket
import ssl
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

PAGE_TITLE = "Пуски с территории Беларуси"
PAGE_TEXT = ("Ракеты были запущены с территории Беларуси около 05:00 по местному времени. "
             "Мониторинговая группа зафиксировала пуски из района Мозыря и Калинковичей.")
PAGE = (f"<!doctype html><html><head><meta charset='utf-8'><title>{PAGE_TITLE}</title>"
        "<script>track()</script></head><body><nav>Главная | Новости</nav>"
        f"<article><h1>{PAGE_TITLE}</h1><p>{PAGE_TEXT}</p><p>{PAGE_TEXT}</p></article>"
        "<footer>© монитор</footer></body></html>").encode("utf-8")


@pytest.fixture
def local_network_only(monkeypatch):
    """Connections only to 127.0.0.1 or ::1, and names resolved only from the hosts file:
    a test that would reach anything else fails instead."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(address[0]).is_loopback:
            raise AssertionError(f"a test tried to connect to {address}")
        return real_connect(self, address)

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host != "localhost":
            flags |= socket.AI_NUMERICHOST  # never a DNS query
        return real_getaddrinfo(host, port, family, type, proto, flags)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stop: threading.Event

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Transfer-Encoding" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        path = url.path
        if path == "/page":
            self._send(200, PAGE, {"Content-Type": "text/html; charset=utf-8", "X-Evidence": "kept"})
        elif path == "/redirect":
            self._send(302, b"", {"Location": "/page"})
        elif path.startswith("/hops/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", {"Location": f"/hops/{n - 1}"}) if n > 0 else self.do_page()
        elif path == "/to":
            self._send(302, b"", {"Location": q["u"][0]})
        elif path == "/big":
            self._send(200, b"x" * int(q.get("n", ["5000"])[0]), {"Content-Type": "text/plain"})
        elif path in ("/stream", "/chunked"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            parts = [b"x" * 1000] * 50 if path == "/stream" else [PAGE[:100], PAGE[100:]]
            for part in parts:
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            self.stop.wait(10)
        else:
            self._send(404, b"not here", {"Content-Type": "text/plain"})

    def do_page(self):
        self._send(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler] = Handler, tls: ssl.SSLContext | None = None):
    """A server on 127.0.0.1 in a thread; yields its base URL."""
    stop = threading.Event()
    cls = type("BoundHandler", (handler,), {"stop": stop})
    server = _Server(("127.0.0.1", 0), cls)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_tls() -> tuple[ssl.SSLContext, ssl.SSLContext, bytes]:
    """A server context with a fresh certificate for 127.0.0.1, a client context trusting
    only it, and the certificate (DER)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "whopushed test server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:  # the ssl module loads keys from files only
        cert_path, key_path = Path(tmp) / "c.pem", Path(tmp) / "k.pem"
        cert_path.write_bytes(pem)
        key_path.write_bytes(key_pem)
        server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cadata=pem.decode())
    return server, client, cert.public_bytes(serialization.Encoding.DER)


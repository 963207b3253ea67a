"""Capturing URLs: the WACZ passes py-wacz's own validator, every hop is in its WARC, the
headers and TLS certificate are kept, and the address guard refuses loopback, private,
link-local and other non-public targets at every hop, redirects included, storing
nothing. Only 127.0.0.1 is ever contacted (the `local_network_only` fixture enforces it)."""

from __future__ import annotations

import hashlib
import io
import ipaddress
import json
import subprocess
import sys
import zipfile

import pytest
import sqlalchemy as sa
from warcio.archiveiterator import ArchiveIterator

from whopushed.ledger.fetch import FetchError
from whopushed.ledger.urlguard import Guard, GuardError, refusal
from whopushed.ledger.verify import verify
from whopushed.ledger.webcapture import capture_url
from whopushed.store import tables as t

from .servers import PAGE, PAGE_TEXT, PAGE_TITLE, closed_port, local_network_only, self_signed_tls, serve  # noqa: F401

pytestmark = pytest.mark.usefixtures("local_network_only")


def assert_valid_wacz(path) -> None:
    """The independent validator, as a user runs it: `wacz validate -f PATH`."""
    done = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Validation succeeded" in done.stdout, done.stdout + done.stderr


def _warc_records(wacz_path) -> list:
    with zipfile.ZipFile(wacz_path) as z:
        data = z.read("archive/data.warc.gz")
    records = []
    for rec in ArchiveIterator(io.BytesIO(data)):
        records.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"),
                        rec.http_headers.get_statuscode() if rec.http_headers else None,
                        rec.content_stream().read()))
    return records


def _nothing_stored(bench) -> bool:
    with bench.engine.connect() as conn:
        entries = conn.execute(sa.select(sa.func.count()).select_from(t.ledger_entries)).scalar_one()
        captures = conn.execute(sa.select(sa.func.count()).select_from(t.captures)).scalar_one()
    return entries == 0 and captures == 0 and list(bench.blobs.iterate()) == []


def _capture(bench, url, **kw):
    return capture_url(bench.engine, bench.blobs, url, source=None, actor="tester", signer=bench.signer, **kw)


def _capture_record(bench, cap_id):
    with bench.engine.connect() as conn:
        return conn.execute(sa.select(t.captures.c.data).where(t.captures.c.id == cap_id)).scalar_one()


# the guard, address by address


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "private"), ("100.64.0.1", "not a public"), ("192.0.2.7", "private"),
    ("::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1, which is a loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped 10.0.0.1, which is a private"),
    ("::ffff:169.254.169.254", "IPv4-mapped 169.254.169.254, which is a link-local"),
    ("2002:a00:1::1", "6to4 10.0.0.1"), ("64:ff9b::a9fe:a9fe", "NAT64 169.254.169.254"),
])
def test_the_guard_names_why_each_non_public_address_is_refused(address, kind):
    why = refusal(ipaddress.ip_address(address))
    assert why is not None and kind in why


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_the_guard_lets_public_addresses_through(address):
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f.0.0.1/",
                                 "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0/", "http://10.0.0.1/",
                                 "http://169.254.169.254/latest/meta-data/", "https://[fe80::1%25eth0]/"])
def test_the_guard_refuses_every_spelling_of_a_non_public_address(url):
    with pytest.raises(GuardError) as exc:
        Guard().check(url)
    assert "--allow-private" in str(exc.value)


def test_a_name_that_resolves_to_any_private_address_is_refused():
    names = {"evil.test": ["93.184.216.34", "10.0.0.5"], "fine.test": ["93.184.216.34"]}
    guard = Guard(resolver=lambda host, port: names[host])
    with pytest.raises(GuardError, match="evil.test resolves to 10.0.0.5; 10.0.0.5 is a private address"):
        guard.check("http://evil.test/x")
    assert guard.check("http://FINE.test").url == "http://fine.test/"
    assert guard.check("http://fine.test/a b?q=1#frag").path == "/a%20b?q=1"


@pytest.mark.parametrize("url, reason", [("ftp://example.org/f", "only http and https"),
                                         ("file:///etc/passwd", "only http and https"),
                                         ("http://user:pw@example.org/", "user name or password"),
                                         ("http:///nohost", "no host"), ("http://example.org:99999/", "not a valid URL")])
def test_urls_that_are_not_plain_http_are_refused(url, reason):
    with pytest.raises(GuardError, match=reason):
        Guard().check(url)


# capturing


def test_a_url_capture_keeps_a_valid_wacz_its_warc_the_headers_and_the_page_text(sqlite_bench):
    bench = sqlite_bench
    with serve() as base:
        result = _capture(bench, f"{base}/page", guard=Guard(allow_private=True))
    wacz = bench.blobs.path(result.sha256)
    assert result.media_type == "application/wacz" and result.size == wacz.stat().st_size
    assert_valid_wacz(wacz)
    records = _warc_records(wacz)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]  # warcio writes a pair response first
    assert records[1][1] == f"{base}/page" and records[1][2] == "200" and records[1][3] == PAGE
    assert records[2][3] == b"" and records[2][1] == f"{base}/page"
    cap = _capture_record(bench, result.id)
    assert cap["url"] == f"{base}/page" and cap["title"] == PAGE_TITLE and cap["http_status"] == 200
    assert cap["page_media_type"] == "text/html" and "warcio 1.8.1" in cap["method"] and "py-wacz 0.6.0" in cap["method"]
    assert cap["collected_at"].endswith("Z") and cap["tls_certificate_sha256"] is None
    fetch_record = json.loads(bench.blobs.path(cap["fetch_record_sha256"]).read_bytes())
    hop = fetch_record["hops"][0]
    assert ["X-Evidence", "kept"] in hop["headers"] and hop["ip"] == "127.0.0.1"
    assert hop["body_sha256"] == hashlib.sha256(PAGE).hexdigest()
    text_sha = result.derived[1]
    assert PAGE_TEXT in bench.blobs.path(text_sha).read_text()
    assert "track()" not in bench.blobs.path(text_sha).read_text()
    with bench.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(t.ledger_entries).order_by(t.ledger_entries.c.seq))]
    assert actions == ["source.add", "capture", "derive", "derive"]
    assert verify(bench.engine, bench.blobs, bench.signer.public_key).ok


def test_redirects_are_followed_and_every_hop_is_in_the_warc(sqlite_bench):
    with serve() as base:
        result = _capture(sqlite_bench, f"{base}/hops/5", guard=Guard(allow_private=True))
    records = _warc_records(sqlite_bench.blobs.path(result.sha256))
    responses = [(uri, status) for kind, uri, status, _ in records if kind == "response"]
    assert responses == [(f"{base}/hops/{n}", "302") for n in range(5, 0, -1)] + [(f"{base}/hops/0", "200")]
    cap = _capture_record(sqlite_bench, result.id)
    assert cap["url"] == f"{base}/hops/5" and cap["final_url"] == f"{base}/hops/0"
    assert_valid_wacz(sqlite_bench.blobs.path(result.sha256))


def test_a_chunked_response_is_kept_as_sent_and_packaged_as_a_valid_wacz(sqlite_bench):
    with serve() as base:
        result = _capture(sqlite_bench, f"{base}/chunked", guard=Guard(allow_private=True))
    wacz = sqlite_bench.blobs.path(result.sha256)
    assert_valid_wacz(wacz)
    response = next(r for r in _warc_records(wacz) if r[0] == "response")
    assert response[3] == PAGE  # warcio reads the chunks back into the page


def test_an_https_capture_keeps_the_servers_certificate_and_its_sha256(sqlite_bench):
    server_tls, client_tls, cert_der = self_signed_tls()
    with serve(tls=server_tls) as base:
        result = _capture(sqlite_bench, f"{base}/page", guard=Guard(allow_private=True), ssl_context=client_tls)
    cap = _capture_record(sqlite_bench, result.id)
    assert cap["tls_certificate_sha256"] == hashlib.sha256(cert_der).hexdigest()
    tls = json.loads(sqlite_bench.blobs.path(cap["fetch_record_sha256"]).read_bytes())["hops"][0]["tls"]
    assert tls["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----") and tls["version"].startswith("TLS")
    assert "whopushed test server" in tls["subject"]
    wacz = sqlite_bench.blobs.path(result.sha256)
    meta = [r for r in _warc_records(wacz) if r[0] == "metadata"]
    assert json.loads(meta[0][3])["tls"]["certificate_sha256"] == cap["tls_certificate_sha256"]
    assert_valid_wacz(wacz)


def test_an_https_certificate_that_does_not_verify_is_refused(sqlite_bench):
    server_tls, _, _ = self_signed_tls()
    with serve(tls=server_tls) as base:
        with pytest.raises(FetchError, match="TLS certificate does not verify"):
            _capture(sqlite_bench, f"{base}/page", guard=Guard(allow_private=True))
    assert _nothing_stored(sqlite_bench)


# refusals store nothing


def test_loopback_is_refused_without_allow_private_and_nothing_is_stored(sqlite_bench):
    with serve() as base:
        with pytest.raises(GuardError) as exc:
            _capture(sqlite_bench, f"{base}/page")
    assert f"{base}/page" in str(exc.value) and "loopback" in str(exc.value)
    assert _nothing_stored(sqlite_bench)


@pytest.mark.parametrize("target, named", [
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[::ffff:127.0.0.1]:{port}/page", "IPv4-mapped 127.0.0.1"),
    ("http://127.0.0.2:{port}/page", "127.0.0.2 is a loopback address"),
    ("gopher://127.0.0.1:{port}/", "only http and https"),
])
def test_a_redirect_to_a_non_public_address_is_refused_though_the_first_hop_was_allowed(sqlite_bench, target, named):
    with serve() as base:
        port = base.rsplit(":", 1)[1]
        guard = Guard.allowing([f"127.0.0.1:{port}"])  # only the test server's own address
        with pytest.raises(GuardError) as exc:
            _capture(sqlite_bench, f"{base}/to?u={target.format(port=port)}", guard=guard)
    message = str(exc.value)
    assert message.startswith(f"refused {base}/to?u=") and "redirect 1 to" in message and named in message
    assert _nothing_stored(sqlite_bench)


def test_more_than_five_redirects_are_refused(sqlite_bench):
    with serve() as base:
        with pytest.raises(FetchError, match="more than 5 redirects"):
            _capture(sqlite_bench, f"{base}/hops/6", guard=Guard(allow_private=True))
    assert _nothing_stored(sqlite_bench)


@pytest.mark.parametrize("path, message", [("/big?n=5000", "announces 5000 bytes"),
                                           ("/stream", "larger than the limit of 4000 bytes")])
def test_a_response_over_max_bytes_is_refused_and_nothing_is_stored(sqlite_bench, path, message):
    with serve() as base:
        with pytest.raises(FetchError, match=message):
            _capture(sqlite_bench, f"{base}{path}", guard=Guard(allow_private=True), max_bytes=4000)
    assert _nothing_stored(sqlite_bench)


def test_a_response_slower_than_the_timeout_is_refused_and_nothing_is_stored(sqlite_bench):
    with serve() as base:
        with pytest.raises(FetchError, match=r"no complete answer within 0.5 s \(--timeout\)"):
            _capture(sqlite_bench, f"{base}/slow", guard=Guard(allow_private=True), timeout=0.5)
    assert _nothing_stored(sqlite_bench)


def test_a_refused_connection_is_a_clear_error_naming_the_url(sqlite_bench):
    url = f"http://127.0.0.1:{closed_port()}/page"
    with pytest.raises(FetchError) as exc:
        _capture(sqlite_bench, url, guard=Guard(allow_private=True))
    assert str(exc.value).startswith(f"cannot capture {url}: cannot connect")
    assert _nothing_stored(sqlite_bench)


def test_the_network_fixture_itself_refuses_other_addresses():
    import socket

    with socket.socket() as s, pytest.raises(AssertionError, match="tried to connect"):
        s.connect(("10.0.0.1", 80))


# the command line


def _cli(*args, ws=None, code=0):
    from typer.testing import CliRunner

    from whopushed.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args], env={"WHOPUSHED_WORKSPACE": str(ws) if ws else None},
                                catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def test_capture_url_on_the_command_line_prints_the_capture_and_verify_passes(tmp_path):
    ws = tmp_path / "ws"
    _cli("init", ws)
    page = tmp_path / "a.txt"
    page.write_text("a file beside the URL")
    with serve() as base:
        got = json.loads(_cli("capture", f"{base}/redirect", page, "--allow-private", "--json", ws=ws).stdout)
        refused = _cli("capture", f"{base}/page", ws=ws, code=1)
    assert [set(g) for g in got] == [{"id", "sha256", "media_type", "size"}] * 2
    assert sorted(g["media_type"] for g in got) == ["application/wacz", "text/plain"]
    assert f"refused {base}/page" in " ".join(refused.output.split()) and "loopback" in refused.output
    assert json.loads(_cli("verify", "--json", ws=ws).stdout)["ok"]
    wacz = next(g for g in got if g["media_type"] == "application/wacz")
    assert_valid_wacz(ws / ".whopushed" / "blobs" / wacz["sha256"][:2] / wacz["sha256"])
    shown = json.loads(_cli("show", wacz["id"], "--json", ws=ws).stdout)
    assert shown["id"] == wacz["id"]


@pytest.mark.parametrize("url, reason", [("http://10.0.0.1/", "10.0.0.1 is a private address"),
                                         ("http://169.254.169.254/latest/meta-data/", "link-local"),
                                         ("http://[::1]:8080/", "::1 is a loopback address")])
def test_capture_url_refuses_private_targets_on_the_command_line_and_logs_nothing(tmp_path, url, reason):
    ws = tmp_path / "ws"
    _cli("init", ws)
    out = " ".join(_cli("capture", url, ws=ws, code=1).output.split())
    assert f"refused {url}" in out and reason in out and "--allow-private" in out
    assert json.loads(_cli("ledger", "log", "--json", ws=ws).stdout) == []

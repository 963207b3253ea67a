"""Capturing a URL: fetch it (every hop checked by the address guard), write what went over
the wire into a WARC (warcio), package that as a WACZ (py-wacz), and record a preserved
Capture of the WACZ with its custody entry.

What is kept, each as a blob named by its SHA-256:
- the WACZ: the evidentiary copy (Capture.sha256, media type application/wacz); its
  `archive/data.warc.gz` holds every request and response byte for byte (redirects too)
  and, for https, a metadata record with the server's certificate;
- the fetch record (Capture.fetch_record_sha256, JSON, logged as a `derive` entry): each
  hop's address, status, response headers, hashes and TLS certificate (PEM, SHA-256);
- the page's text as a working copy (a `derive` entry, as for files).

Refusals (the guard, the size and time limits, a failed fetch) happen before anything
is stored: a refused URL leaves no blob, no record and no entry.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import ssl
import tempfile
import zlib
from datetime import timezone
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import sqlalchemy as sa

from .. import __version__
from ..model import Capture, When
from . import log
from .blobs import FileBlobStore
from .capture import MAX_TEXT_CHARS, SNIFF_BYTES, CaptureResult, derive, detect_media_type, extract_text
from .fetch import MAX_REDIRECTS, Fetched, FetchError, Hop, fetch
from .keys import Signer
from .records import Write, capture_with_sha, ensure_source, write
from .urlguard import Guard

WACZ_MEDIA_TYPE = "application/wacz"
FETCH_FORMAT = "whopushed-fetch/v1"
WARC_NAME = "data.warc.gz"


def is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def _tool_versions() -> dict[str, str]:
    return {"whopushed": __version__, "warcio": version("warcio"), "wacz": version("wacz")}


def write_warc(fetched: Fetched, path: Path) -> None:
    """Every hop as a request/response pair (as sent and received), and for https a
    metadata record with the TLS details, after a warcinfo record naming the software."""
    from warcio.warcwriter import WARCWriter

    tools = _tool_versions()
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        writer.write_record(writer.create_warcinfo_record(WARC_NAME, {
            "software": f"whopushed {tools['whopushed']} (warcio {tools['warcio']})",
            "format": "WARC File Format 1.0",
            "description": f"capture of {fetched.url}",
        }))
        for hop in fetched.hops:
            common = {"WARC-Date": hop.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "WARC-IP-Address": hop.ip}
            request = writer.create_warc_record(hop.url, "request", payload=io.BytesIO(hop.request),
                                                length=len(hop.request), warc_headers_dict=dict(common))
            response = writer.create_warc_record(hop.url, "response", payload=io.BytesIO(hop.response),
                                                 length=len(hop.response), warc_headers_dict=dict(common))
            writer.write_request_response_pair(request, response)
            if hop.tls:
                body = json.dumps({"tls": hop.tls}, indent=2, sort_keys=True).encode()
                meta = writer.create_warc_record(
                    hop.url, "metadata", payload=io.BytesIO(body), length=len(body),
                    warc_content_type="application/json",
                    warc_headers_dict={"WARC-Date": common["WARC-Date"],
                                       "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
                writer.write_record(meta)


def write_wacz(warc: Path, out: Path, main_url: str, title: str) -> None:
    """Package the WARC as a WACZ with py-wacz (its index, page list and datapackage)."""
    from wacz.main import main as wacz_main

    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said):  # py-wacz prints its progress
            code = wacz_main(["create", str(warc), "-o", str(out), f"--url={main_url}", f"--title={title}"])
    except (SystemExit, ValueError, OSError) as exc:
        raise FetchError(main_url, f"py-wacz could not package the WARC ({exc}; it said: "
                                   f"{' '.join(said.getvalue().split())[-300:]})") from None
    if code != 0:
        raise FetchError(main_url, f"py-wacz could not package the WARC (exit {code})")


def validate_wacz(path: Path) -> tuple[bool, str]:
    """Run py-wacz's validator (as `wacz validate -f PATH` does): valid, and what it said."""
    from wacz.main import main as wacz_main

    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        code = wacz_main(["validate", "-f", str(path)])
    return code == 0, said.getvalue()


class _Title(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self._in = False
        self._parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "title" and self.title is None:
            self._in = True

    def handle_endtag(self, tag):
        if tag == "title" and self._in:
            self._in = False
            self.title = " ".join("".join(self._parts).split())[:500] or None

    def handle_data(self, data):
        if self._in:
            self._parts.append(data)


def _charset(hop: Hop) -> str:
    for part in (hop.header("Content-Type") or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            name = value.strip().strip("\"'")
            try:
                return codecs.lookup(name).name
            except LookupError:
                break
    return "utf-8"


def _content(hop: Hop, limit: int) -> bytes | None:
    """The body without its content coding (gzip, deflate), at most `limit` bytes; None
    for a coding we do not read."""
    coding = (hop.header("Content-Encoding") or "identity").strip().lower()
    if coding in ("", "identity"):
        return hop.body
    if coding in ("gzip", "x-gzip", "deflate"):
        try:
            d = zlib.decompressobj(zlib.MAX_WBITS | 32 if coding != "deflate" else zlib.MAX_WBITS)
            return d.decompress(hop.body, limit)
        except zlib.error:
            return None
    return None


def page_text(hop: Hop, media_type: str, content: bytes) -> tuple[str, str] | None:
    """The page's text and how it was made: trafilatura's main text for HTML (the visible
    text with html.parser when trafilatura finds none), pypdf for PDF."""
    if media_type in ("text/html", "application/xhtml+xml"):
        html = content.decode(_charset(hop), errors="replace")
        try:
            import trafilatura

            text = trafilatura.extract(html, url=hop.url, include_comments=False, include_tables=True)
        except Exception:  # a page that breaks the extractor still has its visible text
            text = None
        if text and text.strip():
            return text.strip()[:MAX_TEXT_CHARS], f"trafilatura {version('trafilatura')} extract"
        return extract_text(html.encode("utf-8"), "text/html")
    return extract_text(content, media_type)


def capture_url(engine: sa.Engine, blobs: FileBlobStore, url: str, *, source: str | None, actor: str | None,
                signer: Signer | None, guard: Guard | None = None, max_bytes: int = 50_000_000,
                timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None) -> CaptureResult:
    """Fetch `url` and preserve it; GuardError or FetchError (nothing stored) when refused."""
    if source:  # an unknown --source is refused before anything is fetched
        with engine.connect() as conn:
            ensure_source(conn, source)
    fetched = fetch(url, guard=guard or Guard(), max_bytes=max_bytes, timeout=timeout, ssl_context=ssl_context)
    final = fetched.final
    page_type = final.media_type or detect_media_type(final.body[:SNIFF_BYTES])
    content = _content(final, max_bytes)
    title = None
    if content is not None and page_type in ("text/html", "application/xhtml+xml"):
        parser = _Title()
        try:
            parser.feed(content[:1_000_000].decode(_charset(final), errors="replace"))
        except Exception:
            pass
        title = parser.title
    title = title or fetched.url
    tools = _tool_versions()
    with tempfile.TemporaryDirectory(prefix="whopushed-capture-") as tmp:
        warc, wacz = Path(tmp) / WARC_NAME, Path(tmp) / "capture.wacz"
        write_warc(fetched, warc)
        write_wacz(warc, wacz, final.url, title)
        valid, said = validate_wacz(wacz)
        if not valid:  # never keep a WACZ that the independent validator refuses
            raise FetchError(fetched.url, "the WACZ did not pass py-wacz's validator: " + " ".join(said.split())[-300:])
        working = page_text(final, page_type, content) if content is not None else None
        tls = final.tls or {}
        record = {"format": FETCH_FORMAT, "url": fetched.url, "final_url": final.url,
                  "redirects": len(fetched.hops) - 1, "hops": [h.to_json() for h in fetched.hops],
                  "limits": {"max_bytes": max_bytes, "timeout_s": timeout, "max_redirects": MAX_REDIRECTS,
                             "allow_private": bool(guard and guard.allow_private),
                             "allowed_hosts": sorted(guard.allow_hosts) if guard else []},
                  "tools": tools}
        raw_record = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
        with wacz.open("rb") as f:
            sha = blobs.put(f)  # the bytes first: a crash after this leaves whole, unreferenced blobs
    size = blobs.path(sha).stat().st_size
    cap_id = f"cap-{sha[:16]}"
    record_sha, change = derive(blobs, cap_id, sha, "fetch-record", raw_record, "application/json",
                                f"whopushed {__version__} fetch: {len(fetched.hops)} hop(s), headers and TLS certificate")
    extras, derived = [change], [record_sha]
    if working is not None:
        text, method = working
        text_sha, change = derive(blobs, cap_id, sha, "text", text.encode("utf-8"), "text/plain; charset=utf-8", method)
        derived.append(text_sha)
        extras.append(change)
    actor = actor or log.default_actor()
    collected = final.started_at.astimezone(timezone.utc)
    with log.write_transaction(engine) as conn:
        known = capture_with_sha(conn, sha)
        if known is not None:
            return CaptureResult(known.id, sha, known.media_type or "", known.size or size, url, False)
        source_id, source_writes = ensure_source(conn, source)
        capture = Capture(
            id=cap_id, source=source_id, url=fetched.url, title=title, sha256=sha, size=size,
            media_type=WACZ_MEDIA_TYPE, collected_at=When(value=collected.strftime("%Y-%m-%dT%H:%MZ")),
            collector=actor, final_url=final.url if final.url != fetched.url else None,
            http_status=final.status, page_media_type=page_type, fetch_record_sha256=record_sha,
            tls_certificate_sha256=tls.get("certificate_sha256"),
            method=f"whopushed {__version__} capture (url): warcio {tools['warcio']}, py-wacz {tools['wacz']}")
        write(conn, [*source_writes, Write("captures", capture, "capture", f"url {fetched.url}", expect_new=True)],
              actor, signer, extras)
    return CaptureResult(cap_id, sha, WACZ_MEDIA_TYPE, size, url, True, derived)


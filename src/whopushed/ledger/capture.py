"""Capturing files: preserve the bytes, type them from the bytes, extract a working copy of
their text, and record a preserved Capture with its custody entry.

The evidentiary copy is the blob, never changed; the extracted text is a working copy: a
blob of its own, logged as a `derive` entry naming its parent capture and how it was made.
Capturing is resumable: the blob's SHA-256 is the key, so capturing the same bytes again
(after a crash, or twice by mistake) finds the existing capture and adds nothing.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa

from .. import __version__
from ..model import Capture, When
from . import log
from .blobs import FileBlobStore
from .keys import Signer
from .records import Write, capture_with_sha, ensure_source, write

SNIFF_BYTES = 8192
MAX_TEXT_CHARS = 5_000_000  # a working copy larger than this is cut (the blob keeps it all)


@dataclass
class CaptureResult:
    id: str
    sha256: str
    media_type: str
    size: int
    path: str
    created: bool  # False: these bytes were captured before
    derived: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"id": self.id, "sha256": self.sha256, "media_type": self.media_type, "size": self.size}


def detect_media_type(head: bytes) -> str:
    """The media type from the first bytes (puremagic's signatures, then plain-text checks)."""
    import puremagic

    try:
        found = puremagic.from_string(head, mime=True) if head else ""
    except puremagic.PureError:
        found = ""
    if found:
        return found
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniffing limit
            return "application/octet-stream"
        text = head[:exc.start].decode("utf-8")
    lowered = text.lstrip()[:512].lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered:
        return "text/html"
    if lowered.startswith(("{", "[")):
        try:
            json.loads(text)
            return "application/json"
        except ValueError:
            pass
    return "text/plain"


class _VisibleText(HTMLParser):
    _HIDDEN = {"script", "style", "noscript", "template", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def extract_text(data: bytes, media_type: str) -> tuple[str, str] | None:
    """A working copy's text and how it was made, or None (no text, or not a text format)."""
    if media_type == "application/pdf":
        import pypdf

        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # a damaged PDF is still evidence: keep it, without a working copy
            return None
        method = f"pypdf {pypdf.__version__} extract_text"
    elif media_type == "text/html":
        parser = _VisibleText()
        parser.feed(data.decode("utf-8", errors="replace"))
        parser.close()
        text, method = "\n".join(parser.parts), "html.parser visible text"
    else:
        return None
    text = text.strip()[:MAX_TEXT_CHARS]
    return (text, method) if text else None


def derive(blobs: FileBlobStore, cap_id: str, parent_sha: str, kind: str, data: bytes,
           media_type: str, method: str) -> tuple[str, log.Change]:
    """Store a working copy made from a capture (its text, its fetch record) and the custody
    entry that names its parent and how it was made."""
    sha = blobs.put(data)
    return sha, log.Change("derive", "derived", cap_id, None, {
        "parent": cap_id, "parent_sha256": parent_sha, "kind": kind, "sha256": sha, "size": len(data),
        "media_type": media_type, "method": method})


def capture_file(engine: sa.Engine, blobs: FileBlobStore, path: Path, *, source: str | None,
                 actor: str | None, signer: Signer | None) -> CaptureResult:
    path = Path(path)
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
        f.seek(0)
        sha = blobs.put(f)  # the bytes first: a crash after this leaves a whole, unreferenced blob
    size = blobs.path(sha).stat().st_size
    with engine.connect() as conn:
        known = capture_with_sha(conn, sha)
    if known is not None:
        return CaptureResult(known.id, sha, known.media_type or "", known.size or size, str(path), False)
    media_type = detect_media_type(head)
    extras: list[log.Change] = []
    derived: list[str] = []
    cap_id = f"cap-{sha[:16]}"
    if media_type in ("application/pdf", "text/html"):
        with blobs.open(sha) as f:
            working = extract_text(f.read(), media_type)
        if working is not None:
            text, method = working
            text_sha, change = derive(blobs, cap_id, sha, "text", text.encode("utf-8"),
                                      "text/plain; charset=utf-8", method)
            derived.append(text_sha)
            extras.append(change)
    actor = actor or log.default_actor()
    now = datetime.now(timezone.utc)
    with log.write_transaction(engine) as conn:
        known = capture_with_sha(conn, sha)  # again, under the lock: another process may have won
        if known is not None:
            return CaptureResult(known.id, sha, known.media_type or "", known.size or size, str(path), False)
        source_id, source_writes = ensure_source(conn, source)
        capture = Capture(id=cap_id, source=source_id, title=path.name[:500] or sha, sha256=sha, size=size,
                          media_type=media_type, collected_at=When(value=now.strftime("%Y-%m-%dT%H:%MZ")),
                          collector=actor, method=f"whopushed {__version__} capture (file)")
        write(conn, [*source_writes, Write("captures", capture, "capture", f"file {path.name}", expect_new=True)],
              actor, signer, extras)
    return CaptureResult(cap_id, sha, media_type, size, str(path), True, derived)


def walk(paths: list[Path]) -> list[Path]:
    """The files named, folders expanded (sorted, hidden names skipped), each once."""
    found: dict[Path, None] = {}
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        found[Path(root) / name] = None
        else:
            found[p] = None
    return list(found)

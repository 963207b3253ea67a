"""Content-addressed blob storage: the preserved bytes of every capture and working copy.

A blob is a plain file named by the SHA-256 of its bytes, `blobs/ab/abcdef…` (the first
two hex digits shard the folder), with no compression or encryption, so anyone can check
one with `sha256sum`. A blob is written once: to a temporary file beside the others,
flushed to disk, then linked into place and the folder flushed too, so a crash leaves
either the whole blob or none (stray temporaries live in `.tmp/`, which no listing shows).
An existing blob is never overwritten.

`BlobStore` is the interface the ledger uses; `FileBlobStore` keeps blobs in a folder (the
workspace's `.whopushed/blobs/` by default). An S3-compatible store implements the same
five methods.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class BlobError(Exception):
    pass


def check_digest(sha256: str) -> str:
    if not isinstance(sha256, str) or not _HEX64.match(sha256):
        raise BlobError(f"not a SHA-256 digest (64 lowercase hex digits): {sha256!r}")
    return sha256


class BlobStore(Protocol):
    def put(self, data: bytes | BinaryIO) -> str:
        """Store bytes (or a binary stream, read to its end); return their SHA-256."""

    def put_many(self, items: list[bytes]) -> list[str]:
        """Store many small blobs at once; their SHA-256s, in order."""

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes, for reading."""

    def exists(self, sha256: str) -> bool: ...

    def iterate(self) -> Iterator[str]:
        """The digests of every stored blob (by name: rehash to check them)."""

    def describe(self, sha256: str) -> str:
        """Where the blob lives, for messages (a path, a URL)."""


@lru_cache(maxsize=1)
def _syncfs_call():
    """Linux's syncfs (flush one filesystem in one call), or None where there is none."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def _syncfs(folder: Path) -> bool:
    """Flush every file of the filesystem holding `folder`; False if that could not be done
    (the caller then flushes each file by itself)."""
    call = _syncfs_call()
    if call is None:
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return call(fd) == 0
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # platforms without directory handles (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class FileBlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def describe(self, sha256: str) -> str:
        return str(self.path(sha256))

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobError(f"blob {sha256} is not in {self.root}") from None

    def put(self, data: bytes | BinaryIO) -> str:
        tmp_dir = self.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp, sha = self._write_temp(tmp_dir, data, sync=True)
        try:
            final = self._link(tmp, sha)
            _fsync_dir(final.parent)
            return sha
        finally:
            tmp.unlink(missing_ok=True)

    def put_many(self, items: list[bytes]) -> list[str]:
        """Store many small blobs with one flush to disk for the lot (a corpus import writes
        thousands of messages a second; a flush per file would cost more than the rest of
        the import). When it returns, every blob is whole on disk, as with `put`."""
        if not items:
            return []
        tmp_dir = self.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        temps: list[tuple[Path, str]] = []
        try:
            batch_sync = _syncfs_call() is not None
            shas: list[str] = []
            for data in items:
                sha = hashlib.sha256(data).hexdigest()
                shas.append(sha)
                if not self.path(sha).is_file():  # held already (a rerun): nothing to write
                    temps.append(self._write_temp(tmp_dir, data, sync=not batch_sync))
            if batch_sync and not _syncfs(tmp_dir):
                for tmp, _ in temps:  # fall back to flushing each file
                    fd = os.open(tmp, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
            folders = {self._link(tmp, sha).parent for tmp, sha in temps}
            if not (temps and batch_sync and _syncfs(tmp_dir)):
                for folder in folders:
                    _fsync_dir(folder)
            return shas
        finally:
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)

    def _write_temp(self, tmp_dir: Path, data: bytes | BinaryIO, sync: bool) -> tuple[Path, str]:
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as f:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    digest.update(data)
                    f.write(data)
                else:
                    while chunk := data.read(_CHUNK):
                        digest.update(chunk)
                        f.write(chunk)
                f.flush()
                if sync:
                    os.fsync(f.fileno())
            os.chmod(tmp, 0o444)  # evidence is read-only, to us too
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, digest.hexdigest()

    def _link(self, tmp: Path, sha: str) -> Path:
        final = self.path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            # link, not rename: it refuses to replace an existing blob, atomically
            os.link(tmp, final)
        except FileExistsError:
            pass  # the same bytes are already held: never overwrite them
        except OSError:  # a filesystem without hard links
            if not final.exists():
                os.replace(tmp, final)
        return final

    def iterate(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if len(shard.name) != 2 or not shard.is_dir():
                continue  # .tmp and anything else that is not a shard
            for f in sorted(shard.iterdir()):
                if _HEX64.match(f.name) and f.name.startswith(shard.name):
                    yield f.name


def hash_blob(store: BlobStore, sha256: str) -> tuple[str, int]:
    """Rehash a stored blob: its actual SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    with store.open(sha256) as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size

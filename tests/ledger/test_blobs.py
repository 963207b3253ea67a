"""The blob store: content-addressed, atomic, never overwritten, checkable with sha256sum."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from whopushed.ledger.blobs import BlobError, FileBlobStore, hash_blob


def test_put_returns_the_sha256_and_stores_a_plain_file_named_by_it(tmp_path):
    blobs = FileBlobStore(tmp_path / "blobs")
    data = b"launch near Mozyr"
    sha = blobs.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.path(sha) == tmp_path / "blobs" / sha[:2] / sha
    assert blobs.path(sha).read_bytes() == data
    assert blobs.exists(sha) and list(blobs.iterate()) == [sha]


def test_a_stream_is_stored_whole_and_hashed_as_read(tmp_path):
    blobs = FileBlobStore(tmp_path)
    data = os.urandom(3 * (1 << 20) + 17)
    sha = blobs.put(io.BytesIO(data))
    assert hash_blob(blobs, sha) == (hashlib.sha256(data).hexdigest(), len(data))


def test_an_existing_blob_is_never_overwritten_and_is_read_only(tmp_path):
    blobs = FileBlobStore(tmp_path)
    sha = blobs.put(b"original")
    path = blobs.path(sha)
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # root ignores mode bits
    assert path.stat().st_mode & 0o222 == 0
    os.chmod(path, 0o644)
    path.write_bytes(b"damaged!")  # damage it, then store the original bytes again
    assert blobs.put(b"original") == sha
    assert path.read_bytes() == b"damaged!"  # left for verify to find, not silently replaced


def test_temporaries_are_invisible_and_cleaned_up(tmp_path):
    blobs = FileBlobStore(tmp_path)
    (tmp_path / ".tmp").mkdir()
    (tmp_path / ".tmp" / "put-crashed").write_bytes(b"half")
    blobs.put(b"x")
    assert list(blobs.iterate()) == [hashlib.sha256(b"x").hexdigest()]
    assert [p.name for p in (tmp_path / ".tmp").iterdir()] == ["put-crashed"]


def test_a_missing_blob_or_a_malformed_digest_raises_a_clear_error(tmp_path):
    blobs = FileBlobStore(tmp_path)
    with pytest.raises(BlobError, match="not in"):
        blobs.open("ab" * 32)
    with pytest.raises(BlobError, match="not a SHA-256"):
        blobs.path("../../etc/passwd")

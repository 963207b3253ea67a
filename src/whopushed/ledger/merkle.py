"""The RFC 6962 Merkle tree (Certificate Transparency; RFC 9162 section 2.1), the structure
that makes the custody log tamper-evident.

    leaf hash  = SHA-256(0x00 || entry)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()                      the empty tree
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])) k = the largest power of two < n

Proofs are lists of 32-byte hashes, lowest level first, exactly as RFC 6962's PATH and
PROOF and as transparency-dev/merkle produce and check them, so a proof from here
verifies with any RFC 6962 verifier. The subtree proofs ([start, end) subtrees, from the
Merkle Tree Certificates draft) are verified too, because the published test vectors
exercise them and they share the same code paths.

Every verifier raises ProofError with the reason; none returns a bare False that a caller
could forget to check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify, or its arguments cannot describe a real tree."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# building: the tree hash and proofs from the leaf hashes


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes (not entries), computed in O(n) with a compact range."""
    rng = CompactRange()
    for h in leaves:
        rng.append(h)
    return rng.root()


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[lo]
    k = _split(n)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[n]): the audit path of leaf `index` in the tree of all `leaves`."""
    if not 0 <= index < len(leaves):
        raise ProofError(f"index {index} out of range for a tree of size {len(leaves)}")
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    # walk down from the root, collecting the sibling subtree at each step; reverse at the end
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(_mth(leaves, lo, lo + k))
            lo = lo + k
    return path[::-1]


def consistency_proof(leaves: Sequence[bytes], size1: int) -> list[bytes]:
    """RFC 6962 PROOF(size1, D[n]): that the tree of the first `size1` leaves is a prefix of
    the tree of all `leaves`. Empty when size1 equals the size (nothing to prove)."""
    size2 = len(leaves)
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2} (needs 0 < size1 <= size2)")
    proof: list[bytes] = []
    lo, hi, m, whole = 0, size2, size1, True
    # SUBPROOF(m, D[lo:hi], whole), iteratively; collected top-down, returned bottom-up
    while True:
        n = hi - lo
        if m == n:
            if not whole:
                proof.append(_mth(leaves, lo, hi))
            break
        k = _split(n)
        if m <= k:
            proof.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_mth(leaves, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    return proof[::-1]


class CompactRange:
    """The hashes of the perfect subtrees covering leaves [0, size): O(log n) memory, and the
    root at every size as leaves are appended (verify checks each signed head this way)."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []  # left to right, heights strictly decreasing

    @classmethod
    def restore(cls, size: int, hashes: list[bytes]) -> "CompactRange":
        """The range saved as (size, hashes); ValueError when they cannot belong together."""
        if size < 0 or len(hashes) != bin(size).count("1") or any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError(f"{len(hashes)} hashes cannot be the compact range of size {size}")
        rng = cls()
        rng.size, rng._stack = size, list(hashes)
        return rng

    @property
    def hashes(self) -> list[bytes]:
        return list(self._stack)

    def append(self, leaf: bytes) -> None:
        h, n = leaf, self.size
        while n & 1:  # each trailing one bit is a complete left sibling to merge with
            h = node_hash(self._stack.pop(), h)
            n >>= 1
        self._stack.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h


# verifying


def _check_hashes(proof: Iterable[bytes]) -> list[bytes]:
    items = list(proof or [])
    for i, h in enumerate(items):
        if not isinstance(h, (bytes, bytearray)) or len(h) != HASH_SIZE:
            raise ProofError(f"proof[{i}] is not a {HASH_SIZE}-byte hash")
    return [bytes(h) for h in items]


def _match(size: int, computed: bytes, expected: bytes) -> None:
    if computed != expected:
        raise ProofError(f"root hash at size {size} does not match: computed {computed.hex()}, "
                         f"expected {bytes(expected).hex()}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root implied by `proof` for leaf hash `leaf` at `index` in a tree of `size`."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} out of range for a tree of size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"the leaf hash has {len(leaf)} bytes, not {HASH_SIZE}")
    proof = _check_hashes(proof)
    # below `inner` levels the path is a full binary path; above it, only left siblings
    # remain on the tree's right border (one per set bit of what is left of the index)
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    if len(proof) != inner + border:
        raise ProofError(f"wrong proof size {len(proof)}, want {inner + border}")
    h = leaf
    for i, sib in enumerate(proof[:inner]):
        h = node_hash(h, sib) if (index >> i) & 1 == 0 else node_hash(sib, h)
    for sib in proof[inner:]:
        h = node_hash(sib, h)
    return h


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes) -> None:
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` in the tree of
    `size` whose root is `root_hash`."""
    _match(size, root_from_inclusion_proof(index, size, leaf, proof), root_hash)


def _subtree_valid(start: int, end: int) -> None:
    if not 0 <= start < end:
        raise ProofError(f"invalid subtree [{start}, {end}): needs 0 <= start < end")
    width = 1 << (end - start - 1).bit_length()  # the smallest power of two >= end - start
    if start % width:
        raise ProofError(f"invalid subtree [{start}, {end}): start is not a multiple of {width}")


def verify_subtree_inclusion(index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes],
                             root_hash: bytes) -> None:
    """Inclusion of a leaf in the subtree [start, end), whose hash is MTH(D[start:end])."""
    _subtree_valid(start, end)
    if not start <= index < end:
        raise ProofError(f"index {index} out of bounds for subtree [{start}, {end})")
    _match(end - start, root_from_inclusion_proof(index - start, end - start, leaf, proof), root_hash)


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Raise ProofError unless `proof` shows the tree (size1, root1) is a prefix of the tree
    (size2, root2). A proof from the empty tree is meaningless and refused."""
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) < size1 ({size1})")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    proof = _check_hashes(proof)
    if size1 == size2:
        if proof:
            raise ProofError("size1 = size2, so the proof must be empty")
        _match(size1, bytes(root1), bytes(root2))
        return
    if not proof:
        raise ProofError("empty proof")
    _match(size2, _root_from_subtree_consistency(0, size1, size2, proof, root1), root2)


def verify_subtree_consistency(start: int, end: int, size: int, proof: Sequence[bytes],
                               root1: bytes, root2: bytes) -> None:
    """That the subtree [start, end) with hash root1 is part of the tree (size, root2).
    An empty subtree (start = end) is part of every tree: its hash must be the empty root
    and its proof empty, whatever root2 is."""
    if start == end and 0 <= start <= size:
        if proof:
            raise ProofError("an empty subtree needs an empty proof")
        if bytes(root1) != EMPTY_ROOT:
            raise ProofError("an empty subtree's hash is the empty root")
        return
    _subtree_valid(start, end)
    if size < end:
        raise ProofError(f"size ({size}) < end ({end})")
    proof = _check_hashes(proof)
    if start == 0 and end == size:
        if proof:
            raise ProofError("the subtree is the whole tree, so the proof must be empty")
        _match(size, bytes(root1), bytes(root2))
        return
    if not proof:
        raise ProofError("empty proof")
    _match(size, _root_from_subtree_consistency(start, end, size, proof, root1), root2)


def _root_from_subtree_consistency(start: int, end: int, size: int, proof: list[bytes], sub_root: bytes) -> bytes:
    """The root of the tree of `size` implied by the subtree [start, end) hash and `proof`,
    after checking that the proof's nodes inside the subtree reproduce `sub_root`.
    (A plain consistency proof is the case start = 0.)"""
    height = ((end - 1) ^ start).bit_length()  # height of the subtree's root node
    if end == size:
        # the subtree ends at the tree's right edge: only left siblings up to the root
        want = bin(start >> height).count("1")
        if len(proof) != want:
            raise ProofError(f"wrong proof size {len(proof)}, want {want}")
        h = sub_root
        for sib in proof:
            h = node_hash(sib, h)
        return h
    fork = ((end - 1) ^ (size - 1)).bit_length()  # where paths to end-1 and size-1 part
    shift = ((end - start) & -(end - start)).bit_length() - 1  # height of its rightmost perfect subtree
    if end - start == 1 << shift:  # the subtree is perfect: the verifier knows its root already
        seed, rest = sub_root, proof
    else:
        seed, rest = proof[0], proof[1:]
    want = (len(proof) - len(rest)) + (fork - shift) + bin((end - 1) >> fork).count("1")
    if len(proof) != want:
        raise ProofError(f"wrong proof size {len(proof)}, want {want}")
    # climb from the seed to the subtree's root twice at once: as it was at `end` (left
    # siblings only) and as it has grown in the tree of `size` (right siblings below the fork too)
    old, grown, i = seed, seed, 0
    for level in range(shift, height):
        if ((end - 1) >> level) & 1:
            old, grown = node_hash(rest[i], old), node_hash(rest[i], grown)
            i += 1
        elif level < fork:
            grown = node_hash(grown, rest[i])
            i += 1
    _match(end, old, bytes(sub_root))
    # the rest is the inclusion proof of the grown node, one level `height` up
    s_index, s_size = start >> height, ((size - 1) >> height) + 1
    return root_from_inclusion_proof(s_index, s_size, grown, rest[i:])

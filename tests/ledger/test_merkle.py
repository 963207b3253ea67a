"""The Merkle tree against the published RFC 6962 test vectors of transparency-dev/merkle
(read from ../shared/data/merkle-vectors, never copied), and its own proofs against its
own verifiers for every size and index of small trees."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest

from whopushed.ledger import merkle
from whopushed.ledger.merkle import ProofError

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "data" / "merkle-vectors" / "testdata"
# the 8 reference leaves of the Certificate Transparency tests, and their 8-leaf root
REFERENCE_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
REFERENCE_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"

if not VECTORS.is_dir():  # a missing folder must not pass as "no cases"
    pytest.fail(f"the RFC 6962 test vectors are missing: {VECTORS}", pytrace=False)

FILES = sorted(VECTORS.rglob("*.json"))


def _b64(v):
    return base64.b64decode(v) if v is not None else b""


def _proof(v):
    return [base64.b64decode(h) for h in (v or [])]


def _check(kind: str, d: dict) -> None:
    if kind == "inclusion":
        merkle.verify_inclusion(d["leafIdx"], d["treeSize"], _b64(d["leafHash"]), _proof(d["proof"]), _b64(d["root"]))
    elif kind == "consistency":
        merkle.verify_consistency(d["size1"], d["size2"], _proof(d["proof"]), _b64(d["root1"]), _b64(d["root2"]))
    elif kind == "subtreeinclusion":
        merkle.verify_subtree_inclusion(d["leafIdx"], d["start"], d["end"], _b64(d["leafHash"]),
                                        _proof(d["proof"]), _b64(d["root"]))
    elif kind == "subtreeconsistency":
        merkle.verify_subtree_consistency(d["start"], d["end"], d["size"], _proof(d["proof"]),
                                          _b64(d["root1"]), _b64(d["root2"]))
    else:
        raise AssertionError(f"unknown vector kind {kind}")


def test_all_518_published_vectors_are_found():
    assert len(FILES) == 518


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_published_vector_verifies_or_is_rejected_as_published(path: Path):
    d = json.loads(path.read_text())
    kind = path.relative_to(VECTORS).parts[0]
    if d["wantErr"]:
        with pytest.raises(ProofError):
            _check(kind, d)
    else:
        _check(kind, d)


def test_reference_leaves_give_the_published_8_leaf_root():
    leaves = [merkle.leaf_hash(e) for e in REFERENCE_LEAVES]
    assert merkle.root(leaves).hex() == REFERENCE_ROOT
    assert merkle._mth(leaves, 0, 8).hex() == REFERENCE_ROOT


def test_empty_tree_root_is_sha256_of_nothing():
    assert merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _happy(kind):
    for p in FILES:
        if p.relative_to(VECTORS).parts[0] == kind and p.name == "happy-path.json":
            yield json.loads(p.read_text())


def test_generated_inclusion_proofs_equal_the_published_happy_paths():
    leaves = [merkle.leaf_hash(e) for e in REFERENCE_LEAVES]
    seen = 0
    for d in _happy("inclusion"):
        if _b64(d["leafHash"]) != leaves[d["leafIdx"]] or d["treeSize"] > 8:
            continue
        assert merkle.inclusion_proof(leaves[:d["treeSize"]], d["leafIdx"]) == _proof(d["proof"])
        assert merkle.root(leaves[:d["treeSize"]]) == _b64(d["root"])
        seen += 1
    assert seen >= 4


def test_generated_consistency_proofs_equal_the_published_happy_paths():
    leaves = [merkle.leaf_hash(e) for e in REFERENCE_LEAVES]
    seen = 0
    for d in _happy("consistency"):
        if d["size2"] > 8 or merkle.root(leaves[:d["size2"]]) != _b64(d["root2"]):
            continue
        assert merkle.consistency_proof(leaves[:d["size2"]], d["size1"]) == _proof(d["proof"])
        seen += 1
    assert seen >= 4


def test_every_generated_proof_verifies_and_a_flipped_bit_is_rejected_for_trees_up_to_33():
    rnd = random.Random(6962)
    leaves = [merkle.leaf_hash(rnd.randbytes(rnd.randrange(40))) for _ in range(33)]
    roots = [merkle.root(leaves[:n]) for n in range(34)]
    rng = merkle.CompactRange()
    for n in range(1, 34):
        rng.append(leaves[n - 1])
        assert rng.root() == roots[n] == merkle._mth(leaves, 0, n)
        for i in range(n):
            proof = merkle.inclusion_proof(leaves[:n], i)
            merkle.verify_inclusion(i, n, leaves[i], proof, roots[n])
            if proof:
                bad = list(proof)
                bad[rnd.randrange(len(bad))] = bytes(32)
                with pytest.raises(ProofError):
                    merkle.verify_inclusion(i, n, leaves[i], bad, roots[n])
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(leaves[:n], m)
            merkle.verify_consistency(m, n, proof, roots[m], roots[n])
            if m < n:
                with pytest.raises(ProofError):
                    merkle.verify_consistency(m, n, proof, roots[m - 1] if m > 1 else bytes(32), roots[n])


def test_consistency_from_an_empty_tree_or_backwards_is_refused():
    leaves = [merkle.leaf_hash(b"x")] * 3
    with pytest.raises(ProofError):
        merkle.consistency_proof(leaves, 0)
    with pytest.raises(ProofError):
        merkle.consistency_proof(leaves, 4)
    with pytest.raises(ProofError):
        merkle.inclusion_proof(leaves, 3)

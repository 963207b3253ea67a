"""The evidence ledger: content-addressed blobs, the append-only custody log, its RFC 6962
Merkle tree and signed tree heads, and the verification of all of them."""

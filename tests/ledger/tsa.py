"""A test timestamp authority: its own CA and TSA certificates (cryptography), and RFC 3161
responses built with asn1crypto, independently of the rfc3161-client code under test."""

from __future__ import annotations

import datetime
import hashlib
import http.server
from dataclasses import dataclass

from asn1crypto import cms, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class LocalTSA:
    ca: x509.Certificate
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    serial: int = 0

    @classmethod
    def create(cls, name: str = "Test") -> "LocalTSA":
        now = datetime.datetime.now(datetime.timezone.utc)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = (x509.CertificateBuilder().subject_name(_name(f"{name} Root CA")).issuer_name(_name(f"{name} Root CA"))
              .public_key(ca_key.public_key()).serial_number(1)
              .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(f"{name} TSA")).issuer_name(ca.subject)
                .public_key(key.public_key()).serial_number(2)
                .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
                .sign(ca_key, hashes.SHA256()))
        return cls(ca, cert, key)

    @property
    def ca_pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def respond(self, digest: bytes, nonce: int | None = None, status: str = "granted") -> bytes:
        """A TimeStampResp (DER) for a SHA-256 digest: a signed token, or just the status
        when it is not granted."""
        if status not in ("granted", "granted_with_mods"):
            info = tsp.PKIStatusInfo({"status": status, "status_string": ["refused by the test"]}).dump()
            return bytes([0x30, len(info)]) + info  # TimeStampResp: the status, no token
        self.serial += 1
        cert_der = self.cert.public_bytes(serialization.Encoding.DER)
        info = {"version": "v1", "policy": "1.2.3.4.1", "serial_number": self.serial,
                "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
                "gen_time": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)}
        if nonce is not None:
            info["nonce"] = nonce
        tst = tsp.TSTInfo(info)
        acert = ax509.Certificate.load(cert_der)
        attrs = cms.CMSAttributes([
            cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst.dump()).digest()]}),
            cms.CMSAttribute({"type": "signing_certificate_v2",
                              "values": [{"certs": [{"cert_hash": hashlib.sha256(cert_der).digest()}]}]}),
        ])
        signature = self.key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {"issuer": acert.issuer,
                                                                      "serial_number": acert.serial_number}}),
            "digest_algorithm": {"algorithm": "sha256"}, "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"}, "signature": signature})
        signed = cms.SignedData({"version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
                                 "encap_content_info": {"content_type": "tst_info", "content": tst},
                                 "certificates": [acert], "signer_infos": [signer]})
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
        return tsp.TimeStampResp({"status": {"status": status}, "time_stamp_token": token}).dump()

    def answer(self, request_der: bytes, status: str = "granted") -> bytes:
        """Answer a TimeStampReq as a TSA would."""
        req = tsp.TimeStampReq.load(request_der)
        assert req["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
        nonce = req["nonce"].native
        return self.respond(req["message_imprint"]["hashed_message"].native, nonce, status)


def handler_for(tsa: LocalTSA, status: str = "granted", seen: list | None = None):
    """An HTTP handler answering POSTed TimeStampReqs as `tsa`."""

    class TSAHandler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if seen is not None:
                seen.append((self.headers["Content-Type"], body))
            reply = tsa.answer(body, status)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    return TSAHandler

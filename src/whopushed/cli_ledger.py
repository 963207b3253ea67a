"""The ledger's commands: `verify`, `capture`, `ledger head|prove|consistency|check-proof|log`
and `claim add|grade|link|retract`. Every change goes through the custody log, and each
command that changes something signs the new tree head with the workspace's key."""

from __future__ import annotations

import base64
import binascii
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .ledger import log
from .ledger.blobs import FileBlobStore
from .ledger.keys import SigningKeyError, load_signer

ledger_app = typer.Typer(help="The tamper-evident custody log: signed heads and proofs anyone can check.",
                         no_args_is_help=True)
claim_app = typer.Typer(help="Add, grade, link and retract claims, each change logged.", no_args_is_help=True)

out = Console()
err = Console(stderr=True)
JSON_OPT = typer.Option(False, "--json", help="Print JSON instead of text.")
NO_WORKSPACE = ("the ledger's signing key and blobs live in a workspace folder (.whopushed/), and none "
                "was found{db}. Make one with 'whopushed{init_db} init DIR', then run this in DIR or pass "
                "--workspace DIR")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@dataclass
class _Ctx:
    store: Any
    workspace: Any
    blobs: FileBlobStore | None
    signer: Any

    def close(self) -> None:
        self.store.close()


def _context(write: bool) -> _Ctx:
    """The store, and (when there is a workspace) its blobs and signing key. Writing
    commands need the workspace: without its key no head could be signed."""
    from . import cli
    from .store import Store
    from .workspace import WorkspaceError, find_workspace, resolve_db

    named, db = cli._state.get("workspace"), cli._state.get("db")
    try:
        ws = find_workspace(named)
        url = resolve_db(named, db)
    except WorkspaceError as exc:
        _fail(str(exc))
    if ws is None and write:
        _fail(NO_WORKSPACE.format(db=" (--db names a database, not a workspace)" if db else "",
                                  init_db=" --db URL" if db else ""))
    signer = None
    if ws is not None:
        try:
            signer = load_signer(ws.state_dir)
        except SigningKeyError as exc:
            if write:
                _fail(f"{exc}")
    store = Store.open(url)
    store.signer = signer
    blobs = FileBlobStore(ws.state_dir / "blobs") if ws is not None else None
    return _Ctx(store, ws, blobs, signer)


def _json_arg(text: str, what: str) -> Any:
    """A JSON document given inline or as a file; errors name the file, line and column."""
    source, body = "the argument", text
    p = Path(text)
    try:
        if len(text) < 4096 and p.is_file():
            source, body = str(p), p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{what}: cannot read {text}: {exc}")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        hint = "" if source != "the argument" else " (and no file by that name)"
        _fail(f"{what}: {source}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}){hint}")


def _key_arg(text: str) -> str:
    """A public key: base64 of the 32 raw bytes, or a file holding that or a PEM public key."""
    p = Path(text)
    body = text
    try:
        if len(text) < 4096 and p.is_file():
            body = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"--key: cannot read {text}: {exc}")
    body = body.strip()
    if body.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            key = serialization.load_pem_public_key(body.encode())
        except ValueError as exc:
            _fail(f"--key: not a PEM public key ({exc})")
        if not isinstance(key, Ed25519PublicKey):
            _fail("--key: not an Ed25519 public key")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()
    try:
        if len(base64.b64decode(body, validate=True)) != 32:
            raise ValueError
    except (ValueError, binascii.Error):
        _fail("--key: wants the base64 public key that 'whopushed ledger head' prints (32 bytes), "
              "or a file holding it")
    return body


# verify


TSA_ROOTS_OPT = typer.Option(None, "--tsa-roots", metavar="PEM",
                             help="Root certificates of the timestamp authority (default: .whopushed/tsa-roots.pem if there).")


def _tsa_roots(ctx: _Ctx, given: Optional[Path]) -> list | None:
    from .ledger.timestamps import ROOTS_FILE, TimestampError, load_roots

    path = given or (ctx.workspace.state_dir / ROOTS_FILE if ctx.workspace is not None else None)
    if path is None or (given is None and not path.is_file()):
        return None
    try:
        return load_roots(path)
    except TimestampError as exc:
        ctx.close()
        _fail(str(exc))


def verify(tsa_roots: Optional[Path] = TSA_ROOTS_OPT, as_json: bool = JSON_OPT) -> None:
    """Check the evidence and the ledger: exit 0 only when everything holds.

    Rehashes every blob, recomputes the log's Merkle tree, checks every signed head (and
    its trusted timestamp, if it has one) and every record against its last logged value;
    exits 1 naming each broken capture, blob, entry, head or record."""
    from .ledger.verify import verify as run

    ctx = _context(write=False)
    try:
        roots = _tsa_roots(ctx, tsa_roots)
        report = run(ctx.store.engine, ctx.blobs, ctx.signer.public_key if ctx.signer else None, roots)
    finally:
        ctx.close()
    if as_json:
        _emit(report.to_json())
    else:
        for p in report.problems:
            err.print(f"[bold red]BROKEN[/] {p.kind} [bold]{p.id}[/]: {p.message}", highlight=False, soft_wrap=True)
        for w in report.warnings:
            err.print(f"[yellow]note[/] {w.kind} {w.id}: {w.message}", highlight=False, soft_wrap=True)
        c = report.checked
        summary = (f"{c['blobs']} blobs, {c['captures']} captures, {c['entries']} entries, {c['heads']} "
                   f"signed heads, {c['records']} records; tree size {report.size}, root {report.root}")
        if report.ok:
            out.print(f"[green]verified[/]: {summary}", highlight=False)
        else:
            out.print(f"[bold red]{len(report.problems)} problem(s)[/] in {summary}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


# capture


def capture(targets: list[str] = typer.Argument(..., metavar="PATH|URL...",
                                               help="Files or folders to preserve, or http(s) URLs to fetch."),
            source: Optional[str] = typer.Option(None, "--source", metavar="ID",
                                                 help="The source (publisher) of these files (default: src-unknown, graded F)."),
            allow_private: bool = typer.Option(False, "--allow-private",
                                               help="Also fetch URLs on loopback, private, link-local and other non-public addresses."),
            max_bytes: int = typer.Option(50_000_000, "--max-bytes", min=1, metavar="N",
                                          help="Refuse a URL whose response (any hop) is larger than this."),
            timeout: float = typer.Option(30.0, "--timeout", min=0.1, metavar="SECONDS",
                                          help="Refuse a URL not fetched completely within this time (redirects included)."),
            as_json: bool = JSON_OPT) -> None:
    """Preserve files and web pages as captures, each with its custody entry.

    Files: stores their bytes by SHA-256, types them from their bytes, extracts a working
    copy of their text (PDF, HTML). Rerunning is safe: bytes captured before are found,
    not captured twice.

    URLs (http:// or https://): fetches the page, following at most 5 redirects, into a
    WARC packaged as a WACZ, with the response headers and TLS certificate. Addresses that
    are not public (loopback, private, link-local, ...) are refused at every hop unless
    --allow-private is given."""
    from rich.progress import Progress

    from .ledger.capture import capture_file, walk
    from .ledger.fetch import FetchError
    from .ledger.urlguard import Guard, GuardError
    from .ledger.webcapture import capture_url, is_url

    urls = [x for x in targets if is_url(x)]
    files = walk([Path(x) for x in targets if not is_url(x)])
    missing = [p for p in files if not p.is_file()]
    if missing:
        _fail("no such file: " + ", ".join(map(str, missing)))
    ctx = _context(write=True)
    guard = Guard(allow_private=allow_private)
    results, failures = [], []
    try:
        with Progress(console=err, transient=True, disable=as_json or len(files) + len(urls) < 2) as progress:
            task = progress.add_task("Capturing", total=len(files) + len(urls))
            for p in files:
                try:
                    results.append(capture_file(ctx.store.engine, ctx.blobs, p, source=source, actor=None,
                                                signer=ctx.signer))
                except (OSError, log.LedgerError) as exc:
                    if isinstance(exc, log.LedgerError) and "--source" in str(exc):
                        _fail(str(exc))
                    failures.append(f"{p}: {exc}")
                progress.advance(task)
            for u in urls:
                try:
                    results.append(capture_url(ctx.store.engine, ctx.blobs, u, source=source, actor=None,
                                               signer=ctx.signer, guard=guard, max_bytes=max_bytes,
                                               timeout=timeout))
                except (GuardError, FetchError) as exc:
                    failures.append(str(exc))
                except (OSError, log.LedgerError) as exc:
                    if isinstance(exc, log.LedgerError) and "--source" in str(exc):
                        _fail(str(exc))
                    failures.append(f"{u}: {exc}")
                progress.advance(task)
    finally:
        ctx.close()
    if as_json:
        _emit([r.to_json() for r in results])
    else:
        table = Table(title=f"{sum(r.created for r in results)} captured, "
                            f"{sum(not r.created for r in results)} already held")
        for col in ("id", "file or URL", "media type", "size", "sha256"):
            table.add_column(col, overflow="fold")
        for r in results:
            table.add_row(r.id, r.path, r.media_type, str(r.size), r.sha256)
        out.print(table)
    for f in failures:
        err.print(f"[bold red]error:[/] {escape(f)}", highlight=False, soft_wrap=True)
    if failures:
        raise typer.Exit(1)


# ledger


@ledger_app.command("head")
def head(as_json: bool = JSON_OPT) -> None:
    """Sign the log as it stands (when it has grown) and print the tree head to publish,
    with the public key to check it by."""
    ctx = _context(write=False)
    try:
        with log.write_transaction(ctx.store.engine) as conn:
            th = log.sign_head(conn, ctx.signer) if ctx.signer else log.latest_head(conn)
            n = log.size(conn)
    finally:
        ctx.close()
    if th is None:
        _fail("the log is empty: nothing to sign yet" if n == 0 else
              "no signed head yet, and no workspace key here to sign one", 1)
    if as_json:
        _emit(th.to_json())
        return
    out.print(f"tree size  {th.size}\nroot       {th.root}\nsigned at  {th.signed_at}\n"
              f"key id     {th.key_id}\npublic key {th.public_key}\nsignature  {th.signature}", highlight=False)
    if th.size < n:
        err.print(f"[yellow]note[/]: the log holds {n} entries; this head covers {th.size}")
    out.print("Publish the JSON of 'whopushed ledger head --json' and the public key.", style="dim")


def _signed_latest(ctx: _Ctx) -> log.TreeHead:
    with log.write_transaction(ctx.store.engine) as conn:
        th = log.sign_head(conn, ctx.signer) if ctx.signer else log.latest_head(conn)
    if th is None:
        _fail("no signed tree head yet: the log is empty, or no workspace key is here to sign one", 1)
    return th


@ledger_app.command("timestamp")
def timestamp(tsa: Optional[str] = typer.Option(None, "--tsa", metavar="URL", envvar="WHOPUSHED_TSA",
                                                help="The RFC 3161 timestamp authority to ask (or $WHOPUSHED_TSA)."),
              tsa_roots: Optional[Path] = TSA_ROOTS_OPT,
              timeout: float = typer.Option(10.0, "--timeout", min=0.1, metavar="SECONDS", help="Per request."),
              limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Ask for at most this many heads (the newest)."),
              retry_failed: bool = typer.Option(False, "--retry-failed", help="Ask again for heads whose timestamp failed."),
              as_json: bool = JSON_OPT) -> None:
    """Ask a timestamp authority (RFC 3161) to timestamp the signed heads that wait for one.

    Every signed head is queued for a timestamp; this sends the queue, newest first. When
    the TSA cannot be reached, the heads stay queued for a later run (exit 3): nothing
    else waits on it. Without --tsa it lists what is queued."""
    import sqlalchemy as sa

    from .ledger import timestamps as ts
    from .store import tables as t

    ctx = _context(write=False)
    try:
        roots = _tsa_roots(ctx, tsa_roots)
        if ctx.signer is not None:  # the log as it stands gets its head, and so its place in the queue
            with log.write_transaction(ctx.store.engine) as conn:
                log.sign_head(conn, ctx.signer)
        outcomes = []
        if tsa:
            try:
                outcomes = ts.stamp_pending(ctx.store.engine, tsa, roots=roots, timeout=timeout, limit=limit,
                                            retry_failed=retry_failed)
            except ts.TimestampError as exc:
                _fail(str(exc))
        with ctx.store.engine.connect() as conn:
            h = t.tree_heads
            counts = dict(conn.execute(sa.select(h.c.timestamp_status, sa.func.count())
                                       .group_by(h.c.timestamp_status)).all())
    finally:
        ctx.close()
    counts = {k: counts.get(k, 0) for k in ts.STATES}
    if as_json:
        _emit({"tsa": tsa, "outcomes": [o.to_json() for o in outcomes], "heads": counts})
    else:
        for o in outcomes:
            style = {"stamped": "green", "failed": "bold red"}.get(o.status, "yellow")
            out.print(f"[{style}]{o.status}[/] head {o.size}: {escape(o.message)}", highlight=False, soft_wrap=True)
        out.print(", ".join(f"{n} {k}" for k, n in counts.items()) + " head(s)", highlight=False)
        if not tsa and counts["queued"]:
            err.print("[yellow]note[/]: pass --tsa URL (or set WHOPUSHED_TSA) to ask a timestamp authority")
    if any(o.status == "queued" for o in outcomes):
        raise typer.Exit(3)  # nothing broke, but the TSA was not reached: try again later


@ledger_app.command("token")
def token(size: Optional[int] = typer.Argument(None, metavar="[SIZE]", help="The head's size (default: the latest stamped head)."),
          out_file: Path = typer.Option(..., "--out", metavar="FILE", help="Where to write the token (DER)."),
          as_json: bool = JSON_OPT) -> None:
    """Write a head's RFC 3161 timestamp token (the TSA's TimeStampResp, DER), to publish
    beside the head: 'openssl ts -verify -digest HEX -in FILE -CAfile ROOTS' checks it."""
    import sqlalchemy as sa

    from .store import tables as t

    ctx = _context(write=False)
    try:
        with ctx.store.engine.connect() as conn:
            h = t.tree_heads
            query = sa.select(h.c.size, h.c.timestamp_token).where(h.c.timestamp_status == "stamped")
            query = query.where(h.c.size == size) if size is not None else query.order_by(h.c.size.desc()).limit(1)
            row = conn.execute(query).first()
    finally:
        ctx.close()
    if row is None or row.timestamp_token is None:
        _fail("no stamped head" + (f" of size {size}" if size is not None else "") +
              " ('whopushed ledger timestamp --tsa URL' asks for timestamps)", 1)
    out_file.write_bytes(bytes(row.timestamp_token))
    if as_json:
        _emit({"size": row.size, "file": str(out_file), "bytes": len(row.timestamp_token)})
    else:
        out.print(f"wrote the timestamp token of head {row.size} to {out_file}", highlight=False)


@ledger_app.command("prove")
def prove(target: str = typer.Argument(..., metavar="ID", help="A record id (its latest entry) or an entry number."),
          as_json: bool = JSON_OPT) -> None:
    """Print an inclusion proof: that a record's latest entry (or entry N) is in the signed
    tree. Check it anywhere with 'whopushed ledger check-proof'."""
    ctx = _context(write=False)
    try:
        th = _signed_latest(ctx)
        with ctx.store.engine.connect() as conn:
            if target.isdigit():
                seq = int(target)
            else:
                found = log.latest_for(conn, target)
                if found is None:
                    _fail(f"no entry in the log for '{target}'", 1)
                seq = found.seq
            if seq > th.size:
                _fail(f"entry {seq} is not yet covered by a signed head (size {th.size})", 1)
            proof = log.inclusion_proof(conn, seq, th)
    except log.LedgerError as exc:
        _fail(str(exc), 1)
    finally:
        ctx.close()
    _emit(proof)  # the proof is the artifact: JSON either way


@ledger_app.command("consistency")
def consistency(old_head: str = typer.Argument(..., metavar="OLD_HEAD",
                                               help="An older head, as 'ledger head --json' printed it (a file or the JSON)."),
                as_json: bool = JSON_OPT) -> None:
    """Print a consistency proof: that the log now extends an older published head, with
    nothing changed or removed."""
    old = _head_arg(old_head, "OLD_HEAD")
    ctx = _context(write=False)
    try:
        th = _signed_latest(ctx)
        if ctx.signer and old.check(ctx.signer.public_key):
            _fail(f"OLD_HEAD is not signed by this workspace's key: {old.check(ctx.signer.public_key)}", 1)
        with ctx.store.engine.connect() as conn:
            proof = log.consistency_proof(conn, old, th)
    except log.LedgerError as exc:
        _fail(str(exc), 1)
    finally:
        ctx.close()
    _emit(proof)


def _head_arg(text: str, what: str) -> log.TreeHead:
    try:
        return log.TreeHead.from_json(_json_arg(text, what), what)
    except log.LedgerError as exc:
        _fail(str(exc))


@ledger_app.command("check-proof")
def check_proof(proof: str = typer.Argument(..., metavar="PROOF", help="An inclusion or consistency proof (a file or the JSON)."),
                head_arg: str = typer.Option(..., "--head", metavar="HEAD", help="The published head to check against (a file or the JSON)."),
                key: str = typer.Option(..., "--key", metavar="PUBKEY", help="The published public key (base64, or a file)."),
                as_json: bool = JSON_OPT) -> None:
    """Check a proof against a published head and key, with no workspace: exit 0 when it
    holds, 1 when it does not."""
    data = _json_arg(proof, "PROOF")
    th = _head_arg(head_arg, "--head")
    public = _key_arg(key)
    try:
        checked = log.check_proof(data, th, public)
    except log.LedgerError as exc:
        if as_json:
            _emit({"valid": False, "reason": str(exc)})
            raise typer.Exit(1)
        _fail(f"the proof does not hold: {exc}", 1)
    if as_json:
        _emit({"valid": True, "checked": checked})
    else:
        for line in checked:
            out.print(f"[green]✓[/] {line}", highlight=False)
        out.print("[green]valid[/]")


@ledger_app.command("log")
def show_log(record_id: Optional[str] = typer.Argument(None, metavar="[ID]", help="Only this record's entries."),
             limit: int = typer.Option(50, min=1, help="At most this many (the latest)."),
             as_json: bool = JSON_OPT) -> None:
    """The custody log: who changed what, when and why, newest last."""
    import sqlalchemy as sa

    from .store import tables as t

    ctx = _context(write=False)
    try:
        with ctx.store.engine.connect() as conn:
            e = t.ledger_entries
            query = sa.select(e).order_by(e.c.seq.desc()).limit(limit)
            if record_id:
                query = query.where(e.c.record_id == record_id)
            entries = [log.entry_from_row(r) for r in conn.execute(query)][::-1]
    finally:
        ctx.close()
    if as_json:
        _emit([x.to_json() for x in entries])
        return
    table = Table(title=f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    for col in ("seq", "at", "actor", "action", "record", "why"):
        table.add_column(col, overflow="fold")
    for x in entries:
        table.add_row(str(x.seq), x.at, x.actor, x.action, f"{x.collection}/{x.record_id}", x.why or "")
    out.print(table, markup=False)


# claims


def _entries_out(entries: list[log.Entry], as_json: bool, verb: str) -> None:
    if as_json:
        _emit([x.to_json() for x in entries])
        return
    for x in entries:
        out.print(f"{verb} [bold]{x.record_id}[/] (entry {x.seq}, {x.action})", highlight=False)


def _claim_run(fn, *args, as_json: bool, verb: str, **kwargs) -> None:
    ctx = _context(write=True)
    try:
        entries = fn(ctx.store.engine, *args, signer=ctx.signer, **kwargs)
    except log.LedgerError as exc:
        _fail(str(exc), 1)
    finally:
        ctx.close()
    _entries_out(entries, as_json, verb)


def _claim_from_yaml(path: Path) -> dict:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: cannot read ({exc})")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        _fail(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})")
    if isinstance(data, dict) and isinstance(data.get("claims"), list) and len(data["claims"]) == 1:
        data = data["claims"][0]  # a snippet copied from a case file
    if not isinstance(data, dict):
        _fail(f"{path}: wants one claim as a mapping (id, kind, party, text, captures, credibility, ...)")
    return data


@claim_app.command("add")
def claim_add(
    from_yaml: Optional[Path] = typer.Option(None, "--from-yaml", help="A YAML file holding one claim, as in a case file."),
    claim_id: Optional[str] = typer.Option(None, "--id"),
    kind: Optional[str] = typer.Option(None, help="launch, operator, participation, statement, consent, ..."),
    party: Optional[str] = typer.Option(None, help="The actor making the assertion."),
    text: Optional[str] = typer.Option(None, help="The assertion, in the project's words."),
    captures: list[str] = typer.Option([], "--capture", help="A capture it comes from (repeatable)."),
    incidents: list[str] = typer.Option([], "--incident", help="An incident it reports (repeatable)."),
    credibility: Optional[str] = typer.Option(None, help="1-6 (6 = cannot be judged)."),
    why: Optional[str] = typer.Option(None, help="Why that credibility."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add a claim from options or a YAML snippet; its references must exist here."""
    from pydantic import ValidationError

    from .ledger.records import add_claim
    from .model import Claim

    data: dict = _claim_from_yaml(from_yaml) if from_yaml else {}
    given = {"id": claim_id, "kind": kind, "party": party, "text": text, "captures": captures or None,
             "incidents": incidents or None, "credibility": credibility, "credibility_why": why}
    data.update({k: v for k, v in given.items() if v is not None})
    try:
        claim = Claim.model_validate(data)
    except ValidationError as exc:
        where = str(from_yaml) if from_yaml else "claim"
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'claim'}: {e['msg']}" for e in exc.errors())
        _fail(f"{where}: {problems}")
    _claim_run(add_claim, claim, None, as_json=as_json, verb="added")


@claim_app.command("grade")
def claim_grade(claim_id: str = typer.Argument(..., metavar="ID"),
                credibility: str = typer.Option(..., help="The new credibility, 1-6."),
                why: str = typer.Option(..., help="Why (kept with the grade and in the log)."),
                as_json: bool = JSON_OPT) -> None:
    """Grade a claim anew; the previous grade stays in the log and in its revisions."""
    from .ledger.records import grade_claim

    _claim_run(grade_claim, claim_id, credibility, why, None, as_json=as_json, verb="graded")


@claim_app.command("link")
def claim_link(claim_id: str = typer.Argument(..., metavar="ID"),
               incident: str = typer.Argument(..., metavar="INCIDENT"),
               why: Optional[str] = typer.Option(None, help="Why it reports that incident."),
               as_json: bool = JSON_OPT) -> None:
    """Link a claim to an incident it reports."""
    from .ledger.records import link_claim

    _claim_run(link_claim, claim_id, incident, why, None, as_json=as_json, verb="linked")


@claim_app.command("retract")
def claim_retract(claim_id: str = typer.Argument(..., metavar="ID"),
                  why: str = typer.Option(..., help="Why it is retracted."),
                  new_id: Optional[str] = typer.Option(None, "--id", help="Id of the retraction (default: ID-retraction)."),
                  as_json: bool = JSON_OPT) -> None:
    """Retract a claim: a new claim that `retracts` it, and a log entry. Nothing is deleted;
    the retracted claim stays exactly as it was."""
    from .ledger.records import retract_claim

    _claim_run(retract_claim, claim_id, why, None, as_json=as_json, verb="retracted by", new_id=new_id)


def workspace_signer() -> Any:
    """The workspace's signer for commands outside this module (the case import), or None
    when there is no workspace or no usable key (a note says why the key cannot be used)."""
    from . import cli
    from .workspace import WorkspaceError, find_workspace

    try:
        ws = find_workspace(cli._state.get("workspace"))
    except WorkspaceError:
        return None
    if ws is None or not (ws.state_dir / "ledger-key.pem").exists():
        return None
    try:
        return load_signer(ws.state_dir)
    except SigningKeyError as exc:
        err.print(f"[yellow]note[/]: no tree head signed: {escape(str(exc))}", highlight=False)
        return None


def register(app: typer.Typer) -> None:
    """Add the top-level ledger commands (verify, capture) to the main app."""
    app.command("verify")(verify)
    app.command("capture")(capture)

"""Telegram Desktop exports (`result.json`), streamed: never loaded whole.

Both layouts are read: one chat (`{"name", "type", "id", "messages": [...]}`) and a full
account export (`{"chats": {"list": [chat, ...]}, ...}`), so one file may hold many
channels (schema: ../shared/research/telegram-export-schema.md).

- Times come from `date_unixtime` / `edited_unixtime` (UTC); `date` is the exporter's local
  time and is used only when the unix time is missing.
- A message's text is the concatenation of `text_entities` (always a list of
  `{type, text}`); `text` (a string, or a list of strings and entity objects) is used when
  `text_entities` is absent. Where both are present and disagree, the disagreement is
  reported and `text_entities` is used.
- Identity = channel id + message id + edit time: an edit is a new version, not an
  overwrite, and reading the same export twice gives the same identities. A second message
  with the same identity and the same content is a duplicate (counted); with different
  content it is a conflict, reported with file and position, and the first is kept.
- Forwards (`forwarded_from`), replies (`reply_to_message_id`) and service messages
  (`type: service`, with `action`) are kept as they are.
- Bad input never loses what came before it: a message over MAX_MESSAGE_CHARS, or not an
  object, is skipped and reported; a truncated or undecodable file ends the stream with an
  issue naming the last message read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from .errors import InputIssue

MAX_MESSAGE_CHARS = 1_000_000  # text in one message; Telegram's own limit is 4,096 (captions 1,024)
FIRST_POS_LIMIT = 1_000_000  # first versions whose position is kept, for naming it in a conflict


@dataclass(frozen=True)
class Chat:
    id: int | None
    name: str | None
    type: str | None


@dataclass
class Message:
    chat: Chat
    id: int
    type: str  # message, service, unsupported
    date: datetime | None  # UTC
    edited: datetime | None  # UTC
    text: str
    raw: dict[str, Any]  # the message object as exported (numbers as int/float)
    file: str
    position: str  # where in the file: "messages[12]" or "chats.list[3].messages[12]"
    disagreement: InputIssue | None = None  # text and text_entities differ

    @property
    def edit_key(self) -> str:
        return str(self.raw.get("edited_unixtime") or "")

    @property
    def identity(self) -> tuple[int | None, int, str]:
        return (self.chat.id, self.id, self.edit_key)

    @property
    def forwarded_from(self) -> str | None:
        return self.raw.get("forwarded_from")

    @property
    def reply_to(self) -> int | None:
        return self.raw.get("reply_to_message_id")

    def canonical_bytes(self) -> bytes:
        """The message as canonical JSON (sorted keys, UTF-8, no spaces), with the channel it
        came from: the bytes a preserved capture holds."""
        doc = {"chat": {"id": self.chat.id, "name": self.chat.name, "type": self.chat.type}, "message": self.raw}
        return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @property
    def url(self) -> str:
        # the export does not hold the channel's username; t.me/c/ID/MSG opens it for members
        return f"https://t.me/c/{self.chat.id}/{self.id}" if self.chat.id is not None else f"tg://message/{self.id}"


@dataclass
class ReadReport:
    file: str
    read: int = 0  # message objects read
    messages: int = 0  # yielded (first versions)
    duplicates: int = 0  # same identity, same content
    conflicts: list[InputIssue] = field(default_factory=list)  # same identity, other content
    disagreements: list[InputIssue] = field(default_factory=list)  # text vs text_entities
    skipped: list[InputIssue] = field(default_factory=list)  # unreadable messages
    stopped: InputIssue | None = None  # the file ended badly

    def issues(self) -> list[InputIssue]:
        return [*self.conflicts, *self.disagreements, *self.skipped, *([self.stopped] if self.stopped else [])]

    def as_json(self) -> dict[str, Any]:
        def rows(issues):
            return [{"position": i.field, "message": i.message} for i in issues]

        return {"file": self.file, "read": self.read, "messages": self.messages, "duplicates": self.duplicates,
                "conflicts": rows(self.conflicts), "disagreements": rows(self.disagreements),
                "skipped": rows(self.skipped),
                "stopped": None if self.stopped is None else {"position": self.stopped.field,
                                                              "message": self.stopped.message}}


def _plain(value: Any) -> Any:
    """ijson's Decimals as int or float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def text_of(raw: Any) -> str:
    """`text` in either form, or `text_entities`, as plain text."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
                       for p in raw)
    return ""


def _utc(unix: Any, local: Any) -> datetime | None:
    try:
        if unix is not None:
            return datetime.fromtimestamp(int(unix), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    if isinstance(local, str):
        try:  # no zone in `date`: the exporter's local time, taken as UTC only for lack of better
            return datetime.fromisoformat(local).replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


try:
    import orjson as _orjson
except ImportError:  # the bench extra: without it, the standard library
    _orjson = None


def _content_body(raw: dict[str, Any]) -> bytes:
    """The content as canonical JSON (sorted keys, UTF-8): never shorter, in bytes, than the
    characters of its keys and strings together."""
    if _orjson is not None:
        try:
            return _orjson.dumps(raw, option=_orjson.OPT_SORT_KEYS)
        except TypeError:  # an int beyond 64 bits: the standard library below
            pass
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _content_digest(raw: dict[str, Any], body: bytes | None = None) -> bytes:
    """A digest of the content, for telling duplicates from conflicts within one read (kept
    nowhere else): SHA-256's first 12 bytes, the quickest digest here (the CPU's SHA
    instructions), a third sooner than BLAKE2b's."""
    return hashlib.sha256(_content_body(raw) if body is None else body).digest()[:12]


def _identity_key(ident: tuple) -> bytes:
    return hashlib.blake2b(repr(ident).encode("utf-8"), digest_size=12).digest()


class _TooLarge(Exception):
    pass


def _build(events: Iterator[tuple[str, str, Any]]) -> Any:
    """One JSON value from the event stream that has just started it (start_map consumed by
    the caller is re-fed here), bounded in text size."""
    builder = ijson.ObjectBuilder()
    builder.event("start_map", None)
    depth, chars = 1, 0
    for _prefix, event, value in events:
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        elif event in ("string", "map_key"):
            chars += len(value)
            if chars > MAX_MESSAGE_CHARS:
                # drain the rest of this value, then report it
                while depth > 0:
                    _p, ev, _v = next(events)
                    depth += ev in ("start_map", "start_array")
                    depth -= ev in ("end_map", "end_array")
                raise _TooLarge(chars)
        builder.event(event, value)
        if depth == 0:
            return builder.value
    raise ijson.IncompleteJSONError("the file ends inside a message")


class _Books:
    """Identity and duplicate bookkeeping, in file order: shared by both readers so that
    they count alike."""

    def __init__(self, file: str, report: ReadReport):
        self.file, self.report = file, report
        self.seen: dict[bytes, bytes] = {}  # identity -> content digest (compact: 12 bytes each)
        self.first_pos: dict[bytes, str] = {}

    def take(self, raw: Any, meta: dict[str, Any], where: str) -> Message | None:
        """The message of one object read whole, or None when it is skipped, a duplicate or a conflict."""
        file, report = self.file, self.report
        msg = _message(raw, meta, file, where, report)
        if msg is None:
            return None
        key = _identity_key(msg.identity)
        digest = _content_digest(raw)
        seen = self.seen
        if key in seen:
            if seen[key] == digest:
                report.duplicates += 1
            else:
                report.conflicts.append(InputIssue(
                    file, None, None, where,
                    f"message {msg.id} of chat {msg.chat.id} (edit {msg.edit_key or 'none'}) was read "
                    f"before at {self.first_pos.get(key, '?')} with other content; this one is not used, "
                    "the first is kept"))
            return None
        seen[key] = digest
        if msg.disagreement is not None:  # reported only for the version that is used
            report.disagreements.append(msg.disagreement)
        if len(self.first_pos) < FIRST_POS_LIMIT:
            self.first_pos[key] = where
        report.messages += 1
        return msg


def read_export(fh: BinaryIO, file: str, report: ReadReport,
                progress: Callable[[], None] | None = None) -> Iterator[Message]:
    """Stream the messages of an export: first versions only (see the module's docstring).

    A one-chat export is read by the fast reader (telegram_fast: orjson on each message)
    where orjson is installed and the file can seek; it gives what read_careful gives, and
    hands over to it wherever it is not sure."""
    from .telegram_fast import read_fast

    return read_fast(fh, file, report, progress)


def read_careful(fh: BinaryIO, file: str, report: ReadReport,
                 progress: Callable[[], None] | None = None) -> Iterator[Message]:
    """The careful reader: ijson events, every layout, every kind of bad input."""
    books = _Books(file, report)
    chats: dict[str, dict[str, Any]] = {}  # chat prefix -> its id/name/type as read so far
    counters: dict[str, int] = {}  # chat prefix -> messages seen in it
    chat_index: dict[str, int] = {}
    last = "the start of the file"  # the last message read whole
    current = "the start of the file"  # the message being read
    events = iter(ijson.parse(fh, use_float=False))
    try:
        for prefix, event, value in events:
            if event == "start_map" and prefix.endswith("messages.item"):
                chat_prefix = prefix[: -len("messages.item")]
                meta = chats.setdefault(chat_prefix, {})
                k = counters.get(chat_prefix, 0)
                counters[chat_prefix] = k + 1
                where = _position(chat_prefix, chat_index, k)
                current = where
                report.read += 1
                try:
                    raw = _plain(_build(events))
                except _TooLarge as exc:
                    report.skipped.append(InputIssue(file, None, None, where, f"message larger than "
                                                     f"{MAX_MESSAGE_CHARS:,} characters ({exc.args[0]:,}); skipped"))
                    last = where
                    continue
                last = where
                msg = books.take(raw, meta, where)
                if msg is None:
                    continue
                if progress:
                    progress()
                yield msg
            elif event in ("string", "number") and "messages" not in prefix:
                # a chat's id/name/type (before its messages, as Telegram writes them)
                head, _, key = prefix.rpartition(".")
                if key in ("id", "name", "type") and (head == "" or head.endswith("list.item")):
                    cp = f"{head}." if head else ""
                    chats.setdefault(cp, {})[key] = value
            elif event == "start_map" and prefix.endswith("list.item") and "messages" not in prefix:
                cp = f"{prefix}."
                chats[cp] = {}  # a new chat of a full export: its own id, name, count
                counters[cp] = 0
                chat_index[cp] = chat_index.get(cp, -1) + 1
    except ijson.IncompleteJSONError as exc:
        report.stopped = InputIssue(file, None, None, current, f"the file ends early or is not valid JSON at "
                                    f"{current} (after {last}: {_short(exc)}); the messages before it are kept")
    except ijson.JSONError as exc:
        report.stopped = InputIssue(file, None, None, current, f"not valid JSON at {current} (after {last}: "
                                    f"{_short(exc)}); the messages before it are kept")
    except UnicodeDecodeError as exc:
        report.stopped = InputIssue(file, None, None, current, f"not UTF-8 at {current} (after {last}: "
                                    f"{exc.reason}); the messages before it are kept")


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


def _position(chat_prefix: str, chat_index: dict[str, int], k: int) -> str:
    if not chat_prefix:
        return f"messages[{k}]"
    return f"{chat_prefix[:-len('.item.')]}[{chat_index.get(chat_prefix, 0)}].messages[{k}]"


def message_text(raw: dict[str, Any]) -> tuple[str, str | None]:
    """A message's text (from text_entities when it has them) and, where `text` says
    otherwise, the disagreement to report."""
    entities = raw.get("text_entities")
    if type(entities) is list and len(entities) == 1 and type(entities[0]) is dict:
        plain = entities[0].get("text")  # the usual post: one entity, `text` the same string
        if type(plain) is str and ("text" not in raw or raw["text"] == plain):
            return plain, None
    if not isinstance(entities, list):
        return text_of(raw.get("text")), None
    by_entities = text_of(entities)
    if "text" in raw:
        by_text = text_of(raw.get("text"))
        if by_text != by_entities:
            return by_entities, (f"message {raw.get('id')}: 'text' ({by_text[:60]!r}) and 'text_entities' "
                                 f"({by_entities[:60]!r}) disagree; text_entities is used")
    return by_entities, None


def _message(raw: Any, meta: dict[str, Any], file: str, where: str, report: ReadReport) -> Message | None:
    if not isinstance(raw, dict):
        report.skipped.append(InputIssue(file, None, None, where, "not a message object; skipped"))
        return None
    mid = raw.get("id")
    if isinstance(mid, bool) or not isinstance(mid, int):
        report.skipped.append(InputIssue(file, None, None, where, f"message without an integer id ({mid!r}); skipped"))
        return None
    chat_id = meta.get("id")
    if isinstance(chat_id, Decimal):
        chat_id = int(chat_id)
    chat = Chat(id=chat_id, name=meta.get("name"), type=meta.get("type"))
    text, why = message_text(raw)
    disagreement = InputIssue(file, None, None, where, why) if why else None
    return Message(chat=chat, id=mid, type=str(raw.get("type", "message")),
                   date=_utc(raw.get("date_unixtime"), raw.get("date")),
                   edited=_utc(raw.get("edited_unixtime"), raw.get("edited")) if ("edited" in raw or "edited_unixtime" in raw) else None,
                   text=text, raw=raw, file=file, position=where, disagreement=disagreement)


def read_file(path: str | Path, report: ReadReport | None = None,
              progress: Callable[[], None] | None = None) -> Iterator[Message]:
    path = Path(path)
    report = report if report is not None else ReadReport(str(path))
    with path.open("rb") as fh:
        yield from read_export(fh, str(path), report, progress)

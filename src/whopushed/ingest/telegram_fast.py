"""The fast reader of Telegram exports: orjson on each message object, found in raw bytes.

It reads the one-chat layout (`{"name", "type", "id", "messages": [...]}`) and gives exactly
what telegram.read_careful (ijson) gives: the same messages, positions, duplicates,
conflicts, disagreements. Wherever it cannot be sure (another layout, a boundary it cannot
prove, bad JSON or UTF-8, a message over MAX_MESSAGE_CHARS, anything after the messages) it
hands over: the careful reader reads the file again from the start, its report starts
afresh, and the messages the fast reader already gave are not given twice. Both readers
agree on every message before that point, so the result is the careful reader's.

A message's end is proven, not guessed: a candidate `}` is taken only when the bytes from
the message's `{` to it parse as one JSON value, and they can only if that `}` closes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from . import telegram as _tg
from .telegram import Message, ReadReport, _Books, _plain

CHUNK = 1 << 18  # read at a time; a message may span chunks
_WS = rb"[ \t\r\n]*"  # JSON's whitespace (not \f, \v)
_HEAD = re.compile(rb'"messages"' + _WS + rb":" + _WS + rb"\[")
_FIRST = re.compile(rb"(" + _WS + rb")(?:(\{)|(\]))")  # (indent)({ or ])
_NEXT = re.compile(_WS + rb"(?:,(" + _WS + rb")(\{)|(\]))")
_END = re.compile(rb"\}" + _WS + rb"[,\]]")  # a `}` that may close a message
_TAIL = re.compile(_WS + rb"\}" + _WS)
_MAX_TRIES = 512  # candidate ends tried for one message before handing over


class _Unsure(Exception):
    pass


def read_fast(fh: BinaryIO, file: str, report: ReadReport,
              progress: Callable[[], None] | None = None) -> Iterator[Message]:
    try:
        import orjson
        start = fh.tell()
        seekable = fh.seekable()
    except (ImportError, AttributeError, OSError, ValueError):
        seekable = False
    if not seekable:
        yield from _tg.read_careful(fh, file, report, progress)
        return
    given = 0
    try:
        for msg in _read(fh, file, report, progress, orjson):
            given += 1
            yield msg
        return
    except _Unsure:
        pass
    # hand over: the careful reader from the start; the first `given` messages are the same
    fresh = ReadReport(file)
    report.__dict__.update(fresh.__dict__)
    fh.seek(start)
    n = 0
    for msg in _tg.read_careful(fh, file, report, None):
        n += 1
        if n <= given:
            continue
        if progress:
            progress()
        yield msg


def _read(fh: BinaryIO, file: str, report: ReadReport, progress, orjson) -> Iterator[Message]:
    buf = fh.read(CHUNK)
    m = _HEAD.search(buf)
    while m is None and len(buf) < 1 << 20:  # the chat's header, before its messages
        more = fh.read(CHUNK)
        if not more:
            break
        buf += more
        m = _HEAD.search(buf)
    if m is None or buf.count(b"messages", 0, m.end()) != 1:
        raise _Unsure  # not the one-chat layout as far as the first chunk shows
    try:
        head = orjson.loads(buf[: m.end()] + b"]}")
    except orjson.JSONDecodeError:
        raise _Unsure from None
    if not isinstance(head, dict) or list(head)[-1:] != ["messages"] or head["messages"] != []:
        raise _Unsure
    meta: dict[str, Any] = {}
    for key in ("id", "name", "type"):  # as the careful reader keeps them: strings, numbers
        v = head.get(key)
        if isinstance(v, str) or (key == "id" and isinstance(v, int) and not isinstance(v, bool)):
            meta[key] = v
        elif v is not None and not isinstance(v, (bool, dict, list)):
            raise _Unsure  # a number name, a float id: Decimal there
    books = _Books(file, report)
    pos = m.end()
    eof = False
    k = 0
    sep = _FIRST
    while True:
        s = sep.match(buf, pos)
        if s is None or s.end() == len(buf):
            if eof or (s is None and buf[pos:].strip(b" \t\r\n")):
                raise _Unsure
            buf, pos, eof = _more(fh, buf, pos)
            continue
        if s.group(3):
            break
        begin = s.end() - 1
        indent = s.group(1) or b""
        end, value = _object(buf, begin, indent, orjson)
        while end is None:
            if eof or len(buf) - begin > _tg.MAX_MESSAGE_CHARS:
                raise _Unsure
            buf, shift, eof = _more(fh, buf, begin)
            begin = 0
            end, value = _object(buf, begin, indent, orjson)
        if _has_float(value):  # read as ijson does: 1.0 is 1 there, and 2**70 an int
            import ijson

            value = _plain(next(ijson.items(buf[begin:end], "", use_float=False)))
        where = f"messages[{k}]"
        k += 1
        report.read += 1
        msg = books.take(value, meta, where)
        pos = end
        sep = _NEXT
        if msg is None:
            continue
        if progress:
            progress()
        yield msg
    # after the messages: only the object's end and whitespace
    tail = buf[s.end():] + fh.read(1 << 20)
    if fh.read(1) or not _TAIL.fullmatch(tail):
        raise _Unsure


def _more(fh: BinaryIO, buf: bytes, keep: int) -> tuple[bytes, int, bool]:
    """buf from `keep` on, with the next chunk of the file; (buf, its offset 0, eof)."""
    more = fh.read(CHUNK)
    return buf[keep:] + more, 0, not more


def _object(buf: bytes, begin: int, indent: bytes, orjson) -> tuple[int | None, Any]:
    """The end of the message object that starts at buf[begin] and its value, or (None, None)
    when buf ends before it does. Raises _Unsure where the bytes are not valid JSON."""
    view = memoryview(buf)
    limit = begin + _tg.MAX_MESSAGE_CHARS + 1
    nl = indent.rfind(b"\n")
    if nl >= 0:  # pretty-printed: the closing brace is likely on a line of its own, as indented
        closing = b"\n" + indent[nl + 1:] + b"}"
        at = buf.find(closing, begin, limit)
        if at >= 0:
            end = at + len(closing)
            try:
                return end, orjson.loads(view[begin:end])
            except orjson.JSONDecodeError:
                pass  # not it after all: try every candidate
    tries = 0
    for c in _END.finditer(buf, begin, min(limit, len(buf))):
        end = c.start() + 1
        try:
            return end, orjson.loads(view[begin:end])
        except orjson.JSONDecodeError as exc:
            if exc.msg != "unexpected end of data":  # an error before the end, not an inner `}`
                raise _Unsure from None
        tries += 1
        if tries > _MAX_TRIES:
            raise _Unsure
    if len(buf) - begin > _tg.MAX_MESSAGE_CHARS:
        raise _Unsure
    return None, None


def _has_float(value: Any) -> bool:
    """Whether orjson gave a float anywhere in the value (it does for 1.0, 1e2 and 2**70)."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
        elif t is float:
            return True
    return False

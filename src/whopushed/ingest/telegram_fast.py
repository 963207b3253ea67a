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


def _head(fh: BinaryIO, orjson) -> tuple[bytes, int, dict[str, Any]]:
    """The first bytes of the file (from where fh stands), the offset in them just after the
    messages' `[`, and the chat's id/name/type; raises _Unsure where the file is not the
    one-chat layout as far as its head shows."""
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
    return buf, m.end(), meta


def _read(fh: BinaryIO, file: str, report: ReadReport, progress, orjson) -> Iterator[Message]:
    buf, pos, meta = _head(fh, orjson)
    books = _Books(file, report)
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
    if type(value) is dict:  # a message: mostly strings and ints at the top, passed over quickly
        nested = None
        for v in value.values():
            t = type(v)
            if t is str or t is int or v is None or t is bool:
                continue
            if t is float:
                return True
            if nested is None:
                nested = [v]
            else:
                nested.append(v)
        if nested is None:
            return False
        value = nested
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


# ----------------------------------------------------------------------------- byte ranges
#
# The messages array cut into byte ranges at message boundaries, so that several processes
# can each read their own part (pipeline/ranges.py). A cut is chosen where a message's `}`,
# a comma and the next `{` meet (the same bytes as between the first two messages, where they
# are found), and the object after it must parse as a message; that is a good guess, not yet
# a proof. The proof is the chain: the first range starts at the first message (the head is
# proven as the fast reader proves it), and a range that starts at a message and parses whole
# as `[` + its bytes + `]` ends exactly after a message, so the next range, after the comma,
# starts at one too. A range that does not parse, or anything else unsure, is reported, and
# the caller reads the whole file the sequential way.

_CUT = re.compile(rb"\}(" + _WS + rb"," + _WS + rb")\{")  # any `}`, comma, `{`
SCAN = 1 << 18  # bytes read at a time while looking for a cut
MAX_SLACK = 64 << 20  # a range may grow this far past its target before the file is read sequentially


class Layout:
    """A one-chat export's outline: its size, the chat's meta, where the messages' bytes start
    (the first `{`) and stop (after the last `}`), and the bytes between the first two."""

    def __init__(self, size: int, meta: dict[str, Any], first: int, stop: int, sep: bytes | None, indent: bytes,
                 typed: bool = True):
        self.size, self.meta, self.first, self.stop, self.sep, self.indent = size, meta, first, stop, sep, indent
        self.typed = typed  # the first message has a `type`: a cut is taken only before one that has


def layout(fh: BinaryIO) -> Layout | None:
    """The outline of the export in fh (a seekable binary file), or None where the fast reader
    would not be sure of it at its head or its tail: another layout, no messages, bad bytes
    at either end."""
    try:
        import orjson
    except ImportError:
        return None
    try:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(0)
        buf, pos, meta = _head(fh, orjson)
    except (_Unsure, OSError, ValueError):
        return None
    s = _FIRST.match(buf, pos)
    if s is None or s.group(3) or s.end() == len(buf):
        return None
    first = s.end() - 1
    indent = s.group(1) or b""
    # the tail: `}` (the last message's), `]`, `}`, whitespace only
    fh.seek(max(0, size - 4096))
    tail = fh.read()
    t = tail.rstrip(b" \t\r\n")
    if not t.endswith(b"}"):
        return None
    t = t[:-1].rstrip(b" \t\r\n")
    if not t.endswith(b"]"):
        return None
    t = t[:-1].rstrip(b" \t\r\n")
    if not t.endswith(b"}"):
        return None
    stop = size - len(tail) + len(t)
    proven = _prove(fh, first, indent, orjson, stop)
    if proven is None or not isinstance(proven[1], dict):
        return None
    end, value = proven
    typed = "type" in value
    fh.seek(end)
    after = fh.read(4096)
    n = _NEXT.match(after)
    if n is None:
        return None
    if n.group(3):  # one message
        return Layout(size, meta, first, stop, None, indent, typed) if end == stop else None
    return Layout(size, meta, first, stop, after[: n.end() - 1], n.group(1) or b"", typed)


def _prove(fh: BinaryIO, begin: int, indent: bytes, orjson, stop: int) -> tuple[int, Any] | None:
    """(end, value) of the JSON object that starts at file offset `begin` and ends by `stop`,
    or None where the bytes from there are not one."""
    fh.seek(begin)
    buf = fh.read(4096)
    while True:
        try:
            end, value = _object(buf, 0, indent, orjson)
        except _Unsure:
            return None
        if end is not None:
            return (begin + end, value) if begin + end <= stop else None
        more = fh.read(max(len(buf), 4096))
        if not more or len(buf) > _tg.MAX_MESSAGE_CHARS:
            return None
        buf += more


def cuts(fh: BinaryIO, lay: Layout, target: int) -> Iterator[tuple[int, int]]:
    """The ranges, (start, end) byte offsets of whole messages, about `target` bytes each, in
    file order; the gap between two is a comma and whitespace. Raises _Unsure where no cut is
    found within MAX_SLACK of where one was due."""
    import orjson

    start = lay.first
    target = max(target, 1)
    while lay.stop - start > target + target // 2:
        cut = _cut(fh, lay, start + target, orjson)
        if cut is None:
            break
        end, nxt = cut
        yield start, end
        start = nxt
    yield start, lay.stop


def _cut(fh: BinaryIO, lay: Layout, at: int, orjson) -> tuple[int, int] | None:
    """(end of one message, start of the next) at or after `at`; None where the messages end
    before another cut."""
    pos = at
    exact = b"}" + lay.sep + b"{" if lay.sep is not None else None
    scan = 4096
    while pos < lay.stop:
        if pos - at > MAX_SLACK:
            raise _Unsure
        fh.seek(pos)
        buf = fh.read(scan + 64)
        if not buf:
            return None
        found = []
        if exact is not None:
            i = buf.find(exact)
            while i >= 0 and i < scan:
                found.append((i, i + len(exact) - 1, lay.indent))
                i = buf.find(exact, i + 1)
        if not found:
            found = [(c.start(), c.end() - 1, _indent(c.group(1))) for c in _CUT.finditer(buf) if c.start() < scan]
        for close, begin, indent in found:
            if pos + begin >= lay.stop:
                return None
            if _run_of_messages(fh, lay, pos + begin, indent, orjson):
                return pos + close + 1, pos + begin
        pos += scan
        scan = min(scan * 2, SCAN)
    return None


def _run_of_messages(fh: BinaryIO, lay: Layout, begin: int, indent: bytes, orjson, count: int = 3) -> bool:
    """Whether `count` objects that look like messages (an integer id, and a type where the
    first message has one) follow one another from `begin`, each after a comma, or reach the
    messages' end: what a cut inside a message (a list of objects there) seldom shows."""
    for _ in range(count):
        proven = _prove(fh, begin, indent, orjson, lay.stop)
        if proven is None:
            return False
        end, value = proven
        if not isinstance(value, dict) or type(value.get("id")) is not int or (lay.typed and "type" not in value):
            return False
        if end == lay.stop:
            return True
        fh.seek(end)
        n = _NEXT.match(fh.read(4096))
        if n is None or not n.group(2):  # `]` before the messages' end: a list inside a message
            return False
        begin = end + n.end() - 1
        indent = n.group(1) or b""
    return True


def _indent(sep: bytes) -> bytes:
    comma = sep.find(b",")
    return sep[comma + 1:] if comma >= 0 else sep


def read_range(path: str, start: int, end: int, size: int, indent: bytes = b"") -> list[Any] | None:
    """The message objects in bytes [start, end) of the file, read as the fast reader reads
    each (numbers as ijson reads them), or None where those bytes are not whole message
    objects separated by commas. Raises OSError where the file cannot be read or is not
    `size` bytes long (another file by that name)."""
    import os

    import orjson

    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size != size:
            raise OSError(f"{path}: {os.fstat(fh.fileno()).st_size} bytes here, {size} where the ranges were cut")
        fh.seek(start)
        array = bytearray(end - start + 2)  # the bytes read in place between "[" and "]": no copies
        read = fh.readinto(memoryview(array)[1:-1])
    if read != end - start:
        raise OSError(f"{path}: shorter than where the ranges were cut")
    array[0], array[-1] = 0x5B, 0x5D
    try:
        values = orjson.loads(array)
    except orjson.JSONDecodeError:
        return None
    for v in values:
        if type(v) is not dict:
            return None
    if any(_has_float(v) for v in values):
        return _one_by_one(bytes(array[1:-1]), indent, orjson)
    return values


def _one_by_one(data: bytes, indent: bytes, orjson) -> list[Any] | None:
    """The objects of a range one at a time, as the fast reader reads them (ijson where orjson
    gives a float)."""
    import ijson

    data += b"]"  # so that the last `}` is followed as the others are
    out = []
    pos = 0
    while True:
        try:
            end, value = _object(data, pos, indent, orjson)
        except _Unsure:
            return None
        if end is None:
            return None
        if _has_float(value):
            value = _plain(next(ijson.items(data[pos:end], "", use_float=False)))
        out.append(value)
        if end == len(data) - 1:
            return out
        s = _NEXT.match(data, end)
        if s is None or not s.group(2):
            return None
        pos = s.end() - 1

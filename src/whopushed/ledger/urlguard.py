"""The address guard for URL captures: a capture fetches only public addresses.

A URL someone hands us (or a redirect a page answers with) could point at this machine,
its network or a cloud metadata service (169.254.169.254). Before every connection, the
first and each redirect alike, the guard resolves the host and refuses it when any of its
addresses is loopback, private, link-local, multicast, reserved, unspecified or otherwise
not a global address, for IPv4 and IPv6, IPv4 addresses embedded in IPv6 (IPv4-mapped
::ffff:a.b.c.d, 6to4, NAT64) included. The fetcher then connects to the address the guard
checked, never resolving the name again, so DNS cannot answer differently in between.

`allow_private` turns the check off (the user's `--allow-private`); `allow_hosts` lets
named hosts through while checking everything else (tests allow only their local server
and watch its redirects be refused); `resolver` replaces DNS (tests give names any address
without asking a DNS server).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

SCHEMES = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class GuardError(Exception):
    """A URL was refused before anything was fetched from it."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"refused {url}: {reason}")
        self.url = url
        self.reason = reason


def refusal(ip: IPAddress) -> str | None:
    """Why `ip` may not be fetched from, or None for a public (global) address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded, how = None, ""
        if ip.ipv4_mapped is not None:
            embedded, how = ip.ipv4_mapped, "IPv4-mapped"
        elif ip.sixtofour is not None:
            embedded, how = ip.sixtofour, "6to4"
        elif ip in _NAT64:
            embedded, how = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
        if embedded is not None:
            inner = refusal(embedded)
            if inner:
                return f"{ip} is {how} {embedded}, which {inner.split(' ', 1)[1]}"
            if how == "IPv4-mapped":
                return None  # a connection to it is one to the (public) IPv4 address
    for name, test in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("private", ip.is_private), ("reserved", ip.is_reserved)):
        if test:
            return f"{ip} is {'an' if name[0] in 'aeiou' else 'a'} {name} address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return f"{ip} is a site-local address"
    if not ip.is_global:
        return f"{ip} is not a public (global) address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Target:
    """A URL the guard let through: where to connect and what to ask for."""

    url: str  # normalised: lowercase scheme and host, "/" for an empty path, no fragment
    scheme: str
    host: str  # without brackets for IPv6
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]  # checked addresses to connect to, in the resolver's order

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True)
class Guard:
    allow_private: bool = False
    allow_hosts: frozenset[str] = field(default_factory=frozenset)  # "host" or "host:port"
    resolver: Resolver = system_resolver

    @classmethod
    def allowing(cls, hosts: Iterable[str], **kw) -> "Guard":
        return cls(allow_hosts=frozenset(h.lower() for h in hosts), **kw)

    def check(self, url: str) -> Target:
        """Parse, normalise and resolve `url`; GuardError when it may not be fetched."""
        target = parse(url)
        exempt = self.allow_private or target.host in self.allow_hosts \
            or f"{target.host}:{target.port}" in self.allow_hosts
        try:
            found = self.resolver(target.host, target.port)
        except (OSError, UnicodeError) as exc:
            raise GuardError(target.url, f"cannot resolve {target.host} ({exc})") from None
        addresses: list[str] = []
        for text in found:
            try:
                ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
            except ValueError:
                raise GuardError(target.url, f"{target.host} resolved to {text!r}, not an address") from None
            why = None if exempt else refusal(ip)
            if why:
                named = "" if str(ip) == target.host else f"{target.host} resolves to {ip}; "
                raise GuardError(target.url, f"{named}{why} (pass --allow-private to capture it anyway)")
            addresses.append(str(ip))
        if not addresses:
            raise GuardError(target.url, f"{target.host} has no address")
        return Target(target.url, target.scheme, target.host, target.port, target.path, tuple(addresses))


def parse(url: str) -> Target:
    """The URL's parts, normalised; GuardError for what is not an http(s) URL we fetch."""
    shown = url if len(url) <= 300 else url[:300] + "…"
    if any(c in url for c in "\r\n\t\x00") or any(ord(c) < 0x20 for c in url):
        raise GuardError(shown, "the URL contains control characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise GuardError(shown, f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise GuardError(shown, f"only http and https URLs are captured, not {scheme or 'this'!r}")
    if parts.username is not None or parts.password is not None:
        raise GuardError(shown, "URLs with a user name or password are not captured")
    host = (parts.hostname or "").rstrip(".").split("%", 1)[0]  # an IPv6 zone id names no other host
    if not host:
        raise GuardError(shown, "the URL has no host")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise GuardError(shown, f"the host is not a valid domain name ({exc})") from None
    host = host.lower()
    port = port if port is not None else SCHEMES[scheme]
    bracketed = f"[{host}]" if ":" in host else host
    netloc = bracketed if parts.port is None else f"{bracketed}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if " " in path:
        path = path.replace(" ", "%20")
    return Target(f"{scheme}://{netloc}{path}", scheme, host, port, path, ())

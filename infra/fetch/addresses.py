"""Which addresses the guarded fetcher may connect to (OWASP SSRF prevention cheat sheet).

Every address a host name resolves to is vetted, and one refused address refuses the fetch: an
attacker's name server may answer a public and a private address at once.

>>> import ipaddress
>>> address_refusal(ipaddress.ip_address("::ffff:169.254.169.254"))
'IPv4-mapped link-local'
>>> address_refusal(ipaddress.ip_address("93.184.215.14")) is None
True
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

from infra.fetch.errors import FetchFailed, FetchRefused
from infra.fetch.pinned_transport import IPAddress

Resolver = Callable[[str, int], Sequence[str]]

_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (all of them are vetted)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]) for *_, sockaddr in answers]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _NAT64_PREFIX:
        return "NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why ``address`` must not be fetched (``"link-local"``...), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind = address_refusal(embedded[1])
            return None if kind is None else f"{embedded[0]} {kind}"
    for attribute, kind in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        # fec0::/10, deprecated (RFC 3879) but still routed inside some networks; IPv6 only.
        ("is_site_local", "site-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(address, attribute, False):
            return kind
    return None if address.is_global else "not globally routable"


def vetted_addresses(
    host: str, port: int, *, resolver: Resolver, allow_private: bool
) -> list[IPAddress]:
    """The addresses of ``host`` (an address itself, or every answer of ``resolver``), each one
    vetted unless ``allow_private``. Raises ``FetchFailed`` (kind ``dns``) or ``FetchRefused``."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(answer) for answer in resolver(host, port)]
        except (OSError, UnicodeError, ValueError):
            # Not the resolver's own words ("[Errno -2] ..."): they reach people's pages.
            raise FetchFailed(
                f"cannot resolve {host}: no such name, or the name server did not answer",
                transient=True,
                kind="dns",
            ) from None
    if not addresses:
        raise FetchFailed(f"{host} has no address", transient=True, kind="dns")
    if not allow_private:
        for address in addresses:
            kind = address_refusal(address)
            if kind is not None:
                source = "" if str(address) == host else f" (from {host})"
                raise FetchRefused(
                    f"address {address}{source} is {kind}; fetching it is not allowed"
                )
    return addresses

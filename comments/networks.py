"""The network a reader's address belongs to, for limits and for counting readers once.

One person usually holds a whole IPv4 /24 (a home router's neighbours, a mobile carrier's
pool) or an IPv6 /64 (every device and every privacy address of one connection), so limits
and counts go by that network rather than by the single address, which such a reader can
rotate at will."""

import ipaddress

IPV4_PREFIX = 24
IPV6_PREFIX = 64


def ip_network_of(address) -> str:
    """The /24 (IPv4) or /64 (IPv6) network holding `address`, in CIDR notation:
    "203.0.113.0/24", "2001:db8:1:2::/64". An IPv4 address written as IPv6
    ("::ffff:203.0.113.7") counts as the IPv4 address. "" for no address (None or "").

    `address` is a string or an `ipaddress` address; raises ValueError for a string that
    is not an IP address (a zone index such as "fe80::1%eth0" is dropped first)."""
    if not address:
        return ""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.strip().split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network((address, prefix), strict=False))

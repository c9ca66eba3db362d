"""The network a reader's address belongs to, for limits and for counting readers once.

One person usually holds a whole IPv4 /24 (a home router's neighbours, a mobile carrier's
pool) or an IPv6 /64 (every device and every privacy address of one connection), so limits
and counts go by that network rather than by the single address, which such a reader can
rotate at will. Posting limits count one IPv4 address (a /24 would also hold back the
neighbours behind the same carrier) and one IPv6 /64 (`sender_network`); moderators' IP
rules are addresses or CIDR networks (`parse_network`)."""

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

IPV4_PREFIX = 24
IPV6_PREFIX = 64


def ip_network_of(
    address, *, ipv4_prefix: int = IPV4_PREFIX, ipv6_prefix: int = IPV6_PREFIX
) -> str:
    """The /24 (IPv4) or /64 (IPv6) network holding `address`, in CIDR notation:
    "203.0.113.0/24", "2001:db8:1:2::/64". An IPv4 address written as IPv6
    ("::ffff:203.0.113.7") counts as the IPv4 address. "" for no address (None or "").
    Other prefix lengths may be asked for.

    `address` is a string or an `ipaddress` address; raises ValueError for a string that
    is not an IP address (a zone index such as "fe80::1%eth0" is dropped first)."""
    if not address:
        return ""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.strip().split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = ipv4_prefix if address.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network((address, prefix), strict=False))


def parse_address(value) -> Address | None:
    """The address in `value` (text or an address), or None when there is none. An
    address with a port ("192.0.2.1:4711", "[2001:db8::1]:4711", as some proxies write
    X-Forwarded-For) is the address; an IPv6 zone ("fe80::1%eth0") is dropped; an IPv4
    address written as IPv6 is the IPv4 address."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        address = value
    else:
        text = str(value or "").strip()
        if text.startswith("["):
            text = text[1:].partition("]")[0]
        elif text.count(":") == 1:
            text = text.partition(":")[0]
        try:
            address = ipaddress.ip_address(text.partition("%")[0])
        except ValueError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def sender_network(address) -> str:
    """What the posting limits count as one sender: the IPv4 address ("192.0.2.1/32") or
    the IPv6 /64 ("2001:db8:1:2::/64"); "" when `address` is no address."""
    parsed = parse_address(address)
    return ip_network_of(parsed, ipv4_prefix=32) if parsed is not None else ""


def parse_network(value: str) -> Network | None:
    """A moderator's IP rule as a network: an address ("10.0.0.1" is that address only) or
    a CIDR network ("10.0.0.0/24", "2001:db8::/48"). None when it is neither."""
    try:
        network = ipaddress.ip_network((value or "").strip(), strict=False)
    except ValueError:
        return None
    mapped = getattr(network.network_address, "ipv4_mapped", None)
    if mapped is not None and network.prefixlen >= 96:
        return ipaddress.ip_network((mapped, network.prefixlen - 96), strict=False)
    return network


def in_network(address, network: Network | None) -> bool:
    parsed = parse_address(address)
    return parsed is not None and network is not None and parsed in network

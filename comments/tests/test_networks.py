import ipaddress

import pytest

from comments.networks import ip_network_of, parse_address, parse_network, sender_network


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("203.0.113.255", "203.0.113.0/24"),
        ("203.0.114.1", "203.0.114.0/24"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.7", "203.0.113.0/24"),
        ("fe80::1%eth0", "fe80::/64"),
        (" 198.51.100.9 ", "198.51.100.0/24"),
        (ipaddress.ip_address("198.51.100.9"), "198.51.100.0/24"),
    ],
)
def test_an_address_belongs_to_its_24_or_64_network(address, network):
    assert ip_network_of(address) == network


@pytest.mark.parametrize("address", [None, ""])
def test_no_address_has_no_network(address):
    assert ip_network_of(address) == ""


@pytest.mark.parametrize("address", ["10.0.0.1:8080", "not an address", "10.0.0.256", "١٠.0.0.1"])
def test_a_string_that_is_no_address_raises_value_error(address):
    with pytest.raises(ValueError):
        ip_network_of(address)


def test_a_sender_is_one_ipv4_address_or_one_ipv6_64():
    assert [
        sender_network(a)
        for a in [
            "192.0.2.1",
            "2001:db8:1:2:3:4:5:6",
            "::ffff:192.0.2.1",
            "192.0.2.1:80",
            "x",
            None,
        ]
    ] == ["192.0.2.1/32", "2001:db8:1:2::/64", "192.0.2.1/32", "192.0.2.1/32", "", ""]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("198.51.100.1:4711", "198.51.100.1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("unknown", None),
        ("", None),
    ],
)
def test_an_address_is_read_with_or_without_a_port(text, address):
    parsed = parse_address(text)
    assert (str(parsed) if parsed else None) == address


def test_a_rule_is_an_address_or_a_cidr_network():
    assert [str(parse_network(v)) for v in ["10.0.0.1", "10.0.0.7/24", "2001:DB8::/32"]] == [
        "10.0.0.1/32",
        "10.0.0.0/24",
        "2001:db8::/32",
    ]
    assert parse_network("10.0.0.") is None

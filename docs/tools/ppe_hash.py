#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reference model of the openppe flow-table hash (docs/hardware.md, "Hash").

Prints the test vectors that docs/hardware.md lists and that the driver's and
the emulator's KUnit suites check.  Run: python3 docs/tools/ppe_hash.py
"""

MASK = 0xFFFFFFFF


def rol32(v, r):
    return ((v << r) | (v >> (32 - r))) & MASK


def ppe_hash(words, seed):
    """MurmurHash3 (x86, 32-bit) of the key words taken as numbers."""
    h = seed & MASK
    for k in words:
        k = (k * 0xCC9E2D51) & MASK
        k = rol32(k, 15)
        k = (k * 0x1B873593) & MASK
        h ^= k
        h = rol32(h, 13)
        h = (h * 5 + 0xE6546B64) & MASK
    h ^= 4 * len(words)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK
    h ^= h >> 16
    return h


def buckets(words, seed0, seed1, nbuckets):
    b0 = ppe_hash(words, seed0) & (nbuckets - 1)
    b1 = ppe_hash(words, seed1) & (nbuckets - 1)
    if b1 == b0:
        b1 = b0 ^ 1
    return b0, b1


def ip4(s):
    a = [int(x) for x in s.split(".")]
    return (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]


def ip6(s):
    import ipaddress
    b = ipaddress.IPv6Address(s).packed
    return [int.from_bytes(b[i:i + 4], "big") for i in range(0, 16, 4)]


def key(iport, ipv6, proto, vlan_cnt, vid0, vid1, sport, dport, sip, dip):
    """The 11 key words w1..w11 of a flow-table entry."""
    w1 = (iport & 0xF) | ((vlan_cnt & 3) << 4) | ((1 if ipv6 else 0) << 6) | ((proto & 0xFF) << 8)
    w2 = (vid0 & 0xFFF) | ((vid1 & 0xFFF) << 16)
    w3 = (sport & 0xFFFF) | ((dport & 0xFFFF) << 16)
    if ipv6:
        s, d = ip6(sip), ip6(dip)
    else:
        s, d = [ip4(sip), 0, 0, 0], [ip4(dip), 0, 0, 0]
    return [w1, w2, w3] + s + d


VECTORS = [
    # (name, key args, seed0, seed1, nbuckets)
    ("ipv4-tcp", (1, False, 6, 0, 0, 0, 40000, 80, "192.168.1.10", "203.0.113.7"),
     0x00000000, 0x9E3779B9, 256),
    ("ipv4-udp-vlan", (0, False, 17, 1, 100, 0, 5353, 53, "198.51.100.2", "10.0.0.1"),
     0x12345678, 0x87654321, 1024),
    ("ipv4-tcp-qinq", (2, False, 6, 2, 10, 20, 1, 65535, "10.1.2.3", "10.3.2.1"),
     0xDEADBEEF, 0x0BADF00D, 4),
    ("ipv6-tcp", (1, True, 6, 0, 0, 0, 51000, 443, "2001:db8::10", "2001:db8:1::7"),
     0x00000001, 0x00000002, 16384),
    ("ipv6-udp", (0, True, 17, 0, 0, 0, 4500, 4500, "fd00::1", "fd00:0:0:1::2"),
     0xFFFFFFFF, 0x00000000, 2),
    # both hashes land in the same bucket: b1 becomes b0 ^ 1
    ("ipv4-udp-collide", (3, False, 17, 0, 0, 0, 12345, 123, "172.16.0.1", "172.16.0.2"),
     0x00005EED, 0x00000004, 8),
]


def main():
    print("| vector | key words w1..w11 (hex) | seed0 | seed1 | hash(seed0) | hash(seed1) | buckets | b0 | b1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, args, s0, s1, nb in VECTORS:
        w = key(*args)
        h0, h1 = ppe_hash(w, s0), ppe_hash(w, s1)
        b0, b1 = buckets(w, s0, s1, nb)
        print(f"| {name} | {' '.join(f'{x:08x}' for x in w)} | 0x{s0:08x} | 0x{s1:08x} "
              f"| 0x{h0:08x} | 0x{h1:08x} | {nb} | {b0} | {b1} |")


if __name__ == "__main__":
    main()

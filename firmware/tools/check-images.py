#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the built firmware images against docs/hardware.md 5.1 with zlib."""

import struct
import sys
import zlib


def parse(path):
    with open(path, "rb") as f:
        img = f.read()
    magic, fmt, hdr_len, hw, ver, feat, plen = struct.unpack_from("<IHHIIII", img)
    return img, magic, fmt, hdr_len, hw, ver, feat, plen


def main(out):
    bad = 0

    def expect(cond, what):
        nonlocal bad
        print(("ok     " if cond else "FAILED ") + what)
        bad += not cond

    for name in ("ppe-v1", "ppe-v1-noipv6"):
        img, magic, fmt, hdr_len, hw, ver, feat, plen = parse(f"{out}/{name}.bin")
        expect(magic == 0x5746504F and fmt == 1 and hdr_len == 64, f"{name}: header")
        expect(hw == 1, f"{name}: hw_compat 1")
        expect(len(img) == 64 + plen + 4, f"{name}: length")
        crc = struct.unpack_from("<I", img, 64 + plen)[0]
        expect(crc == zlib.crc32(img[: 64 + plen]), f"{name}: CRC matches zlib")
        want = 0xFF if name == "ppe-v1" else 0x73
        expect(feat == want, f"{name}: features {feat:#x}")

    img, *_, plen = parse(f"{out}/ppe-v1-badcrc.bin")
    expect(struct.unpack_from("<I", img, 64 + plen)[0] != zlib.crc32(img[: 64 + plen]),
           "badcrc: CRC wrong")
    img, _, _, _, hw, *_ = parse(f"{out}/ppe-v1-wronghw.bin")
    expect(hw == 2, "wronghw: hw_compat 2")
    img, *_, plen = parse(f"{out}/ppe-v1-truncated.bin")
    expect(len(img) < 64 + plen + 4, "truncated: short")
    img, magic, *_ = parse(f"{out}/ppe-v1-badmagic.bin")
    expect(magic != 0x5746504F, "badmagic: magic wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

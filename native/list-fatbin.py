#!/usr/bin/env python3
"""Lists the entries of a CUDA fatbin (what `cuobjdump --list-elf/--list-ptx` shows), from its header.

Usage: native/list-fatbin.py FILE [--expect sm_80,sm_90,compute_121,...]
Format (little-endian): header {u32 magic 0xBA55ED50, u16 version, u16 header size, u64 body size};
then entries {u16 kind (1 = PTX, 2 = ELF/SASS), u16 version, u32 entry header size, u32 padded
payload size, ..., u32 arch (e.g. 90) at byte 28}. Exits 1 when an expected entry is missing.
"""
import struct
import sys


def entries(path):
    b = open(path, "rb").read()
    magic, _ver, hsz, body = struct.unpack_from("<IHHQ", b, 0)
    if magic != 0xBA55ED50:
        raise SystemExit(f"{path}: not a fatbin (magic {magic:#x})")
    off, end = hsz, hsz + body
    while off < end:
        kind, _ev, ehs, padded = struct.unpack_from("<HHII", b, off)
        arch = struct.unpack_from("<I", b, off + 28)[0]
        yield ("compute_" if kind == 1 else "sm_") + str(arch), padded
        off += ehs + padded


def main():
    path = sys.argv[1]
    found = list(entries(path))
    for name, size in found:
        print(f"{'PTX ' if name.startswith('compute_') else 'ELF '} {name:12s} {size:9d} bytes")
    if len(sys.argv) > 3 and sys.argv[2] == "--expect":
        names = {n for n, _ in found}
        missing = [e for e in sys.argv[3].split(",") if e and e not in names]
        if missing:
            print("missing: " + ", ".join(missing))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Make the CIDs of an embedded CID-keyed CFF font equal its glyph numbers.

WeasyPrint writes each glyph's number (GID) into the content stream as the code of
an Identity-H font, and declares the font a CIDFontType0 whose CIDs are those codes.
The PDF specification has a viewer look a CID up in the CFF charset, which maps each
glyph to a CID. That agrees with the codes only when the charset maps glyph n to CID n,
as full Noto CJK fonts happen to; a font cut down by a subsetter (docgen's GB 2312
faces), or any CID-keyed font with another ordering, keeps its original CIDs, and a
strict viewer (MuPDF, SumatraPDF) then finds no glyph and draws nothing.

The fix is to rewrite the charset as the identity (glyph n is CID n). An identity
charset never needs more bytes than the one it replaces, so it is written in place:
no offset in the font moves and nothing else is recompiled.
"""
from __future__ import annotations

import struct

_CHARSET = (15,)  # Top DICT operators
_CHARSTRINGS = (17,)
_ROS = (12, 30)
_CID_COUNT = (12, 34)


def _index(data: bytes, pos: int) -> tuple[list[tuple[int, int]], int]:
    """The (start, end) of each item of the INDEX at `pos`, and the position after it."""
    count = struct.unpack_from(">H", data, pos)[0]
    if count == 0:
        return [], pos + 2
    size = data[pos + 2]
    offsets = [int.from_bytes(data[pos + 3 + i * size:pos + 3 + (i + 1) * size], "big") for i in range(count + 1)]
    base = pos + 2 + (count + 1) * size
    return [(base + offsets[i], base + offsets[i + 1]) for i in range(count)], base + offsets[-1]


def _dict(data: bytes) -> dict[tuple[int, ...], list[float]]:
    """The operators of a DICT with their operands."""
    found: dict[tuple[int, ...], list[float]] = {}
    operands: list[float] = []
    pos = 0
    while pos < len(data):
        b0 = data[pos]
        if b0 <= 21:
            if b0 == 12:
                key: tuple[int, ...] = (12, data[pos + 1])
                pos += 2
            else:
                key = (b0,)
                pos += 1
            found[key] = operands
            operands = []
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, pos + 1)[0])
            pos += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, pos + 1)[0])
            pos += 5
        elif b0 == 30:  # a real number: nibbles up to an 0xf nibble; its value is never needed here
            pos += 1
            while pos < len(data) and (data[pos] & 0x0F) != 0x0F and (data[pos] >> 4) != 0x0F:
                pos += 1
            pos += 1
            operands.append(0.0)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            pos += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[pos + 1] + 108)
            pos += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[pos + 1] - 108)
            pos += 2
        else:
            raise ValueError(f"CFF DICT byte {b0} is reserved")
    return found


def _charset(data: bytes, pos: int, glyphs: int) -> tuple[list[int], int]:
    """The CID of glyphs 1…glyphs-1 and the charset's length in bytes."""
    fmt = data[pos]
    cids: list[int] = []
    at = pos + 1
    if fmt == 0:
        cids = list(struct.unpack_from(f">{glyphs - 1}H", data, at))
        at += 2 * (glyphs - 1)
    elif fmt in (1, 2):
        left_size = 1 if fmt == 1 else 2
        while len(cids) < glyphs - 1:
            first = struct.unpack_from(">H", data, at)[0]
            left = int.from_bytes(data[at + 2:at + 2 + left_size], "big")
            cids.extend(range(first, first + left + 1))
            at += 2 + left_size
        del cids[glyphs - 1:]
    else:
        raise ValueError(f"CFF charset format {fmt} is unknown")
    return cids, at - pos


def _is_identity(data: bytes, pos: int, glyphs: int) -> bool:
    """Whether the charset at `pos` already maps glyph n to CID n (read without listing the CIDs)."""
    fmt = data[pos]
    if fmt == 0:
        return data[pos + 1:pos + 1 + 2 * (glyphs - 1)] == _identity_table(glyphs)
    if fmt in (1, 2):  # one range 1 … glyphs-1 (several adjacent ranges are left to the full reading)
        left = int.from_bytes(data[pos + 3:pos + (4 if fmt == 1 else 5)], "big")
        return struct.unpack_from(">H", data, pos + 1)[0] == 1 and left == glyphs - 2
    return False


_IDENTITY_TABLE = struct.pack(">65535H", *range(1, 65536))  # CIDs 1 … 65535, a format 0 charset's body


def _identity_table(glyphs: int) -> bytes:
    """The format 0 charset body of glyphs 1 … glyphs-1 as CIDs 1 … glyphs-1."""
    return _IDENTITY_TABLE[:2 * (glyphs - 1)]


def _identity(glyphs: int, room: int) -> bytes:
    """The shortest identity charset for `glyphs` glyphs that fits in `room` bytes."""
    last = glyphs - 2  # glyphs 1 … glyphs-1 as one range
    candidates = []
    if last <= 0xFF:
        candidates.append(struct.pack(">BHB", 1, 1, last))
    candidates.append(struct.pack(">BHH", 2, 1, last))
    candidates.append(struct.pack(f">B{glyphs - 1}H", 0, *range(1, glyphs)))
    for candidate in candidates:
        if len(candidate) <= room:
            return candidate
    raise ValueError("no identity charset fits")  # pragma: no cover - format 0 always fits


def identity_cff(cff: bytes) -> bytes:
    """The CFF table with glyph n as CID n; unchanged when it already is, or is not CID-keyed."""
    major, _minor, header_size = cff[0], cff[1], cff[2]
    if major != 1:
        return cff  # CFF2 has no charset
    _, pos = _index(cff, header_size)  # Name INDEX
    tops, _ = _index(cff, pos)
    if len(tops) != 1:
        return cff
    top = _dict(cff[slice(*tops[0])])
    if _ROS not in top or _CHARSET not in top or _CHARSTRINGS not in top:
        return cff
    glyphs = struct.unpack_from(">H", cff, int(top[_CHARSTRINGS][0]))[0]  # the CharStrings INDEX's count
    if glyphs < 2:
        return cff
    cid_count = int(top.get(_CID_COUNT, [8720])[0])
    at = int(top[_CHARSET][0])
    if _is_identity(cff, at, glyphs):
        return cff
    cids, length = _charset(cff, at, glyphs)
    if cids == list(range(1, glyphs)):
        return cff
    if glyphs > cid_count:
        raise ValueError(f"{glyphs} glyphs do not fit in CIDCount {cid_count}")
    patched = bytearray(cff)
    new = _identity(glyphs, length)
    patched[at:at + len(new)] = new
    return bytes(patched)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def identity_font(data: bytes) -> bytes:
    """A bare CFF or an OpenType (CFF) font whose CIDs are its glyph numbers; other fonts unchanged."""
    if data[:4] != b"OTTO":
        if len(data) > 4 and data[0] == 1 and data[2] >= 4:
            return identity_cff(data)
        return data
    tables = struct.unpack_from(">H", data, 4)[0]
    records = {}
    for i in range(tables):
        record = 12 + 16 * i
        tag, _, offset, length = struct.unpack_from(">4sIII", data, record)
        records[tag] = (record, offset, length)
    if b"CFF " not in records:
        return data
    record, offset, length = records[b"CFF "]
    cff = data[offset:offset + length]
    fixed = identity_cff(cff)
    if fixed is cff or fixed == cff:
        return data
    font = bytearray(data)
    font[offset:offset + length] = fixed
    struct.pack_into(">I", font, record + 4, _checksum(fixed))
    if b"head" in records:  # the whole-font checksum, as the OpenType specification defines it
        head = records[b"head"][1]
        struct.pack_into(">I", font, head + 8, 0)
        struct.pack_into(">I", font, head + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)

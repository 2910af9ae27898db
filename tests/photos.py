"""Phone-like photos for the tests: large, textured like a real scene, optionally stored sideways."""
from __future__ import annotations

import struct
from pathlib import Path

import pillow_heif
from PIL import Image, ImageDraw, ImageFilter


def phone_photo(path: Path, size: tuple[int, int] = (4032, 3024), seed: int = 0, orientation: int | None = None,
                fmt: str = "JPEG") -> Path:
    """A photo of `size` pixels (a sky, a building, people-sized shapes and sensor noise), saved at a phone's
    quality; `orientation` sets the EXIF tag (6: the camera was turned, the picture is stored sideways). A HEIF
    (fmt="HEIF", an iPhone's HEIC) stored sideways has the turn in its irot box and the EXIF note beside it, as an
    iPhone writes it: libheif writes the box from the EXIF orientation."""
    width, height = size
    sky = Image.linear_gradient("L").resize(size).convert("RGB")
    scene = Image.merge("RGB", [sky.getchannel(0).point(lambda v: 90 + v // 3),
                                sky.getchannel(0).point(lambda v: 120 + v // 4),
                                sky.getchannel(0).point(lambda v: 200 - v // 5)])
    draw = ImageDraw.Draw(scene)
    for n in range(14):  # buildings, banners and people, different in each photo
        x = (seed * 977 + n * 613) % width
        y = height // 3 + (seed * 131 + n * 257) % (height // 2)
        w, h = width // 9 + (n * 83) % (width // 7), height // 6 + (n * 57) % (height // 4)
        colour = ((seed * 40 + n * 70) % 256, (n * 90 + 30) % 256, (seed * 25 + n * 45) % 256)
        draw.rectangle((x, y, x + w, y + h), fill=colour)
        draw.ellipse((x + w // 4, y - h // 3, x + w // 2, y), fill=(230, 190, 160))
    noise = Image.effect_noise(size, 18).convert("RGB")
    scene = Image.blend(scene.filter(ImageFilter.GaussianBlur(2)), noise, 0.12)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if fmt == "JPEG":
        scene.save(path, fmt, quality=92, exif=exif.tobytes())
    elif fmt == "HEIF":
        save_heif(scene, path, exif)
    else:
        scene.save(path, fmt)
    return path


def save_heif(picture: Image.Image, path: Path, exif: Image.Exif | None = None,
              icc_profile: bytes | None = None) -> Path:
    """`picture` saved as a HEIC by the libheif and x265 of pillow-heif's wheel (at x265's fastest preset: a second
    for a photo), without registering pillow-heif with Pillow: docgen must do that itself."""
    if icc_profile:
        picture.info["icc_profile"] = icc_profile
    pillow_heif.from_pillow(picture).save(path, exif=(exif or Image.Exif()).tobytes(),
                                          enc_params={"preset": "ultrafast"})
    return path


def heif_orientation(path: Path) -> int | None:
    """The orientation a HEIF's EXIF note gives (which a HEIF reader must not apply: irot/imir say how to turn)."""
    exif = Image.Exif()
    exif.load(pillow_heif.open_heif(path).info["exif"])
    return exif.get(0x0112)


def heif_boxes(path: Path) -> dict[str, bytes]:
    """The boxes of a HEIF's item properties (ispe: the stored width and height; irot: the turn to apply)."""
    data = path.read_bytes()
    data = data[:data.find(b"mdat")]  # the boxes that describe the picture come before its coded data
    found = {}
    for name in (b"ispe", b"irot", b"imir"):
        at = data.find(name)
        if at > 0:
            length = struct.unpack(">I", data[at - 4:at])[0]
            found[name.decode()] = data[at + 4:at - 4 + length]
    return found


QUADRANTS = {"top left": (220, 30, 30), "top right": (30, 200, 60), "bottom left": (40, 60, 220),
             "bottom right": (240, 220, 40)}


def quadrants(path: Path, size: tuple[int, int], orientation: int | None = None, fmt: str = "JPEG") -> Path:
    """A picture stored as four coloured quarters (QUADRANTS, as stored), so that which way it was turned shows."""
    width, height = size
    picture = Image.new("RGB", size)
    for name, colour in QUADRANTS.items():
        left = width // 2 if "right" in name else 0
        top = height // 2 if "bottom" in name else 0
        picture.paste(colour, (left, top, left + width // 2, top + height // 2))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if fmt == "HEIF":
        return save_heif(picture, path, exif)
    picture.save(path, fmt, exif=exif.tobytes(), **({"quality": 92} if fmt == "JPEG" else {}))
    return path


def corners(image: Image.Image) -> dict[str, tuple[int, int, int]]:
    """The colour at the middle of each quarter of `image`, as shown."""
    width, height = image.size
    return {name: image.convert("RGB").getpixel((width * (3 if "right" in name else 1) // 4,
                                                  height * (3 if "bottom" in name else 1) // 4))
            for name in QUADRANTS}


def near(found: tuple[int, ...], wanted: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(found, wanted))


def emf_drawing() -> bytes:
    """An EMF as Office keeps a copied drawing: its header (bounds, frame, the " EMF" signature), a rectangle,
    the end."""
    rectangle = struct.pack("<II4i", 43, 24, 10, 10, 90, 60)  # EMR_RECTANGLE
    end = struct.pack("<5I", 14, 20, 0, 16, 20)  # EMR_EOF
    size = 88 + len(rectangle) + len(end)
    header = struct.pack("<II4i4i4sIIIHHIII2i2i", 1, 88, 0, 0, 100, 70, 0, 0, 2646, 1852, b" EMF", 0x10000, size, 3, 1,
                         0, 0, 0, 0, 1920, 1080, 508, 286)  # EMR_HEADER
    return header + rectangle + end


def wmf_drawing() -> bytes:
    """A placeable WMF (the older Windows drawing): its placement header, the metafile header, the end record."""
    placement = struct.pack("<IH4hHI", 0x9AC6CDD7, 0, 0, 0, 1000, 700, 1440, 0)
    checksum = 0
    for (word,) in struct.iter_unpack("<H", placement):
        checksum ^= word
    header = struct.pack("<HHHIHIH", 1, 9, 0x0300, 12, 0, 3, 0)
    return placement + struct.pack("<H", checksum) + header + struct.pack("<IH", 3, 0)  # META_EOF


def display_p3_profile() -> bytes:
    """An ICC (v2) profile of Display P3, the colour space of an iPhone's photos: its primaries (adapted to D50, as
    Apple's profile gives them) with a 2.2 gamma."""
    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + bytes(4) + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))

    description = b"Display P3 (test)\0"
    tags = {b"desc": b"desc" + bytes(4) + struct.pack(">I", len(description)) + description + bytes(4 + 4 + 2 + 1 + 67),
            b"wtpt": xyz(0.9642, 1.0, 0.8249),
            b"rXYZ": xyz(0.515121, 0.241196, -0.001053), b"gXYZ": xyz(0.291977, 0.692245, 0.041885),
            b"bXYZ": xyz(0.157104, 0.066574, 0.784073),
            b"rTRC": b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0233) + bytes(2),  # gamma 2.2 as u8Fixed8
            b"cprt": b"text" + bytes(4) + b"none\0"}
    tags[b"gTRC"] = tags[b"bTRC"] = tags[b"rTRC"]
    table, body = [], b""
    start = 128 + 4 + 12 * len(tags)
    for signature, data in tags.items():
        table.append(struct.pack(">4sII", signature, start + len(body), len(data)))
        body += data + bytes(-len(data) % 4)
    size = start + len(body)
    header = (struct.pack(">I4sI4s4s4s", size, bytes(4), 0x02100000, b"mntr", b"RGB ", b"XYZ ") + bytes(12) + b"acsp"
              + bytes(24) + struct.pack(">I3i", 0, *(round(v * 65536) for v in (0.9642, 1.0, 0.8249))) + bytes(48))
    return header + struct.pack(">I", len(tags)) + b"".join(table) + body

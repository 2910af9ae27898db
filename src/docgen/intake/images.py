"""Read stage, for 活动照片: which pictures docgen can print, and decoding one upright.

One decoder reads every photo: Pillow, with pillow-heif registered for HEIC/HEIF (an iPhone's
photos, whatever their file is named). A picture is judged by its content, never by its name.
What Pillow reads faithfully as one still picture is accepted (KINDS, in the colour modes of
MODES); vector drawings (EMF/WMF from Office, SVG), animations and multi-page images, and
pictures of more than MOST_PIXELS are refused with their own codes. A picture is made
ready as it looks: upright, on white where transparent, its colours in sRGB (through its ICC
profile when it has one). This module knows nothing of sheets, documents or renderers.

A few hundred kilobytes of PNG can declare 13 000 × 13 000 pixels, which take gigabytes once
decoded and turned into colour. So the pixels a picture declares in its header are counted
before anything is decoded, by the check and by upright() alike (a picture swapped after it was
checked is refused all the same), against docgen's own MOST_PIXELS rather than Pillow's
MAX_IMAGE_PIXELS, which only warns up to twice its figure. What upright() decodes is bounded:
a JPEG at JPEG's reduced scales, any other picture in its own colour mode (at most 4 bytes a
pixel), then flattened and brought near the printed size a band of rows at a time, and only
then turned and converted.
"""
from __future__ import annotations

import functools
import io
import math
from typing import Any

from ..errors import DocgenError
from ..messages import message

# the most pixels a photo may declare: a 48-megapixel phone photo (8 000 × 6 000) passes; decoded in its own
# colour mode it takes at most 4 bytes a pixel (200 MB), a HEIC about 7 while libheif hands it over
MOST_PIXELS = 50_000_000

# Pillow's name of a format → the name a clerk knows it by
KINDS = {"JPEG": "JPG", "MPO": "JPG", "PNG": "PNG", "HEIF": "HEIC", "WEBP": "WebP", "GIF": "GIF", "BMP": "BMP",
         "DIB": "BMP", "TIFF": "TIFF", "AVIF": "AVIF"}
# the file names a photo sent on its own may have (what is inside is checked all the same)
SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif")
# colour modes turned into RGB faithfully (16-bit grey scaled, transparency laid on white paper)
MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr",
                   "I;16", "I;16L", "I;16B", "I;16N"})
# formats whose first picture stands for all the others (the photo of an MPO or a HEIC beside its depth map or
# its other exposures); other formats with more than one frame are animations or multi-page files
PRIMARY_ONLY = frozenset({"MPO", "HEIF"})
_DECODED_BY_JPEG = frozenset({"JPEG", "MPO"})  # decoded at 1/2, 1/4 … of the size straight away


class TooManyPixels(DocgenError, OSError):
    """A picture declares more pixels than MOST_PIXELS: refused before it is decoded."""

    def __init__(self, size: tuple[int, int] | None) -> None:
        super().__init__(message("photo_pixels_unprinted", **pixels_context(size)))
        self.size = size


@functools.cache
def _pillow() -> Any:
    """Pillow's Image module, with HEIC/HEIF opened by pillow-heif (which turns a HEIC upright by its irot/imir
    boxes and sets its EXIF orientation to 1, so that turning by EXIF afterwards does nothing more)."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return Image


def vector_kind(data: bytes) -> str | None:
    """EMF, WMF or SVG when `data` is such a drawing (Office pastes EMF/WMF), else None."""
    if data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF":
        return "EMF"
    if data[:4] == b"\xd7\xcd\xc6\x9a" or (data[:2] in (b"\x01\x00", b"\x02\x00") and data[2:4] == b"\x09\x00"
                                          and data[4:6] in (b"\x00\x01", b"\x00\x03")):
        return "WMF"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "SVG"
    return None


def problem(data: bytes) -> tuple[str, dict[str, Any]] | None:
    """Why the picture in `data` cannot be printed, as a code and its context; None if it can."""
    vector = vector_kind(data)
    if vector is not None:
        return "photo_vector", {"format": vector}
    Image = _pillow()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, mode, size = image.format, image.mode, image.size
            if too_many_pixels(size):  # told before its frames are counted or its data gone through
                return "photo_too_many_pixels", pixels_context(size)
            frames = getattr(image, "n_frames", 1)
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's refusal: no size to say
        return "photo_too_many_pixels", pixels_context(None)
    except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return "photo_unreadable", {}
    if kind not in KINDS:
        return "photo_format", {"format": kind or "未知"}
    if mode not in MODES:
        return "photo_format", {"format": f"{KINDS[kind]}（{mode} 色彩模式）"}
    if frames > 1 and kind not in PRIMARY_ONLY:
        return "photo_frames", {"format": KINDS[kind], "frames": frames}
    return None


def too_many_pixels(size: tuple[int, int]) -> bool:
    """Whether a picture of `size` (as its header declares it) has more pixels than MOST_PIXELS."""
    return size[0] * size[1] > MOST_PIXELS


def pixels_context(size: tuple[int, int] | None) -> dict[str, Any]:
    """The context of photo_too_many_pixels: the picture's size and pixels, when known (Pillow's own refusal of a
    picture beyond twice its MAX_IMAGE_PIXELS does not say them), and the limit, in 万 pixels."""
    shown = f"（{size[0]} × {size[1]}，约 {_wan(size[0] * size[1])} 万像素）" if size else ""
    return {"size": shown, "most": _wan(MOST_PIXELS)}


def _wan(pixels: int) -> str:
    return f"{pixels / 10_000:.0f}"


def upright(data: bytes, longest: int) -> Any:
    """The picture in `data` as an sRGB image standing the way it was taken (EXIF orientation, or a HEIC's
    irot/imir, applied once), at most `longest` px on its longest side (never enlarged), on white paper where
    it was transparent, its colours turned from its embedded ICC profile (a phone's Display P3, a print shop's
    CMYK) into sRGB, which the PDF and Word assume. Raises TooManyPixels, before decoding, for a picture beyond
    MOST_PIXELS, and OSError (or Pillow's errors) when it cannot be decoded."""
    Image = _pillow()
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if too_many_pixels(image.size):
                raise TooManyPixels(image.size)
            scale = longest / max(width, height)
            if scale < 1 and image.format in _DECODED_BY_JPEG:  # the smallest size still above the target
                image.draft("RGB", (int(width * scale), int(height * scale)))
            image.load()
            turn = _TURNS.get(image.getexif().get(_ORIENTATION, 1))  # a HEIC's is 1 here: turned on decoding
            profile = image.info.get("icc_profile")
            picture = _flat_near(image, longest)
            if turn is not None:
                picture = picture.transpose(Image.Transpose[turn])
            picture.thumbnail((longest, longest), Image.LANCZOS)
            picture = _srgb(picture, profile)
            return picture.copy() if picture is image else picture  # closing the file drops its pixels
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooManyPixels(None) from None
    except (SyntaxError, EOFError, RuntimeError) as exc:  # how Pillow and libheif say a file is broken
        raise OSError(str(exc) or type(exc).__name__) from exc


_ORIENTATION = 0x0112  # EXIF's Orientation → how to turn the pixels to stand as taken
_TURNS = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 6: "ROTATE_270",
          7: "TRANSVERSE", 8: "ROTATE_90"}  # as ImageOps.exif_transpose turns them


def _flat_near(image: Any, longest: int) -> Any:
    """`image` flattened (_flat) and cut by a whole factor to no less than `longest` on its longest side, a band
    of rows at a time: a palette's, a 1-bit or a transparent picture is never turned into colour at its full size."""
    factor = max(image.size) // longest
    if factor < 2:
        return _flat(image)
    rows = max(1, _BAND_PIXELS // image.width // factor) * factor
    bands = [_flat(image.crop((0, top, image.width, min(top + rows, image.height)))).reduce(factor)
             for top in range(0, image.height, rows)]
    picture = _pillow().new(bands[0].mode, (bands[0].width, sum(band.height for band in bands)))
    top = 0
    for band in bands:
        picture.paste(band, (0, top))
        top += band.height
    return picture


_BAND_PIXELS = 4_000_000  # about 16 MB of colour at a time


def _flat(image: Any) -> Any:
    """`image` as one layer of 8-bit colour, as it looks on white paper: RGB, or L and CMYK as they are (their
    profile, if any, describes them)."""
    Image = _pillow()
    if image.mode.startswith("I;16"):  # 16-bit grey: 0–65535 onto 0–255 (a plain conversion would clip to white)
        image = image.convert("I").point(lambda v: v / 257).convert("L")
    if image.has_transparency_data:
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image if image.mode in ("RGB", "L", "CMYK") else image.convert("RGB")


_SPACES = {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}  # an ICC profile's colour space → the mode it describes


def _srgb(picture: Any, profile: bytes | None) -> Any:
    """`picture` in sRGB: through its ICC profile when that describes pixels of its mode, else as they are."""
    if profile:
        from PIL import ImageCms

        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            described = _SPACES.get(source.profile.xcolor_space.strip())
            if described == picture.mode and not (source.profile.profile_description or "").startswith("sRGB"):
                return ImageCms.profileToProfile(picture, source, _srgb_profile(), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):  # a broken profile: the pixels as they are
            pass
    return picture if picture.mode == "RGB" else picture.convert("RGB")


@functools.cache
def _srgb_profile() -> Any:
    from PIL import ImageCms

    return ImageCms.createProfile("sRGB")

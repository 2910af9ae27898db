"""Phone-like photos for the tests: large, textured like a real scene, optionally stored sideways."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter


def phone_photo(path: Path, size: tuple[int, int] = (4032, 3024), seed: int = 0, orientation: int | None = None,
                fmt: str = "JPEG") -> Path:
    """A photo of `size` pixels (a sky, a building, people-sized shapes and sensor noise), saved at a phone's
    quality; `orientation` sets the EXIF tag (6: the camera was turned, the picture is stored sideways)."""
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
    scene.save(path, fmt, quality=92, exif=exif.tobytes()) if fmt == "JPEG" else scene.save(path, fmt)
    return path

"""The pictures pasted into a workbook, carried into its marked copy (annotate.py) as the bytes they are.

openpyxl opens every pasted picture with Pillow when it loads a workbook and writes it again when it saves one:
a BMP, TIFF, WebP or MPO is decoded and saved as a PNG of full size, a picture beyond twice Pillow's
MAX_IMAGE_PIXELS stops the load (DecompressionBombError), a WMF or EMF is dropped, and a kind the manifest's
table does not name (.webp) stops the save. So openpyxl is never shown a picture: each image part is replaced,
in the package it loads, by a stand-in of a few bytes that names the part it stands for, and in the package it
saved each stand-in is replaced by the original part's bytes, under the original's extension and content type.
A picture whose part is not in the workbook, or whose kind the workbook does not declare, cannot be carried: it
is left out of the copy (StandIns.leave_out) and the copy says so. Nothing here decodes a picture, and
nothing knows of issues or sheets' meaning.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from defusedxml.ElementTree import parse
from lxml import etree

_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_IMAGE = "/image"  # how every image relationship's Type ends (transitional and strict)
_STAND_IN_KEY = "docgen-part"


@dataclass(frozen=True)
class LeftOut:
    """A pasted picture the copy could not carry: where its top-left corner is and the part it named."""

    sheet: str
    cell: str
    part: str
    missing: bool  # the part is not in the workbook (else its kind is not declared)


@dataclass
class StandIns:
    """The image parts of one workbook and the stand-in that replaces each while openpyxl holds the workbook."""

    original: zipfile.ZipFile
    names: set[str] = field(default_factory=set)  # the parts of `original`
    by_part: dict[str, bytes] = field(default_factory=dict)  # image part → its stand-in
    kinds: dict[str, str] = field(default_factory=dict)  # image part → its declared content type (carriable ones)

    def package(self) -> IO[bytes]:
        """The workbook with every image part replaced by its stand-in (a missing one added), for openpyxl."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for info in self.original.infolist():
                if info.filename not in self.by_part:
                    target.writestr(info.filename, self.original.read(info))
            for part, stand_in in self.by_part.items():
                target.writestr(part, stand_in)
        buffer.seek(0)
        return buffer

    def leave_out(self, book: Any) -> list[LeftOut]:
        """Take out of the loaded `book` every picture that cannot be carried; return where each was."""
        parts = {stand_in: part for part, stand_in in self.by_part.items()}
        left: list[LeftOut] = []
        for sheet in book.worksheets:
            kept = []
            for image in sheet._images:  # openpyxl's list of a sheet's pictures (add_image appends to it)
                part = parts.get(_bytes_of(image))
                if part is None or part in self.kinds:
                    kept.append(image)
                else:
                    missing = part not in self.names
                    left.append(LeftOut(sheet.title, _corner(image.anchor), part, missing))
            sheet._images = kept
        return left

    def carry(self, saved: bytes) -> bytes:
        """The package openpyxl `saved`, each stand-in replaced by the bytes of the part it stands for."""
        parts = {stand_in: part for part, stand_in in self.by_part.items()}
        with zipfile.ZipFile(io.BytesIO(saved)) as source:
            entries = [(info.filename, source.read(info)) for info in source.infolist()]
        carried = {name: parts[data] for name, data in entries if data in parts}  # saved part → original part
        renamed = {name: posixpath.splitext(name)[0] + posixpath.splitext(part)[1] for name, part in carried.items()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in entries:
                if name in carried:
                    with self.original.open(carried[name]) as picture, target.open(renamed[name], "w") as out:
                        while chunk := picture.read(1 << 20):
                            out.write(chunk)
                    continue
                if name == "[Content_Types].xml":
                    data = _declared(data, {renamed[old]: self.kinds[part] for old, part in carried.items()})
                elif name.endswith(".rels"):
                    data = _retargeted(data, renamed)
                target.writestr(name, data)
        return buffer.getvalue()


def stand_ins(original: zipfile.ZipFile) -> StandIns:
    """The image parts the relationships of `original` point at, each with a stand-in PNG of its own."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    names = set(original.namelist())
    declared = _content_types(original, names)
    found = StandIns(original, names)
    for rels in sorted(n for n in names if n.endswith(".rels") and posixpath.basename(posixpath.dirname(n)) == "_rels"):
        source_folder = posixpath.dirname(posixpath.dirname(rels))
        with original.open(rels) as handle:
            relations = parse(handle).getroot().iter(f"{{{_RELS}}}Relationship")
            for relation in relations:
                target = relation.get("Target", "")
                if not relation.get("Type", "").endswith(_IMAGE) or relation.get("TargetMode") == "External":
                    continue
                part = (target.lstrip("/") if target.startswith("/")
                        else posixpath.normpath(posixpath.join(source_folder, target)))
                if part in found.by_part:
                    continue
                info = PngInfo()
                info.add_text(_STAND_IN_KEY, part)
                buffer = io.BytesIO()
                Image.new("1", (1, 1)).save(buffer, "PNG", pnginfo=info)
                found.by_part[part] = buffer.getvalue()
                kind = declared(part)
                if part in names and kind:
                    found.kinds[part] = kind
    return found


def _content_types(original: zipfile.ZipFile, names: set[str]) -> Any:
    """part → the content type the workbook declares for it (its own Override, else its extension's Default)."""
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    if "[Content_Types].xml" in names:
        with original.open("[Content_Types].xml") as handle:
            root = parse(handle).getroot()
        for element in root.iter(f"{{{_TYPES}}}Override"):
            overrides[element.get("PartName", "").lstrip("/").lower()] = element.get("ContentType", "")
        for element in root.iter(f"{{{_TYPES}}}Default"):
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")

    def declared(part: str) -> str:
        return overrides.get(part.lower()) or defaults.get(posixpath.splitext(part)[1][1:].lower(), "")
    return declared


def _declared(data: bytes, kinds: dict[str, str]) -> bytes:
    """openpyxl's [Content_Types].xml with an Override for each carried picture, of the type its workbook gave."""
    root = etree.fromstring(data)  # openpyxl's own output
    for element in list(root.iter(f"{{{_TYPES}}}Override")):
        if element.get("PartName", "").lstrip("/") in kinds:
            root.remove(element)
    for part, kind in kinds.items():
        etree.SubElement(root, f"{{{_TYPES}}}Override", PartName=f"/{part}", ContentType=kind)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)


def _retargeted(data: bytes, renamed: dict[str, str]) -> bytes:
    """A relationships part of openpyxl's whose targets point at the carried pictures' parts."""
    if not renamed:
        return data
    root = etree.fromstring(data)  # openpyxl's own output
    changed = False
    for relation in root.iter(f"{{{_RELS}}}Relationship"):
        target = relation.get("Target", "")
        new = renamed.get(target.lstrip("/"))
        if new is not None and target.startswith("/"):  # openpyxl writes its media parts' targets absolute
            relation.set("Target", f"/{new}")
            changed = True
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True) if changed else data


def _bytes_of(image: Any) -> bytes | None:
    """The bytes openpyxl read a picture from (a stand-in, for a workbook loaded from StandIns.package)."""
    ref = getattr(image, "ref", None)
    return ref.getvalue() if isinstance(ref, io.BytesIO) else None


def _corner(anchor: Any) -> str:
    """The cell of a picture's top-left corner (A1 for a picture placed by absolute position)."""
    from openpyxl.utils import get_column_letter

    corner = getattr(anchor, "_from", None)
    return f"{get_column_letter(corner.col + 1)}{corner.row + 1}" if corner is not None else "A1"

"""Lay .docx files out with LibreOffice (as a clerk's Word or WPS would) and return the PDFs it prints.

One soffice run converts a whole set, with a profile of its own, and a fontconfig file that maps the
faces the documents name (仿宋_GB2312, 楷体_GB2312, 黑体 …) to the free faces docgen installs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FONTS_CONF = Path(__file__).parent / "office" / "fonts.conf"


def available() -> bool:
    return shutil.which("soffice") is not None


def to_pdf(documents: dict[str, bytes]) -> dict[str, bytes]:
    """name → .docx bytes in; name → PDF bytes out (names without suffix)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        sources = []
        for number, (name, data) in enumerate(documents.items()):
            path = root / f"d{number}.docx"
            path.write_bytes(data)
            sources.append((name, path))
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": str(root)}
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(root / 'profile').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(root / "pdf"), *[str(p) for _, p in sources]],
                       check=True, capture_output=True, env=env, timeout=600)
        return {name: (root / "pdf" / f"{path.stem}.pdf").read_bytes() for name, path in sources}

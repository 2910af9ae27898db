"""Lay .docx files out with LibreOffice (as a clerk's Word or WPS would) and return the PDFs it prints;
save workbooks again with LibreOffice Calc, as a branch using it sends them.

One soffice run converts a whole set, with a profile and a home folder of its own, where `docgen fonts
--install-aliases` has written the fontconfig file that maps the faces the documents name (仿宋_GB2312,
楷体_GB2312, 黑体 …) to the free faces docgen installs, as a clerk on a Linux desktop would.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path



def available() -> bool:
    return shutil.which("soffice") is not None


def calc_available() -> bool:
    """Whether soffice can open workbooks (Debian's libreoffice-calc-nogui, beside the writer)."""
    if not available():
        return False
    program = Path(os.path.realpath(shutil.which("soffice") or "")).parent
    return any((folder / name).exists() for folder in (program, Path("/usr/lib/libreoffice/program"))
               for name in ("libsclo.so", "scalc"))


# A Chinese clerk's LibreOffice: the locale decides what Excel's built-in formats 27–36 and 50–58 become.
CHINESE_LOCALE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>zh-CN</value></prop></item>
</oor:items>
"""


def resave_xlsx(paths: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Open each workbook in LibreOffice Calc set up for Chinese (zh-CN) and save it as .xlsx into out_dir, in one
    soffice run; return source → saved copy (same name)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "profile" / "user").mkdir(parents=True)
        (root / "profile" / "user" / "registrymodifications.xcu").write_text(CHINESE_LOCALE, encoding="utf-8")
        env = {**os.environ, "HOME": str(root)}
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(root / 'profile').as_uri()}",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir),
                        *[str(p) for p in paths]], check=True, capture_output=True, env=env, timeout=1800)
    saved = {p: out_dir / p.name for p in paths}
    missing = [p.name for p, copy in saved.items() if not copy.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not save: {', '.join(missing)}")
    return saved


def to_pdf(documents: dict[str, bytes], aliases: bool = True) -> dict[str, bytes]:
    """name → .docx bytes in; name → PDF bytes out (names without suffix). With `aliases`, the user's fontconfig
    has docgen's face aliases (`docgen fonts --install-aliases`); without, it is a bare Linux desktop's."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        sources = []
        for number, (name, data) in enumerate(documents.items()):
            path = root / f"d{number}.docx"
            path.write_bytes(data)
            sources.append((name, path))
        home = root / "home"
        env = {key: value for key, value in os.environ.items() if key not in ("FONTCONFIG_FILE", "FONTCONFIG_PATH")}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
        if aliases:
            subprocess.run([sys.executable, "-m", "docgen.cli", "fonts", "--install-aliases"], check=True,
                           capture_output=True, env=env, timeout=120)
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(root / 'profile').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(root / "pdf"), *[str(p) for _, p in sources]],
                       check=True, capture_output=True, env=env, timeout=600)
        return {name: (root / "pdf" / f"{path.stem}.pdf").read_bytes() for name, path in sources}

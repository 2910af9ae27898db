"""Draw the README's pictures (docs/images/*.png) from the demo's PDFs, with poppler.

    make demo && .venv/bin/python tools/readme_images.py [out]

Each picture is one page of a sample document at 50 dpi (A4 portrait 414 × 585 pixels).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
BRANCH = "城关供电服务中心党支部"
# picture → (PDF under the demo's output folder, page)
PAGES = {
    "proposal": (f"文书/{BRANCH}/DJ-2024-001_立项表.pdf", 1),
    "progress": (f"文书/{BRANCH}/DJ-2024-001_进度报告_2024年第4季度.pdf", 2),
    "notice": (f"文书/{BRANCH}/{BRANCH}_“四公开”公示.pdf", 1),
    "certificate": ("文书/荣誉证书/DJZS-2024-002_国网兰州供电公司城关供电服务中心党支部.pdf", 1),
    "closing_report": (f"文书/{BRANCH}/DJ-2024-001_结题报告.pdf", 1),
    "annual_report": ("年度汇总/2024年度党建项目汇总报告.pdf", 1),
}


def main(out: Path) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, (pdf, page) in PAGES.items():
            stem = Path(folder) / name
            subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile",
                            str(out / pdf), str(stem)], check=True)
            (IMAGES / f"{name}.png").write_bytes(stem.with_suffix(".png").read_bytes())
            print(f"{name}.png ← {pdf} 第 {page} 页")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out")

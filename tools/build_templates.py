"""Build the Word templates templates/<kind>.docx (`make templates`); the builder is tools/word_templates.

    .venv/bin/python tools/build_templates.py [KIND ...] [--out FOLDER] [--check]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from word_templates.build import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

# docgen: set-up, demo and tests on a Debian/Ubuntu machine.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
HTMX    = src/docgen/web/static/vendor/htmx.min.js

.PHONY: demo test serve system-deps test-deps web-assets templates bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# CJK fonts (仿宋, 楷, Noto) and HarfBuzz's subsetter for PDF output (installed only when missing).
system-deps:
	@bash scripts/system-deps.sh

# The same, and what the tests look with: poppler, MuPDF and LibreOffice.
test-deps:
	@bash scripts/system-deps.sh test

# htmx, which the web page's live parts (the job's progress bar, the overview's filters) use, from npm at the
# version and checksum of tools/web/package-lock.json. Without it the pages still work, reloading whole.
web-assets: $(HTMX)

$(HTMX): tools/web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "docgen: 需要 npm（Node.js）来安装网页用的 htmx：sudo apt-get install npm" >&2; exit 1; }
	npm ci --prefix tools/web --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(HTMX))
	cp tools/web/node_modules/htmx.org/dist/htmx.min.js $(HTMX)

demo: $(STAMP) system-deps
	$(VENV)/bin/docgen demo --out out

# The web page on the samples: an administrator and the sample branches' accounts (passwords printed once).
serve: $(STAMP) system-deps $(HTMX)
	$(VENV)/bin/docgen serve --data out/网页数据 --samples --config samples/docgen.toml

test: $(STAMP) test-deps $(HTMX)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

# Year-end batch benchmark on a synthetic set (bench/run.py --help for options), the PDF fonts
# (docgen's cut-down faces against the whole faces), the limits (an expanding workbook, the marked
# copy's cost), the web page under 20 branches uploading at once, and 活动照片 (document sizes, a batch's memory).
bench: $(STAMP) system-deps
	$(PY) bench/run.py
	$(PY) bench/fonts.py
	$(PY) bench/limits.py
	$(PY) bench/web_load.py
	$(PY) bench/photos.py

# Build templates/*.docx again from tools/word_templates (tools/build_templates.py): a template is
# written only when its parts change, and each is listed as 已更新 or 未变化. KINDS=plan builds only some.
templates: $(STAMP)
	$(PY) tools/build_templates.py $(KINDS)

clean:
	rm -rf $(VENV) out build dist tools/web/node_modules $(dir $(HTMX))

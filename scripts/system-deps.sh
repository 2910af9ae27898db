#!/usr/bin/env bash
# Install what docgen needs on Debian/Ubuntu, only what is missing.
#   scripts/system-deps.sh          what PDF output needs
#   scripts/system-deps.sh test     and what the tests look with (three PDF engines, LibreOffice)
#
# PDF output:
#   fonts-noto-cjk        free 宋/黑 stand-ins (Noto Serif/Sans CJK SC), the fallback for every character
#   fonts-arphic-gkai00mp 楷 (AR PL KaitiM GB, drawn for GB 2312): 二级标题、证书
#   fonts-arphic-ukai     楷 from the same foundry (AR PL UKai CN) for what GB 2312 lacks: the 〇 of every
#                         date, 堃, 赟 … in names, which would otherwise be drawn in 宋 inside a 楷 line
#   FandolFang            仿宋 for the body, the one freely licensed 仿宋 with full GB 2312 coverage;
#                         Debian ships it only inside texlive-lang-chinese (270 MB with its
#                         dependencies), so the one file is taken out of that package's .deb
#   libharfbuzz-subset0   font subsetting for WeasyPrint (without it, PDFs are many times slower)
#   libpango-1.0-0 libpangoft2-1.0-0  WeasyPrint's text layout
#   fontconfig            fc-list: which characters this machine's faces have (the glyph preflight)
# Tests:
#   poppler-utils, mupdf-tools  two of the three PDF engines (PDFium comes from PyPI's pypdfium2)
#   libreoffice-writer-nogui    lays out the .docx files to count their pages
#   fonts-liberation2           Liberation Serif, Times New Roman's metric twin (the .docx's digits and Latin, as on
#                               a desktop with LibreOffice): without it, wider digits move the .docx's line and page breaks
#   libreoffice-calc-nogui      saves the messy intake workbooks again as a clerk's LibreOffice Calc would (tests/messy.py)
#   chromium                    the browser of the web page's tests (driven by Playwright's Python package;
#                               Playwright's own browser download is not used)
#   postgresql                  the web store's tests run on SQLite and on a PostgreSQL server they start
set -u
packages=(fonts-noto-cjk fonts-arphic-gkai00mp fonts-arphic-ukai libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fontconfig)
if [ "${1:-}" = "test" ]; then
  packages+=(poppler-utils mupdf-tools libreoffice-writer-nogui fonts-liberation2 libreoffice-calc-nogui chromium postgresql)
fi
FANDOL_DIR=/usr/local/share/fonts/fandol
FANDOL_FILES=(FandolFang-Regular.otf)

if ! command -v dpkg >/dev/null 2>&1; then
  echo "docgen: 非 Debian/Ubuntu 系统，请自行安装：Noto CJK 字体、楷体和仿宋字体、HarfBuzz subset 库、Pango。" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
fandol_missing=0
for f in "${FANDOL_FILES[@]}"; do
  [ -f "$FANDOL_DIR/$f" ] || fandol_missing=1
done
[ ${#missing[@]} -eq 0 ] && [ $fandol_missing -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "docgen: 需要以下软件包，请以管理员身份安装：" >&2
  [ ${#missing[@]} -gt 0 ] && echo "  sudo apt-get install ${missing[*]}" >&2
  [ $fandol_missing -eq 1 ] && echo "  仿宋字体 FandolFang：sudo make system-deps（从 texlive-lang-chinese 软件包中取出）" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "docgen: apt-get update 失败" >&2; exit 1; }
if [ ${#missing[@]} -gt 0 ]; then
  echo "docgen: 正在安装系统软件包：${missing[*]}"
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "docgen: 安装失败，请手动执行：apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
if [ $fandol_missing -eq 1 ]; then
  echo "docgen: 正在安装仿宋字体 FandolFang（取自 texlive-lang-chinese）"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  if ! (cd "$work" && apt-get download -qq texlive-lang-chinese >/dev/null 2>&1); then
    echo "docgen: 无法下载 texlive-lang-chinese，请手动安装该软件包后把 FandolFang-Regular.otf 复制到 $FANDOL_DIR" >&2
    exit 1
  fi
  dpkg-deb -x "$work"/texlive-lang-chinese_*.deb "$work/root"
  mkdir -p "$FANDOL_DIR"
  for f in "${FANDOL_FILES[@]}"; do
    install -m 644 "$(find "$work/root" -name "$f" | head -n 1)" "$FANDOL_DIR/$f"
  done
  for doc in README COPYING.gz; do  # the font's licence travels with it
    [ -f "$work/root/usr/share/doc/texlive-doc/fonts/fandol/$doc" ] && install -m 644 "$work/root/usr/share/doc/texlive-doc/fonts/fandol/$doc" "$FANDOL_DIR/"
  done
  command -v fc-cache >/dev/null 2>&1 && fc-cache -f "$FANDOL_DIR" >/dev/null 2>&1
fi
exit 0

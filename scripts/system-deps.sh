#!/usr/bin/env bash
# Install what PDF output needs on Debian/Ubuntu, only when it is missing:
#   fonts-noto-cjk        free Chinese fonts (宋/黑 stand-ins)
#   libharfbuzz-subset0   font subsetting for WeasyPrint (without it, PDFs are many times slower)
#   libpango-1.0-0 libpangoft2-1.0-0  WeasyPrint's text layout
set -u
packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)

if ! command -v dpkg >/dev/null 2>&1; then
  echo "docgen: 非 Debian/Ubuntu 系统，请自行安装：Noto CJK 字体、HarfBuzz subset 库、Pango。" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "docgen: 正在安装 PDF 输出所需的系统软件包：${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "docgen: 安装失败，请手动执行：apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "docgen: PDF 输出需要以下软件包，请以管理员身份安装：" >&2
echo "  sudo apt-get install ${missing[*]}" >&2
exit 1

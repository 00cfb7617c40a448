#!/usr/bin/env bash
# Set up a development / test machine (Debian or Ubuntu with Python 3.11):
# system libraries Qt and the PDF tools need, CJK fonts, then a virtual environment with the
# project and its test dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="fonts-arphic-uming fonts-wqy-microhei libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0
  libfontconfig1 libdbus-1-3 libglib2.0-0 libnss3 poppler-utils xvfb xauth libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xinerama0 libxcb-xkb1 python3-venv faketime fonts-hanazono fonts-babelstone-han binutils"
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  missing=""
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "== 安装系统软件包：$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
else
  echo "（未找到 apt-get：请自行安装 Qt 运行库、CJK 字体和 poppler-utils）"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== 建立虚拟环境 .venv"
  "$PY" -m venv .venv
fi
echo "== 安装清风台账及其依赖"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
echo "== 环境就绪"

#!/usr/bin/env bash
# Build the Linux bundle of 清风台账 with PyInstaller into a cache folder outside the
# repository (default ~/.cache/qingfeng-bundle; QINGFENG_BUNDLE_CACHE to change). The bundle
# is rebuilt only when the sources, the spec or the installed packages changed.
# Prints the path of the built program on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
CACHE=${QINGFENG_BUNDLE_CACHE:-$HOME/.cache/qingfeng-bundle}
mkdir -p "$CACHE"

stamp=$( { find app db ui resources installer pyproject.toml -type f \
             -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum;
           "$PY" -m pip freeze --exclude-editable 2>/dev/null;
           ls /usr/share/fonts/truetype/hanazono 2>/dev/null || true; } | sha256sum | cut -c1-32)
out="$CACHE/dist/qingfeng/qingfeng"
if [ -x "$out" ] && [ "$(cat "$CACHE/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "（源代码没有变化，使用已建好的程序包）" >&2
else
  echo "== 用 PyInstaller 打包（几分钟）……" >&2
  rm -f "$CACHE/stamp"
  "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$CACHE/dist" --workpath "$CACHE/build" installer/qingfeng.spec >&2
  echo "$stamp" > "$CACHE/stamp"
fi
echo "$out"

#!/usr/bin/env bash
# Reproducible CPU install of the cledi stack into ./.venv (idempotent; a second run takes seconds).
#
#   bash tools/install.sh               # pre-training, evaluation, pictures: mmcv-lite (no compiled ops), ~2 min
#   bash tools/install.sh --detection   # + MMDetection and mmcv 2.1.0 built with its ops (~16 min the first time)
#
# Stack: torch 2.14.1 + torchvision 0.29.1, mmengine 0.10.7, mmpretrain 1.2.0, then cledi itself in editable mode;
# `mmcv-lite` 2.1.0 by default, or with --detection mmcv 2.1.0 built from the sdist with ops (C++20 for the torch 2.14
# headers) and mmdet 3.3.0. Both mmcv distributions install the same `mmcv/` package, so switching uninstalls the
# other one first (run without --detection to switch back). The built mmcv wheel is cached in $CLEDI_WHEEL_CACHE
# (default ~/.cache/cledi/wheels), outside git, so a later install reuses it instead of compiling again.
#
# Environment:
#   PYTHON              interpreter used to create the venv (default python3.11, else python3)
#   CLEDI_VENV          venv folder (default .venv in the repository root)
#   CLEDI_WHEEL_CACHE   where the built mmcv wheel is kept
#   TORCH_SPEC          torch requirement (default torch==2.14.1 torchvision==0.29.1); a GPU user may set it to
#                       their CUDA build and FORCE_CUDA=1 to build mmcv's CUDA ops.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MODE=lite
for arg in "$@"; do
  case "$arg" in
    --detection) MODE=detection ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "error: unknown option '$arg' (use --detection, or nothing for the pre-training stack)" >&2; exit 2 ;;
  esac
done
VENV=${CLEDI_VENV:-$ROOT/.venv}
CACHE=${CLEDI_WHEEL_CACHE:-$HOME/.cache/cledi/wheels}
TORCH_SPEC=${TORCH_SPEC:-"torch==2.14.1 torchvision==0.29.1"}
MMCV_VERSION=2.1.0
if [ -z "${PYTHON:-}" ]; then
  PYTHON=$(command -v python3.11 || command -v python3)
fi

log() { printf '[install %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Stamp: everything that decides what gets installed. Unchanged stamp + importable stack = nothing to do.
stamp_now() {
  cat requirements.txt requirements/*.txt setup.py tools/install.sh | sha1sum | cut -d' ' -f1
  echo "$TORCH_SPEC ${FORCE_CUDA:-0} $MODE"
}
if [ "$MODE" = detection ]; then
  CHECK="import torch, torchvision, mmcv.ops, mmengine, mmpretrain, mmdet, cledi"
else
  CHECK="import torch, torchvision, mmcv, mmengine, mmpretrain, cledi"
fi
STAMP="$VENV/.cledi-install-stamp"
if [ -f "$STAMP" ] && [ "$(stamp_now)" = "$(cat "$STAMP")" ] && "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
  log "stack ($MODE) already installed in $VENV (delete $STAMP to force a reinstall)"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q --upgrade "pip>=24" "setuptools>=77.0.3,<81" wheel

log "installing $TORCH_SPEC"
# shellcheck disable=SC2086
"${PIP[@]}" install -q $TORCH_SPEC

installed() { "${PIP[@]}" show "$1" >/dev/null 2>&1; }
if [ "$MODE" = detection ]; then
  # mmcv with compiled ops: reuse the cached wheel built against this torch, or build it once.
  TORCH_TAG=$("$VENV/bin/python" -c "import torch; print(torch.__version__.replace('+', '_'))")
  WHEEL_DIR="$CACHE/mmcv-$MMCV_VERSION-torch$TORCH_TAG-cuda${FORCE_CUDA:-0}"
  if installed mmcv-lite; then
    log "switching from mmcv-lite to mmcv with ops"
    "${PIP[@]}" uninstall -q -y mmcv-lite
  fi
  if ! "$VENV/bin/python" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
    if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
      log "building mmcv $MMCV_VERSION with ops from the sdist (~16 min on 2 cores; cached in $WHEEL_DIR)"
      "${PIP[@]}" install -q -r requirements/build.txt
      BUILD=$(mktemp -d)
      "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$BUILD"
      tar -xzf "$BUILD"/mmcv-$MMCV_VERSION.tar.gz -C "$BUILD"
      # torch >= 2.10 headers refuse anything older than C++20; mmcv 2.1.0 hard-codes C++17.
      sed -i 's/-std=c++17/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
      mkdir -p "$WHEEL_DIR"
      (cd "$BUILD/mmcv-$MMCV_VERSION" && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
        "${PIP[@]}" wheel -q --no-build-isolation --no-deps . -w "$WHEEL_DIR")
      rm -rf "$BUILD"
    else
      log "reusing cached mmcv wheel from $WHEEL_DIR"
    fi
    "${PIP[@]}" install -q --force-reinstall --no-deps "$WHEEL_DIR"/mmcv-*.whl
  fi
  EXTRA=(-r requirements/detection.txt "mmcv==$MMCV_VERSION")
else
  if installed mmcv; then
    log "switching from mmcv with ops to mmcv-lite (the ops build stays cached in $CACHE)"
    "${PIP[@]}" uninstall -q -y mmcv mmdet
  fi
  EXTRA=(-r requirements/lite.txt)
fi

log "installing mmengine / mmpretrain / test tools${EXTRA:+ and $MODE extras}"
"${PIP[@]}" install -q -r requirements.txt "${EXTRA[@]}"
"${PIP[@]}" install -q --no-deps -e .
"$VENV/bin/python" -c "$CHECK; print('stack OK ($MODE): mmcv', mmcv.__version__)"
stamp_now > "$STAMP"
log "done: activate with 'source $VENV/bin/activate'"

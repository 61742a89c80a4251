#!/usr/bin/env bash
# Multi-process evaluation with torchrun.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [tools/test.py options]
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
exec bash "$(dirname "$0")/dist_launch.sh" test.py "$GPUS" "$CONFIG" "$CHECKPOINT" "$@"

#!/usr/bin/env bash
# Multi-process training with torchrun (gloo on CPU, nccl on GPU).
#   bash tools/dist_train.sh CONFIG NUM_PROCESSES [tools/train.py options]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR (and MASTER_PORT) on every node.
set -euo pipefail
CONFIG=$1
GPUS=$2
shift 2
exec bash "$(dirname "$0")/dist_launch.sh" train.py "$GPUS" "$CONFIG" "$@"

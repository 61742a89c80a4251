#!/usr/bin/env bash
# torchrun launcher shared by dist_train.sh and dist_test.sh (gloo on CPU, nccl on GPU):
#   bash tools/dist_launch.sh SCRIPT NUM_PROCESSES [SCRIPT arguments]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR (and MASTER_PORT) on every node.
set -euo pipefail
SCRIPT=$1
GPUS=$2
shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python}
PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$GPUS" \
    --master_port="${PORT:-${MASTER_PORT:-29500}}" \
    "$ROOT/tools/$SCRIPT" "$@" --launcher pytorch

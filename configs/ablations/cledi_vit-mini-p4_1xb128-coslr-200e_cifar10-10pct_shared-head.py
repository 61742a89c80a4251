# Tied-detail design `shared-head` (docs/benchmarks.md, screening protocol) on the two-view recipe of
# configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: the detail vector (mean of the patch tokens)
# goes through the CLS token's own projector and predictor (one embedding space, as iBOT's released recipe shares
# its head), lambda 0.3 reached after a linear warm-up over the first 20 % of training.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(shared_head=True, loss_weight=0.3, warmup=0.2))

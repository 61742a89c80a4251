# Tied-detail design `cls-pool` (docs/benchmarks.md, screening protocol): `shared-head` with the patch tokens pooled
# by attention whose query is the CLS token itself (cledi.CLSAttentionPool), so that the detail loss reaches CLS
# through its own attention, in its own embedding space; lambda 0.3 after a 20 % warm-up.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(shared_head=True, pool=dict(type='cledi.CLSAttentionPool'), loss_weight=0.3, warmup=0.2))

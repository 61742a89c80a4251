# CL-EDI's detail module on DINO, the DINO recipe of dino_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py plus
# cledi.GlobalDetail: the mean of the patch tokens through its own DINO projection head and objective (its own
# centre), self-distilled from the teacher's pooled patch tokens as the CLS token is; lambda 1. Contrasting the detail
# vector instead (detail.neck / detail.head = MoCo v3's projector and cledi.InfoNCEHead) is the other choice; val
# decides (docs/benchmarks.md, baselines protocol).
_base_ = ['./dino_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(type='cledi.GlobalDetail', pool=dict(type='cledi.MeanPool'), loss_weight=1.0))

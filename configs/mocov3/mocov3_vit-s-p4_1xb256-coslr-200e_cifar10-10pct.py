# MoCo v3 baseline, ViT-S patch 4 (GPU-sized), on the low-data CIFAR-10 split (5,000 images = 10 %), batch 256.
#   python tools/train.py configs/mocov3/mocov3_vit-s-p4_1xb256-coslr-200e_cifar10-10pct.py --data-root ../shared/data/cifar10
# CL-EDI twin: configs/cledi/cledi_vit-s-p4_1xb256-coslr-200e_cifar10-10pct.py
_base_ = ['../_base_/models/mocov3_vit-s-p4.py', '../_base_/datasets/cifar10_10pct.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/default_runtime.py']
# the fast path leaves the loader workers only uint8 batches to hand over
train_dataloader = dict(batch_size=256, num_workers=4)
knn_bank_dataloader = dict(num_workers=4)
knn_query_dataloader = dict(num_workers=4)

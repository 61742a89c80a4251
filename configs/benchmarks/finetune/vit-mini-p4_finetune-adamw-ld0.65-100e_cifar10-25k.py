# The fine-tune protocol of vit-mini-p4_finetune-adamw-ld0.65-100e_cifar10-10pct.py on the 25,000 labelled images the
# data-size axis pre-trains on (configs/_base_/datasets/cifar10_splits.py); top-1 on the test split.
_base_ = ['./vit-mini-p4_finetune-adamw-ld0.65-100e_cifar10-10pct.py', '../../_base_/datasets/cifar10_splits.py']
train_dataloader = dict(dataset=dict(ann_file='meta/train.txt', indices={{_base_.train_25k_indices}}))

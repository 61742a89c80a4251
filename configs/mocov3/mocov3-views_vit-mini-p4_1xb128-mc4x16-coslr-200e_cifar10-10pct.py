# MoCo v3 (cledi.CLEDI without a detail part) with multi-crop on the low-data CIFAR-10 split: the two 32 px global
# views of the CIFAR recipe plus 4 local views of 16 px (5-40 % of the image); every view's CLS is contrasted with
# the other global views' momentum keys. CL-EDI twin: configs/cledi/cledi_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py
_base_ = ['../_base_/models/mocov3-views_vit-mini-p4.py', '../_base_/datasets/cifar10_10pct.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
data_preprocessor = dict(num_local_views=4)

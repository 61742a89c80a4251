# CL-EDI pre-training of MoCo v3's ViT-S/16 on ImageNet-style data (user-facing entry point).
#   python tools/train.py configs/cledi_vit-s.py \
#       --cfg-options train_dataloader.dataset.data_root=/path/to/imagenet
#   bash tools/dist_train.sh configs/cledi_vit-s.py 8
# MoCo v3 recipe: AdamW, lr 1.5e-4 x total_batch/256 (auto_scale_lr), wd 0.1, 40 warm-up + cosine to 300
# epochs, momentum 0.99 -> 1, temperature 0.2, frozen random patch projection, AMP on GPU.
# Baseline with the identical backbone, data and schedule: configs/mocov3/mocov3_vit-s-p16_8xb64-coslr-300e_in1k.py
_base_ = ['_base_/models/cledi_vit-s.py', '_base_/datasets/imagenet_mocov3.py', '_base_/schedules/adamw_coslr-300e.py',
          '_base_/cledi_runtime.py']
# an epoch of ImageNet-sized data is long: a checkpoint after every one
default_hooks = dict(checkpoint=dict(interval=1))

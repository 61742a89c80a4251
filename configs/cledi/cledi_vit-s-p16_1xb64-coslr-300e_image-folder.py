# CL-EDI ViT-S/16 on any folder of unlabelled images (searched recursively; jpg, jpeg, png, ppm, bmp, pgm,
# tif, webp), e.g. your own scarce domain data:
#   python tools/train.py configs/cledi/cledi_vit-s-p16_1xb64-coslr-300e_image-folder.py \
#       --cfg-options train_dataloader.dataset.data_root=/path/to/images
_base_ = ['../_base_/models/cledi_vit-s.py', '../_base_/datasets/imagenet_mocov3.py',
          '../_base_/schedules/adamw_coslr-300e.py', '../_base_/cledi_runtime.py']
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='data/images/',
        ann_file='',
        data_prefix='',
        with_label=False,
        pipeline={{_base_.train_pipeline}}))
# an epoch of ImageNet-sized data is long: a checkpoint after every one
default_hooks = dict(checkpoint=dict(interval=1))

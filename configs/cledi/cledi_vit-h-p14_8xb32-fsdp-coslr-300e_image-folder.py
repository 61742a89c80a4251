# CL-EDI ViT-H/14 (1280-d, 32 layers, patch 14: 16 x 16 tokens at 224 px) on a folder of images, FSDP as in
# cledi_vit-l-p16_8xb64-fsdp-coslr-300e_image-folder.py, with 32 images per GPU and 4 micro-batches per update
# (8 x 32 x 4 = 1,024 images per step).
#   bash tools/dist_train.sh configs/cledi/cledi_vit-h-p14_8xb32-fsdp-coslr-300e_image-folder.py 8 \
#       --cfg-options train_dataloader.dataset.data_root=/path/to/images
# Not run on GPUs by this project (see the ViT-L config for what was run where).
_base_ = ['./cledi_vit-l-p16_8xb64-fsdp-coslr-300e_image-folder.py']
model = dict(backbone=dict(arch='huge', patch_size=14), neck=dict(in_channels=1280))
train_dataloader = dict(batch_size=32)
optim_wrapper = dict(accumulative_counts=4)

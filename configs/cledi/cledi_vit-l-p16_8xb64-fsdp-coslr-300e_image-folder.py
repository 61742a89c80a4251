# CL-EDI ViT-L/16 (MoCo v3's ViT-L: 1024-d, 24 layers) on a folder of images, sharded with FSDP through MMEngine's
# FlexibleRunner (tools/train.py picks it for a config with `strategy`):
#   bash tools/dist_train.sh configs/cledi/cledi_vit-l-p16_8xb64-fsdp-coslr-300e_image-folder.py 8 \
#       --cfg-options train_dataloader.dataset.data_root=/path/to/images
# Each ViT block is its own FSDP unit and is recomputed in backward (activation checkpointing); weights are kept in
# bf16 for compute, gradients reduced in fp32. The momentum encoder stays whole on every GPU (no gradients, no
# optimizer state) and is updated after each optimizer step (teacher=dict(update='after_step')). Two micro-batches per
# update (accumulative_counts=2): 8 GPUs x 64 images x 2 = 1,024 images per step.
# Where it ran: the same mechanisms (block wrapping, checkpointing, EMA, full checkpoints, resume) on a tiny ViT,
# 2 CPU processes with gloo (tests/test_tools/test_fsdp.py); this ViT-L config itself has not run on GPUs.
_base_ = ['./cledi_vit-s-p16_1xb64-coslr-300e_image-folder.py']
model = dict(
    teacher=dict(update='after_step'),
    backbone=dict(arch='large', drop_path_rate=0.1),
    neck=dict(in_channels=1024))
strategy = dict(
    type='cledi.FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy='cledi.vit_block_wrap_policy',
        sharding_strategy='FULL_SHARD',
        mixed_precision=dict(param_dtype='bfloat16', reduce_dtype='float32', buffer_dtype='float32')),
    activation_checkpointing=dict(check_fn='cledi.is_vit_block'))
optim_wrapper = dict(accumulative_counts=2)
amp = 'off'  # FSDP's mixed_precision above does bf16; no second autocast / loss-scaling wrapper

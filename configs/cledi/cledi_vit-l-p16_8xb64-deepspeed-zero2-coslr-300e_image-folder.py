# CL-EDI ViT-L/16 with DeepSpeed ZeRO-2 (optimizer states and gradients sharded, weights whole on every GPU, so the
# momentum encoder's EMA reads full weights) through MMEngine's FlexibleRunner:
#   pip install deepspeed
#   bash tools/dist_train.sh configs/cledi/cledi_vit-l-p16_8xb64-deepspeed-zero2-coslr-300e_image-folder.py 8 \
#       --cfg-options train_dataloader.dataset.data_root=/path/to/images
# fp32 weights on purpose: a bf16 DeepSpeed engine would hold the momentum encoder in bf16, where EMA steps of
# (1 - 0.99) x difference fall below the format's resolution and vanish. ZeRO-3 is not offered: it partitions the
# weights, and the EMA would read partitions (use the FSDP config instead, which gathers them).
# Not run by this project: deepspeed is not installed on its machines and no GPU was lent; the config loads and
# its model builds in the tests.
_base_ = ['./cledi_vit-l-p16_8xb64-fsdp-coslr-300e_image-folder.py']
strategy = dict(
    _delete_=True,
    type='DeepSpeedStrategy',
    zero_optimization=dict(stage=2, allgather_partitions=True, reduce_scatter=True, overlap_comm=True,
                           contiguous_gradients=True),
    gradient_accumulation_steps=2,
    gradient_clipping=0.0)
optim_wrapper = dict(_delete_=True, type='DeepSpeedOptimWrapper',
                     optimizer=dict(type='AdamW', lr=1.5e-4, weight_decay=0.1))

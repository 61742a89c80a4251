# Runtime shared by every pre-training config, algorithm-neutral (CL-EDI adds its momentum hook in
# cledi_runtime.py). Objects are built in MMPretrain's scope; cledi's types carry the `cledi.` prefix, and
# `custom_imports` makes a missing cledi install fail when the config loads.
# Hooks are named entries of `default_hooks` (merged by name through inheritance), so a config or the command
# line changes one by name: e.g. the kNN monitor of the CIFAR configs is `default_hooks.knn`, its interval
# `default_hooks.knn.interval`.
default_scope = 'mmpretrain'
custom_imports = dict(imports=['cledi'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # written atomically (temporary file, then rename: cledi.engine.AtomicLocalBackend), also under MMPretrain's own
    # tools/train.py, which does not run cledi's runner preparation
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3, save_last=True,
                    backend_args=dict(backend='cledi_atomic')),
    # weighted kNN top-1 of the backbone every 10 epochs on the data base's labelled kNN splits (bank, val queries);
    # off where the data base sets them to None
    knn=dict(type='cledi.KNNEvalHook', interval=10),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # each epoch's random stream depends only on (seed, epoch, rank): a resumed run repeats it exactly
    epoch_rng=dict(type='cledi.EpochRNGHook'),
    # a NaN / Inf loss stops the run before it reaches the weights; max_skips=K skips K bad steps first
    non_finite=dict(type='cledi.NonFiniteLossHook', max_skips=0),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when no GPU is present
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)
log_processor = dict(window_size=10)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
# Mixed precision, applied by tools/train.py (`--amp on|off|auto` overrides it): 'auto' turns it on where it
# was measured to pay off, a GPU (AmpOptimWrapper) or a CPU with native bf16 (cledi.AutocastOptimWrapper);
# float32 elsewhere.
amp = 'auto'

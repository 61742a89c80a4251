# What the pre-training data bases share: the normalisation and the loader settings; a data base adds each loader's
# `dataset` (and the data preprocessor's type). The kNN loaders (cledi.KNNEvalHook, tools/knn_eval.py) are labelled
# and unaugmented: the bank is fitted on, the val queries or the test images are classified.
data_preprocessor = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'))
knn_bank_dataloader = dict(
    batch_size=256, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'))
knn_query_dataloader = knn_bank_dataloader
knn_test_dataloader = knn_bank_dataloader

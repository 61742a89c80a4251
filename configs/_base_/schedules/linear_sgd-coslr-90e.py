# Linear probing (MoCo v3's linear recipe shape): SGD momentum 0.9, no weight decay, cosine over 90 epochs,
# lr per 256 images of total batch (auto_scale_lr); leaf configs set the lr.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=1.0, momentum=0.9, weight_decay=0.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=0, end=90)]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256, enable=True)

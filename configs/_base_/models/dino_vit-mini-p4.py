# DINO (Caron et al. 2021) on the shared ViT-mini of contrastive_vit-mini-p4.py: cledi.CLEDI with DINO's objective
# (cledi.DINOHead) over DINO's projection head (cledi.DINONeck) and no detail part. The head as Gani et al.'s
# small-data DINO (BMVC 2022, train_ssl.py defaults): 3-layer MLP, bottleneck 256, K = 1024 outputs, the last
# layer's norms trained (norm_last_layer=False); teacher momentum 0.996 -> 1 (cosine); student temperature 0.1,
# teacher 0.04 -> 0.07 over the first 5 % of training (their 10 of 200 epochs); centre momentum 0.9. The MLP's
# hidden width is this size's projector width, 1024 (DINO and Gani et al.: 2048).
_base_ = ['contrastive_vit-mini-p4.py']
dino_neck = dict(type='cledi.DINONeck', in_channels=128, hid_channels=1024, bottleneck_channels=256, out_channels=1024,
                 num_layers=3, norm_last_layer=False)
dino_head = dict(type='cledi.DINOHead', out_channels=1024, student_temperature=0.1, teacher_temperature=0.07,
                 teacher_warmup_temperature=0.04, teacher_warmup=0.05, center_momentum=0.9)
model = dict(type='cledi.CLEDI', teacher=dict(momentum=0.996), neck=dict(dino_neck, _delete_=True),
             head=dict(dino_head, _delete_=True))
# the last layer gets no gradient while it is frozen (cledi.FreezeLastLayerHook): DDP must allow unused parameters
find_unused_parameters = True

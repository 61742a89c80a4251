# CL-EDI on the shared parts of contrastive_vit-mini-p4.py; its MoCo v3 twin is mocov3_vit-mini-p4.py.
_base_ = ['contrastive_vit-mini-p4.py']
model = {{_base_.cledi_algorithm}}

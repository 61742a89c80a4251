# CL-EDI on the shared parts of contrastive_vit-s.py; its MoCo v3 twin is mocov3_vit-s.py.
_base_ = ['contrastive_vit-s.py']
model = {{_base_.cledi_algorithm}}

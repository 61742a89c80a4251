# CL-EDI, ViT-mini patch 4, on CIFAR-10 downloaded by MMPretrain's CIFAR10 dataset (needs internet once).
_base_ = ['../_base_/models/cledi_vit-mini-p4.py', '../_base_/datasets/cifar10_download.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']

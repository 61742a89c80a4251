"""The compared methods, declared once: the campaigns, their tables, the README generator, the step-cost benchmark
and the tests read them from here.

Adding a method to every table: its algorithm or objective file under ``cledi/models/``, its config, one entry in
:data:`METHODS`, and its key in the campaigns that compare it (``cledi/benchmarks/campaign.py``).
"""
from dataclasses import dataclass
from typing import Dict, Optional

MOCOV3 = 'configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py'
DESIGN = 'configs/ablations/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct_{}.py'
# the settings a method's configs are declared for: model size (and data where it is not the low-data CIFAR-10 split)
SETTINGS = {
    'vit-mini-p4': 'ViT-mini (128-d, 6 layers, 4 heads) patch 4, 1024-wide projector / predictor; 5,000 CIFAR-10 images',
    'vit-s-p4': 'ViT-S (384-d, 12 layers, 12 heads) patch 4, 4096-wide projector / predictor; 5,000 CIFAR-10 images',
    'vit-mini-p4-cifar10': 'ViT-mini patch 4; the full CIFAR-10 training split',
    'vit-mini-p4-pennfudan': 'ViT-mini patch 4; the 120 Penn-Fudan training images',
    'vit-s-p16': 'ViT-S/16 at 224 px; ImageNet-1k or a folder of images',
    'vit-mini-p8-tinyimagenet': 'ViT-mini patch 8 at 64 px (64 tokens); 10,000 Tiny-ImageNet-200 images',
    'vit-mini-p4-cifar10-1k': 'ViT-mini patch 4; 1,000 CIFAR-10 images (100 a class)',
    'vit-mini-p4-cifar10-25k': 'ViT-mini patch 4; 25,000 CIFAR-10 images (2,500 a class)',
}


@dataclass(frozen=True)
class Method:
    """A method as the benchmarks compare it.

    Attributes:
        label: Its name in tables.
        configs: Its pre-training config per setting (:data:`SETTINGS`).
        teacher_prefix: Where its teacher's backbone lies in a pre-training checkpoint (the momentum-encoder
            evaluations read it from there); None for a method without a teacher.
        baseline: The method a design is paired with (the one with the same views and objective, without the
            design; for an alternative method, the one its step cost is measured against); None for a baseline.
        step_target: The most its training step may cost against its baseline (step_cost.py reads it); None: no
            target (an alternative method's cost is measured, not judged).
    """
    label: str
    configs: Dict[str, str]
    teacher_prefix: Optional[str] = 'momentum_encoder.backbone.'  # cledi.CLEDI's teacher
    baseline: Optional[str] = None
    step_target: Optional[float] = None


METHODS: Dict[str, Method] = {
    # MMPretrain's own MoCoV3: its momentum encoder is an EMA of Sequential(backbone, neck)
    'mocov3': Method('MoCo v3', {
        'vit-mini-p4': MOCOV3,
        'vit-s-p4': 'configs/mocov3/mocov3_vit-s-p4_1xb256-coslr-200e_cifar10-10pct.py',
        'vit-mini-p4-cifar10': 'configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10.py',
        'vit-mini-p4-pennfudan': 'configs/mocov3/mocov3_vit-mini-p4_1xb40-coslr-100e_pennfudan.py',
        'vit-s-p16': 'configs/mocov3/mocov3_vit-s-p16_8xb64-coslr-300e_in1k.py',
        'vit-mini-p8-tinyimagenet': 'configs/mocov3/mocov3_vit-mini-p8_1xb128-coslr-200e_tinyimagenet-10pct.py',
        **{f'vit-mini-p4-cifar10-{size}': f'configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-{size}.py'
           for size in ('1k', '25k')},
    }, teacher_prefix='momentum_encoder.module.0.'),
    'cledi': Method('CL-EDI', {
        'vit-mini-p4': 'configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py',
        'vit-s-p4': 'configs/cledi/cledi_vit-s-p4_1xb256-coslr-200e_cifar10-10pct.py',
        'vit-mini-p4-cifar10': 'configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10.py',
        'vit-mini-p4-pennfudan': 'configs/cledi/cledi_vit-mini-p4_1xb40-coslr-100e_pennfudan.py',
        'vit-s-p16': 'configs/cledi_vit-s.py',
        'vit-mini-p8-tinyimagenet': 'configs/cledi/cledi_vit-mini-p8_1xb128-coslr-200e_tinyimagenet-10pct.py',
        **{f'vit-mini-p4-cifar10-{size}': f'configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-{size}.py'
           for size in ('1k', '25k')},
    }, baseline='mocov3', step_target=1.05),
    # cledi.CLEDI without a detail part and 2 local views of 16 px: the baseline of the local-crop designs
    'mocov3-mc2': Method('multi-crop MoCo v3', {
        'vit-mini-p4': 'configs/mocov3/mocov3-views_vit-mini-p4_1xb128-mc2x16-coslr-200e_cifar10-10pct.py'}),
    # the tied-detail designs (docs/method.md), screened in the campaign detail-screen; step time <= 1.10x (issue 22)
    **{design: Method(design, {'vit-mini-p4': DESIGN.format(design)}, baseline=baseline, step_target=1.10)
       for design, baseline in (('shared-head', 'mocov3'), ('cls-pool', 'mocov3'), ('local-cls', 'mocov3-mc2'),
                                ('local-region', 'mocov3-mc2'))},
    # the approaches a user would pick instead (issue 37), each paired with MoCo v3 for its step cost
    'dino': Method('DINO', {'vit-mini-p4': 'configs/dino/dino_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py'},
                   baseline='mocov3'),
    'ibot': Method('iBOT', {'vit-mini-p4': 'configs/ibot/ibot_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py'},
                   baseline='mocov3'),
    # MMPretrain's MAE: no teacher
    'mae': Method('MAE', {'vit-mini-p4': 'configs/mae/mae_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py'},
                  teacher_prefix=None, baseline='mocov3'),
    # CL-EDI's detail module on DINO, against DINO
    'dino-detail': Method('DINO + detail', {
        'vit-mini-p4': 'configs/dino/dino-detail_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py'},
        baseline='dino', step_target=1.10),
}
RANDOM = 'random'  # random initialisation: a row of every table, no pre-training


def label(method: str) -> str:
    """A method's name in tables (random init included; an undeclared key as it is)."""
    return 'random init' if method == RANDOM else METHODS[method].label if method in METHODS else method


def config(method: str, setting: str = 'vit-mini-p4') -> str:
    """A method's pre-training config in a setting, or an error naming the settings it has."""
    configs = METHODS[method].configs
    if setting not in configs:
        raise KeyError(f"method '{method}' has no config for setting '{setting}' (it has: {', '.join(configs)}): "
                       'add one to its entry in cledi/benchmarks/methods.py')
    return configs[setting]

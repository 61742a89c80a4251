from .dino_head import DINOHead, distillation_loss, teacher_temperature
from .infonce_head import InfoNCEHead, infonce_loss, multiview_infonce
from .objective import ObjectiveHead

__all__ = ['DINOHead', 'InfoNCEHead', 'ObjectiveHead', 'distillation_loss', 'infonce_loss', 'multiview_infonce',
           'teacher_temperature']

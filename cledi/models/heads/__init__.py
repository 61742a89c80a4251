from .infonce_head import InfoNCEHead, infonce_loss, multiview_infonce
from .objective import ObjectiveHead

__all__ = ['InfoNCEHead', 'ObjectiveHead', 'infonce_loss', 'multiview_infonce']

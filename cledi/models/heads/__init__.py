from .infonce_head import InfoNCEHead, infonce_loss, multiview_infonce

__all__ = ['InfoNCEHead', 'infonce_loss', 'multiview_infonce']

from .infonce_head import InfoNCEHead, infonce_loss

__all__ = ['InfoNCEHead', 'infonce_loss']

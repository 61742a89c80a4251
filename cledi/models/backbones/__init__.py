from .vit import ViT, split_tokens

__all__ = ['ViT', 'split_tokens']

from .multi_view import MultiViewPreprocessor, TwoViewPreprocessor, ViewAugmentation

__all__ = ['MultiViewPreprocessor', 'TwoViewPreprocessor', 'ViewAugmentation']

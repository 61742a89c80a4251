from .two_view import TwoViewPreprocessor, ViewAugmentation

__all__ = ['TwoViewPreprocessor', 'ViewAugmentation']

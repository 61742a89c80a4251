from .cledi import CLEDI

__all__ = ['CLEDI']

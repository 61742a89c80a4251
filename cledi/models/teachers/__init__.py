from .momentum_teacher import MomentumTeacher

__all__ = ['MomentumTeacher']

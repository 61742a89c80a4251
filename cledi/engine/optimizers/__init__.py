from .autocast import AutocastOptimWrapper, cpu_has_native_bf16
from .layer_decay import LayerDecayOptimWrapperConstructor

__all__ = ['AutocastOptimWrapper', 'LayerDecayOptimWrapperConstructor', 'cpu_has_native_bf16']

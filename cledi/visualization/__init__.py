"""Pictures of what a pre-trained ViT learned: attention and similarity maps, embeddings, training curves."""
from .figures import curves_figure, embedding_figure, map_grid_figure, save_figure
from .loading import dataset_images, detail_pool, file_images, labels_of, preprocess
from .maps import (pool_attention_maps, attention_weights, cls_attention_maps, last_block_attention,
                   patch_grid, patch_index, patch_similarity_maps)
from .scalars import read_scalars, scalar_curves

__all__ = [
    'curves_figure', 'embedding_figure', 'map_grid_figure', 'save_figure', 'dataset_images', 'file_images',
    'detail_pool', 'labels_of', 'preprocess', 'pool_attention_maps', 'attention_weights',
    'cls_attention_maps', 'last_block_attention', 'patch_grid', 'patch_index', 'patch_similarity_maps',
    'read_scalars', 'scalar_curves'
]

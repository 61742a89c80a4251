"""Feature embeddings side by side: t-SNE of CLS and mean-of-patch features of a labelled split, by class.

    python tools/visualization/vis_tsne.py CONFIG CHECKPOINT [CONFIG CHECKPOINT ...] --out tsne.png
        [--labels NAME ...] [--feature cls mean] [--num-samples 2000] [--perplexity 30]

One panel per model and feature type (rows: models; columns: feature types), points coloured by class. The
samples are spread evenly over the first config's kNN query split (``--loader`` for another labelled loader), the
same images for every model; features are exactly those of ``tools/knn_eval.py --feature``. t-SNE is
scikit-learn's (PCA initialisation, fixed ``--seed``), so reruns give the same picture.
"""

import numpy as np
import torch
from mmengine.utils import track_iter_progress
from torch.utils.data import DataLoader, Subset

from cledi.apis import run_tool, tool_parser
from cledi.evaluation import FEATURE_TYPES, build_eval_dataloader, extract_features
from cledi.utils import check_data_roots
from cledi.visualization import embedding_figure, save_figure
from cledi.visualization.loading import dataset_classes
from cledi.visualization.cli import add_model_args, load_models, logger


def parse_args(argv=None):
    parser = tool_parser(__doc__, 't-SNE of pre-trained features, coloured by class')
    add_model_args(parser)
    parser.add_argument('--feature', nargs='+', choices=FEATURE_TYPES, default=['cls', 'mean'])
    parser.add_argument('--num-samples', type=int, default=2000)
    parser.add_argument('--loader', default='knn_query_dataloader', help='the labelled dataloader of the config')
    parser.add_argument('--perplexity', type=float, default=30.0)
    parser.add_argument('--cell-size', type=float, default=4.0, help='inches per panel')
    return parser.parse_args(argv)


def sample_loader(cfg, key: str, num_samples: int) -> DataLoader:
    if key not in cfg:
        raise SystemExit(f'the config has no {key}; pass --loader with a labelled dataloader of it')
    check_data_roots(cfg)
    loader = build_eval_dataloader(cfg[key])
    size = len(loader.dataset)
    indices = np.linspace(0, size - 1, min(num_samples, size)).round().astype(int).tolist()
    return DataLoader(Subset(loader.dataset, indices), batch_size=loader.batch_size, collate_fn=loader.collate_fn)


def tsne(features: torch.Tensor, perplexity: float, seed: int) -> np.ndarray:
    from sklearn.manifold import TSNE
    perplexity = min(perplexity, (len(features) - 1) / 3)  # scikit-learn needs perplexity < n_samples
    return TSNE(n_components=2, perplexity=perplexity, init='pca', random_state=seed).fit_transform(
        features.numpy())


def main(argv=None):
    args = parse_args(argv)
    log = logger()
    models = load_models(args)
    loader = sample_loader(models[0][1], args.loader, args.num_samples)
    panels, labels = [], None
    for label, _, model in models:
        log.info(f'{label}: features of {len(loader.dataset)} images')
        both, labels = extract_features(model, track_iter_progress((loader, len(loader))), 'cls+mean')
        width = both.shape[1] // 2
        parts = {'cls': both[:, :width], 'mean': both[:, width:], 'cls+mean': both}
        for feature in args.feature:
            log.info(f'{label}: t-SNE of {len(both)} {feature} features')
            panels.append((f'{label}: {feature}', tsne(parts[feature], args.perplexity, args.seed)))
    fig = embedding_figure(panels, labels.numpy(), dataset_classes(loader.dataset.dataset),
                           columns=len(args.feature), cell_size=args.cell_size)
    path = save_figure(fig, args.out, args.dpi)
    log.info(f't-SNE of {len(models)} model(s) x {len(args.feature)} feature type(s) written to {path}')
    return path


if __name__ == '__main__':
    run_tool(main)

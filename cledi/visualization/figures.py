"""Matplotlib figures of the visualisation tools, each of an exact pixel size (``cells x cell_size x dpi``).

Figures are made with ``matplotlib.figure.Figure`` (no pyplot state, no display needed) and saved without
``bbox_inches='tight'`` so their size is what the caller asked for.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


def upsample(maps: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """(B, rows, cols) patch-grid maps -> (B, H, W), bilinear, for overlaying on the images."""
    tensor = torch.as_tensor(np.asarray(maps, dtype=np.float32))[:, None]
    return F.interpolate(tensor, size=size, mode='bilinear', align_corners=False)[:, 0].numpy()


def map_grid_figure(images: np.ndarray,
                    rows: Sequence[Tuple[str, np.ndarray]],
                    column_titles: Optional[Sequence[str]] = None,
                    cmap: str = 'inferno',
                    alpha: float = 0.6,
                    symmetric: bool = False,
                    boxes: Optional[Dict[int, Tuple[float, float, float, float]]] = None,
                    cell_size: float = 1.4) -> Figure:
    """Images in the first row, then one row of maps overlaid on them per entry of ``rows``.

    Args:
        images (ndarray): (B, H, W, 3) uint8 RGB.
        rows: ``(label, maps)`` with maps (B, rows, cols) on the patch grid; each map is scaled to its own
            range (``symmetric``: a fixed [-1, 1] range, for cosine similarities).
        column_titles: One title per image (e.g. the class), or None.
        boxes: ``{image index: (x, y, width, height)}`` in pixels, drawn on the input row (a reference patch).
        cell_size (float): Inches per image cell.
    """
    num_images = images.shape[0]
    fig = Figure(figsize=(cell_size * num_images, cell_size * (1 + len(rows))))
    axes = fig.subplots(1 + len(rows), num_images, squeeze=False)
    fig.subplots_adjust(left=0.08, right=0.99, top=0.93, bottom=0.01, wspace=0.04, hspace=0.08)
    for col in range(num_images):
        axes[0, col].imshow(images[col])
        if column_titles:
            axes[0, col].set_title(str(column_titles[col]), fontsize=7)
    axes[0, 0].set_ylabel('input', fontsize=7)
    for col, (x, y, width, height) in (boxes or {}).items():
        axes[0, col].add_patch(Rectangle((x - 0.5, y - 0.5), width, height, fill=False, edgecolor='cyan',
                                         linewidth=1.5))
    for row, (label, maps) in enumerate(rows, start=1):
        overlays = upsample(maps, images.shape[1:3])
        for col in range(num_images):
            axes[row, col].imshow(images[col])
            limits = dict(vmin=-1.0, vmax=1.0) if symmetric else {}
            axes[row, col].imshow(overlays[col], cmap=cmap, alpha=alpha, **limits)
        axes[row, 0].set_ylabel(label, fontsize=7)
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
    return fig


def embedding_figure(panels: Sequence[Tuple[str, np.ndarray]],
                     labels: np.ndarray,
                     class_names: Optional[Sequence[str]] = None,
                     columns: int = 2,
                     cell_size: float = 4.0) -> Figure:
    """2-D embeddings side by side, points coloured by class, one legend.

    Args:
        panels: ``(title, points (N, 2))`` per panel, all of the same N images.
        labels (ndarray): (N,) class indices.
        class_names: Names for the legend (index -> name); indices when None.
        columns (int): Panels per row.
    """
    columns = min(columns, len(panels))
    num_rows = (len(panels) + columns - 1) // columns
    fig = Figure(figsize=(cell_size * columns, cell_size * num_rows))
    axes = fig.subplots(num_rows, columns, squeeze=False)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.1, wspace=0.05, hspace=0.15)
    classes = np.unique(labels)
    palette = matplotlib.colormaps['tab10' if len(classes) <= 10 else 'tab20']
    for axis, (title, points) in zip(axes.flat, panels):
        for index, cls in enumerate(classes):
            chosen = labels == cls
            name = class_names[cls] if class_names is not None else str(cls)
            axis.scatter(points[chosen, 0], points[chosen, 1], s=3, color=palette(index % palette.N), label=name)
        axis.set_title(title, fontsize=9)
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
    for axis in list(axes.flat)[len(panels):]:
        axis.set_visible(False)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc='lower center', ncol=min(10, len(names)), fontsize=7, markerscale=3,
               frameon=False)
    return fig


def curves_figure(series: Dict[str, Dict[str, Tuple[List[float], List[float]]]],
                  metrics: Sequence[str],
                  xlabel: str = 'epoch',
                  cell_size: Tuple[float, float] = (4.5, 3.2)) -> Figure:
    """One panel per metric, one line per run: ``series[run][metric] = (x, y)``; runs without the metric skip it.

    A run keeps its colour in every panel (the legend is drawn once, in the first panel).
    """
    fig = Figure(figsize=(cell_size[0] * len(metrics), cell_size[1]))
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    fig.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.16, wspace=0.25)
    palette = matplotlib.colormaps['tab10' if len(series) <= 10 else 'tab20']
    colours = {run: palette(index % palette.N) for index, run in enumerate(series)}
    for axis, metric in zip(axes, metrics):
        for run, curves in series.items():
            if metric in curves:
                x, y = curves[metric]
                axis.plot(x, y, marker='o' if len(x) < 30 else None, markersize=3, label=run, color=colours[run])
        axis.set_title(metric, fontsize=9)
        axis.set_xlabel(xlabel, fontsize=8)
        axis.grid(alpha=0.3)
        axis.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    return fig


def save_figure(fig: Figure, path: str, dpi: int = 100) -> str:
    """Write ``fig`` as a PNG (folders made as needed) and return the path."""
    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=dpi, format='png')
    return path

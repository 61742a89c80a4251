"""The interface of a global objective: how a method compares its student's views with its teacher's."""
from typing import Optional, Sequence

import torch
from mmengine.model import BaseModule


class ObjectiveHead(BaseModule):
    """Base of the heads that are a method's objective, chosen by ``type=`` (``cledi.InfoNCEHead``: MoCo v3).

    A method projects the CLS token of every view ``v`` with its projector (``neck``), ``s_v = neck(cls(f(v)))``,
    and its teacher does the same for every global view ``g``, ``t_g = neck~(cls(f~(g)))``. The head turns each
    projection into a query (:meth:`predict`) and scores the queries against the teacher's projections over every
    pair of different views (:meth:`contrast`). A detail part may hold a head of its own of the same type (its
    config's default), or use the global one (``shared_head``).
    """

    def predict(self, projection: torch.Tensor) -> torch.Tensor:
        """A student projection (B, D) -> its query (B, D'); the projection itself unless the objective predicts."""
        return projection

    def contrast(self, queries: Sequence[torch.Tensor], keys: Sequence[torch.Tensor],
                 progress: float = 1.0) -> torch.Tensor:
        """The loss of the queries (B, D') per view, global views first, against the teacher's projections (B, D)
        per global view, over the pairs of different views; ``progress`` (of training, in [0, 1]) for objectives
        with schedules."""
        raise NotImplementedError

    def contrast_pair(self, query: torch.Tensor, key: torch.Tensor,
                      valid: Optional[torch.Tensor] = None) -> torch.Tensor:
        """One query batch (B, D') against one key batch (B, D), rows ``valid`` only (region designs need it)."""
        raise TypeError(f'{type(self).__name__} scores whole views only; a detail part that pairs single batches '
                        "(regions, local crops) needs head=dict(type='cledi.InfoNCEHead', ...)")

    def loss(self, projections: Sequence[torch.Tensor], keys: Sequence[torch.Tensor],
             progress: float = 1.0) -> torch.Tensor:
        """The loss of student projections per view: each predicted, then contrasted with the ``keys``."""
        return self.contrast([self.predict(projection) for projection in projections], keys, progress)

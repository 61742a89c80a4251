"""Online kNN monitor: the weighted-kNN top-1 of the backbone features every N epochs of pre-training."""
import os.path as osp
from typing import Optional, Sequence, Union

from mmengine.dist import barrier, broadcast_object_list, is_main_process
from mmengine.hooks import Hook

from cledi.engine.safe_checkpoint import ATOMIC_BACKEND
from cledi.engine.strategies import full_weights, is_sharded
from cledi.evaluation import build_eval_dataloader, evaluate_knn
from cledi.registry import HOOKS


@HOOKS.register_module()
class KNNEvalHook(Hook):
    """Every ``interval`` epochs (and after the last), extract features of a labelled bank split and a labelled
    query split, classify the queries with a weighted kNN (cosine similarity, ``exp(sim / T)`` votes, DINO's
    protocol) and log ``knn/top1_k{k}`` to the log file and every visualizer backend (TensorBoard, JSON).

    The best ``knn/top1_k{ks[0]}`` so far is kept as ``best_knn_top1_k{k}.pth`` in the work dir (model weights
    only) and reported as ``knn/best_top1_k{k}``.

    Args:
        bank_dataloader (dict | str): Labelled split the kNN is fitted on (e.g. the training images, no
            augmentation), or the name of a top-level config entry holding it (e.g. ``'knn_bank_dataloader'``,
            so that ``tools/train.py --data-root`` and ``tools/knn_eval.py`` see the same one). Defaults to
            ``'knn_bank_dataloader'``.
        query_dataloader (dict | str): Labelled split that is classified (e.g. the test images), likewise.
            Defaults to ``'knn_query_dataloader'``.
        interval (int): Epochs between evaluations. Defaults to 1.
        ks (Sequence[int]): Neighbour counts. Defaults to (20, 200).
        temperature (float): Vote temperature. Defaults to 0.07.
        feature (str): ``'cls'``, ``'mean'`` (mean patch token) or ``'cls+mean'``. Defaults to ``'cls'``.
        save_best (bool): Keep the best checkpoint. Defaults to True.
        evaluate_before_training (bool): Also evaluate the initial weights (logged as epoch 0). Defaults to False.
    """

    priority = 'LOW'  # before the CheckpointHook (VERY_LOW), so the epoch's checkpoint holds the kNN results

    def __init__(self,
                 bank_dataloader: Union[dict, str] = 'knn_bank_dataloader',
                 query_dataloader: Union[dict, str] = 'knn_query_dataloader',
                 interval: int = 1,
                 ks: Sequence[int] = (20, 200),
                 temperature: float = 0.07,
                 feature: str = 'cls',
                 save_best: bool = True,
                 evaluate_before_training: bool = False) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1 epoch, got {interval}')
        self.bank_dataloader_cfg = bank_dataloader
        self.query_dataloader_cfg = query_dataloader
        self.interval = interval
        self.ks = tuple(ks)
        self.temperature = temperature
        self.feature = feature
        self.save_best = save_best
        self.evaluate_before_training = evaluate_before_training
        self.best_score: Optional[float] = None
        self.best_path: Optional[str] = None
        self._loaders = None

    def _configs(self, runner):
        """The bank and query loader configs, or None where the config has no such entry or sets it to None (no
        labelled split, e.g. ImageNet or Penn-Fudan photos, or a classification config: the monitor is then off)."""
        configs = [runner.cfg.get(cfg) if isinstance(cfg, str) else cfg
                   for cfg in (self.bank_dataloader_cfg, self.query_dataloader_cfg)]
        return None if any(cfg is None for cfg in configs) else configs

    def _dataloaders(self, runner):
        if self._loaders is None:
            self._loaders = tuple(build_eval_dataloader(cfg) for cfg in self._configs(runner))
        return self._loaders

    def evaluate(self, runner) -> dict:
        """Compute ``{'top1_k20': ..., ...}`` for the current weights."""
        bank_loader, query_loader = self._dataloaders(runner)
        return evaluate_knn(runner.model, bank_loader, query_loader, self.feature, self.ks, self.temperature)

    def before_train(self, runner) -> None:
        self.active = self._configs(runner) is not None
        if not self.active:
            runner.logger.info(f'KNNEvalHook: this config has no labelled kNN splits ({self.bank_dataloader_cfg}, '
                               f'{self.query_dataloader_cfg}): the kNN monitor is off')
            return
        if self.best_score is None:  # a resumed run: the best so far is in the restored message hub
            self.best_score = runner.message_hub.get_info(f'knn/best_top1_k{self.ks[0]}')
        if self.evaluate_before_training and runner.epoch == 0:
            self._run(runner, epoch=0)

    def after_train_epoch(self, runner) -> None:
        if not getattr(self, 'active', True):
            return
        epoch = runner.epoch + 1
        if epoch % self.interval == 0 or epoch == runner.max_epochs:
            self._run(runner, epoch)

    def _run(self, runner, epoch: int) -> None:
        improved = False
        # a sharded (FSDP) model: every process runs the same forward passes (its units gather weights
        # collectively), the main one keeps the score
        sharded = is_sharded(runner.model)
        with full_weights(runner.model, recurse=False):
            results = self.evaluate(runner) if sharded or is_main_process() else None
            if is_main_process():
                scalars = {f'knn/{key}': value for key, value in results.items()}
                main_key = f'top1_k{self.ks[0]}'
                improved = self.best_score is None or results[main_key] > self.best_score
                if improved:
                    self.best_score = results[main_key]
                scalars[f'knn/best_{main_key}'] = self.best_score
                for key, value in scalars.items():
                    runner.message_hub.update_info(key, value)
                runner.visualizer.add_scalars(dict(scalars, epoch=epoch), step=runner.iter)
                runner.logger.info(f'Epoch(knn) [{epoch}] ' +
                                   '  '.join(f'{k}: {v:.2f}' for k, v in scalars.items()))
            barrier()
        shared = [improved, self.best_score]
        broadcast_object_list(shared)  # saving is collective under FSDP (the Runner saves on rank 0 only anyway)
        improved, self.best_score = shared
        if improved and self.save_best and epoch > 0:
            self._save_best(runner, f'top1_k{self.ks[0]}', epoch)

    def _save_best(self, runner, main_key: str, epoch: int) -> None:
        filename = f'best_knn_{main_key}.pth'
        runner.save_checkpoint(runner.work_dir, filename, save_optimizer=False, save_param_scheduler=False,
                               meta=dict(knn_epoch=epoch, knn_score=self.best_score),
                               backend_args=dict(backend=ATOMIC_BACKEND))
        self.best_path = osp.join(runner.work_dir, filename)
        runner.logger.info(f'best {main_key} {self.best_score:.2f} at epoch {epoch}: saved {self.best_path}')

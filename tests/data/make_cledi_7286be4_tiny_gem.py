"""Remake ``cledi_7286be4_tiny_gem.pth``: the tiny CL-EDI with a GeM aggregator as cledi 7286be4 saved it.

Run inside a checkout of that commit, whose model still has the keys ``detail_aggregator.*`` / ``detail_neck.*`` /
``detail_head.*``::

    git worktree add /tmp/cledi-7286be4 7286be4
    cd /tmp/cledi-7286be4 && python /path/to/this/file.py OUT.pth

The GeM exponents are set to 2.5 (online) and 2.75 (momentum) so the test can see that each lands where the
detail parts keep it now.
"""
import sys

import torch

from tests.helpers import build_model, tiny_cledi_config

model = build_model(tiny_cledi_config(detail_aggregator=dict(mode='gem')).model)
with torch.no_grad():
    model.detail_aggregator.gem_p.fill_(2.5)
    model.momentum_encoder['detail_aggregator'].gem_p.fill_(2.75)
torch.save(dict(state_dict=model.state_dict(), meta=dict(cledi_commit='7286be4')), sys.argv[1])

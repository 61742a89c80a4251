# Runtime of the CL-EDI configs: the shared runtime plus CL-EDI's EMA momentum schedule, 0.99 -> 1 along a
# cosine over the whole run (read from the Runner, so resume keeps it). MoCo v3 schedules its own momentum.
_base_ = ['default_runtime.py']
default_hooks = dict(momentum=dict(type='cledi.CosineMomentumHook'))

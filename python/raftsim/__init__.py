"""raftsim from Python: run, sweep and read reward-ranked fine-tuning
experiments in-process, on the same engine and actors as the `raftsim`
program, with the same bits.

    import raftsim
    run = raftsim.run({"sampler": {"k": 8}, "iterations": 20}, progress=False)
    run.metrics.gold_reward_mean.plot()
    raftsim.stats.compare_paired(a, b)      # the C++ statistics

A run's configuration is an INI file's path, INI text, or a nested dict
({"sampler": {"k": 8}} or {"sampler.k": 8}); `overrides` are KEY=VALUE
items applied after it, as `--set` is. Bad configuration raises
ConfigError with the message `raftsim run` prints before exiting 2; a run
that fails raises RunError, its file marked failed; Ctrl-C during a run
ends it as the program does (the file says `interrupted`) and raises
KeyboardInterrupt.
"""
from . import _native, stats
from ._native import ConfigError
from .follow import follow
from .run import Run, RunError, load, run
from .schema import schema
from .summary import compare, summarize
from .sweep import sweep
from .tidy import load_sweep

__version__ = _native.version
__all__ = ["ConfigError", "Run", "RunError", "compare", "follow", "load",
           "load_sweep", "run", "schema", "stats", "summarize", "sweep", "__version__"]

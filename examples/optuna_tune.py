#!/usr/bin/python3
"""Optuna tunes RAFT's learning rate and K in this process, pruning trials
on the live gold reward (Debian's python3-optuna).

    /usr/bin/python3 examples/optuna_tune.py [--trials N] [--small]

Each trial is one raftsim.run; on_row reports every /metrics row to the
trial as it is logged, and raises optuna.TrialPruned when the median
pruner says so: the run stops as Ctrl-C would stop it (its file says
interrupted), and the exception reaches Optuna. The objective is the mean
gold reward of the last five iterations. The tuning seed is 1: a result
worth reporting is then re-run on held-out seeds (SCIENCE.md §8).
"""
import argparse
import os
import tempfile

import optuna

import raftsim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def objective(trial, size, out_dir):
    lr = trial.suggest_float("trainer.learning_rate", 0.005, 0.5, log=True)
    k = trial.suggest_categorical("sampler.k", [2, 4, 8, 16])
    gold = []

    def report(row):
        gold.append(row["gold_reward_mean"])
        trial.report(row["gold_reward_mean"], row["iteration"])
        if trial.should_prune():
            raise optuna.TrialPruned()

    raftsim.run(os.path.join(ROOT, "experiments", "quickstart.ini"),
                os.path.join(out_dir, f"trial{trial.number}.h5"),
                overrides={**size, "trainer.learning_rate": lr, "sampler.k": k},
                on_row=report, progress=False)
    return sum(gold[-5:]) / len(gold[-5:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--small", action="store_true", help="short runs, few trials")
    args = ap.parse_args()
    size = {"iterations": 6, "sampler.prompts": 64} if args.small else {}
    trials = 4 if args.small else args.trials
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=1),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=2,
                                                                   n_warmup_steps=2))
    with tempfile.TemporaryDirectory(prefix="raftsim-optuna-") as out_dir:
        study.optimize(lambda t: objective(t, size, out_dir), n_trials=trials)
    states = [t.state.name for t in study.trials]
    print(f"{len(states)} trials: {states.count('COMPLETE')} complete, "
          f"{states.count('PRUNED')} pruned")
    print(f"best: {study.best_params}, last-5 gold {study.best_value:.3f}")


if __name__ == "__main__":
    main()

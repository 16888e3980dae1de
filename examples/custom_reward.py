#!/usr/bin/python3
"""A gold reward written in Python, on the sequence task: the share of a
response's tokens that are even, a reward no built-in task has. RAFT climbs
it like any other; raftsim calls the function from its reward workers.

    /usr/bin/python3 examples/custom_reward.py [--out FILE.h5] [--small]

The function receives one row per sample: prompts int32 (n, prompt_length)
and responses int32 (n, response_length) (on the points task responses
are float32 (n, dim); on the bandit prompts[:, 0] is the context and
responses[:, 0] the arm), and returns n floats. docs/extending.md says what
a Python reward costs and how to add one in C++ instead.
"""
import argparse

import numpy as np

import raftsim


def even_tokens(prompts, responses):
    """Share of the response's tokens that are even: 0 to 1."""
    return (responses % 2 == 0).mean(axis=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="runs/custom_reward.h5")
    ap.add_argument("--small", action="store_true", help="a few iterations")
    args = ap.parse_args()
    config = {
        "iterations": 4 if args.small else 20,
        "task": {"name": "sequence", "vocab": 8, "prompt_length": 4, "response_length": 4},
        "policy": {"model": "gru", "d_model": 32},
        "sampler": {"prompts": 64, "k": 8, "chunk": 32},
        "reward": {"noise": "gaussian", "noise_scale": 0.1},
        "trainer": {"learning_rate": 0.01, "batch_size": 64},
    }
    run = raftsim.run(config, args.out, gold=even_tokens, overwrite=True, progress=False)
    gold = run.metrics.gold_reward_mean
    print(f"{run.path}: share of even tokens {gold.iloc[0]:.3f} at iteration 0, "
          f"{gold.iloc[-1]:.3f} at iteration {len(gold) - 1}")
    # The first iteration samples pi_0, near-uniform over 8 tokens: about half even.
    assert np.isfinite(gold).all()


if __name__ == "__main__":
    main()

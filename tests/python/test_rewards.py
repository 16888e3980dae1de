"""Rewards written in Python: a callable that computes the built-in gold
gives the built-in run bit for bit; a callable that fails fails the run in
one line that names it."""
import h5py
import numpy as np
import pytest

import raftsim
from conftest import QUICKSTART, SMALL

SEQUENCE = {"iterations": 3, "task": {"name": "sequence", "vocab": 8, "prompt_length": 4,
                                      "response_length": 4},
            "policy": {"model": "gru", "d_model": 16},
            "sampler": {"prompts": 32, "k": 4, "chunk": 16},
            "reward": {"noise": "gaussian", "noise_scale": 0.3},
            "trainer": {"learning_rate": 0.01, "batch_size": 32},
            "actors": {"generators": 2, "reward_workers": 2}}


def metrics_bytes(path):
    with h5py.File(path, "r") as f:
        return {name: f["metrics"][name][:].tobytes() for name in f["metrics"]}


def test_bandit_gold_in_python_gives_the_same_bits(tmp_path):
    builtin = raftsim.run(QUICKSTART, tmp_path / "builtin.h5", overrides=SMALL,
                          progress=False)
    with h5py.File(builtin.path, "r") as f:
        table = f["task/gold"][:]
    calls = []

    def gold(prompts, responses):
        calls.append(len(prompts))
        return table[prompts[:, 0], responses[:, 0]]

    mine = raftsim.run(QUICKSTART, tmp_path / "python.h5", overrides=SMALL, gold=gold,
                       progress=False)
    assert metrics_bytes(mine.path) == metrics_bytes(builtin.path)
    assert sum(calls) == 4 * 64 * 8  # every sample of every iteration, once
    assert "external reward: gold = " in mine.attrs["environment"]


def test_sequence_gold_in_python_gives_the_same_bits(tmp_path):
    builtin = raftsim.run(SEQUENCE, tmp_path / "builtin.h5", progress=False)

    def reverse_gold(prompts, responses):
        target = prompts[:, ::-1]
        return (responses == target).sum(axis=1) / responses.shape[1]

    mine = raftsim.run(SEQUENCE, tmp_path / "python.h5", gold=reverse_gold, progress=False)
    assert metrics_bytes(mine.path) == metrics_bytes(builtin.path)


def test_a_python_proxy_is_what_the_run_scores(tmp_path):
    # The proxy is minus the arm, whatever its gold.
    s = raftsim.run(QUICKSTART, tmp_path / "s.h5", overrides=SMALL + ["log.samples=true"],
                    proxy=lambda p, r: -np.asarray(r[:, 0], dtype=float), progress=False)
    for t in range(4):
        samples = s.samples(t)
        arms = samples["response"].reshape(len(samples["proxy"]), -1)[:, 0]
        assert np.array_equal(samples["proxy"], -arms.astype(float))
        assert s.metrics.proxy_reward_mean[t] == pytest.approx(-arms.mean(), rel=1e-12)


def test_a_callable_that_raises_fails_the_run_naming_it(tmp_path):
    def broken_gold(prompts, responses):
        raise ValueError("no table here")

    out = tmp_path / "f.h5"
    with pytest.raises(raftsim.RunError) as e:
        raftsim.run(QUICKSTART, out, overrides=SMALL, gold=broken_gold, progress=False)
    message = str(e.value)
    assert "gold callable" in message and "broken_gold" in message
    assert "no table here" in message and "\n" not in message
    assert raftsim.load(out).status == "failed"


def test_a_wrong_shape_fails_the_run_naming_the_shape(tmp_path):
    def short_gold(prompts, responses):
        return np.zeros(3)

    with pytest.raises(raftsim.RunError, match=r"gold callable .*short_gold returned \(3,\) "
                                               r"for a batch of \d+ samples"):
        raftsim.run(QUICKSTART, tmp_path / "w.h5", overrides=SMALL, gold=short_gold,
                    progress=False)


def test_a_list_or_a_string_fails_the_run_naming_what_came_back(tmp_path):
    with pytest.raises(raftsim.RunError, match=r"returned \(3,\) for a batch"):
        raftsim.run(QUICKSTART, tmp_path / "l.h5", overrides=SMALL,
                    gold=lambda p, r: [0.0] * 3, progress=False)
    with pytest.raises(raftsim.RunError, match="not an array of numbers"):
        raftsim.run(QUICKSTART, tmp_path / "s.h5", overrides=SMALL,
                    gold=lambda p, r: "high", progress=False)


def test_gold_with_a_learned_reward_model_is_refused_before_any_work(tmp_path):
    out = tmp_path / "l.h5"
    with pytest.raises(raftsim.ConfigError, match="reward.model = 'learned'"):
        raftsim.run(QUICKSTART, out, overrides=SMALL + ["reward.model=learned", "reward.noise=none",
                                             "task.features=4"],
                    gold=lambda p, r: np.zeros(len(p)))
    assert not out.exists()
    with pytest.raises(raftsim.ConfigError, match="a callable"):
        raftsim.run(QUICKSTART, tmp_path / "n.h5", gold=3)

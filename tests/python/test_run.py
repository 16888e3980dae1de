"""raftsim.run: the same bits as `raftsim run`, the same refusals, and the
CLI's ends (interrupted, failed) as Python exceptions."""
import os
import subprocess

import h5py
import numpy as np
import pytest

import raftsim
from conftest import QUICKSTART, RAFTSIM_BIN, SMALL


def metrics_bytes(path):
    """{column: raw bytes} of /metrics: equal means equal bit for bit (NaN too)."""
    with h5py.File(path, "r") as f:
        return {name: f["metrics"][name][:].tobytes() for name in f["metrics"]}


def cli_run(tmp_path, *args):
    out = tmp_path / "cli.h5"
    r = subprocess.run([RAFTSIM_BIN, "run", "--quiet", "--out", str(out), *args],
                       capture_output=True, text=True)
    return r, out


def test_same_metrics_bits_as_the_cli(tmp_path):
    r, cli = cli_run(tmp_path, "--config", QUICKSTART, *sum([["--set", s] for s in SMALL], []))
    assert r.returncode == 0, r.stderr
    run = raftsim.run(QUICKSTART, tmp_path / "py.h5", overrides=SMALL, progress=False)
    assert run.status == "complete"
    a, b = metrics_bytes(cli), metrics_bytes(run.path)
    assert sorted(a) == sorted(b)
    assert all(a[k] == b[k] for k in a), [k for k in a if a[k] != b[k]]
    assert len(run.metrics) == 4


def test_a_dict_ini_text_and_a_path_give_one_configuration(tmp_path):
    with open(QUICKSTART) as f:
        text = f.read()
    as_dict = {"seed": 1, "iterations": 30, "task": {"name": "bandit", "contexts": 16,
               "arms": 32}, "policy": {"model": "tabular", "temperature": 1.0},
               "sampler": {"prompts": 256, "k": 8, "chunk": 32},
               "reward": {"noise": "gaussian", "noise_scale": 0.5, "persistent": True},
               "ranker.strategy": "best_of_k",
               "trainer": {"learning_rate": 0.05, "epochs": 2, "batch_size": 64},
               "actors": {"generators": 2, "reward_workers": 1}}
    runs = [raftsim.run(c, tmp_path / f"{i}.h5", overrides=SMALL, progress=False)
            for i, c in enumerate([QUICKSTART, text, as_dict])]
    assert runs[0].config == runs[1].config == runs[2].config
    assert metrics_bytes(runs[0].path) == metrics_bytes(runs[2].path)


def test_bad_configuration_raises_the_cli_message(tmp_path):
    r, _ = cli_run(tmp_path, "--set", "sampler.k=0")
    assert r.returncode == 2
    with pytest.raises(raftsim.ConfigError) as e:
        raftsim.run({"sampler": {"k": 0}}, tmp_path / "x.h5")
    assert r.stderr.strip() == f"raftsim run: {e.value}"
    assert (e.value.key, e.value.value) == ("sampler.k", "0")
    assert not (tmp_path / "x.h5").exists()


def test_an_existing_file_is_kept_without_overwrite(tmp_path):
    out = tmp_path / "kept.h5"
    out.write_bytes(b"earlier work")
    with pytest.raises(raftsim.ConfigError, match="pass --overwrite"):
        raftsim.run(QUICKSTART, out, overrides=SMALL, progress=False)
    assert out.read_bytes() == b"earlier work"


def test_unknown_key_is_refused_before_any_work(tmp_path):
    with pytest.raises(raftsim.ConfigError, match="a known key"):
        raftsim.run({"sampler": {"kk": 3}}, tmp_path / "x.h5")


def test_interrupt_marks_the_file_and_raises_keyboard_interrupt(tmp_path):
    # SIGINT sent by the run itself after row 1 is flushed: a deterministic
    # Ctrl-C, as the CLI's interrupt tests use.
    out = tmp_path / "int.h5"
    with pytest.raises(KeyboardInterrupt):
        raftsim.run(QUICKSTART, out, overrides=["faults.signal=INT@row:1"], progress=False)
    run = raftsim.load(out)
    assert run.status == "interrupted"
    assert 2 <= len(run.metrics) < 30
    # Python's own handler is back: a later SIGINT is a KeyboardInterrupt.
    import signal
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_failed_run_raises_run_error_and_says_failed(tmp_path):
    out = tmp_path / "fail.h5"
    with pytest.raises(raftsim.RunError) as e:
        raftsim.run(QUICKSTART, out, overrides=SMALL + ["faults.generator_crash=1:0",
                                                        "faults.crash_times=5"],
                    progress=False)
    assert e.value.status == "failed" and e.value.path == str(out)
    assert raftsim.load(out).status == "failed"
    assert "generator" in str(e.value)


def test_a_temporary_run_can_be_saved(tmp_path):
    run = raftsim.run(QUICKSTART, overrides=SMALL, progress=False)
    assert os.path.exists(run.path)
    saved = run.save(tmp_path / "saved.h5")
    assert metrics_bytes(saved.path) == metrics_bytes(run.path)
    temporary = run.path
    del run
    assert not os.path.exists(temporary)


def test_samples_of_an_iteration(tmp_path):
    run = raftsim.run(QUICKSTART, tmp_path / "s.h5", overrides=SMALL + ["log.samples=true"],
                      progress=False)
    s = run.samples(2)
    assert len(s["gold"]) == 64 * 8
    assert set(np.unique(s["iteration"])) == {2}
    assert np.isclose(s["gold"].mean(), run.metrics.gold_reward_mean[2])


def test_schema_is_the_help_text():
    keys = raftsim.schema()
    help_text = subprocess.run([RAFTSIM_BIN, "run", "--help"], capture_output=True,
                               text=True).stdout
    assert raftsim.schema(text=True) in help_text
    for name, row in keys.iterrows():
        default = row["default"] or '""'
        assert f"  {name} = {default}" in help_text, name
    assert len(keys) > 50


def test_on_row_sees_every_row_as_written_and_can_stop_the_run(tmp_path):
    seen = []
    run = raftsim.run(QUICKSTART, tmp_path / "all.h5", overrides=SMALL, progress=False,
                      on_row=seen.append)
    assert [r["iteration"] for r in seen] == [0, 1, 2, 3]
    m = run.metrics
    for r in seen:
        t = r["iteration"]
        assert all(np.array_equal(r[c], m[c][t], equal_nan=True) for c in m.columns
                   if c in r), t

    def stop_after_two(row):
        return row["iteration"] < 2

    stopped = raftsim.run(QUICKSTART, tmp_path / "stop.h5", progress=False,
                          on_row=stop_after_two)
    assert stopped.status == "interrupted"
    assert 3 <= len(stopped.metrics) < 30


def test_an_exception_from_on_row_stops_the_run_and_is_raised(tmp_path):
    class Pruned(Exception):
        pass

    def prune(row):
        if row["iteration"] == 1:
            raise Pruned("trial pruned at 1")

    with pytest.raises(Pruned, match="trial pruned at 1"):
        raftsim.run(QUICKSTART, tmp_path / "p.h5", progress=False, on_row=prune)
    assert raftsim.load(tmp_path / "p.h5").status == "interrupted"

"""Reading runs from Python: summarize and compare give the numbers of
`raftsim summarize`; load_sweep gives the tidy table; follow yields every
row of a run while another process writes it."""
import csv
import io
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import raftsim
from conftest import QUICKSTART, RAFTSIM_BIN, SOURCE_DIR


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "k"
    df = raftsim.sweep(QUICKSTART, out, grid={"sampler.k": [2, 4]}, seeds=3, jobs=2,
                       overrides={"iterations": 4, "sampler.prompts": 64})
    assert len(df) == 2 * 3 * 4
    return out


def test_sweep_refuses_bad_input_with_the_program_message(tmp_path):
    with pytest.raises(raftsim.ConfigError, match="sampler.k = '0' is not allowed"):
        raftsim.sweep(QUICKSTART, tmp_path / "bad", grid={"sampler.k": [0, 2]})


def cli_csv(*args):
    r = subprocess.run([RAFTSIM_BIN, "summarize", "--format", "csv", *args],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def test_summarize_gives_the_numbers_of_the_command(sweep_dir):
    table = raftsim.summarize(sweep_dir).set_index("sampler.k")
    rows = {int(r["sampler.k"]): r for r in cli_csv(str(sweep_dir))}
    assert sorted(rows) == sorted(table.index) == [2, 4]
    for k, row in rows.items():
        assert table.loc[k, "runs"] == int(row["runs"]) == 3
        # The CSV prints 10 significant digits.
        for column in ("final_gold_mean", "final_gold_ci95", "fall_mean", "kl_at_peak_mean"):
            assert table.loc[k, column] == pytest.approx(float(row[column]), rel=1e-9), column


def test_compare_gives_the_paired_numbers_of_the_command(sweep_dir):
    table = raftsim.compare(sweep_dir, "sampler.k=2")
    rows = cli_csv(str(sweep_dir), "--compare", "sampler.k=2")
    final = table[table.metric == "final_gold"].iloc[0]
    row = next(r for r in rows if r["metric"] == "final_gold")
    assert final["pairs"] == int(row["pairs"]) == 3
    for column in ("mean_diff", "t_lo", "boot_hi", "sign_p", "wilcoxon_p"):
        assert final[column] == pytest.approx(float(row[column]), rel=1e-9), column
    with pytest.raises(raftsim.ConfigError, match="varies across"):
        raftsim.compare(sweep_dir, "sampler.chunk=32")
    assert raftsim.summarize(sweep_dir, compare="sampler.k=2").equals(table)


def test_load_sweep_has_a_row_per_run_and_iteration(sweep_dir):
    df = raftsim.load_sweep(sweep_dir)
    assert len(df) == 2 * 3 * 4
    assert set(df["sampler.k"]) == {2, 4} and set(df["seed"]) == {1, 2, 3}
    one = df[(df["sampler.k"] == 4) & (df["seed"] == 2)].sort_values("iteration")
    runs = map(raftsim.load, raftsim.runfile.run_files([str(sweep_dir)]))
    run = next(r for r in runs if (r.config["sampler.k"], r.config["seed"]) == ("4", "2"))
    assert np.array_equal(one.gold_reward_mean.to_numpy(),
                          run.metrics.gold_reward_mean.to_numpy())


def test_follow_yields_every_row_of_a_run_being_written_with_checkpoints(tmp_path):
    # Checkpoints every 3 rows: the writer leaves SWMR mode for each and
    # comes back; the run must end complete and the reader see every row.
    out = tmp_path / "live.h5"
    writer = subprocess.Popen([RAFTSIM_BIN, "run", "--quiet", "--config", QUICKSTART,
                               "--set", "iterations=12", "--set", "log.swmr=true",
                               "--set", "log.checkpoint_every=3", "--out", str(out)])
    while not out.exists():  # follow() waits for rows, not for the file
        assert writer.poll() is None, "the writer ended before making its file"
        time.sleep(0.05)
    try:
        rows = list(raftsim.follow(out, poll=0.05, timeout=600))
    finally:
        assert writer.wait() == 0
    final = raftsim.load(out).metrics
    assert raftsim.load(out).status == "complete"
    assert [r["iteration"] for r in rows] == list(range(12))
    assert np.array_equal([r["gold_reward_mean"] for r in rows],
                          final.gold_reward_mean.to_numpy())


def test_follow_stops_when_the_writer_is_killed(tmp_path):
    # The writer kills itself after row 3 (a deterministic point, as the
    # fault tests use): the file says running and nobody holds its lock.
    out = tmp_path / "killed.h5"
    r = subprocess.run([RAFTSIM_BIN, "run", "--quiet", "--config", QUICKSTART,
                        "--set", "log.swmr=true", "--set", "faults.signal=KILL@row:3",
                        "--out", str(out)])
    assert r.returncode == -9
    with pytest.raises(raftsim.RunError, match="no process writes it"):
        list(raftsim.follow(out, poll=0.01, timeout=60))


def test_summarize_any_metric_with_auc_and_iterations_to_target(sweep_dir):
    table = raftsim.summarize(sweep_dir, metric="kl_to_initial", fraction=0.5)
    table = table.set_index("sampler.k")
    # By hand from the run files: auc is the mean over the run, to_target the
    # first iteration at start + 0.5 (best point's mean final - start).
    runs = [raftsim.load(p) for p in raftsim.runfile.run_files([str(sweep_dir)])]
    curves = {(int(r.config["sampler.k"]), int(r.config["seed"])):
              r.metrics.kl_to_initial.to_numpy() for r in runs}
    start = np.mean([c[0] for c in curves.values()])
    best = max(np.mean([c[-1] for (k, _), c in curves.items() if k == kk]) for kk in (2, 4))
    target = start + 0.5 * (best - start)
    assert table.attrs["target"] == pytest.approx(target, rel=1e-12)
    for k in (2, 4):
        mine = [c for (kk, _), c in curves.items() if kk == k]
        assert table.loc[k, "auc_mean"] == pytest.approx(np.mean([c.mean() for c in mine]),
                                                         rel=1e-12)
        to = [next((t for t, v in enumerate(c) if v >= target), len(c)) for c in mine]
        assert table.loc[k, "to_target_mean"] == pytest.approx(np.mean(to), rel=1e-12)
        assert table.loc[k, "reached"] == sum(t < len(c) for t, c in zip(to, mine))
    rows = {int(r["sampler.k"]): r for r in cli_csv(str(sweep_dir), "--metric", "kl_to_initial",
                                                    "--fraction", "0.5")}
    for k, row in rows.items():
        for column in ("final_mean", "peak_ci95", "auc_mean", "to_target_mean"):
            assert table.loc[k, column] == pytest.approx(float(row[column]), rel=1e-9), column
    paired = raftsim.compare(sweep_dir, "sampler.k=2", metric="kl_to_initial")
    assert set(paired.metric) == {"final", "peak", "auc", "to_target"}


def test_summarize_refuses_a_metric_the_runs_do_not_have(sweep_dir):
    r = subprocess.run([RAFTSIM_BIN, "summarize", str(sweep_dir), "--metric", "nope"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "--metric = 'nope' is not allowed" in r.stderr
    with pytest.raises(raftsim.ConfigError, match="--metric = 'nope'"):
        raftsim.summarize(sweep_dir, metric="nope")


def test_plot_draws_any_metric(sweep_dir, tmp_path):
    plot = [sys.executable, os.path.join(SOURCE_DIR, "analysis", "plot.py"), str(sweep_dir),
            "--out", str(tmp_path / "figs"), "--prefix", "k"]
    r = subprocess.run(plot + ["--metric", "kl_to_initial"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "figs" / "k_kl_to_initial.png").stat().st_size > 5000
    r = subprocess.run(plot + ["--metric", "nope"], capture_output=True, text=True)
    assert r.returncode == 2 and "--metric = 'nope' is not allowed" in r.stderr


def test_a_declared_test_carries_its_holm_adjustment(sweep_dir):
    table = raftsim.compare(sweep_dir, "sampler.k=2", test="wilcoxon")
    assert set(table.test) == {"wilcoxon"}
    assert (table.test_p == table.wilcoxon_p).all()
    for _, family in table.groupby("metric"):
        assert np.allclose(family.holm_p, raftsim.stats.holm(family.test_p.tolist()))
    rows = cli_csv(str(sweep_dir), "--compare", "sampler.k=2", "--test", "wilcoxon")
    assert [float(r["holm_p"]) for r in rows] == pytest.approx(table.holm_p.tolist(), rel=1e-9)
    for args in (["--test", "bogus", "--compare", "sampler.k=2"], ["--test", "sign"]):
        r = subprocess.run([RAFTSIM_BIN, "summarize", str(sweep_dir), *args],
                           capture_output=True, text=True)
        assert r.returncode == 2 and "--test = " in r.stderr, r.stderr


@pytest.fixture(scope="module")
def tuning_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tuning") / "klr"
    raftsim.sweep(QUICKSTART, out, grid={"sampler.k": [2, 4],
                                         "trainer.learning_rate": [0.001, 0.01, 0.1]},
                  seeds=4, jobs=2, overrides={"iterations": 3, "sampler.prompts": 32})
    return out


def test_tuning_seeds_choose_and_the_held_out_seeds_are_compared(tuning_dir):
    table = raftsim.compare(tuning_dir, "sampler.k=2", tune="trainer.learning_rate",
                            tuning_seeds="1-2")
    assert set(table.pairs) == {2}  # seeds 3 and 4
    assert "trainer.learning_rate" not in table.columns
    tuned = table.attrs["tuned"]
    assert len(tuned) == 2 and all("chosen from 3 values on 2 tuning seed(s)" in t
                                   for t in tuned)
    rows = cli_csv(str(tuning_dir), "--compare", "sampler.k=2", "--tune",
                   "trainer.learning_rate", "--tuning-seeds", "1-2")
    final = table[table.metric == "final_gold"].iloc[0]
    row = next(r for r in rows if r["metric"] == "final_gold")
    assert final["mean_diff"] == pytest.approx(float(row["mean_diff"]), rel=1e-9)
    r = subprocess.run([RAFTSIM_BIN, "summarize", str(tuning_dir), "--compare",
                        "sampler.k=2", "--tune", "trainer.learning_rate",
                        "--tuning-seeds", "1-2"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.count("# tuned: trainer.learning_rate = ") == 2
    with pytest.raises(raftsim.ConfigError, match="tuning_seeds"):
        raftsim.compare(tuning_dir, "sampler.k=2", tune="trainer.learning_rate")
    with pytest.raises(raftsim.ConfigError, match="--tuning-seeds = '1-4'"):
        raftsim.compare(tuning_dir, "sampler.k=2", tune="trainer.learning_rate",
                        tuning_seeds="1-4")
    # The edge notes of the same grid are in summarize's attrs, one line per
    # sampler.k at most.
    edges = raftsim.summarize(tuning_dir).attrs["edges"]
    assert len(edges) <= 2 and all("trainer.learning_rate = " in e for e in edges)

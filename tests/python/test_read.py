"""Reading runs from Python: summarize and compare give the numbers of
`raftsim summarize`; load_sweep gives the tidy table; follow yields every
row of a run while another process writes it."""
import csv
import io
import subprocess
import time

import numpy as np
import pytest

import raftsim
from conftest import QUICKSTART, RAFTSIM_BIN


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

"""Shared fixtures of the Python package's tests: the program built beside
the package (RAFTSIM_BIN, set by CTest) and the repository (RAFTSIM_SOURCE_DIR)."""
import os

import pytest

SOURCE_DIR = os.environ.get("RAFTSIM_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))))
RAFTSIM_BIN = os.environ.get("RAFTSIM_BIN", os.path.join(SOURCE_DIR, "build", "raftsim"))
QUICKSTART = os.path.join(SOURCE_DIR, "experiments", "quickstart.ini")

# A few iterations of the default experiment (the bandit): under a second.
SMALL = ["iterations=4", "sampler.prompts=64"]


@pytest.fixture
def raftsim_bin():
    return RAFTSIM_BIN


@pytest.fixture
def quickstart():
    return QUICKSTART

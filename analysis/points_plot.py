#!/usr/bin/python3
"""Samples of a points-task run over its reward maps: the command line of
raftsim.points_plot.

    /usr/bin/python3 analysis/points_plot.py RUN.h5 --out FIG.png \
        [--iterations 0,5,19] [--context 0] [--title TEXT]
"""
import sys

from raftsim.points_plot import main

if __name__ == "__main__":
    sys.exit(main())

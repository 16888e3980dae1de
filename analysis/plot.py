#!/usr/bin/python3
"""Plots of raftsim runs and sweeps: raftsim.plotting's command line.

    /usr/bin/python3 analysis/plot.py DIR_OR_FILES... --out FIGDIR [--prefix NAME]
        [--x KEY] [--title TEXT]

See `--help`, and python/raftsim/plotting.py for what each figure shows.
"""
import sys

from raftsim.plotting import main

if __name__ == "__main__":
    sys.exit(main())

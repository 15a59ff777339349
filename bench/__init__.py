"""
Benchmarks (not tests): scripts run by hand or by `tox -e bench`, and the helpers
they share. The modules are importable as `bench.*` so their tests run under trial;
the scripts (`python bench/suite.py`, `python bench/charts.py`) put the repository
root on sys.path themselves.
"""

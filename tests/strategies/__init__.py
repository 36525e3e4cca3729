"""Hypothesis strategies of the whole test suite, one module per thing generated.

* ``language``: syntax trees the grammar can produce (rule files, statements, values).
* ``settle``: reference-engine rulesets, families and claims (the adjudication properties).
* ``stoploss``: specific and aggregate contracts and adjudicated lines (the stop-loss properties).
* ``scenarios``: whole rulesets, enrollment and claims tables for the differential tests (reference
  against vector against Dask, the ledger's batches).

The fuzz suite's mutations of rule-file text stay in tests/fuzz/mutations.py, beside their only
user. Settings profiles (``ci``, ``dev``) are registered in tests/conftest.py; docs/testing.md.
"""

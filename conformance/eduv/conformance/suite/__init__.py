"""The Edu-V conformance suite: preflight, observe, scenario and consumer modes.

>>> from eduv.conformance.suite import RunConfig, run_suite   # doctest: +SKIP
"""

"""Fault drills on the local cluster (`bin/cluster`) that run longer than a test should:
``python -m bench.drills.outage`` (WellApp down for minutes while staff keep creating)."""

"""Reasoning over plain records: no I/O, no storage; every function takes and returns data."""

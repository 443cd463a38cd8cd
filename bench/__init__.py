"""Benchmarks: a synthetic province-sized corpus (generate) and the measured stages of hrss-kg (run)."""

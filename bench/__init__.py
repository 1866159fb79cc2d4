"""Benchmarks run by ``make bench``: loopback only, bounded in time, printed as tables.

Each module exposes ``run() -> list[Result]``. ``python -m bench [name ...]`` runs them.
"""

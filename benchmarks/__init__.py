"""Measurements of normbase (speed, memory, quality experiments): outside the engine, reaching it
only through its public functions. `python -m index bench` runs `benchmarks.bench`."""

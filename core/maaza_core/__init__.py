"""`maaza_core`: the pieces both packages need, so that neither imports the other.

Why a third package: `edgejson` (the benchmark harness) and `papertools` (literature and
rendering) share typed errors, the project's paths, the atomic write, the top-level
command handler and the metrics consistency rules. Kept here, the dependency direction is
edgejson -> maaza_core <- papertools; maaza_core imports neither.
"""

"""`make bench`: measurements compared against a baseline taken in the same run.

The machines are shared and noisy, so every result is reported as a ratio to a
baseline measured moments before, as one JSON line each.
"""

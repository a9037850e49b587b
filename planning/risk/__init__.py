"""Slate risk: Monte Carlo samples of a plan (``simulate``): which development productions go
ahead, how long each phase really takes, which named risks happen; deliveries, over-booking and
cash per sample, and their percentiles."""

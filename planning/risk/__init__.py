"""Slate risk: Monte Carlo samples of a plan. ``inputs`` reads a slate and a plan's schedule into
arrays; ``simulate`` draws which development productions go ahead, how long each phase takes and
which named risks strike; ``outcomes`` gives each sample's deliveries, load, shortfall, hire-in,
lateness and cash; ``replan`` re-plans one sample after its first surprise; ``run`` runs the samples
in chunks on this process, local processes or a Dask cluster; ``results`` makes the tables."""

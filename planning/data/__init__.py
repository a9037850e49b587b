"""The slate's data: the contract (``schema``), typed frames and the only week <-> date
arithmetic (``inputs``), validation (``validate``), the DuckDB store (``store``) and zip
bundles (``bundles``). Imports nothing from the other groups of ``planning``."""

"""What-if scenarios: value types (``types``), the overrides applied to a slate (``apply``), a
scenario run through the optimizer (``run``) and the saved-scenario store (``store``)."""

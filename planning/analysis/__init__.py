"""What a plan means: capacity and conflicts (``conflicts``), the stage board (``stageboard``),
headline numbers (``kpis``) and plans side by side (``compare``)."""

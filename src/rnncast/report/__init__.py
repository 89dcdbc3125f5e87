"""The run directory a command writes: tables, notes, plots, HTML."""

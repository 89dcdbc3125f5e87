"""Training: one loop for every engine, steps, devices, processes, checkpoints, batch order, early stopping."""

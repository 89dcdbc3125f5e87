"""The Forecaster: fit, fitted state, save/load, ensembles, presets, multi-step rollout, intervals."""

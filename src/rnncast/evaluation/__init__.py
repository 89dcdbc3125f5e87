"""Evaluation: hold-out and rolling-origin backtests beside baselines, significance."""

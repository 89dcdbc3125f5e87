"""rnncast: recurrent neural network forecasting (RNN, LSTM, GRU) with honest evaluation.

    import rnncast
    f = rnncast.Forecaster(model="lstm", seq_length=7).fit(df, target="Close")
    f.predict(); f.save("runs/mine"); rnncast.load("runs/mine")

Public names are imported lazily so that ``rnncast --help`` does not pay for torch.
"""

from rnncast.version import __version__

__all__ = ["Forecaster", "load", "datasets", "RnncastError", "__version__"]


def __getattr__(name: str):
    if name in ("Forecaster", "load"):
        from rnncast.forecaster import forecaster as forecast

        return getattr(forecast, name)
    if name == "datasets":
        import importlib

        return importlib.import_module("rnncast.datasets")
    if name == "RnncastError":
        from rnncast.errors import RnncastError

        return RnncastError
    raise AttributeError(f"module 'rnncast' has no attribute {name!r}")

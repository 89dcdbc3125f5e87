"""Run under torchrun by tests/test_distributed.py: fit a forecaster per setting, save each rank's weights.

    python -m torch.distributed.run --standalone --nproc-per-node 2 tests/training/ddp_worker.py PANEL.csv OUT \
        SETTINGS

SETTINGS is JSON: {name: Forecaster keyword arguments}.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from rnncast import Forecaster
from rnncast.training import distributed


def main() -> None:
    panel, out, settings = pd.read_csv(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    weights = {}
    for name, kwargs in settings.items():
        f = Forecaster(**kwargs).fit(panel, id_col="unique_id")
        weights.update({f"{name}/{k}": v.detach().numpy() for k, v in f.net_.state_dict().items()})
        weights[f"{name}/losses"] = np.array(f.history_.losses)
    np.savez(out / f"rank{distributed.rank()}.npz", **weights)
    (out / f"rank{distributed.rank()}.json").write_text(json.dumps({"world_size": distributed.world_size()}))


if __name__ == "__main__":
    main()

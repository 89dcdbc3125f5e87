import numpy as np
import pytest
import torch

from rnncast.forecaster.sampling import LOG_REACH, sample_paths


class RunawayNet(torch.nn.Module):
    """Each step's location is its own input plus 5 (×e⁵ a step in log space), with a tiny spread: the
    feedback the log models' draws must not follow without end."""

    def run(self, x, state=None):
        raw = torch.stack([x[..., 0] + 5.0, torch.full_like(x[..., 0], -8.0)], dim=-1)
        return raw, torch.zeros(1, len(x), 2) if state is None else state


@pytest.mark.parametrize("kind", ["lognormal", "gaussian"])
def test_a_log_models_draws_stay_within_reach_of_their_window_and_others_are_left_alone(kind):
    L, H, S = 6, 8, 20
    context = np.array([[0.1, -0.3, 0.4, 0.2, 0.0, 0.3], [1.0, 1.2, 0.9, 1.1, 1.3, 1.0]], dtype=np.float32)
    windows = np.zeros((2, L + H, 1), dtype=np.float32)
    windows[:, :L, 0] = context
    paths = sample_paths(RunawayNet(), kind, windows, L, H, 1, np.ones(2), S, seed=0)  # (S, 2, H)
    top = context.max(axis=1) + LOG_REACH
    if kind == "lognormal":  # up by 5 once, then held at the window's largest z + log 10 (ten times its value)
        np.testing.assert_allclose(paths[:, :, -1], np.broadcast_to(top, (S, 2)), rtol=1e-6)
        assert np.all(paths <= top[None, :, None] + 1e-6)
    else:  # a Gaussian in the data's units: no bound, the walk goes on (5 a step)
        np.testing.assert_allclose(paths[:, :, -1], np.broadcast_to(context[:, -1] + 5.0 * H, (S, 2)), atol=0.01)

"""rnncast.scratch: recurrent nets in NumPy only, forward and backpropagation through time by hand.

The same math as torch.nn.RNN / LSTM / GRU + nn.Linear (same gate order, weight layout and
parameter names), written so that each line of code is an equation. It exists to show what the
torch models compute, and it is tested against them: same outputs within 1e-10, same gradients
within 1e-8, and against centred differences. NumPy only: nothing here imports torch.

    from rnncast.scratch import ScratchNet, Adam, mse
    net = ScratchNet(kind="lstm", input_size=5, hidden_size=10, output_size=1)
    opt = Adam(lr=0.01)
    pred = net.forward(x); loss, dpred = mse(pred, y); grads = net.backward(dpred)
    opt.step(net.params, grads)                   # or, faster: opt.step(net.flat_params, net.flat_grads)

Modules: layers (shared base), rnn, lstm, gru (one layer each), heads (Linear), losses (mse,
softmax cross-entropy), optim (SGD, Adam, clipping), model (ScratchNet, the three structures),
steps (NumpySteps: this engine inside rnncast's training loop, ``--engine numpy``), gradcheck
(centred differences). Speed against torch eager:
benchmarks/scratch_speed.py.
"""

from rnncast.scratch.gradcheck import gradcheck, numerical_grad, rel_error
from rnncast.scratch.gru import GRULayer
from rnncast.scratch.heads import Linear
from rnncast.scratch.layers import sigmoid
from rnncast.scratch.losses import mse, softmax_cross_entropy
from rnncast.scratch.lstm import LSTMLayer
from rnncast.scratch.model import KINDS, STRUCTURES, ScratchNet
from rnncast.scratch.optim import SGD, Adam, clip_grad_norm_
from rnncast.scratch.rnn import NONLINEARITIES, RNNLayer

__all__ = [
    "ScratchNet", "KINDS", "STRUCTURES", "NONLINEARITIES",
    "RNNLayer", "LSTMLayer", "GRULayer", "Linear", "sigmoid",
    "mse", "softmax_cross_entropy",
    "SGD", "Adam", "clip_grad_norm_",
    "gradcheck", "numerical_grad", "rel_error",
]

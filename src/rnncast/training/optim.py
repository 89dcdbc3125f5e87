"""Adam over one flat parameter buffer: the same update as ``torch.optim.Adam``, fewer, larger ops.

All parameters of the network are moved into one contiguous vector θ (each ``Parameter`` becomes a
view into it) and their gradients into one vector g, so that one Adam step is six tensor ops
instead of six per parameter tensor, and ``zero_grad`` is a single ``fill``. With step count t,
learning rate α, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (torch's defaults and op order)::

    m ← m + (1 - β₁)(g - m)                 # m.lerp_(g, 1 - β₁)
    v ← β₂ v + (1 - β₂) g²
    θ ← θ - α / (1 - β₁ᵗ) · m / (sqrt(v) / sqrt(1 - β₂ᵗ) + ε)

It matches ``torch.optim.Adam`` (weight_decay 0, amsgrad off) to the last bit on CPU in our tests,
and it never touches ``torch._dynamo``, whose first import alone costs about a second of start-up
inside ``torch.optim``. Gradient clipping by global norm is the same rule as
``torch.nn.utils.clip_grad_norm_``: g ← g · min(1, c / (‖g‖ + 1e-6)).
"""

from __future__ import annotations

import torch


class FlatAdam:
    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        with torch.no_grad():
            self.theta = torch.cat([p.detach().reshape(-1) for p in self.params])  # (P,)
        self.grad = torch.zeros_like(self.theta)  # (P,)
        offset = 0
        for p in self.params:
            n = p.numel()
            p.data = self.theta[offset : offset + n].view_as(p)
            # A defined .grad is accumulated into in place by backward, so it stays a view of self.grad.
            p.grad = self.grad[offset : offset + n].view_as(p)
            offset += n
        self.m = torch.zeros_like(self.theta)
        self.v = torch.zeros_like(self.theta)
        self.steps = 0

    def zero_grad(self) -> None:
        self.grad.zero_()

    @torch.no_grad()
    def clip_grad_norm(self, max_norm: float) -> torch.Tensor:
        norm = torch.linalg.vector_norm(self.grad)
        self.grad.mul_(torch.clamp(max_norm / (norm + 1e-6), max=1.0))
        return norm

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        t = float(self.steps)
        self.m.lerp_(self.grad, 1 - self.beta1)
        self.v.mul_(self.beta2).addcmul_(self.grad, self.grad, value=1 - self.beta2)
        step_size = self.lr / (1 - self.beta1**t)
        denom = (self.v.sqrt() / (1 - self.beta2**t) ** 0.5).add_(self.eps)
        self.theta.addcdiv_(self.m, denom, value=-step_size)

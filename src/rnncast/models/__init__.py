"""Recurrent networks (torch): ``build_net(spec, input_size)`` by model kind."""

from rnncast.models.nets import RecurrentNet, build_net

__all__ = ["RecurrentNet", "build_net"]

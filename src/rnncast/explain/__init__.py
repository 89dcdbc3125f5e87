"""The lecture's RNN made visible: gradient flow through time, activations, hidden states."""

"""supa-migrate: how much of a CUDA / PyTorch code base runs on BIRENSUPA, and what the rest
costs."""

__version__ = "0.1.0"

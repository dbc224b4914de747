"""Worker momentum (docs/PROTOCOL.md 4a; Sources/FedCore/WorkerMomentum.swift): with
`momentum_buffer: worker` and `momentum > 0` in the session document's `training`, a worker
keeps a buffer across rounds, the coordinator holds it and returns it in the next TASK, and the
worker sends the buffer instead of its fresh step:

    m <- beta * m + s                 (momentum_dampening false: the ICLR 2022 code's form)
    m <- beta * m + (1 - beta) * s    (momentum_dampening true: the ICML 2021 paper's form)

in Float32 with the Swift client's roundings (one product, then one sum; no fused multiply-add),
with m = 0 before its first accepted update.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np


def worker_momentum(training: Dict[str, Any]) -> Optional[tuple[np.float32, bool]]:
    """(beta, dampening) when the scenario keeps worker buffers, else None."""
    beta = np.float32(training.get('momentum', 0))
    if training.get('momentum_buffer') != 'worker' or beta <= 0:
        return None
    return beta, bool(training.get('momentum_dampening', False))


def accumulate(buffer: Optional[np.ndarray], step: np.ndarray, beta: np.float32, dampening: bool) -> np.ndarray:
    """The new buffer from the previous one (None or empty: none yet) and this round's step."""
    step = np.asarray(step, dtype=np.float32)
    scale = np.float32(1) - beta
    if buffer is None or buffer.size == 0:
        return (scale * step).astype(np.float32) if dampening else (beta * np.float32(0) + step).astype(np.float32)
    if buffer.shape != step.shape:
        raise ValueError(f'worker buffer of {buffer.size} values for a step of {step.size}')
    buffer = np.asarray(buffer, dtype=np.float32)
    if dampening:
        return (beta * buffer + scale * step).astype(np.float32)
    return (beta * buffer + step).astype(np.float32)

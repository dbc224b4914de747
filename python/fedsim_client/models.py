"""fedsim's models in numpy, on fedsim's flat Float32 parameter vector (the session
document's blocks): multinomial logistic regression and the MLP (ReLU hidden layers).

    logits = a_{L-1} W_L + b_L,  a_l = relu(a_{l-1} W_l + b_l),  W stored [in x out] row-major

The loss is the batch mean of the softmax cross-entropy; its logit gradient is
(softmax - onehot) / B, as Sources/FedCore/SoftmaxCrossEntropy.swift computes it.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

from .session import Block, Session


class DenseNetwork:
    """Dense layers in the order of the blocks `dense0.weight, dense0.bias, dense1.weight, ...`."""

    def __init__(self, blocks: List[Block]) -> None:
        weights = [b for b in blocks if b.name.endswith('.weight')]
        biases = [b for b in blocks if b.name.endswith('.bias')]
        if not weights or len(weights) != len(biases) or any(not b.name.startswith('dense') for b in blocks):
            raise ValueError(f'not a dense network: blocks {[b.name for b in blocks]}')
        self.layers = list(zip(weights, biases))
        self.parameter_count = sum(b.count for b in blocks)

    @staticmethod
    def from_session(session: Session) -> 'DenseNetwork':
        if session.model_kind not in ('logistic', 'mlp'):
            raise ValueError(f"model kind {session.model_kind!r}: the numpy adapter implements logistic and mlp")
        return DenseNetwork(session.blocks)

    def logits(self, p: np.ndarray, x: np.ndarray) -> np.ndarray:
        a = x
        for k, (w, b) in enumerate(self.layers):
            z = (a @ w.view(p) + b.view(p)).astype(np.float32)
            a = np.maximum(z, np.float32(0)) if k < len(self.layers) - 1 else z
        return a

    def loss_and_gradient(self, p: np.ndarray, x: np.ndarray, y: np.ndarray) -> Tuple[float, np.ndarray]:
        """Mean cross-entropy of the batch and its gradient (flat, float32)."""
        batch = x.shape[0]
        acts = [x]
        a = x
        for k, (w, b) in enumerate(self.layers):
            z = (a @ w.view(p) + b.view(p)).astype(np.float32)
            a = np.maximum(z, np.float32(0)) if k < len(self.layers) - 1 else z
            acts.append(a)
        z = acts[-1]
        m = z.max(axis=1, keepdims=True)
        e = np.exp(z - m).astype(np.float32)
        s = e.sum(axis=1, keepdims=True, dtype=np.float32)
        rows = np.arange(batch)
        loss = float(np.mean(np.log(s[:, 0]).astype(np.float64) - (z[rows, y] - m[:, 0]).astype(np.float64)))
        scale = np.float32(1.0 / batch)
        dz = (e * (scale / s)).astype(np.float32)
        dz[rows, y] -= scale
        g = np.zeros(self.parameter_count, dtype=np.float32)
        for k in range(len(self.layers) - 1, -1, -1):
            w, b = self.layers[k]
            inp = acts[k]
            g[w.offset:w.offset + w.count] = (inp.T @ dz).astype(np.float32).ravel()
            g[b.offset:b.offset + b.count] = dz.sum(axis=0, dtype=np.float32)
            if k > 0:
                dz = ((dz @ w.view(p).T) * (inp > 0)).astype(np.float32)
        return loss, g

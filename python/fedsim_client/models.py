"""fedsim's models in numpy, on fedsim's flat Float32 parameter vector (the session
document's blocks): multinomial logistic regression and the MLP (ReLU hidden layers) as
`DenseNetwork`; the CNN and free-form `layers:` models (`Sequential` in Swift) as
`LayerNetwork`, built from the session document's `model.layers`.

    logits = a_{L-1} W_L + b_L,  a_l = relu(a_{l-1} W_l + b_l),  W stored [in x out] row-major

The loss is the batch mean of the softmax cross-entropy; its logit gradient is
(softmax - onehot) / B, as Sources/FedCore/SoftmaxCrossEntropy.swift computes it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from .rng import SeededRNG
from .session import Block, Session


def softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> Tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of the logits `z` [B, classes] and its gradient (softmax - onehot) / B."""
    batch = z.shape[0]
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m).astype(np.float32)
    s = e.sum(axis=1, keepdims=True, dtype=np.float32)
    rows = np.arange(batch)
    loss = float(np.mean(np.log(s[:, 0]).astype(np.float64) - (z[rows, y] - m[:, 0]).astype(np.float64)))
    scale = np.float32(1.0 / batch)
    dz = (e * (scale / s)).astype(np.float32)
    dz[rows, y] -= scale
    return loss, dz


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

    def loss_and_gradient(self, p: np.ndarray, x: np.ndarray, y: np.ndarray,
                          dropout: Optional[SeededRNG] = None) -> Tuple[float, np.ndarray]:
        """Mean cross-entropy of the batch and its gradient (flat, float32); `dropout` is unused
        (these models have no dropout layers)."""
        acts = [x]
        a = x
        for k, (w, b) in enumerate(self.layers):
            z = (a @ w.view(p) + b.view(p)).astype(np.float32)
            a = np.maximum(z, np.float32(0)) if k < len(self.layers) - 1 else z
            acts.append(a)
        loss, dz = softmax_cross_entropy(acts[-1], y)
        g = np.zeros(self.parameter_count, dtype=np.float32)
        for k in range(len(self.layers) - 1, -1, -1):
            w, b = self.layers[k]
            inp = acts[k]
            g[w.offset:w.offset + w.count] = (inp.T @ dz).astype(np.float32).ravel()
            g[b.offset:b.offset + b.count] = dz.sum(axis=0, dtype=np.float32)
            if k > 0:
                dz = ((dz @ w.view(p).T) * (inp > 0)).astype(np.float32)
        return loss, g


def _windows(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """[B, C, H, W] -> [B, C, OH, OW, k, k]: the k x k windows at stride `stride` (a view)."""
    w = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    return w[:, :, ::stride, ::stride]


class LayerNetwork:
    """A `Sequential` model (`kind: cnn` or `kind: layers`, Sources/FedCore/Layers) from the
    session document's `model.layers`; a batch is [B, *input_shape] in storage order (NCHW).

    - conv (cross-correlation, as `nn.Conv2d`), per sample by im2col:
      cols[(c*k + i)*k + j, oy*OW + ox] = x[c, oy*s + i - pad, ox*s + j - pad] (0 outside),
      Y = W cols + b (W `[out, in, k, k]` read as `[out, in*k*k]`); backward dW = sum dY cols^T,
      db = sum dY, dX = col2im(W^T dY).
    - maxpool: the window's maximum; its gradient goes to the FIRST maximal value in row-major
      window order. avgpool: (sum of the window) / k^2, gradient dy / k^2 to each input.
    - relu: max(x, 0), gradient dy * [y > 0]. flatten: a reshape. dense: x W + b, W `[in, out]`.
    - dropout (training only): one u = next_double() per value of the batch in storage order
      from the training dropout stream; kept (times float32(1 / (1 - p))) when u >= p, else 0.
    """

    PARAMETERIZED = ('conv', 'dense')
    KINDS = ('conv', 'maxpool', 'avgpool', 'relu', 'flatten', 'dense', 'dropout')

    def __init__(self, layers: List[Dict[str, Any]], blocks: List[Block]) -> None:
        self.layers = layers
        self.parameter_count = sum(b.count for b in blocks)
        self.params: List[Optional[Tuple[Block, Block]]] = []
        queue = list(blocks)
        counts: Dict[str, int] = {}
        for n, layer in enumerate(layers):
            kind = layer['kind']
            if kind not in self.KINDS:
                raise ValueError(f'model.layers[{n}]: layer kind {kind!r}; the numpy adapter implements {", ".join(self.KINDS)}')
            if kind not in self.PARAMETERIZED:
                self.params.append(None)
                continue
            index = counts.get(kind, 0)
            counts[kind] = index + 1
            names = (f'{kind}{index}.weight', f'{kind}{index}.bias')
            if len(queue) < 2 or (queue[0].name, queue[1].name) != names:
                raise ValueError(f'model.layers[{n}] ({kind}) expects blocks {list(names)}; the layout has '
                                 f'{[b.name for b in queue[:2]]}')
            self.params.append((queue[0], queue[1]))
            queue = queue[2:]
        if queue:
            raise ValueError(f'model.blocks {[b.name for b in queue]} belong to no layer of model.layers')

    @staticmethod
    def from_session(session: Session) -> 'LayerNetwork':
        layers = session.model.get('layers')
        if not layers:
            raise ValueError(f'model kind {session.model_kind!r}: the session document has no model.layers')
        return LayerNetwork(list(layers), session.blocks)

    @property
    def has_dropout(self) -> bool:
        return any(layer['kind'] == 'dropout' for layer in self.layers)

    def _forward(self, p: np.ndarray, x: np.ndarray, dropout: Optional[SeededRNG]) -> Tuple[List[np.ndarray], List[Any]]:
        """Every layer's output (acts[0] is the input) and what backward needs of each layer."""
        batch = x.shape[0]
        a = np.asarray(x, dtype=np.float32).reshape([batch] + list(self.layers[0]['input_shape']))
        acts, saved = [a], []
        for layer, blocks in zip(self.layers, self.params):
            kind = layer['kind']
            keep: Any = None
            if kind == 'conv':
                w, b = blocks
                k, s, pad = layer['kernel'], layer['stride'], layer['padding']
                xp = np.pad(a, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else a
                oh, ow = layer['output_shape'][1], layer['output_shape'][2]
                win = _windows(xp, k, s)[:, :, :oh, :ow]                      # [B, C, OH, OW, k, k]
                cols = np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(batch, -1, oh * ow)
                w2 = w.view(p).reshape(w.shape[0], -1)
                out = (np.matmul(w2, cols) + b.view(p)[:, None]).astype(np.float32)
                a, keep = out.reshape([batch] + list(layer['output_shape'])), cols
            elif kind in ('maxpool', 'avgpool'):
                k, s = layer['kernel'], layer['stride']
                oh, ow = layer['output_shape'][1], layer['output_shape'][2]
                win = _windows(a, k, s)[:, :, :oh, :ow].reshape(batch, a.shape[1], oh, ow, k * k)
                if kind == 'maxpool':
                    keep = np.argmax(win, axis=-1)                             # the first maximum
                    a = np.take_along_axis(win, keep[..., None], axis=-1)[..., 0]
                else:
                    a = (win.sum(axis=-1, dtype=np.float32) * np.float32(1.0 / (k * k))).astype(np.float32)
            elif kind == 'relu':
                a = np.maximum(a, np.float32(0))
            elif kind == 'flatten':
                a = a.reshape(batch, -1)
            elif kind == 'dense':
                w, b = blocks
                a = (a.reshape(batch, -1) @ w.view(p) + b.view(p)).astype(np.float32)
            elif kind == 'dropout' and dropout is not None:
                prob = float(layer['p'])
                scale = np.float32(1.0 / (1.0 - prob))
                if prob == 0:
                    keep = np.full(a.size, scale, dtype=np.float32)
                else:
                    keep = np.array([scale if dropout.next_double() >= prob else 0.0 for _ in range(a.size)],
                                    dtype=np.float32)
                keep = keep.reshape(a.shape)
                a = (a * keep).astype(np.float32)
            acts.append(a)
            saved.append(keep)
        return acts, saved

    def logits(self, p: np.ndarray, x: np.ndarray) -> np.ndarray:
        return self._forward(p, x, None)[0][-1].reshape(x.shape[0], -1)

    def loss_and_gradient(self, p: np.ndarray, x: np.ndarray, y: np.ndarray,
                          dropout: Optional[SeededRNG] = None) -> Tuple[float, np.ndarray]:
        """Mean cross-entropy of the batch and its gradient (flat, float32); `dropout` given:
        training mode, the dropout masks drawn from it (it advances)."""
        batch = x.shape[0]
        acts, saved = self._forward(p, x, dropout)
        loss, d = softmax_cross_entropy(acts[-1].reshape(batch, -1), y)
        g = np.zeros(self.parameter_count, dtype=np.float32)
        for n in range(len(self.layers) - 1, -1, -1):
            layer, blocks, keep, inp = self.layers[n], self.params[n], saved[n], acts[n]
            kind = layer['kind']
            if kind == 'conv':
                w, b = blocks
                k, s, pad = layer['kernel'], layer['stride'], layer['padding']
                c, h, wd = layer['input_shape']
                oh, ow = layer['output_shape'][1], layer['output_shape'][2]
                dy = d.reshape(batch, w.shape[0], oh * ow)
                g[w.offset:w.offset + w.count] = np.matmul(dy, keep.transpose(0, 2, 1)).sum(axis=0, dtype=np.float32).ravel()
                g[b.offset:b.offset + b.count] = dy.sum(axis=(0, 2), dtype=np.float32)
                if n == 0:
                    break
                dcols = np.matmul(w.view(p).reshape(w.shape[0], -1).T, dy).reshape(batch, c, k, k, oh, ow)
                dxp = np.zeros((batch, c, h + 2 * pad, wd + 2 * pad), dtype=np.float32)
                for i in range(k):
                    for j in range(k):
                        dxp[:, :, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s] += dcols[:, :, i, j]
                d = dxp[:, :, pad:pad + h, pad:pad + wd]
            elif kind in ('maxpool', 'avgpool'):
                k, s = layer['kernel'], layer['stride']
                oh, ow = layer['output_shape'][1], layer['output_shape'][2]
                dy = d.reshape(acts[n + 1].shape)
                dx = np.zeros(inp.shape, dtype=np.float32)
                share = dy if kind == 'maxpool' else (dy * np.float32(1.0 / (k * k))).astype(np.float32)
                for i in range(k):
                    for j in range(k):
                        part = share * (keep == i * k + j) if kind == 'maxpool' else share
                        dx[:, :, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s] += part
                d = dx
            elif kind == 'relu':
                d = (d.reshape(inp.shape) * (acts[n + 1] > 0)).astype(np.float32)
            elif kind == 'flatten':
                d = d.reshape(inp.shape)
            elif kind == 'dense':
                w, b = blocks
                flat = inp.reshape(batch, -1)
                g[w.offset:w.offset + w.count] = (flat.T @ d).astype(np.float32).ravel()
                g[b.offset:b.offset + b.count] = d.sum(axis=0, dtype=np.float32)
                if n == 0:
                    break
                d = (d @ w.view(p).T).astype(np.float32).reshape(inp.shape)
            elif kind == 'dropout' and keep is not None:
                d = (d.reshape(inp.shape) * keep).astype(np.float32)
        return loss, g


Network = Union[DenseNetwork, LayerNetwork]


def network_for(session: Session) -> Network:
    """The numpy model of the session document: `DenseNetwork` for logistic and mlp, else
    `LayerNetwork` from `model.layers` (cnn, layers)."""
    if session.model_kind in ('logistic', 'mlp'):
        return DenseNetwork.from_session(session)
    return LayerNetwork.from_session(session)

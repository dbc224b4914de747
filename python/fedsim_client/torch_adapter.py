"""PyTorch modules <-> fedsim's flat parameter vector, by block name, with the session
document's layout: a block whose `pytorch.transform` is `transpose` (a dense weight, stored
[in, out]) is `nn.Linear.weight` ([out, in]) transposed; others keep their layout.

`mapping` names, for each fedsim block, the state_dict key of your module (default: fedsim's
`dense{k}` become the k-th `nn.Linear` of the module in registration order).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from .session import Block, Session


def default_mapping(module: Any, blocks: List[Block]) -> Dict[str, str]:
    import torch.nn as nn
    linears = [name for name, m in module.named_modules() if isinstance(m, nn.Linear)]
    convs = [name for name, m in module.named_modules() if isinstance(m, nn.Conv2d)]
    out: Dict[str, str] = {}
    for b in blocks:
        layer, part = b.name.split('.')
        pool = linears if layer.startswith('dense') else convs
        k = int(layer.lstrip('dense').lstrip('conv'))
        if k >= len(pool):
            raise ValueError(f'block {b.name}: the module has only {len(pool)} layers of that kind')
        out[b.name] = f'{pool[k]}.{part}' if pool[k] else part
    return out


def to_flat(module: Any, session: Session, mapping: Optional[Dict[str, str]] = None) -> np.ndarray:
    blocks = session.blocks
    mapping = mapping or default_mapping(module, blocks)
    state = module.state_dict()
    flat = np.zeros(session.parameter_count, dtype=np.float32)
    for b in blocks:
        t = state[mapping[b.name]].detach().cpu().numpy().astype(np.float32)
        if list(t.shape) != b.torch_shape:
            raise ValueError(f'{mapping[b.name]}: shape {list(t.shape)}, the layout needs {b.torch_shape} for {b.name}')
        v = t.T if b.torch_transform == 'transpose' else t
        flat[b.offset:b.offset + b.count] = np.ascontiguousarray(v).ravel()
    return flat


def load_flat(module: Any, flat: np.ndarray, session: Session, mapping: Optional[Dict[str, str]] = None) -> None:
    import torch
    blocks = session.blocks
    mapping = mapping or default_mapping(module, blocks)
    state = module.state_dict()
    with torch.no_grad():
        for b in blocks:
            v = b.view(np.asarray(flat, dtype=np.float32))
            t = v.T if b.torch_transform == 'transpose' else v
            state[mapping[b.name]].copy_(torch.from_numpy(np.ascontiguousarray(t)))


def sequential_for(session: Session) -> Any:
    """fedsim's logistic regression or MLP as a torch `nn.Sequential` of Linear and ReLU layers."""
    import torch.nn as nn
    dense = [b for b in session.blocks if b.name.endswith('.weight')]
    layers: List[Any] = []
    for k, b in enumerate(dense):
        layers.append(nn.Linear(b.shape[0], b.shape[1]))
        if k < len(dense) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def torch_update(module: Any, mapping: Optional[Dict[str, str]] = None) -> Callable[..., Tuple[np.ndarray, float]]:
    """An update function for `Client` that trains `module` with torch.optim.SGD on the
    session's settings and fedsim's batch order (so it sends what a Swift client sends, up to
    float rounding): load the global model by block name, train, return local - global."""
    import torch
    import torch.nn.functional as F

    from .rng import SeededRNG

    def update(cid: int, rnd: int, model: np.ndarray, session: Session, shard: Any, network: Any) -> Tuple[np.ndarray, float]:
        t = session.training
        if t['mode'] != 'fedavg':
            raise NotImplementedError('the PyTorch update implements federation.mode fedavg')
        load_flat(module, model, session, mapping)
        module.train()
        opt = torch.optim.SGD(module.parameters(), lr=float(t['learning_rate']), momentum=float(t['momentum']),
                              weight_decay=float(t['weight_decay']))
        x = torch.from_numpy(shard.features)
        y = torch.from_numpy(shard.labels.astype(np.int64))
        n, batch = shard.count, int(t['batch_size'])
        rng = SeededRNG(int(t['seed'])).derive('train', rnd, cid)
        order = list(range(n))
        loss_sum, seen = 0.0, 0
        for _ in range(int(t['local_epochs'])):
            rng.shuffle(order)
            for first in range(0, n, batch):
                idx = torch.tensor(order[first:first + batch])
                loss = F.cross_entropy(module(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                loss_sum += float(loss.detach()) * len(idx)
                seen += len(idx)
        return (to_flat(module, session, mapping) - model).astype(np.float32), loss_sum / max(seen, 1)

    return update

"""PyTorch modules <-> fedsim's flat parameter vector, by block name, with the session
document's layout: a block whose `pytorch.transform` is `transpose` (a dense weight, stored
[in, out]) is `nn.Linear.weight` ([out, in]) transposed; others keep their layout.

`mapping` names, for each fedsim block, the state_dict key of your module (default: fedsim's
`dense{k}` become the k-th `nn.Linear` of the module in registration order).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

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

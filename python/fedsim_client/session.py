"""The session document of protocol version 2 (WELCOME frame 2, docs/PROTOCOL.md section 4b)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import numpy as np


@dataclass(frozen=True)
class Block:
    name: str
    offset: int
    count: int
    shape: List[int]
    torch_shape: List[int]
    torch_transform: str  # 'transpose' or 'none'

    def view(self, flat: np.ndarray) -> np.ndarray:
        """This block of the flat vector, in fedsim's shape (row-major)."""
        return flat[self.offset:self.offset + self.count].reshape(self.shape)


@dataclass(frozen=True)
class ShardInfo:
    id: int
    samples: int
    rows: List[int]
    crc32: int


@dataclass(frozen=True)
class Session:
    raw: Dict[str, Any]

    @staticmethod
    def parse(text: str) -> 'Session':
        doc = json.loads(text)
        if doc.get('protocol') != 2:
            raise ValueError(f"session document: protocol is {doc.get('protocol')!r}; this client implements 2")
        return Session(doc)

    @property
    def model(self) -> Dict[str, Any]:
        return self.raw['model']

    @property
    def model_kind(self) -> str:
        return str(self.model['kind'])

    @property
    def parameter_count(self) -> int:
        return int(self.model['parameter_count'])

    @property
    def blocks(self) -> List[Block]:
        return [Block(b['name'], b['offset'], b['count'], list(b['shape']), list(b['pytorch']['shape']),
                      b['pytorch']['transform']) for b in self.model['blocks']]

    @property
    def training(self) -> Dict[str, Any]:
        return self.raw['training']

    @property
    def data(self) -> Dict[str, Any]:
        return self.raw['data']

    @property
    def liveness(self) -> Dict[str, float]:
        return self.raw['liveness']

    def shard(self, client: int) -> Optional[ShardInfo]:
        for c in self.data['clients']:
            if c['id'] == client:
                return ShardInfo(c['id'], c['samples'], list(c['rows']), c['crc32'])
        return None

    def normalization(self) -> tuple:
        n = self.data['normalization']
        return (n['kind'], np.asarray(n['offset'], dtype=np.float32), np.asarray(n['scale'], dtype=np.float32))

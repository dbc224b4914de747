"""A client's shard as the session document assigns it: rows of the named dataset,
normalised with the coordinator's fitted map, checked against the shard's CRC-32."""
from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from .session import Session


class ShardError(ValueError):
    pass


@dataclass
class Shard:
    features: np.ndarray  # float32 [n, dimension]
    labels: np.ndarray    # int32 [n]

    @property
    def count(self) -> int:
        return int(self.labels.size)


def load_csv(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Numeric CSV, label in the last column as a non-negative integer, optional header line
    (fedsim's default `dataset.kind: csv`). Returns float32 features and int32 labels."""
    raw = open(path, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    rows = []
    first = True
    for line in raw.decode('utf-8-sig').splitlines():
        if not line.strip():
            continue
        fields = [f.strip().strip('"') for f in line.split(',')]
        if first:
            first = False
            try:
                [float(f) for f in fields[:-1]]
                int(float(fields[-1]))
            except ValueError:
                continue  # a header
        rows.append([float(f) for f in fields])
    a = np.asarray(rows, dtype=np.float64)
    return a[:, :-1].astype(np.float32), a[:, -1].astype(np.int32)


def digest(features: np.ndarray, labels: np.ndarray) -> int:
    """CRC-32 of the features as little-endian Float32, continued over the labels as Int32."""
    c = zlib.crc32(np.ascontiguousarray(features, dtype='<f4').tobytes())
    return zlib.crc32(np.ascontiguousarray(labels, dtype='<i4').tobytes(), c) & 0xFFFFFFFF


def shard_for(session: Session, client: int, source: Optional[Tuple[np.ndarray, np.ndarray]] = None,
              data_root: Optional[str] = None) -> Shard:
    """The shard of logical client `client`: `source` (all rows of the dataset as loaded,
    features [rows, dimension] and labels), or the CSV file the document names (relative
    paths against `data_root`), or for `digits` fedsim's data/digits.csv.gz in `data_root`. Raises ShardError when the bytes do not match the digest."""
    info = session.shard(client)
    if info is None:
        raise ShardError(f'the session document has no shard for client {client}')
    if source is None:
        d = session.data
        if d['kind'] == 'digits':
            # fedsim's bundled digits are the CSV data/digits.csv.gz of its repository.
            if data_root is None:
                raise ShardError("dataset kind 'digits': pass data_root (--data-root) = the folder holding fedsim's "
                                 "digits.csv.gz (the repository's data/)")
            source = load_csv(os.path.join(data_root, 'digits.csv.gz'))
        elif d['kind'] != 'csv' or not d.get('path'):
            raise ShardError(f"dataset kind {d['kind']!r}: load its rows yourself and pass source=(features, labels)")
        else:
            path = d['path'] if os.path.isabs(d['path']) or data_root is None else os.path.join(data_root, d['path'])
            source = load_csv(path)
    x, y = source
    x = np.asarray(x, dtype=np.float32).reshape(len(y), -1)
    rows = np.asarray(info.rows, dtype=np.int64)
    if rows.size and rows.max() >= len(y):
        raise ShardError(f'client {client}: row {int(rows.max())} is outside the {len(y)} rows of the dataset')
    features = x[rows].copy()
    kind, offset, scale = session.normalization()
    if kind != 'none':
        features = ((features - offset) * scale).astype(np.float32)
    labels = np.asarray(y, dtype=np.int32)[rows].copy()
    got = digest(features, labels)
    if got != info.crc32 or labels.size != info.samples:
        raise ShardError(f'client {client}: shard digest 0x{got:08x} over {labels.size} samples; the coordinator '
                         f'assigned 0x{info.crc32:08x} over {info.samples} (another file or another normalisation)')
    return Shard(features, labels)

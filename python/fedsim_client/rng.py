"""fedsim's seeded generator, bit for bit: xoshiro256** seeded through SplitMix64, with the
keyed `derive` fedsim uses for every random choice (Sources/FedCore/SeededRNG.swift).
"""
from __future__ import annotations

from typing import List, MutableSequence, TypeVar

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
T = TypeVar('T')


def mix(v: int) -> int:
    """SplitMix64's finaliser."""
    z = v & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & M64


class SeededRNG:
    def __init__(self, seed: int) -> None:
        self.key = seed & M64
        sm = self.key
        s = []
        for _ in range(4):
            sm = (sm + GOLDEN) & M64
            s.append(mix(sm))
        if s[0] | s[1] | s[2] | s[3] == 0:
            s[0] = GOLDEN
        self.s = s

    def derive(self, label: str, *keys: int) -> 'SeededRNG':
        """The sub-stream `label` with integer keys; does not advance self."""
        h = mix(self.key ^ 0x6A09E667F3BCC908)
        for byte in label.encode('utf-8'):
            h = mix(h ^ byte)
        for k in keys:
            # Swift: mix(h ^ UInt64(bitPattern: k) &+ GOLDEN), ^ and &+ of equal precedence, left to right.
            h = mix(((h ^ (k & M64)) + GOLDEN) & M64)
        return SeededRNG(h)

    def next(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_double(self) -> float:
        return (self.next() >> 11) * (2.0 ** -53)

    def next_int(self, bound: int) -> int:
        """Uniform in 0..<bound (Lemire's method, as Swift)."""
        if bound <= 0:
            raise ValueError(f'next_int needs a positive bound; got {bound}')
        m = self.next() * bound
        if (m & M64) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & M64) < threshold:
                m = self.next() * bound
        return m >> 64

    def shuffle(self, a: MutableSequence[T]) -> None:
        """Fisher-Yates from the end, as fedsim."""
        for i in range(len(a) - 1, 0, -1):
            j = self.next_int(i + 1)
            if i != j:
                a[i], a[j] = a[j], a[i]


def shuffled_range(n: int, rng: SeededRNG) -> List[int]:
    order = list(range(n))
    rng.shuffle(order)
    return order

#!/usr/bin/env python3
"""JAX reference for `fedsim bench train`: the same MNIST CNN, batch and timing, on one thread.

Net (PyTorch MNIST example, NCHW, weights OIHW as fedsim's conv blocks):
conv(1->32, 3x3) ReLU, conv(32->64, 3x3) ReLU, max-pool 2, flatten, dense 9216->128 ReLU,
dense 128->10, mean softmax cross-entropy; 1,199,882 parameters, PyTorch's default init
(U(-1/sqrt(fan_in), +1/sqrt(fan_in)) for weights and biases). One timed call is the jit'd
value_and_grad on one batch, until the gradient is ready. Inputs uniform in [0, 1), labels
uniform over 10 classes. Prints one JSON line per batch size, with the fields of
`fedsim bench train --format json` (impl "jax").

  scripts/bench_train_reference.py --batch 32,128 --repeat 20
  scripts/bench_train_reference.py --self-test
Run it single-threaded: XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
(scripts/bench-train sets it).
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

SHAPES = [("conv0.weight", (32, 1, 3, 3), 9), ("conv0.bias", (32,), 9),
          ("conv1.weight", (64, 32, 3, 3), 288), ("conv1.bias", (64,), 288),
          ("dense0.weight", (9216, 128), 9216), ("dense0.bias", (128,), 9216),
          ("dense1.weight", (128, 10), 128), ("dense1.bias", (10,), 128)]


def init(rng):
    """PyTorch's default: every weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    return {name: jnp.asarray(rng.uniform(-1, 1, shape).astype(np.float32) / np.float32(math.sqrt(fan_in)))
            for name, shape, fan_in in SHAPES}


def conv(x, w, b):
    y = lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + b[None, :, None, None]


def logits(p, x):
    y = jax.nn.relu(conv(x, p["conv0.weight"], p["conv0.bias"]))
    y = jax.nn.relu(conv(y, p["conv1.weight"], p["conv1.bias"]))
    y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
    y = y.reshape(y.shape[0], -1)
    y = jax.nn.relu(y @ p["dense0.weight"] + p["dense0.bias"])
    return y @ p["dense1.weight"] + p["dense1.bias"]


def loss(p, x, labels):
    z = logits(p, x)
    return jnp.mean(jax.nn.logsumexp(z, axis=1) - jnp.take_along_axis(z, labels[:, None], axis=1)[:, 0])


def self_test():
    """lax's convolution equals a direct loop, and the first loss is near log(10)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 3, 5, 5)).astype(np.float32)
    w = rng.uniform(-1, 1, (4, 3, 3, 3)).astype(np.float32)
    b = rng.uniform(-1, 1, (4,)).astype(np.float32)
    direct = np.zeros((2, 4, 3, 3), np.float64)
    for n in range(2):
        for o in range(4):
            for i in range(3):
                for j in range(3):
                    direct[n, o, i, j] = b[o] + np.sum(w[o] * x[n, :, i:i + 3, j:j + 3])
    assert np.allclose(np.asarray(conv(jnp.asarray(x), jnp.asarray(w), jnp.asarray(b))), direct, atol=1e-4)
    p = init(np.random.default_rng(1))
    assert sum(int(np.prod(s)) for _, s, _ in SHAPES) == 1_199_882
    value = float(loss(p, jnp.asarray(rng.uniform(0, 1, (8, 1, 28, 28)).astype(np.float32)),
                       jnp.asarray(rng.integers(0, 10, 8).astype(np.int32))))
    assert abs(value - math.log(10)) < 0.5, value
    print("self-test passed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", default="32,128")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    rng = np.random.default_rng(a.seed)
    p = init(rng)
    step = jax.jit(jax.value_and_grad(loss))
    for batch in [int(b) for b in a.batch.split(",")]:
        x = jnp.asarray(rng.uniform(0, 1, (batch, 1, 28, 28)).astype(np.float32))
        y = jnp.asarray(rng.integers(0, 10, batch).astype(np.int32))
        times = []
        for call in range(max(a.warmup, 1) + a.repeat):   # the first call compiles: never timed
            t0 = time.perf_counter()
            value, grads = step(p, x, y)
            jax.block_until_ready(grads)
            elapsed = (time.perf_counter() - t0) * 1000
            if call >= max(a.warmup, 1):
                times.append(elapsed)
        assert math.isfinite(float(value))
        times.sort()
        best, median = times[0], times[len(times) // 2]
        print(json.dumps({"type": "bench", "bench": "train", "impl": "jax", "jax": jax.__version__, "model": "cnn",
                          "parameters": 1_199_882, "shape": "1x28x28", "batch": batch,
                          "best_ms": round(best, 4), "median_ms": round(median, 4),
                          "images_per_s": round(batch / (best / 1000), 1),
                          "median_images_per_s": round(batch / (median / 1000), 1),
                          "repeats": a.repeat, "threads": 1,
                          "xla_flags": os.environ.get("XLA_FLAGS", "")}), flush=True)


if __name__ == "__main__":
    sys.exit(main())

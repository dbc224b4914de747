#!/usr/bin/env python3
"""A single-process numpy federated simulator of scenarios/compare/bench-matrix.yaml, the
baseline of scripts/bench-compare: the same data, model, local training, attacks and rules as
fedsim's cells, written as a researcher would write a fast simulator (float32 numpy, one
process, no sockets).

What it does per cell (attack x defence x seed), as fedsim's scenario does:
- data: data/digits.csv.gz (1,797 8x8 images, 64 features 0..16, label last), a stratified 20%
  test split per class, min-max scaling fitted on the training set, IID partition over 20 clients;
- model: MLP 64 -> 64 (ReLU) -> 10, He uniform hidden weights U(+-sqrt(6/fan_in)), output
  U(+-1/sqrt(fan_in)), zero biases; parameters flattened W1, b1, W2, b2 (fedsim's layout);
- local training: 5 epochs of minibatch SGD (batch 16, last batch smaller, lr 0.1, heavy-ball
  momentum 0.9 from zero each round) on the mean softmax cross-entropy; the update is the change;
- attacks on 20% of the clients (4, drawn from the seed): label-flip (y -> 9 - y), backdoor
  (half the samples copied with a 2x2 bottom-right trigger of the largest feature value,
  relabelled 7, appended), sign-flip (-u), scaling (10 u), gaussian (N(0, 1)), and the colluding
  ones over the attackers' own honest updates: ALIE (mu + z sigma, z = Phi^-1((n - s)/n),
  s = floor(n/2 + 1) - f, sigma with ddof 1), IPM (-0.5 mu), min-max and min-sum (mu - gamma sigma,
  fedsim's gamma search from 10 with restarts), mimic (a copy of the first attacker's update);
- rules: the functions of scripts/bench_reference.py (f = 4 where a rule takes f); FLTrust's
  reference update is the server's own training on a 100-sample stratified root set;
- every round the global model moves by the aggregate and is evaluated on the test set; the
  backdoor's attack success rate is measured on the triggered test images of other classes.

Numbers need not equal fedsim's bit for bit (numpy's generator is not fedsim's), only fall in
the same range. `--group` sets how many clients train together in one batched set of matrix
products (np.matmul over a stack of clients): 0 (default) trains every client of a round at once,
1 trains them one after the other as most simulators do.

BLAS runs one thread (OPENBLAS_NUM_THREADS=1) unless the environment sets another number.

Usage: bench_compare_reference.py [--seeds 1,2,3] [--rounds 30] [--epochs 5] [--attacks a,b]
       [--defenses a,b] [--group 0] [--format text|json]
       bench_compare_reference.py --self-test
"""
import argparse
import gzip
import json
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# One BLAS thread unless the caller says otherwise: the matrices here are small (at most 20 x 4810),
# and OpenBLAS's threads cost more than they give on them (measured: 4x the CPU time with 2).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import numpy as np  # noqa: E402

import bench_reference as rules  # noqa: E402  (the aggregation rules, one definition)

ATTACKS = ["none", "label-flip", "sign-flip", "scaling", "gaussian", "alie", "ipm", "min-max",
           "min-sum", "backdoor", "mimic"]
DEFENSES = ["fedavg", "median", "trimmed-mean", "krum", "multi-krum", "bulyan", "geomed",
            "centered-clipping", "norm-bounding", "fltrust"]
COLLUDING = {"alie", "ipm", "min-max", "min-sum", "mimic"}
CLIENTS, MALICIOUS, HIDDEN, CLASSES = 20, 4, 64, 10
BATCH, LR, MOMENTUM = 16, np.float32(0.1), np.float32(0.9)
TEST_FRACTION, ROOT_SIZE, F = 0.2, 100, 4
BACKDOOR_TARGET, BACKDOOR_FRACTION, TRIGGER = 7, 0.5, [54, 55, 62, 63]  # rows 6-7, columns 6-7


# MARK: - Data

def load_digits(path):
    with gzip.open(path, "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",", dtype=np.float32)
    return raw[:, :-1], raw[:, -1].astype(np.int64)


def stratified_split(y, fraction, rng):
    """Indices (train, test): round(fraction * |class k|) of each class to the test set."""
    test = []
    for k in range(CLASSES):
        idx = np.flatnonzero(y == k)
        rng.shuffle(idx)
        test.extend(idx[:int(math.floor(fraction * len(idx) + 0.5))])
    mask = np.zeros(len(y), dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def minmax(train, *others):
    lo, hi = train.min(axis=0), train.max(axis=0)
    scale = np.where(hi > lo, 1.0 / np.maximum(hi - lo, 1e-30), 0.0).astype(np.float32)
    return [((a - lo) * scale).astype(np.float32) for a in (train,) + others]


# MARK: - Model: MLP 64 -> 64 -> 10 over a stack of clients (leading axis)

def init_params(d_in, rng):
    a1, a2 = math.sqrt(6.0 / d_in), 1.0 / math.sqrt(HIDDEN)
    w1 = rng.uniform(-a1, a1, (d_in, HIDDEN)).astype(np.float32)
    w2 = rng.uniform(-a2, a2, (HIDDEN, CLASSES)).astype(np.float32)
    return np.concatenate([w1.ravel(), np.zeros(HIDDEN, np.float32), w2.ravel(), np.zeros(CLASSES, np.float32)])


def views(flat, d_in):
    """W1, b1, W2, b2 views of a (C, d) stack of flat parameter vectors."""
    c = flat.shape[0]
    o1 = d_in * HIDDEN
    o2 = o1 + HIDDEN
    o3 = o2 + HIDDEN * CLASSES
    return (flat[:, :o1].reshape(c, d_in, HIDDEN), flat[:, o1:o2], flat[:, o2:o3].reshape(c, HIDDEN, CLASSES),
            flat[:, o3:])


def predict(flat, x):
    w1, b1, w2, b2 = views(flat[None, :], x.shape[1])
    h = np.maximum(x @ w1[0] + b1[0], 0)
    return np.argmax(h @ w2[0] + b2[0], axis=1)


def train_stack(start, xs, ys, counts, epochs, rng):
    """Local SGD of every row of the stack from `start` (d,): client c trains on xs[c, :counts[c]]
    (padded arrays). Returns the (C, d) parameters after training."""
    c_all, d_in = xs.shape[0], xs.shape[2]
    steps_per_epoch = (counts + BATCH - 1) // BATCH
    steps = epochs * steps_per_epoch
    t_max = int(steps.max())
    idx = np.zeros((c_all, t_max, BATCH), dtype=np.int64)
    mask = np.zeros((c_all, t_max, BATCH), dtype=np.float32)
    for c in range(c_all):
        n, nb = int(counts[c]), int(steps_per_epoch[c])
        for e in range(epochs):
            order = rng.permutation(n)
            for k in range(nb):
                b = order[k * BATCH:(k + 1) * BATCH]
                idx[c, e * nb + k, :len(b)] = b
                mask[c, e * nb + k, :len(b)] = 1.0 / len(b)
    flat = np.repeat(start[None, :], c_all, axis=0)
    vel = np.zeros_like(flat)
    rows = np.arange(c_all)
    for t in range(t_max):
        act = rows[steps > t]
        full = len(act) == c_all
        p = flat if full else flat[act]
        v = vel if full else vel[act]
        w1, b1, w2, b2 = views(p, d_in)
        x = xs[act[:, None], idx[act, t]]                          # (C, B, d_in)
        y = ys[act[:, None], idx[act, t]]
        m = mask[act, t][:, :, None]                               # 1/|batch| on real rows, 0 on padding
        h = np.maximum(x @ w1 + b1[:, None, :], 0)
        z = h @ w2 + b2[:, None, :]
        z -= z.max(axis=2, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=2, keepdims=True)
        np.put_along_axis(z, y[:, :, None], np.take_along_axis(z, y[:, :, None], axis=2) - 1, axis=2)
        z *= m                                                     # dL/dlogits of the batch mean
        gw2 = h.transpose(0, 2, 1) @ z
        dh = (z @ w2.transpose(0, 2, 1)) * (h > 0)
        gw1 = x.transpose(0, 2, 1) @ dh
        g = np.concatenate([gw1.reshape(len(act), -1), dh.sum(axis=1), gw2.reshape(len(act), -1), z.sum(axis=1)], axis=1)
        v *= MOMENTUM
        v += g
        p -= LR * v
        if not full:
            flat[act], vel[act] = p, v
    return flat


def train_all(start, datasets, epochs, rng, group):
    """Trains every (x, y) of `datasets` from `start`, `group` at a time (0: all together)."""
    out = []
    size = len(datasets) if group <= 0 else group
    for lo in range(0, len(datasets), size):
        part = datasets[lo:lo + size]
        counts = np.array([len(y) for _, y in part])
        n_max, d_in = counts.max(), part[0][0].shape[1]
        xs = np.zeros((len(part), n_max, d_in), np.float32)
        ys = np.zeros((len(part), n_max), np.int64)
        for i, (x, y) in enumerate(part):
            xs[i, :len(y)], ys[i, :len(y)] = x, y
        out.append(train_stack(start, xs, ys, counts, epochs, rng))
    return np.concatenate(out, axis=0)


# MARK: - Attacks

def phi_inv(p):
    """Inverse standard normal CDF by bisection on erfc (to double precision)."""
    lo, hi = -10.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def alie_z(n, f):
    s = (n // 2 + 1) - f
    return phi_inv((n - s) / n)


def gamma_search(benign, kind, gamma0=10.0, tol=1e-5, retries=3):
    b = benign.astype(np.float64)
    mu, p = b.mean(axis=0), b.std(axis=0, ddof=1)
    dist = rules.sq_distances(b @ b.T)
    bound = dist.max() if kind == "max" else dist.sum(axis=1).min()

    def value(g):
        m = mu - g * p
        r = ((b - m) ** 2).sum(axis=1)
        return r.max() if kind == "max" else r.sum()

    if not np.any(p):
        return mu.astype(np.float32)
    for attempt in range(retries + 1):
        g, step, ok = gamma0, gamma0 / 2, 0.0
        while abs(ok - g) > tol:
            if value(g) <= bound:
                ok, g = g, g + step
            else:
                g -= step
            step /= 2
        if ok < 0.99 * 2 * gamma0 or attempt == retries:
            break
        gamma0 *= 10
    return (mu - ok * p).astype(np.float32)


def attack_updates(kind, updates, bad, rng):
    """Rewrites the malicious rows `bad` (sorted client ids) of `updates` in place."""
    own = updates[bad]
    if kind == "sign-flip":
        updates[bad] = -own
    elif kind == "scaling":
        updates[bad] = 10 * own
    elif kind == "gaussian":
        updates[bad] = rng.standard_normal(own.shape, dtype=np.float32)
    elif kind == "alie":
        z = alie_z(updates.shape[0], len(bad))
        updates[bad] = own.mean(axis=0) + np.float32(z) * own.std(axis=0, ddof=1)
    elif kind == "ipm":
        updates[bad] = -0.5 * own.mean(axis=0)
    elif kind == "min-max":
        updates[bad] = gamma_search(own, "max")
    elif kind == "min-sum":
        updates[bad] = gamma_search(own, "sum")
    elif kind == "mimic":
        updates[bad] = own[0]


def stamp(x):
    x = x.copy()
    x[:, TRIGGER] = TRIGGER_VALUE[0]
    return x


TRIGGER_VALUE = [1.0]


# MARK: - One cell

def run_cell(data, attack, defense, seed, rounds, epochs, group):
    x_all, y_all = data
    root = np.random.SeedSequence([seed, 20260])
    rng_split, rng_part, rng_mal, rng_init, rng_train, rng_attack, rng_root, rng_bd = \
        [np.random.default_rng(s) for s in root.spawn(8)]
    tr, te = stratified_split(y_all, TEST_FRACTION, rng_split)
    x_tr, x_te = minmax(x_all[tr], x_all[te])
    y_tr, y_te = y_all[tr], y_all[te]
    TRIGGER_VALUE[0] = float(x_tr.max())
    parts = np.array_split(rng_part.permutation(len(y_tr)), CLIENTS)
    bad = np.sort(rng_mal.choice(CLIENTS, MALICIOUS, replace=False)) if attack != "none" else np.array([], int)
    datasets = []
    for c, ix in enumerate(parts):
        x, y = x_tr[ix], y_tr[ix].copy()
        if c in bad and attack == "label-flip":
            y = CLASSES - 1 - y
        if c in bad and attack == "backdoor":
            k = max(1, int(math.floor(BACKDOOR_FRACTION * len(y) + 0.5)))
            pick = rng_bd.choice(len(y), k, replace=False)
            x = np.concatenate([x, stamp(x[pick])])
            y = np.concatenate([y, np.full(k, BACKDOOR_TARGET)])
        datasets.append((x, y))
    weights = np.array([len(ix) for ix in parts], dtype=np.float64)   # clean sample counts, as reported
    if defense == "fltrust":
        _, r_ix = stratified_split(y_tr, ROOT_SIZE / len(y_tr), rng_root)
        datasets.append((x_tr[r_ix], y_tr[r_ix]))                    # the server trains beside the clients
    f = {"trimmed-mean": F, "krum": F, "multi-krum": F, "bulyan": F}.get(defense)
    glob = init_params(x_tr.shape[1], rng_init)
    state, accs = {}, []
    for _ in range(rounds):
        trained = train_all(glob, datasets, epochs, rng_train, group)
        updates = trained - glob[None, :]
        g0 = updates[CLIENTS] if defense == "fltrust" else None
        updates = np.ascontiguousarray(updates[:CLIENTS])
        if attack not in ("none", "label-flip", "backdoor"):
            attack_updates(attack, updates, bad, rng_attack)
        agg = rules.IMPL[defense](updates, w=weights, f=f, g0=g0, state=state)
        glob = (glob + agg.astype(np.float32)).astype(np.float32)
        accs.append(float(np.mean(predict(glob, x_te) == y_te)))
    asr = None
    if attack == "backdoor":
        others = y_te != BACKDOOR_TARGET
        asr = float(np.mean(predict(glob, stamp(x_te[others])) == BACKDOOR_TARGET))
    return {"final_accuracy": accs[-1], "mean_last5_accuracy": float(np.mean(accs[-5:])),
            "attack_success_rate": asr, "finite": bool(np.all(np.isfinite(glob)))}


# MARK: - Self-test and main

def self_test():
    """Checks of the pieces fedsim's definitions pin down: ALIE's z, the gamma search's bound,
    the trigger's pixels, a gradient against finite differences, and learning on clean data."""
    bad = 0

    def check(name, ok, detail):
        nonlocal bad
        bad += not ok
        print(f"self-test {name}: {'ok' if ok else 'FAIL'} {detail}")

    z = alie_z(20, 4)
    check("alie z(n=20, f=4) = Phi^-1(0.65)", abs(z - 0.385320) < 1e-5, f"got {z:.6f} want 0.385320")
    rng = np.random.default_rng(3)
    b = rng.standard_normal((4, 50)).astype(np.float32)
    for kind in ("max", "sum"):
        m = gamma_search(b, kind).astype(np.float64)
        r = ((b.astype(np.float64) - m) ** 2).sum(axis=1)
        d = rules.sq_distances(b.astype(np.float64) @ b.T.astype(np.float64))
        val, bound = (r.max(), d.max()) if kind == "max" else (r.sum(), d.sum(axis=1).min())
        check(f"min-{kind} gamma on the bound", val <= bound * (1 + 1e-9) and val >= 0.999 * bound,
              f"value {val:.4f} bound {bound:.4f}")
    check("trigger 2x2 bottom-right of 8x8", TRIGGER == [6 * 8 + 6, 6 * 8 + 7, 7 * 8 + 6, 7 * 8 + 7], str(TRIGGER))
    # Gradient of the batched step against central differences on a tiny problem (float64 check
    # through the same code path: one SGD step with lr, momentum 0 equals p - lr * grad).
    x = rng.random((1, 5, 64)).astype(np.float32)
    y = rng.integers(0, 10, (1, 5))
    p0 = init_params(64, rng)

    def loss(p):
        w1, b1, w2, b2 = views(p[None, :].astype(np.float64), 64)
        h = np.maximum(x[0] @ w1[0] + b1[0], 0)
        zz = h @ w2[0] + b2[0]
        zz -= zz.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(zz).sum(axis=1)) - zz[np.arange(5), y[0]]))

    global MOMENTUM
    saved, MOMENTUM = MOMENTUM, np.float32(0)
    step = train_stack(p0, x, y, np.array([5]), 1, np.random.default_rng(0))[0]
    MOMENTUM = saved
    grad = (p0 - step) / LR
    worst = 0.0
    for j in list(range(0, 4096, 511)) + [4096 + 3, 4160 + 17, 4800 + 2]:
        e = np.zeros_like(p0, dtype=np.float64)
        e[j] = 1e-4
        num = (loss(p0 + e) - loss(p0 - e)) / 2e-4
        worst = max(worst, abs(num - grad[j]))
    check("gradient = finite differences", worst < 2e-3, f"largest gap {worst:.2e}")
    data = load_digits(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "digits.csv.gz"))
    r = run_cell(data, "none", "fedavg", 1, 5, 1, 0)
    check("fedavg learns digits in 5 rounds", r["final_accuracy"] > 0.85, f"accuracy {r['final_accuracy']:.3f}")
    sys.exit(1 if bad else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--attacks", default=",".join(ATTACKS))
    p.add_argument("--defenses", default=",".join(DEFENSES))
    p.add_argument("--group", type=int, default=0, help="clients trained together; 0: all of a round's")
    p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "digits.csv.gz"))
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--self-test", action="store_true")
    a = p.parse_args()
    if a.self_test:
        self_test()
    attacks = [s.strip() for s in a.attacks.split(",") if s.strip()]
    defenses = [s.strip() for s in a.defenses.split(",") if s.strip()]
    for name, given, known in (("attack", attacks, ATTACKS), ("defense", defenses, DEFENSES)):
        unknown = [g for g in given if g not in known]
        if unknown:
            p.error(f"unknown {name} {unknown[0]!r}; known: {', '.join(known)}")
    try:
        seeds = [int(s) for s in a.seeds.split(",") if s.strip()]
    except ValueError:
        p.error(f"--seeds: expected integers separated by commas; got {a.seeds!r}")
    if a.rounds < 1 or a.epochs < 1 or not seeds:
        p.error("need --rounds, --epochs >= 1 and at least one seed")
    data = load_digits(a.data)
    t0 = time.perf_counter()
    walls = []
    for attack in attacks:
        for defense in defenses:
            for seed in seeds:
                c0, p0 = time.perf_counter(), time.process_time()
                r = run_cell(data, attack, defense, seed, a.rounds, a.epochs, a.group)
                wall, cpu_cell = time.perf_counter() - c0, time.process_time() - p0
                walls.append(wall)
                row = {"type": "cell", "impl": "numpy", "attack": attack, "defense": defense, "seed": seed,
                       **r, "wall_seconds": round(wall, 4), "cpu_seconds": round(cpu_cell, 4)}
                if a.format == "json":
                    print(json.dumps(row))
                else:
                    asr = "" if r["attack_success_rate"] is None else f" asr {r['attack_success_rate']:.3f}"
                    print(f"{attack:>10} {defense:>17} seed {seed}: accuracy {r['final_accuracy']:.3f}{asr}"
                          f" ({wall:.2f} s wall, {cpu_cell:.2f} s CPU)")
                sys.stdout.flush()
    total = time.perf_counter() - t0
    cpu = os.times()
    summary = {"type": "total", "impl": "numpy", "cells": len(walls), "wall_seconds": round(total, 3),
               "cpu_seconds": round(cpu.user + cpu.system, 3), "blas_threads": os.environ["OPENBLAS_NUM_THREADS"],
               "median_cell_seconds": round(statistics.median(walls), 4), "rounds": a.rounds, "epochs": a.epochs,
               "group": a.group, "numpy": np.__version__, "python": sys.version.split()[0]}
    print(json.dumps(summary) if a.format == "json" else
          f"numpy: {len(walls)} cells in {total:.1f} s wall, {summary['cpu_seconds']:.1f} s CPU"
          f" (median cell {summary['median_cell_seconds']:.2f} s)")


if __name__ == "__main__":
    main()

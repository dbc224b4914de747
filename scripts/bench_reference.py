#!/usr/bin/env python3
"""numpy reference for `fedsim bench aggregators`: the same rules, the same definitions
(docs/ALGORITHMS.md sections 2, 6 and 8; defaults of fedsim's DefenseFactory), the same data
shape and the same output lines, so that scripts/bench can put the two side by side.

Fair by intent: float32 arrays in one contiguous n x d buffer, BLAS (through numpy) for
every matrix product, np.partition / np.argpartition for selections, no Python loops over
coordinates. The data has the same distribution and sizes as fedsim's (honest N(0, 1) rows,
the last f rows N(0, 10^2), FLTrust's g0 ~ N(0, 1), weights 50 + (7919 i) mod 100) but is
not bit-identical: numpy's generator is not fedsim's.

Usage: bench_reference.py --n 100 --d 1000000 [--repeat 3] [--warmup 1] [--f F]
       [--only a,b] [--seed 1] [--threads T] [--format text|json]
       bench_reference.py --self-test      (docs/ALGORITHMS.md section 7 cases)
"""
import argparse
import json
import os
import sys
import time

RULES = ["fedavg", "median", "trimmed-mean", "krum", "multi-krum", "bulyan", "geomed",
         "centered-clipping", "norm-bounding", "fltrust", "foolsgold"]
STATEFUL = {"foolsgold", "centered-clipping"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--d", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--f", type=int, default=None)
    p.add_argument("--only", default=None)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--self-test", action="store_true",
                   help="check the rules on the hand-computed cases of docs/ALGORITHMS.md section 7 and exit")
    a = p.parse_args()
    rules = RULES if a.only is None else [r.strip() for r in a.only.split(",") if r.strip()]
    bad = [r for r in rules if r not in RULES]
    if bad:
        p.error(f"unknown aggregator {bad[0]!r}; known: {', '.join(RULES)}")
    if a.n < 1 or a.d < 1 or a.repeat < 1 or a.warmup < 0 or a.threads < 0:
        p.error("need n, d, repeat >= 1 and warmup, threads >= 0")
    a.rules = rules
    return a


ARGS = parse_args()
if ARGS.threads > 0:  # before numpy loads its BLAS
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)
import numpy as np  # noqa: E402


# MARK: - f per rule (same rule as fedsim: the largest legal f <= the requested one)

def f_max(rule, n):
    if rule in ("krum", "multi-krum"):
        return (n - 3) // 2 if n >= 3 else -1    # n > 2f + 2
    if rule == "bulyan":
        return (n - 3) // 4 if n >= 3 else -1    # n >= 4f + 3
    if rule == "trimmed-mean":
        return (n - 1) // 2                      # n > 2b
    return None


# MARK: - Shared helpers

def gram(x):
    """X Xᵀ with float32 BLAS products, combined in float64 (as fedsim's Gram)."""
    return (x @ x.T).astype(np.float64)


def sq_distances(g):
    """||x_i − x_j||² from the Gram matrix, clamped at 0."""
    sq = np.diag(g)
    dist = sq[:, None] + sq[None, :] - 2.0 * g
    np.maximum(dist, 0.0, out=dist)
    return dist


def krum_scores(dist, f, among):
    """Sum of the |R| − f − 2 smallest squared distances to OTHER members of `among`."""
    sub = dist[np.ix_(among, among)].copy()
    m = len(among)
    k = min(max(m - f - 2, 0), max(m - 1, 0))
    if k == 0:
        return np.zeros(m)
    np.fill_diagonal(sub, np.inf)
    return np.partition(sub, k - 1, axis=1)[:, :k].sum(axis=1)


def row_distances(x, sq_norms, v):
    """||x_i − v|| for every row by the expansion ||x||² − 2⟨x, v⟩ + ||v||² (one float32
    gemv over X, the fastest numpy route; fedsim computes the differences directly in one
    pass, both are one read of X)."""
    v32 = v.astype(np.float32)
    dots = (x @ v32).astype(np.float64)
    vv = float(np.dot(v, v))
    return np.sqrt(np.maximum(sq_norms - 2.0 * dots + vv, 0.0))


def row_sq_norms(x):
    return np.einsum("ij,ij->i", x, x, dtype=np.float64)


# MARK: - Rules (one call = one aggregation round)

def fedavg(x, w, **_):
    a = (w / w.sum()).astype(np.float32)
    return a @ x


def median(x, **_):
    return np.median(x, axis=0)


def trimmed_mean(x, f, **_):
    n = x.shape[0]
    if f == 0:
        return x.mean(axis=0)
    part = np.partition(x, (f, n - 1 - f), axis=0)
    return part[f:n - f].mean(axis=0)


def krum(x, f, **_):
    n = x.shape[0]
    s = krum_scores(sq_distances(gram(x)), f, np.arange(n))
    return x[int(np.argmin(s))].copy()


def multi_krum(x, f, **_):
    n = x.shape[0]
    s = krum_scores(sq_distances(gram(x)), f, np.arange(n))
    chosen = np.argsort(s, kind="stable")[:n - f]
    return x[chosen].mean(axis=0)


def bulyan(x, f, **_):
    n = x.shape[0]
    theta, beta = n - 2 * f, n - 4 * f
    dist = sq_distances(gram(x))
    remaining = list(range(n))
    chosen = []
    for _ in range(theta):
        s = krum_scores(dist, f, np.array(remaining))
        chosen.append(remaining.pop(int(np.argmin(s))))
    sel = x[chosen]
    med = np.median(sel, axis=0)
    idx = np.argpartition(np.abs(sel - med), beta - 1, axis=0)[:beta]
    return np.take_along_axis(sel, idx, axis=0).mean(axis=0)


def geometric_median(x, w, state, nu=1e-5, iters=4, tol=1e-6, **_):
    alpha = w / w.sum()
    sq = row_sq_norms(x)
    v = (alpha.astype(np.float32) @ x).astype(np.float64)
    dist = row_distances(x, sq, v)
    obj = float(alpha @ dist)
    for _ in range(iters):
        b = alpha / np.maximum(nu, dist)
        b /= b.sum()
        v = (b.astype(np.float32) @ x).astype(np.float64)
        dist = row_distances(x, sq, v)
        prev, obj = obj, float(alpha @ dist)
        if abs(prev - obj) < tol * obj:
            break
    return v.astype(np.float32)


def centered_clipping(x, state, tau=None, iterations=3, **_):
    """τ = median distance to the incoming centre (fedsim's default multiple 1), fixed for the
    round; L = `iterations` steps (fedsim's scenario default 3, which `fedsim bench` runs);
    the centre persists across calls."""
    n, d = x.shape
    v = state.get("center")
    if v is None:
        v = np.zeros(d, dtype=np.float64)
    sq = row_sq_norms(x)
    dist = row_distances(x, sq, v)
    tau = float(np.median(dist)) if tau is None else tau
    for step in range(iterations):
        if step > 0:
            dist = row_distances(x, sq, v)
        s = np.where(dist > tau, tau / np.maximum(dist, 1e-300), 1.0)
        keep = 1.0 - s.sum() / n
        v = v * keep + ((s / n).astype(np.float32) @ x).astype(np.float64)
    state["center"] = v
    return v.astype(np.float32)


def norm_bounding(x, w, max_norm=3.0, **_):
    norms = np.sqrt(row_sq_norms(x))
    scale = np.minimum(1.0, max_norm / np.maximum(norms, 1e-300))
    c = (w / w.sum()) * scale
    return c.astype(np.float32) @ x


def fltrust(x, g0, **_):
    norms = np.sqrt(row_sq_norms(x))
    g0n = float(np.sqrt(np.dot(g0.astype(np.float64), g0)))
    cos = (x @ g0).astype(np.float64) / np.maximum(norms * g0n, 1e-300)
    trust = np.clip(cos, 0.0, 1.0)
    trust[norms == 0] = 0.0
    total = trust.sum()
    if total <= 0:
        return np.zeros(x.shape[1], dtype=np.float32)
    c = np.where(trust > 0, trust * g0n / np.maximum(norms, 1e-300) / total, 0.0)
    return c.astype(np.float32) @ x


def foolsgold(x, state, kappa=1.0, **_):
    """docs/ALGORITHMS.md section 8 with fedsim's defaults (κ = 1, Σ α_i Δ_i / n); histories
    persist across calls (client ids are the row indices)."""
    n = x.shape[0]
    h = state.get("history")
    if h is None:
        h = np.zeros_like(x)
        state["history"] = h
    h += x
    g = gram(h)
    norms = np.sqrt(np.diag(g))
    denom = np.outer(norms, norms)
    cs = np.divide(g, denom, out=np.zeros_like(g), where=denom > 0)
    np.fill_diagonal(cs, 0.0)
    v = cs.max(axis=1)
    pardon = v[:, None] < v[None, :]
    ratio = np.divide(v[:, None], v[None, :], out=np.ones_like(cs), where=pardon)
    cs = np.where(pardon, cs * ratio, cs)
    alpha = np.clip(1.0 - cs.max(axis=1), 0.0, 1.0)
    alpha[alpha < 1e-6] = 0.0
    top = alpha.max()
    if top <= 0:
        return np.zeros(x.shape[1], dtype=np.float32)
    alpha = alpha / top
    alpha[alpha >= 1] = 0.99
    with np.errstate(divide="ignore"):
        logit = np.log(alpha / (1.0 - alpha))
    alpha = np.clip(kappa * (logit + 0.5), 0.0, 1.0)
    if alpha.sum() <= 0:
        return np.zeros(x.shape[1], dtype=np.float32)
    return (alpha / n).astype(np.float32) @ x


IMPL = {"fedavg": fedavg, "median": median, "trimmed-mean": trimmed_mean, "krum": krum,
        "multi-krum": multi_krum, "bulyan": bulyan, "geomed": geometric_median,
        "centered-clipping": centered_clipping, "norm-bounding": norm_bounding,
        "fltrust": fltrust, "foolsgold": foolsgold}


# MARK: - Data, timing, output

def make_data(n, d, outliers, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d), dtype=np.float32)
    if outliers > 0:
        x[n - outliers:] *= np.float32(10)
    w = np.array([50 + (7919 * i) % 100 for i in range(n)], dtype=np.float64)
    g0 = rng.standard_normal(d, dtype=np.float32)
    return np.ascontiguousarray(x), w, g0


def blas_info():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')}-{blas.get('version', '?')}"
    except Exception:  # numpy < 1.25 has no mode="dicts"
        return "unknown"


def threadpool_info():
    try:
        from threadpoolctl import threadpool_info as tpi
        return ";".join(f"{i.get('internal_api')}:{i.get('num_threads')}" for i in tpi())
    except Exception:
        return os.environ.get("OPENBLAS_NUM_THREADS", "default")


def emit(kind, fields, fmt):
    if fmt == "json":
        obj = {"type": kind}
        obj.update(fields)
        print(json.dumps(obj))
    else:
        body = " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items())
        print(f"bench {body}" if kind == "bench" else f"# {kind} {body}")
    sys.stdout.flush()


def self_test():
    """The hand-checkable cases of docs/ALGORITHMS.md section 7 (and 8), through the functions above."""
    f32 = lambda v: np.array(v, dtype=np.float32)
    ones = lambda n: np.ones(n)
    one_d = f32([[0], [1], [2], [3], [4], [5], [100]])
    pts = f32([[0, 0], [1, 0], [0, 1], [1, 1], [10, 10]])
    checks = [
        ("mean", fedavg(one_d, w=ones(7)), [16.4286]),
        ("median", median(one_d), [3.0]),
        ("trimmed mean b=1", trimmed_mean(one_d, f=1), [3.0]),
        ("bulyan f=1", bulyan(one_d, f=1), [2.0]),
        ("krum f=1", krum(pts, f=1), [0, 0]),
        ("multi-krum f=1 (m=4)", multi_krum(pts, f=1), [0.5, 0.5]),
        ("weiszfeld T=3", geometric_median(pts, w=ones(5), state={}, iters=3, tol=0), [0.8896, 0.8896]),
        ("weiszfeld T=100", geometric_median(pts, w=ones(5), state={}, iters=100, tol=0), [0.78868, 0.78868]),
        ("centered clipping tau=1", centered_clipping(f32([[3, 4], [0, 0.5]]), state={}, tau=1.0, iterations=1), [0.3, 0.65]),
        ("centered clipping tau=1 L=2", centered_clipping(f32([[3, 4], [0, 0.5]]), state={}, tau=1.0, iterations=2),
         [0.463763, 0.964300]),
        ("fltrust", fltrust(f32([[2, 0], [0, 3], [-1, 0]]), g0=f32([1, 0])), [1, 0]),
        ("foolsgold", foolsgold(f32([[1, 0, 0], [1, 0.1, 0], [0, 0, 1], [1, 1, 0]]), state={}),
         [0.086205 / 4, 0.086205 / 4, 0.25]),
        ("norm bounding M=3", norm_bounding(f32([[3, 4], [0, 1]]), w=ones(2)), [0.9, 1.7]),
    ]
    bad = 0
    for name, got, want in checks:
        ok = np.allclose(got, want, atol=1e-4)
        bad += not ok
        print(f"self-test {name}: {'ok' if ok else 'FAIL'} got {np.round(got, 5).tolist()} want {want}")
    sys.exit(1 if bad else 0)


def main():
    a = ARGS
    if a.self_test:
        self_test()
    f_req = a.f if a.f is not None else a.n // 5
    if not 0 <= f_req <= a.n:
        sys.exit(f"bench_reference: f must be in 0...n; got f = {f_req}, n = {a.n}")
    fs = {}
    for r in a.rules:
        fm = f_max(r, a.n)
        if fm is not None and fm < 0:
            sys.exit(f"bench_reference: {r} cannot run with n = {a.n}, even with f = 0")
        fs[r] = None if fm is None else min(f_req, fm)
    emit("header", {"impl": "numpy", "n": a.n, "d": a.d, "outliers": f_req, "outlier_scale": 10,
                    "seed": a.seed, "repeats": a.repeat, "warmup": a.warmup, "threads": a.threads,
                    "cores": os.cpu_count(), "clock": "perf_counter_ns", "dtype": "float32",
                    "numpy": np.__version__, "blas": blas_info(), "blas_threads": threadpool_info(),
                    "python": sys.version.split()[0]}, a.format)
    x, w, g0 = make_data(a.n, a.d, f_req, a.seed)
    for r in a.rules:
        f = fs[r]
        state = {}
        warm = max(1, a.warmup) if r in STATEFUL else a.warmup
        times = []
        for call in range(warm + a.repeat):
            t0 = time.perf_counter_ns()
            out = IMPL[r](x, w=w, f=f, g0=g0, state=state)
            t1 = time.perf_counter_ns()
            assert out.shape == (a.d,), (r, out.shape)
            if call >= warm:
                times.append((t1 - t0) / 1e6)
        times.sort()
        m = len(times)
        med = times[m // 2] if m % 2 else (times[m // 2 - 1] + times[m // 2]) / 2
        emit("bench", {"aggregator": r, "impl": "numpy", "n": a.n, "d": a.d,
                       "f": f_req if f is None else f, "best_ms": round(times[0], 4),
                       "median_ms": round(med, 4), "repeats": a.repeat, "warmup": warm,
                       "outliers": f_req, "f_param": "no" if f is None else "yes",
                       "threads": a.threads}, a.format)


if __name__ == "__main__":
    main()

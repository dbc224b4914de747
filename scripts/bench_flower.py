"""Round speed of a Flower federation next to a fedsim federation (scripts/bench-flower).

Both federations train the same model on the same task, in the same run of this script:
multinomial logistic regression (64 x 10 weights + 10 biases = 650 parameters) on Gaussian blobs
of 10 classes and 64 features, 2,000 training samples per client, one local epoch of minibatch
SGD (batch 32, learning rate 0.1) per round, FedAvg weighted by sample count, every client in
every round, the global model evaluated on a held-out test set after every round.

Flower runs on its Deployment Engine: one `flower-superlink` and one `flower-supernode` per
client (each supernode runs its ClientApp in a `flwr-clientapp` subprocess), the ServerApp
submitted with `flwr run`. fedsim runs `fedsim run` with one client process per client.

Measured for each: seconds per round (round 1 apart: it includes the clients' joining), start-up
(wall time of the whole federation, from the first process started to the last one ended, less
its rounds), and peak resident memory per client (VmHWM of each client's processes, sampled
from /proc every 0.1 s while it runs; a Flower client is its supernode plus its clientapp).
Prints a table and one JSON line per federation.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

APP_TOML = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "fedsimbench"
version = "1.0.0"
dependencies = ["flwr", "numpy"]

[tool.hatch.build.targets.wheel]
packages = ["fedsimbench"]

[tool.flwr.app]
publisher = "fedsim"

[tool.flwr.app.components]
serverapp = "fedsimbench.server_app:app"
clientapp = "fedsimbench.client_app:app"

[tool.flwr.app.config]
num-server-rounds = 5
num-clients = 10
times-file = ""
"""

TASK = '''
import numpy as np

CLASSES, FEATURES, PER_CLIENT, SEPARATION = 10, 64, 2000, 3.0


def blobs(seed, n):
    """Gaussian blobs: class centres at distance SEPARATION (in noise standard deviations)."""
    centres = np.random.default_rng(12345).standard_normal((CLASSES, FEATURES)).astype(np.float32)
    centres *= SEPARATION / np.sqrt(2 * FEATURES)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, CLASSES, n)
    x = centres[y] + rng.standard_normal((n, FEATURES)).astype(np.float32)
    return x.astype(np.float32), y


def softmax_grad(w, b, x, y):
    logits = x @ w + b
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(y)), y] + 1e-12).mean()
    p[np.arange(len(y)), y] -= 1
    p /= len(y)
    return x.T @ p, p.sum(axis=0), loss


def local_epoch(w, b, x, y, lr=0.1, batch=32, seed=0):
    order = np.random.default_rng(seed).permutation(len(y))
    total = 0.0
    for s in range(0, len(y), batch):
        i = order[s:s + batch]
        gw, gb, loss = softmax_grad(w, b, x[i], y[i])
        w -= lr * gw
        b -= lr * gb
        total += loss * len(i)
    return w, b, total / len(y)
'''

CLIENT_APP = '''
from flwr.app import ArrayRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp
from fedsimbench.task import PER_CLIENT, blobs, local_epoch

app = ClientApp()
_data = {}


@app.train()
def train(msg: Message, context: Context):
    pid = int(context.node_config["partition-id"])
    if pid not in _data:
        _data[pid] = blobs(1000 + pid, PER_CLIENT)
    x, y = _data[pid]
    w, b = [a.copy() for a in msg.content["arrays"].to_numpy_ndarrays()]
    rnd = int(msg.content["config"].get("server-round", 0)) if "config" in msg.content else 0
    w, b, loss = local_epoch(w, b, x, y, seed=pid * 1000 + rnd)
    content = RecordDict({"arrays": ArrayRecord([w, b]),
                          "metrics": MetricRecord({"train_loss": float(loss), "num-examples": len(y)})})
    return Message(content=content, reply_to=msg)
'''

SERVER_APP = '''
import time
import numpy as np
from flwr.app import ArrayRecord, Context, MetricRecord
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg
from fedsimbench.task import CLASSES, FEATURES, blobs

app = ServerApp()


@app.main()
def main(grid: Grid, context: Context):
    rounds = int(context.run_config["num-server-rounds"])
    clients = int(context.run_config["num-clients"])
    times_file = str(context.run_config["times-file"])
    xt, yt = blobs(999, 2000)
    stamps = []

    def evaluate(server_round, arrays):
        w, b = arrays.to_numpy_ndarrays()
        acc = float(((xt @ w + b).argmax(axis=1) == yt).mean())
        stamps.append((server_round, time.time(), acc))
        with open(times_file, "w") as f:
            for r, t, a in stamps:
                f.write(f"{r} {t:.6f} {a:.6f}\\n")
        return MetricRecord({"accuracy": acc})

    strategy = FedAvg(fraction_train=1.0, fraction_evaluate=0.0, min_train_nodes=clients,
                      min_available_nodes=clients)
    init = ArrayRecord([np.zeros((FEATURES, CLASSES), np.float32), np.zeros(CLASSES, np.float32)])
    strategy.start(grid=grid, initial_arrays=init, num_rounds=rounds, evaluate_fn=evaluate)
'''


class MemoryWatch:
    """Peak resident memory (VmHWM, kB) of the processes this script started and their
    descendants whose command line matches, sampled (other users' processes are left out)."""

    def __init__(self):
        self.peak = {}   # pid -> (kB, cmdline)
        self.parent = {}  # pid -> parent pid, as seen while it ran

    @staticmethod
    def _parents(roots):
        parent = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        parent[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
                except (FileNotFoundError, ProcessLookupError, IndexError):
                    continue
        return parent, roots

    def _tree(self, roots):
        parent, roots = self._parents(roots)
        found, frontier = set(roots), set(roots)
        while frontier:
            frontier = {c for c, p in parent.items() if p in frontier and c not in found}
            found |= frontier
        return found, parent

    def under(self, root):
        """The recorded processes below `root` (itself included)."""
        out, frontier = {root}, {root}
        while frontier:
            frontier = {c for c, p in self.parent.items() if p in frontier and c not in out}
            out |= frontier
        return out

    def sample(self, roots, match):
        tree, parent = self._tree(roots)
        for pid in tree:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                if not match(cmd):
                    continue
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            kb = int(line.split()[1])
                            old = self.peak.get(pid, (0, cmd))[0]
                            self.peak[pid] = (max(old, kb), cmd)
                            self.parent[pid] = parent.get(pid)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue


def stop(procs):
    """Ends each started process and everything in its process group (a supernode's
    superexec and clientapp), SIGTERM first, SIGKILL after 10 s."""
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.time() + 10
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def round_summary(times):
    """times: seconds per round, round 1 first."""
    rest = times[1:]
    return {"round1_s": times[0], "round_s": sum(rest) / len(rest) if rest else None, "rounds": times}


def run_flower(bin_dir, clients, rounds, work, log):
    app = os.path.join(work, "app")
    pkg = os.path.join(app, "fedsimbench")
    os.makedirs(pkg, exist_ok=True)
    with open(os.path.join(app, "pyproject.toml"), "w") as f:
        f.write(APP_TOML)
    for name, text in [("__init__.py", ""), ("task.py", TASK), ("client_app.py", CLIENT_APP),
                       ("server_app.py", SERVER_APP)]:
        with open(os.path.join(pkg, name), "w") as f:
            f.write(textwrap.dedent(text))
    home = os.path.join(work, "flwr-home")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write('[superlink]\ndefault = "bench"\n\n[superlink.bench]\naddress = "127.0.0.1:8000"\ninsecure = true\n')
    env = dict(os.environ, FLWR_HOME=home, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    times_file = os.path.join(work, "flower-times.txt")
    procs = []
    watch = MemoryWatch()
    began = time.time()
    try:
        procs.append(subprocess.Popen([f"{bin_dir}/flower-superlink", "--insecure"], env=env, cwd=work,
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        for i in range(clients):
            procs.append(subprocess.Popen(
                [f"{bin_dir}/flower-supernode", "--insecure", "--superlink", "127.0.0.1:8000",
                 "--port", str(9200 + i), "--node-config", f"partition-id={i}"],
                env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        # `flwr run` retries until the SuperLink's Control API answers.
        submit_deadline = time.time() + 300
        while True:
            r = subprocess.run([f"{bin_dir}/flwr", "run", app, "bench", "--run-config",
                                f"num-server-rounds={rounds} num-clients={clients} times-file='{times_file}'"],
                               env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            log.write(r.stdout.encode())
            if r.returncode == 0:
                break
            if time.time() > submit_deadline:
                raise RuntimeError("flwr run failed: " + r.stdout[-500:])
            time.sleep(1)
        run_deadline = time.time() + 3600
        while time.time() < run_deadline:
            watch.sample([q.pid for q in procs], lambda c: "flower-supernode" in c or "flower-superexec" in c or "flwr-clientapp" in c)
            if os.path.exists(times_file):
                with open(times_file) as f:
                    lines = f.read().split("\n")
                if len([l for l in lines if l.strip()]) >= rounds + 1:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("the Flower run did not finish within an hour")
    finally:
        stop(procs)
        ended = time.time()
    stamps = [tuple(map(float, l.split())) for l in open(times_file).read().split("\n") if l.strip()]
    t = [s[1] for s in stamps]
    per_round = [t[i + 1] - t[i] for i in range(len(t) - 1)]
    # Per client: its supernode and superexec (they live the whole run) plus the largest of
    # the clientapp processes its superexec started (one per round, one at a time).
    per_node = []
    for p in procs[1:]:
        mine = [q for q in watch.under(p.pid) if q in watch.peak]
        lasting = sum(watch.peak[q][0] for q in mine if "flwr-clientapp" not in watch.peak[q][1])
        apps = [watch.peak[q][0] for q in mine if "flwr-clientapp" in watch.peak[q][1]]
        per_node.append(lasting + max(apps, default=0))
    per_client_kb = sum(per_node) / max(1, len(per_node))
    return dict(system="flower", engine="deployment (flower-superlink + flower-supernode, flwr run)",
                clients=clients, startup_s=(ended - began) - sum(per_round), wall_s=ended - began,
                peak_mb_per_client=per_client_kb / 1024, final_accuracy=stamps[-1][2],
                processes_seen=len(watch.peak), **round_summary(per_round))


def run_fedsim(fedsim, clients, rounds, work, log):
    scenario = os.path.join(work, f"fedsim-{clients}.yaml")
    with open(scenario, "w") as f:
        f.write(textwrap.dedent(f"""\
            name: bench-flower-{clients}
            seed: 1
            dataset:
              kind: synthetic
              test_fraction: 0.2
              synthetic: {{samples: {clients * 2500}, features: 64, classes: 10, separation: 3.0}}
            partition: {{kind: iid}}
            model: {{kind: logistic}}
            federation:
              clients: {clients}
              processes: {clients}
              rounds: {rounds}
              fraction: 1.0
              local_epochs: 1
              batch_size: 32
              learning_rate: 0.1
              momentum: 0
              startup_timeout: 600
            """))
    out = os.path.join(work, f"fedsim-{clients}")
    watch = MemoryWatch()
    began = time.time()
    p = subprocess.Popen([fedsim, "run", scenario, "--output", out, "--progress", "none"],
                         stdout=log, stderr=subprocess.STDOUT)
    while p.poll() is None:
        watch.sample([p.pid], lambda c: " client " in c)
        time.sleep(0.1)
    ended = time.time()
    if p.returncode != 0:
        raise RuntimeError(f"fedsim run exited with {p.returncode}")
    with open(os.path.join(out, "rounds.csv")) as f:
        header, *rows = [l.split(",") for l in f.read().strip().split("\n")]
    ms = [float(r[header.index("round_ms")]) / 1000 for r in rows]
    acc = float(rows[-1][header.index("test_accuracy")])
    kb = [v[0] for v in watch.peak.values()]
    return dict(system="fedsim", engine="fedsim run (a coordinator and one client process per client, ipc://)",
                clients=clients, startup_s=(ended - began) - sum(ms), wall_s=ended - began,
                peak_mb_per_client=sum(kb) / max(1, len(kb)) / 1024, final_accuracy=acc,
                processes_seen=len(kb), **round_summary(ms))


def main():
    # SIGTERM (timeout, Ctrl-C's cousin) runs the `finally` blocks that stop every process started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("--fedsim", required=True)
    ap.add_argument("--flower-bin", required=True, help="the venv's bin folder with flower-superlink")
    ap.add_argument("--clients", default="10,50")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="fedsim-bench-flower.")
    results = []
    with open(os.path.join(work, "bench.log"), "ab") as log:
        for n in [int(c) for c in args.clients.split(",")]:
            for fn in (run_fedsim, run_flower):
                sub = os.path.join(work, f"{fn.__name__}-{n}")
                os.makedirs(sub, exist_ok=True)
                r = fn(args.fedsim if fn is run_fedsim else args.flower_bin, n, args.rounds, sub, log)
                results.append(r)
                print("BENCH " + json.dumps(r), flush=True)
    print()
    print(f"{'clients':>7}  {'system':<7} {'s/round':>8} {'round 1':>8} {'start-up s':>10} {'MB/client':>9} {'accuracy':>8}")
    for r in results:
        print(f"{r['clients']:>7}  {r['system']:<7} {r['round_s']:>8.3f} {r['round1_s']:>8.2f} {r['startup_s']:>10.2f} "
              f"{r['peak_mb_per_client']:>9.1f} {r['final_accuracy']:>8.3f}")
    for n in sorted({r["clients"] for r in results}):
        f = next(r for r in results if r["clients"] == n and r["system"] == "flower")
        s = next(r for r in results if r["clients"] == n and r["system"] == "fedsim")
        print(f"{n} clients: Flower/fedsim  s/round {f['round_s'] / s['round_s']:.1f}x, start-up "
              f"{f['startup_s'] / s['startup_s']:.1f}x, memory per client {f['peak_mb_per_client'] / s['peak_mb_per_client']:.1f}x")
    print(f"(work folder: {work})")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Golden optimizer vectors from PyTorch 1.13 (CPU, float32, one thread, foreach=False).

Writes test/fixtures/golden/torch/{adamax,nadam,radam,sparse_adam}.json in the schema
`optim-golden/1` (see test/fixtures/golden/README.md), then checks its own output: every file
is read back, every case is decoded and re-run through torch.optim from the decoded data, and
every stored value must equal the framework's float32 result bit for bit (and be the shortest
decimal string of that float32).

Run with the Debian interpreter that has `python3-torch` (apt-get install -y python3-torch):

    /usr/bin/python3 scripts/golden/gen_torch.py            # write all four files + self-check
    /usr/bin/python3 scripts/golden/gen_torch.py --check    # only re-check the committed files
    /usr/bin/python3 scripts/golden/gen_torch.py --only nadam --out /tmp/golden

The output is deterministic (seed 20261202, numpy PCG64; one torch thread).
"""
import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

SEED = 20261202
GENERATOR = "scripts/golden/gen_torch.py"
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "golden", "torch")

# ---------------------------------------------------------------------------------------------
# float32 <-> string (README "Number encoding")


def enc(x) -> str:
    """Shortest %.{p}g decimal (p = 1..9) that converts back to exactly the same float32."""
    x = np.float32(x)
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0" if np.signbit(x) else "0"
    xf = float(x)
    for p in range(1, 10):
        s = "%.*g" % (p, xf)
        if np.float32(float(s)) == x:
            return s
    raise AssertionError(f"no round-trip string for {xf!r}")


def enc_arr(a) -> list:
    return [enc(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def dec_arr(strings) -> np.ndarray:
    return np.array([float(s) for s in strings], dtype=np.float64).astype(np.float32)


def same_bits(a, b) -> bool:
    a = np.ascontiguousarray(a, dtype=np.float32).reshape(-1)
    b = np.ascontiguousarray(b, dtype=np.float32).reshape(-1)
    return a.shape == b.shape and bool(np.all(a.view(np.uint32) == b.view(np.uint32)))


# ---------------------------------------------------------------------------------------------
# environment


def cpu_capability() -> str:
    cpu = getattr(torch.backends, "cpu", None)
    if cpu is not None and hasattr(cpu, "get_cpu_capability"):  # torch >= 2.0
        return str(cpu.get_cpu_capability())
    m = re.search(r"CPU capability usage:\s*(\S+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


def debian_version() -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                             capture_output=True, text=True, check=True).stdout.strip()
        return out or torch.__version__
    except (OSError, subprocess.CalledProcessError):
        return torch.__version__


def framework_block() -> dict:
    deb = debian_version()
    return {
        "name": "pytorch",
        "version": deb,
        "torch_version_string": torch.__version__,
        "build": f"Debian package python3-torch {deb}",
        "cpu_capability": cpu_capability(),
        "device": "cpu",
        "dtype": "float32",
        "foreach": False,
        "num_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


# ---------------------------------------------------------------------------------------------
# data regimes (README "Tags")

MIXED_MAGS = np.array([0.0, 1e-20, 1e-8, 1e-3, 1.0, 1e3, 1e10])
SMALL_LENS = [1, 3, 4, 5, 7, 8, 15, 16, 17]
MAG_LENS = [4, 5, 7, 8, 15, 16, 17, 31, 33]
MULTI_LENS = [1, 3, 4, 5, 8, 15, 16, 17, 31, 33]
SWEEP_LENS = [1, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257]


def f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).astype(np.float32)


def rsigns(rng, n):
    return np.where(rng.random(n) < 0.5, -1.0, 1.0)


def make_init(rng, regime, n):
    if regime == "init-uniform":
        return f32(rng.uniform(-1.0, 1.0, n))
    if regime == "init-normal":
        return f32(3.0 * rng.standard_normal(n))
    if regime == "init-wide":
        return f32(rsigns(rng, n) * 10.0 ** rng.uniform(-3.0, 3.0, n))
    if regime == "init-zeros":
        return np.zeros(n, dtype=np.float32)
    raise ValueError(regime)


def one_step(rng, regime, n):
    if regime == "normal":
        return rng.standard_normal(n)
    if regime == "zero":
        return np.zeros(n)
    if regime == "tiny":
        return rsigns(rng, n) * rng.uniform(0.5, 2.0, n) * 1e-20
    if regime == "large":
        return rsigns(rng, n) * rng.uniform(0.5, 2.0, n) * 1e10
    if regime == "mixed":
        return rsigns(rng, n) * rng.uniform(0.5, 2.0, n) * rng.choice(MIXED_MAGS, n)
    raise ValueError(regime)


def make_grads(rng, regime, n, steps):
    """grads[t] for t = 0..steps-1 (float32 arrays of length n)."""
    out = []
    if regime == "scaled":
        s = 10.0 ** rng.uniform(-3.0, 3.0)
        out = [rng.standard_normal(n) * s for _ in range(steps)]
    elif regime == "positive":
        out = [np.abs(rng.standard_normal(n)) + 0.05 for _ in range(steps)]
    elif regime == "zero-steps":
        out = [np.zeros(n) if rng.random() < 0.4 else rng.standard_normal(n) for _ in range(steps)]
    elif regime == "sign-flip":
        v = rng.standard_normal(n)
        out = [v * (-1.0) ** (t + 1) * rng.uniform(0.9, 1.1, n) for t in range(steps)]
    elif regime == "constant":
        v = rng.standard_normal(n)
        out = [v.copy() for _ in range(steps)]
    elif regime == "mixed-steps":
        kinds = ["normal", "zero", "tiny", "large", "mixed"]
        out = [one_step(rng, kinds[rng.integers(len(kinds))], n) for _ in range(steps)]
    else:
        out = [one_step(rng, regime, n) for _ in range(steps)]
    return [f32(g) for g in out]


def pairwise_grid(rng, factors, count):
    """`count` distinct option combinations (as index tuples) covering every pair of values."""
    sizes = [len(v) for _, v in factors]
    full = [tuple(int(x) for x in idx) for idx in np.ndindex(*sizes)]
    order = rng.permutation(len(full))
    full = [full[i] for i in order]

    def pairs(combo):
        return {(i, combo[i], j, combo[j]) for i in range(len(combo)) for j in range(i + 1, len(combo))}

    needed = set().union(*(pairs(c) for c in full))
    chosen = []
    while needed:
        best = max(full, key=lambda c: (len(pairs(c) & needed), -full.index(c)))
        chosen.append(best)
        full.remove(best)
        needed -= pairs(best)
    while len(chosen) < count and full:
        chosen.append(full.pop(0))
    order = rng.permutation(len(chosen))
    return [chosen[i] for i in order]


# ---------------------------------------------------------------------------------------------
# algorithms

DENSE_REGIMES = ["normal", "scaled", "positive", "zero-steps", "sign-flip", "mixed"]
INIT_WEIGHTS = (["init-uniform"] * 3) + ["init-normal", "init-wide", "init-zeros"]
MAGNITUDE = ["zero", "zero", "tiny", "tiny", "large", "large", "mixed", "mixed",
             "mixed-steps", "mixed-steps", "constant", "constant"]

ALGOS = {
    "adamax": dict(
        cls=torch.optim.Adamax,
        api="torch.optim.Adamax",
        order=["lr", "betas", "eps", "weight_decay", "maximize"],
        defaults={"lr": 0.002, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0, "maximize": False},
        grid=[("lr", [0.002, 0.01]), ("betas", [[0.9, 0.999], [0.8, 0.99]]), ("eps", [1e-08, 1e-03]),
              ("weight_decay", [0.0, 0.1]), ("maximize", [False, True])],
        grid_count=24,
        state_keys=["step", "exp_avg", "exp_inf"],
        foreach=True,
        formula=("g = (maximize ? -grad : grad) + weight_decay*param; m = b1*m + (1-b1)*g; "
                 "u = max(b2*u, |g| + eps); param -= (lr/(1-b1^t)) * m / u   "
                 "[eps INSIDE the max, no eps in the division; no second-moment bias correction]"),
    ),
    "nadam": dict(
        cls=torch.optim.NAdam,
        api="torch.optim.NAdam",
        order=["lr", "betas", "eps", "weight_decay", "momentum_decay"],
        defaults={"lr": 0.002, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0, "momentum_decay": 0.004},
        grid=[("lr", [0.002, 0.01]), ("betas", [[0.9, 0.999], [0.8, 0.99]]), ("eps", [1e-08, 1e-03]),
              ("weight_decay", [0.0, 0.1]), ("momentum_decay", [0.004, 0.1])],
        grid_count=24,
        state_keys=["step", "mu_product", "exp_avg", "exp_avg_sq"],
        foreach=True,
        formula=("g = grad + weight_decay*param; mu = b1*(1 - 0.5*0.96^(t*momentum_decay)); "
                 "mu_next = b1*(1 - 0.5*0.96^((t+1)*momentum_decay)); mu_product *= mu (float32 scalar); "
                 "mu_product_next = mu_product*mu*mu_next (sic: 1.13's foreach=False path multiplies mu in twice); "
                 "m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g; denom = sqrt(v/(1-b2^t)) + eps; "
                 "param -= lr*(1-mu)/(1-mu_product) * g/denom; param -= lr*mu_next/(1-mu_product_next) * m/denom   "
                 "[eps OUTSIDE the sqrt, after bias correction; no maximize in 1.13]"),
    ),
    "radam": dict(
        cls=torch.optim.RAdam,
        api="torch.optim.RAdam",
        order=["lr", "betas", "eps", "weight_decay"],
        defaults={"lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0},
        grid=[("lr", [0.001, 0.01]), ("betas", [[0.9, 0.999], [0.8, 0.99]]), ("eps", [1e-08, 1e-03]),
              ("weight_decay", [0.0, 0.1])],
        grid_count=16,
        state_keys=["step", "exp_avg", "exp_avg_sq"],
        foreach=True,
        formula=("g = grad + weight_decay*param; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g; "
                 "mhat = m/(1-b1^t); rho_inf = 2/(1-b2) - 1; rho_t = rho_inf - 2*t*b2^t/(1-b2^t); "
                 "if rho_t > 5: rect = sqrt((rho_t-4)(rho_t-2)rho_inf/((rho_inf-4)(rho_inf-2)rho_t)), "
                 "param -= mhat*lr*(sqrt(1-b2^t)/(sqrt(v)+eps))*rect; else param -= mhat*lr   "
                 "[eps OUTSIDE the sqrt, BEFORE the bias correction; rectified from t = 6 for b2 >= 0.9; "
                 "no maximize / decoupled weight decay in 1.13]"),
    ),
}

SPARSE = dict(
    cls=torch.optim.SparseAdam,
    api="torch.optim.SparseAdam with torch.sparse_coo_tensor gradients (embedding-style rows)",
    order=["lr", "betas", "eps", "maximize"],
    defaults={"lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-08, "maximize": False},
    grid=[("lr", [0.001, 0.01]), ("betas", [[0.9, 0.999], [0.8, 0.99]]), ("eps", [1e-08, 1e-03]),
          ("maximize", [False, True])],
    state_keys=["step", "exp_avg", "exp_avg_sq"],
    formula=("grad = coalesce(maximize ? -grad : grad) (duplicate row indices are SUMMED first); "
             "for each listed row r only: m[r] += (1-b1)*(g[r] - m[r]); v[r] += (1-b2)*(g[r]^2 - v[r]); "
             "param[r] -= (lr*sqrt(1-b2^t)/(1-b1^t)) * m[r] / (sqrt(v[r]) + eps); rows not listed are untouched "
             "(their m, v do not decay). t = per-tensor step count (a Python int). "
             "[eps OUTSIDE the sqrt and NOT bias-corrected (unlike Adam); no weight_decay; "
             "a step with no indices raises in 1.13]"),
)


def rho_t(beta2, t):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * (beta2 ** t) / (1 - beta2 ** t)


def torch_kwargs(spec, options):
    kw = dict(options)
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    if spec.get("foreach"):
        kw["foreach"] = False
    return kw


def state_out(st, keys):
    out = {}
    for k in keys:
        if k not in st:
            continue
        v = st[k]
        if k == "step":
            s = float(v.item()) if torch.is_tensor(v) else float(v)
            assert s == int(s)
            out[k] = int(s)
        elif torch.is_tensor(v) and v.dim() == 0:  # NAdam mu_product: a 0-dim float32 tensor
            assert v.dtype == torch.float32
            out[k] = np.float32(v.item())
        else:
            assert v.dtype == torch.float32
            out[k] = v.detach().numpy().reshape(-1).copy()
    return out


def run_dense(spec, options, inits, grads):
    """Steps one optimizer over all tensors; returns (params[t][k], state[k]) as float32 numpy."""
    params = [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in inits]
    opt = spec["cls"](params, **torch_kwargs(spec, options))
    traj = []
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = torch.from_numpy(g.copy())
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj, [state_out(opt.state[p], spec["state_keys"]) for p in params]


def run_sparse(spec, options, inits, shapes, sparse_grads):
    params = [torch.nn.Parameter(torch.from_numpy(x.copy()).reshape(s)) for x, s in zip(inits, shapes)]
    opt = spec["cls"](params, **torch_kwargs(spec, options))
    traj, dense = [], []
    for sgs in sparse_grads:
        dstep = []
        for p, (idx, vals), s in zip(params, sgs, shapes):
            g = torch.sparse_coo_tensor(torch.tensor([idx], dtype=torch.long),
                                        torch.from_numpy(vals.copy()).reshape(len(idx), s[1]), tuple(s))
            dstep.append(g.to_dense().numpy().reshape(-1).copy())
            p.grad = g
        opt.step()
        dense.append(dstep)
        traj.append([p.detach().numpy().reshape(-1).copy() for p in params])
    return traj, dense, [state_out(opt.state[p], spec["state_keys"]) for p in params]


def enc_state(st):
    out = {}
    for k, v in st.items():
        if isinstance(v, int):
            out[k] = v
        elif isinstance(v, np.float32):
            out[k] = enc(v)
        else:
            out[k] = enc_arr(v)
    return out


# ---------------------------------------------------------------------------------------------
# case building


class Builder:
    def __init__(self, algo, spec, rng):
        self.algo, self.spec, self.rng = algo, spec, rng
        self.cases = []

    def options(self, combo):
        vals = {name: values[i] for (name, values), i in zip(self.spec["grid"], combo)}
        return {k: vals.get(k, self.spec["defaults"][k]) for k in self.spec["order"]}

    def random_options(self):
        return self.options(tuple(int(self.rng.integers(len(v))) for _, v in self.spec["grid"]))

    def add(self, group, options, steps, lens, regime, init_regime, extra_tags=()):
        rng = self.rng
        inits = [make_init(rng, init_regime, n) for n in lens]
        per_tensor = [make_grads(rng, regime, n, steps) for n in lens]
        grads = [[per_tensor[k][t] for k in range(len(lens))] for t in range(steps)]
        traj, state = run_dense(self.spec, options, inits, grads)
        tags = [group, *extra_tags, regime, init_regime]
        if self.algo == "radam":
            b2 = options["betas"][1]
            if any(rho_t(b2, t) > 5.0 for t in range(1, steps + 1)):
                tags.insert(1, "rectified")
        self.cases.append({
            "id": f"torch-{self.algo}-public-{len(self.cases):03d}",
            "tags": tags,
            "options": options,
            "steps": steps,
            "shapes": [[n] for n in lens],
            "init": [enc_arr(x) for x in inits],
            "grads": [[enc_arr(g) for g in gs] for gs in grads],
            "params": [[enc_arr(p) for p in ps] for ps in traj],
            "state": [enc_state(s) for s in state],
        })


def build_dense(algo, rng):
    spec = ALGOS[algo]
    b = Builder(algo, spec, rng)
    radam = algo == "radam"

    def steps_small():
        return int(rng.integers(1, 15)) if radam else int(rng.integers(1, 13))

    # defaults
    b.add("defaults", dict(spec["defaults"]), 8 if radam else 5, [8], "normal", "init-uniform")
    # grid: every pair of option values; every gradient regime
    combos = pairwise_grid(rng, spec["grid"], spec["grid_count"])
    init_cycle = [INIT_WEIGHTS[i % len(INIT_WEIGHTS)] for i in range(len(combos))]
    init_cycle = [init_cycle[i] for i in rng.permutation(len(init_cycle))]
    for i, combo in enumerate(combos):
        regime = DENSE_REGIMES[i % len(DENSE_REGIMES)]
        init = init_cycle[i]
        b.add("grid", b.options(combo), steps_small(), [int(rng.choice(SMALL_LENS))], regime, init)
    # length sweep (SIMD tails)
    for n in SWEEP_LENS:
        if n <= 17:
            steps = int(rng.integers(1, 21))
        elif n <= 33:
            steps = int(rng.integers(6, 9)) if radam else int(rng.integers(1, 6))
        else:
            steps = int(rng.integers(6, 8)) if radam else int(rng.integers(1, 4))
        regime = ["normal", "scaled", "mixed"][int(rng.integers(3))]
        b.add("length-sweep", b.random_options(), steps, [n], regime, "init-uniform")
    # gradient magnitude stress
    for regime in MAGNITUDE:
        n = int(rng.choice(MAG_LENS))
        steps = int(rng.integers(2, 21)) if n <= 17 else int(rng.integers(2, 9))
        if radam:
            steps = max(steps, 7)
        init = ["init-uniform", "init-normal"][int(rng.integers(2))]
        b.add("magnitude", b.random_options(), steps, [n], regime, init)
    # several tensors in one optimizer
    for _ in range(4):
        k = int(rng.integers(2, 5))
        lens = [int(x) for x in rng.choice(MULTI_LENS, k, replace=False)]
        steps = int(rng.integers(6, 10)) if radam else int(rng.integers(2, 8))
        regime = ["normal", "positive", "zero-steps", "scaled", "sign-flip"][int(rng.integers(5))]
        b.add("multi-tensor", b.random_options(), steps, lens, regime, "init-uniform")
    # a long run (running products / bias corrections far from 1)
    b.add("long", b.random_options(), 40, [5], "normal", "init-uniform")
    if radam:
        # rectification threshold: rho_t > 5 first at t = 6 (b2 0.999, 0.99, 0.9), t = 7 (0.8),
        # t = 10 (0.7); never for b2 = 0.5 (rho_inf = 3)
        for betas, steps in [([0.9, 0.999], 7), ([0.9, 0.9], 8), ([0.8, 0.8], 9), ([0.9, 0.7], 12),
                             ([0.5, 0.7], 11), ([0.9, 0.5], 8)]:
            opts = b.random_options()
            opts["betas"] = betas
            b.add("threshold", opts, steps, [int(rng.choice([3, 5, 8, 17]))],
                  ["normal", "positive", "sign-flip"][int(rng.integers(3))], "init-uniform")
    return b.cases


def build_sparse(rng):
    spec = SPARSE
    cases = []

    def sparse_step(rows, dim, want_mixed, want_zero_row, many=False):
        if many:
            # more than 16 indices, each row at most twice (summation order cannot matter)
            distinct = [int(x) for x in rng.choice(rows, min(rows, 20), replace=False)]
            idx = distinct + [int(x) for x in rng.choice(distinct, 10, replace=False)]
            idx = [idx[int(i)] for i in rng.permutation(len(idx))]
        else:
            # at most 16 indices: torch.sort (inside coalesce) is then stable, so repeated rows
            # are summed in order of appearance (see README)
            nnz = int(rng.integers(2, min(rows + 4, 15)))
            idx = [int(x) for x in rng.integers(0, rows, nnz)]
            if len(set(idx)) == len(idx):  # every step has a repeated row
                idx.insert(int(rng.integers(0, len(idx) + 1)), idx[int(rng.integers(len(idx)))])
            if rng.random() < 0.3:  # sometimes three or more copies of one row
                r = idx[int(rng.integers(len(idx)))]
                idx.insert(int(rng.integers(0, len(idx) + 1)), r)
        assert len(idx) <= 16 or max(idx.count(r) for r in idx) <= 2
        vals = rng.standard_normal((len(idx), dim))
        tags = {"normal", "duplicate-indices"}
        if want_mixed and rng.random() < 0.5:
            j = int(rng.integers(len(idx)))
            vals[j] = rsigns(rng, dim) * rng.uniform(0.5, 2.0, dim) * rng.choice(MIXED_MAGS, dim)
            tags.add("mixed")
        if want_zero_row and rng.random() < 0.5:
            j = int(rng.integers(len(idx)))
            vals[j] = np.where(rng.random(dim) < 0.5, -0.0, 0.0)
            tags.add("zero-row")
        return idx, f32(vals.reshape(-1)), tags

    def add(group, options, steps, shapes, many=False):
        want_mixed, want_zero = bool(rng.random() < 0.7), bool(rng.random() < 0.7)
        inits = [make_init(rng, "init-uniform", r * d) for r, d in shapes]
        sgrads, tags = [], set()
        for _ in range(steps):
            row = []
            for r, d in shapes:
                idx, vals, t = sparse_step(r, d, want_mixed, want_zero, many)
                row.append((idx, vals))
                tags |= t
            sgrads.append(row)
        traj, dense, state = run_sparse(spec, options, inits, shapes, sgrads)
        cases.append({
            "id": f"torch-sparse_adam-public-{len(cases):03d}",
            "tags": [group, *sorted(tags)],
            "options": options,
            "steps": steps,
            "shapes": [list(s) for s in shapes],
            "init": [enc_arr(x) for x in inits],
            "sparse_grads": [[{"indices": idx, "values": enc_arr(v)} for idx, v in row] for row in sgrads],
            "grads": [[enc_arr(g) for g in gs] for gs in dense],
            "params": [[enc_arr(p) for p in ps] for ps in traj],
            "state": [enc_state(s) for s in state],
        })

    def options(combo):
        vals = {name: values[i] for (name, values), i in zip(spec["grid"], combo)}
        return {k: vals.get(k, spec["defaults"][k]) for k in spec["order"]}

    shapes_pool = [(3, 1), (8, 4), (17, 5), (33, 3), (5, 16), (6, 2), (4, 8), (7, 3)]
    add("defaults", dict(spec["defaults"]), 5, [(8, 4)])
    full = [tuple(int(x) for x in c) for c in np.ndindex(*[len(v) for _, v in spec["grid"]])]
    for i in rng.permutation(len(full)):
        add("grid", options(full[i]), int(rng.integers(1, 9)), [shapes_pool[int(rng.integers(len(shapes_pool)))]])
    for _ in range(3):
        k = int(rng.integers(2, 4))
        shapes = [shapes_pool[int(j)] for j in rng.choice(len(shapes_pool), k, replace=False)]
        add("multi-tensor", options(full[int(rng.integers(len(full)))]), int(rng.integers(3, 9)), shapes)
    add("many-indices", options(full[int(rng.integers(len(full)))]), 3, [(33, 3)], many=True)
    return cases


# ---------------------------------------------------------------------------------------------
# files


def file_for(algo, cases):
    spec = SPARSE if algo == "sparse_adam" else ALGOS[algo]
    return {
        "schema": "optim-golden/1",
        "framework": framework_block(),
        "algorithm": algo,
        "api": spec["api"],
        "set": "public",
        "seed": SEED,
        "generator": GENERATOR,
        "encoding": "f32-decimal-string",
        "formula": spec["formula"],
        "defaults": spec["defaults"],
        "state_keys": spec["state_keys"],
        "cases": cases,
    }


ALL = ["adamax", "nadam", "radam", "sparse_adam"]


def generate(algo):
    # one independent stream per file, so a file does not change when another one does
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([SEED, ALL.index(algo)])))
    cases = build_sparse(rng) if algo == "sparse_adam" else build_dense(algo, rng)
    return file_for(algo, cases)


# ---------------------------------------------------------------------------------------------
# self-check: decode the stored file, re-run the framework on the decoded data, compare bits


def check_strings(values, where):
    for s in values:
        if enc(np.float32(float(s))) != s:
            raise AssertionError(f"{where}: {s!r} is not the shortest f32 string")


def check_file(path):
    with open(path) as fh:
        data = json.load(fh)
    algo = data["algorithm"]
    spec = SPARSE if algo == "sparse_adam" else ALGOS[algo]
    n_values = 0
    for c in data["cases"]:
        where = c["id"]
        inits = [dec_arr(x) for x in c["init"]]
        for x in c["init"]:
            check_strings(x, where)
        assert len(c["grads"]) == len(c["params"]) == c["steps"], where
        if algo == "sparse_adam":
            shapes = [tuple(s) for s in c["shapes"]]
            sgrads = [[(g["indices"], dec_arr(g["values"])) for g in row] for row in c["sparse_grads"]]
            traj, dense, state = run_sparse(spec, c["options"], inits, shapes, sgrads)
            for t in range(c["steps"]):
                for k in range(len(shapes)):
                    if not same_bits(dense[t][k], dec_arr(c["grads"][t][k])):
                        raise AssertionError(f"{where}: dense grad t={t} k={k}")
        else:
            grads = [[dec_arr(g) for g in gs] for gs in c["grads"]]
            traj, state = run_dense(spec, c["options"], inits, grads)
        for t in range(c["steps"]):
            for k, want in enumerate(c["params"][t]):
                check_strings(want, where)
                if not same_bits(traj[t][k], dec_arr(want)):
                    raise AssertionError(f"{where}: params after step {t + 1}, tensor {k}")
                n_values += len(want)
        for k, want in enumerate(c["state"]):
            got = state[k]
            if set(got) != set(want):
                raise AssertionError(f"{where}: state keys {sorted(got)} vs {sorted(want)}")
            for name, w in want.items():
                if isinstance(w, int):
                    ok = got[name] == w
                elif isinstance(w, str):
                    check_strings([w], where)
                    ok = same_bits(np.array([got[name]]), dec_arr([w]))
                else:
                    check_strings(w, where)
                    ok = same_bits(got[name], dec_arr(w))
                    n_values += len(w)
                if not ok:
                    raise AssertionError(f"{where}: state[{k}].{name}")
    return len(data["cases"]), n_values


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT, help="output folder (default: test/fixtures/golden/torch)")
    ap.add_argument("--only", default=",".join(ALL), help="comma-separated subset of " + ",".join(ALL))
    ap.add_argument("--check", action="store_true", help="do not write; re-check the existing files")
    args = ap.parse_args()

    cap = cpu_capability()
    print(f"torch {torch.__version__} (Debian {debian_version()}), ATen CPU capability {cap}, "
          f"threads {torch.get_num_threads()}", file=sys.stderr)
    if cap != "AVX2":
        print(f"WARNING: CPU capability {cap} != AVX2 (the committed files were made with AVX2); "
              "fused multiply-adds may differ", file=sys.stderr)
    if not torch.__version__.startswith("1.13"):
        print("WARNING: not PyTorch 1.13", file=sys.stderr)

    os.makedirs(args.out, exist_ok=True)
    for algo in [a for a in args.only.split(",") if a]:
        if algo not in ALL:
            sys.exit(f"unknown algorithm {algo}")
        path = os.path.join(args.out, f"{algo}.json")
        if not args.check:
            data = generate(algo)
            with open(path, "w") as fh:
                fh.write(json.dumps(data, separators=(",", ":")) + "\n")
        cases, values = check_file(path)
        print(f"{path}: {cases} cases, {values} values re-derived bit for bit, "
              f"{os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent float32 emulation of the new golden files (no torch, no tfjs: numpy only).

Re-derives every stored param and state value of
  test/fixtures/golden/torch/{adamax,nadam,radam,sparse_adam}.json and
  test/fixtures/golden/tfjs/adamax.json
from the case's init and gradients with the operation orders written in the README's
"Addendum: Adamax, NAdam, RAdam, SparseAdam" section, and demands bit equality. It also checks that every stored
string is the shortest %.{p}g decimal of its float32.

    python3 scripts/golden/check_formulas.py [golden_dir]

fl(x) = round to float32 (numpy float32 ops are correctly rounded); fma(a, b, c) is a
correctly rounded float32 fused multiply-add, computed exactly in float64 + round-to-odd.
"""
import json
import math
import os
import sys

import numpy as np

F = np.float32
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def dec(a):
    return np.array([float(s) for s in a], dtype=np.float64).astype(np.float32)


def enc(x) -> str:
    x = np.float32(x)
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0" if np.signbit(x) else "0"
    for p in range(1, 10):
        s = "%.*g" % (p, float(x))
        if np.float32(float(s)) == x:
            return s
    raise AssertionError


def fma(a, b, c):
    """float32 fma(a, b, c) = a*b + c rounded once."""
    a = np.asarray(a, np.float32).astype(np.float64)
    b = np.asarray(b, np.float32).astype(np.float64)
    c = np.asarray(c, np.float32).astype(np.float64)
    p = a * b  # exact: 24 + 24 bits < 53
    s = p + c
    bb = s - p
    err = (p - (s - bb)) + (c - bb)  # TwoSum: s + err == p + c exactly
    with np.errstate(invalid="ignore"):
        fix = (err != 0) & np.isfinite(s) & ((s.view(np.int64) & 1) == 0)
    s = np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)  # round to odd
    return s.astype(np.float32)


def bits_equal(a, b):
    a = np.asarray(a, np.float32).reshape(-1)
    b = np.asarray(b, np.float32).reshape(-1)
    return a.shape == b.shape and bool(np.all(a.view(np.uint32) == b.view(np.uint32)))


# ---------------------------------------------------------------------------------------------
# PyTorch 1.13, foreach=False, CPU float32


def torch_adamax(o, p, g, st, t):
    b1, b2 = o["betas"]
    if o.get("maximize"):
        g = -g
    if o["weight_decay"] != 0:
        g = fma(p, F(o["weight_decay"]), g)
    st["exp_avg"] = fma(g, F(1 - b1), st["exp_avg"] * F(b1))
    st["exp_inf"] = np.maximum(st["exp_inf"] * F(b2), np.abs(g) + F(o["eps"]))
    clr = o["lr"] / (1 - b1 ** t)
    return p + (F(-clr) * st["exp_avg"]) / st["exp_inf"]


def torch_nadam(o, p, g, st, t):
    b1, b2 = o["betas"]
    lr, psi = o["lr"], o["momentum_decay"]
    bc2 = 1 - b2 ** t
    if o["weight_decay"] != 0:
        g = fma(p, F(o["weight_decay"]), g)
    mu = b1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
    mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
    st["mu_product"] = F(st["mu_product"] * F(mu))
    mu_product_next = F(F(st["mu_product"] * F(mu)) * F(mu_next))
    st["exp_avg"] = fma(g, F(1 - b1), st["exp_avg"] * F(b1))
    st["exp_avg_sq"] = fma(F(1 - b2) * g, g, st["exp_avg_sq"] * F(b2))
    denom = np.sqrt(st["exp_avg_sq"] / F(bc2)) + F(o["eps"])
    p = p + (F(-lr * (1.0 - mu) / (1.0 - float(st["mu_product"]))) * g) / denom
    p = p + (F(-lr * mu_next / (1.0 - float(mu_product_next))) * st["exp_avg"]) / denom
    return p


def torch_radam(o, p, g, st, t):
    b1, b2 = o["betas"]
    lr = o["lr"]
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    if o["weight_decay"] != 0:
        g = fma(p, F(o["weight_decay"]), g)
    st["exp_avg"] = fma(g, F(1 - b1), st["exp_avg"] * F(b1))
    st["exp_avg_sq"] = fma(F(1 - b2) * g, g, st["exp_avg_sq"] * F(b2))
    mhat = st["exp_avg"] / F(bc1)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * (b2 ** t) / bc2
    if rho_t > 5.0:
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = (F(1) / (np.sqrt(st["exp_avg_sq"]) + F(o["eps"]))) * F(math.sqrt(bc2))
        upd = ((mhat * F(lr)) * adaptive) * F(rect)
    else:
        upd = mhat * F(lr)
    return fma(upd, F(-1), p)  # = fl(p - upd)


def torch_sparse_adam(o, p, rows, dim, idx, vals, st, t):
    b1, b2 = o["betas"]
    p = p.reshape(rows, dim).copy()
    m = st["exp_avg"].reshape(rows, dim).copy()
    v = st["exp_avg_sq"].reshape(rows, dim).copy()
    vals = vals.reshape(len(idx), dim)
    if o.get("maximize"):
        vals = -vals
    # coalesce: unique rows ascending, repeated rows summed in order of appearance
    uniq = sorted(set(idx))
    gsum = {}
    for r, row in zip(idx, vals):
        gsum[r] = row.copy() if r not in gsum else gsum[r] + row
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    step_size = o["lr"] * math.sqrt(bc2) / bc1
    for r in uniq:
        gr = gsum[r]
        old_m, old_v = m[r].copy(), v[r].copy()
        upd_m = (gr - old_m) * F(1 - b1)
        upd_v = (gr * gr - old_v) * F(1 - b2)
        m[r] = old_m + upd_m
        v[r] = old_v + upd_v
        numer = upd_m + old_m
        denom = np.sqrt(upd_v + old_v) + F(o["eps"])
        p[r] = p[r] + (numer / denom) * F(-step_size)
    st["exp_avg"], st["exp_avg_sq"] = m.reshape(-1), v.reshape(-1)
    return p.reshape(-1)


# ---------------------------------------------------------------------------------------------
# tfjs-core 4.22 cpu backend: every op rounds to float32, no fma


def tfjs_adamax_step(o, eps, params, grads, states, glob):
    lr_ = F(-o["learningRate"])
    b1, b2 = o["beta1"], o["beta2"]
    one_minus_acc = F(1) - glob["accBeta1"]
    lr = lr_ / (glob["iteration"] * F(o["decay"]) + F(1))
    out = []
    for p, g, st in zip(params, grads, states):
        m = st["m"] * F(b1) + g * F(1 - b1)
        u = np.maximum(st["v"] * F(b2), np.abs(g))
        st["m"], st["v"] = m, u
        out.append((lr / one_minus_acc) * (m / (u + F(eps))) + p)
    glob["iteration"] = glob["iteration"] + F(1)
    glob["accBeta1"] = glob["accBeta1"] * F(b1)
    return out


# ---------------------------------------------------------------------------------------------


def check_strings(values, where):
    for s in values:
        if enc(np.float32(float(s))) != s:
            raise AssertionError(f"{where}: {s!r} is not the shortest float32 string")


def compare(where, got, want_strings):
    check_strings(want_strings, where)
    want = dec(want_strings)
    if not bits_equal(got, want):
        bad = np.nonzero(np.asarray(got, np.float32).view(np.uint32) != want.view(np.uint32))[0]
        i = int(bad[0])
        raise AssertionError(f"{where}[{i}]: emulated {float(got[i])!r}, stored {float(want[i])!r}")
    return len(want_strings)


def check_torch(path):
    data = json.load(open(path))
    algo = data["algorithm"]
    n = 0
    for c in data["cases"]:
        o = c["options"]
        params = [dec(x) for x in c["init"]]
        for x in c["init"]:
            check_strings(x, c["id"])
        if algo == "sparse_adam":
            states = [{"exp_avg": np.zeros_like(x), "exp_avg_sq": np.zeros_like(x)} for x in params]
        elif algo == "adamax":
            states = [{"exp_avg": np.zeros_like(x), "exp_inf": np.zeros_like(x)} for x in params]
        elif algo == "nadam":
            states = [{"mu_product": F(1), "exp_avg": np.zeros_like(x), "exp_avg_sq": np.zeros_like(x)}
                      for x in params]
        else:
            states = [{"exp_avg": np.zeros_like(x), "exp_avg_sq": np.zeros_like(x)} for x in params]
        for t in range(1, c["steps"] + 1):
            for k in range(len(params)):
                if algo == "sparse_adam":
                    rows, dim = c["shapes"][k]
                    sg = c["sparse_grads"][t - 1][k]
                    check_strings(sg["values"], c["id"])
                    # `grads` = to_dense(): repeated rows summed in order of appearance, from +0
                    dense = np.zeros((rows, dim), np.float32)
                    for r, row in zip(sg["indices"], dec(sg["values"]).reshape(-1, dim)):
                        dense[r] = dense[r] + row
                    compare(f"{c['id']} dense grad step {t}, tensor {k}", dense.reshape(-1), c["grads"][t - 1][k])
                    params[k] = torch_sparse_adam(o, params[k], rows, dim, sg["indices"], dec(sg["values"]),
                                                  states[k], t)
                else:
                    g = dec(c["grads"][t - 1][k])
                    check_strings(c["grads"][t - 1][k], c["id"])
                    fn = {"adamax": torch_adamax, "nadam": torch_nadam, "radam": torch_radam}[algo]
                    params[k] = fn(o, params[k], g, states[k], t).astype(np.float32)
                n += compare(f"{c['id']} params after step {t}, tensor {k}", params[k], c["params"][t - 1][k])
        for k, want in enumerate(c["state"]):
            assert want["step"] == c["steps"], c["id"]
            for name, w in want.items():
                if name == "step":
                    continue
                got = states[k][name]
                if isinstance(w, str):
                    n += compare(f"{c['id']} state[{k}].{name}", np.array([got], np.float32), [w])
                else:
                    n += compare(f"{c['id']} state[{k}].{name}", got, w)
    return len(data["cases"]), n


def check_tfjs_adamax(path):
    data = json.load(open(path))
    n = 0
    for c in data["cases"]:
        o = c["options"]
        eps = c["epsilon_used"]
        assert eps == (1e-7 if o["epsilon"] is None else o["epsilon"]), c["id"]
        params = [dec(x) for x in c["init"]]
        states = [{"m": np.zeros_like(x), "v": np.zeros_like(x)} for x in params]
        glob = {"iteration": F(0), "accBeta1": F(o["beta1"])}
        for t in range(1, c["steps"] + 1):
            grads = [dec(g) for g in c["grads"][t - 1]]
            for g in c["grads"][t - 1]:
                check_strings(g, c["id"])
            params = tfjs_adamax_step(o, eps, params, grads, states, glob)
            for k in range(len(params)):
                n += compare(f"{c['id']} params after step {t}, tensor {k}", params[k], c["params"][t - 1][k])
        for k, want in enumerate(c["state"]):
            for name, w in want.items():
                n += compare(f"{c['id']} state[{k}].{name}", states[k][name], w)
        n += compare(f"{c['id']} accBeta1", np.array([glob["accBeta1"]]), [c["extra_state"]["accBeta1"]])
        assert c["extra_state"]["iteration"] == c["iterations"] == c["steps"] == int(glob["iteration"]), c["id"]
    return len(data["cases"]), n


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "fixtures", "golden")
    ok = True
    for name in ["adamax", "nadam", "radam", "sparse_adam"]:
        path = os.path.join(root, "torch", f"{name}.json")
        try:
            cases, n = check_torch(path)
            print(f"torch/{name}: {cases} cases, {n} values emulated bit for bit")
        except AssertionError as e:
            ok = False
            print(f"torch/{name}: MISMATCH {e}")
    path = os.path.join(root, "tfjs", "adamax.json")
    if os.path.exists(path):
        try:
            cases, n = check_tfjs_adamax(path)
            print(f"tfjs/adamax: {cases} cases, {n} values emulated bit for bit")
        except AssertionError as e:
            ok = False
            print(f"tfjs/adamax: MISMATCH {e}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

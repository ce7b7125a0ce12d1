#!/usr/bin/python3
"""Reference data for clipGradNorm / clipGradValue from real PyTorch (1.13, CPU).

Gradients are not stored: each case's float32 gradients are rebuilt bit for bit from its spec
(seed, numels, exponent ranges, zero rate, explicit inserts) by `case_grads` below and by its
twin `clipCaseGrads` in tools/reference/clip-grads.ts. The generator is counter-based:

    fmix32(h)          murmur3's 32-bit finalizer
    key(seed, t)       = fmix32((fmix32(seed) + (t + 1) * 0x632BE5AB) mod 2^32)
    word(key, j)       = fmix32((key + (j + 1) * 0x9E3779B9) mod 2^32)

Element i of tensor t uses w0 = word(key, 2i) and w1 = word(key, 2i + 1):
    sign     = w0 >> 31                mantissa = w0 & 0x7FFFFF
    zero     if (w1 >> 22) < zeroPer1024            (an exact ±0: the sign is kept)
    else e   = expLo + ((w1 & 0x3FFFFF) mod (expHi - expLo + 1)), biased = e + 127
             (biased 0, i.e. e = -127, gives a subnormal with that mantissa)
    bits     = sign << 31 | biased << 23 | mantissa
then each [index, bits] of the tensor's `inserts` overwrites element `index`.

Usage:
    /usr/bin/python3 tools/reference/clip_grad.py            # writes test/fixtures/clip/cases.json
    /usr/bin/python3 tools/reference/clip_grad.py --hash     # prints the generator hash of every case
"""

import hashlib
import json
import math
import os
import random
import sys

import numpy as np

M32 = 0xFFFFFFFF


def fmix32(h):
    """murmur3's finalizer on a numpy uint32 array (or a Python int)."""
    if isinstance(h, int):
        h &= M32
        h ^= h >> 16
        h = (h * 0x85EBCA6B) & M32
        h ^= h >> 13
        h = (h * 0xC2B2AE35) & M32
        h ^= h >> 16
        return h
    h = h.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def tensor_key(seed, t):
    return fmix32((fmix32(seed) + (t + 1) * 0x632BE5AB) & M32)


def tensor_bits(seed, t, spec):
    """The uint32 bit patterns of tensor t of a case (numpy uint32 array)."""
    n = spec["numel"]
    lo, hi = spec["expLo"], spec["expHi"]
    assert -127 <= lo <= hi <= 127
    key = np.uint32(tensor_key(seed, t))
    j = np.arange(1, 2 * n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        ctr = ((j * np.uint64(0x9E3779B9) + np.uint64(key)) & np.uint64(M32)).astype(np.uint32)
    w = fmix32(ctr)
    w0, w1 = w[0::2], w[1::2]
    sign = w0 >> np.uint32(31)
    mant = w0 & np.uint32(0x7FFFFF)
    span = np.uint32(hi - lo + 1)
    biased = ((w1 & np.uint32(0x3FFFFF)) % span).astype(np.int64) + (lo + 127)
    bits = (sign << np.uint32(31)) | (biased.astype(np.uint32) << np.uint32(23)) | mant
    zero = (w1 >> np.uint32(22)) < np.uint32(spec.get("zeroPer1024", 0))
    bits = np.where(zero, sign << np.uint32(31), bits).astype(np.uint32)
    for idx, b in spec.get("inserts", []):
        bits[idx] = b
    return bits


def case_grads(case):
    """The case's gradients as float32 numpy arrays."""
    return [tensor_bits(case["seed"], t, s).view(np.float32) for t, s in enumerate(case["tensors"])]


def grads_hash(case):
    h = hashlib.sha256()
    for g in case_grads(case):
        h.update(g.view(np.uint32).astype("<u4").tobytes())
    return h.hexdigest()


# ---- cases -------------------------------------------------------------------------------------

NUMELS = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1000, 4095, 4096, 4097,
          32767, 32768, 32769, 65539, 100000]
BIG = 1000000
EXP_RANGES = [(-10, -5), (-30, 10), (60, 70), (-3, 3), (-127, -110), (20, 40), (-1, 0)]
NORM_TYPES = [2.0, 1.0, "inf", 3.0, 0.5]  # "inf" (JSON has no Infinity)
NAN, PINF, NINF = 0x7FC00000, 0x7F800000, 0xFF800000
HUGE = [0x7F7FFFFF, 0xFF7FFFFF, 0x7E800000, 0x5F000000]


def build_cases():
    rnd = random.Random(20260113)
    cases = []
    for norm_type in NORM_TYPES:
        for k in range(60):
            ntensors = rnd.randint(1, 6)
            tensors = []
            for t in range(ntensors):
                if k < len(NUMELS):
                    numel = NUMELS[k] if t == 0 else rnd.choice(NUMELS[:18])
                else:
                    numel = rnd.choice(NUMELS)
                lo, hi = EXP_RANGES[(k + t) % len(EXP_RANGES)] if k % 3 else rnd.choice(EXP_RANGES)
                spec = {"numel": numel, "expLo": lo, "expHi": hi,
                        "zeroPer1024": rnd.choice([0, 0, 0, 16, 256])}
                inserts = []
                if k % 9 == 4:  # a few huge finite values
                    for _ in range(rnd.randint(1, 3)):
                        inserts.append([rnd.randrange(numel), rnd.choice(HUGE)])
                if k % 11 == 7 and t == ntensors - 1:  # a non-finite value
                    inserts.append([rnd.randrange(numel), rnd.choice([NAN, PINF, NINF])])
                if inserts:
                    spec["inserts"] = inserts
                tensors.append(spec)
            cases.append({"seed": rnd.getrandbits(32), "normType": norm_type, "tensors": tensors,
                          "maxNorm": rnd.choice([1e-3, 0.1, 1.0, 5.0, 1e3, 1e30]),
                          "clipValue": rnd.choice([1e-4, 0.01, 0.5, 1.0, 100.0])})
    # a few million-element tensors
    for i, norm_type in enumerate(NORM_TYPES):
        lo, hi = [(-10, -5), (-30, 10), (-3, 3), (-10, -5), (-1, 0)][i]
        cases.append({"seed": rnd.getrandbits(32), "normType": norm_type,
                      "tensors": [{"numel": BIG, "expLo": lo, "expHi": hi, "zeroPer1024": 0},
                                  {"numel": 17, "expLo": lo, "expHi": hi, "zeroPer1024": 0}],
                      "maxNorm": 1.0, "clipValue": 0.01})
    # order-sensitive cases: narrow exponent ranges, numels whose 8-lane tail is 4..7 long, and 4-6
    # tensors of one numel and range (similar norms, so the total's summation order shows)
    rnd = random.Random(20260114)
    for norm_type in NORM_TYPES:
        for k in range(20):
            numel = rnd.choice([4, 5, 6, 7, 12, 13, 14, 15, 20, 23, 28, 31, 36, 100, 1000, 4095])
            lo, hi = rnd.choice([(-1, 0), (0, 0), (-2, 1), (-8, -6)])
            tensors = [{"numel": numel, "expLo": lo, "expHi": hi, "zeroPer1024": 0}
                       for _ in range(rnd.randint(4, 6))]
            cases.append({"seed": rnd.getrandbits(32), "normType": norm_type, "tensors": tensors,
                          "maxNorm": rnd.choice([0.1, 1.0, 3.0, 1e3]),
                          "clipValue": rnd.choice([0.3, 1.0])})
    # clip_coef cases: a single one-element tensor, so total_norm = |x| for p = 1 and inf, with x
    # where float32(x + 1e-6) (double add) and x + float32(1e-6) (float add) round differently
    for i, bits in enumerate([906226784, 899497652, 880860278, 892522927, 883729614, 892417403,
                              901826112, 841118270]):
        for norm_type in [1.0, "inf"]:
            cases.append({"seed": rnd.getrandbits(32), "normType": norm_type,
                          "tensors": [{"numel": 1, "expLo": 0, "expHi": 0, "inserts": [[0, bits]]}],
                          "maxNorm": [1e-7, 1e-6, 3e-7, 1e-8][i % 4], "clipValue": 1e-6})
    for i, c in enumerate(cases):
        c["id"] = i
    return cases


# ---- running -----------------------------------------------------------------------------------

def t32(t):
    return int(t.detach().reshape(()).numpy().view(np.uint32))


def sample_idx(numel):
    return sorted({0, numel // 2, numel - 1})


def run_case(torch, case, grads):
    p = float(case["normType"])
    res = {}
    ts = [torch.from_numpy(g.copy()) for g in grads]
    res["norms"] = [t32(torch.norm(t, p)) for t in ts]
    if p == math.inf:
        res["absMax"] = [t32(t.abs().max()) for t in ts]
    params = []
    for t in ts:
        q = torch.nn.Parameter(torch.zeros_like(t))
        q.grad = t.clone()
        params.append(q)
    total = torch.nn.utils.clip_grad_norm_(params, case["maxNorm"], p)
    res["total"] = t32(total)
    coef = case["maxNorm"] / (total + 1e-6)
    res["coefRaw"] = t32(coef)
    clamped = torch.clamp(coef, max=1.0)
    res["coef"] = t32(clamped)
    res["clipped"] = [[int(q.grad.numpy().view(np.uint32)[i]) for i in sample_idx(q.grad.numel())]
                      for q in params]
    # every element of every gradient is g * coef (checked, not stored)
    res["mulOk"] = all(torch.equal(q.grad.view(torch.int32), (t * clamped).view(torch.int32))
                       for q, t in zip(params, ts))
    for q, t in zip(params, ts):
        q.grad = t.clone()
    torch.nn.utils.clip_grad_value_(params, case["clipValue"])
    res["valueClipped"] = [[int(q.grad.numpy().view(np.uint32)[i])
                            for i in sample_idx(q.grad.numel())] for q in params]
    return res


def main():
    cases = build_cases()
    if "--hash" in sys.argv:
        for c in cases:
            print(c["id"], grads_hash(c))
        return
    import torch
    default_threads = torch.get_num_threads()
    thread_counts = sorted({default_threads, 1, 2})
    out_cases = []
    differ = []
    for c in cases:
        grads = case_grads(c)
        results = {}
        for n in thread_counts:
            torch.set_num_threads(n)
            results[str(n)] = run_case(torch, c, grads)
        torch.set_num_threads(default_threads)
        base = results["1"]
        d = [n for n, r in results.items() if r != base]
        if d:
            differ.append(c["id"])
        entry = dict(c)
        entry["sha256"] = grads_hash(c)
        entry["results"] = {"1": base}
        for n, r in results.items():
            if n != "1":
                # a thread count's results are stored only where they differ from one thread's
                entry["results"][n] = {k: v for k, v in r.items() if v != base[k]}
        out_cases.append(entry)
    doc = {
        "torch": torch.__version__,
        "cpuCapability": "AVX2" if "CPU capability usage: AVX2" in torch.__config__.show() else
        torch.__config__.show(),
        "defaultThreads": default_threads,
        "threadCounts": thread_counts,
        "casesDifferingAcrossThreads": differ,
        "cases": out_cases,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "test", "fixtures", "clip", "cases.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(out_cases)} cases, thread counts {thread_counts} (default {default_threads}),"
          f" {len(differ)} differ across threads -> {os.path.normpath(path)}")


if __name__ == "__main__":
    main()

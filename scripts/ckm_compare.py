#!/usr/bin/env python3
"""Compares Pinne's Cell Key Method with the ONS reference implementation.

Random microdata (gender x municipality x exit reason, with record keys 0..255) are tabulated and
perturbed twice: by the ONS `cell-key-perturbation` package (PyPI), given Pinne's perturbation
table in its `ptable` format (`pinne ptable`), and by Pinne itself (`pinne ptable --apply`, the
same code the service runs, with the cell key as the sum of the record keys modulo the range).
Every cell must agree, and the perturbed table must keep Pinne's promises: zeros stay zero, no
count 1..threshold-1, no change above D, and on average no change.

Usage: python3 scripts/ckm_compare.py [path/to/pinne]   (default: cargo run --quiet --)
"""
import io
import random
import subprocess
import sys

import pandas as pd
from cell_key_perturbation.create_perturbed_table import create_perturbed_table

RANGE, THRESHOLD, D, V = 256, 3, 2, 1.0
pinne = sys.argv[1:] or ["cargo", "run", "--quiet", "--"]
params = ["--threshold", str(THRESHOLD), "--max-deviation", str(D), "--variance", str(V), "--range", str(RANGE)]


def run(args, stdin=None):
    return subprocess.run(pinne + args, input=stdin, capture_output=True, text=True, check=True).stdout


ptable = pd.read_csv(io.StringIO(run(["ptable"] + params)))
assert list(ptable.columns) == ["pcv", "ckey", "pvalue"], ptable.columns
assert ptable["ckey"].max() == RANGE - 1

rng = random.Random(20261203)
rows = []
for _ in range(3000):
    rows.append({
        "kon": rng.choice(["kvinna", "man", "kvinna", "man", "ej_angivet"]),
        "kommun": rng.choice(["karlskoga"] * 8 + ["degerfors"] * 2),
        "orsak": rng.choice(["anstallning", "studier", "arbetsmarknaden", "rehabilitering", "vard", "ovrigt"] + ["studier"] * 3),
        "record_key": rng.randrange(RANGE),
    })
# A few rare combinations, so that small counts are there to perturb.
for i in range(40):
    rows.append({"kon": "annat", "kommun": f"ort{i % 17}", "orsak": "vard", "record_key": rng.randrange(RANGE)})
data = pd.DataFrame(rows)
tab_vars = ["kon", "orsak"]
ons = create_perturbed_table(data=data, ptable=ptable, geog=["kommun"], tab_vars=tab_vars,
                             record_key="record_key", threshold=0)
ons = ons[ons["pre_sdc_count"] > 0]

# Pinne's cell key: the sum of the record keys, modulo the range.
keys = data.groupby(["kommun"] + tab_vars)["record_key"].sum() % RANGE
cells = ons.set_index(["kommun"] + tab_vars)
lines = "".join(f"{int(n)},{int(keys[idx])}\n" for idx, n in cells["pre_sdc_count"].items())
mine = [int(x) for x in run(["ptable", "--apply"] + params, stdin=lines).split()]

theirs = [int(x) for x in cells["count"]]
truth = [int(x) for x in cells["pre_sdc_count"]]
assert [int(k) for k in cells["ckey"]] == [int(keys[i]) for i in cells.index], "cell keys differ"
assert mine == theirs, [(t, a, b) for t, a, b in zip(truth, mine, theirs) if a != b][:10]
small = sum(1 for t in truth if 0 < t < THRESHOLD)
assert small >= 10, f"only {small} small cells"
for t, p in zip(truth, mine):
    assert p == 0 or p >= THRESHOLD, (t, p)
    assert abs(p - t) <= D, (t, p)
mean_change = sum(p - t for t, p in zip(truth, mine)) / len(truth)
print(f"{len(truth)} cells ({small} small): Pinne and ONS cell-key-perturbation agree on every one; "
      f"mean change {mean_change:+.3f}, largest {max(abs(p - t) for t, p in zip(truth, mine))}")

#!/usr/bin/env python3
"""Writes the CSV fixtures of `mlnetmlp train --dataset` under test/fixtures/tables/.

Three of scikit-learn's bundled data sets (Debian's python3-sklearn; no download) with readable column names, a
header and the target last:
  wine.csv           multiclass, 178 rows, 13 numeric features, target `class` (0, 1, 2)
  breast_cancer.csv  binary, 569 rows, 30 numeric features, target `diagnosis` ("malignant" / "benign")
  diabetes.csv       regression, 442 rows, 10 features in their original units (scaled=False), target `progression`
and plants.csv, a small table made here (seeded) with what real files have: an ID column, a numeric column with
missing cells written four ways (empty, NA, NaN, ?), a categorical text column, a free-text column, a yes/no
column and a text label `species` that the other columns predict.

Run from the repository root: python3 test/generate_table_fixtures.py
"""
import csv
import os
import random

from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "tables")


def readable(name):
    """scikit-learn's feature names as CSV headers: lower case, words joined by underscores."""
    return "_".join(name.replace("/", " ").replace("-", " ").split()).lower()


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def number(value):
    """The shortest text that reads back as the same float64 (the data sets' own values, no noise added)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def wine():
    data = load_wine()
    header = [readable(n) for n in data.feature_names] + ["class"]
    write("wine.csv", header, [[number(v) for v in x] + [int(y)] for x, y in zip(data.data, data.target)])


def breast_cancer():
    data = load_breast_cancer()
    header = [readable(n) for n in data.feature_names] + ["diagnosis"]
    write("breast_cancer.csv", header,
          [[number(v) for v in x] + [data.target_names[y]] for x, y in zip(data.data, data.target)])


def diabetes():
    data = load_diabetes(scaled=False)
    # s1..s6 are six blood serum measurements; the names are those of the original study (Efron et al., 2004).
    header = ["age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu", "progression"]
    write("diabetes.csv", header, [[number(v) for v in x] + [number(y)] for x, y in zip(data.data, data.target)])


def plants():
    rng = random.Random(18)
    species = {
        # height (mean, sd), usual colours, words of the notes
        "fern": ((40, 10), ["green", "green", "dark green"], ["fronds", "shade", "spores", "damp", "feathery"]),
        "cactus": ((25, 12), ["green", "grey", "blue"], ["spines", "dry", "desert", "sun", "succulent"]),
        "orchid": ((55, 12), ["white", "pink", "purple"], ["flowers", "bloom", "fragrant", "humid", "petals"]),
    }
    common = ["pot", "window", "repotted", "leaves", "healthy", "new", "tall", "small", "bought", "gift"]
    missing = ["", "NA", "NaN", "?"]
    rows = []
    for i in range(150):
        name = rng.choice(sorted(species))
        (mean, sd), colours, words = species[name]
        height = max(3.0, rng.gauss(mean, sd))
        notes = rng.sample(words, 2) + rng.sample(common, 2)
        rng.shuffle(notes)
        if i % 5 == 0:
            notes[0] += ","  # a comma inside a field: the writer quotes it
        row = [
            1000 + i,                                                              # id
            missing[i % 4] if rng.random() < 0.12 else f"{height:.1f}",           # height_cm
            rng.choice(colours) if rng.random() < 0.93 else "",                   # colour
            " ".join(notes).capitalize() + ".",                                   # notes
            rng.choice(["yes", "no"]),                                            # indoor (unrelated to the label)
            name,                                                                 # species
        ]
        rows.append(row)
    write("plants.csv", ["id", "height_cm", "colour", "notes", "indoor", "species"], rows)


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    wine()
    breast_cancer()
    diabetes()
    plants()

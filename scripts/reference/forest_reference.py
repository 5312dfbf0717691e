"""scikit-learn reference for the histogram random forest (models/forest/histogram-forest.ts).

Generates the LCG dataset of test/models/forest/lcg-dataset.ts bit for bit (only +, -, * and
comparisons touch the draws), trains sklearn's RandomForestClassifier with the same settings as
the test, and prints the held-out ROC-AUC per random_state plus a checksum of the data so the
test can prove both generators agree.

Usage (the values in test/models/forest/histogram-forest-reference.test.ts come from):
    python3 scripts/reference/forest_reference.py
    python3 scripts/reference/forest_reference.py --missing
    python3 scripts/reference/forest_reference.py --threshold 3.2 --class-weight balanced
"""

import argparse
import json
import math
import statistics

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

FEATURE_COUNT = 10


def make_lcg(seed):
    state = seed & 0xFFFFFFFF

    def next_value():
        nonlocal state
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        return state / 4294967296

    return next_value


def generate(seed, row_count, threshold, missing):
    draw = make_lcg(seed)
    features = np.empty((row_count, FEATURE_COUNT))
    labels = np.empty(row_count, dtype=np.int64)
    for row in range(row_count):
        x = [draw() for _ in range(FEATURE_COUNT)]
        noise = draw() + draw() + draw() - 1.5
        score = 3 * x[0] - 2 * x[1] + 2 * (x[2] * x[3]) + (1 if x[4] > 0.5 else 0) - 0.5 * x[5] + noise
        label = 1 if score > threshold else 0
        labels[row] = label
        missing_x0 = draw() < 0.15
        missing_x7 = draw() < (0.5 if label == 1 else 0.05)
        if missing and missing_x0:
            x[0] = math.nan
        if missing and missing_x7:
            x[7] = math.nan
        features[row] = x
    return features, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-rows", type=int, default=4000)
    parser.add_argument("--test-rows", type=int, default=4000)
    parser.add_argument("--threshold", type=float, default=2.4)
    parser.add_argument("--missing", action="store_true")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--max-depth", type=int, default=20)
    parser.add_argument("--min-samples-leaf", type=int, default=5)
    parser.add_argument("--class-weight", default=None)
    parser.add_argument("--random-states", default="1,2,3,4,5")
    args = parser.parse_args()

    x_train, y_train = generate(1, args.train_rows, args.threshold, args.missing)
    x_test, y_test = generate(2, args.test_rows, args.threshold, args.missing)
    aucs = []
    for random_state in [int(s) for s in args.random_states.split(",")]:
        model = RandomForestClassifier(
            n_estimators=args.trees,
            max_depth=args.max_depth,
            min_samples_leaf=args.min_samples_leaf,
            max_features="sqrt",
            bootstrap=True,
            class_weight=args.class_weight,
            random_state=random_state,
            n_jobs=1,
        )
        model.fit(x_train, y_train)
        aucs.append(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "numpy": np.__version__,
                "trainPositives": int(y_train.sum()),
                "testPositives": int(y_test.sum()),
                "trainFeatureSum": float(np.nansum(x_train)),
                "trainMissing": int(np.isnan(x_train).sum()),
                "aucs": [round(a, 4) for a in aucs],
                "aucMean": round(statistics.mean(aucs), 4),
                "aucStdev": round(statistics.stdev(aucs), 4) if len(aucs) > 1 else 0.0,
            }
        )
    )


if __name__ == "__main__":
    main()

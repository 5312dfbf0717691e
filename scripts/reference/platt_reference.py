"""Reference values for models/risk/platt-calibration.ts (scikit-learn LogisticRegression on logit(clip(score)))."""
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

scores = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 0.0, 0.4])
labels = np.array([0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0])
x = np.log(np.clip(scores, 1e-4, 1 - 1e-4) / (1 - np.clip(scores, 1e-4, 1 - 1e-4))).reshape(-1, 1)
model = LogisticRegression(C=1 / 0.001, tol=1e-12, max_iter=10000).fit(x, labels)
print("sklearn", sklearn.__version__)
print("slope", repr(model.coef_[0][0]), "intercept", repr(model.intercept_[0]))
print("p(0.5)", repr(model.predict_proba(np.array([[0.0]]))[0][1]))

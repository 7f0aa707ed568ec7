"""The shrunk (Bayesian average) patient rating.

A raw mean from three reviews says little; the shrunk rating pulls it toward a prior mean in
proportion to how few reviews there are, so many good reviews beat a few perfect ones.
"""

from __future__ import annotations

import numpy as np

from scoring.checklist import ReviewsModel


def shrunk_rating(mean, count, model: ReviewsModel) -> np.ndarray:
    """(prior_weight * prior_mean + count * mean) / (prior_weight + count); NaN when unknown."""
    mean = np.asarray(mean, dtype="float64")
    count = np.nan_to_num(np.asarray(count, dtype="float64"), nan=0.0).clip(min=0)
    total = model.prior_weight + count
    with np.errstate(invalid="ignore", divide="ignore"):
        shrunk = (model.prior_weight * model.prior_mean + count * mean) / total
    return np.where(np.isnan(mean), np.nan, shrunk)


def rating_share(shrunk, model: ReviewsModel) -> np.ndarray:
    """The share (0-1) of the rating item's points: `floor` stars or less earn 0, 5 earn all."""
    share = (np.asarray(shrunk, dtype="float64") - model.floor) / (5.0 - model.floor)
    return np.clip(np.nan_to_num(share, nan=0.0), 0.0, 1.0)


def few_reviews(count, model: ReviewsModel) -> np.ndarray:
    """True where a rating rests on fewer reviews than the checklist's caution threshold."""
    count = np.asarray(count, dtype="float64")
    return ~np.isnan(count) & (count < model.few_reviews)

"""Sharing whole hours out pro rata: largest-remainder rounding, optional caps, deterministic ties.

``apportion(total, weights, caps)`` returns whole numbers that add up exactly to ``total`` (or to the sum of
the caps, when that is less), each proportional to its weight, never above its cap. Ties between equal
remainders go to the larger weight, then to the key that sorts first: the same input always gives the same
output.
"""

from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def apportion(total: int, weights: dict, caps: dict | None = None) -> dict:
    if total < 0:
        raise ValueError("total must be positive or zero")
    keys = sorted(weights)
    shares = dict.fromkeys(keys, 0)
    weights = {k: Fraction(Decimal(str(weights[k]))) for k in keys}
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must be positive or zero")
    caps = {k: int(caps[k]) for k in keys} if caps is not None else None
    if caps is not None:
        total = min(total, sum(max(c, 0) for c in caps.values()))
    if total == 0 or not keys:
        return shares

    # Exact (fractional) pro rata shares, capped: whoever would get more than their cap gets the cap, and the
    # rest is shared again among the others, until nobody exceeds their cap.
    exact = dict.fromkeys(keys, Fraction(0))
    open_keys = [k for k in keys if weights[k] > 0 and (caps is None or caps[k] > 0)]
    left = Fraction(total)
    while open_keys and left > 0:
        weight_sum = sum(weights[k] for k in open_keys)
        capped = [k for k in open_keys if caps is not None and left * weights[k] / weight_sum >= caps[k]]
        if not capped:
            for k in open_keys:
                exact[k] = left * weights[k] / weight_sum
            break
        for k in capped:
            exact[k] = Fraction(caps[k])
            left -= caps[k]
            open_keys.remove(k)
    if not open_keys and left > 0 and caps is None:
        # Every weight is zero: share equally.
        for k in keys:
            exact[k] = Fraction(total, len(keys))

    shares = {k: _floor(exact[k]) for k in keys}
    missing = total - sum(shares.values())
    order = sorted(
        keys,
        key=lambda k: (-(exact[k] - shares[k]), -weights[k], str(k)),
    )
    # The fractional parts add up to ``missing``: one more hour each for the largest remainders.
    for k in order:
        if missing <= 0:
            break
        if exact[k] != shares[k]:
            shares[k] += 1
            missing -= 1
    # Left only when nothing had a weight (caps given): fill in key order wherever room is left.
    for k in order:
        if missing <= 0:
            break
        room = (caps[k] - shares[k]) if caps is not None else missing
        step = min(room, missing)
        if step > 0:
            shares[k] += step
            missing -= step
    return shares


def floor_hours(value) -> int:
    """Whole hours at most equal to ``value`` (a request of 3.6 h per year can get at most 3 h)."""
    return int(Decimal(value).to_integral_value(rounding=ROUND_FLOOR))

"""The eigenvalue axis of the Hessian figures: linear, logarithmic (every value
positive and spanning more than two decades) or symmetric-logarithmic,
``sign(y) log10(1 + |y| / c)`` (linear below the threshold c, logarithmic above it),
with tick labels that show the true values in the charts' one exponent style."""

from __future__ import annotations

import numpy as np

from .style import integer_ticks, power_text

SCALES = ("auto", "linear", "symlog")
#: "auto" draws a symmetric-log axis when max|y| / (smallest non-zero |y|) exceeds this
#: and some value is negative or zero, otherwise a linear one ...
SYMLOG_SPAN = 1e3
#: ... and a logarithmic axis when every value is positive and max / min exceeds this
LOG_SPAN = 1e2
#: the linear threshold c is never below this fraction of max|y| (rounding noise,
#: about 1e-16 of max|y|, should not open empty decades around zero)
SYMLOG_FLOOR = 1e-12
#: about this many labelled ticks on an axis
TICKS = 8
#: the zero line, in the Hessian figures' context grey
ZERO_LINE = dict(zeroline=True, zerolinecolor="#bbbbbb")


def integer_axis(low: int, high: int, pad: float = 0.5) -> dict:
    """Layout of an axis of the integers ``low..high``: integer ticks only
    (``style.integer_ticks``), whatever the length."""
    low, high = int(low), int(max(high, low))
    return dict(tickmode="linear", **integer_ticks(high - low), range=[low - pad, high + pad])


class EigenvalueAxis:
    """An eigenvalue axis, linear, logarithmic or symmetric-log with threshold ``c``,
    and its ticks. ``tolerance``: values within it of zero are zero (not positive, and
    they do not set c); ``include_zero``: the figure also draws 0 (stems, bars)."""

    def __init__(self, values, scale: str, *, tolerance: float = 0.0,
                 include_zero: bool = False) -> None:
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(map(repr, SCALES))}; "
                             f"received {scale!r}.")
        values = np.asarray(values, dtype=float)
        data = values[np.isfinite(values)]
        magnitude = np.abs(data)
        largest = float(magnitude.max()) if magnitude.size else 0.0
        floor = max(float(tolerance), SYMLOG_FLOOR * largest)
        nonzero = magnitude[magnitude > floor] if largest > 0 else magnitude[:0]
        self.c = float(10.0 ** np.floor(np.log10(nonzero.min()))) if nonzero.size else 1.0
        if scale == "auto":
            ratio = largest / float(nonzero.min()) if nonzero.size else 1.0
            if data.size and bool(np.all(data > floor)):
                scale = "log" if ratio > LOG_SPAN else "linear"
            else:
                scale = "symlog" if ratio > SYMLOG_SPAN else "linear"
        if include_zero and scale != "log":  # a logarithmic axis has no zero
            data = np.append(data, 0.0)
        self.low = float(data.min()) if data.size else 0.0
        self.high = float(data.max()) if data.size else 0.0
        self.largest = largest
        self.kind = scale

    @property
    def symlog(self) -> bool:
        return self.kind == "symlog"

    def __call__(self, values) -> np.ndarray:
        """The plotted coordinate of true values (unchanged unless symlog)."""
        values = np.asarray(values, dtype=float)
        if not self.symlog:
            return values
        return np.sign(values) * np.log10(1.0 + np.abs(values) / self.c)

    @property
    def note(self) -> str:
        """The scale in words, for a subtitle ("" when linear)."""
        if self.kind == "log":
            return "logarithmic scale"
        if self.symlog:
            return f"symmetric log scale, linear within ±{_short(self.c)}"
        return ""

    @property
    def floor(self) -> float:
        """A positive value at the bottom of a logarithmic axis (where 0 would be)."""
        return self.low if self.low > 0 else self.c

    def ticks(self) -> np.ndarray:
        """True values of the symmetric-log ticks within the data: 0, decades from c up,
        then 2 and 5 times them while there is room, never closer than 1 / TICKS of
        the axis (the labels of +-c would overlap the 0 between them); evenly spaced
        ones when that leaves fewer than three (data within about a decade)."""
        top = int(np.ceil(np.log10(max(self.largest, self.c) / self.c)))
        decades = self.c * 10.0 ** np.arange(0, top + 1)
        step = max(1, int(np.ceil(top / 6)))  # about six decades labelled per sign first
        first, rest = decades[::step], np.setdiff1d(decades, decades[::step])
        candidates = [0.0]
        for group in (first, rest, 2 * decades, 5 * decades):
            for magnitude in group:
                candidates += [magnitude, -magnitude]
        lo, hi = float(self(self.low)), float(self(self.high))
        gap = (hi - lo) / TICKS if hi > lo else np.inf
        slack = 1e-9 * max(hi - lo, 1.0)
        chosen: list[float] = []
        for value in candidates:
            at = float(self(value))
            if lo - slack <= at <= hi + slack and all(abs(at - self(t)) >= gap for t in chosen):
                chosen.append(value)
        if len(chosen) < 3 and self.high > self.low:  # within about a decade: linear ones
            raw = (self.high - self.low) / 4
            step = 10.0 ** np.floor(np.log10(raw))
            step *= next(m for m in (1, 2, 5, 10) if m * step >= raw)
            for value in step * np.arange(np.ceil(self.low / step), self.high / step + 1e-9):
                if all(abs(self(value) - self(t)) >= gap / 2 for t in chosen):
                    chosen.append(float(value))
        return np.sort(np.asarray(chosen, dtype=float))

    def layout(self, title: str) -> dict:
        if self.kind == "log":  # labels at decades only: 2 and 5 between them crowd
            decades = np.log10(self.high / self.low) if self.low > 0 else 1.0
            return dict(title=title, type="log", exponentformat="power", tickmode="linear",
                        dtick=max(1, int(np.ceil(decades / TICKS))))
        if not self.symlog:
            return dict(title=title, exponentformat="power", **ZERO_LINE)
        ticks = self.ticks()
        return dict(title=title, tickmode="array", tickvals=self(ticks).tolist(),
                    ticktext=[_short(t) for t in ticks], **ZERO_LINE)


def _short(value: float) -> str:
    """A tick label in the charts' one exponent style: 0.05, 200, 10⁻⁵ or 2×10⁻⁵."""
    return power_text(value)

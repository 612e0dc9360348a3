"""What each preset demonstrates, measured on the very computations its pages draw
(the cached view functions, called with the preset's settings): the app prints the
measured fact beside the preset's explanation, and the tests assert that it holds.

``measure(name, values)`` -> ``Claim(holds, text)``; ``values`` are all the settings
(name -> value), normally the preset's own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from landscape.figures.style import count, number_text

from . import compare_view, hessian_view, landscape_view, newton_view, state
from .builder import problem_from_spec


@dataclass(frozen=True)
class Claim:
    holds: bool  # the preset's claim holds on these numbers
    text: str  # the measured fact, in one sentence


def landscape_of(values: dict) -> landscape_view.LandscapeView:
    """The Landscape page's view of the settings ``values`` (name -> value)."""
    return landscape_view.landscape_view(state.spec_of(values, "problem."),
                                         state.spec_of(values, "landscape."))


def race_of(values: dict) -> newton_view.Race:
    """The Newton page's race on the settings ``values`` (name -> value)."""
    return newton_view.race(state.spec_of(values, "problem."), state.spec_of(values, "newton."))


def turn_backs(xs: np.ndarray) -> int:
    """Successive steps that turn back (negative cosine): a zig-zag."""
    steps = np.diff(xs, axis=0)
    return int(np.sum(np.sum(steps[1:] * steps[:-1], axis=1) < 0))


def valley_ratio(surface) -> float:
    """How many times longer than wide the level sets through the map's centre are:
    sqrt of the ratio of the second differences along a and c at the centre cell."""
    z, h = surface.values, surface.alphas[1] - surface.alphas[0]
    m = z.shape[0] // 2
    along_a = (z[m, m + 1] - 2 * z[m, m] + z[m, m - 1]) / h**2
    along_c = (z[m + 1, m] - 2 * z[m, m] + z[m - 1, m]) / h**2
    return float(np.sqrt(max(along_a, along_c) / min(along_a, along_c)))


def _ill_conditioned(values: dict) -> Claim:
    ratio = valley_ratio(landscape_of(values).surface)
    runs = {run.method: run for run in race_of(values).runs}
    gd, newton = runs["gd"], runs["newton"]
    zigzags = turn_backs(gd.xs)
    holds = ratio >= 10 and zigzags >= 5 and not gd.success and newton.success
    return Claim(holds, f"the valley through the map's centre is {ratio:.0f} times longer than "
                        f"wide; gradient descent turns back {zigzags} times in {gd.n_iter} steps "
                        f"and is {'not ' if not gd.success else ''}converged; exact Newton "
                        f"converges in {newton.n_iter}.")


def _exact_vs_approximate_newton(values: dict) -> Claim:
    race = race_of(values)
    runs = {run.method: (run, diag) for run, diag in zip(race.runs, race.diagnostics, strict=True)}
    (approx, approx_diag), (exact, exact_diag) = runs["approx_newton"], runs["newton"]
    kept = float(np.max(approx.rows_kept)) / values["problem.n"]
    order, rate = exact_diag.hessian.order, approx_diag.hessian.rate
    holds = approx.success and exact.success and kept <= 0.2 and order >= 1.8 and rate < 0.9
    return Claim(holds, f"approximate Newton keeps at most {100 * kept:.1f} % of the "
                        f"{values['problem.n']:,} rows and contracts linearly "
                        f"(rate {number_text(rate, 2)}) "
                        f"in {approx.n_iter} steps; exact Newton converges with order "
                        f"{number_text(order, 2)} in {exact.n_iter}.")


def _poles(values: dict) -> Claim:
    sign = landscape_of(values).surface.alpha_sign
    negative = float(np.mean(sign < 0))
    inner = sign[1:-1, 1:-1]
    crosses = bool(np.any(inner[:, 1:] != inner[:, :-1]) or np.any(inner[1:] != inner[:-1]))
    holds = crosses and 0.05 <= negative <= 0.95
    return Claim(holds, f"α changes sign inside the map; α < 0 (veiled) on "
                        f"{100 * negative:.0f} % of it.")


def _softmax_vs_unified(values: dict) -> Claim:
    result = compare_view.comparison(state.spec_of(values, "problem."),
                                     state.spec_of(values, "compare."))
    shown, share = result.surfaces.difference_scale, compare_view.difference_share(result)
    return Claim(share >= 0.1, f"the difference map's colour range (±{number_text(shown, 3)}) is "
                               f"{100 * share:.0f} % of the loss range.")


def _realizable_vs_not(values: dict) -> Claim:
    prob = problem_from_spec(state.spec_of(values, "problem."))
    x_true = np.array(prob.x_true)
    view = hessian_view.hessian_view(state.spec_of(values, "problem."),
                                     state.spec_of({**values, "hessian.point": "x_true"},
                                                   "hessian."))
    loss = float(prob.loss(x_true))
    holds = loss <= 1e-28 and view.spectrum.n_negative == 0
    negatives = count(view.spectrum.n_negative, "negative eigenvalue")
    return Claim(holds, f"L(x_true) = {number_text(loss, 2)}; H(x_true) has {negatives} "
                        f"beyond rounding (smallest "
                        f"{number_text(view.spectrum.smallest, 3)}, rounding tolerance "
                        f"{number_text(view.spectrum.tolerance, 2)}).")


def _psd_needs_regularisation(values: dict) -> Claim:
    view = hessian_view.hessian_view(state.spec_of(values, "problem."),
                                     state.spec_of(values, "hessian."))
    eig = view.spectrum
    where = (values["hessian.custom_point"] if values["hessian.point"] == "custom"
             else view.point_label)
    return Claim(eig.n_negative >= 1,
                 f"at x = {where} H has {count(eig.n_negative, 'negative eigenvalue')} "
                 f"(smallest {number_text(eig.smallest, 3)}, far beyond the rounding tolerance "
                 f"{number_text(eig.tolerance, 2)}).")


def _whole_landscape_2d(values: dict) -> Claim:
    surf = landscape_of(values).surface
    prob = problem_from_spec(state.spec_of(values, "problem."))
    j, i = np.unravel_index(np.nanargmin(surf.values), surf.values.shape)
    h = surf.alphas[1] - surf.alphas[0]
    off = max(abs(surf.alphas[i] - prob.x_true[0]), abs(surf.betas[j] - prob.x_true[1]))
    cell, true = number_text(h, 2), prob.x_true
    return Claim(off <= h, f"the lowest cell of the map, ({number_text(surf.alphas[i], 3)}, "
                           f"{number_text(surf.betas[j], 3)}), is within one cell ({cell}) of "
                           f"x_true = ({number_text(true[0], 3)}, {number_text(true[1], 3)}).")


#: preset name -> the measurement of its claim
MEASUREMENTS: dict[str, Callable[[dict], Claim]] = {
    "ill_conditioned": _ill_conditioned,
    "exact_vs_approximate_newton": _exact_vs_approximate_newton,
    "poles": _poles,
    "softmax_vs_unified": _softmax_vs_unified,
    "realizable_vs_not": _realizable_vs_not,
    "psd_needs_regularisation": _psd_needs_regularisation,
    "whole_landscape_2d": _whole_landscape_2d,
}


def measure(name: str, values: dict) -> Claim:
    """The measured fact behind preset ``name`` on the settings ``values``."""
    return MEASUREMENTS[name](values)

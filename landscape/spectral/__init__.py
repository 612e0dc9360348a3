"""Hessian spectra: one module per question asked of the eigenvalues of H at x.

    eigenvalues   all of them (dense eigh) or the extremes (Lanczos); rounding tolerance
    density       the eigenvalue density by stochastic Lanczos quadrature
    trace         tr H exactly and by Hutchinson's estimator
    structure     the diagonal part, the rank-two part, their interlacing
    context       what the checks at x share (HessianContext), computed once
    theory        the curvature conditions of MATH.md 4 at x, beside the measured numbers
    lipschitz     the Hessian-Lipschitz constant: measured near x beside its bound, and
                  the paper's basin condition for Newton's method (MATH.md 8)
    path          the spectrum along a path of iterates
    regularisation  the smallest eigenvalue as a constant regularisation weight grows

Outcomes of algorithms (Lanczos not converging, an iterate on the pole set) are
reported inside the results; bad input raises ValueError (a point on the pole set
raises ``PoleError``, itself a ValueError).
"""

from .context import HessianContext
from .density import SpectralDensity, lanczos_quadrature, spectral_density
from .eigenvalues import (
                          DEFAULT_K,
                          Spectrum,
                          extreme_eigenvalues,
                          rounding_scale,
                          rounding_tolerance,
                          spectrum,
)
from .lipschitz import BasinCondition, LipschitzCheck, basin_condition, lipschitz_check
from .path import TrajectorySpectrum, trajectory_spectrum
from .regularisation import RegularisationSweep, regularisation_sweep
from .structure import HessianStructure, hessian_structure, rank_two_eigenvalues
from .theory import (
                          CurvatureBoundCheck,
                          RegularisationCheck,
                          TheoryChecks,
                          curvature_bound_checks,
                          regularisation_checks,
                          theory_checks,
)
from .trace import TraceEstimate, hessian_trace, hutchinson, hutchinson_trace

__all__ = [
    "BasinCondition", "CurvatureBoundCheck", "DEFAULT_K", "HessianContext", "HessianStructure",
    "LipschitzCheck", "RegularisationCheck", "RegularisationSweep", "SpectralDensity",
    "Spectrum", "TheoryChecks", "TraceEstimate", "TrajectorySpectrum", "basin_condition",
    "curvature_bound_checks", "extreme_eigenvalues", "hessian_structure", "hessian_trace",
    "hutchinson", "hutchinson_trace", "lanczos_quadrature", "lipschitz_check",
    "rank_two_eigenvalues", "regularisation_checks", "regularisation_sweep", "rounding_scale",
    "rounding_tolerance", "spectral_density", "spectrum", "theory_checks",
    "trajectory_spectrum",
]

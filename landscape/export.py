"""Results as files: tables as CSV text, arrays as NPZ bytes. Pure NumPy, so a
notebook can write the same files the app offers for download."""

from __future__ import annotations

import io

import numpy as np

from .optimize import Trajectory
from .spectral import Spectrum
from .surface import Surface


def table_csv(columns: dict[str, np.ndarray]) -> str:
    """Equal-length 1-D columns as CSV text with a header line (17 significant
    digits, so the numbers reload exactly)."""
    names = list(columns)
    data = [np.asarray(columns[name]).ravel() for name in names]
    if len({len(col) for col in data}) > 1:
        raise ValueError(f"columns must have equal lengths; received "
                         f"{ {n: len(c) for n, c in zip(names, data, strict=True)} }.")
    rows = [",".join(names)]
    for values in zip(*data, strict=True):
        rows.append(",".join(_cell(v) for v in values))
    return "\n".join(rows) + "\n"


def _cell(value) -> str:
    """Text of one CSV cell: strings as they are, integers and flags as integers,
    floats with repr's shortest exact digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return str(int(value))
    return repr(float(value))


def arrays_npz(arrays: dict[str, np.ndarray]) -> bytes:
    """Arrays as the bytes of a compressed ``.npz`` (no pickles: numeric arrays only)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return buf.getvalue()


def surface_arrays(surface: Surface) -> dict[str, np.ndarray]:
    """Everything that defines and describes a surface (grids as (len(betas), len(alphas)))."""
    return dict(alphas=surface.alphas, betas=surface.betas, values=surface.values,
                alpha_sign=surface.alpha_sign, log_abs_alpha=surface.log_abs_alpha,
                pole=surface.pole, center=surface.center, u=surface.u, v=surface.v)


def surface_table(surface: Surface) -> dict[str, np.ndarray]:
    """One row per grid cell: a, c, loss, sign of alpha, log|alpha|, pole flag."""
    a, c = np.meshgrid(surface.alphas, surface.betas)
    return {"a": a, "c": c, "loss": surface.values, "alpha_sign": surface.alpha_sign,
            "log_abs_alpha": surface.log_abs_alpha, "pole": surface.pole}


def spectrum_table(spectrum: Spectrum) -> dict[str, np.ndarray]:
    """One row per computed eigenvalue: its position (1-based) and value."""
    return {"index": np.asarray(spectrum.positions) + 1, "eigenvalue": spectrum.eigenvalues}


def trajectories_table(runs: list[Trajectory]) -> dict[str, np.ndarray]:
    """One row per iterate of every run: method, k, loss, gradient norm, seconds,
    log|alpha| and the coordinates x_1 .. x_d."""
    cols: dict[str, list] = {"method": [], "k": [], "loss": [], "grad_norm": [], "elapsed": [],
                             "log_abs_alpha": []}
    d = runs[0].xs.shape[1] if runs else 0
    coords = [[] for _ in range(d)]
    for run in runs:
        m = run.xs.shape[0]
        cols["method"] += [run.method] * m
        cols["k"] += list(range(m))
        cols["loss"] += list(run.loss)
        cols["grad_norm"] += list(run.grad_norm)
        cols["elapsed"] += list(run.elapsed)
        cols["log_abs_alpha"] += list(run.log_abs_alpha)
        for j in range(d):
            coords[j] += list(run.xs[:, j])
    out = {k: np.asarray(v) for k, v in cols.items()}
    out.update({f"x{j + 1}": np.asarray(c) for j, c in enumerate(coords)})
    return out


def trajectories_arrays(runs: list[Trajectory]) -> dict[str, np.ndarray]:
    """Per run: iterates, loss, gradient norm and seconds, keyed ``METHOD_xs`` etc."""
    out = {}
    for run in runs:
        out.update({f"{run.method}_xs": run.xs, f"{run.method}_loss": run.loss,
                    f"{run.method}_grad_norm": run.grad_norm,
                    f"{run.method}_elapsed": run.elapsed})
    return out

"""The problem builder in the sidebar, shared by every page, and the problem it makes.

The problem is built from small settings (``problem.*``) through a cached resource,
so every page looks at the same object. Uploaded files are kept by content digest
in this process; the settings carry only the digest.
"""

from __future__ import annotations

import hashlib

import streamlit as st

import landscape as ls

from . import presets, state
from .state import Field

#: above this many entries of A, pages ask before computing (a redraw would take
#: more than about a second on a 2-core machine)
INTERACTIVE_ENTRIES = 2_000_000
MAX_N = 1_000_000
MAX_D = 5_000

state.register(**{
    "preset": Field("", str),
    "present": Field(False, bool),
    "problem.source": Field("generator", str, ("generator", "upload")),
    "problem.kind": Field("unified", str, ls.KINDS),
    "problem.gamma": Field(1.0, float, low=0.0, high=1.0),
    "problem.n": Field(200, int, low=1, high=MAX_N),
    "problem.d": Field(10, int, low=1, high=MAX_D),
    "problem.matrix": Field("gaussian", str, ls.MATRICES),
    "problem.cond": Field(1000.0, float, low=1.0, high=1e12),
    "problem.rank": Field(5, int, low=1, high=MAX_D),
    "problem.seed": Field(0, int, low=0, high=2**31 - 1),
    "problem.target": Field("realizable", str, ls.TARGETS),
    "problem.target_seed": Field(0, int, low=0, high=2**31 - 1),
    "problem.noise": Field(0.1, float, low=0.0, high=10.0),
    "problem.w": Field("constant", str, ls.WEIGHTS),
    "problem.w_value": Field(0.05, float, low=0.0, high=1e6),
    "problem.strong_convexity": Field(1.0, float, low=1e-12, high=1e6),
    "problem.upload_a": Field("", str),
    "problem.upload_b": Field("", str),
    "problem.allow_large": Field(False, bool),
})

#: uploaded files by digest: (file name, bytes); bounded by Streamlit's upload limit
_UPLOADS: dict[str, tuple[str, bytes]] = {}

MATRIX_LABELS = {"gaussian": "Gaussian", "uniform": "uniform [-1, 1]",
                 "nonnegative": "non-negative (poles for unified)",
                 "ill_conditioned": "ill-conditioned", "low_rank": "low rank"}
TARGET_LABELS = {"simplex": "random point of the simplex", "realizable": "realizable f(A x_true) + noise",
                 "one_hot": "one-hot"}
WEIGHT_LABELS = {"none": "none", "constant": "constant w",
                 "strongly_convex": "strongly convex (softmax bound)"}


@st.cache_resource(max_entries=8, show_spinner="Building the problem...")
def problem_from_spec(spec: tuple) -> ls.Problem:
    """The ``Problem`` for a ``state.spec("problem.")`` key (raises ValueError)."""
    s = dict(spec)
    kind, gamma = s["problem.kind"], s["problem.gamma"]
    w_setting = s["problem.w"]
    if s["problem.source"] == "upload":
        a_key, b_key = s["problem.upload_a"], s["problem.upload_b"]
        if a_key not in _UPLOADS:
            raise ValueError("upload a file for A (.npy, .npz or .csv); uploaded files are "
                             "kept only while the server runs, so a link cannot carry them.")
        a_name, a_bytes = _UPLOADS[a_key]
        b_name, b_bytes = _UPLOADS.get(b_key, (None, None))
        w = None if w_setting == "none" else s["problem.w_value"]
        if w_setting == "strongly_convex":
            raise ValueError("w = strongly convex is available for generated problems; "
                             "choose constant w for uploaded data.")
        return ls.load_problem(a_bytes, b_bytes, a_filename=a_name, b_filename=b_name,
                               kind=kind, w=w, gamma=gamma)
    return ls.make_problem(**generator_arguments(spec))


def generator_arguments(spec: tuple) -> dict:
    """The ``make_problem`` keyword arguments of generated-problem settings."""
    s = dict(spec)
    n, d = s["problem.n"], s["problem.d"]
    return dict(n=n, d=d, seed=s["problem.seed"], kind=s["problem.kind"],
                gamma=s["problem.gamma"], matrix=s["problem.matrix"], cond=s["problem.cond"],
                rank=min(s["problem.rank"], n, d), target=s["problem.target"],
                target_seed=s["problem.target_seed"], noise=s["problem.noise"],
                w=s["problem.w"], w_value=s["problem.w_value"],
                strong_convexity=s["problem.strong_convexity"])


def problem_spec() -> tuple:
    return state.spec("problem.")


def _kind_changed() -> None:
    state.put("problem.gamma", 0.0 if state.get("problem.kind") == "softmax" else 1.0)


def _remember_upload(which: str) -> None:
    upload = st.session_state.get(f"upload.{which}")
    if upload is None:
        state.put(f"problem.upload_{which}", "")
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    _UPLOADS[digest] = (upload.name, data)
    state.put(f"problem.upload_{which}", digest)


def _preset_chosen() -> None:
    presets.apply(st.session_state["preset"])


def sidebar() -> None:
    """Draw the preset chooser and the problem builder in the sidebar."""
    bind, sb = state.bind, st.sidebar
    names = presets.presets()
    bind(sb.selectbox, "Preset", "preset", options=["", *names], after=_preset_chosen,
         format_func=lambda n: names[n].title if n else "(none: build your own)")
    bind(sb.toggle, "Presentation mode (projector)", "present",
         help="Larger fonts, settings folded, one chart at a time with its explanation.")
    sb.header("Problem")
    with sb:
        bind(st.radio, "Loss", "problem.kind", options=list(ls.KINDS), horizontal=True,
             after=_kind_changed, format_func={"softmax": "softmax", "unified": "unified"}.get)
        bind(st.slider, "γ: residual weight (0 softmax → 1 unified)", "problem.gamma",
             min_value=0.0, max_value=1.0, step=0.05,
             help="u(z) = exp(z) + γ z. Slide to morph one loss into the other.")
        source = bind(st.radio, "Data", "problem.source", options=["generator", "upload"],
                      horizontal=True, format_func={"generator": "generate",
                                                    "upload": "upload A, b"}.get)
        if source == "upload":
            st.file_uploader("A (.npy, .npz, .csv)", type=["npy", "npz", "csv"], key="upload.a",
                             on_change=_remember_upload, args=("a",))
            st.file_uploader("b (.npy, .npz, .csv; or inside A's .npz)", type=["npy", "npz", "csv"],
                             key="upload.b", on_change=_remember_upload, args=("b",))
        else:
            c1, c2 = st.columns(2)
            with c1:
                bind(st.number_input, "n (rows)", "problem.n", min_value=1, max_value=MAX_N, step=50)
            with c2:
                bind(st.number_input, "d (unknowns)", "problem.d", min_value=1, max_value=MAX_D)
            matrix = bind(st.selectbox, "A", "problem.matrix", options=list(ls.MATRICES),
                          format_func=MATRIX_LABELS.get)
            if matrix == "ill_conditioned":
                bind(st.number_input, "condition number of A", "problem.cond", min_value=1.0,
                     max_value=1e12, format="%.3g")
            if matrix == "low_rank":
                bind(st.number_input, "rank of A", "problem.rank", min_value=1, max_value=MAX_D)
            bind(st.number_input, "seed of A", "problem.seed", min_value=0, max_value=2**31 - 1)
            target = bind(st.selectbox, "b", "problem.target", options=list(ls.TARGETS),
                          format_func=TARGET_LABELS.get)
            if target == "realizable":
                bind(st.number_input, "noise (relative)", "problem.noise", min_value=0.0,
                     max_value=10.0, step=0.05)
            bind(st.number_input, "seed of b", "problem.target_seed", min_value=0,
                 max_value=2**31 - 1)
        w = bind(st.selectbox, "regularisation w", "problem.w", options=list(ls.WEIGHTS),
                 format_func=WEIGHT_LABELS.get)
        if w == "constant":
            bind(st.number_input, "w (every row)", "problem.w_value", min_value=0.0,
                 max_value=1e6, step=0.01, format="%.4g")
        elif w == "strongly_convex":
            bind(st.number_input, "strong convexity l", "problem.strong_convexity",
                 min_value=1e-12, max_value=1e6, format="%.3g")


def current_problem() -> ls.Problem | None:
    """The problem of the sidebar's settings; on bad settings an error that says
    what to change, and None (the caller stops drawing what needs a problem)."""
    for note in state.url_notes():
        st.warning(note)
    spec = problem_spec()
    s = dict(spec)
    entries = s["problem.n"] * s["problem.d"] if s["problem.source"] == "generator" else 0
    if entries > INTERACTIVE_ENTRIES and not s["problem.allow_large"]:
        st.warning(f"n x d = {entries:,} is above {INTERACTIVE_ENTRIES:,}: pages would take "
                   "several seconds per redraw. Reduce n or d in the sidebar, or proceed.")
        state.bind(st.checkbox, "Compute anyway", "problem.allow_large")
        return None
    try:
        return problem_from_spec(spec)
    except ValueError as err:
        st.error(f"The problem cannot be built: {err}")
        return None


def sidebar_summary(prob: ls.Problem) -> None:
    """One line under the problem builder: the problem it made."""
    loss = {0.0: "softmax", 1.0: "unified"}.get(prob.gamma, f"morph γ = {prob.gamma:g}")
    reg = "none" if not prob.w.any() else f"w ∈ [{prob.w.min():.3g}, {prob.w.max():.3g}]"
    st.sidebar.caption(f"**Current problem:** n = {prob.n}, d = {prob.d}, {loss}, "
                       f"regularisation {reg}" + (", x_true known" if prob.x_true is not None else ""))

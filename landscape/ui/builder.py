"""The problem builder in the sidebar, shared by every page, and the problem it makes.

The problem is built from small settings (``problem.*``) through a cached resource,
so every page looks at the same object. Uploaded files are kept by content digest
in this process; the settings carry only the digest.
"""

from __future__ import annotations

import hashlib

import streamlit as st

import landscape as ls
from landscape.figures.style import number_text

from . import datasets, presets, state
from .markdown import literal
from .state import Field

#: above this many entries of A, pages ask before computing (a redraw would take
#: more than about a second on a 2-core machine)
INTERACTIVE_ENTRIES = 2_000_000
#: the server's ceiling, which no setting or confirmation overrides: 25 million entries,
#: 200 MB for A (as much as the largest upload), a few seconds per page; with at most
#: CACHED_PROBLEMS kept, problems hold at most 0.8 GB of the server's memory. Larger
#: problems belong in a notebook (the library holds an A of up to a sixth of the
#: machine's memory, ``limits.MAX_ENTRIES``) or in the server's data directory.
SERVER_ENTRIES = 25_000_000
CACHED_PROBLEMS = 4
#: the most a page's computations may take, in seconds, whatever the settings (a
#: confirmed large problem takes a few seconds; a run that has not ended by then is
#: stopped between two of its steps, with a message, and the session stays usable)
COMPUTE_SECONDS = 30.0
MAX_N = 1_000_000
MAX_D = 5_000

MATRIX_LABELS = {"gaussian": "Gaussian", "uniform": "uniform [-1, 1]",
                 "nonnegative": "non-negative (poles for unified)",
                 "ill_conditioned": "ill-conditioned", "low_rank": "low rank"}
TARGET_LABELS = {"simplex": "random point of the simplex",
                 "realizable": "realizable f(A x_true) + noise",
                 "one_hot": "one-hot"}
WEIGHT_LABELS = {"none": "none", "constant": "constant w",
                 "strongly_convex": "strongly convex (softmax bound)"}
SEED = dict(low=0, high=2**31 - 1, widget="number_input")

state.register(**{
    "preset": Field("", str, ("", *presets.presets()), label="Preset", widget="selectbox",
                    labels={"": "(none: build your own)",
                            **{k: p.label for k, p in presets.presets().items()}}),
    "present": Field(False, bool, label="Presentation mode (projector)", widget="toggle",
                     options=dict(help="Larger fonts, settings folded, one chart at a time "
                                       "with its explanation.")),
    "problem.kind": Field("unified", str, ls.KINDS, label="Loss", widget="radio",
                          options=dict(horizontal=True)),
    "problem.gamma": Field(1.0, float, low=0.0, high=1.0, widget="slider",
                           label="γ: residual weight (0 softmax → 1 unified)",
                           options=dict(step=0.05, help="u(z) = exp(z) + γ z. Slide to morph "
                                                        "one loss into the other.")),
    "problem.source": Field("generator", str, ("generator", "upload", "server"), label="Data",
                            widget="radio",
                            labels={"generator": "generate", "upload": "upload A, b",
                                    "server": "a large data set on the server"},
                            options=dict(horizontal=True)),
    # a store's name in the server's data directory (checked against its list on use)
    "problem.store": Field("", str, label="data set", widget="selectbox",
                           labels={"": "the first data set listed"}, check=datasets.check_name),
    "problem.n": Field(200, int, low=1, high=MAX_N, label="n (rows)", widget="number_input",
                       options=dict(step=50)),
    "problem.d": Field(10, int, low=1, high=MAX_D, label="d (unknowns)", widget="number_input"),
    "problem.matrix": Field("gaussian", str, ls.MATRICES, label="A", widget="selectbox",
                            labels=MATRIX_LABELS),
    "problem.cond": Field(1000.0, float, low=1.0, high=1e12, label="condition number of A",
                          widget="number_input", options=dict(format="%.3g")),
    "problem.rank": Field(5, int, low=1, high=MAX_D, label="rank of A", widget="number_input"),
    "problem.seed": Field(0, int, label="seed of A", **SEED),
    "problem.target": Field("realizable", str, ls.TARGETS, label="b", widget="selectbox",
                            labels=TARGET_LABELS),
    "problem.target_seed": Field(0, int, label="seed of b", **SEED),
    "problem.noise": Field(0.1, float, low=0.0, high=10.0, label="noise (relative)",
                           widget="number_input", options=dict(step=0.05, format="%.4g")),
    "problem.w": Field("constant", str, ls.WEIGHTS, label="regularisation w", widget="selectbox",
                       labels=WEIGHT_LABELS),
    "problem.w_value": Field(0.05, float, low=0.0, high=1e6, label="w (every row)",
                             widget="number_input", options=dict(step=0.01, format="%.4g")),
    "problem.strong_convexity": Field(1.0, float, low=1e-12, high=1e6, label="strong convexity l",
                                      widget="number_input", options=dict(format="%.3g")),
    # digests of this session's uploads (never from a link: another session's file)
    "problem.upload_a": Field("", str, in_url=False),
    "problem.upload_b": Field("", str, in_url=False),
    "problem.allow_large": Field(False, bool, label="Compute anyway", widget="checkbox",
                                 in_url=False),
})

#: the session's uploaded files by digest: (file name, bytes); only the current A and
#: b are kept, and they go with the session
_UPLOADS = "_uploads"


def _uploads() -> dict[str, tuple[str, bytes]]:
    return st.session_state.setdefault(_UPLOADS, {})


@st.cache_resource(max_entries=CACHED_PROBLEMS, show_spinner="Building the problem...")
def problem_from_spec(spec: tuple) -> ls.Problem:
    """The ``Problem`` for a ``state.spec("problem.")`` key (raises ValueError)."""
    s = dict(spec)
    kind, gamma = s["problem.kind"], s["problem.gamma"]
    w_setting = s["problem.w"]
    if s["problem.source"] == "server":
        return datasets.open_problem(s)
    if s["problem.source"] == "upload":
        a_key, b_key = s["problem.upload_a"], s["problem.upload_b"]
        uploads = _uploads()
        if a_key not in uploads:
            raise ValueError("upload a file for A (.npy, .npz or .csv); uploaded files are "
                             "kept only for your session, so a link cannot carry them.")
        a_name, a_bytes = uploads[a_key]
        b_name, b_bytes = uploads.get(b_key, (None, None))
        w = None if w_setting == "none" else s["problem.w_value"]
        if w_setting == "strongly_convex":
            raise ValueError("w = strongly convex is available for generated problems; "
                             "choose constant w for uploaded data.")
        return ls.load_problem(a_bytes, b_bytes, a_filename=a_name, b_filename=b_name,
                               kind=kind, w=w, gamma=gamma)
    entries = s["problem.n"] * s["problem.d"]
    if entries > SERVER_ENTRIES:
        raise ValueError(f"n x d = {entries:,} is above this server's ceiling of "
                         f"{SERVER_ENTRIES:,} entries (200 MB for A), which no setting "
                         "overrides; for larger problems use the landscape library in a "
                         "notebook.")
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


def _gamma_changed() -> None:
    """The Loss radio names the loss that γ makes: softmax at 0, unified at 1 (between
    them it keeps its choice, and the summary says "morph")."""
    gamma = state.get("problem.gamma")
    if gamma in (0.0, 1.0):
        state.put("problem.kind", "softmax" if gamma == 0.0 else "unified")


def _remember_upload(which: str) -> None:
    upload = st.session_state.get(f"upload.{which}")
    if upload is None:
        state.put(f"problem.upload_{which}", "")
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    state.put(f"problem.upload_{which}", digest)
    uploads = _uploads()
    uploads[digest] = (upload.name, data)
    current = {state.get("problem.upload_a"), state.get("problem.upload_b")}
    for old in set(uploads) - current:  # a replaced file is released
        del uploads[old]


def _preset_chosen() -> None:
    presets.apply(state.get("preset"))


#: the sidebar's fold holding the data settings (a stateful expander: its widgets are
#: drawn, and cost the browser time, only while it is open)
DATA_FOLD = "sidebar.data"


def sidebar() -> None:
    """Draw the preset chooser, the presentation switch, the loss and, folded, the data
    settings in the sidebar (on every page: app.py draws it after the page). The fold
    opens by itself when the settings cannot make a problem (``current_problem``)."""
    sb = st.sidebar
    state.bind("preset", sb, after=_preset_chosen)
    state.bind("present", sb)
    sb.header("Problem")
    state.bind("problem.kind", sb, after=_kind_changed)
    state.bind("problem.gamma", sb, after=_gamma_changed)
    fold = sb.expander("Data and regularisation", key=DATA_FOLD, on_change="rerun")
    if fold.open:
        _data_settings(fold)


def _data_settings(box) -> None:
    """The data source, A, b and w settings, in ``box``."""
    source = state.bind("problem.source", box)
    if source == "server":
        datasets.chooser(box)
    elif source == "upload":
        # no type= filter: Streamlit raises on a file whose name it refuses (a client can
        # skip the browser's filter), and the uploaders vanish; the loader names the
        # extensions it reads instead
        box.file_uploader("A (.npy, .npz, .csv)", key="upload.a", on_change=_remember_upload,
                          args=("a",))
        box.file_uploader("b (.npy, .npz, .csv; or inside A's .npz)", key="upload.b",
                          on_change=_remember_upload, args=("b",))
    else:
        c1, c2 = box.columns(2)
        state.bind("problem.n", c1)
        state.bind("problem.d", c2)
        matrix = state.bind("problem.matrix", box)
        if matrix == "ill_conditioned":
            state.bind("problem.cond", box)
        if matrix == "low_rank":
            state.bind("problem.rank", box)
        state.bind("problem.seed", box)
        if state.bind("problem.target", box) == "realizable":
            state.bind("problem.noise", box)
        state.bind("problem.target_seed", box)
    w = state.bind("problem.w", box)
    if w == "constant":
        state.bind("problem.w_value", box)
    elif w == "strongly_convex":
        state.bind("problem.strong_convexity", box)


def _entries(s: dict) -> int:
    """n x d of a generated problem or a server data set (0 for an upload, whose size
    is bounded by the upload limit)."""
    if s["problem.source"] == "generator":
        return s["problem.n"] * s["problem.d"]
    info = datasets.store_info(s["problem.store"]) if s["problem.source"] == "server" else None
    return 0 if info is None else info.n * info.d


def _too_large(spec: tuple) -> int:
    """n x d above INTERACTIVE_ENTRIES not yet confirmed, else 0."""
    s = dict(spec)
    entries = _entries(s)
    return entries if entries > INTERACTIVE_ENTRIES and not s["problem.allow_large"] else 0


def confirmed_large(spec: tuple) -> bool:
    """A confirmed computation on a large server data set: it runs under
    ``datasets.LARGE_COMPUTE_SECONDS`` with a progress bar and a Cancel button."""
    s = dict(spec)
    return (s["problem.source"] == "server" and s["problem.allow_large"]
            and _entries(s) > INTERACTIVE_ENTRIES)


def current_problem(page: str = "") -> ls.Problem | None:
    """The problem of the sidebar's settings; on bad settings an error that says
    what to change, and None (the caller stops drawing what needs a problem)."""
    datasets.choose_first()
    spec = problem_spec()
    entries = _too_large(spec)
    if entries and dict(spec)["problem.source"] == "server":
        try:  # the estimate reads the store's first row block
            estimate = datasets.estimate(dict(spec)["problem.store"], page)
        except ValueError as err:
            st.error(literal(f"The problem cannot be built: {err}"))
            st.session_state[DATA_FOLD] = True
            return None
        st.warning(literal(estimate + " Compute it, or choose a smaller data set in the "
                           "sidebar."))
        state.bind("problem.allow_large")
        return None
    if entries:
        st.warning(f"n x d = {entries:,} is above {INTERACTIVE_ENTRIES:,}: pages would take "
                   "several seconds per redraw. Reduce n or d in the sidebar, or proceed.")
        st.session_state[DATA_FOLD] = True
        state.bind("problem.allow_large")
        return None
    try:
        return problem_from_spec(spec)
    except (ValueError, ConnectionError) as err:  # ConnectionError: no Dask cluster answers
        st.error(literal(f"The problem cannot be built: {err}"))  # may quote a file name
        st.session_state[DATA_FOLD] = True  # the settings that fix it, on screen
        return None


def loss_name(gamma: float) -> str:
    """The loss's name for a residual weight: softmax, unified or a morph."""
    return {0.0: "softmax", 1.0: "unified"}.get(gamma, f"morph γ = {gamma:g}")


def problem_line(spec: tuple) -> str:
    """The problem these settings make, in one line ("n = 200, d = 10, unified, ..."),
    or what it would be and why it is not computed."""
    s = dict(spec)
    try:
        prob = None if _too_large(spec) else problem_from_spec(spec)
    except (ValueError, ConnectionError):
        prob = None
    if prob is None:
        size = {"upload": "uploaded data", "server": f"data set {s['problem.store']}"}.get(
            s["problem.source"], f"n = {s['problem.n']}, d = {s['problem.d']}")
        return (f"{size}, {loss_name(s['problem.gamma'])}; not computed (see the message on "
                "the page)")
    low, high = number_text(prob.w.min(), 3), number_text(prob.w.max(), 3)
    reg = "none" if not prob.w.any() else f"w = {low}" if low == high else f"w ∈ [{low}, {high}]"
    source = f"data set {s['problem.store']}: " if s["problem.source"] == "server" else ""
    return (f"{source}n = {prob.n}, d = {prob.d}, {loss_name(prob.gamma)}, regularisation {reg}"
            + (", x_true known" if prob.x_true is not None else ""))


def sidebar_summary() -> None:
    """One line under the problem builder: the problem the settings make (or why
    there is none)."""
    st.sidebar.caption(f"**Current problem:** {literal(problem_line(problem_spec()))}")

"""Read arrays back out of Plotly figures: Plotly 7 stores numeric arrays as base64
typed arrays ({"dtype": "f8", "bdata": ..., "shape": "201, 201"})."""

import base64

import numpy as np


def decode(value) -> np.ndarray:
    """A trace property as an ndarray, whether a list, an array or a bdata dict."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            arr = arr.reshape([int(s) for s in str(shape).split(",")])
        return arr
    return np.asarray(value, dtype=float)


def traces(fig) -> list[dict]:
    """The traces as plain dicts, from a figure or from its parsed JSON."""
    return fig["data"] if isinstance(fig, dict) else fig.to_plotly_json()["data"]


_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def label_value(text: str) -> float:
    """The number a tick label in the charts' exponent style stands for (0.05, 10⁵,
    −2×10⁻⁴; ``figures.style.power_text``)."""
    text = text.replace("−", "-")
    head, ten, power = text.rpartition("10")
    if not ten or not power or power[0] not in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹":
        return float(text)
    mantissa = head.rstrip("×")
    return float(mantissa + "1" if mantissa in ("", "-") else mantissa) * 10.0 ** int(
        power.translate(_DIGITS))

"""How the server is started: this machine only by default, no usage statistics and
no network look-ups wherever it is started from, and no tracebacks in the browser."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_config_keeps_the_server_local_and_its_errors_short():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("type", "none")  # no paths, no code


def test_make_run_says_it_on_the_command_line_so_it_holds_from_any_directory():
    makefile = (ROOT / "Makefile").read_text()
    run = re.search(r"^run:.*\n\t(.*)$", makefile, re.M).group(1)
    assert "--browser.gatherUsageStats false" in run and "--server.address $(ADDRESS)" in run
    assert re.search(r"^ADDRESS \?= 127\.0\.0\.1$", makefile, re.M)
    assert "--server.fileWatcherType $(WATCH)" in run
    assert re.search(r"^WATCH \?= none$", makefile, re.M)


def test_the_served_app_watches_no_files():
    """benchmarks/app_speed.py: Streamlit's file watcher walked sys.modules on the
    server's event loop after every run and set up watches per session, while that
    loop served the page's JavaScript (the first chart came 0.1-0.7 s later)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"


def test_a_server_started_elsewhere_makes_no_network_look_up(tmp_path):
    """Started from another directory with make run's flags, Streamlit listens on
    127.0.0.1 only and does not try to find an external IP."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
           "8697", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "URL:" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
    out = "".join(lines)
    assert "URL: http://127.0.0.1:8697" in out, out
    assert "external IP" not in out and "Network URL" not in out, out


def test_closed_sessions_are_dropped_soon():
    """benchmarks/load.py: with Streamlit's 120 s, three rounds of 20 sessions grew the
    server to 466 MB; a closed tab's state comes back from its URL anyway."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["disconnectedSessionTTL"] <= 30


def test_the_server_freezes_its_long_lived_objects_once_loaded():
    """benchmarks/load.py: full garbage collections rescanning the app's modules took
    half the server's CPU; once the app is imported they are frozen out of sight."""
    import gc

    import landscape.ui  # noqa: F401
    assert gc.get_freeze_count() > 50_000


def test_the_server_runs_blas_on_one_thread():
    """benchmarks/blas_threads.py: beside two busy processes the tour's race took
    1.5-2.2 s with OpenBLAS's two threads (9.6-14 s in a first probe) and 0.53-0.58 s
    with one."""
    from threadpoolctl import threadpool_info

    import landscape.ui  # noqa: F401
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)

"""Issue 13 load test of the real server, through Streamlit's own websocket protocol
(no browser: Chromium, not the server, would saturate this 2-core machine).

Each simulated user opens a link with random small-problem settings (problem.n,
problem.d, problem.seed, landscape.span, newton.methods) on a random page, then cycles
the pages (Home, Landscape, Hessian, Newton, Compare) through the navigation and
changes sidebar numbers as the browser does (a widget state in the rerun request);
after a few steps it closes the tab and opens another link. A rerun is timed from the
BackMsg sent to the final ``script_finished`` (after any ``st.rerun``): server time,
plus the loopback and this client's parsing.

Errors: an exception element in any delta, a ``script_finished`` with a compile error,
a page not found, a dropped connection, a rerun not finished within --timeout.
Memory: the server's RSS (with its children) after each page was warmed once
(baseline), its peak under load, and --settle seconds after every session closed
(target: baseline +- 10 %), beside what Streamlit says it holds (/_stcore/metrics).
--rounds N repeats the load (bounded memory: the later rounds end where the first did);
--follow S keeps watching S more seconds, then after a new visit and a cache clear.

--uploads checks the upload defect instead: 8 sessions each upload a distinct 20 MB
.npy as A through the upload protocol (file_urls_request, HTTP PUT to
/_stcore/upload_file/<session>/<file>, the uploader's widget state), then close; RSS
before, after the uploads and --settle seconds after the sessions closed (--with-b
uploads a b too, so that each problem is built).

The server runs with the file watcher off: the checkout is shared, and an edit during
a run would make Streamlit re-import the app's modules under the running sessions.

Run: .venv/bin/python benchmarks/load.py [--sessions 20] [--seconds 60] [--uploads]
Not part of the test suite. The machine is shared: times carry its noise (the load
average and this client's own CPU time are printed beside them).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import io
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from landscape.optimize import METHODS  # noqa: E402  (the choices of newton.methods)

#: page title -> URL path (the navigation's ``url_pathname``; Home is the default page)
PAGES = {"Home": "", "Landscape": "Landscape", "Hessian": "Hessian", "Newton": "Newton",
         "Compare": "Compare"}
#: the defaults of the numbers this test types (a link leaves a default out)
DEFAULTS = {"problem.n": "200", "problem.d": "10", "problem.seed": "0", "landscape.span": "3.0"}
XSRF_COOKIE = "_streamlit_xsrf"
FINISHED = ForwardMsg.ScriptFinishedStatus
MB = 1024 * 1024


# ---------------------------------------------------------------- the server and its memory

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(log) -> tuple[subprocess.Popen, str]:
    python = ROOT / ".venv" / "bin" / "python"
    port = free_port()
    proc = subprocess.Popen([str(python if python.exists() else sys.executable), "-m",
                             "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1",
                             # the checkout is shared: an edit during the run must not make
                             # Streamlit drop the app's modules under the running sessions
                             "--server.fileWatcherType", "none"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start; its log: " + log.name)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MiB (psutil if installed)."""
    try:
        import psutil
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / MB
    except ImportError:
        pass
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total / MB


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live children."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def streamlit_held(url: str) -> str:
    """What Streamlit says it holds (/_stcore/metrics, cache_memory_bytes by cache type;
    st.cache_resource entries are not measured by Streamlit)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/metrics?families=cache_memory_bytes",
                                    timeout=30) as r:
            text = r.read().decode()
    except OSError as err:
        return f"metrics unavailable ({err})"
    held: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("cache_memory_bytes{"):
            labels, value = line.rsplit(" ", 1)
            kind = labels.split('cache_type="', 1)[1].split('"', 1)[0]
            held[kind] = held.get(kind, 0) + float(value)
    return ", ".join(f"{k.removeprefix('st_')} {v / MB:.1f} MB"
                     for k, v in sorted(held.items())) or "nothing"


class Sampler:
    """The server's RSS every ``every`` seconds in the background; ``peak`` since reset."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.peak = pid, every, 0.0

    async def run(self):
        while True:
            self.peak = max(self.peak, rss_mb(self.pid))
            await asyncio.sleep(self.every)


# ---------------------------------------------------------------- the protocol

@dataclass
class Stats:
    times: list = field(default_factory=list)  # (seconds, kind, page)
    errors: list = field(default_factory=list)  # descriptions
    error_boxes: list = field(default_factory=list)  # st.error bodies (not counted as errors)
    not_applied: list = field(default_factory=list)  # widget changes the URL did not take
    visits: int = 0


class ProtocolError(Exception):
    """The server reported an error (exception element, compile error, page not found)."""


class Session:
    """One browser tab, at the protocol level: the XSRF cookie from /_stcore/health, the
    websocket /_stcore/stream with subprotocols ["streamlit", xsrf token], BackMsgs out,
    ForwardMsgs in."""

    def __init__(self, url: str, stats: Stats, timeout: float):
        self.url, self.stats, self.timeout = url, stats, timeout
        self.ws = None
        self.query = ""  # the address bar's query string (page_info_changed)
        self.page_hashes: dict[str, str] = {}  # url path -> page_script_hash (navigation)
        self.page = ""  # url path of the page on screen
        self.widgets: dict[str, tuple[str, str]] = {}  # key -> (widget id, element type)
        self.numbers: dict[str, int] = {}  # key of a number_input -> NumberInput.data_type
        self.session_id = ""
        self.xsrf = ""
        self.pending: list[ForwardMsg] = []  # read while waiting for something else

    async def open(self, query: str):
        self.xsrf = await asyncio.to_thread(self._xsrf_cookie)
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await connect(ws_url, origin=Origin(self.url), max_size=None,
                                subprotocols=[Subprotocol("streamlit"), Subprotocol(self.xsrf)],
                                additional_headers={"Cookie": f"{XSRF_COOKIE}={self.xsrf}"},
                                ping_interval=None,  # a browser sends no pings
                                open_timeout=self.timeout)
        self.query = query

    def _xsrf_cookie(self) -> str:
        with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=self.timeout) as r:
            for header in r.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                if name.strip() == XSRF_COOKIE:
                    return rest.split(";", 1)[0]
        return ""

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def send(self, msg: BackMsg):
        await self.ws.send(msg.SerializeToString())

    async def receive(self) -> ForwardMsg:
        msg = ForwardMsg()
        msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), self.timeout))
        self._note(msg)
        return msg

    def _note(self, msg: ForwardMsg):
        kind = msg.WhichOneof("type")
        if kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "navigation":
            self.page_hashes = {p.url_pathname: p.page_script_hash
                                for p in msg.navigation.app_pages}
        elif kind == "new_session":
            if msg.new_session.initialize.session_id:
                self.session_id = msg.new_session.initialize.session_id
            self.widgets.clear()  # a new run draws its widgets again
        elif kind == "page_not_found":
            raise ProtocolError(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            etype = el.WhichOneof("type")
            if etype == "exception":
                raise ProtocolError(f"exception element: {el.exception.type}: "
                                    f"{el.exception.message[:200]}")
            if etype == "alert" and el.alert.format == el.alert.ERROR:
                self.stats.error_boxes.append(el.alert.body[:200])
            wid = getattr(getattr(el, etype), "id", "") if etype else ""
            if isinstance(wid, str) and wid.startswith("$$ID-"):
                key = wid.split("-", 2)[-1]  # "$$ID-<hash>-<user key>"
                self.widgets[key] = (wid, etype)
                if etype == "number_input":
                    self.numbers[key] = el.number_input.data_type

    async def rerun(self, kind: str, *, page: str | None = None, by_name: bool = False,
                    widgets: list[WidgetState] | None = None) -> float:
        """Send a rerun request and read until the run's final script_finished; the
        seconds it took are recorded as ``kind`` on ``page``."""
        page = self.page if page is None else page
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if by_name:  # a page load: the URL's path names the page
            cs.page_name = page
        else:  # a click in the navigation, or a widget on the current page
            cs.page_script_hash = self.page_hashes[page]
        if widgets:
            cs.widget_states.widgets.extend(widgets)
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url, ci.is_embedded, ci.color_scheme = f"{self.url}/{page}", False, "light"
        start = time.perf_counter()
        await self.send(msg)
        while True:
            fm = await self.receive()
            if fm.WhichOneof("type") != "script_finished":
                continue
            status = fm.script_finished
            if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                raise ProtocolError("script_finished with a compile error")
            if status == FINISHED.FINISHED_EARLY_FOR_RERUN:  # st.rerun(): a new run follows
                continue
            took = time.perf_counter() - start
            self.page = page
            self.stats.times.append((took, kind, page or "Home"))
            return took

    async def load(self, page: str):
        """Open ``page`` from the current query string, as a page load does."""
        await self.rerun("load", page=page, by_name=True)

    async def switch(self, page: str):
        """A click on ``page`` in the navigation (the browser drops the query string)."""
        self.query = ""
        await self.rerun("switch", page=page)

    async def set_number(self, key: str, value) -> bool:
        """Type ``value`` into the number_input keyed ``key``; False if it is not on screen."""
        if key not in self.widgets or self.widgets[key][1] != "number_input":
            return False
        state = WidgetState(id=self.widgets[key][0])
        if self.numbers.get(key) == 0:  # NumberInput.INT
            state.int_value = int(value)
        else:
            state.double_value = float(value)
        await self.rerun("setting", widgets=[state])
        params = dict(q.split("=", 1) for q in self.query.split("&") if "=" in q)
        if params.get(key, DEFAULTS.get(key)) != str(value):  # a default is left out
            self.stats.not_applied.append(f"{key}={value} -> ?{self.query}")
        return True


# ---------------------------------------------------------------- the load

def random_link(rng: random.Random) -> dict[str, str]:
    methods = rng.sample(METHODS, rng.randint(1, 4))
    return {"problem.n": str(rng.randint(50, 300)), "problem.d": str(rng.randint(2, 12)),
            "problem.seed": str(rng.randint(0, 999)),
            "landscape.span": str(rng.choice([1.0, 2.0, 3.0, 5.0])),
            "newton.methods": ",".join(sorted(methods, key=METHODS.index))}


async def user(url: str, stats: Stats, deadline: float, rng: random.Random, args):
    order = list(PAGES.values())
    while time.monotonic() < deadline:
        s = Session(url, stats, args.timeout)
        page = rng.choice(order)
        try:
            await s.open(urlencode(random_link(rng)))
            stats.visits += 1
            await s.load(page)
            for _ in range(rng.randint(3, 8)):
                if time.monotonic() >= deadline:
                    break
                await asyncio.sleep(rng.uniform(0.5, 1.5) * args.think)
                if rng.random() < 0.6:  # the next page in the navigation
                    await s.switch(order[(order.index(s.page) + 1) % len(order)])
                    continue
                key = rng.choice(["problem.n", "problem.d", "problem.seed", "landscape.span"])
                value = {"problem.n": rng.randint(50, 300), "problem.d": rng.randint(2, 12),
                         "problem.seed": rng.randint(0, 999),
                         "landscape.span": rng.choice([1.0, 2.0, 3.0, 5.0])}[key]
                if not await s.set_number(key, value):  # not on this page: a sidebar number
                    await s.set_number("problem.seed", rng.randint(0, 999))
        except ProtocolError as err:
            stats.errors.append(f"{page or 'Home'}: {err}")
        except ConnectionClosed as err:
            stats.errors.append(f"dropped connection: {err!r}")
        except TimeoutError:
            stats.errors.append(f"no script_finished within {args.timeout:g} s")
        except OSError as err:
            stats.errors.append(f"connection failed: {err!r}")
        finally:
            try:
                await s.close()
            except Exception:  # noqa: BLE001 - a failed close after a recorded error
                pass


async def warm(url: str, stats: Stats, timeout: float):
    """Every page once, on a fresh session each (the default settings)."""
    for page in PAGES.values():
        s = Session(url, stats, timeout)
        await s.open("")
        await s.load(page)
        await s.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def verdict(base: float, after: float) -> str:
    ok = abs(after - base) <= 0.1 * base
    return (f"{'within' if ok else 'NOT within'} baseline +- 10 % "
            f"({0.9 * base:.0f}-{1.1 * base:.0f} MB)")


async def watch_after(url: str, pid: int, settle: float, follow: float) -> float:
    """RSS ``settle`` s after the sessions closed; with ``follow`` > 0, also printed every
    15 s for ``follow`` more seconds, then after one new visit (Streamlit keeps a closed
    session server.disconnectedSessionTTL seconds for a reconnect, and drops expired
    ones only when another session disconnects), then after the caches were cleared."""
    await asyncio.sleep(settle)
    after = rss_mb(pid)
    waited = settle
    while waited < settle + follow:
        await asyncio.sleep(15)
        waited += 15
        print(f"  RSS {waited:.0f} s after close: {rss_mb(pid):.0f} MB", flush=True)
    if follow > 0:
        await warm(url, Stats(), 60, pages=[""])
        await asyncio.sleep(5)
        print(f"  RSS after one more visit to Home, {waited + 5:.0f} s after close: "
              f"{rss_mb(pid):.0f} MB", flush=True)
        s = Session(url, Stats(), 60)  # the menu's "Clear cache": how much the caches hold
        await s.open("")
        await s.load("")
        msg = BackMsg()
        msg.clear_cache = True
        await s.send(msg)
        await asyncio.sleep(5)
        await s.close()
        print(f"  RSS after that visit cleared st.cache_data and st.cache_resource: "
              f"{rss_mb(pid):.0f} MB", flush=True)
    return after


async def run_load(url: str, pid: int, args) -> int:
    stats = Stats()
    await warm(url, stats, args.timeout)
    if stats.errors:
        print("warm-up failed:", *stats.errors, sep="\n  ")
        return 1
    await asyncio.sleep(2)
    base = rss_mb(pid)
    print(f"baseline RSS after warming each page once: {base:.0f} MB; Streamlit holds "
          f"{streamlit_held(url)}", flush=True)
    for w in range(args.warm_rounds):  # the server's one-time growth, before the baseline
        print(f"\nwarm-up round {w + 1} of {args.warm_rounds} (other links than the rounds')",
              end="")
        if await one_round(url, pid, args, base, random.Random(args.seed + 1000 + w)):
            return 1
        base = rss_mb(pid)
        print(f"baseline RSS after the warm-up round(s): {base:.0f} MB", flush=True)

    failed = False
    for rnd in range(args.rounds):
        if args.rounds > 1:
            print(f"\nround {rnd + 1} of {args.rounds}", end="")
        failed |= await one_round(url, pid, args, base, random.Random(args.seed + rnd))
    return 1 if failed else 0


async def one_round(url: str, pid: int, args, base: float, rng: random.Random) -> bool:
    """Drive the users for --seconds, print the figures; True if there were errors."""
    stats = Stats()
    sampler = Sampler(pid)
    sampler.peak = rss_mb(pid)
    sampling = asyncio.create_task(sampler.run())
    cpu0, client0, load0 = cpu_seconds(pid), time.process_time(), load_average()
    start = time.monotonic()
    deadline = start + args.seconds
    await asyncio.gather(*(user(url, stats, deadline, random.Random(rng.random()), args)
                           for _ in range(args.sessions)))
    wall = time.monotonic() - start
    server_cpu, client_cpu = cpu_seconds(pid) - cpu0, time.process_time() - client0
    sampling.cancel()
    closed = rss_mb(pid)
    after = await watch_after(url, pid, args.settle, args.follow)

    times = [t for t, _, _ in stats.times]
    print(f"\nsessions {args.sessions}, seconds {args.seconds:g} (ran {wall:.1f} s; think "
          f"{0.5 * args.think:g}-{1.5 * args.think:g} s between steps), visits (links opened) "
          f"{stats.visits}")
    print(f"reruns done {len(times)}: " + ", ".join(
        f"{k} {sum(1 for _, kk, _ in stats.times if kk == k)}"
        for k in ("load", "switch", "setting")))
    print(f"errors {len(stats.errors)}")
    for e in sorted(set(stats.errors))[:10]:
        print(f"  {stats.errors.count(e)} x {e}")
    if times:
        print(f"server time per rerun (send -> script_finished): median {pct(times, 0.5):.2f} s, "
              f"95th percentile {pct(times, 0.95):.2f} s, max {max(times):.2f} s")
        by_kind = {k: [t for t, kk, _ in stats.times if kk == k]
                   for k in ("load", "switch", "setting")}
        print("  " + ", ".join(f"{k} median {pct(ts, 0.5):.2f} s"
                               for k, ts in by_kind.items() if ts))
        for page in PAGES:
            ts = [t for t, _, p in stats.times if p == page]
            if ts:
                print(f"  {page:<10s} {len(ts):4d} reruns, median {pct(ts, 0.5):.2f} s, "
                      f"p95 {pct(ts, 0.95):.2f} s")
    print(f"server CPU {server_cpu:.0f} s of {2 * wall:.0f} core-s; this client's CPU "
          f"{client_cpu:.1f} s; load average {load0:.1f} before, {load_average():.1f} after "
          f"(shared machine)")
    if stats.error_boxes:
        print(f"error boxes shown (st.error; not counted): {len(stats.error_boxes)}, e.g. "
              f"{stats.error_boxes[0].replace(chr(92), '')!r}")
    if stats.not_applied:
        print(f"widget changes the URL did not reflect: {len(stats.not_applied)}, e.g. "
              f"{stats.not_applied[0]}")
    print(f"RSS: baseline {base:.0f} MB, peak {sampler.peak:.0f} MB, at close {closed:.0f} MB, "
          f"{args.settle:g} s after all sessions closed {after:.0f} MB: {verdict(base, after)}")
    print(f"Streamlit holds, after: {streamlit_held(url)}")
    return bool(stats.errors)


# ---------------------------------------------------------------- uploads

def npy_bytes(seed: int, mb: int) -> bytes:
    """A distinct float64 .npy of ``mb`` MiB of data, 10 columns."""
    a = np.random.default_rng(seed).standard_normal((mb * MB // 80, 10))
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def put_file(url: str, path: str, xsrf: str, name: str, data: bytes) -> int:
    """The browser's upload: a multipart form with one file, by HTTP PUT."""
    boundary = f"----load{random.getrandbits(64):x}"
    body = b"".join([f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                     f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                     .encode(), data, f"\r\n--{boundary}--\r\n".encode()])
    host = url.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=120)
    conn.request("PUT", path, body=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": xsrf,
        "Cookie": f"{XSRF_COOKIE}={xsrf}", "Origin": url})
    status = conn.getresponse().status
    conn.close()
    return status


async def upload(s: Session, key: str, name: str, data: bytes):
    """Upload ``data`` through the uploader keyed ``key`` in session ``s``, as the
    browser does: ask for an upload URL, PUT the file there, rerun with the uploader's
    widget state naming the file."""
    if key not in s.widgets:
        raise ProtocolError(f"no uploader {key} on the page")
    req = BackMsg()
    req.file_urls_request.request_id = rid = f"load-{random.getrandbits(32):x}"
    req.file_urls_request.file_names.append(name)
    req.file_urls_request.session_id = s.session_id
    await s.send(req)
    while True:
        fm = await s.receive()
        if (fm.WhichOneof("type") == "file_urls_response"
                and fm.file_urls_response.response_id == rid):
            break
    resp = fm.file_urls_response
    if resp.error_msg:
        raise ProtocolError(f"file_urls_response: {resp.error_msg}")
    urls = resp.file_urls[0]
    status = await asyncio.to_thread(put_file, s.url, urls.upload_url, s.xsrf, name, data)
    if status not in (200, 204):
        raise ProtocolError(f"upload PUT answered HTTP {status}")
    state = WidgetState(id=s.widgets[key][0])
    info = state.file_uploader_state_value.uploaded_file_info.add()
    info.name, info.size, info.file_id = name, len(data), urls.file_id
    info.file_urls.CopyFrom(urls)
    await s.rerun("upload", widgets=[state])


async def run_uploads(url: str, pid: int, args) -> int:
    stats = Stats()
    query = urlencode({"problem.source": "upload"})
    s = Session(url, stats, args.timeout)
    await s.open(query)
    await s.load("")
    await s.close()
    await asyncio.sleep(2)
    before = rss_mb(pid)
    print(f"RSS before uploads (Home with the uploaders warmed): {before:.0f} MB; Streamlit "
          f"holds {streamlit_held(url)}", flush=True)
    sessions, built_not = [], 0
    try:
        for i in range(args.upload_sessions):
            s = Session(url, stats, args.timeout)
            await s.open(query)
            await s.load("")
            sessions.append(s)
            data = npy_bytes(1000 + i, args.upload_mb)
            await upload(s, "upload.a", f"A_{i}.npy", data)
            del data
            if args.with_b:  # a b to go with A, so the problem is built (and cached)
                buf = io.BytesIO()
                np.save(buf, np.random.default_rng(i).random(args.upload_mb * MB // 80))
                boxes = len(stats.error_boxes)
                await upload(s, "upload.b", f"b_{i}.npy", buf.getvalue())
                built_not += len(stats.error_boxes) > boxes  # an error box in the last run
        await asyncio.sleep(6)  # Streamlit's metrics are cached for 5 s
        uploaded = rss_mb(pid)
    except (ProtocolError, ConnectionClosed, TimeoutError, OSError) as err:
        stats.errors.append(repr(err))
        uploaded = rss_mb(pid)
    held_uploaded = streamlit_held(url)
    for s in sessions:
        await s.close()
    after = await watch_after(url, pid, args.settle, args.follow)
    total = args.upload_sessions * args.upload_mb
    print(f"\nuploads: {len(sessions)} sessions, one distinct {args.upload_mb} MB .npy as A "
          f"each ({total} MB in all){', and a b' if args.with_b else ', no b'}; reruns "
          f"{len(stats.times)}, errors {len(stats.errors)}")
    for e in stats.errors:
        print(f"  {e}")
    if args.with_b:
        print(f"sessions whose problem was built from the uploads: {len(sessions) - built_not} "
              f"of {len(sessions)}")
    for body in sorted(set(stats.error_boxes)):
        print(f"  {stats.error_boxes.count(body)} x error box: {body.replace(chr(92), '')}")
    if stats.times:
        print(f"upload rerun (widget state -> script_finished): median "
              f"{pct([t for t, k, _ in stats.times if k == 'upload'] or [0], 0.5):.2f} s")
    print(f"RSS: before {before:.0f} MB, after uploads {uploaded:.0f} MB "
          f"(+{uploaded - before:.0f}), {args.settle:g} s after the sessions closed "
          f"{after:.0f} MB: {verdict(before, after)}")
    print(f"Streamlit holds, after uploads: {held_uploaded}; after: {streamlit_held(url)}")
    return 1 if stats.errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause between a user's steps, s (0: none)")
    parser.add_argument("--settle", type=float, default=30,
                        help="seconds after the sessions closed for the last RSS")
    parser.add_argument("--follow", type=float, default=0,
                        help="keep printing RSS every 15 s this much longer, then after a "
                             "new visit and after clearing the caches")
    parser.add_argument("--timeout", type=float, default=120, help="per rerun, s")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--warm-rounds", type=int, default=0,
                        help="load rounds before the baseline is taken (one-time growth: "
                             "lazily built Plotly validators, first imports, full caches)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="load rounds, each followed by --settle (memory bounded?)")
    parser.add_argument("--uploads", action="store_true", help="the upload memory check")
    parser.add_argument("--upload-sessions", type=int, default=8)
    parser.add_argument("--upload-mb", type=int, default=20)
    parser.add_argument("--with-b", action="store_true",
                        help="--uploads: also upload a b, so that each problem is built")
    args = parser.parse_args()

    log = tempfile.NamedTemporaryFile("w+", prefix="load-server-", suffix=".log", delete=False)
    proc, url = serve(log)
    try:
        from importlib.metadata import version
        print(f"server: streamlit {version('streamlit')} at {url}, pid {proc.pid}; "
              f"{os.cpu_count()} cores, load average {load_average():.1f}", flush=True)
        code = asyncio.run((run_uploads if args.uploads else run_load)(url, proc.pid, args))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    if code:
        print(f"server log: {log.name}")
    else:
        os.unlink(log.name)
    return code


if __name__ == "__main__":
    sys.exit(main())

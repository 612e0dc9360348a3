#!/usr/bin/env python3
"""Screenshot atlas: every page x every preset (and no preset), plus presentation mode
at 1280x720 and 1920x1080 on the chart pages, each opened in a fresh browser page of
one Chromium. For each shot it records error/warning texts and, for every Plotly
chart, its bounding box (bottom below the fold?), the plot area's aspect against its
axis ranges (is a map equal-scale?) and whether a legend overlaps the plot area or a
colour bar. Writes artifacts/screenshots/atlas/*.png and report.json, prints a table.

    .venv/bin/python scripts/screenshots.py [--pages Landscape,Newton] [--presets poles,none]
                                            [--no-present] [--jobs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "screenshots" / "atlas"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PAGES = {"Home": "/", "Landscape": "/Landscape", "Hessian": "/Hessian",
         "Newton": "/Newton", "Compare": "/Compare"}
CHART_PAGES = ["Landscape", "Hessian", "Newton", "Compare"]
NORMAL = (1600, 1000)
PRESENT = [(1280, 720), (1920, 1080)]
FULL_PAGE = False  # --full: also atlas/full/<shot>.png, the whole page (for reading)

# the page is complete: connected, no run in progress, nothing stale or still loading,
# the sidebar's radio drawn, and every chart container holding a laid-out Plotly chart
READY = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  if (!document.querySelector(
      '[data-testid="stSidebarUserContent"] [data-testid="stRadio"]')) return false;
  const boxes = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return boxes.every((b) => { const el = b.querySelector('.js-plotly-plot');
                              return el && el._fullLayout; })
    && [...document.querySelectorAll('.js-plotly-plot')].every((el) => el._fullLayout);
}
"""

INSPECT = """
() => {
  const vh = window.innerHeight, vw = window.innerWidth;
  const r = (b) => ({x: Math.round(b.left), y: Math.round(b.top),
                     w: Math.round(b.width), h: Math.round(b.height)});
  const inter = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
                        * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const txt = (el) => el.innerText.trim().replace(/\\s+/g, ' ');
  const alerts = [];
  for (const a of document.querySelectorAll('[data-testid="stAlert"]')) {
    const kind = (a.querySelector('[data-testid^="stAlertContent"]')?.getAttribute('data-testid')
                  || 'stAlertContent?').replace('stAlertContent', '').toLowerCase();
    const b = a.getBoundingClientRect();
    alerts.push({kind, text: txt(a).slice(0, 400), top: Math.round(b.top)});
  }
  const exceptions = [...document.querySelectorAll('[data-testid="stException"]')]
      .map((e) => txt(e).slice(0, 600));
  const charts = [];
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const fl = el._fullLayout, box = el.getBoundingClientRect();
    const c = {box: r(box), below_fold: box.bottom > vh + 1, starts_below_fold: box.top >= vh,
               title: (fl?.title?.text || '').replace(/<[^>]+>/g, '').slice(0, 80),
               traces: (el._fullData || []).map((t) => t.type + (t.name ? ':' + t.name : ''))
                                            .slice(0, 12)};
    if (!fl) { c.error = 'no _fullLayout'; charts.push(c); continue; }
    c.n_points = (el._fullData || []).reduce((s, t) => s + (t.x?.length || t.z?.length
                                                            || t.y?.length || 0), 0);
    // aspect of each x/y axis pair that carries a map (contour / heatmap)
    c.maps = [];
    const seen = new Set();
    for (const t of el._fullData || []) {
      if (!['contour', 'heatmap', 'histogram2d', 'histogram2dcontour'].includes(t.type)) continue;
      const xa = fl[(t.xaxis || 'x').replace('x', 'xaxis')];
      const ya = fl[(t.yaxis || 'y').replace('y', 'yaxis')];
      const id = (t.xaxis || 'x') + (t.yaxis || 'y');
      if (!xa || !ya || seen.has(id)) continue;
      seen.add(id);
      const sx = Math.abs(xa.range[1] - xa.range[0]), sy = Math.abs(ya.range[1] - ya.range[0]);
      const pxx = xa._length / sx, pxy = ya._length / sy;  // pixels per unit
      c.maps.push({axes: id, len_px: [Math.round(xa._length), Math.round(ya._length)],
                   span: [+sx.toPrecision(4), +sy.toPrecision(4)],
                   xtype: xa.type, ytype: ya.type,
                   scale_ratio: +(pxx / pxy).toFixed(3),
                   scaleanchor: ya.scaleanchor || xa.scaleanchor || null});
    }
    c.scene = !!fl.scene && (el._fullData || []).some((t) => t.type === 'surface');
    // plot area (all cartesian subplots) vs legend and colour bars
    const svg = el.querySelector('.main-svg').getBoundingClientRect();
    const areas = [...el.querySelectorAll('.nsewdrag')].map((d) => d.getBoundingClientRect());
    const legend = el.querySelector('.legend');
    const bars = [...el.querySelectorAll('.colorbar')].map((d) => d.getBoundingClientRect());
    if (legend && fl.showlegend !== false) {
      const lb = legend.getBoundingClientRect();
      c.legend = r(lb);
      const la = lb.width * lb.height || 1;
      c.legend_over_plot = +(areas.reduce((s, a) => s + inter(lb, a), 0) / la).toFixed(2);
      c.legend_over_colorbar = +(bars.reduce((s, a) => s + inter(lb, a), 0) / la).toFixed(2);
      c.legend_outside_chart = lb.right > svg.right + 2 || lb.bottom > svg.bottom + 2
                               || lb.left < svg.left - 2 || lb.top < svg.top - 2;
    }
    // text drawn outside the chart (clipped titles, tick labels, annotations)
    const out = [];
    for (const t of el.querySelectorAll('text')) {
      const b = t.getBoundingClientRect();
      if (!b.width || !t.textContent.trim()) continue;
      if (b.left < svg.left - 2 || b.right > svg.right + 2 || b.top < svg.top - 2
          || b.bottom > svg.bottom + 2) out.push(t.textContent.trim().slice(0, 40));
    }
    c.text_clipped = out.slice(0, 6);
    const fonts = [...el.querySelectorAll('text')]
                   .map((t) => parseFloat(getComputedStyle(t).fontSize))
                   .filter((f) => f > 0);
    c.min_font_px = fonts.length ? Math.min(...fonts) : null;
    charts.push(c);
  }
  // buttons whose label is cut (scrollWidth > clientWidth) or run past the viewport
  const cut = [];
  for (const b of document.querySelectorAll('[data-testid="stMain"] button')) {
    const bb = b.getBoundingClientRect();
    if (!bb.width) continue;
    const p = b.querySelector('p') || b;
    if (p.scrollWidth > p.clientWidth + 1 || bb.right > vw + 1) cut.push(txt(b).slice(0, 40));
  }
  const main = document.querySelector('[data-testid="stMain"]');
  return {alerts, exceptions, charts, cut_buttons: cut, viewport: [vw, vh],
          page_height: main ? Math.round(main.scrollHeight) : null,
          title: document.querySelector('h1')?.innerText || null};
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "streamlit", "run", "app.py",
         "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"}, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited; see {log}")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                      timeout=2).status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"streamlit did not start; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def jobs_list(pages, presets, present: bool) -> list[dict]:
    out = []
    for page in pages:
        for preset in presets:
            out.append({"page": page, "preset": preset, "size": NORMAL, "present": False,
                        "file": f"{page}-{preset}.png"})
    if present:
        for w, h in PRESENT:
            for page in [p for p in pages if p in CHART_PAGES]:
                for preset in presets:
                    out.append({"page": page, "preset": preset, "size": (w, h), "present": True,
                                "file": f"present-{w}-{page}-{preset}.png"})
    return out


async def shoot(browser, base: str, job: dict, timeout: float) -> dict:
    w, h = job["size"]
    query = [] if job["preset"] == "none" else [f"preset={job['preset']}"]
    if job["present"]:
        query.append("present=true")
    url = base + PAGES[job["page"]] + ("?" + "&".join(query) if query else "")
    ctx = await browser.new_context(viewport={"width": w, "height": h})
    page = await ctx.new_page()
    console = []
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"[:300]))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:300])
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda resp: console.append(f"HTTP {resp.status}: {resp.url}"[:300])
            if resp.status >= 400 and "/_stcore/" not in resp.url else None)  # Streamlit
    # probes <page>/_stcore/health before the root one on every sub-page: not an error
    t0 = time.monotonic()
    rec = {**job, "size": [w, h], "url": url}
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        try:
            await page.wait_for_function(READY, timeout=timeout * 1000, polling=100)
        except Exception:  # noqa: BLE001 - record and shoot what is there
            rec["not_ready"] = True
        # the status widget ("Running...") gone, or 1.5 s
        try:
            await page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached",
                                         timeout=1500)
        except Exception:  # noqa: BLE001
            pass
        await page.wait_for_timeout(400)  # Plotly's transitions, fonts
        if not rec.get("not_ready"):  # a late rerun may have replaced a chart
            try:
                await page.wait_for_function(READY, timeout=10_000, polling=100)
            except Exception:  # noqa: BLE001
                rec["not_ready"] = True
        rec.update(await page.evaluate(INSPECT))
        await page.screenshot(path=str(OUT / job["file"]))
        if FULL_PAGE:  # the whole page too (Streamlit scrolls stMain, not the window)
            await page.set_viewport_size({"width": w, "height": max(h, rec["page_height"] or h)})
            await page.wait_for_timeout(800)
            (OUT / "full").mkdir(exist_ok=True)
            await page.screenshot(path=str(OUT / "full" / job["file"]))
    except Exception as err:  # noqa: BLE001
        rec["failed"] = f"{type(err).__name__}: {err}"[:400]
    rec["console_errors"] = console[:5]
    rec["seconds"] = round(time.monotonic() - t0, 1)
    await ctx.close()
    return rec


def flags(rec: dict) -> list[str]:
    f = []
    if rec.get("failed"):
        f.append("FAILED")
    if rec.get("not_ready"):
        f.append("not-ready")
    if rec.get("exceptions"):
        f.append(f"exception x{len(rec['exceptions'])}")
    for a in rec.get("alerts", []):
        if a["kind"] in ("error", "warning"):
            f.append(f"{a['kind']}: {a['text'][:60]}")
    for i, c in enumerate(rec.get("charts", [])):
        tag = f"c{i}"
        if c.get("starts_below_fold"):
            f.append(f"{tag} below fold")
        elif c.get("below_fold"):
            b = c["box"]
            shown = (rec["viewport"][1] - b["y"]) / b["h"] if b["h"] else 0
            f.append(f"{tag} cut by fold ({shown:.0%} visible)")
        for m in c.get("maps", []):
            if m["xtype"] == "linear" and m["ytype"] == "linear" \
                    and abs(m["scale_ratio"] - 1) > 0.03:
                f.append(f"{tag} map {m['axes']} not equal-scale (x/y px-per-unit "
                         f"{m['scale_ratio']})")
        if c.get("legend_over_plot", 0) > 0.02:
            f.append(f"{tag} legend over plot {c['legend_over_plot']:.0%}")
        if c.get("legend_over_colorbar", 0) > 0.02:
            f.append(f"{tag} legend over colorbar {c['legend_over_colorbar']:.0%}")
        if c.get("legend_outside_chart"):
            f.append(f"{tag} legend outside chart")
        if c.get("text_clipped"):
            f.append(f"{tag} text clipped {c['text_clipped'][:3]}")
        if c.get("error"):
            f.append(f"{tag} {c['error']}")
    if rec.get("cut_buttons"):
        f.append(f"cut buttons {rec['cut_buttons'][:3]}")
    if rec.get("console_errors"):
        f.append(f"console {len(rec['console_errors'])}")
    return f


async def main_async(args) -> list[dict]:
    from playwright.async_api import async_playwright
    pages = [p for p in PAGES if not args.pages or p in args.pages]
    all_presets = sorted(p.stem for p in (ROOT / "assets" / "presets").glob("*.json")) + ["none"]
    presets = [p for p in all_presets if not args.presets or p in args.presets]
    jobs = jobs_list(pages, presets, not args.no_present)
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_server(port, OUT / "streamlit.log")
    base = f"http://127.0.0.1:{port}"
    results: list[dict] = [None] * len(jobs)  # type: ignore[list-item]
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=CHROMIUM_ARGS)
            # warm up: the first session runs the pages without st.navigation
            warm = await browser.new_page()
            await warm.goto(base + "/", wait_until="domcontentloaded")
            try:
                await warm.wait_for_function(READY, timeout=60_000, polling=200)
            except Exception:  # noqa: BLE001
                pass
            await warm.close()
            sem = asyncio.Semaphore(args.jobs)
            done = 0

            async def run(i, job):
                nonlocal done
                async with sem:
                    results[i] = await shoot(browser, base, job, args.timeout)
                done += 1
                r = results[i]
                print(f"[{done:3d}/{len(jobs)}] {r['seconds']:5.1f}s {job['file']}"
                      + ("  !" if flags(r) else ""), flush=True)

            await asyncio.gather(*(run(i, j) for i, j in enumerate(jobs)))
            await browser.close()
    finally:
        stop_server(server)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=lambda s: s.split(","), default=None,
                    help=f"comma-separated, of {','.join(PAGES)}")
    ap.add_argument("--presets", type=lambda s: s.split(","), default=None,
                    help="comma-separated preset stems; 'none' = no preset")
    ap.add_argument("--no-present", action="store_true", help="skip presentation mode")
    ap.add_argument("--full", action="store_true",
                    help="also save the whole page to atlas/full/ (after the viewport shot)")
    ap.add_argument("--jobs", type=int, default=2, help="browser pages at a time")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per shot")
    args = ap.parse_args()
    global FULL_PAGE
    FULL_PAGE = args.full
    t0 = time.monotonic()
    results = asyncio.run(main_async(args))
    total = round(time.monotonic() - t0, 1)
    for r in results:
        r["flags"] = flags(r)
    report = OUT / ("report.json" if not (args.pages or args.presets or args.no_present)
                    else "report-partial.json")
    report.write_text(json.dumps({"seconds": total, "shots": results}, indent=1))
    width = max(len(r["file"]) for r in results)
    print(f"\n{'shot':<{width}}  {'s':>5}  charts  flags")
    for r in results:
        print(f"{r['file']:<{width}}  {r['seconds']:5.1f}  {len(r.get('charts', [])):6d}  "
              + "; ".join(r["flags"]))
    print(f"\n{len(results)} shots in {total} s -> {OUT}; {report.name}")


if __name__ == "__main__":
    main()

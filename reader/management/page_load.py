"""What a page costs a phone's browser: its element count, its HTML bytes and its Total Blocking
Time in headless Chromium, measured the way the browser tests drive it (Playwright, Debian's
/usr/bin/chromium, the same flags) with the CPU slowed down four times as Lighthouse's mobile
profile does.

Total Blocking Time is the sum of each long task's time beyond 50 ms, from the start of
navigation until the load event and then 2 s without one. Two observers are installed before
the page's first byte is parsed:

- "longtask" entries: script and parsing tasks only. Chromium leaves the rendering work (style,
  layout, paint) out of them, and that is most of what a large page costs: on the pinyin reader
  with a ruby per character they showed 0.4 s while a DevTools trace showed one 6.5 s layout.
- "long-animation-frame" entries, whose ``blockingDuration`` is the same sum with the rendering
  counted in (the longest task of a frame plus its rendering). Their sum agrees with a DevTools
  trace of the main thread; it is the figure this module calls ``blocking_ms``.

Lighthouse counts from first contentful paint to time to interactive in a simulated network;
this counts from navigation on the loopback, so the two agree on the tasks that matter here
(parsing, style, layout of a large page) but not exactly.
"""
from __future__ import annotations

import gzip
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# The browser tests' flags (tests/browser/conftest.py).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
# Lighthouse's mobile profile (a Moto G Power): its screen and a CPU four times slower.
MOBILE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75,
          "is_mobile": True, "has_touch": True}
CPU_SLOWDOWN = 4
QUIET_SECONDS = 2.0
LIMIT_SECONDS = 60.0

OBSERVE_LONG_TASKS = """
window.__longTasks = [];
window.__longFrames = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__longTasks.push([e.startTime, e.duration]); });
}).observe({type: "longtask", buffered: true});
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    window.__longFrames.push([e.startTime, e.duration, e.blockingDuration]);
  });
}).observe({type: "long-animation-frame", buffered: true});
"""


@dataclass
class PageLoad:
    elements: int
    html_bytes: int
    html_gzip_bytes: int
    blocking_ms: float  # Total Blocking Time, rendering included (long animation frames)
    long_task_blocking_ms: float  # the same from "longtask" entries only (no rendering)
    load_ms: float  # navigation start to the load event


def measure(url: str, runs: int = 3) -> tuple[PageLoad, list[PageLoad]]:
    """The median of ``runs`` cold loads of ``url`` (each in a fresh browser context), and the runs."""
    from playwright.sync_api import sync_playwright

    loads = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                loads.append(_load_once(browser, url))
        finally:
            browser.close()
    median = PageLoad(*(statistics.median(getattr(load, name) for load in loads)
                        for name in PageLoad.__dataclass_fields__))
    return median, loads


def _load_once(browser, url: str) -> PageLoad:
    context = browser.new_context(**MOBILE)
    try:
        page = context.new_page()
        page.add_init_script(OBSERVE_LONG_TASKS)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        response = page.goto(url, wait_until="load", timeout=LIMIT_SECONDS * 1000)
        if response is None or not response.ok:
            raise RuntimeError(f"{url} answered {response.status if response else 'nothing'}")
        body = response.body()
        deadline = time.monotonic() + LIMIT_SECONDS
        while time.monotonic() < deadline:
            quiet_since = page.evaluate("""() => {
                const ends = window.__longTasks.concat(window.__longFrames).map(t => t[0] + t[1]);
                const load = performance.getEntriesByType("navigation")[0].loadEventEnd;
                return (performance.now() - Math.max(load, ...ends)) / 1000;
            }""")
            if quiet_since >= QUIET_SECONDS:
                break
            time.sleep(QUIET_SECONDS - quiet_since + 0.05)
        tasks, frames = page.evaluate("[window.__longTasks, window.__longFrames]")
        return PageLoad(
            elements=page.evaluate("document.getElementsByTagName('*').length"),
            html_bytes=len(body),
            html_gzip_bytes=len(gzip.compress(body, 6)),
            blocking_ms=sum(blocking for _, _, blocking in frames),
            long_task_blocking_ms=sum(max(0.0, duration - 50) for _, duration in tasks),
            load_ms=page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"),
        )
    finally:
        context.close()

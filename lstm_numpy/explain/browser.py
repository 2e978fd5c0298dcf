"""Opening the page in headless Chromium, through Chromium's own command line (standard library only).

Used by the browser tests and by ``explain --screenshot``. The browser is the distribution's
(``apt-get install chromium`` on Debian); nothing is downloaded. Every run gets a fresh profile
folder and the flags that keep Chromium from reaching the network on its own (no background
networking, component updates or sync; no host name resolves and every connection goes to a
closed port), and the page itself forbids any request.
"""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--hide-scrollbars",
         "--mute-audio", "--enable-logging=stderr", "--v=0",
         # the network, disabled: no name resolves and every connection goes to a closed port
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9"]
CONSOLE = re.compile(r"^.*:CONSOLE[:(].*$", re.M)          # a line of the page's console in the log
RESULT = re.compile(r'<pre id="selftest-result">(.*?)</pre>', re.S)


def console_lines(stderr):
    """The lines of Chromium's log (run with ``--enable-logging=stderr``) that the page's console wrote.

    Parameters
    ----------
    stderr : str, Chromium's standard error

    Returns
    -------
    list of str
    """
    return CONSOLE.findall(stderr)


def chromium_path():
    """The Chromium executable on the PATH (``$CHROMIUM`` if set), or None.

    Returns
    -------
    str or None
    """
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"])
    return next((found for found in map(shutil.which, NAMES) if found), None)


def run_chromium(url, *flags, window=(1280, 800), budget_ms=5000, timeout=120):
    """Run headless Chromium on ``url`` with a fresh profile; its standard output and error.

    Parameters
    ----------
    url : str, such as ``file:///tmp/explain.html#selftest=5,2``
    flags : more command-line flags, such as ``--dump-dom``
    window : (width, height) of the window in CSS pixels
    budget_ms : int, virtual time the page gets to run its scripts
    timeout : seconds before the run is stopped

    Returns
    -------
    (stdout, stderr) as str
    """
    browser = chromium_path()
    if browser is None:
        raise FileNotFoundError("expected chromium on the PATH (Debian: apt-get install chromium), found none")
    with tempfile.TemporaryDirectory(prefix="explain-chromium-") as profile:
        command = [browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={window[0]},{window[1]}",
                   f"--virtual-time-budget={budget_ms}", *flags, url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited with status {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout, done.stderr


def page_url(path, fragment=""):
    """The ``file://`` address of a page, with ``#fragment`` if given.

    Parameters
    ----------
    path : a file name
    fragment : str, such as ``"node=2,1"`` or ``"selftest=10,3"``

    Returns
    -------
    str
    """
    url = Path(path).resolve().as_uri()
    return f"{url}#{fragment}" if fragment else url


def selftest(path, forward, back, window=(1280, 800)):
    """Open the page with ``#selftest=forward,back`` and return what its self-test wrote into the DOM.

    Parameters
    ----------
    path : the page's file name
    forward : int, Right-arrow presses
    back : int, Left-arrow presses after them
    window : (width, height) in CSS pixels

    Returns
    -------
    result : dict (see the page script's ``selftest``): shapes shown for each clicked node, the
        quantity after the presses, each gradient's numbers as text, errors, resources, widths
    stderr : str, Chromium's log
    """
    dom, stderr = run_chromium(page_url(path, f"selftest={forward},{back}"), "--dump-dom", window=window)
    found = RESULT.search(dom)
    if found is None:
        raise RuntimeError(f"the page wrote no self-test result; Chromium said: {stderr[-2000:]}")
    return json.loads(html.unescape(found.group(1))), stderr


def screenshot(path, png, fragment="", window=(1280, 800)):
    """A PNG of the page's first screen, as a reader opening it sees it.

    Parameters
    ----------
    path : the page's file name
    png : the PNG file to write
    fragment : str, a view to open, such as ``"node=4,1"`` or ``"step=120"``
    window : (width, height) in CSS pixels

    Returns
    -------
    pathlib.Path of the PNG
    """
    png = Path(png).resolve()
    run_chromium(page_url(path, fragment), f"--screenshot={png}", window=window)
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot to {png}")
    return png


def main(argv=None):
    """``python -m lstm_numpy.explain.browser PAGE PNG [--fragment F] [--window WxH]``: a screenshot.

    Parameters
    ----------
    argv : None or list of str, the arguments

    Returns
    -------
    int, the exit status
    """
    import argparse
    parser = argparse.ArgumentParser(prog="python -m lstm_numpy.explain.browser",
                                     description="A PNG of an explorable page as headless Chromium draws it.")
    parser.add_argument("page", help="the HTML file written by python -m lstm_numpy explain")
    parser.add_argument("png", help="the PNG to write")
    parser.add_argument("--fragment", default="", help="a view to open: node=t,k  pass=backward  step=N")
    parser.add_argument("--window", default="1280x800", help="width x height in CSS pixels (default 1280x800)")
    args = parser.parse_args(argv)
    width, _, height = args.window.partition("x")
    print(screenshot(args.page, args.png, args.fragment, (int(width), int(height))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

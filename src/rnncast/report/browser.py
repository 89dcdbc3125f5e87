"""Open a page in headless Chromium and watch it: console errors, network requests, scripts, a screenshot.

How the HTML report is checked the way a reader sees it (``tests/report/test_browser.py``) and timed
(``benchmarks/report_page.py``). It speaks Chromium's DevTools protocol over a pipe
(``--remote-debugging-pipe``: commands go in on file descriptor 3, replies and events come out on 4, each
a JSON message ending in a NUL byte), so it needs no websocket library and opens no port.

    with Browser() as page:
        page.open("file:///.../report.html")       # waits for the load event
        page.evaluate("document.title")            # a script's value
        page.errors, page.requests                 # console errors and exceptions; every http(s)/ws URL asked for
        page.screenshot()                          # PNG bytes of the whole page
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

EXECUTABLES = ("chromium", "chromium-browser", "google-chrome", "chrome")
NETWORK_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:")


def find_chromium() -> str | None:
    """The path of an installed Chromium (Debian's ``chromium`` package), or None."""
    return next((path for name in EXECUTABLES if (path := shutil.which(name))), None)


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page (a context manager)."""

    def __init__(self, executable: str | None = None, width: int = 1000, height: int = 1400, timeout: float = 30.0):
        self.executable = executable or find_chromium()
        if self.executable is None:
            raise BrowserError("no Chromium found (apt-get install chromium)")
        self.size, self.timeout = (width, height), timeout
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.events: list[dict] = []
        self._next_id, self._buffer = 0, b""

    def __enter__(self) -> Browser:
        self.profile = tempfile.TemporaryDirectory(prefix="rnncast-chromium-")
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def wire_pipes():  # in the child, before exec: fd 3 reads our commands, fd 4 writes the replies
            a, b = os.dup(commands_read), os.dup(replies_write)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        args = [self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", "--mute-audio", f"--user-data-dir={self.profile.name}",
                f"--window-size={self.size[0]},{self.size[1]}", "about:blank"]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=wire_pipes)
        os.close(commands_read)
        os.close(replies_write)
        targets = self._call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self._call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self._call(f"{domain}.enable", session=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._send("Browser.close")
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._commands, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        self.profile.cleanup()

    # -- what a test does ----------------------------------------------------------------------------
    def open(self, url: str) -> float:
        """Navigate to ``url`` and wait for its load event; returns the seconds it took."""
        start = time.perf_counter()
        self.events.clear()
        self._call("Page.navigate", session=True, url=url)
        self._wait_event("Page.loadEventFired")
        return time.perf_counter() - start

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited); a thrown error raises."""
        result = self._call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                            awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails'].get('text')} {expression[:80]!r}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> None:
        """Poll until ``expression`` is truthy in the page."""
        end = time.monotonic() + (timeout or self.timeout)
        while not self.evaluate(expression):
            if time.monotonic() > end:
                raise BrowserError(f"timed out waiting for {expression!r}")
            self.settle(0.05)

    def screenshot(self) -> bytes:
        """The whole page (beyond the window) as PNG bytes."""
        data = self._call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True)
        return base64.b64decode(data["data"])

    # -- the protocol --------------------------------------------------------------------------------
    def _send(self, method: str, session: bool = False, **params) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _call(self, method: str, session: bool = False, **params) -> dict:
        wanted = self._send(method, session, **params)
        end = time.monotonic() + self.timeout
        while True:
            for message in self._read(end):
                if message.get("id") == wanted:
                    if "error" in message:
                        raise BrowserError(f"{method}: {message['error'].get('message')}")
                    return message.get("result", {})
                self._note(message)

    def _wait_event(self, method: str) -> None:
        end = time.monotonic() + self.timeout
        while not any(e.get("method") == method for e in self.events):
            for message in self._read(end):
                self._note(message)

    def settle(self, seconds: float) -> None:
        """Take in whatever events arrive within ``seconds``."""
        ready, _, _ = select.select([self._replies], [], [], seconds)
        if ready:
            for message in self._read(time.monotonic() + seconds):
                self._note(message)

    def _read(self, end: float) -> list[dict]:
        while b"\0" not in self._buffer:
            left = end - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._replies], [], [], left)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the connection")
                self._buffer += chunk
        *complete, self._buffer = self._buffer.split(b"\0")
        return [json.loads(part) for part in complete if part]

    def _note(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method is None:
            return
        self.events.append(message)
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            words = (str(a.get("value", a.get("description"))) for a in params["args"])
            self.errors.append("console: " + " ".join(words))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(f"log: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if url.startswith(NETWORK_SCHEMES):
                self.requests.append(url)

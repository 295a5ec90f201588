"""Starting and stopping scripts/fake-provider (the local Solapi/NHN/SMTP stand-in) from a test, and
reading what it received. The process is always stopped: use it as a context manager or call
stop() in tearDown."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "fake-provider"


class FakeProvider:
    def __init__(self, directory, *args):
        self.record = Path(directory) / f"received-{os.getpid()}-{time.monotonic_ns()}.jsonl"
        self.args = ["--port", "0", "--smtp-port", "0", "--record", str(self.record), *args]
        self.process = None
        self.port = None
        self.smtp_port = None

    def start(self):
        self.process = subprocess.Popen([sys.executable, str(SCRIPT), *self.args], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("fake-provider "):
            self.stop()
            raise AssertionError(f"fake provider did not start: {line!r} {self.process.stderr.read()}")
        fields = dict(part.split("=") for part in line.split()[1:])
        self.port = int(fields["http"])
        self.smtp_port = int(fields["smtp"])
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process is not None:
            for stream in (self.process.stdout, self.process.stderr):
                if stream:
                    stream.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def received(self):
        """{"received": [...first receipts...], "attempts": {key: n}, "duplicates": n, "count": n}"""
        with urllib.request.urlopen(self.url + "/received", timeout=30) as answer:
            return json.loads(answer.read())

    def count(self):
        """How many messages were received (first receipts), all tests together."""
        with urllib.request.urlopen(self.url + "/received?summary=1", timeout=30) as answer:
            return json.loads(answer.read())["count"]

    def solapi_env(self, api_key="fake-key", api_secret="fake-secret", rate=None):
        env = {"DANGOL_SOLAPI_URL": self.url, "DANGOL_SOLAPI_API_KEY": api_key,
               "DANGOL_SOLAPI_API_SECRET": api_secret, "DANGOL_SOLAPI_PF_ID": "fake-pf",
               "DANGOL_SMTP_URL": f"smtp://127.0.0.1:{self.smtp_port}",
               "DANGOL_SMTP_FROM": "news@dangol.test", "DANGOL_SMTP_REQUIRE_TLS": "0"}
        if rate:
            env["DANGOL_SOLAPI_RATE"] = str(rate)
        return env

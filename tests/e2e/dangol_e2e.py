"""Shared pieces of Dangol's end-to-end tests: starting and killing `dangol serve`, running the
command line, and making HTTP requests with a bearer token or a session cookie.

Only the Python standard library is used, so the tests run with /usr/bin/python3 on a bare machine.
Every server listens on 127.0.0.1 on a port the kernel picks; every database lives in a temporary
directory (SQLite) or, for PostgreSQL, in the database named by DANGOL_TEST_POSTGRES_URL, where
each test class keeps to businesses of its own with unique slugs.

Environment:
  DANGOL_BIN                 the server binary (default: build/dangol under the repository root)
  DANGOL_E2E_BACKEND         "sqlite" (default) or "postgres": the back end of every test class
  DANGOL_TEST_POSTGRES_URL   postgresql://... used as-is when the back end is postgres
  DANGOL_REQUIRE_POSTGRES=1  a missing DANGOL_TEST_POSTGRES_URL fails the run instead of skipping it
"""

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
LISTENING_PATTERN = re.compile(r"dangol listening on http://127\.0\.0\.1:(\d+)")
START_TIMEOUT_SECONDS = 30
CLI_TIMEOUT_SECONDS = 120
REQUEST_TIMEOUT_SECONDS = 30
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


def dangol_bin():
    """The server binary: $DANGOL_BIN, else build/dangol under the repository root."""
    path = os.environ.get("DANGOL_BIN") or str(REPO_ROOT / "build" / "dangol")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"no dangol binary at {path} (build it, or set DANGOL_BIN)")
    return path


def default_backend():
    backend = os.environ.get("DANGOL_E2E_BACKEND", "sqlite")
    if backend not in ("sqlite", "postgres"):
        raise AssertionError(f"DANGOL_E2E_BACKEND must be sqlite or postgres, not {backend!r}")
    return backend


def database_url(backend, directory):
    """The database URL for a test class: a fresh SQLite file in `directory`, or the PostgreSQL
    URL from the environment. Without that URL the class is skipped, or fails when
    DANGOL_REQUIRE_POSTGRES=1."""
    if backend == "sqlite":
        return f"sqlite:{directory}/t.db"
    url = os.environ.get("DANGOL_TEST_POSTGRES_URL", "")
    if url:
        return url
    if os.environ.get("DANGOL_REQUIRE_POSTGRES") == "1":
        raise AssertionError("DANGOL_REQUIRE_POSTGRES=1 but DANGOL_TEST_POSTGRES_URL is not set")
    raise unittest.SkipTest("DANGOL_TEST_POSTGRES_URL is not set; PostgreSQL back end not tested")


def unique(prefix):
    """A name no other test class or run uses: prefix plus random hex."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# ---- The command line ----

def run_cli(args, stdin_text=None, expect_success=True):
    """Runs `dangol ARGS...` and returns the CompletedProcess (text mode)."""
    completed = subprocess.run(
        [dangol_bin(), *args], input=stdin_text, capture_output=True, text=True,
        timeout=CLI_TIMEOUT_SECONDS)
    if expect_success and completed.returncode != 0:
        raise AssertionError(
            f"dangol {' '.join(args)} exited {completed.returncode}\n"
            f"stdout: {completed.stdout}\nstderr: {completed.stderr}")
    return completed


def create_business(db_url, slug, name):
    run_cli(["business", "create", "--db", db_url, "--slug", slug, "--name", name])


def add_user(db_url, slug, email, password, role="owner", name="사장님"):
    run_cli(["user", "add", "--db", db_url, "--business", slug, "--email", email, "--role", role,
             "--name", name, "--password-stdin"], stdin_text=password + "\n")


def create_token(db_url, slug, role, name=None):
    """Creates an API token with the CLI and returns it (the last word it prints)."""
    args = ["token", "create", "--db", db_url, "--business", slug, "--role", role]
    if name:
        args += ["--name", name]
    output = run_cli(args).stdout.split()
    if not output:
        raise AssertionError("dangol token create printed nothing")
    return output[-1]


class Tenant:
    """One business set up through the CLI: its slug, its owner's login and an owner token."""

    def __init__(self, db_url, prefix):
        self.db_url = db_url
        self.slug = unique(prefix)
        self.name = f"가게 {self.slug}"
        self.email = f"owner.{self.slug}@example.com"
        self.password = "correct horse battery " + self.slug
        create_business(db_url, self.slug, self.name)
        add_user(db_url, self.slug, self.email, self.password, role="owner", name="김사장")
        self.owner_token = create_token(db_url, self.slug, "owner", name="e2e owner")

    def token(self, role):
        return create_token(self.db_url, self.slug, role, name=f"e2e {role}")


# ---- The server ----

class Server:
    """A `dangol serve` process on 127.0.0.1 with a kernel-chosen port."""

    def __init__(self, db_url, log_directory, arguments=(), env=None):
        self.db_url = db_url
        self.arguments = list(arguments)
        self.env = env  # None: the test's own environment
        self.log_path = Path(log_directory) / f"server-{uuid.uuid4().hex[:6]}.log"
        self.process = None
        self.port = None
        self._log = None

    def start(self):
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [dangol_bin(), "serve", "--db", self.db_url, "--listen", "127.0.0.1:0", *self.arguments],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log, env=self.env)
        lines = queue.Queue()
        threading.Thread(target=self._drain_stdout, args=(lines,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if line is None:
                break
            match = LISTENING_PATTERN.search(line)
            if match:
                self.port = int(match.group(1))
                return self
        self.kill()
        raise AssertionError(
            f"dangol serve --db {self.db_url} did not print its listening line within "
            f"{START_TIMEOUT_SECONDS} s (exit code {self.process.returncode})\n{self.log_tail()}")

    def _drain_stdout(self, lines):
        # Keeps reading after the listening line so that a chatty server never blocks on a full pipe.
        for raw in self.process.stdout:
            lines.put(raw.decode("utf-8", "replace"))
        lines.put(None)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL: no chance to flush or clean up."""
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)
        self._close_log()

    def stop(self):
        """SIGTERM, then SIGKILL if the server has not exited within 15 s. Returns the exit code."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        code = self.process.returncode if self.process else None
        self._close_log()
        return code

    def _close_log(self):
        if self.process is not None and self.process.stdout is not None and self.process.poll() is not None:
            self.process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, characters=4000):
        try:
            return "server log:\n" + self.log_path.read_text("utf-8", "replace")[-characters:]
        except OSError:
            return "(no server log)"

    def client(self, token=None):
        return Client(self.port, token)


# ---- HTTP ----

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_values(self, name):
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def top_level_keys(self):
        """The keys of the top-level JSON object in the order the server wrote them."""
        return [key for key, _ in json.loads(self.text, object_pairs_hook=lambda pairs: pairs)]

    def __repr__(self):
        return f"<{self.status} {self.text[:600]}>"


class Client:
    """Requests against one server, authenticated by a bearer token or a session cookie (with the
    CSRF header on writes unless told otherwise). One connection per request; thread-safe as long
    as the cookie is not changed concurrently."""

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self.session = None
        self.csrf_token = None

    def request(self, method, path, body=None, raw=None, headers=None, csrf=True,
                timeout=REQUEST_TIMEOUT_SECONDS):
        """`path` is relative to /api/v1 unless it starts with "/api/". `body` is sent as JSON;
        `raw` (bytes) is sent as it is."""
        if not path.startswith("/api/"):
            path = API + path
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if self.session:
            all_headers["Cookie"] = f"dangol_session={self.session}"
            if csrf and self.csrf_token and method in WRITE_METHODS:
                all_headers["X-CSRF-Token"] = self.csrf_token
        payload = raw
        if payload is None and body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=payload, headers=all_headers)
            response = connection.getresponse()
            return Response(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body=body if body is not None else {}, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body=body if body is not None else {}, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def login(self, email, password, business=None):
        """POST /auth/login; on success keeps the session cookie and the CSRF token."""
        body = {"email": email, "password": password}
        if business:
            body["business"] = business
        response = self.post("/auth/login", body)
        if response.status == 200:
            self.session = session_cookie_value(response)
            self.csrf_token = (response.json or {}).get("csrf_token")
        return response


def session_cookie_value(response):
    for value in response.header_values("Set-Cookie"):
        match = re.match(r"\s*dangol_session=([^;]*)", value)
        if match:
            return match.group(1)
    return None


def raw_exchange(port, request_bytes, timeout=REQUEST_TIMEOUT_SECONDS):
    """Sends bytes on a fresh connection and reads the answer until the server closes it or its
    Content-Length is read. Returns (status, headers, body); status is None when the server closed
    the connection without answering. Tolerates the server closing while the request is still
    being sent (as it may when it rejects an oversized body early)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(request_bytes)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
                if _complete(received):
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    return _parse_raw_response(received)


def _complete(received):
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(match) and len(body) >= int(match.group(1))


def _parse_raw_response(received):
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    match = re.match(r"HTTP/1\.[01] (\d{3})", lines[0]) if lines else None
    if not match:
        return None, [], received
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return int(match.group(1)), headers, body


# ---- Assertions ----

class DangolTestCase(unittest.TestCase):
    """Assertions shared by the end-to-end tests."""

    maxDiff = None

    def assertStatus(self, response, *statuses):
        self.assertIn(response.status, statuses, f"expected HTTP {statuses}, got {response!r}")

    def assertError(self, response, status, field=None, code=None):
        """`response` is an error answer of `status` with {"error":{"code","message"[,"field"]}}."""
        self.assertEqual(response.status, status, f"expected HTTP {status}, got {response!r}")
        self.assertJsonError(response)
        error = response.json["error"]
        if field is not None:
            self.assertEqual(error.get("field"), field, f"wrong error field in {response!r}")
        if code is not None:
            self.assertEqual(error.get("code"), code, f"wrong error code in {response!r}")

    def assertClientError(self, response, context=""):
        """Any 4xx with the JSON error shape: bad input is never a 5xx nor a success."""
        self.assertTrue(400 <= response.status < 500,
                        f"{context}: expected a 4xx JSON error, got {response!r}")
        self.assertJsonError(response, context)

    def assertJsonError(self, response, context=""):
        content_type = response.header("Content-Type") or ""
        self.assertTrue(content_type.startswith("application/json"),
                        f"{context}: error is not JSON (Content-Type {content_type!r}): {response!r}")
        self.assertIsInstance(response.json, dict, f"{context}: error body not an object: {response!r}")
        error = response.json.get("error")
        self.assertIsInstance(error, dict, f"{context}: no 'error' object in {response!r}")
        self.assertIsInstance(error.get("code"), str, f"{context}: error.code missing: {response!r}")
        self.assertIsInstance(error.get("message"), str, f"{context}: error.message missing: {response!r}")


class ServerTestCase(DangolTestCase):
    """A test class with its own server. `backend` is the class-level choice of database; a
    subclass (or DANGOL_E2E_BACKEND) sets it, so one suite runs on SQLite and on PostgreSQL."""

    backend = default_backend()
    server = None
    server_arguments = ()  # more `dangol serve` options, e.g. ("--clock-start", "2025-06-01T12:00:00+09:00")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._directory = tempfile.TemporaryDirectory(prefix="dangol-e2e-")
        try:
            cls.db_url = database_url(cls.backend, cls._directory.name)
            # Migrates the database before the server starts, so that the server is not racing
            # the first command-line write.
            cls.set_up_data_before_start()
            cls.server = Server(cls.db_url, cls._directory.name, cls.server_arguments).start()
        except BaseException:
            cls._directory.cleanup()
            raise

    @classmethod
    def set_up_data_before_start(cls):
        """Hook: CLI set-up that runs before the server starts."""

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server is not None:
                cls.server.stop()
        finally:
            cls._directory.cleanup()
            super().tearDownClass()

    def assertServerAlive(self):
        self.assertTrue(self.server.alive(), f"the server died\n{self.server.log_tail()}")
        response = self.server.client().get("/health")
        self.assertEqual(response.status, 200, f"/health after the test: {response!r}")


def items_of(json_value):
    """The rows of a list answer: {"items": [...]} or a bare list."""
    if isinstance(json_value, dict) and "items" in json_value:
        return json_value["items"]
    if isinstance(json_value, list):
        return json_value
    raise AssertionError(f"not a list answer: {json_value!r}")


def walk_pages(client, path, limit, max_pages=1000):
    """Follows next_cursor from `path` (which may already carry a query) and returns every item."""
    items = []
    cursor = None
    separator = "&" if "?" in path else "?"
    for _ in range(max_pages):
        url = f"{path}{separator}limit={limit}"
        if cursor is not None:
            url += f"&cursor={cursor}"
        response = client.get(url)
        if response.status != 200:
            raise AssertionError(f"GET {url}: {response!r}")
        items.extend(response.json["items"])
        cursor = response.json.get("next_cursor")
        if cursor is None:
            return items
    raise AssertionError(f"{path}: more than {max_pages} pages")


def sale(branch_id, lines, **fields):
    """The body of POST /orders for `lines` given as (product, category, quantity, unit_price)."""
    body = {"branch_id": branch_id,
            "lines": [{"product": product, "category": category, "quantity": quantity,
                       "unit_price": unit_price}
                      for product, category, quantity, unit_price in lines]}
    body.update(fields)
    return body

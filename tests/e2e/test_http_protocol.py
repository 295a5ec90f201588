"""HTTP at the byte level: pipelined requests are all answered, in order, whether the server answers
each at once or from its worker pool; request heads past the server's limits (URL, header count,
header size) and requests the HTTP parser rejects (a malformed request line or header) get a JSON
error before the connection is closed."""

import json
import os
import re
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import REQUEST_TIMEOUT_SECONDS, ServerTestCase, Tenant, items_of, unique, walk_pages  # noqa: E402


def read_responses(connection, count):
    """Reads `count` HTTP/1.1 responses (each framed by Content-Length) from a socket, or fewer if
    the server closes first. Returns a list of (status, headers, body)."""
    received = b""
    responses = []
    while len(responses) < count:
        head, separator, rest = received.partition(b"\r\n\r\n")
        if separator:
            match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            length = int(match.group(1)) if match else 0
            if len(rest) >= length:
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split(" ")[1])
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                responses.append((status, headers, rest[:length]))
                received = rest[length:]
                continue
        try:
            chunk = connection.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        received += chunk
    return responses


def request_bytes(method, path, token=None, body=None, close=False):
    headers = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    payload = b""
    if body is not None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    if close:
        headers.append("Connection: close")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


class HttpProtocolTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "http")

    def exchange(self, data, expected_count):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=REQUEST_TIMEOUT_SECONDS) as connection:
            connection.sendall(data)
            return read_responses(connection, expected_count)

    def customers_named(self, name):
        items = walk_pages(self.server.client(self.tenant.owner_token), "/customers", 200)
        return [item for item in items if item["name"] == name]

    def test_pipelined_requests_answered_at_once_and_by_workers_all_get_answers_in_order(self):
        token = self.tenant.owner_token
        name = unique("파이프")
        # An unknown route is answered on the I/O thread at once; the others go to the workers.
        data = (request_bytes("GET", "/api/v1/no-such-route", token)
                + request_bytes("POST", "/api/v1/customers", token, {"name": name})
                + request_bytes("GET", "/api/v1/health")
                + request_bytes("GET", "/api/v1/no-such-route-either", token)
                + request_bytes("GET", "/api/v1/customers?limit=200", token))
        responses = self.exchange(data, 5)
        self.assertEqual([status for status, _, _ in responses], [404, 201, 200, 404, 200], responses)
        self.assertEqual(json.loads(responses[1][2])["name"], name)
        # Pipelined requests may run at once on the workers: only the order of the answers is promised.
        self.assertIsInstance(items_of(json.loads(responses[4][2])), list)
        self.assertEqual(len(self.customers_named(name)), 1)

    def test_many_pipelined_writes_each_run_once_and_are_each_answered(self):
        token = self.tenant.owner_token
        names = [unique("줄") for _ in range(12)]
        data = b"".join(request_bytes("POST", "/api/v1/customers", token, {"name": name}) for name in names)
        data += request_bytes("GET", "/api/v1/health", close=True)
        responses = self.exchange(data, len(names) + 1)
        self.assertEqual([status for status, _, _ in responses], [201] * len(names) + [200], responses)
        self.assertEqual([json.loads(body)["name"] for _, _, body in responses[:-1]], names)
        for name in names:
            self.assertEqual(len(self.customers_named(name)), 1, name)

    def assertJsonAnswerThenClose(self, data, status):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=REQUEST_TIMEOUT_SECONDS) as connection:
            try:
                connection.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            responses = read_responses(connection, 2)
        self.assertEqual(len(responses), 1, responses)
        answered, headers, body = responses[0]
        self.assertEqual(answered, status, body[:300])
        self.assertTrue(headers.get("content-type", "").startswith("application/json"), headers)
        self.assertIn("code", json.loads(body)["error"])
        self.assertEqual(headers.get("connection", "").lower(), "close", headers)
        self.assertServerAlive()

    def test_url_over_eight_kibibytes_is_414(self):
        for length in (9 * 1024, 60 * 1024):
            with self.subTest(length=length):
                path = "/api/v1/customers?q=" + "a" * length
                self.assertJsonAnswerThenClose(request_bytes("GET", path, self.tenant.owner_token), 414)

    def test_too_many_header_fields_is_431(self):
        fields = "".join(f"X-Field-{i}: {i}\r\n" for i in range(150))
        data = f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n{fields}\r\n".encode()
        self.assertJsonAnswerThenClose(data, 431)

    def test_header_value_over_eight_kibibytes_is_431(self):
        for length in (9 * 1024, 60 * 1024):
            with self.subTest(length=length):
                data = f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: {'b' * length}\r\n\r\n".encode()
                self.assertJsonAnswerThenClose(data, 431)

    def test_a_malformed_request_line_is_400(self):
        for line in (b"GARBAGE", b"GET /api/v1/health HTTP/1.1 extra", b"GET /api/v1/he alth HTTP/1.1",
                     b"GET\x00 / HTTP/1.1"):
            with self.subTest(line=line):
                self.assertJsonAnswerThenClose(line + b"\r\nHost: 127.0.0.1\r\n\r\n", 400)

    def test_a_malformed_header_is_400(self):
        self.assertJsonAnswerThenClose(b"GET /api/v1/health HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", 400)

    def test_a_head_past_the_parsers_own_limit_is_431(self):
        data = f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: {'c' * (200 * 1024)}\r\n\r\n".encode()
        self.assertJsonAnswerThenClose(data, 431)

    def test_a_long_url_after_good_requests_is_answered_after_them(self):
        token = self.tenant.owner_token
        name = unique("순서")
        data = (request_bytes("POST", "/api/v1/customers", token, {"name": name})
                + request_bytes("GET", "/api/v1/health")
                + request_bytes("GET", "/api/v1/customers?q=" + "a" * (20 * 1024), token))
        responses = self.exchange(data, 3)
        self.assertEqual([status for status, _, _ in responses], [201, 200, 414], responses)
        self.assertEqual(len(self.customers_named(name)), 1)


if __name__ == "__main__":
    unittest.main()

"""An OpenAI-compatible chat server whose answers a test scripts, and which logs every request it receives.

Run as its own process (`python -m tests.label.scripted_server PORT LOG SCRIPT`) so a test can SIGKILL,
SIGSTOP and restart it. Each request is appended to LOG (one JSON line, flushed and fsynced) *before* it is
answered, so the count survives a kill. SCRIPT is a JSON list of rules, the first that matches answers:
`{"contains": TEXT, "reply": TEXT, "status": 200, "retry_after": S, "times": N, "delay": S}`, plus
settings `{"max_prompt_chars": N}` and `{"base_delay": S}` (every answer's wait);
`"echo_auth": true` puts the request's Authorization header in the error (as some servers echo a key);
`times` makes a rule answer only the first N matching requests (`"status": 429, "times": 1` then success).
Unmatched prompts get a deterministic reply made from the prompt's first line. Prompts longer than
`max_prompt_chars` get a 400, like a server past its context.
Written for codetune's tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def default_reply(user: str) -> str:
    first = next((line for line in user.splitlines() if line.strip()), "")
    digest = hashlib.sha256(user.encode()).hexdigest()[:8]
    return f"Write code that does this ({digest}): {first[:80]}"


class ScriptedServer:
    def __init__(self, log_path: str, rules: list[dict], max_prompt_chars: int, base_delay: float):
        self.log = open(log_path, "a") if log_path != "-" else None  # noqa: SIM115 - open for the process
        self.rules = rules
        self.max_prompt_chars = max_prompt_chars
        self.base_delay = base_delay
        self.used: Counter[int] = Counter()
        self.lock = threading.Lock()

    def record(self, user: str) -> None:
        if self.log is None:  # `-`: no log (the benchmark measures the client, not the disk)
            return
        with self.lock:
            self.log.write(json.dumps({"user_sha": hashlib.sha256(user.encode()).hexdigest()}) + "\n")
            self.log.flush()
            os.fsync(self.log.fileno())

    def rule_for(self, user: str) -> dict:
        with self.lock:
            for index, rule in enumerate(self.rules):
                if rule.get("contains", "") not in user:
                    continue
                if "times" in rule and self.used[index] >= rule["times"]:
                    continue
                self.used[index] += 1
                return rule
        return {}


def handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            user = "\n".join(m["content"] for m in body.get("messages", []) if m["role"] == "user")
            server.record(user)
            if len(user) > server.max_prompt_chars:
                self._send(
                    400, {"error": {"message": "prompt is longer than the context", "type": "invalid"}}
                )
                return
            rule = server.rule_for(user)
            time.sleep(rule.get("delay", server.base_delay))
            status = rule.get("status", 200)
            if status != 200:
                headers = {"Retry-After": str(rule["retry_after"])} if "retry_after" in rule else {}
                echoed = self.headers.get("Authorization", "") if rule.get("echo_auth") else ""
                self._send(status, {"error": {"message": f"scripted {status} {echoed}"}}, headers)
                return
            reply = rule.get("reply", default_reply(user))
            usage = {"prompt_tokens": len(user) // 4, "completion_tokens": max(1, len(reply) // 4)}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            choice = {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
            self._send(200, {"id": "x", "object": "chat.completion", "choices": [choice], "usage": usage})

    return Handler


_SETTINGS = {"max_prompt_chars", "base_delay"}  # rules that set the server up instead of answering


def main() -> None:
    port, log_path, script_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    with open(script_path) as handle:
        rules = json.load(handle)
    settings = {key: value for rule in rules for key, value in rule.items() if key in _SETTINGS}
    answers = [rule for rule in rules if not _SETTINGS & set(rule)]
    server = ScriptedServer(
        log_path, answers, settings.get("max_prompt_chars", 100_000), settings.get("base_delay", 0.0)
    )
    ThreadingHTTPServer.request_queue_size = 256  # the default 5 resets connections at concurrency 16
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler_for(server))
    httpd.daemon_threads = True
    httpd.serve_forever()


if __name__ == "__main__":
    main()

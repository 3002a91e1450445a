#!/usr/bin/env python3
"""Durability under kill -9: no acknowledged tally is ever lost.

Starts `pinne serve` on a fresh data directory, lets 8 threads post tallies as fast as the server
takes them, kills the server with SIGKILL at a random moment, starts it again (the data
directory's lock must not keep it from starting), and repeats. At the end every tally that was
acknowledged (201 with an id) must be in the database, and the pre-aggregated counts must agree
with the tallies.

Usage: scripts/kill9.py [path/to/pinne] [rounds]   (default target/release/pinne, 50 rounds)
Standard library only.
"""

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/pinne"
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 50
THREADS = 8
BODY = json.dumps({
    "insats": "coachingteamet", "kind": "inskrivning",
    "values": {"kon": "kvinna", "kommun": "degerfors", "aldersgrupp": "16_19", "utbildning": "grundskola",
               "forsorjning": "ingen", "tid_forsorjning": "ingen"},
})


def pinne(data, *args, stdin=""):
    out = subprocess.run([BIN, "--data-dir", data, *args], input=stdin, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise SystemExit("the server did not start")


def writer(port, token, stop, acknowledged, lock):
    while not stop.is_set():
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("POST", "/api/v1/tallies", BODY,
                      {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            r = c.getresponse()
            body = r.read()
            if r.status == 201:
                with lock:
                    acknowledged.append(json.loads(body)["id"])
            c.close()
        except (OSError, http.client.HTTPException, ValueError):
            time.sleep(0.01)  # the server is down: try again


def main():
    data = tempfile.mkdtemp(prefix="pinne-kill9-")
    pinne(data, "user", "add", "anna", "--role", "coach", "--insats", "coachingteamet", "--password-stdin",
          stdin="en lång lösenfras för anna\n")
    token = pinne(data, "token", "create", "anna")
    acknowledged, lock = [], threading.Lock()
    for round_ in range(ROUNDS):
        port = free_port()
        server = subprocess.Popen([BIN, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening(port)
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(port, token, stop, acknowledged, lock))
                   for _ in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.2, 1.5))
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        stop.set()
        for t in threads:
            t.join()
    db = sqlite3.connect(os.path.join(data, "pinne.sqlite3"))
    stored = {row[0] for row in db.execute("SELECT id FROM tally")}
    counted = db.execute("SELECT coalesce(sum(n), 0) FROM tally_count WHERE value_id = 0").fetchone()[0]
    lost = [i for i in acknowledged if i not in stored]
    print(f"{ROUNDS} kill -9 rounds, {THREADS} writing threads: {len(acknowledged)} acknowledged, "
          f"{len(stored)} stored, {len(lost)} lost; counts {counted} for {len(stored)} tallies")
    if lost or counted != len(stored):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Nothing leaves the machine: the app, started for real, answers with no connection attempt off loopback.

An audit hook in the server process records every socket connect and name lookup; proxies point at a
closed port, so anything that tried to reach out through them would be logged too.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .support import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.model

GUARD = r"""
import ipaddress, json, socket, sys
log = open(sys.argv[1], "a", buffering=1)
def loopback(host):
    if host in (None, "", "localhost") or str(host).startswith("/"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False
def hook(event, args):
    if event == "socket.connect":
        addr = args[1]
        host = addr[0] if isinstance(addr, tuple) else addr
        if not loopback(host):
            log.write(json.dumps({"event": event, "target": str(addr)}) + "\n")
    elif event == "socket.getaddrinfo" and not loopback(args[0]):
        log.write(json.dumps({"event": event, "target": str(args[0])}) + "\n")
sys.addaudithook(hook)
from article_qa.cli import main
sys.exit(main(["serve", "--port", sys.argv[2]]))
"""


def test_app_answers_without_reaching_out(tmp_path):
    log = tmp_path / "outbound.jsonl"
    port = free_port()
    switched_off_by_the_app = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "GRADIO_ANALYTICS_ENABLED")
    env = {k: v for k, v in os.environ.items() if k not in switched_off_by_the_app}
    env |= {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost"}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", GUARD, str(log), str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/", timeout=1)
                break
            except OSError:
                assert proc.poll() is None, "app.py exited"
                time.sleep(0.2)
        from gradio_client import Client

        client = Client(url, verbose=False, analytics_enabled=False)
        reply = client.predict("Does ketamine help with cocaine addiction?", api_name="/chat")
        assert "cocaine" in reply
        time.sleep(1)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    attempts = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    assert attempts == [], f"outbound attempts: {attempts}"

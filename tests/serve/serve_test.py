"""flatbert serve on a free loopback port: good and bad requests, clients that connect and send nothing, 8 concurrent
clients x 200 requests with every response checked (none lost, each in its order), and a clean stop on SIGTERM.
  serve_test.py FLATBERT_BIN"""
import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

TEXTS = ["I love my new car", "worst service ever, never again", "@bmw what time do you open tomorrow?",
         "Café crème &amp; croissants http://t.co/x", "meh"]


def main():
    server = subprocess.Popen([sys.argv[1], "serve", "--port", "0", "--threads", "4"], stderr=subprocess.PIPE,
                              text=True)
    line = server.stderr.readline()
    port = int(line.split("127.0.0.1:")[1].split()[0])
    base = f"http://127.0.0.1:{port}"
    failures = []

    def check(what, ok):
        if not ok:
            failures.append(what)

    def post(body, raw=False, timeout=30):
        data = body if raw else json.dumps(body).encode()
        req = urllib.request.Request(base + "/v1/classify", data=data, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    with urllib.request.urlopen(base + "/health", timeout=10) as r:
        health = json.loads(r.read())
    check("health", health["status"] == "ok" and health["labels"] == ["negative", "neutral", "positive"])

    status, reference = post({"texts": TEXTS})
    check("classify", status == 200 and len(reference["results"]) == len(TEXTS))
    expected = {t: r for t, r in zip(TEXTS, reference["results"])}
    check("a result per text", all("label" in r and r["tokens"] > 2 for r in reference["results"]))

    status, body = post({"texts": ["fine", "", "   "], "ids": [7, "x", None]})
    check("per-text errors in place", status == 200 and [r.get("id") for r in body["results"]] == [7, "x", None]
          and "label" in body["results"][0] and "error" in body["results"][1] and "error" in body["results"][2])
    for bad in [b"{not json", b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                b'{"texts": "one"}', b'{"texts": [1, 2]}', b'{"texts": ["a"], "ids": [1, 2]}', b'{}']:
        status, body = post(bad, raw=True)
        check(f"400 for {bad[:20]!r}", status == 400 and "error" in body)
    status, body = post({"texts": ["a"] * 4097})
    check("400 over 4096 texts", status == 400 and "at most 4096" in body.get("error", ""))
    status, body = post({"texts": ["a"] * 4096})  # 20 KB, sent as urllib's default form type
    check("4096 texts are fine", status == 200 and len(body["results"]) == 4096)
    req = urllib.request.Request(base + "/v1/classify", data=b"--x\r\n\r\n--x--\r\n", method="POST",
                                 headers={"Content-Type": "multipart/form-data; boundary=x"})
    try:
        urllib.request.urlopen(req, timeout=30)
        check("400 for a multipart body", False)
    except urllib.error.HTTPError as e:
        check("400 for a multipart body", e.code == 400)
    status, body = post(b'{"texts": ["' + b"a" * (17 << 20) + b'"]}', raw=True)
    check("413 over the body limit", status == 413)
    # 16 MiB of zeros is 8 million JSON values, 300 MB once built: refused while parsing.
    status, body = post(b'{"texts": [' + b"0," * ((8 << 20) - 8) + b'0]}', raw=True)
    check(f"400 over the JSON values limit: {body}", status == 400 and "65536 JSON values" in body.get("error", ""))
    with open(f"/proc/{server.pid}/status") as f:
        peak_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    check(f"peak RSS {peak_kb} kB after the largest bodies is under 128 MB", peak_kb < 128 << 10)

    # Clients that connect and send nothing hold a connection each, for httplib's 5 s read timeout: twice --threads
    # of them leave the others served at once, not after the 5 s.
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
    try:
        status, body = post({"texts": ["hello"]}, timeout=3)
        check("classify beside 8 idle connections", status == 200 and "label" in body["results"][0])
    except OSError as e:  # a timeout: the idle connections held every worker
        check(f"classify beside 8 idle connections: {e}", False)
    for s in idle:
        s.close()

    def client(c, errors):
        for i in range(200):
            texts = [TEXTS[(c + i + j) % len(TEXTS)] for j in range(1 + i % 3)]
            ids = [f"{c}-{i}-{j}" for j in range(len(texts))]
            status, body = post({"texts": texts, "ids": ids})
            if status != 200 or [r["id"] for r in body["results"]] != ids:
                errors.append(f"client {c} request {i}: {status} {body}")
                continue
            for t, r in zip(texts, body["results"]):
                if r["label"] != expected[t]["label"] or r["probs"] != expected[t]["probs"]:
                    errors.append(f"client {c} request {i}: {r} for {t!r}")

    errors = []
    clients = [threading.Thread(target=client, args=(c, errors)) for c in range(8)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    check(f"8 clients x 200 requests: {errors[:3]}", not errors)

    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=10)
    rest = server.stderr.read()
    check(f"SIGTERM stops it cleanly (exit {code}, {rest!r})", code == 0 and "stopped" in rest)
    for f in failures:
        print("FAIL:", f)
    print(f"serve: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

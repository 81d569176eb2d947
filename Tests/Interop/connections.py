#!/usr/bin/env python3
"""Connection-level probes of a running relay, as an attacker or a patient client would make them.

  hold PORT COUNT SECONDS [--tls CA CERT KEY]
      Open COUNT connections (with --tls: each completes its handshake and one GET /v1/whoami
      with keep-alive) and hold them for SECONDS; then print how many the server had closed.
  until-closed PORT FIRST TRICKLE INTERVAL [--tls CA CERT KEY]
      Connect, send FIRST, then one byte of TRICKLE every INTERVAL seconds (cycling); print the
      seconds from the first send until the server closed the connection (cap 60).
  stall PORT COUNT LENGTH SENT PID --tls CA CERT KEY
      Open COUNT connections, each sending a POST /v1/reports head declaring Content-Length
      LENGTH and then SENT bytes of body, and stall them; then print, as JSON, how many bodies
      were sent in full, how many connections the relay answered or closed first, and the
      resident memory (VmRSS, KiB) of process PID with all of them stalled.
  keepalive PORT COUNT --tls CA CERT KEY
      Send COUNT GET /v1/whoami requests on one connection; print one line per response:
      the status and the Connection header, then 'closed' if the server closed after it.
"""
import socket
import ssl
import sys
import time


def connect(port, tls):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    if tls is None:
        return sock
    ca, cert, key = tls
    context = ssl.create_default_context(cafile=ca)
    context.load_cert_chain(cert, key)
    return context.wrap_socket(sock, server_hostname="localhost")


def read_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length body; returns (status, headers) or None at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        rest += chunk
    return status, headers


def closed_by_peer(sock):
    sock.settimeout(0.2)
    try:
        return sock.recv(1) == b""
    except (socket.timeout, ssl.SSLWantReadError):
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(30)


def main(argv):
    tls = None
    if "--tls" in argv:
        i = argv.index("--tls")
        tls = tuple(argv[i + 1:i + 4])
        argv = argv[:i] + argv[i + 4:]
    command, port = argv[0], int(argv[1])
    if command == "hold":
        count, seconds = int(argv[2]), float(argv[3])
        held = []
        for _ in range(count):
            sock = connect(port, tls)
            if tls is not None:
                sock.sendall(b"GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
                read_response(sock)
            held.append(sock)
        time.sleep(seconds)
        print(sum(1 for sock in held if closed_by_peer(sock)))
    elif command == "until-closed":
        first, trickle, interval = argv[2].encode(), argv[3].encode(), float(argv[4])
        sock = connect(port, tls)
        sock.sendall(first)
        start = time.monotonic()
        sock.settimeout(interval)
        i = 0
        while time.monotonic() - start < 60:
            try:
                if sock.recv(4096) == b"":
                    break
            except (socket.timeout, ssl.SSLWantReadError):
                pass
            except OSError:
                break
            if trickle:
                try:
                    sock.sendall(trickle[i % len(trickle):i % len(trickle) + 1])
                except OSError:
                    break
                i += 1
        print(round(time.monotonic() - start, 2))
    elif command == "stall":
        import json
        count, length, sent, pid = int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5])
        head = ("POST /v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n" % length).encode()
        body = b"{" + b" " * (sent - 1)
        held, full, answered = [], 0, 0
        for _ in range(count):
            sock = connect(port, tls)
            sock.settimeout(2)
            try:
                sock.sendall(head + body)
                full += 1
            except OSError:
                answered += 1
            held.append(sock)
        time.sleep(1)
        with open("/proc/%d/status" % pid) as status:
            rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        print(json.dumps({"sent_in_full": full, "answered_or_closed": answered, "rss_kib": rss}))
    elif command == "keepalive":
        sock = connect(port, tls)
        for _ in range(int(argv[2])):
            try:
                sock.sendall(b"GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
                response = read_response(sock)
            except OSError:
                response = None
            if response is None:
                print("eof")
                break
            status, headers = response
            print(status, headers.get("connection", "-"), "closed" if closed_by_peer(sock) else "open")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])

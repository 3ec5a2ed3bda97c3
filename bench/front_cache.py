"""Benchmark: cached public pages against nginx serving the same page as a static file.

Runs the production stack on this machine (gunicorn with the demo data in an
embedded database of its own, and the shared Redis cache when one answers on
127.0.0.1:6379), then measures requests per second with wrk for:

* nginx serving the area page's HTML as a static file (the ceiling);
* the portal's own page cache (gunicorn, no nginx);
* nginx with the documented one-second front cache in front of the portal
  (docs/examples/nginx/, the files a council installs);
* the same nginx with a session cookie, which must bypass the front cache.

Prints each figure and its ratio to the static file. Skips with a note when
nginx or wrk is not installed (Debian: apt-get install nginx wrk). Never uses
DATABASE_URL: it loads the demo into a throwaway SQLite file.

Run with `make bench`. Prints figures; asserts nothing about time.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples" / "nginx"
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
# What an outside check measured for nginx's one-second cache in front of Django, as a
# share of nginx serving the same page as a file; printed beside this run's figure.
REFERENCE_RATIO = 0.99


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"front cache: nothing answered at {url} within {seconds} s")


def fetch(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def wrk(url, cookie=None):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        raise SystemExit(f"front cache: {non_2xx.group(1)} error responses from {url}")
    return rate


def nginx_conf(tmp, static_port, front_port, web_port):
    cache_conf = (EXAMPLES / "send-portal-cache.conf").read_text()
    cache_conf = cache_conf.replace("/var/cache/nginx/send-portal", str(tmp / "nginx-cache"))
    (tmp / "send-portal-cache.conf").write_text(cache_conf)
    shutil.copy(EXAMPLES / "send-portal-proxy.conf", tmp / "send-portal-proxy.conf")
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    include {tmp}/send-portal-cache.conf;
    upstream send_portal_web {{ server 127.0.0.1:{web_port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{static_port};
        location / {{ root {tmp}/static-copy; default_type text/html; }}
    }}
    server {{
        listen 127.0.0.1:{front_port};
        location / {{
            proxy_pass http://send_portal_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            include {tmp}/send-portal-proxy.conf;
        }}
    }}
}}
"""


def main():
    missing = [tool for tool in ("nginx", "wrk") if not shutil.which(tool)]
    if missing:
        print(
            f"Front cache: skipped ({' and '.join(missing)} not installed; "
            "Debian: apt-get install nginx wrk)."
        )
        return
    python = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="portal-front-cache-"))
    tmp.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DEBUG="false",
        VAR_DIR=str(tmp / "var"),
        STATIC_ROOT=str(tmp / "staticfiles"),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        TASKS_BACKEND="immediate",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="ERROR",
    )
    if redis_answers():
        env.update(CACHE_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX=f"bench-{os.getpid()}")
        cache_name = "Redis"
    else:
        env.update(CACHE_URL="db://portal_cache")
        cache_name = "the database cache"
    processes = []
    try:
        manage = [python, "manage.py"]
        quiet = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
        subprocess.run([*manage, "collectstatic", "--no-input", "--verbosity", "0"], **quiet)
        subprocess.run([*manage, "migrate", "--no-input", "--verbosity", "0"], **quiet)
        subprocess.run([*manage, "createcachetable"], **quiet)
        # A throwaway database on this machine only, so the demo's published password is harmless.
        subprocess.run([*manage, "load_demo", "--force"], **quiet)

        web_port, static_port, front_port = free_port(), free_port(), free_port()
        gunicorn = subprocess.Popen(
            [python, "-m", "gunicorn", "send_portal.wsgi:application", "--workers",
             str(WEB_WORKERS), "--bind", f"127.0.0.1:{web_port}", "--no-control-socket",
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(gunicorn)
        web = f"http://127.0.0.1:{web_port}"
        wait_for(f"{web}/healthz/web")
        home = fetch(f"{web}/")[2].decode()
        slug = re.search(r'href="/areas/([a-z0-9-]+)/"', home).group(1)
        path = f"/areas/{slug}/"
        status, headers, page = fetch(web + path)
        if status != 200 or "Set-Cookie" in headers:
            raise SystemExit(f"front cache: {path} answered {status} {headers}: not cacheable")
        (tmp / "static-copy" / "areas" / slug).mkdir(parents=True)
        (tmp / "static-copy" / "areas" / slug / "index.html").write_bytes(page)

        (tmp / "nginx.conf").write_text(nginx_conf(tmp, static_port, front_port, web_port))
        nginx = subprocess.Popen(["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf")])
        processes.append(nginx)
        static, front = f"http://127.0.0.1:{static_port}", f"http://127.0.0.1:{front_port}"
        wait_for(static + path)
        fetch(front + path)
        cached = fetch(front + path)[1].get("X-Cache-Status")
        bypassed = fetch(front + path, cookie="sessionid=not-a-session")[1].get("X-Cache-Status")

        for url in (static + path, web + path, front + path):  # warm up
            wrk_short = ["wrk", "-t1", "-c4", "-d1s", url]
            subprocess.run(wrk_short, capture_output=True, check=True)
        rates = {
            "static": wrk(static + path),
            "portal": wrk(web + path),
            "front": wrk(front + path),
            "bypass": wrk(front + path, cookie="sessionid=not-a-session"),
        }
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM if process is not processes[-1] else signal.SIGQUIT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    static_rate = rates["static"]
    print(
        f"Front cache: the area page {path} ({len(page) / 1024:.0f} KiB), wrk {CONNECTIONS} "
        f"connections for {SECONDS} s each, gunicorn {WEB_WORKERS} workers, cache in {cache_name}"
    )
    print(f"  nginx, the page as a static file      {static_rate:8.0f} requests/s  1.00×")
    for key, label in (
        ("portal", "the portal's own page cache        "),
        ("front", "nginx 1 s front cache (documented) "),
        ("bypass", "front cache, signed in (bypassed)  "),
    ):
        print(f"  {label}   {rates[key]:8.0f} requests/s  {rates[key] / static_rate:.2f}×")
    ratio = rates["front"] / static_rate
    print(
        f"  front cache ÷ static file: {ratio:.2f}× (an outside check measured "
        f"{REFERENCE_RATIO:.2f}× on an idle machine); the portal alone: "
        f"{rates['portal'] / static_rate:.2f}×"
    )
    print(f"  X-Cache-Status: second visitor {cached}, with a session cookie {bypassed}")


if __name__ == "__main__":
    main()

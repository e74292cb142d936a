"""A small news site for ingestion tests: a real HTTP server in a thread, whose pages a test can change.

``PageServer.pages`` maps a path to (status, content type, body); a test edits it to make a page change,
vanish (404/410) or fail (503); ``redirects`` maps a path to the address it redirects to. ``hold(path)``
makes a path wait until ``release()`` — a fetch caught mid-task, for the worker kill test — and
``requests`` records every path asked for.
"""

from __future__ import annotations

import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .factories import SEED_A1, SEED_A2

HEADLINE_A1 = "Nga và EU kêu gọi ngừng bắn ở Libya"
HEADLINE_A2 = "Tướng Haftar tiến quân vào Tripoli"


def news_page(headline: str, text: str, lang: str = "vi") -> bytes:
    """A news page as sites publish it: a menu, the article's paragraphs, a footer."""
    paragraphs = "\n".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(headline)} - Báo Mẫu</title></head>
<body><nav><a href="/">Trang chủ</a> | <a href="/the-gioi">Thế giới</a></nav>
<article><h1>{escape(headline)}</h1>
{paragraphs}
</article>
<footer><p>Giấy phép hoạt động báo chí số 999/GP-BTTTT.</p></footer></body></html>""".encode()


def seed_pages() -> dict[str, tuple[int, str, bytes]]:
    html = "text/html; charset=utf-8"
    return {
        "/libya/ngung-ban": (200, html, news_page(HEADLINE_A1, SEED_A1)),
        "/libya/haftar-tripoli": (200, html, news_page(HEADLINE_A2, SEED_A2)),
    }


class _Handler(BaseHTTPRequestHandler):
    server: PageServer

    def do_GET(self) -> None:
        site = self.server
        site.requests.append(self.path)
        held = site.held.get(self.path)
        if held is not None:
            site.arrived.set()
            held.wait(timeout=120)
        if self.path in site.redirects:
            self.send_response(302)
            self.send_header("Location", site.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, content_type, body = site.pages.get(
            self.path, (404, "text/html; charset=utf-8", b"<html><body><p>Not found</p></body></html>")
        )
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a worker killed mid-fetch)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = seed_pages()
        self.redirects: dict[str, str] = {}
        self.requests: list[str] = []
        self.held: dict[str, threading.Event] = {}
        self.arrived = threading.Event()
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        # A name, not the IP: FETCH_ALLOWED_HOSTS lets names through, never IP literals.
        return f"http://localhost:{self.server_port}{path}"

    def hold(self, path: str) -> None:
        self.arrived.clear()
        self.held[path] = threading.Event()

    def release(self) -> None:
        for event in self.held.values():
            event.set()
        self.held.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass

    def stop(self) -> None:
        self.release()
        self.shutdown()
        self.server_close()

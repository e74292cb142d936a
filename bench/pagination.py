"""Cursor pagination of the API list: page 1,000 against page 1 (goal: ratio of p50 ≤ 1.2).

The cursor of page ``--page`` is made the way the API makes it (``p=<last id of the page before>``,
base64); it is checked first against the API's own ``next`` link of page 1. Both pages are then asked
``--repeats`` times, interleaved, in-process (Django's test client), with ``page_size=50&lang=en``.
On a small database the deepest page that exists is used, and the report says which.

    python -m bench.pagination --n 100000 [--page 1000] [--repeats 40]
"""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from bench import common

PAGE_SIZE = 50
GOAL_RATIO = 1.2


def cursor_for(last_id: int) -> str:
    return base64.b64encode(urlencode({"p": str(last_id)}).encode()).decode()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = common.parser(__doc__.splitlines()[0])
    arguments.add_argument("--page", type=int, default=1000, help="the deep page (default 1000)")
    arguments.add_argument("--repeats", type=int, default=40, help="requests per page (default 40)")
    options = arguments.parse_args(argv)
    size = common.prepare(options.n, options.seed)

    from django.test import Client

    from claims.models import Claim

    public = Claim.objects.public().order_by("-id").values_list("pk", flat=True)
    pages = max(1, (size["public_claims"] - 1) // PAGE_SIZE + 1)
    deep = max(2, min(options.page, pages))
    first_path = f"/api/v1/claims/?page_size={PAGE_SIZE}&lang=en"
    client = Client()
    first = client.get(first_path).json()
    # The API's next link of page 1 must be the cursor we would make from page 1's last id.
    made = cursor_for(first["results"][-1]["id"])
    given = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    if made != given:
        raise SystemExit(f"cursor format changed: the API gives {given!r}, the benchmark makes {made!r}")
    before = public[(deep - 1) * PAGE_SIZE - 1]
    deep_path = f"{first_path}&cursor={quote(cursor_for(before))}"
    if client.get(deep_path).json()["results"][0]["id"] != public[(deep - 1) * PAGE_SIZE]:
        raise SystemExit("the deep page does not start where it should")

    times: dict[str, list[float]] = {"page_1": [], f"page_{deep}": []}
    for _ in range(options.repeats):
        for name, path in ((f"page_{deep}", deep_path), ("page_1", first_path)):
            started = time.perf_counter()
            response = client.get(path)
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200
    report = common.Report("pagination", size)
    for name, values in times.items():
        latency = common.summary_ms(values)
        report.figures[name] = {"p50_ms": round(latency["p50_ms"], 2), "p95_ms": round(latency["p95_ms"], 2)}
    ratio = common.percentile(times[f"page_{deep}"], 50) / common.percentile(times["page_1"], 50)
    report.figures["deep_page"] = deep
    report.figures["ratio_p50"] = round(ratio, 3)
    report.goals.append(common.Goal(f"page {deep} / page 1 (p50)", ratio, GOAL_RATIO, at_most=True, unit="×"))
    if deep < options.page:
        report.notes.append(f"only {pages} pages of {PAGE_SIZE}: page {deep} measured instead of {options.page}")
    return common.finish(report, options.json)


if __name__ == "__main__":
    main()

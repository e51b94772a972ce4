"""A crowd of health checks: 200 GET /api/health at once on the live stack, with a run spec
checked in the middle of them. Health reads the workers' heartbeat from Redis and never
asks the workers itself, so the crowd is answered within about a second and holds up no
other request. Reports the time until every health check was answered, the slowest single
answer, and how long the run check took meanwhile."""

import asyncio
import json
import statistics
import time
from urllib.parse import urlparse

from bench import results
from bench.live_stack import live_stack

CROWD = 200
ROUNDS = 3
SPEC = {"dataset": "adding", "model": {"cell": "gru", "hidden": 16}}


async def request(url: str, method: str, path: str, body: bytes = b"") -> tuple[int, float]:
    """One request on its own connection: (status, seconds until the whole answer came)."""
    where = urlparse(url)
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {where.netloc}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    answer = await reader.read()  # to the end: the server closes the connection
    writer.close()
    return int(answer.split(b" ", 2)[1]), time.perf_counter() - started


async def crowd(url: str) -> dict:
    async def check_a_spec():
        await asyncio.sleep(0.05)  # in the middle of the crowd
        return await request(url, "POST", "/api/runs/check", json.dumps(SPEC).encode())

    started = time.perf_counter()
    checks = [request(url, "GET", "/api/health") for _ in range(CROWD)]
    *health, spec = await asyncio.gather(*checks, check_a_spec())
    everything = time.perf_counter() - started
    assert all(status == 200 for status, _ in health), [s for s, _ in health if s != 200]
    assert spec[0] == 200, spec
    return {
        "all_answered_s": everything,
        "slowest_health_s": max(seconds for _, seconds in health),
        "run_check_meanwhile_s": spec[1],
    }


def main() -> dict:
    with live_stack("bench-health.sqlite3") as stack:
        asyncio.run(crowd(stack.url))  # warm the web server: imports, connections
        rounds = [asyncio.run(crowd(stack.url)) for _ in range(ROUNDS)]
    report = {
        "benchmark": f"{CROWD} concurrent GET /api/health (one POST /api/runs/check among them)",
        "rounds": ROUNDS,
        **{
            f"median_{name}": round(statistics.median(r[name] for r in rounds), 3)
            for name in rounds[0]
        },
        "worst_all_answered_s": round(max(r["all_answered_s"] for r in rounds), 3),
    }
    print(json.dumps(report, indent=2))
    results.save("health_load", report)
    return report


if __name__ == "__main__":
    main()

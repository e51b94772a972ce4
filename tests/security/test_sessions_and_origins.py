"""Sessions nobody can forge, and state changes only from the app's own origin: on the
live stack, with the victim's real cookies sent from a page on another port."""

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from playground.runs.models import Run
from playground.stack.redis_server import free_port
from tests.conftest import slow_spec, tiny_spec
from tests.forms import multipart
from tests.uploads.test_uploads_on_the_stack import upload as upload_file

pytestmark = pytest.mark.stack

BASE_DIR = Path(__file__).resolve().parent.parent.parent
OLD_REPOSITORY_KEY = "dev-only-secret-change-me-in-production"
SESSION_SALT = "django.contrib.sessions.backends.signed_cookies"
REFUSED = "did not come from the playground's own pages"


def send(url, method="GET", body=None, headers=None) -> tuple[int, dict, dict]:
    """One bare request (no cookie jar): status, JSON body (or {}) and headers."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw, status, head = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, head = error.read(), error.code, error.headers
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = {}
    return status, answer, head


def cookies_of(client) -> dict:
    return {cookie.name: cookie.value for cookie in client.cookies}


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def from_elsewhere(client, method, path, body=None, content_type="application/json"):
    """What a page on a sibling origin (another port of the same host) can make the
    victim's browser send: the victim's cookies (same site), its own Origin, no token
    (it cannot read our cookie)."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    headers = {
        "Cookie": cookie_header(cookies_of(client)),
        "Origin": f"http://127.0.0.1:{free_port()}",
        "Content-Type": content_type,
    }
    status, answer, _ = send(client.base_url + path, method, body, headers)
    return status, answer


def owner_of(client) -> str:
    session = signing.loads(
        cookies_of(client)["sessionid"], key=settings.SECRET_KEY, salt=SESSION_SALT
    )
    return session["owner"]


def run_count(django_db_blocker, owner: str) -> int:
    with django_db_blocker.unblock():
        return Run.objects.filter(owner=owner).count()


SERIES = ("t,value\n" + "".join(f"{i},{i % 7}\n" for i in range(100))).encode()


def upload(client, name: str) -> tuple[int, dict]:
    return upload_file(client, "s.csv", SERIES, kind="series", name=name)


def started(client, spec) -> dict:
    status, run = client.post("/api/runs", spec)
    assert status == 201, run
    return run


def assert_refused(status, answer):
    assert status == 403, answer
    assert REFUSED in answer["error"], answer


# Forged sessions -------------------------------------------------------------------------


def forged_session(data: dict, key: str) -> str:
    return signing.dumps(data, key=key, salt=SESSION_SALT, compress=True)


def test_a_session_signed_with_the_old_repository_key_is_not_accepted(client_of):
    teacher, forger = client_of(), client_of()
    _, made = teacher.post("/api/workshops", {"title": "Forgery"})
    code = made["code"]
    forger.opener.open(f"{forger.base_url}/w/{code}/", timeout=30).read()  # hands out csrftoken
    token = cookies_of(forger).get("csrftoken", "")

    def close_with(session: str):
        headers = {
            "Cookie": cookie_header({"sessionid": session, "csrftoken": token}),
            "X-CSRFToken": token,  # the forger's own token pair: only the key is missing
            "Origin": forger.base_url,
            "Content-Type": "application/json",
        }
        url = f"{forger.base_url}/api/workshops/{code}/close"
        return send(url, "POST", b"{}", headers)[:2]

    status, answer = close_with(forged_session({"instructing": [code]}, OLD_REPOSITORY_KEY))
    assert status == 403, answer
    assert answer["error"] == "Only the instructor (with the instructor link) can do this."
    assert teacher.get(f"/api/workshops/{code}")[1]["status"] == "open"

    # The same session signed with the server's own key is honoured: the forgery above
    # was well made, and failed only for want of the key.
    status, answer = close_with(forged_session({"instructing": [code]}, settings.SECRET_KEY))
    assert status == 200, answer
    assert teacher.get(f"/api/workshops/{code}")[1]["status"] == "closed"


def clean_env(**extra) -> dict:
    """An environment with no key and no test session in it: a fresh shell's."""
    keep = ("PATH", "HOME", "LANG", "REDIS_URL", "DATABASE_URL")
    return {name: os.environ[name] for name in keep if name in os.environ} | extra


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_app_refuses_to_start_with_debug_off_and_no_key():
    refused = manage("check", env=clean_env())
    assert refused.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set. Set it to" in refused.stderr

    placeholder = production_env()["SECRET_KEY"]
    refused = manage("check", env=clean_env(SECRET_KEY=placeholder))
    assert refused.returncode != 0
    assert "SECRET_KEY is a placeholder or too weak" in refused.stderr

    weak = manage("check", env=clean_env(SECRET_KEY=OLD_REPOSITORY_KEY))
    assert weak.returncode != 0

    # With a key of its own, or DEBUG=True for local work, it starts.
    assert manage("check", env=clean_env(SECRET_KEY=secrets.token_urlsafe(50))).returncode == 0
    assert manage("check", env=clean_env(DEBUG="True")).returncode == 0


def production_env() -> dict:
    lines = (BASE_DIR / "deploy" / "production.env").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def test_check_deploy_under_the_production_env_prints_no_warning():
    env = {**clean_env(), **production_env(), "SECRET_KEY": secrets.token_urlsafe(50)}
    checked = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "System check identified no issues (0 silenced)."
    assert checked.stderr == ""


# Headers on every response ---------------------------------------------------------------


def test_every_page_and_api_response_carries_the_content_security_policy(live):
    run = started(live, tiny_spec())
    _, made = live.post("/api/workshops", {"title": "Headers"})
    paths = [
        "/",
        f"/runs/{run['id']}/",
        f"/compare/?runs={run['id']}",
        "/workshops/new",
        f"/w/{made['code']}/",
        "/api/health",
        "/api/datasets",
        f"/api/runs/{run['id']}",
        "/api/runs/nope",  # a JSON 404
        "/runs/nope/",  # an HTML 404
        "/static/css/app.css",
    ]
    for path in paths:
        _, _, headers = send(live.base_url + path)
        policy = dict(
            part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
        )
        assert policy["script-src"] == "'self'", path
        assert policy["default-src"] == "'self'", path
        assert policy["frame-ancestors"] == "'none'", path
        assert policy["object-src"] == "'none'", path
        assert policy["connect-src"].split()[0] == "'self'", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize("page", ["/", "/workshops/new"])
def test_a_first_visit_to_a_page_gets_the_csrf_cookie(live, page):
    live.opener.open(live.base_url + page, timeout=30).read()
    assert "csrftoken" in cookies_of(live)


# Cross-origin requests with the victim's cookies -----------------------------------------


def test_a_cross_origin_cancel_is_refused_and_the_pages_own_works(live):
    run = started(live, slow_spec())
    assert_refused(*from_elsewhere(live, "POST", f"/api/runs/{run['id']}/cancel"))
    assert live.get(f"/api/runs/{run['id']}")[1]["status"] in ("queued", "running")

    status, answer = live.post(f"/api/runs/{run['id']}/cancel")
    assert status == 202, answer
    live.wait_for_status(run["id"], {"cancelled"})


def test_a_cross_origin_delete_is_refused_and_the_pages_own_works(live):
    run = started(live, slow_spec())
    assert live.post(f"/api/runs/{run['id']}/cancel")[0] == 202
    live.wait_for_status(run["id"], {"cancelled"})

    assert_refused(*from_elsewhere(live, "DELETE", f"/api/runs/{run['id']}"))
    assert live.get(f"/api/runs/{run['id']}")[0] == 200

    assert live.request("DELETE", f"/api/runs/{run['id']}") == (
        200,
        {"id": run["id"], "deleted": True},
    )


def test_a_cross_origin_run_is_refused_and_the_pages_own_works(live, django_db_blocker):
    first = started(live, slow_spec())  # the browser has an identity, and one run
    owner = owner_of(live)
    assert_refused(*from_elsewhere(live, "POST", "/api/runs", tiny_spec()))
    assert run_count(django_db_blocker, owner) == 1

    second = started(live, slow_spec())
    assert run_count(django_db_blocker, owner) == 2
    for run in (first, second):  # a long run left going would hold the worker up
        assert live.post(f"/api/runs/{run['id']}/cancel")[0] == 202


def test_a_cross_origin_upload_is_refused_and_the_pages_own_works(live):
    body, content_type = multipart({"kind": "series", "name": "planted"}, "p.csv", SERIES)
    # The victim has a session (an upload of its own) before the attack.
    assert upload(live, "mine")[0] == 201
    assert_refused(*from_elsewhere(live, "POST", "/api/datasets", body, content_type))
    names = [d["name"] for d in live.get("/api/datasets")[1]["datasets"] if not d["builtin"]]
    assert names == ["mine"]

    assert upload(live, "planted")[0] == 201


def test_a_cross_origin_join_is_refused_and_leaves_the_session_alone(client_of):
    teacher, victim = client_of(), client_of()
    _, made = teacher.post("/api/workshops", {"title": "Lure"})
    run = started(victim, slow_spec())
    session = cookies_of(victim)["sessionid"]

    status, answer = from_elsewhere(
        victim, "POST", f"/api/workshops/{made['code']}/join", {"name": "Victim"}
    )
    assert_refused(status, answer)
    assert teacher.get(f"/api/workshops/{made['code']}")[1]["participants"] == []
    assert cookies_of(victim)["sessionid"] == session

    # Without the victim's cookie (a cross-site form: SameSite keeps it back), its Origin
    # still gives it away; before, its answer replaced the victim's session.
    url = f"{victim.base_url}/api/workshops/{made['code']}/join"
    status, answer, headers = send(
        url,
        "POST",
        json.dumps({"name": "Victim"}).encode(),
        {"Origin": "https://elsewhere.example", "Content-Type": "application/json"},
    )
    assert_refused(status, answer)
    assert "sessionid" not in (headers.get("Set-Cookie") or "")
    victim.post(f"/api/runs/{run['id']}/cancel")


def test_a_same_origin_request_with_the_cookie_but_no_token_is_refused(live):
    run = started(live, slow_spec())
    headers = {
        "Cookie": cookie_header(cookies_of(live)),
        "Origin": live.base_url,
        "Content-Type": "application/json",
    }
    url = f"{live.base_url}/api/runs/{run['id']}/cancel"
    status, answer, _ = send(url, "POST", b"", headers)
    assert_refused(status, answer)
    assert answer["reason"] == "CSRF token missing."
    live.post(f"/api/runs/{run['id']}/cancel")


def test_a_script_with_the_owner_token_and_no_cookies_can_cancel(live):
    run = started(live, slow_spec())
    url = f"{live.base_url}/api/runs/{run['id']}/cancel"
    status, answer, _ = send(url, "POST", b"", {"X-Owner-Token": run["owner_token"]})
    assert status == 202, answer
    live.wait_for_status(run["id"], {"cancelled"})


def test_joining_keeps_the_browsers_runs_and_uploads(client_of):
    teacher, browser = client_of(), client_of()
    _, made = teacher.post("/api/workshops", {"title": "Keep"})
    assert upload(browser, "before joining")[0] == 201
    run = started(browser, slow_spec())
    owner = owner_of(browser)

    status, answer = browser.post(f"/api/workshops/{made['code']}/join", {"name": "Ada"})
    assert status == 201, answer
    assert owner_of(browser) == owner
    names = [d["name"] for d in browser.get("/api/datasets")[1]["datasets"] if not d["builtin"]]
    assert names == ["before joining"]
    assert browser.post(f"/api/runs/{run['id']}/cancel")[0] == 202


# WebSockets ------------------------------------------------------------------------------


def socket_url(stack, path: str) -> str:
    return stack.url.replace("http://", "ws://") + path


def first_message(stack, path: str, origin: str | None) -> dict:
    with connect(socket_url(stack, path), origin=origin, open_timeout=10) as socket:
        return json.loads(socket.recv(timeout=30))


def test_a_socket_from_another_origin_is_refused(live, stack):
    run = started(live, tiny_spec())
    _, made = live.post("/api/workshops", {"title": "Sockets"})
    for path in (f"/ws/runs/{run['id']}/", f"/ws/workshops/{made['code']}/"):
        for origin in (f"http://127.0.0.1:{free_port()}", "https://elsewhere.example", "null"):
            with pytest.raises(InvalidStatus) as refused:
                connect(socket_url(stack, path), origin=origin, open_timeout=10)
            assert refused.value.response.status_code == 403


def test_a_socket_from_our_own_pages_or_from_a_script_is_accepted(live, stack):
    run = started(live, tiny_spec())
    path = f"/ws/runs/{run['id']}/"
    assert first_message(stack, path, origin=stack.url)["seq"] == 1
    assert first_message(stack, path, origin=None)["seq"] == 1  # no Origin: not a browser


@pytest.mark.parametrize("path", ["/ws/runs/nope/", "/ws/workshops/NOPE42/", "/ws/nope/"])
def test_an_unknown_run_board_or_route_closes_with_4404(stack, path):
    with connect(socket_url(stack, path), origin=stack.url, open_timeout=10) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd.code == 4404


# The pages under their policy -----------------------------------------------------------


@pytest.mark.browser
def test_the_pages_train_and_draw_under_their_policy_without_a_violation(stack):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import ARGS, CHROMIUM, open_started_run

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()  # the pages' own CSP applies (no bypass)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(stack.url + "/")
            page.fill("#steps", "60")
            page.click("#train")  # a POST with the token, from the page's helper
            open_started_run(page)
            expect(page.locator("#status")).to_have_text("completed", timeout=180_000)
            expect(page.locator("#loss-chart .main-svg").first).to_be_visible()
            page.on("dialog", lambda dialog: dialog.accept())
            page.click("#delete")  # a DELETE with the token
            page.wait_for_url(stack.url + "/", timeout=30_000)
            page.goto(stack.url + "/workshops/new")
            page.fill("#ws-title", "Policy")
            page.click("#ws-create")
            expect(page.locator("#ws-made")).to_be_visible()
            page.goto(stack.url + page.locator("#ws-join").get_attribute("href"))
            page.fill("#join-name", "Ada")
            page.click("#join")  # a join with the token
            expect(page.locator("#me")).to_have_text("Ada", timeout=30_000)
        finally:
            browser.close()
    assert errors == []

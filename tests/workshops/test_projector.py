"""The projector view: the board shows the full join address, built from the host the page
was asked for, and a QR code of exactly that address, drawn on the server as inline SVG."""

import re

import pytest
import segno
from django.test import Client

from tests.workshops.test_workshop_api import workshop

pytestmark = pytest.mark.django_db


def dark_modules(svg: str) -> set[tuple[int, int]]:
    """Read segno's dark path back into the modules it paints: "M x y" moves to a row's middle,
    "m dx dy" moves relatively, "h n" paints n modules to the right."""
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            width = values[0]
            dark.update((int(y), int(x + i)) for i in range(int(width)))
            x += width
    return dark


def qr_of(page: str) -> str:
    return re.search(r'<figure class="join-qr".*?(<svg.*?</svg>)', page, re.S).group(1)


def expected_modules(address: str, border: int = 4) -> set[tuple[int, int]]:
    matrix = segno.make(address, error="m").matrix
    return {
        (row + border, col + border)
        for row, line in enumerate(matrix)
        for col, value in enumerate(line)
        if value
    }


def test_the_board_shows_the_full_join_address_and_its_qr_code():
    code = workshop(Client())["code"]
    page = Client().get(f"/w/{code}/", HTTP_HOST="localhost:8123").content.decode()
    address = f"http://localhost:8123/w/{code}/"
    assert f'<a id="join-address" href="{address}">{address}</a>' in page
    assert dark_modules(qr_of(page)) == expected_modules(address)


def test_the_address_follows_the_host_and_scheme_the_page_was_asked_with():
    code = workshop(Client())["code"]
    page = Client().get(f"/w/{code}/", HTTP_HOST="127.0.0.1:9000", secure=True).content.decode()
    address = f"https://127.0.0.1:9000/w/{code}/"
    assert f'href="{address}"' in page
    assert dark_modules(qr_of(page)) == expected_modules(address)
    assert dark_modules(qr_of(page)) != expected_modules(f"http://127.0.0.1:9000/w/{code}/")


def test_the_qr_code_is_markup_the_pages_policy_allows():
    """Inline SVG of paths: no script, no external reference, nothing CSP would block."""
    code = workshop(Client())["code"]
    answer = Client().get(f"/w/{code}/?view=projector")
    svg = qr_of(answer.content.decode())
    assert svg.startswith('<svg viewBox="') and "<script" not in svg and "href" not in svg
    assert "script-src 'self'" in answer["Content-Security-Policy"]
    assert 'class="workshop projector"' in answer.content.decode()


def test_the_instructor_page_links_to_the_projector_view_and_shows_the_code():
    made = workshop(Client())
    page = Client().get(made["instructor_url"]).content.decode()
    assert f'href="/w/{made["code"]}/?view=projector"' in page
    assert f'<p class="join-code" id="workshop-code">{made["code"]}</p>' in page

"""Unknown runs and workshops get a page a person can act on, still with status 404; the
API's unknown addresses stay JSON."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "sentence"),
    [
        ("/runs/no-such-run/", "There is no such run."),
        ("/w/NOSUCH/", "There is no such workshop."),
        ("/no/such/page/", "There is nothing at this address."),
    ],
)
def test_an_unknown_page_says_what_is_missing_and_where_to_go(client, path, sentence):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert sentence in page
    assert 'href="/"' in page  # a way back in
    assert "Resolver404" not in page and "page_not_found" not in page  # no template notes


def test_an_unknown_api_address_still_answers_in_json(client):
    response = client.get("/api/runs/no-such-run")
    assert response.status_code == 404
    assert "error" in response.json()
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert "error" in response.json()

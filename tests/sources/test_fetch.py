"""URL import against real local servers: what is fetched, and every refusal."""

import gzip
import ipaddress
import time

import pytest
from werkzeug import Request, Response

from providers.sources.fetch import FetchError, fetch_directory, is_public

LOCAL = ipaddress.ip_address("127.0.0.1")
CSV = b"id,name\nc1,Clinic One\n"


def only_local(address) -> bool:
    """Tests reach their own server on 127.0.0.1 and nothing else, as if it were public."""
    return address == LOCAL


def fetch(url, **kw):
    kw.setdefault("address_allowed", only_local)
    return fetch_directory(url, **kw)


def test_a_csv_is_fetched(httpserver):
    httpserver.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    got = fetch(httpserver.url_for("/clinics.csv"))
    assert got.data == CSV and got.filename == "clinics.csv" and got.content_type == "text/csv"


def test_up_to_three_redirects_are_followed_and_a_fourth_is_refused(httpserver):
    for i in range(4):
        httpserver.expect_request(f"/r{i}").respond_with_data(
            "", status=302, headers={"Location": f"/r{i + 1}"}
        )
    httpserver.expect_request("/r4").respond_with_data(CSV, content_type="text/csv")
    assert fetch(httpserver.url_for("/r1")).data == CSV
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(httpserver.url_for("/r0"))


def test_a_redirect_to_a_forbidden_address_is_refused(httpserver):
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "http://127.0.0.2:9/secret.csv"}
    )
    with pytest.raises(FetchError, match=r"127\.0\.0\.2, which is not a public"):
        fetch(httpserver.url_for("/go"))


def test_wrong_content_types_are_refused(httpserver):
    httpserver.expect_request("/page").respond_with_data("<html>", content_type="text/html")
    with pytest.raises(FetchError, match="text/html"):
        fetch(httpserver.url_for("/page"))


def test_oversize_is_refused_while_streaming_even_when_compressed(httpserver):
    big = gzip.compress(b"a" * 3_000_000)
    httpserver.expect_request("/big.csv").respond_with_data(
        big, content_type="text/csv", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError, match="larger than 1 MB"):
        fetch(httpserver.url_for("/big.csv"), max_bytes=1_000_000)
    assert len(big) < 1_000_000  # it was the decompressed size that counted


def test_a_slow_server_is_cut_off_at_the_total_time_limit(httpserver):
    def trickle(request: Request) -> Response:
        def body():
            yield b"id,name\n"
            for _ in range(40):
                time.sleep(0.1)
                yield b"c,slow\n"

        return Response(body(), content_type="text/csv")

    httpserver.expect_request("/slow.csv").respond_with_handler(trickle)
    start = time.monotonic()
    with pytest.raises(FetchError, match="within 1 seconds"):
        fetch(httpserver.url_for("/slow.csv"), total_timeout=1.0)
    assert time.monotonic() - start < 3.5


def test_http_errors_are_reported(httpserver):
    httpserver.expect_request("/gone.csv").respond_with_data("no", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(httpserver.url_for("/gone.csv"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.csv",
        "http://localhost/x.csv",
        "http://10.1.2.3/x.csv",
        "http://172.16.0.1/x.csv",
        "http://192.168.1.1/x.csv",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/x.csv",
        "http://0.0.0.0/x.csv",
        "http://224.0.0.1/x.csv",
        "http://[::1]/x.csv",
        "http://[::ffff:127.0.0.1]/x.csv",
        "http://[::ffff:10.0.0.1]/x.csv",
        "http://[fe80::1]/x.csv",
        "http://[fc00::1]/x.csv",
        "http://2130706433/x.csv",  # 127.0.0.1 as one number
    ],
)
def test_non_public_addresses_are_refused_before_any_connection(url):
    with pytest.raises(FetchError, match="not a public internet address"):
        fetch_directory(url)


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://example.org/x.csv", "only http"),
        ("file:///etc/passwd", "only http"),
        ("javascript:alert(1)", "only http"),
        ("http://user:pw@example.org/x.csv", "user name or password"),
        ("http:///x.csv", "no host name"),
    ],
)
def test_other_forms_are_refused(url, message):
    with pytest.raises(FetchError, match=message):
        fetch_directory(url)


def test_public_means_globally_routable():
    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1::1"))
    assert not is_public(ipaddress.ip_address("::ffff:192.168.0.1"))
    assert not is_public(ipaddress.ip_address("2002:7f00:1::"))  # 6to4 wrapping 127.0.0.1

"""URL import against real local servers: what is fetched, and every refusal."""

import gzip
import ipaddress
import shutil
import socketserver
import ssl
import subprocess
import threading
import time

import pytest
from werkzeug import Request, Response

from providers.sources import fetch as fetch_module
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


# --- the connection goes to the address that was checked, and nowhere else -----------------

PUBLIC = ipaddress.ip_address("93.184.216.34")
OTHER = ipaddress.ip_address("127.0.0.2")  # a second loopback address playing "public"


class StandIn:
    """A resolver that answers from a table (a list of answers is used one call at a time)."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def __call__(self, host, port):
        self.calls.append((host, port))
        answer = self.answers[host]
        if isinstance(answer[0], list):  # one answer per call for this name, then the last
            asked = sum(1 for name, _ in self.calls if name == host)
            return answer[min(asked, len(answer)) - 1]
        return answer


def never_resolve(host, port):
    raise AssertionError(f"{host} should not have been resolved")


@pytest.fixture
def other_server(httpserver):
    """A server on 127.0.0.2 with the same port as `httpserver` (which is on 127.0.0.1)."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host=str(OTHER), port=httpserver.port)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_name_is_resolved_once_and_its_checked_address_reached_with_its_host_header(
    httpserver,
):
    httpserver.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    resolver = StandIn({"clinics.test": [LOCAL]})
    got = fetch(f"http://clinics.test:{httpserver.port}/clinics.csv", resolver=resolver)
    assert got.data == CSV and got.url == f"http://clinics.test:{httpserver.port}/clinics.csv"
    assert resolver.calls == [("clinics.test", httpserver.port)]
    ((request, _),) = httpserver.log
    assert request.headers["Host"] == f"clinics.test:{httpserver.port}"


def test_dns_rebinding_cannot_reach_the_second_answer(httpserver, other_server):
    other_server.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    httpserver.expect_request("/clinics.csv").respond_with_data(b"id\nsecret\n", "text/csv")
    resolver = StandIn({"rebind.test": [[OTHER], [LOCAL]]})  # checked first, rebound later
    got = fetch_directory(
        f"http://rebind.test:{httpserver.port}/clinics.csv",
        address_allowed=lambda address: address == OTHER,
        resolver=resolver,
    )
    assert got.data == CSV
    assert resolver.calls == [("rebind.test", httpserver.port)]
    assert len(other_server.log) == 1 and httpserver.log == []


def test_dns_rebinding_to_loopback_after_a_public_answer_is_never_followed(httpserver):
    httpserver.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    resolver = StandIn({"rebind.test": [[PUBLIC], [LOCAL]]})
    with pytest.raises(FetchError, match=r"cannot connect to rebind\.test|rebind\.test did not"):
        fetch_directory(
            f"http://rebind.test:{httpserver.port}/clinics.csv",
            address_allowed=lambda address: address == PUBLIC,
            resolver=resolver,
            connect_timeout=0.5,
        )
    assert resolver.calls == [("rebind.test", httpserver.port)]
    assert httpserver.log == []


def test_every_redirect_is_resolved_once_checked_and_pinned(httpserver):
    port = httpserver.port
    httpserver.expect_request("/a").respond_with_data(
        "", status=302, headers={"Location": f"http://b.test:{port}/b"}
    )
    httpserver.expect_request("/b").respond_with_data(
        "", status=302, headers={"Location": "/c.csv"}
    )
    httpserver.expect_request("/c.csv").respond_with_data(CSV, content_type="text/csv")
    resolver = StandIn({"a.test": [LOCAL], "b.test": [[LOCAL], [ipaddress.ip_address("10.0.0.1")]]})
    with pytest.raises(FetchError, match=r"'b\.test' points to 10\.0\.0\.1"):
        fetch(f"http://a.test:{port}/a", resolver=resolver)
    assert resolver.calls == [("a.test", port), ("b.test", port), ("b.test", port)]
    assert [r.headers["Host"] for r, _ in httpserver.log] == [f"a.test:{port}", f"b.test:{port}"]
    assert [r.path for r, _ in httpserver.log] == ["/a", "/b"]  # /c.csv was never asked for


def test_an_international_name_has_one_spelling_for_the_check_and_the_connection(httpserver):
    httpserver.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    resolver = StandIn(
        {"xn--strae-oqa.test": [LOCAL], "strasse.test": [ipaddress.ip_address("10.0.0.1")]}
    )
    got = fetch(f"http://STRAßE.test:{httpserver.port}/clinics.csv", resolver=resolver)
    assert got.data == CSV
    assert resolver.calls == [("xn--strae-oqa.test", httpserver.port)]
    ((request, _),) = httpserver.log
    assert request.headers["Host"] == f"xn--strae-oqa.test:{httpserver.port}"


def test_an_international_name_cannot_be_checked_as_one_spelling_and_reached_as_another(
    httpserver,
):
    httpserver.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    resolver = StandIn(
        {"xn--strae-oqa.test": [ipaddress.ip_address("10.0.0.1")], "strasse.test": [LOCAL]}
    )
    with pytest.raises(FetchError, match=r"points to 10\.0\.0\.1"):
        fetch(f"http://straße.test:{httpserver.port}/clinics.csv", resolver=resolver)
    assert httpserver.log == []


def test_one_forbidden_answer_refuses_the_name_and_a_dead_checked_address_is_skipped(
    httpserver,
):
    httpserver.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    url = f"http://multi.test:{httpserver.port}/clinics.csv"
    mixed = StandIn({"multi.test": [LOCAL, ipaddress.ip_address("10.0.0.1")]})
    with pytest.raises(FetchError, match=r"points to 10\.0\.0\.1"):
        fetch(url, resolver=mixed)
    assert httpserver.log == []
    # nothing listens on 127.0.0.2 at this port: the next checked address is tried
    dead_first = StandIn({"multi.test": [OTHER, LOCAL]})
    got = fetch_directory(
        url, address_allowed=lambda address: address in (OTHER, LOCAL), resolver=dead_first
    )
    assert got.data == CSV and dead_first.calls == [("multi.test", httpserver.port)]


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://[::1/", "not a valid web address"),
        ("http://[::1", "not a valid web address"),
        ("http://[::1]x/", "not a valid host name"),
        ("http://[]/", "not a valid web address"),
        ("http://[127.0.0.1]/", "not a valid web address"),
        ("http://[v1.fe]/x.csv", "not a valid host name"),
        ("http://[::1%25eth0]/x.csv", "not a valid host name"),
        ("gopher://[host]:[port]/x", "not a valid web address"),
        ("http://host:99999/", "invalid port"),
        ("http://host:0/", "invalid port"),
        ("http://host:-1/", "invalid port"),
        ("http://host:+80/", "invalid port"),
        ("http://host:8o/", "invalid port"),
        ("http://[::1]:80:90/", "invalid port"),
        ("http:///x", "no host name"),
        ("http:x.csv", "no host name"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://a..b/", "not a valid host name"),
        ("http://ex%41mple.com/", "not a valid host name"),
        ("http://" + "a" * 64 + ".test/", "not a valid host name"),
        ("http://a\u2100b/", "not a valid web address"),  # NFKC would add a '/'
        ("http://\u0300a.test/", "not a valid international host name"),
        ("http://a\u200db.test/", "not a valid international host name"),
    ],
)
def test_malformed_addresses_are_refused_before_any_lookup(url, message):
    with pytest.raises(FetchError, match=message):
        fetch_directory(url, resolver=never_resolve)


@pytest.fixture
def raw_redirect():
    """A server that answers every request with a 302 to a Location sent byte for byte."""
    location = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            self.wfile.write(
                b"HTTP/1.1 302 Found\r\nLocation: " + location[0].encode()
                + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )  # fmt: skip

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield location, server.server_address[1]
        server.shutdown()


@pytest.mark.parametrize(
    "location, message",
    [
        ("http://[::1/x.csv", "redirected to an invalid address"),
        ("http://clinics.test:99999/", "invalid port"),
        ("gopher://[host]:[port]/x", "not a valid web address|redirected to an invalid"),
        ("http://exa mple.com/", "not a valid host name"),
    ],
)
def test_a_redirect_to_a_malformed_address_is_refused(raw_redirect, location, message):
    locations, port = raw_redirect
    locations.append(location)
    with pytest.raises(FetchError, match=message):
        fetch(f"http://127.0.0.1:{port}/go", resolver=never_resolve)


# --- https: connect to the checked address, but SNI and certificate use the host name ------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A throw-away certificate authority and a certificate for clinics.test only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Fetch test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=clinics.test")
    (d / "ext.cnf").write_text(
        "subjectAltName=DNS:clinics.test\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2",
            "-extfile", "ext.cnf")  # fmt: skip
    return d


@pytest.fixture
def tls_server(tls_files, monkeypatch):
    from pytest_httpserver import HTTPServer

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files / "server.pem", tls_files / "server.key")
    names = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    monkeypatch.setattr(fetch_module, "CA_BUNDLE", str(tls_files / "ca.pem"))
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    server.sni_names = names
    yield server
    server.clear()
    server.stop()


def test_https_is_pinned_while_sni_and_the_certificate_check_use_the_host_name(tls_server):
    tls_server.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    resolver = StandIn({"clinics.test": [LOCAL]})
    got = fetch(f"https://clinics.test:{tls_server.port}/clinics.csv", resolver=resolver)
    assert got.data == CSV and resolver.calls == [("clinics.test", tls_server.port)]
    assert tls_server.sni_names == ["clinics.test"]
    ((request, _),) = tls_server.log
    assert request.headers["Host"] == f"clinics.test:{tls_server.port}"


def test_https_to_a_name_the_certificate_does_not_cover_is_refused(tls_server):
    tls_server.expect_request("/clinics.csv").respond_with_data(CSV, content_type="text/csv")
    resolver = StandIn({"other.test": [LOCAL]})
    with pytest.raises(FetchError, match=r"cannot connect to other\.test: SSLError"):
        fetch(f"https://other.test:{tls_server.port}/clinics.csv", resolver=resolver)
    assert tls_server.log == []

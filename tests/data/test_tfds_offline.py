"""An unreachable TFDS download fails within seconds, in one line, naming the alternatives.

Before, `load_images("mnist")` with the network unreachable retried for
minutes (221 s measured here with a proxy on a closed port) before failing.
These tests make the network unreachable for real, not through mock_data:
a proxy on a closed loopback port (what a machine behind a dead proxy
sees), a refused connection, and a name lookup that hangs.
"""

import socket
import time

import pytest

from ganlab.data import EMBEDDED_DATASETS, images
from ganlab.data import tfds as gtfds

pytest.importorskip("tensorflow_datasets")
PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy")


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket closes


def assert_one_line_naming_alternatives(err, name, host):
    message = str(err)
    assert "\n" not in message
    assert name in message and host in message
    assert all(embedded in message for embedded in EMBEDDED_DATASETS)


@pytest.fixture
def no_proxy_settings(monkeypatch):
    for var in PROXY_VARS + ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_dead_proxy_fails_in_seconds(monkeypatch, tmp_path, no_proxy_settings, name):
    port = closed_port()
    for var in PROXY_VARS:
        monkeypatch.setenv(var, f"http://127.0.0.1:{port}")
    start = time.perf_counter()
    with pytest.raises(gtfds.DatasetUnavailableError) as info:
        images.load_images(name, batch_size=8, data_dir=str(tmp_path))
    assert time.perf_counter() - start < 15
    host = gtfds.DOWNLOAD_URLS[name].split("/")[2]
    assert_one_line_naming_alternatives(info.value, name, host)
    assert "ProxyError" in str(info.value)


def test_refused_connection_fails_in_seconds(monkeypatch, tmp_path, no_proxy_settings):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    start = time.perf_counter()
    with pytest.raises(gtfds.DatasetUnavailableError) as info:
        images.load_images("fashion_mnist", batch_size=8, data_dir=str(tmp_path))
    assert time.perf_counter() - start < 15
    assert_one_line_naming_alternatives(info.value, "fashion_mnist", "fashion-mnist.s3-website")


def test_hanging_name_lookup_is_cut_short(monkeypatch, no_proxy_settings):
    def hang(*args, **kwargs):
        time.sleep(30)
        raise socket.gaierror("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    start = time.perf_counter()
    with pytest.raises(gtfds.DatasetUnavailableError, match=r"no answer within 2 s") as info:
        gtfds.check_download_reachable("celeb_a", timeout=1.0)
    assert time.perf_counter() - start < 5
    assert_one_line_naming_alternatives(info.value, "celeb_a", "drive.google.com")


def test_a_prepared_dataset_is_loaded_without_probing(monkeypatch):
    # mock_data stands for a dataset already prepared in data_dir: no probe runs.
    tfds = pytest.importorskip("tensorflow_datasets")
    probes = []
    monkeypatch.setattr(gtfds, "check_download_reachable", lambda *a, **k: probes.append(a))
    with tfds.testing.mock_data(num_examples=8, policy=tfds.testing.MockPolicy.USE_CODE):
        batch = next(iter(images.load_images("mnist", batch_size=8)))
    assert tuple(batch.shape) == (8, 28, 28, 1) and probes == []

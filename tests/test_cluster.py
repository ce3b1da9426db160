"""The local cluster (`make cluster`): two web nodes that share logins through PostgreSQL and a
cache through Redis, and a stop that leaves no process behind."""

import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis

from tests.cluster import cluster_database_url, running, running_cluster

pytestmark = pytest.mark.cluster

# The cluster's own database on the suite's PostgreSQL server, and its own Redis database.
REDIS_DB = 14


def browser() -> urllib.request.OpenerDirector:
    """A client that keeps cookies (per host, so one login serves both loopback nodes)."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(CookieJar())
    )


def test_cluster_nodes_share_logins_and_cache_and_stop_leaves_no_process(tmp_path: Path):
    run_dir = tmp_path / "cluster"
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    shared = redis.Redis.from_url(redis_url)
    shared.delete(*shared.keys("wellui:*"), "wellui:none")
    with running_cluster(
        run_dir=run_dir, database_url=cluster_database_url(), redis_url=redis_url
    ) as cluster:
        pids = cluster.pids()
        assert sorted(pids) == ["sandbox", "scheduler", "web1", "web2", "worker1", "worker2"]
        first, second = cluster.nodes
        client = browser()
        for node in cluster.nodes:
            with client.open(f"{node}/healthz", timeout=10) as response:
                assert response.status == 200

        login_url = f"{first}/accounts/login/"
        with client.open(login_url, timeout=30) as response:
            html = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token is not None
        form = {
            "csrfmiddlewaretoken": token[1],
            "username": cluster.username,
            "password": cluster.password,
        }
        request = urllib.request.Request(  # noqa: S310 (an http:// URL of the cluster)
            login_url, data=urllib.parse.urlencode(form).encode(), headers={"Referer": login_url}
        )
        with client.open(request, timeout=30) as response:
            assert response.url == f"{first}/phones/"

        with client.open(f"{second}/phones/", timeout=30) as response:
            page = response.read().decode()
            assert response.url == f"{second}/phones/"  # not sent to the login page
        assert "<title>Phones · wellui</title>" in page
        assert len(re.findall(r'data-e164="', page)) == 25
        assert shared.keys("wellui:*:phones:count") == [b"wellui:1:phones:count"]

    assert not list((run_dir / "pids").glob("*.pid"))
    for name, pid in pids.items():
        assert not running(pid), f"{name} (pid {pid}) is still running"
    shared.delete(*shared.keys("wellui:*"), "wellui:none")

"""The Ray engine (``build --engine ray``): the per-article extraction on Ray Data, on one machine or many.

The driver (the process that runs ``build``) still ingests: it must read and hash every file anyway,
to find duplicates, to look each article up in the cache and to fill ``sources`` and ``documents``.
The articles the cache does not hold become a Ray dataset; ``map_batches`` hands them to a pool of
actors, each of which loads the extraction pipeline once (``pipeline.nlp.load_nlp``) and runs the
same ``extract_each`` as the local engine on its batch. Each article's ``Extraction`` comes back to
the driver as it is done, where resolution, conflicts and the load run as one step, exactly as after
a local extraction: those stages read every article's records together, so they are not per-article
work, and passing the records back as they are (rather than through Parquet shards) keeps one code
path from the records to the KB for both engines.

Ray is optional (the ``scale`` extra): nothing imports this module unless ``--engine ray`` is asked
for, and ``require()`` says in one sentence what to install when Ray is missing.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import logging
import os
import pickle
import socket
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pipeline.errors import UserError
from pipeline.extract import BATCH_SIZE, extract_each
from pipeline.models import Article, Extraction
from pipeline.nlp import load_nlp, model_name

# A local instance's shared-memory object store: articles and records in flight, not the corpus
# (Ray spills to disk past it). Ray's default, 30% of the machine's memory, is far more than needed.
LOCAL_OBJECT_STORE_BYTES = 512 * 1024**2
INSTALL_HINT = "install the scale extra: .venv/bin/python -m pip install -e '.[scale]'"


def host_port(address: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:6379`` for IPv6) split, or one sentence saying what ``--address`` wants."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"--address must be the Ray cluster's host:port (as `ray start --head` prints it), "
                        f"not {address!r}.")
    return host.strip("[]"), int(port)


def on_loopback(address: str | None) -> bool:
    """Whether Ray is to stay on this machine's loopback interface: a local instance, or a head on it."""
    if address is None:
        return True
    host = host_port(address)[0]
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name
        return False


def check(address: str | None, timeout: float = 5.0) -> None:
    """Fail in one sentence, before any work, when Ray is not installed or nothing listens at ``address``
    (host:port; Ray itself would retry for minutes)."""
    if importlib.util.find_spec("ray") is None:
        raise UserError(f"--engine ray needs Ray, which is not installed; {INSTALL_HINT}.")
    if address is None:
        return
    host, port = host_port(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as err:
        raise UserError(f"No Ray cluster answers at --address {address} ({err.strerror or err}); start one with "
                        "`ray start --head` or check the address.") from None


class Extractor:
    """A Ray Data actor: the extraction pipeline, loaded once per worker process, applied batch by batch."""

    def __init__(self) -> None:
        self.nlp = load_nlp()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        articles = [pickle.loads(b) for b in batch["article"]]
        extractions = extract_each(articles, self.nlp)
        return {"index": list(batch["index"]),
                "extraction": [pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL) for e in extractions]}


def _quiet() -> None:
    """Only Ray's errors reach the build's stderr: no progress bars, no per-dataset log lines (Ray
    Data still writes them to its log file in the session's folder)."""
    import ray.data

    for handler in logging.getLogger("ray.data").handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.ERROR)
    ray.data.DataContext.get_current().enable_progress_bars = False


@contextmanager
def session(address: str | None, jobs: int | None) -> Iterator[int]:
    """Connected to Ray for the duration: the cluster at ``address``, else a new local instance of
    ``jobs`` CPUs (default: every core) that stops with the build. Yields the number of actors to start.

    A local instance keeps to the loopback interface, and so does a driver joining a head there, which
    Ray would otherwise address by the machine's network address (the variable, Ray's own switch for
    a one-node cluster, must be set before Ray is first imported). A local instance runs no
    dashboard, and no usage statistics are sent.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if on_loopback(address):
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray

    if address is None:
        ray.init(address="local", num_cpus=jobs or os.cpu_count() or 1, include_dashboard=False,
                 object_store_memory=LOCAL_OBJECT_STORE_BYTES, log_to_driver=False, logging_level=logging.ERROR)
    else:
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
        except ConnectionError as err:
            first = str(err).strip().splitlines()[0]
            raise UserError(f"Could not join the Ray cluster at --address {address} ({first}); if it uses token "
                            "authentication, set RAY_AUTH_MODE=token and give this machine its token.") from None
    try:
        _quiet()
        yield jobs or max(1, int(ray.cluster_resources().get("CPU", 1)))
    finally:
        ray.shutdown()


def extract_ray(articles: Sequence[Article], jobs: int | None, address: str | None,
                progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[Article, Extraction]]:
    """Each article with its extraction, in the order they are done (not the articles' order).

    ``jobs`` actors extract (default: every CPU of the cluster, or every core for a local instance).
    On a local instance an actor that dies fails the build instead of being restarted: no node can
    be lost there, so a death is the build's own fault (memory, most likely), and retrying it for
    ever would hide it; the per-article cache keeps what was done, so a rerun does only the rest.
    """
    model_name()  # no model is one sentence here, not an error in every actor
    with session(address, jobs) as actors:
        import ray.data

        items = [{"index": i, "article": pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL)}
                 for i, a in enumerate(articles)]
        # a block per batch, but at least one per actor, and no more actors than blocks
        blocks = min(len(items), max(actors, -(-len(items) // BATCH_SIZE)))
        pool = ray.data.ActorPoolStrategy(size=min(actors, blocks))
        restarts = {"max_restarts": 0} if address is None else {}
        with warnings.catch_warnings():  # Ray 2.6x deprecates passing max_restarts this way, with no other yet
            warnings.simplefilter("ignore", DeprecationWarning)
            done = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
                Extractor, batch_size=BATCH_SIZE, compute=pool, **restarts)
        n = 0
        for batch in done.iter_batches(batch_size=None, batch_format="numpy"):
            for index, blob in zip(batch["index"], batch["extraction"], strict=True):
                n += 1
                yield articles[int(index)], pickle.loads(blob)
            if progress:
                progress(n, len(articles))

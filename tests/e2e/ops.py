"""Helpers for the operations tests: reading the Prometheus text format."""

from __future__ import annotations

import re

import requests

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample as {(name, frozenset of (label, value)): value}."""
    samples: dict[tuple[str, frozenset], float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = frozenset(_LABEL.findall(m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples


class Metrics:
    """One scrape of GET /metrics."""

    def __init__(self, url: str) -> None:
        resp = requests.get(url, timeout=5)
        resp.raise_for_status()
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4"), resp.headers
        self.text = resp.text
        self.samples = parse_prometheus(resp.text)

    def value(self, name: str, **labels: str) -> float:
        """The sum of the series of `name` whose labels include `labels` (0 when none)."""
        want = set(labels.items())
        return sum(v for (n, ls), v in self.samples.items() if n == name and want <= set(ls))

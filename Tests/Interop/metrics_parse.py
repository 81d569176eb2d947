#!/usr/bin/env python3
"""Parses Prometheus text exposition with the reference parser (`prometheus_client`).

  metrics_parse.py < metrics.txt   -> one JSON object per line: {"family", "type", "name", "labels", "value"}

Exits non-zero if the text does not parse.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.read()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            print(json.dumps({"family": family.name, "type": family.type, "name": sample.name,
                              "labels": sample.labels, "value": sample.value}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

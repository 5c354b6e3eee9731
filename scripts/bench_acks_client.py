"""Acknowledgement latency of confluent-kafka (librdkafka) producers, for scripts/bench_acks.ts.

Each case runs N producers (one thread and one partition each) that send small records at a
fixed rate, first for a warm-up, then for the measured window; a record's latency runs from
produce() to its delivery callback. At both ends of the window the broker's /metrics (when
given) are read for object PUTs and metadata transactions.
Prints one JSON object per case on stdout.

Usage: bench_acks_client.py --bootstrap HOST:PORT [--metrics URL] --cases JSON
         [--seconds S] [--warmup S] [--rate MSGS_PER_S_PER_PRODUCER] [--size BYTES]
         [--client KEY=VALUE ...]   (extra librdkafka producer settings)
  JSON: a list of {"acks": "1"|"all", "linger": ms, "producers": n}
"""
import argparse
import json
import re
import threading
import time
import urllib.request

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic


def counters(url):
    """Object PUTs and metadata transactions so far (None without a metrics URL)."""
    if not url:
        return None
    text = urllib.request.urlopen(url, timeout=10).read().decode()

    def total(name, op):
        pattern = r'^%s\{[^}]*op="%s"[^}]*\} ([0-9.e+]+)$' % (name, op)
        return sum(float(m.group(1)) for m in re.finditer(pattern, text, re.M))

    return {
        "puts": total("kafscale_object_store_requests_total", "put"),
        "txns": total("kafscale_metadata_requests_total", "txn"),
    }


def ensure_topic(bootstrap, name, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(name, partitions, 1)])
    for f in futures.values():
        try:
            f.result(30)
        except Exception as e:  # an earlier run made it
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise


def run_producer(p, topic, partition, rate, value, window, out):
    """Sends at `rate` until the window ends, serving delivery callbacks while it waits; keeps
    the latencies of records sent inside the window (the time before it warms up)."""
    interval = 1.0 / rate
    latencies, errors = out["latencies"], out["errors"]
    measure_from, stop_at = window

    def delivered(err, _msg, t0):
        if err is not None:
            errors.append(str(err))
        elif t0 >= measure_from:
            latencies.append(time.perf_counter() - t0)

    next_at = time.perf_counter()
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        if now < next_at:
            p.poll(next_at - now)
            continue
        t0 = time.perf_counter()
        p.produce(topic, value, partition=partition,
                  on_delivery=lambda err, msg, t0=t0: delivered(err, msg, t0))
        next_at += interval
        p.poll(0)
    p.flush(60)


def pct(sorted_ms, q):
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * q))]


def run_case(args, case):
    n = case["producers"]
    topic = "acks-bench-%d" % n
    ensure_topic(args.bootstrap, topic, n)
    value = b"x" * args.size
    producers = []
    for i in range(n):
        p = Producer(dict(args.client, **{
            "bootstrap.servers": args.bootstrap,
            "acks": case["acks"],
            "linger.ms": case["linger"],
            "client.id": "bench-acks-%d" % i,
        }))
        p.produce(topic, value, partition=i)  # connections, metadata, the partition's writer
        p.flush(60)
        producers.append(p)
    measure_from = time.perf_counter() + args.warmup  # warm-up at full rate: JITs, caches
    window = (measure_from, measure_from + args.seconds)
    outs = [{"latencies": [], "errors": []} for _ in producers]
    threads = [
        threading.Thread(target=run_producer,
                         args=(p, topic, i, args.rate, value, window, outs[i]))
        for i, p in enumerate(producers)
    ]
    for t in threads:
        t.start()
    time.sleep(max(0, measure_from - time.perf_counter()))
    before = counters(args.metrics)
    started = time.perf_counter()
    time.sleep(max(0, window[1] - started))
    after = counters(args.metrics)
    elapsed = time.perf_counter() - started
    for t in threads:
        t.join()
    ms = sorted(x * 1000 for o in outs for x in o["latencies"])
    errors = [e for o in outs for e in o["errors"]]
    result = dict(case, count=len(ms), errors=len(errors), seconds=round(elapsed, 2))
    if errors:
        result["error"] = errors[0]
    if ms:
        result.update(p50=pct(ms, 0.5), p99=pct(ms, 0.99), max=ms[-1])
    if before and after:
        result["puts_per_s"] = (after["puts"] - before["puts"]) / elapsed
        result["txns_per_s"] = (after["txns"] - before["txns"]) / elapsed
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--metrics", default="")
    ap.add_argument("--cases", required=True)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--rate", type=float, default=500)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--client", action="append", default=[],
                    help="extra producer setting KEY=VALUE (repeatable)")
    args = ap.parse_args()
    args.client = dict(kv.split("=", 1) for kv in args.client)
    for case in json.loads(args.cases):
        print(json.dumps(run_case(args, case)), flush=True)


if __name__ == "__main__":
    main()

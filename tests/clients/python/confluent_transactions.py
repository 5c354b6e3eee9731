"""confluent-kafka (librdkafka) transactions: a transactional producer commits and aborts; a
read_committed consumer sees only committed records, read_uncommitted sees both; a second producer
with the same transactional.id fences the first (a fatal error); a consume-transform-produce loop
with send_offsets_to_transaction copies N records exactly once while aborting every 5th
transaction (rewinding to the committed offsets).

usage: confluent_transactions.py <bootstrap> <topic> <in> <out> <n>"""
import sys
from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer,
                             TopicPartition)

bootstrap, topic, src, dst, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])


def producer(tid):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": tid,
                  "transaction.timeout.ms": 30000, "linger.ms": 5})
    p.init_transactions(30)
    return p


def read_all(t, isolation, partitions):
    """Every value of topic t from the start to the end each partition reports (EOF)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False,
                  "enable.partition.eof": True, "isolation.level": isolation})
    c.assign([TopicPartition(t, p, OFFSET_BEGINNING) for p in range(partitions)])
    values, eof = [], set()
    while len(eof) < partitions:
        m = c.poll(10)
        assert m is not None, f"timed out reading {t} with {len(values)} values"
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                eof.add(m.partition())
                continue
            raise SystemExit(f"consume error: {m.error()}")
        values.append(m.value().decode())
    c.close()
    return values


# Commit, abort, commit.
p = producer("ck-app")
for outcome, values in [("commit", ["c1", "c2", "c3"]), ("abort", ["a1", "a2"]), ("commit", ["c4"])]:
    p.begin_transaction()
    for i, v in enumerate(values):
        p.produce(topic, value=v.encode(), partition=i % 2)
    p.flush(30)
    (p.commit_transaction if outcome == "commit" else p.abort_transaction)(30)
committed = sorted(read_all(topic, "read_committed", 2))
assert committed == ["c1", "c2", "c3", "c4"], committed
everything = sorted(read_all(topic, "read_uncommitted", 2))
assert everything == ["a1", "a2", "c1", "c2", "c3", "c4"], everything

# A second producer of the id fences the first.
first = producer("ck-fenced")
first.begin_transaction()
first.produce(topic, value=b"zombie", partition=0)
first.flush(30)
second = producer("ck-fenced")
try:
    first.commit_transaction(30)
    raise SystemExit("the first producer was not fenced")
except KafkaException as e:
    err = e.args[0]
    assert err.fatal() or err.code() == KafkaError._FENCED, f"not fatal: {err}"
second.begin_transaction()
second.produce(topic, value=b"second", partition=0)
second.commit_transaction(30)
committed = read_all(topic, "read_committed", 2)
assert "zombie" not in committed and "second" in committed, committed

# Consume-transform-produce, exactly once, every 5th transaction aborted.
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "ck-eos", "enable.auto.commit": False,
              "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
c.subscribe([src])
p = producer("ck-eos")
done, txns, aborted = 0, 0, 0
while done < n:
    msgs = [m for m in c.consume(200, 1.0) if not m.error()]
    if not msgs:
        continue
    p.begin_transaction()
    for m in msgs:
        p.produce(dst, key=m.value(), value=m.value())
    p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 30)
    txns += 1
    if txns % 5 == 0:
        p.abort_transaction(30)
        aborted += 1
        for tp in c.committed(c.assignment(), 30):
            c.seek(TopicPartition(tp.topic, tp.partition,
                                  tp.offset if tp.offset >= 0 else OFFSET_BEGINNING))
    else:
        p.commit_transaction(30)
        done += len(msgs)
c.close()
out = read_all(dst, "read_committed", 3)
assert sorted(out) == sorted(f"v{i}" for i in range(n)), f"{len(out)} values, {len(set(out))} distinct"
print(f"ok committed={done} txns={txns} aborted={aborted}")

"""Produce N records (acks=all, one every INTERVAL ms) and read them back by partition
assignment, over whatever security the client settings give (TLS, SASL), with confluent-kafka
or kafka-python. Prints "ok N", or "auth-failed <message>" and exits 3 when the broker refuses
the login.

usage: secure_produce_consume.py confluent|kafka-python BOOTSTRAP SETTINGS_JSON TOPIC N [INTERVAL_MS]
"""
import json
import sys
import time

lib, bootstrap, settings, topic, n = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5])
interval = int(sys.argv[6]) / 1000 if len(sys.argv) > 6 else 0
values = [f"{topic}-{i}".encode() for i in range(n)]


def confluent():
    from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
    errors = []
    conf = {"bootstrap.servers": bootstrap, **settings, "error_cb": errors.append}
    p = Producer({**conf, "acks": "all"})
    acked = []
    for v in values:
        p.produce(topic, v, partition=0, on_delivery=lambda err, msg: acked.append(err or msg.offset()))
        if interval:
            p.flush(10)
            time.sleep(interval)
    left = p.flush(15)
    auth = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
    if auth:
        print("auth-failed", auth[0].str())
        sys.exit(3)
    assert left == 0 and all(isinstance(a, int) for a in acked), f"unacked {left}: {acked[:3]} {errors[:3]}"
    c = Consumer({**conf, "group.id": "unused", "enable.partition.eof": True, "enable.auto.commit": False})
    c.assign([TopicPartition(topic, 0, 0)])
    got = []
    while True:
        m = c.poll(15)
        assert m is not None, f"timed out with {len(got)}"
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                break
            raise SystemExit(f"consume error: {m.error()}")
        got.append(m.value())
    c.close()
    assert got == values, f"read {len(got)} of {n}"


def kafka_python():
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.errors import NoBrokersAvailable
    conf = {"bootstrap_servers": bootstrap, "request_timeout_ms": 15000, **settings}
    try:
        p = KafkaProducer(acks="all", **conf)
    except NoBrokersAvailable as e:
        # kafka-python 2.0 logs in with SaslHandshake v0 and raw tokens: the broker can only
        # close the connection on a failed login (as Kafka does), which it reports this way.
        print("auth-failed", type(e).__name__)
        sys.exit(3)
    for v in values:
        p.send(topic, v, partition=0).get(15)
        if interval:
            time.sleep(interval)
    p.close()
    c = KafkaConsumer(**conf, consumer_timeout_ms=5000, auto_offset_reset="earliest")
    c.assign([TopicPartition(topic, 0)])
    got = [m.value for m in c]
    c.close()
    assert got == values, f"read {len(got)} of {n}"


confluent() if lib == "confluent" else kafka_python()
print(f"ok {n}")

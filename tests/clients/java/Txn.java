// Transactional Java clients for tests/txn_java_test.ts, run as a single-file program
// (java -cp "<kafka jars>/*" Txn.java <mode> ...) against the Kafka 3.7 and 4.0 client jars.
//
//   plain <bootstrap> <topic> <n>                     n records v0..v<n-1>, idempotent, not transactional
//   produce <bootstrap> <topic> <tid> <commit|abort> <value>...
//                                                     one transaction with these values
//   consume <bootstrap> <topic> <read_committed|read_uncommitted>
//                                                     every partition from the beginning to its end
//                                                     offset (the LSO for read_committed); one value
//                                                     per line, then "END <count>"
//   fence <bootstrap> <topic> <tid>                   a second producer of the id fences the first
//   eos <bootstrap> <in> <out> <group> <tid> <abortEvery> <crashAfter>
//                                                     consume-transform-produce with
//                                                     sendOffsetsToTransaction until the input is
//                                                     consumed; every abortEvery-th transaction is
//                                                     aborted (and the input rewound); after
//                                                     crashAfter transactions the process halts
//                                                     mid-transaction (exit 3)
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.errors.*;
import org.apache.kafka.common.serialization.*;

public class Txn {
  static Properties producerProps(String bootstrap, String tid) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    if (tid != null) {
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, tid);
      p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
    }
    return p;
  }

  static Properties consumerProps(String bootstrap, String isolation, String group) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    if (group != null) c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    return c;
  }

  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "plain" -> plain(a[1], a[2], Integer.parseInt(a[3]));
      case "produce" -> produce(a[1], a[2], a[3], a[4].equals("commit"), Arrays.copyOfRange(a, 5, a.length));
      case "consume" -> consume(a[1], a[2], a[3]);
      case "fence" -> fence(a[1], a[2], a[3]);
      case "eos" -> eos(a[1], a[2], a[3], a[4], a[5], Integer.parseInt(a[6]), Integer.parseInt(a[7]));
      default -> throw new IllegalArgumentException(a[0]);
    }
  }

  static void plain(String bootstrap, String topic, int n) throws Exception {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(bootstrap, null))) {
      for (int i = 0; i < n; i++) p.send(new ProducerRecord<>(topic, "v" + i, "v" + i));
      p.flush();
    }
    System.out.println("PRODUCED " + n);
  }

  static void produce(String bootstrap, String topic, String tid, boolean commit, String[] values) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(bootstrap, tid))) {
      p.initTransactions();
      p.beginTransaction();
      for (String v : values) p.send(new ProducerRecord<>(topic, v, v));
      p.flush(); // written to the partitions either way (abortTransaction drops unsent records)
      if (commit) p.commitTransaction();
      else p.abortTransaction();
    }
    System.out.println(commit ? "COMMITTED" : "ABORTED");
  }

  static void consume(String bootstrap, String topic, String isolation) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bootstrap, isolation, null))) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo i : c.partitionsFor(topic)) parts.add(new TopicPartition(topic, i.partition()));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      int count = 0;
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        boolean done = true;
        for (TopicPartition tp : parts) if (c.position(tp) < end.get(tp)) done = false;
        if (done) break;
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          System.out.println(r.value());
          count++;
        }
      }
      System.out.println("END " + count);
    }
  }

  static void fence(String bootstrap, String topic, String tid) throws Exception {
    KafkaProducer<String, String> first = new KafkaProducer<>(producerProps(bootstrap, tid));
    first.initTransactions();
    first.beginTransaction();
    first.send(new ProducerRecord<>(topic, "zombie", "zombie")).get();
    try (KafkaProducer<String, String> second = new KafkaProducer<>(producerProps(bootstrap, tid))) {
      second.initTransactions(); // fences the first: its open transaction is aborted
      try {
        first.commitTransaction();
        System.out.println("NOT FENCED");
      } catch (ProducerFencedException e) {
        System.out.println("FENCED " + e.getClass().getSimpleName());
      } finally {
        first.close(Duration.ZERO);
      }
      second.beginTransaction();
      second.send(new ProducerRecord<>(topic, "second", "second")).get();
      second.commitTransaction();
      System.out.println("SECOND COMMITTED");
    }
  }

  static void eos(String bootstrap, String in, String out, String group, String tid, int abortEvery, int crashAfter) {
    Properties cp = consumerProps(bootstrap, "read_committed", group);
    cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
    cp.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, tid + "-member");
    cp.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    cp.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp);
        KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(bootstrap, tid))) {
      p.initTransactions();
      c.subscribe(List.of(in));
      int partitions = c.partitionsFor(in).size();
      int txns = 0, aborted = 0, records = 0, idle = 0;
      long deadline = System.currentTimeMillis() + 240_000;
      while (System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> batch = c.poll(Duration.ofMillis(300));
        if (batch.isEmpty()) {
          Set<TopicPartition> mine = c.assignment();
          if (mine.size() < partitions) continue;
          Map<TopicPartition, Long> end = c.endOffsets(mine);
          boolean done = true;
          for (TopicPartition tp : mine) if (c.position(tp) < end.get(tp)) done = false;
          if (done && ++idle >= 2) break;
          continue;
        }
        idle = 0;
        p.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, String> r : batch) {
          p.send(new ProducerRecord<>(out, r.value(), r.value()));
          offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        p.sendOffsetsToTransaction(offsets, c.groupMetadata());
        txns++;
        if (crashAfter > 0 && txns == crashAfter) {
          p.flush(); // the records are in the partitions, the transaction open: then the process dies
          System.out.println("CRASH after " + txns + " transactions");
          System.out.flush();
          Runtime.getRuntime().halt(3);
        }
        if (abortEvery > 0 && txns % abortEvery == 0) {
          p.abortTransaction();
          aborted++;
          Map<TopicPartition, OffsetAndMetadata> committed = c.committed(c.assignment());
          for (TopicPartition tp : c.assignment()) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) c.seekToBeginning(List.of(tp));
            else c.seek(tp, o.offset());
          }
        } else {
          p.commitTransaction();
          records += batch.count();
        }
      }
      System.out.println("EOS txns=" + txns + " aborted=" + aborted + " committed_records=" + records);
    }
  }
}

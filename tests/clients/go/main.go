// Command kgoclient drives KafScale with franz-go for the end-to-end tests.
//
//	kgoclient ops -brokers B        the spec's Ops API v1 requests at their exact versions,
//	                                asserting the response fields (topic "orders", 3
//	                                partitions, group "my-group" with offsets and no members)
//	kgoclient group -brokers B -topic T -group G -n N -balancer range|cooperative-sticky
//	                                consume N records in a consumer group and commit them
//	kgoclient topicconfigs -brokers B -topic T
//	                                create T with max.message.bytes=51200 and LogAppendTime:
//	                                a 60 KB record is refused (MESSAGE_TOO_LARGE), a small one
//	                                is stamped with the log append time; compression.type=gzip
//	                                is refused with INVALID_CONFIG
//	kgoclient secure -brokers B -topic T -n N [-ca ca.pem] [-mechanism PLAIN|SCRAM-SHA-256|
//	                 SCRAM-SHA-512 -user U -password P]
//	                                over TLS (with -ca) and SASL (with -mechanism): produce N
//	                                records, then read them back from partition 0
//	kgoclient eos -brokers B -topic IN -out OUT -group G -txn ID -n N -abort-every K
//	                                GroupTransactSession: copy N records of IN to OUT exactly
//	                                once (read_committed, require stable offsets), aborting
//	                                every K-th transaction (the session rewinds to the committed
//	                                offsets)
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func check(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func ops(brokers string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	check(err, "client")
	defer client.Close()

	list := kmsg.NewPtrListGroupsRequest()
	list.Version = 5
	list.StatesFilter = []string{"Empty"}
	list.TypesFilter = []string{"classic"}
	listResp, err := list.RequestWith(ctx, client)
	check(err, "ListGroups v5")
	found := false
	for _, g := range listResp.Groups {
		if g.Group == "my-group" && g.GroupState == "Empty" && g.GroupType == "classic" {
			found = true
		}
	}
	if listResp.ErrorCode != 0 || !found {
		fail("ListGroups v5: %+v", listResp)
	}
	list.StatesFilter = []string{"Stable"}
	listResp, err = list.RequestWith(ctx, client)
	check(err, "ListGroups v5 stable")
	if len(listResp.Groups) != 0 {
		fail("ListGroups v5 Stable filter should match nothing: %+v", listResp.Groups)
	}

	describe := kmsg.NewPtrDescribeGroupsRequest()
	describe.Version = 5
	describe.Groups = []string{"my-group", "no-such-group"}
	describeResp, err := describe.RequestWith(ctx, client)
	check(err, "DescribeGroups v5")
	if len(describeResp.Groups) != 2 || describeResp.Groups[0].State != "Empty" || describeResp.Groups[1].State != "Dead" ||
		describeResp.Groups[1].ErrorCode != 0 {
		fail("DescribeGroups v5: %+v", describeResp.Groups)
	}

	epoch := kmsg.NewPtrOffsetForLeaderEpochRequest()
	epoch.Version = 3
	epoch.ReplicaID = -1
	epoch.Topics = []kmsg.OffsetForLeaderEpochRequestTopic{{
		Topic:      "orders",
		Partitions: []kmsg.OffsetForLeaderEpochRequestTopicPartition{{Partition: 0, CurrentLeaderEpoch: -1, LeaderEpoch: 0}},
	}}
	epochResp, err := epoch.RequestWith(ctx, client)
	check(err, "OffsetForLeaderEpoch v3")
	p := epochResp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 || p.LeaderEpoch != 0 || p.EndOffset < 0 {
		fail("OffsetForLeaderEpoch v3: %+v", p)
	}

	describeCfg := kmsg.NewPtrDescribeConfigsRequest()
	describeCfg.Version = 4
	describeCfg.Resources = []kmsg.DescribeConfigsRequestResource{{
		ResourceType: kmsg.ConfigResourceTypeTopic,
		ResourceName: "orders",
		ConfigNames:  []string{"retention.ms", "no.such.key"},
	}}
	cfgResp, err := describeCfg.RequestWith(ctx, client)
	check(err, "DescribeConfigs v4")
	r := cfgResp.Resources[0]
	if r.ErrorCode != 0 || len(r.Configs) != 1 || r.Configs[0].Name != "retention.ms" || r.Configs[0].Value == nil {
		fail("DescribeConfigs v4: %+v", r)
	}

	alter := kmsg.NewPtrAlterConfigsRequest()
	alter.Version = 1
	value := "120000"
	alter.Resources = []kmsg.AlterConfigsRequestResource{{
		ResourceType: kmsg.ConfigResourceTypeTopic,
		ResourceName: "orders",
		Configs:      []kmsg.AlterConfigsRequestResourceConfig{{Name: "retention.ms", Value: &value}},
	}}
	alterResp, err := alter.RequestWith(ctx, client)
	check(err, "AlterConfigs v1")
	if alterResp.Resources[0].ErrorCode != 0 {
		fail("AlterConfigs v1: %+v", alterResp.Resources[0])
	}
	cfgResp, err = describeCfg.RequestWith(ctx, client)
	check(err, "DescribeConfigs v4 after alter")
	if v := cfgResp.Resources[0].Configs[0].Value; v == nil || *v != "120000" {
		fail("retention.ms after AlterConfigs: %v", v)
	}
	bad := "x"
	alter.Resources[0].Configs = []kmsg.AlterConfigsRequestResourceConfig{{Name: "cleanup.policy", Value: &bad}}
	alterResp, err = alter.RequestWith(ctx, client)
	check(err, "AlterConfigs v1 invalid")
	if alterResp.Resources[0].ErrorCode != 40 {
		fail("AlterConfigs v1 with a key outside the whitelist should be INVALID_CONFIG: %+v", alterResp.Resources[0])
	}

	create := kmsg.NewPtrCreatePartitionsRequest()
	create.Version = 3
	create.Topics = []kmsg.CreatePartitionsRequestTopic{{Topic: "orders", Count: 6}}
	createResp, err := create.RequestWith(ctx, client)
	check(err, "CreatePartitions v3")
	if createResp.Topics[0].ErrorCode != 0 {
		fail("CreatePartitions v3: %+v", createResp.Topics[0])
	}
	createResp, err = create.RequestWith(ctx, client)
	check(err, "CreatePartitions v3 again")
	if createResp.Topics[0].ErrorCode != 37 {
		fail("CreatePartitions to the same count should be INVALID_PARTITIONS: %+v", createResp.Topics[0])
	}

	del := kmsg.NewPtrDeleteGroupsRequest()
	del.Version = 2
	del.Groups = []string{"my-group", "no-such-group"}
	delResp, err := del.RequestWith(ctx, client)
	check(err, "DeleteGroups v2")
	if delResp.Groups[0].ErrorCode != 0 || delResp.Groups[1].ErrorCode != 69 {
		fail("DeleteGroups v2: %+v", delResp.Groups)
	}
	fmt.Println("ok ops")
}

func group(brokers, topic, groupID string, n int, balancer string) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(brokers), kgo.ConsumerGroup(groupID), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(),
	}
	if balancer == "range" {
		opts = append(opts, kgo.Balancers(kgo.RangeBalancer()))
	} else {
		opts = append(opts, kgo.Balancers(kgo.CooperativeStickyBalancer()))
	}
	client, err := kgo.NewClient(opts...)
	check(err, "client")
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seen := 0
	for seen < n {
		fetches := client.PollFetches(ctx)
		if ctx.Err() != nil {
			fail("timed out after %d of %d records", seen, n)
		}
		fetches.EachError(func(t string, p int32, err error) { fail("fetch %s[%d]: %v", t, p, err) })
		seen += fetches.NumRecords()
		check(client.CommitUncommittedOffsets(ctx), "commit")
	}
	fmt.Printf("ok %d\n", seen)
}

func topicConfigs(brokers, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ProducerBatchMaxBytes(1<<20),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	check(err, "client")
	defer client.Close()
	create := func(name string, configs map[string]string) kmsg.CreateTopicsResponseTopic {
		req := kmsg.NewPtrCreateTopicsRequest()
		t := kmsg.NewCreateTopicsRequestTopic()
		t.Topic = name
		t.NumPartitions = 1
		t.ReplicationFactor = 1
		for k, v := range configs {
			c := kmsg.NewCreateTopicsRequestTopicConfig()
			c.Name = k
			value := v
			c.Value = &value
			t.Configs = append(t.Configs, c)
		}
		req.Topics = append(req.Topics, t)
		resp, err := req.RequestWith(ctx, client)
		check(err, "CreateTopics")
		return resp.Topics[0]
	}
	made := create(topic, map[string]string{
		"max.message.bytes":      "51200",
		"message.timestamp.type": "LogAppendTime",
	})
	if made.ErrorCode != 0 {
		fail("CreateTopics %s: %d %v", topic, made.ErrorCode, made.ErrorMessage)
	}
	// Random bytes: franz-go compresses by default, and the limit applies to the batch as sent.
	payload := make([]byte, 60_000)
	_, _ = rand.Read(payload)
	big := client.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: payload})
	if err := big.FirstErr(); !errors.Is(err, kerr.MessageTooLarge) {
		fail("a 60 KB record on a 50 KiB topic: want MESSAGE_TOO_LARGE, got %v", err)
	}
	before := time.Now().Add(-time.Second)
	small := &kgo.Record{Topic: topic, Value: []byte("small"), Timestamp: time.Unix(1, 0)}
	check(client.ProduceSync(ctx, small).FirstErr(), "produce small")
	fetches := client.PollFetches(ctx)
	check(fetches.Err(), "fetch")
	recs := fetches.Records()
	if len(recs) != 1 || string(recs[0].Value) != "small" {
		fail("want the small record back, got %d records", len(recs))
	}
	if recs[0].Attrs.TimestampType() != 1 || recs[0].Timestamp.Before(before) {
		fail("want a log append time, got type %d at %v", recs[0].Attrs.TimestampType(),
			recs[0].Timestamp)
	}
	refused := create(topic+"-gzip", map[string]string{"compression.type": "gzip"})
	if refused.ErrorCode != kerr.InvalidConfig.Code || refused.ErrorMessage == nil {
		fail("compression.type=gzip: want INVALID_CONFIG with a message, got %d", refused.ErrorCode)
	}
	fmt.Printf("ok %s\n", *refused.ErrorMessage)
}

func secure(brokers, topic string, n int, ca, mechanism, user, password string) {
	opts := []kgo.Opt{kgo.SeedBrokers(brokers), kgo.AllowAutoTopicCreation(), kgo.RequestRetries(2)}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		check(err, "read CA")
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("no certificate in %s", ca)
		}
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	}
	switch mechanism {
	case "":
	case "PLAIN":
		opts = append(opts, kgo.SASL(plain.Auth{User: user, Pass: password}.AsMechanism()))
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha512Mechanism()))
	default:
		fail("unknown mechanism %s", mechanism)
	}
	client, err := kgo.NewClient(opts...)
	check(err, "client")
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	check(client.Ping(ctx), "connect") // a refused login fails here instead of being retried
	records := make([]*kgo.Record, n)
	for i := range records {
		records[i] = &kgo.Record{Topic: topic, Partition: 0, Value: []byte(fmt.Sprintf("kgo-%d", i))}
	}
	check(client.ProduceSync(ctx, records...).FirstErr(), "produce")
	client.AddConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}})
	seen := 0
	for seen < n {
		fetches := client.PollFetches(ctx)
		if ctx.Err() != nil {
			fail("timed out after %d of %d records", seen, n)
		}
		fetches.EachError(func(t string, p int32, err error) { fail("fetch %s[%d]: %v", t, p, err) })
		seen += fetches.NumRecords()
	}
	fmt.Printf("ok %d\n", seen)
}

func eos(brokers, in, out, group, txnID string, n, abortEvery int) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	sess, err := kgo.NewGroupTransactSession(
		kgo.SeedBrokers(strings.Split(brokers, ",")...),
		kgo.TransactionalID(txnID),
		kgo.TransactionTimeout(30*time.Second),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequireStableFetchOffsets(),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(in),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	check(err, "session")
	defer sess.Close()
	committed, txns, aborted := 0, 0, 0
	for committed < n {
		fetches := sess.PollRecords(ctx, 100)
		if ctx.Err() != nil {
			fail("timed out with %d of %d records committed", committed, n)
		}
		fetches.EachError(func(t string, p int32, err error) { fail("fetch %s[%d]: %v", t, p, err) })
		if fetches.NumRecords() == 0 {
			continue
		}
		check(sess.Begin(), "begin")
		var produceErr error
		fetches.EachRecord(func(r *kgo.Record) {
			sess.Produce(ctx, &kgo.Record{Topic: out, Key: r.Value, Value: r.Value},
				func(_ *kgo.Record, err error) {
					if err != nil {
						produceErr = err
					}
				})
		})
		txns++
		try := kgo.TryCommit
		if abortEvery > 0 && txns%abortEvery == 0 {
			try = kgo.TryAbort
		}
		ok, err := sess.End(ctx, try)
		check(err, "end transaction")
		if produceErr != nil && ok {
			fail("a record failed but the transaction committed: %v", produceErr)
		}
		if ok {
			committed += fetches.NumRecords()
		} else {
			aborted++
		}
	}
	fmt.Printf("ok committed=%d txns=%d aborted=%d\n", committed, txns, aborted)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: kgoclient ops|group|secure [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	brokers := fs.String("brokers", "127.0.0.1:9092", "seed broker")
	topic := fs.String("topic", "", "topic")
	groupID := fs.String("group", "", "group id")
	n := fs.Int("n", 0, "records to consume")
	balancer := fs.String("balancer", "cooperative-sticky", "range or cooperative-sticky")
	ca := fs.String("ca", "", "PEM CA file: connect over TLS")
	mechanism := fs.String("mechanism", "", "SASL mechanism")
	user := fs.String("user", "", "SASL user")
	password := fs.String("password", "", "SASL password")
	out := fs.String("out", "", "output topic")
	txnID := fs.String("txn", "", "transactional id")
	abortEvery := fs.Int("abort-every", 0, "abort every K-th transaction")
	_ = fs.Parse(os.Args[2:])
	switch os.Args[1] {
	case "ops":
		ops(*brokers)
	case "group":
		group(*brokers, *topic, *groupID, *n, *balancer)
	case "topicconfigs":
		topicConfigs(*brokers, *topic)
	case "secure":
		secure(*brokers, *topic, *n, *ca, *mechanism, *user, *password)
	case "eos":
		eos(*brokers, *topic, *out, *groupID, *txnID, *n, *abortEvery)
	default:
		fail("unknown command %s", os.Args[1])
	}
}

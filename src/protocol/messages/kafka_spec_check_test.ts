/**
 * The schema check itself, on made-up definitions: it compares only the versions both sides
 * list, finds a difference in any one of them (and names those versions), and reports versions
 * that no release defines.
 */
import { assertEquals } from "../../testing/assert.ts";
import { array, field, type MessageSchema, tagged } from "../schema.ts";
import { checkMessage, uncheckedVersions } from "./_kafka_spec_check.ts";
import { parseSpec, type SpecMessage } from "./_kafka_specs.ts";

const ours: MessageSchema = {
  name: "DemoRequest",
  apiKey: 99,
  validVersions: "0-5",
  flexibleVersions: "3+",
  fields: [
    field("groupId", "string", "0+"),
    field("memberId", "string", "1+", { nullable: "4+" }),
    array("topics", "0+", [field("name", "string", "0+"), field("old", "int32", "0-1")]),
    field("rack", "string", "3+", { nullable: "3+", default: null, ...tagged(0, "3+") }),
  ],
};

/** Kafka's side: 4.0-like, dropping v0-1 and adding v6 with a new field. */
const theirs: SpecMessage = parseSpec(`// Licensed to the Apache Software Foundation
{
  "apiKey": 99, "type": "request", "name": "DemoRequest",
  // v6 adds Extra.
  "validVersions": "2-6", "flexibleVersions": "3+",
  "fields": [
    { "name": "GroupId", "type": "string", "versions": "0+" },
    { "name": "MemberId", "type": "string", "versions": "1+", "nullableVersions": "4+" },
    { "name": "Topics", "type": "[]DemoTopic", "versions": "0+", "fields": [
      { "name": "Name", "type": "string", "versions": "0+" }
    ]},
    { "name": "Extra", "type": "int64", "versions": "6+" },
    { "name": "Rack", "type": "string", "versions": "3+", "nullableVersions": "3+",
      "default": "null", "tag": 0, "taggedVersions": "3+" }
  ]
}`);

Deno.test("spec check: only the versions both list are compared", () => {
  assertEquals(checkMessage(ours, theirs), []);
});

Deno.test("spec check: a difference in some versions is reported with those versions", () => {
  const nullableFrom5 = {
    ...ours,
    fields: ours.fields.map((f) => f.name === "memberId" ? { ...f, nullable: "5+" } : f),
  };
  assertEquals(checkMessage(nullableFrom5, theirs), [
    "v4: DemoRequest.MemberId: nullable false, Kafka true",
  ]);
  const flexibleFrom4 = { ...ours, flexibleVersions: "4+" };
  assertEquals(checkMessage(flexibleFrom4, theirs), ["v3: flexible false, Kafka true"]);
  const untagged = { ...ours, fields: ours.fields.slice(0, 3) };
  assertEquals(checkMessage(untagged, theirs), ["v3-5: DemoRequest[3]: ours missing, Kafka Rack"]);
});

Deno.test("spec check: no common version is an error, and uncovered versions are listed", () => {
  const old = { ...ours, validVersions: "0-1" };
  assertEquals(checkMessage(old, theirs), ["no version in common: ours 0-1, Kafka 2-6"]);
  assertEquals(uncheckedVersions(ours, [theirs]), [0, 1]);
  assertEquals(uncheckedVersions(ours, [theirs, { ...theirs, validVersions: "0-3" }]), []);
});

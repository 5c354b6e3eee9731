/**
 * Checks every schema of ours against Apache Kafka's message definitions, read from the
 * kafka-clients jars of Kafka 3.7.2 and 4.0.0 that scripts/install_test_deps.sh downloads (and
 * from `../shared/kafka-message-specs/` as well when it is beside the project): field by field
 * in every version both list, and every version we implement against at least one release.
 * Without the jars these tests fail and say how to get them; they are never skipped.
 */
import { assertEquals } from "../../testing/assert.ts";
import { checkMessage, uncheckedVersions } from "./_kafka_spec_check.ts";
import {
  jarSource,
  KAFKA_JAR_VERSIONS,
  sharedSource,
  type SpecMessage,
  type SpecSource,
} from "./_kafka_specs.ts";
import { ALL_SCHEMAS } from "./mod.ts";

const jars = KAFKA_JAR_VERSIONS.map(jarSource);
const shared = sharedSource();
const sources: SpecSource[] = shared ? [...jars, shared] : jars;

async function definition(source: SpecSource, name: string): Promise<SpecMessage> {
  const spec = (await source.load()).get(name);
  if (!spec) throw new Error(`Cannot check ${name}: ${source.where} has no definition of it`);
  return spec;
}

for (const api of ALL_SCHEMAS) {
  for (const message of [api.request, api.response]) {
    for (const source of sources) {
      Deno.test(`schema ${message.name} matches ${source.label}'s definition`, async () => {
        const errors = checkMessage(message, await definition(source, message.name));
        if (errors.length > 0) {
          throw new Error(
            `${message.name} differs from ${source.label} (${source.where}):\n  ${
              errors.join("\n  ")
            }`,
          );
        }
      });
    }
    Deno.test(`schema ${message.name}: every version is checked against a Kafka release`, async () => {
      const specs = await Promise.all(jars.map((j) => definition(j, message.name)));
      assertEquals(
        uncheckedVersions(message, specs),
        [],
        `versions of ${message.name} (${message.validVersions}) that neither ${
          jars.map((j) => j.label).join(" nor ")
        } defines`,
      );
    });
  }
}

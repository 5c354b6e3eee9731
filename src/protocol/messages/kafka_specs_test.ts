/**
 * Checks every schema of ours against Apache Kafka's message definitions; runs only when
 * `../shared/kafka-message-specs/` is present beside the project.
 */
import { checkMessage, specsPresent } from "./_kafka_spec_check.ts";
import { ALL_SCHEMAS } from "./mod.ts";

for (const api of ALL_SCHEMAS) {
  for (const message of [api.request, api.response]) {
    Deno.test({
      name: `schema ${message.name} matches Kafka's definition`,
      ignore: !specsPresent(),
      fn() {
        const errors = checkMessage(message);
        if (errors.length > 0) throw new Error(`${message.name}:\n  ${errors.join("\n  ")}`);
      },
    });
  }
}

/**
 * Topic name rules, as Apache Kafka enforces them: 1-249 characters of ASCII letters, digits,
 * '.', '_' and '-', and not "." or "..".
 * @module
 */

/** The reason a name is invalid, or null when it is valid. */
export function invalidTopicName(name: string): string | null {
  if (name.length === 0) return "topic name is empty";
  if (name === "." || name === "..") return `topic name cannot be "${name}"`;
  if (name.length > 249) return `topic name is ${name.length} characters; the limit is 249`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`;
  }
  return null;
}

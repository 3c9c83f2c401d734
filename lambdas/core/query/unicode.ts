/** A lone UTF-16 surrogate cannot be encoded as UTF-8, so DynamoDB could neither store nor match it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormedUnicode(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

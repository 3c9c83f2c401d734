/**
 * Alibaba Cloud's older RPC signature (V2, HMAC-SHA1 in the query): every parameter but
 * Signature, sorted, percent-encoded per RFC 3986, joined with &; string to sign =
 * METHOD&%2F&encode(that); signature = base64 HMAC-SHA1 under the secret followed by "&".
 */
import { createHmac } from 'node:crypto';

export function expectedV2Signature(method: string, params: ReadonlyMap<string, string>, secret: string): string {
  const canonical = [...params.entries()]
    .filter(([key]) => key !== 'Signature')
    .map(([key, value]) => [percentEncode(key), percentEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

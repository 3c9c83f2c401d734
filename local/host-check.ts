/**
 * The local API has no authentication, so it must not be reachable from a web page: a page on
 * evil.example can make the browser resolve evil.example to 127.0.0.1 (DNS rebinding) and read the
 * answers, but the browser then still sends `Host: evil.example`. Only loopback names pass; when
 * the user binds a non-loopback address on purpose (and is warned), IP literals pass too, since a
 * rebinding page can never make the browser send one.
 */
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1 (with or without brackets) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** The host part of a `Host` header value (`name:port`, `[v6]:port`); undefined when malformed. */
export function hostOfHeader(header: string): string | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]\s]+)(?::\d{1,5})?$/.exec(header.trim());
  return match?.[1];
}

export function isAllowedHostHeader(header: string | undefined, boundHost: string): boolean {
  if (header === undefined) return false;
  const host = hostOfHeader(header);
  if (host === undefined) return false;
  if (isLoopbackHost(host)) return true;
  return !isLoopbackHost(boundHost) && isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0;
}

/** What `--host` prints when it exposes the API beyond this machine. */
export function nonLoopbackWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return `warning: --host ${host} makes the query API reachable from other machines, and it has no authentication: anyone who can reach ${host} can read the whole archive`;
}

/**
 * What a browser page may do with a server on the operator's own machine, which needs no
 * key by default. Any page the operator visits can send requests to `127.0.0.1:8000`:
 * - directly, reading the answers only where CORS allows its origin; so without keys
 *   only loopback origins are allowed (a page served from this machine), as Ollama does;
 * - by DNS rebinding: a name of the attacker's (`evil.example`) that resolves to
 *   `127.0.0.1` makes the page same-origin with the server. Its requests then carry
 *   `Host: evil.example`, so a server bound to loopback answers only requests for a
 *   loopback name, an IP address (no name to rebind) or a host the operator allows, as
 *   Vite's dev server does.
 */
import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import { HostNotAllowedError } from "../errors.js";

const LOOPBACK_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;

/** For Hono's `cors`: the origin when it is a page on this machine's loopback (`http://localhost:3000`). */
export function loopbackOrigin(origin: string): string | null {
  return LOOPBACK_ORIGIN.test(origin) ? origin : null;
}

/** Whether binding `host` makes the server reachable from this machine only. */
export function isLoopbackAddress(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return name === "localhost" || name === "::1" || /^127(?:\.\d{1,3}){3}$/.test(name);
}

/** `hostname` as URLs give it (`[::1]`, `Example.COM.`), plain. */
function plainHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

/** Refuses (403) a request for a host name that is neither `localhost` (or under it), an IP address nor one of `allowed`. */
export function hostGuard(allowed: string[]): MiddlewareHandler {
  const names = new Set(allowed.map(plainHostname));
  return async (c, next) => {
    const name = plainHostname(new URL(c.req.url).hostname);
    if (isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost") || names.has(name)) return next();
    throw new HostNotAllowedError(name);
  };
}

/**
 * The playground page: `GET /` for a browser (one that accepts text/html), and its files
 * under `/playground/`, read from the package's build (`dist/playground/page`: the page's
 * TypeScript compiled by `tsc`, its HTML and CSS copied beside it), so it needs no CDN and
 * works offline. Served before the API key check: the page holds no data, and asks for a
 * key itself when the API answers 401. Every other request passes on unchanged.
 */
import { readdir, readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.js";

/** The same folder from `src/playground` (tests, tsx) and from `dist/playground` (the package). */
const PAGE_FOLDER = new URL("../../dist/playground/page/", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Only the page's own files; nothing from elsewhere, not even inline script. */
const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache",
};

type PageFiles = Map<string, { body: string; type: string }>;

async function readPage(): Promise<PageFiles> {
  const names = (await readdir(PAGE_FOLDER)).filter((name) => Object.hasOwn(CONTENT_TYPES, extname(name)));
  const files: PageFiles = new Map();
  for (const name of names) files.set(name, { body: await readFile(new URL(name, PAGE_FOLDER), "utf8"), type: CONTENT_TYPES[extname(name)]! });
  return files;
}

function acceptsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

export function playground(): MiddlewareHandler {
  let files: Promise<PageFiles> | undefined;
  const page = () => {
    files ??= readPage().catch((error: unknown) => {
      files = undefined;
      throw error;
    });
    return files.catch(() => {
      throw new ApiError(503, "server_error", "The playground page is not built: run `npm run build`.", "playground_not_built");
    });
  };
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const path = c.req.path;
    const name = path === "/" && acceptsHtml(c.req.header("accept")) ? "index.html" : /^\/playground\/([\w.-]+)$/.exec(path)?.[1];
    if (name === undefined) return next();
    const file = (await page()).get(name);
    if (!file) return next();
    return c.body(file.body, 200, { "Content-Type": file.type, ...SECURITY_HEADERS });
  };
}

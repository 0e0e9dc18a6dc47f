import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import { notFound } from "../../../server/http/ApiError.js";

/** Vite's content-hashed build output: a file there never changes under its name. */
const HASHED_DIR = `${path.sep}assets${path.sep}`;

/** A plan id as the checkout's path names it: what may be put in a header unchanged. */
const PLAN_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The API answers the page at `pathname` asks for first, as a `Link` header of preloads: the browser fetches them
 * while it is still loading the scripts that will ask, so the checkout's terms show sooner. `crossorigin` makes
 * each the same request as the app's own `fetch` (CORS mode, same-origin credentials), which then takes it from the
 * preload cache.
 */
export function preloadLinks(pathname: string): string {
  const links = ["/api/config"];
  const plan = /^\/subscribe\/([^/]+)$/.exec(pathname)?.[1];
  if (plan && PLAN_ID.test(plan)) links.push(`/api/plans/${plan}`);
  return links.map((link) => `<${link}>; rel=preload; as=fetch; crossorigin=anonymous`).join(", ");
}

/**
 * Serves the built dApp from `distDir`: hashed assets cached for a year, everything else revalidated, and
 * `index.html` for any other page path the app routes itself (`/`, `/checkout/<id>`, `/portal`, `/admin`...).
 * Unknown API routes, and missing files (a path whose last part has a dot), are JSON 404s.
 */
export async function serveApp(app: FastifyInstance, distDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: "/",
    cacheControl: false,
    setHeaders: (reply, filePath) => {
      reply.header("cache-control", filePath.includes(HASHED_DIR) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });

  // the home page too, with its preloads (the static files' `/` would serve index.html without them)
  const sendPage = (reply: FastifyReply, pathname: string) =>
    reply.header("link", preloadLinks(pathname)).sendFile("index.html");
  app.get("/", (_request, reply) => sendPage(reply, "/"));

  app.setNotFoundHandler((request, reply: FastifyReply) => {
    const pathname = request.url.split("?")[0] ?? "/";
    const page = (request.method === "GET" || request.method === "HEAD") && !pathname.startsWith("/api/");
    if (page && !pathname.split("/").pop()?.includes(".")) {
      return sendPage(reply, pathname);
    }
    throw notFound(
      pathname.startsWith("/api/")
        ? `No route ${request.method} ${pathname}: see the API routes in web/server`
        : `No file ${pathname}`,
    );
  });
}

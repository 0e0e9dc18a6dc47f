import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import { notFound } from "../../../server/http/ApiError.js";

/** Vite's content-hashed build output: a file there never changes under its name. */
const HASHED_DIR = `${path.sep}assets${path.sep}`;

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

  app.setNotFoundHandler((request, reply: FastifyReply) => {
    const pathname = request.url.split("?")[0] ?? "/";
    const page = (request.method === "GET" || request.method === "HEAD") && !pathname.startsWith("/api/");
    if (page && !pathname.split("/").pop()?.includes(".")) {
      return reply.sendFile("index.html");
    }
    throw notFound(
      pathname.startsWith("/api/")
        ? `No route ${request.method} ${pathname}: see the API routes in web/server`
        : `No file ${pathname}`,
    );
  });
}

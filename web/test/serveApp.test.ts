import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { serveApp } from "../server/http/serveApp.js";

describe("serving the built app", { timeout: 60_000 }, () => {
  it("tells the browser which API answers a page needs first, and never puts a path's odd bytes in a header", async () => {
    const dist = await mkdtemp(path.join(tmpdir(), "recur-dist-"));
    const app = Fastify();
    try {
      await writeFile(path.join(dist, "index.html"), "<!doctype html><title>t</title>");
      await serveApp(app, dist);
      const links = async (url: string) => {
        const response = await app.inject({ method: "GET", url });
        assert.equal(response.statusCode, 200, url);
        return response.headers.link;
      };
      const config = "</api/config>; rel=preload; as=fetch; crossorigin=anonymous";
      assert.equal(await links("/"), config);
      assert.equal(await links("/portal?lang=es"), config);
      assert.equal(
        await links("/subscribe/pln_Abc123?lang=en"),
        `${config}, </api/plans/pln_Abc123>; rel=preload; as=fetch; crossorigin=anonymous`,
      );
      // a path that is not a plan id as this site makes them is preloaded as nothing but the configuration
      assert.equal(await links("/subscribe/a%3E%3B%20rel%3Dstylesheet"), config);
      assert.equal(await links("/subscribe/x,y"), config);
    } finally {
      await app.close();
      await rm(dist, { recursive: true, force: true });
    }
  });
});

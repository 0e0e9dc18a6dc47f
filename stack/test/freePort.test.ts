import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePorts } from "../freePort.js";

describe("freePorts", { timeout: 30_000 }, () => {
  it("answers as many different ports as asked, each free to listen on afterwards", async () => {
    const ports = await freePorts(16);
    assert.equal(ports.length, 16);
    assert.equal(new Set(ports).size, 16, `a port answered twice: ${ports.join(", ")}`);
    const servers = ports.map(() => createServer());
    try {
      await Promise.all(
        servers.map(
          (server, index) =>
            new Promise<void>((resolve, reject) => {
              server.once("error", reject);
              server.listen(ports[index], "127.0.0.1", () => resolve());
            }),
        ),
      );
    } finally {
      await Promise.all(
        servers.map(
          (server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
        ),
      );
    }
  });
});

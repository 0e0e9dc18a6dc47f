import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

describe(`the OpenAPI document (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  it("describes every route, each with its request and response schemas", async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown> };
    };
    assert.match(document.openapi, /^3\./);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    const expected = [
      "GET /chains",
      "GET /integration/subscription-plans",
      "POST /integration/subscription-plans",
      "GET /integration/subscription-plans/{id}",
      "POST /integration/subscription-plans/{id}/activate",
      "POST /integration/subscription-plans/{id}/archive",
      "POST /integration/subscriptions",
      "GET /integration/subscriptions",
      "POST /integration/subscriptions/create-customer-token",
      "POST /integration/subscriptions/hint-update-state",
      "GET /integration/subscriptions/{contractAddress}",
      "GET /integration/subscriptions/{contractAddress}/status",
      "POST /integration/subscriptions/{contractAddress}/activate",
      "POST /integration/subscriptions/{contractAddress}/pause",
      "POST /integration/subscriptions/{contractAddress}/unpause",
      "POST /integration/subscriptions/{contractAddress}/cancel",
      "POST /integration/checkout-sessions",
      "GET /integration/checkout-sessions/{id}",
      "GET /checkout-sessions/{id}",
      "POST /checkout-sessions/{id}/subscription",
      "POST /checkout-sessions/{id}/activate",
      "GET /integration/api-keys",
      "POST /integration/api-keys/rotate",
      "POST /integration/api-keys/{apiKey}/revoke",
      "POST /integration/webhooks/endpoint",
      "GET /integration/webhooks/events",
      "GET /integration/webhooks/deliveries",
      "POST /integration/webhooks/events/{eventId}/redeliver",
      "POST /integration/webhooks/test",
      "GET /integration/charges",
      "GET /integration/gas-wallets",
      "GET /integration/merchant/branding",
      "PUT /integration/merchant/branding",
      "GET /integration/storefront",
    ];
    assert.deepEqual(operations.map((o) => o.route).sort(), [...expected].sort());

    for (const { route, operation } of operations) {
      const responses = operation.responses ?? {};
      assert.ok(responses["200"], `${route} documents its success response`);
      assert.ok(
        Object.keys(responses).some((status) => status.startsWith("4")),
        `${route} documents its errors`,
      );
      const takesBody = [
        "POST /integration/subscription-plans",
        "POST /integration/subscriptions",
        "PUT /integration/merchant/branding",
      ].includes(route);
      if (takesBody) assert.ok(operation.requestBody, `${route} documents its body`);
      if (route.includes("{")) {
        assert.ok(
          operation.parameters?.some((p) => p.in === "path"),
          `${route} documents its path parameters`,
        );
      }
    }
    assert.ok(document.components.schemas.Subscription || document.components.schemas.SubscriptionOutput);
    const schemes = (document.components as { securitySchemes?: Record<string, { scheme?: string }> }).securitySchemes;
    assert.equal(schemes?.basicAuth?.scheme, "basic", "HTTP Basic with the API key and secret is documented");
  });
});

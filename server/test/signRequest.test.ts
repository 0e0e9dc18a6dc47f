import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signRequest } from "../auth/signRequest.js";

describe("request signatures", { timeout: 120_000 }, () => {
  it("reproduces SmartyPay's published test vector", () => {
    const body = '{\n    "amount": "11 btBUSD",\n    "expiresAt": "2021-06-22T23:19:38.146071+03:00"\n}';
    const signature = signRequest({
      secret: "DiFy5adj2FbrD5SDWsvPrsM2uVOdAund2ksMCZ9lBrRyDr5WMFO6O0loLL8TD1gh",
      ts: "1624309597463",
      method: "POST",
      path: "/integration/invoices",
      body,
    });
    assert.equal(signature, "695e66179483e9f7df31676893fbc5421630c14b16f9c63f3ef484003e82cef5");
  });

  it("covers the method, the path with its query, and every byte of the body", () => {
    const base = { secret: "s", ts: "1700000000", method: "GET", path: "/integration/subscriptions?limit=1" };
    const signature = signRequest(base);
    assert.notEqual(signRequest({ ...base, method: "POST" }), signature);
    assert.notEqual(signRequest({ ...base, path: "/integration/subscriptions?limit=2" }), signature);
    assert.notEqual(signRequest({ ...base, body: " " }), signature);
    assert.equal(signRequest({ ...base, method: "get" }), signature, "the method is upper-cased");
  });
});

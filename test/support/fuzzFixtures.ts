import type { Credentials } from "./rawHttp.js";
import { newPayer, type TestServer } from "./startTestServer.js";

const MONTH = 2_592_000;

/** Real resources for path parameters and bodies to hit, besides garbage. */
export interface Fixtures {
  merchant: Credentials;
  otherMerchant: Credentials;
  /** The merchant's payout address: a payer that must be refused. */
  payout: string;
  /** A customer token for `c1`, and one for `c2`, who owns nothing. */
  customerToken: string;
  strangerToken: string;
  plans: { active: string; draft: string; archived: string; spare: string; foreign: string };
  subscriptions: { draft: string; spare: string; foreign: string };
  sessions: { open: string; spare: string; foreign: string };
  /** Webhook events (the drafts' status changes): one of the merchant's, one of the other merchant's. */
  events: { own: string; foreign: string };
}

export async function createFixtures(server: TestServer): Promise<Fixtures> {
  const client = server.merchant.client;
  const other = server.otherMerchant.client;
  // every request differs, so that the signing client never waits for the next second
  const plan = (name: string) => ({ name, amount: "10 tUSDC", periodSeconds: MONTH });
  const urls = { successUrl: "https://shop.example/ok", cancelUrl: "https://shop.example/no" };

  const active = (await client.createPlan(plan("Active"))).id;
  await client.activatePlan(active);
  const spare = (await client.createPlan(plan("Spare"))).id;
  await client.activatePlan(spare);
  const draft = (await client.createPlan(plan("Draft"))).id;
  const archived = (await client.createPlan(plan("Archived"))).id;
  await client.archivePlan(archived);
  const foreign = (await other.createPlan(plan("Foreign"))).id;
  await other.activatePlan(foreign);

  const subscription = async (api: typeof client, planId: string) =>
    (await api.createSubscription({ planId, customerId: "c1", payer: newPayer() })).contractAddress;
  const session = async (api: typeof client, planId: string, metadata: string) =>
    (await api.createCheckoutSession({ planId, customerId: "c1", metadata, ...urls })).id;

  return {
    merchant: server.merchant,
    otherMerchant: server.otherMerchant,
    payout: server.merchant.payout,
    customerToken: (await client.createCustomerToken("c1")).token,
    strangerToken: (await client.createCustomerToken("c2")).token,
    plans: { active, draft, archived, spare, foreign },
    subscriptions: {
      draft: await subscription(client, active),
      spare: await subscription(client, active),
      foreign: await subscription(other, foreign),
    },
    sessions: {
      open: await session(client, active, "open"),
      spare: await session(client, active, "spare"),
      foreign: await session(other, foreign, "foreign"),
    },
    events: { own: await firstEventOf(client), foreign: await firstEventOf(other) },
  };
}

async function firstEventOf(client: TestServer["merchant"]["client"]): Promise<string> {
  const [event] = (await client.listWebhookEvents({ limit: 1 })).events;
  if (!event) throw new Error("the fixtures' drafts wrote no webhook event");
  return event.eventId;
}

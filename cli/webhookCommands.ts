import { Command } from "commander";
import type { Environment } from "../server/config/loadConfig.js";
import { action, merchantClient, output, positiveIntegerArgument, table } from "./context.js";

export function webhookCommands(env: Environment): Command {
  const webhooks = new Command("webhooks").description("the signed webhooks sent to a merchant");

  webhooks
    .command("events")
    .description("events, newest first, with their delivery state")
    .option("--undelivered", "only events not yet delivered")
    .option("--limit <n>", "at most n", positiveIntegerArgument)
    .action(
      action(async (options, command: Command) => {
        const client = await merchantClient(command, env);
        const { events } = await client.listWebhookEvents({ undelivered: options.undelivered, limit: options.limit });
        output(command, events, (rows) =>
          table([
            ["EVENT", "TYPE", "AT", "DELIVERED", "ATTEMPTS", "LAST ERROR"],
            ...rows.map((event) => [
              event.eventId,
              event.eventType,
              event.eventTs,
              event.delivered ? "yes" : "no",
              String(event.attempts),
              event.lastError ?? "-",
            ]),
          ]),
        );
      }),
    );

  webhooks
    .command("deliveries")
    .description("delivery attempts, newest first")
    .option("--event <eventId>", "only this event's")
    .option("--limit <n>", "at most n", positiveIntegerArgument)
    .action(
      action(async (options, command: Command) => {
        const client = await merchantClient(command, env);
        const { deliveries } = await client.listWebhookDeliveries({ eventId: options.event, limit: options.limit });
        output(command, deliveries, (rows) =>
          table([
            ["EVENT", "ATTEMPT", "AT", "STATUS", "MS", "ERROR"],
            ...rows.map((row) => [
              row.eventId,
              String(row.attempt),
              row.attemptedAt,
              String(row.responseStatus ?? "-"),
              String(row.durationMs),
              row.error ?? "-",
            ]),
          ]),
        );
      }),
    );

  webhooks
    .command("redeliver <eventId>")
    .description("send an event again, delivered or not")
    .action(
      action(async (eventId: string, _options, command: Command) => {
        const client = await merchantClient(command, env);
        const event = await client.redeliverWebhookEvent(eventId);
        output(command, event, (row) => `${row.eventId} (${row.eventType}) queued for delivery`);
      }),
    );

  webhooks
    .command("test")
    .description("queue a WebhookTest event, to check the endpoint and its signature check")
    .action(
      action(async (_options, command: Command) => {
        const client = await merchantClient(command, env);
        const event = await client.sendTestWebhook();
        output(command, event, (row) => `${row.eventId} (${row.eventType}) queued for delivery`);
      }),
    );
  return webhooks;
}

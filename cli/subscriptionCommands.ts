import { Command } from "commander";
import type { Environment } from "../server/config/loadConfig.js";
import type { SubscriptionResource } from "../server/schemas/subscriptions.js";
import { action, addressArgument, merchantClient, output, positiveIntegerArgument, table } from "./context.js";

function describeSubscription(subscription: SubscriptionResource): string {
  return table([
    ["contract", subscription.contractAddress],
    [
      "status",
      subscription.statusReason ? `${subscription.status} (${subscription.statusReason})` : subscription.status,
    ],
    ["plan", subscription.planId],
    ["customer", subscription.customerId],
    ["payer", subscription.payer],
    ["amount", `${subscription.amount} every ${subscription.periodSeconds} s on ${subscription.blockchain}`],
    ["charges", `${subscription.periodsCharged} of ${subscription.maxPeriods}`],
    ["next charge", subscription.nextChargeAt ?? "-"],
    ["allowance", subscription.allowance ?? "-"],
  ]);
}

export function subscriptionCommands(env: Environment): Command {
  const subscriptions = new Command("subscriptions").description("the subscriptions to a merchant's plans");

  subscriptions
    .command("list")
    .description("list subscriptions, newest first")
    .option("--customer <id>", "only this customer's")
    .option("--payer <address>", "only this payer's", addressArgument)
    .option("--status <statuses>", "only these statuses, comma-separated (Draft, Active, Suspended, Paused, ...)")
    .option("--limit <n>", "at most n", positiveIntegerArgument)
    .option("--offset <n>", "skip the first n", Number)
    .action(
      action(async (options, command: Command) => {
        const client = await merchantClient(command, env);
        const { subscriptions: list } = await client.listSubscriptions({
          customerId: options.customer,
          payer: options.payer,
          statusIn: options.status,
          limit: options.limit,
          offset: options.offset,
        });
        output(command, list, (rows) =>
          table([
            ["CONTRACT", "STATUS", "AMOUNT", "CHARGES", "CUSTOMER"],
            ...rows.map((row) => [
              row.contractAddress,
              row.status,
              row.amount,
              `${row.periodsCharged}/${row.maxPeriods}`,
              row.customerId,
            ]),
          ]),
        );
      }),
    );

  subscriptions
    .command("show <contractAddress>")
    .description("one subscription with its charges")
    .action(
      action(async (address: string, _options, command: Command) => {
        const client = await merchantClient(command, env);
        const subscription = await client.getSubscription(addressArgument(address));
        output(command, subscription, ({ charges, ...rest }) =>
          [
            describeSubscription(rest),
            "",
            table([
              ["#", "STATUS", "AMOUNT", "DATE", "TRANSACTION"],
              ...charges.map((charge) => [
                String(charge.periodIndex),
                charge.status,
                charge.amount,
                charge.chargeDate,
                charge.txHash ?? "-",
              ]),
            ]),
          ].join("\n"),
        );
      }),
    );

  const verbs = {
    pause: "stop charges until unpaused (sent on chain as operator)",
    unpause: "resume charges; the schedule moves later by the paused time",
    cancel: "end the subscription for good",
  } as const;
  for (const [verb, description] of Object.entries(verbs) as [keyof typeof verbs, string][]) {
    subscriptions
      .command(`${verb} <contractAddress>`)
      .description(description)
      .action(
        action(async (address: string, _options, command: Command) => {
          const client = await merchantClient(command, env);
          const contract = addressArgument(address);
          const subscription =
            verb === "pause"
              ? await client.pauseSubscription(contract)
              : verb === "unpause"
                ? await client.unpauseSubscription(contract)
                : await client.cancelSubscription(contract);
          output(command, subscription, describeSubscription);
        }),
      );
  }
  return subscriptions;
}

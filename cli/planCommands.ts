import { Command, Option } from "commander";
import type { Environment } from "../server/config/loadConfig.js";
import type { PlanResource } from "../server/schemas/plans.js";
import {
  action,
  collect,
  durationArgument,
  merchantClient,
  output,
  positiveIntegerArgument,
  table,
} from "./context.js";

const INTERVALS = ["Day", "Week", "Month", "Year"];

function describePlan(plan: PlanResource): string {
  return table([
    ["id", plan.id],
    ["name", plan.name],
    ["status", plan.status],
    ["amount", `${plan.amount} every ${plan.periodSeconds} s on ${plan.blockchain}`],
    ["charges", String(plan.maxPeriods)],
    ["grace", `${plan.gracePeriodSeconds} s`],
    ["tags", plan.tags.join(", ") || "-"],
  ]);
}

export function planCommands(env: Environment): Command {
  const plans = new Command("plans").description("a merchant's subscription plans");

  plans
    .command("create")
    .description("create a plan (Draft; --activate to sell it at once)")
    .requiredOption("--name <name>", "the plan's name, shown to payers")
    .requiredOption("--amount <money>", 'price per period with its token code, e.g. "9.99 USDC"')
    .option("--period <duration>", "time between charges: seconds or 90s, 15m, 6h, 30d", durationArgument)
    .addOption(new Option("--interval <interval>", "time between charges as a calendar unit").choices(INTERVALS))
    .option("--frequency <n>", "every n-th interval (1-7, with --interval)", positiveIntegerArgument)
    .option("--grace <duration>", "how long failed charges are retried before cancelling", durationArgument)
    .option("--max-periods <n>", "charges per subscription", positiveIntegerArgument)
    .option("--description <text>", "a longer description")
    .option("--tag <tag>", "a tag (repeat for more)", collect)
    .option("--activate", "activate it right away")
    .action(
      action(async (options, command: Command) => {
        const client = await merchantClient(command, env);
        let plan = await client.createPlan({
          name: options.name,
          amount: options.amount,
          description: options.description,
          periodSeconds: options.period,
          interval: options.interval,
          frequency: options.frequency,
          gracePeriodSeconds: options.grace,
          maxPeriods: options.maxPeriods,
          tags: options.tag,
        });
        if (options.activate) plan = await client.activatePlan(plan.id);
        output(command, plan, describePlan);
      }),
    );

  plans
    .command("list")
    .description("list plans, newest first")
    .option("--status <statuses>", "only these statuses, comma-separated (Draft, Active, Archived)")
    .option("--limit <n>", "at most n plans", positiveIntegerArgument)
    .option("--offset <n>", "skip the first n", Number)
    .action(
      action(async (options, command: Command) => {
        const client = await merchantClient(command, env);
        const { plans: list } = await client.listPlans({
          statusIn: options.status,
          limit: options.limit,
          offset: options.offset,
        });
        output(command, list, (rows) =>
          table([
            ["ID", "STATUS", "AMOUNT", "PERIOD (s)", "NAME"],
            ...rows.map((plan) => [plan.id, plan.status, plan.amount, String(plan.periodSeconds), plan.name]),
          ]),
        );
      }),
    );

  for (const verb of ["activate", "archive"] as const) {
    plans
      .command(`${verb} <planId>`)
      .description(verb === "activate" ? "start selling a plan" : "stop selling a plan (its subscriptions go on)")
      .action(
        action(async (planId: string, _options, command: Command) => {
          const client = await merchantClient(command, env);
          const plan = verb === "activate" ? await client.activatePlan(planId) : await client.archivePlan(planId);
          output(command, plan, describePlan);
        }),
      );
  }
  return plans;
}

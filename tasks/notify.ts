import { task, types } from "hardhat/config";
import { action } from "../lib/core/task";
import { output, printTable } from "../lib/core/cli";

task("watch", "Follows the suite's events and notifies the participants they concern by e-mail and webhook")
  // `--config` is Hardhat's own option (the Hardhat configuration file), hence `--notify-config`.
  .addOptionalParam("notifyConfig", "Notification settings file (see notify.example.json)", "notify.json", types.string)
  .addFlag("once", "Process every confirmed block up to the head, send what is queued, then exit (tests, cron)")
  .addFlag("retryDeadLetters", "Put the dead letters back in the outbox (attempts reset) before starting")
  .addFlag("quiet", "Print only the summary")
  .addFlag("json", "Print the summary as JSON")
  .setAction(
    action(async (a: { notifyConfig: string; once: boolean; retryDeadLetters: boolean; quiet: boolean; json: boolean }, hre) => {
      const { loadConfig } = await import("../lib/notify/config");
      const { Watcher } = await import("../lib/notify/watcher");
      const config = loadConfig(a.notifyConfig);
      const watcher = new Watcher({
        config,
        hre,
        retryDeadLetters: a.retryDeadLetters,
        log: a.quiet || a.json ? undefined : (line) => console.log(line),
      });
      // SIGINT/SIGTERM: end the attempts in progress, write the checkpoint (unsent deliveries stay in the outbox), exit 0.
      const stop = () => watcher.stop();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const stats = await watcher.run({ once: a.once });
        output(a.json, { ...stats, checkpoint: config.checkpoint }, () =>
          printTable([stats as unknown as Record<string, unknown>], undefined, `watcher stopped; checkpoint ${config.checkpoint}`),
        );
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    }),
  );

import { startServer } from '../app.js';
import { closingSummary } from '../store/closing-summary.js';
import { serverOptionsFrom, type ServeValues } from './serve-options.js';

/** `inkgraph serve`: serves until SIGTERM or SIGINT, then lets the running job finish (up to --shutdown-grace). */
export async function serve(values: ServeValues): Promise<number> {
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(serverOptionsFrom(values));
  } catch (error) {
    console.error(`inkgraph serve: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const restored = server.context.queue.remaining;
  console.log(
    `Inkgraph is serving on ${server.url}${server.context.options.authToken ? ' (token required)' : ''}${restored > 0 ? ` (${restored} job${restored === 1 ? '' : 's'} restored from the last run)` : ''}`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
  });
  const graceSeconds = values['shutdown-grace'];
  const running = server.context.queue.runningJobs.length;
  console.log(
    `${signal}: taking no new prompts; ${running === 0 ? 'no job is running' : `letting the running job${running === 1 ? '' : 's'} finish (up to ${graceSeconds} s)`}…`,
  );
  const forceStop = (): void => {
    console.log('second signal: stopping now; the running job stays queued and runs again on the next start');
    process.exit(130);
  };
  process.once('SIGINT', forceStop);
  process.once('SIGTERM', forceStop);
  await server.close(graceSeconds * 1000);
  console.log(closingSummary(server.context.queue.storeClosedWith));
  return 0;
}

import type { NodeRunState } from './execution-state.js';

/**
 * The node run states a tab shows: those of prompts it queued, and of prompts no tab claims (queued before a reload
 * or by another window). Another tab's run never lights up nodes that only share its ids. Pure.
 */
export function runsOfTab(
  nodes: Readonly<Record<string, NodeRunState>>,
  promptTabs: Readonly<Record<string, string>>,
  tabId: string,
): Readonly<Record<string, NodeRunState>> {
  const entries = Object.entries(nodes);
  const visible = entries.filter(([, run]) => {
    const owner = run.promptId !== undefined ? promptTabs[run.promptId] : undefined;
    return owner === undefined || owner === tabId;
  });
  return visible.length === entries.length ? nodes : Object.fromEntries(visible);
}
